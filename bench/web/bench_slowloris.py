#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Web page latency under a slowloris (docs/performance.md, "Web under
slow clients"): 200 connections from 127.0.0.2 that send one header line
a second ("slow") or nothing ("idle"), each closed one reopened within a
second or at once (every 5 ms), while a user on 127.0.0.1 loads
GET / and GET /api/v1/status, each on a fresh connection. Prints the
median, 90th percentile and worst of ROUNDS loads per case.
Run: CONVERGD=build/convergd bench/web/bench_slowloris.py"""

import http.client
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
from web_harness import Client, Daemon, Slowloris  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "200"))


def timed_get(port, path, cookie=None):
    """Seconds for one GET on a new connection (None if it failed)."""
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                   source_address=("127.0.0.1", 0))
    try:
        c.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        r = c.getresponse()
        r.read()
        ok = r.status == 200
    except OSError:
        ok = False
    finally:
        c.close()
    return time.monotonic() - t0 if ok else None


def measure(port, cookie):
    out = {}
    for path in ("/", "/api/v1/status"):
        times = []
        for _ in range(ROUNDS):
            times.append(timed_get(port, path, cookie))
            time.sleep(0.05)
        good = sorted(t for t in times if t is not None)
        out[path] = (len(good), good)
    return out


def report(case, res):
    for path, (n, good) in res.items():
        if not good:
            print(f"| {case} | {path} | 0/{ROUNDS} | - | - | - |")
            continue
        p90 = good[min(len(good) - 1, int(len(good) * 0.9))]
        print(f"| {case} | {path} | {n}/{ROUNDS} | "
              f"{statistics.median(good) * 1000:.2f} ms | "
              f"{p90 * 1000:.2f} ms | {good[-1] * 1000:.2f} ms |")


def main():
    d = Daemon(console=False)
    try:
        c = Client(d.web_port)
        if c.login("clearone", "converge")[0] != 200:
            raise SystemExit("login failed")
        c.close()
        print("| attack | request | loads | median | p90 | worst |")
        print("|---|---|---|---|---|---|")
        report("none", measure(d.web_port, c.cookie))
        for mode, interval in (("slow", 1.0), ("idle", 1.0),
                               ("slow", 0.005), ("idle", 0.005)):
            attack = Slowloris(d.web_port, "127.0.0.2", CONNECTIONS, mode,
                               interval)
            t0 = time.monotonic()
            case = f"{CONNECTIONS} {mode}" + (
                ", reopened at once" if interval < 1 else "")
            try:
                time.sleep(2)
                report(case, measure(d.web_port, c.cookie))
            finally:
                attack.stop()
            rate = attack.reopened / (time.monotonic() - t0)
            print(f"<!-- {case}: attacker reopened {attack.reopened} "
                  f"({rate:.0f}/s) -->")
    finally:
        d.stop()


if __name__ == "__main__":
    main()
