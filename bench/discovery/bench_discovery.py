#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Discovery figures (docs/performance.md, "Discovery"): time from one
LOCATE broadcast until N units (convergd, each in its own network
namespace on one bridge, peers.md §1) have all answered, for N = 1, 10,
50 (BENCH_UNITS="1 10 50"), median of BENCH_ROUNDS (5) rounds; and the
wall time of `converge-console discover` with the time-out it needs.
Root only; namespaces are made here and removed on exit.
Run: CONVERGD=build/convergd CONVERGE_CONSOLE=build/converge-console \\
     bench/discovery/bench_discovery.py"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
from test_discovery_netns import Lab, discover  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))

# Runs inside the console host's namespace: one LOCATE broadcast out of
# eth0, then the time until `n` distinct UIDs have answered.
PROBE = r"""
import socket, struct, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.bind(("0.0.0.0", 0))
s.settimeout(5)
seen = set()
t0 = time.monotonic()
s.sendto(b"CVDS\x01\x01\x00\x00" + struct.pack(">I", 77),
         ("255.255.255.255", 3487))
while len(seen) < n:
    d = s.recv(2048)
    i = 12
    while i < len(d):
        if d[i] == 3:
            seen.add(d[i + 2:i + 6])
        i += 2 + d[i + 1]
print((time.monotonic() - t0) * 1000)
"""


def one(n):
    lab = Lab()
    try:
        pc = lab.host("pc", "10.77.0.1/24")
        for i in range(n):
            lab.unit(f"u{i}", f"10.77.0.{10 + i}/24", f"5EED{i:04X}")
        if not lab.wait_ready():
            sys.exit("units did not start")
        ms = []
        for _ in range(ROUNDS):
            r = subprocess.run(["ip", "netns", "exec", pc, sys.executable,
                                "-c", PROBE, str(n)], capture_output=True,
                               text=True, timeout=30)
            ms.append(float(r.stdout))
            time.sleep(0.2)
        t0 = time.monotonic()
        rc, units, _ = discover(pc)
        wall = (time.monotonic() - t0) * 1000
        print(f"N={n:3d}: all answered in {statistics.median(ms):7.2f} ms "
              f"(median of {ROUNDS}, max {max(ms):.2f}); "
              f"converge-console discover --timeout 1500: {len(units)} "
              f"found, {wall:.0f} ms wall")
    finally:
        lab.cleanup()


def main():
    for n in os.environ.get("BENCH_UNITS", "1 10 50").split():
        one(int(n))


if __name__ == "__main__":
    main()
