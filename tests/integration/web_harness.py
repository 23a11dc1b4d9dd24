# SPDX-License-Identifier: MIT
"""Shared by the web tests and bench/web: start the real daemon on free
loopback ports with a temporary state folder, an HTTP client that keeps
the session cookie and CSRF token, and a stdlib RFC 6455 client."""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """convergd -f -c TMPCONF on 127.0.0.1, stopped (by PID) in stop()."""

    def __init__(self, web_extra="", console=True, engine_extra=""):
        self.binary = os.environ.get("CONVERGD")
        if not self.binary:
            raise SystemExit("CONVERGD is not set (path of the daemon)")
        self.dir = tempfile.mkdtemp(prefix="convergd-web-")
        self.web_port = free_port()
        self.console_port = free_port()
        conf = f"""[unit]
model = 880TA
device_id = 0
firmware = 4.4.0.2
state_file = {self.dir}/state.json
spool_dir = {self.dir}/spool
[log]
level = info
target = stderr
[engine]
enabled = yes
{engine_extra}
[console]
enabled = {"yes" if console else "no"}
bind = 127.0.0.1
port = {self.console_port}
[web]
enabled = yes
bind = 127.0.0.1
port = {self.web_port}
{web_extra}
"""
        self.conf = os.path.join(self.dir, "convergd.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.log = open(os.path.join(self.dir, "daemon.log"), "w+")
        self.proc = subprocess.Popen([self.binary, "-f", "-c", self.conf],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir)
        self.wait_ready()

    def wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited: " + self.log_text())
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.web_port,
                                               timeout=1)
                c.request("GET", "/")
                # 301: a daemon that sends plain HTTP to HTTPS
                if c.getresponse().status in (200, 301):
                    c.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("web port never answered: " + self.log_text())

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        """SIGTERM by PID; returns (exit code, seconds it took)."""
        t0 = time.monotonic()
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait(timeout=5)
        else:
            rc = self.proc.returncode
        took = time.monotonic() - t0
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc, took


class Client:
    """HTTP/1.1 client holding the session cookie and the CSRF token."""

    def __init__(self, port, source=None):
        self.port = port
        self.source = source
        self.cookie = None
        self.csrf = None
        self.conn = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=10,
                source_address=(self.source, 0) if self.source else None)
        return self.conn

    def raw(self, method, path, body=None, headers=None):
        """Returns (status, headers dict (lower-case names), body bytes)."""
        h = dict(headers or {})
        if self.cookie and "Cookie" not in h:
            h["Cookie"] = self.cookie
        for attempt in range(2):
            c = self._conn()
            try:
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                hdrs = {k.lower(): v for k, v in r.getheaders()}
                if hdrs.get("connection", "").lower() == "close":
                    c.close()
                    self.conn = None
                return r.status, hdrs, data
            except (http.client.HTTPException, ConnectionError):
                c.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def call(self, method, path, obj=None, csrf=True, headers=None):
        """JSON call; returns (status, parsed body or None, headers)."""
        h = dict(headers or {})
        body = None
        if obj is not None:
            body = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
            h.setdefault("Content-Type", "application/json")
        if csrf and self.csrf and method != "GET":
            h.setdefault("X-CSRF-Token", self.csrf)
        st, hdrs, data = self.raw(method, "/api/v1" + path, body, h)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return st, parsed, hdrs

    def login(self, user, password):
        st, body, hdrs = self.call("POST", "/session",
                                   {"user": user, "password": password})
        if st == 200:
            cookie = hdrs.get("set-cookie", "")
            self.cookie = cookie.split(";", 1)[0]
            self.csrf = body["csrf"]
        return st, body, hdrs

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


class WebSocket:
    """Minimal RFC 6455 client: text frames only, masked as required."""

    def __init__(self, port, cookie=None, origin=None, timeout=5.0,
                 host=None, rcvbuf=None):
        if rcvbuf:
            # set before connecting, so the window it offers stays small
            self.sock = socket.socket()
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.settimeout(timeout)
            self.sock.connect(("127.0.0.1", port))
        else:
            self.sock = socket.create_connection(("127.0.0.1", port),
                                                 timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        host = host or f"127.0.0.1:{port}"
        req = (f"GET /api/v1/events HTTP/1.1\r\nHost: {host}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if cookie:
            req += f"Cookie: {cookie}\r\n"
        if origin:
            req += f"Origin: {origin}\r\n"
        self.sock.sendall((req + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1]) if head else 0

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("websocket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=5.0, raw=False):
        """Next text message as parsed JSON, or its bytes if raw (skips
        control frames)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no message within %.1f s" % timeout)
            self.sock.settimeout(left)
            b0, b1 = self._need(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._need(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._need(8))[0]
            payload = self._need(n)
            op = b0 & 0x0F
            if op == 1:
                return payload if raw else json.loads(payload)
            if op == 8:
                raise ConnectionError("websocket closed by server")
            if op == 9:
                self._frame(0x8A, payload)  # answer a ping, as browsers do

    def send(self, obj):
        self._frame(0x81, json.dumps(obj).encode())

    def _frame(self, first, data):
        mask = os.urandom(4)
        hdr = bytes([first])
        if len(data) < 126:
            hdr += bytes([0x80 | len(data)])
        else:
            hdr += bytes([0x80 | 126]) + struct.pack("!H", len(data))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(hdr + mask + masked)

    def close(self):
        try:
            self.sock.sendall(bytes([0x88, 0x82]) + b"\0\0\0\0" + b"\x03\xe8")
        except OSError:
            pass
        self.sock.close()


class Slowloris:
    """`count` TCP connections to the web port from address `source`, kept
    open by a background thread: "slow" sends one header line a second and
    never ends the request, "idle" sends nothing. A connection the server
    closes is opened again (looked for every `interval` s), as a real
    attacker would. stop() closes all."""

    def __init__(self, port, source, count, mode="slow", interval=1.0):
        import threading
        self.port, self.source, self.count, self.mode = (port, source,
                                                         count, mode)
        self.interval = interval
        self.socks = []
        self.reopened = 0
        self.done = threading.Event()
        for _ in range(count):
            self.socks.append(self._open())
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _open(self):
        s = socket.socket()
        s.setblocking(False)
        s.bind((self.source, 0))
        s.connect_ex(("127.0.0.1", self.port))
        return [s, 0]

    def _poke(self, entry):
        """One step for one connection; False if the server closed it."""
        s, lines = entry
        try:
            if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                return False
        except BlockingIOError:
            pass
        except OSError:
            return False
        if self.mode != "slow":
            return True
        try:
            s.send(b"GET / HTTP/1.1\r\n" if lines == 0 else
                   b"X-Slow-%d: x\r\n" % lines)
        except BlockingIOError:
            return True
        except OSError:
            return False
        entry[1] = lines + 1
        return True

    def _closed(self, entry):
        try:
            return entry[0].recv(4096, socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _run(self):
        last_line = 0.0
        while not self.done.wait(self.interval):
            # between header lines (one a second) only reopen closed ones
            step = (lambda e: not self._closed(e))
            if time.monotonic() - last_line >= 1.0:
                last_line = time.monotonic()
                step = self._poke
            for i, entry in enumerate(self.socks):
                if not step(entry):
                    entry[0].close()
                    self.socks[i] = self._open()
                    self.reopened += 1

    def stop(self):
        self.done.set()
        self.thread.join(5)
        for s, _ in self.socks:
            s.close()
