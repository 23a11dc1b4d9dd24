#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""NTP figures (docs/ntp.md, "Figures"), on 127.0.0.1 only:
1. accuracy: convergd (set_clock = no, one sample a poll, one poll a
   second) against a chronyd -x whose clock is +300 s (libfaketime), for
   BENCH_POLLS (100) polls; each offset is compared with an independent
   SNTP query of the same server made right after it (the reference;
   ntpdig cannot use a high port), and the error is ours - reference;
2. throughput: a scripted server answers each request with BENCH_FLOOD
   (200000) spoofed replies (wrong origin, so each is parsed, checked and
   dropped) and then the true one; convergd's CPU time (/proc/PID/stat)
   per delivered reply (kernel drops from /proc/net/udp subtracted) gives
   the replies per CPU-second it can process.
Run: CONVERGD=build/convergd bench/ntp/bench_ntp.py"""
import os
import re
import socket
import statistics
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
from ntp_peers import Chronyd, sntp_query, to_ntp  # noqa: E402
from web_harness import Client, Daemon  # noqa: E402

POLLS = int(os.environ.get("BENCH_POLLS", "100"))
FLOOD = int(os.environ.get("BENCH_FLOOD", "200000"))
CONF = """
[ntp]
enabled = yes
set_clock = no
poll_interval = 1
poll_max = 4
samples = 1
timeout_ms = 500
"""


def set_server(d, port):
    c = Client(d.web_port)
    c.login("clearone", "converge")
    st, body, _ = c.call("PUT", "/settings",
                         {"time.ntp_server": f"127.0.0.1:{port}"})
    assert st == 200, body


def offsets(d, port):
    return [float(x) for x in re.findall(
        rf"offset ([-+][0-9.]+) ms via 127\.0\.0\.1:{port}", d.log_text())]


def accuracy(d):
    srv = Chronyd(fake="+300s")
    try:
        set_server(d, srv.port)
        errors, seen = [], 0
        deadline = time.monotonic() + POLLS * 1.5 + 10
        while len(errors) < POLLS and time.monotonic() < deadline:
            ours = offsets(d, srv.port)
            if len(ours) > seen:
                seen = len(ours)
                ref = sntp_query(srv.port)
                if ref is not None:
                    errors.append(ours[-1] - ref[0] * 1e3)
            time.sleep(0.02)
        a = [abs(e) for e in errors]
        print(f"accuracy vs +300 s chronyd: {len(errors)} polls, offset "
              f"{statistics.median(offsets(d, srv.port)):+.3f} ms median;"
              f" |ours - reference| median {statistics.median(a):.3f} ms, "
              f"p95 {sorted(a)[int(len(a) * 0.95) - 1]:.3f} ms, max "
              f"{max(a):.3f} ms")
    finally:
        srv.stop()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def udp_drops(port):
    with open("/proc/net/udp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if int(cols[1].split(":")[1], 16) == port:
                return int(cols[-1])
    return 0


def throughput(d):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(5)
    set_server(d, s.getsockname()[1])
    req, peer = s.recvfrom(1024)
    now = time.time()
    head = bytes([0x24, 2, 6, 0xec]) + bytes(8) + b"\x7f\x00\x00\x01" + \
        struct.pack(">Q", to_ntp(now))
    spoofed = head + bytes(8) + struct.pack(">QQ", to_ntp(now), to_ntp(now))
    cpu0, drops0, t0 = cpu_seconds(d.proc.pid), udp_drops(peer[1]), \
        time.monotonic()
    for i in range(FLOOD):
        s.sendto(spoofed, peer)
        if i % 256 == 255:
            time.sleep(0.002)    # stay under the socket buffer
    s.sendto(head + req[40:48] + struct.pack(">QQ", to_ntp(time.time()),
                                             to_ntp(time.time())), peer)
    time.sleep(0.5)
    took = time.monotonic() - t0
    cpu = cpu_seconds(d.proc.pid) - cpu0
    delivered = FLOOD - (udp_drops(peer[1]) - drops0)
    s.close()
    print(f"throughput: {FLOOD} spoofed replies in {took:.2f} s, "
          f"{delivered} delivered, convergd used {cpu:.2f} s CPU = "
          f"{delivered / max(cpu, 0.01):.0f} replies per CPU-second")


def main():
    d = Daemon(web_extra=CONF)
    try:
        accuracy(d)
        throughput(d)
    finally:
        d.stop()


if __name__ == "__main__":
    main()
