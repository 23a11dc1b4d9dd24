# SPDX-License-Identifier: MIT
"""Floods for test_load.py and bench/load/bench_load.py: many TCP
connections at once to the console or the web, UDP floods to SNMP and
discovery, an admin console session timed meanwhile, and the daemon's
RSS and descriptor count from /proc. Only 127.0.0.0/8 is contacted."""
import os
import resource
import selectors
import socket
import statistics
import threading
import time

from convergd_test import Console
from snmp_ber import get_request, reply_reqid


def raise_nofile(need):
    """Lift this process's soft descriptor limit to `need` (or the hard
    limit) so the client side is not the one that runs out."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need if hard == resource.RLIM_INFINITY else min(need, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def settle_fds(pid, limit, timeout=20):
    """The daemon's descriptor count once it is <= limit (or the last
    one seen when `timeout` runs out)."""
    deadline = time.monotonic() + timeout
    n = fd_count(pid)
    while n > limit and time.monotonic() < deadline:
        time.sleep(0.1)
        n = fd_count(pid)
    return n


class Admin(threading.Thread):
    """A logged-in console session asking LOCROOM in a loop until
    stopped; keeps every round trip's time (seconds) and any error."""

    def __init__(self, port):
        super().__init__()
        self.con = Console(port)
        self.times, self.errors = [], []
        self.halt = threading.Event()
        self.start()

    def run(self):
        while not self.halt.is_set():
            t0 = time.monotonic()
            try:
                reply = self.con.command("#H0 LOCROOM")
            except (OSError, TimeoutError, ConnectionError) as e:
                self.errors.append(repr(e))
                return
            if not reply.startswith("OK> #H0 LOCROOM"):
                self.errors.append(reply)
            self.times.append(time.monotonic() - t0)
            time.sleep(0.01)

    def stop(self):
        self.halt.set()
        self.join(20)
        self.con.close()
        return self.times, self.errors


def latency_text(times):
    if not times:
        return "no answers"
    ms = sorted(t * 1000 for t in times)
    return (f"{len(ms)} answers, p50 {statistics.median(ms):.2f} ms, "
            f"p99 {ms[min(len(ms) - 1, len(ms) * 99 // 100)]:.2f} ms, "
            f"max {ms[-1]:.2f} ms")


def tcp_flood(port, n, send=b"", src="127.0.0.1", timeout=60, quiet=3.0):
    """Open `n` connections at once (non-blocking), send `send` on each
    and read until every one has ended or been greeted, nothing happened
    for `quiet` seconds, or `timeout`. Returns one record per connection:
    {"data": bytes, "end": "eof" | "reset" | "open" | "refused"}; the
    caller close_all()s them. With nothing to send, a connection whose
    last ACK the full accept queue dropped looks open to us and is never
    seen by the server (the kernel gives up on it): open without data."""
    sel = selectors.DefaultSelector()
    recs = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.setblocking(False)
        rec = {"sock": s, "data": b"", "end": "open", "sent": False}
        recs.append(rec)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        except OSError:
            rec["end"] = "refused"
            s.close()
            continue
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, rec)
    deadline = time.monotonic() + timeout
    live = sum(1 for r in recs if r["end"] == "open")
    last = time.monotonic()
    while live and time.monotonic() < min(deadline, last + quiet):
        if not send and all(r["data"] or r["end"] != "open" for r in recs):
            break
        for key, ev in sel.select(0.2):
            last = time.monotonic()
            rec = key.data
            if ev & selectors.EVENT_WRITE and not rec["sent"]:
                rec["sent"] = True
                try:
                    if send:
                        rec["sock"].send(send)
                except OSError:
                    pass
                sel.modify(rec["sock"], selectors.EVENT_READ, rec)
                continue
            try:
                chunk = rec["sock"].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk, rec["end"] = b"", "reset"
            if chunk:
                rec["data"] += chunk
                continue
            if rec["end"] == "open":
                rec["end"] = "eof"
            sel.unregister(rec["sock"])
            live -= 1
    return recs


def drain(recs):
    """Read what has arrived on the connections still open."""
    for r in recs:
        while r["end"] == "open":
            try:
                chunk = r["sock"].recv(65536)
            except BlockingIOError:
                break
            except OSError:
                r["end"] = "reset"
                break
            if not chunk:
                r["end"] = "eof"
            r["data"] += chunk


def close_all(recs):
    for r in recs:
        r["sock"].close()


def udp_flood(port, packets, src="127.0.0.2"):
    """Send every packet once from one socket; count the answers that
    came back while sending and within a second after."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setblocking(False)
    got = 0
    t0 = time.monotonic()
    for p in packets:
        try:
            s.sendto(p, ("127.0.0.1", port))
        except BlockingIOError:
            time.sleep(0.001)
        try:
            while s.recv(4096):
                got += 1
        except BlockingIOError:
            pass
    sent_s = time.monotonic() - t0
    s.settimeout(1)
    try:
        while s.recv(4096):
            got += 1
    except OSError:
        pass
    s.close()
    return got, sent_s


def snmp_packets(n, community="public"):
    return [get_request(community, i + 1) for i in range(n)]


def snmp_answers(port, community="public"):
    """True if one GetRequest from 127.0.0.1 is answered (2 s)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(get_request(community, 4242), ("127.0.0.1", port))
        try:
            return reply_reqid(s.recv(4096), community) == 4242
        except OSError:
            return False


def locate_packet(xid):
    """A CVDS v1 LOCATE (docs/discovery.md)."""
    return b"CVDS" + bytes([1, 1, 0, 0]) + xid.to_bytes(4, "big")
