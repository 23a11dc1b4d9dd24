# SPDX-License-Identifier: MIT
"""NTP peers for the ntp tests and bench/ntp, on 127.0.0.1 only: chronyd
(-x: never touches the clock; optionally under libfaketime, a server
whose clock is off) and a tiny scripted server for the replies chronyd
never sends (KoD, leap 3, spoofed origin, wrong time). Every process is
stopped by PID; every wait is bounded."""
import os
import pwd
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

NTP_DELTA = 2208988800
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout=10.0):
    """pred()'s first true value within `timeout` s, else its last."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


def to_ntp(t):
    return int((t + NTP_DELTA) * 2**32) & (2**64 - 1)


def from_ntp(v):
    return v / 2**32 - NTP_DELTA


def sntp_query(port, timeout=1.0):
    """Our own SNTP client (not the C one): (offset_s, delay_s, stratum,
    leap) of one exchange with 127.0.0.1:port, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        t1 = time.time()
        s.sendto(b"\x23" + bytes(39) + struct.pack(">Q", to_ntp(t1)),
                 ("127.0.0.1", port))
        try:
            data = s.recv(1024)
        except OSError:
            return None
        t4 = time.time()
    rec, xmt = struct.unpack(">QQ", data[32:48])
    t2, t3 = from_ntp(rec), from_ntp(xmt)
    return (((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2), data[1],
            data[0] >> 6)


class Chronyd:
    """chronyd -x -d on 127.0.0.1:port, local stratum 8; `fake` is a
    libfaketime offset such as "+300s" for a server that is wrong."""

    def __init__(self, fake=None):
        self.port = free_udp_port()
        self.dir = tempfile.mkdtemp(prefix="convergd-chrony-")
        pw = pwd.getpwnam("_chrony")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o750)
        conf = os.path.join(self.dir, "chrony.conf")
        with open(conf, "w") as f:
            f.write(f"port {self.port}\nbindaddress 127.0.0.1\n"
                    "allow 127.0.0.1\nlocal stratum 8\ncmdport 0\n"
                    f"bindcmdaddress /\npidfile {self.dir}/chronyd.pid\n"
                    f"driftfile {self.dir}/drift\n")
        env = dict(os.environ)
        if fake:
            env.update(LD_PRELOAD=FAKETIME, FAKETIME=fake)
        self.log = open(os.path.join(self.dir, "chronyd.log"), "w")
        self.proc = subprocess.Popen(["chronyd", "-x", "-d", "-f", conf],
                                     stdout=self.log, stderr=self.log,
                                     env=env)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = sntp_query(self.port, 0.2)
            if r is not None and r[2] == 8 and r[3] == 0:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("chronyd did not answer on port %d" % self.port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class FakeServer:
    """A scripted NTP server on 127.0.0.1 in a thread. mode: "offset"
    (answers with the time plus `offset` s), "kod_rate", "kod_deny",
    "bad" (cycles through leap 3, stratum 0, wrong origin, mode 3),
    "silent" (reads, never answers)."""

    def __init__(self, mode, offset=0.0):
        self.mode, self.offset = mode, offset
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = []          # monotonic time of each request
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _reply(self, req, n):
        now = time.time() + self.offset
        li, stratum, refid, mode = 0, 3, b"\x7f\x00\x00\x01", 4
        org = req[40:48]
        if self.mode in ("kod_rate", "kod_deny"):
            li, stratum = 3, 0
            refid = b"RATE" if self.mode == "kod_rate" else b"DENY"
        elif self.mode == "bad":
            kind = n % 4
            if kind == 0:
                li = 3
            elif kind == 1:
                stratum, refid = 0, b"XXXX"
            elif kind == 2:
                org = bytes(a ^ 0x55 for a in org)
            else:
                mode = 3
        return (bytes([li << 6 | 4 << 3 | mode, stratum, 6, 0xec]) +
                struct.pack(">II", 0x10, 0x10) + refid +
                struct.pack(">Q", to_ntp(now - 10)) + org +
                struct.pack(">QQ", to_ntp(now), to_ntp(now)))

    def _run(self):
        while self.running:
            try:
                req, peer = self.sock.recvfrom(1024)
            except OSError:
                continue
            self.requests.append(time.monotonic())
            if self.mode != "silent" and len(req) >= 48:
                self.sock.sendto(self._reply(req, len(self.requests) - 1),
                                 peer)

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()


def console_in_ns(ns, line, port=2323):
    """One console command to a convergd inside namespace `ns`, from a
    client inside it; the OK> reply."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = ("import sys, time; sys.path.insert(0, %r)\n"
            "from convergd_test import Console\n"
            "for i in range(100):\n"
            "    try:\n"
            "        c = Console(%d); break\n"
            "    except OSError:\n"
            "        time.sleep(0.1)\n"
            "print(c.command(%r))\n" % (here, port, line))
    r = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
                        code], capture_output=True, text=True, timeout=30)
    return r.stdout.strip()
