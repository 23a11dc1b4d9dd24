# SPDX-License-Identifier: MIT
"""Helpers for Python integration tests: temp config, daemon by PID,
raw-socket console client. Only 127.0.0.1 is ever contacted."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

CONVERGD = os.environ["CONVERGD"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """A convergd started with its own config and state folder."""

    def __init__(self, extra="", model="880TA"):
        self.dir = tempfile.mkdtemp(prefix="convergd-it-")
        self.port = free_port()
        self.config = os.path.join(self.dir, "convergd.conf")
        self.state = os.path.join(self.dir, "state", "state.json")
        with open(self.config, "w") as f:
            f.write(f"""[unit]
model = {model}
device_id = 0
uid = 0A1B2C3D
state_file = {self.state}
spool_dir = {self.dir}/spool
[log]
level = info
target = stderr
[console]
bind = 127.0.0.1
port = {self.port}
[web]
enabled = no
{extra}
""")
        self.proc = None
        self.logs = []
        self.prefix = []  # e.g. setpriv ... to start it as another user

    def start(self, timeout=10):
        log = open(os.path.join(self.dir, f"daemon{len(self.logs)}.log"), "w")
        self.logs.append(log.name)
        self.proc = subprocess.Popen([*self.prefix, CONVERGD, "-f", "-c",
                                      self.config],
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("convergd exited: " + self.log())
                time.sleep(0.05)
        raise RuntimeError("convergd did not open its console port")

    def log(self):
        with open(self.logs[-1]) as f:
            return f.read()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Console:
    """A raw TCP console session, as AMX/Crestron drivers open them."""

    def __init__(self, port, user="clearone", password="converge", timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.read_until(b"user: ")
        self.sock.sendall(user.encode() + b"\r")
        self.read_until(b"pass: ")
        self.sock.sendall(password.encode() + b"\r")
        self.read_until(b"Level: ")
        self.read_until(b"\r\n")

    def read_until(self, marker):
        deadline = time.monotonic() + 10
        while marker not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {marker!r} in {self.buf!r}")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(marker)
        return head + marker

    until = read_until

    def send(self, raw):
        """Send raw bytes; return the next OK> line (bytes, with CRLF).
        Report lines seen before it are kept in last_reports."""
        self.sock.sendall(raw)
        self.last_reports = b""
        while True:
            line = self.read_until(b"\r\n")
            if line.startswith(b"OK> "):
                return line
            self.last_reports += line

    def command(self, line):
        """Send one command, return its OK> reply line (without CRLF)."""
        self.sock.sendall(line.encode() + b"\r")
        while True:
            reply = self.read_until(b"\r\n").decode().rstrip("\r\n")
            if reply.startswith("OK> "):
                return reply

    def close(self):
        self.sock.close()


class Checks:
    """Counts checks and prints the closing line CI reads."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok   - {what}")
        else:
            self.failed += 1
            print(f"FAIL - {what} {detail}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
