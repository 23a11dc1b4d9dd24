#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Load figures (docs/performance.md, "Load"): the floods of
tests/integration/test_load.py at BENCH_CONNECTIONS (1000) connections,
printed with the admin session's latency during each flood, how long the
flood took to settle, and the daemon's RSS and descriptors before and
after. Nothing is asserted.
Run: CONVERGD=build/convergd /usr/bin/python3 bench/load/bench_load.py"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
import load_util as lu  # noqa: E402
import test_load  # noqa: E402

N = int(os.environ.get("BENCH_CONNECTIONS", "1000"))


def timed(name, d, fn):
    admin = lu.Admin(d.port)
    t0 = time.monotonic()
    fn()
    took = time.monotonic() - t0
    times, errors = admin.stop()
    print(f"{name:<34} {took:6.2f} s  admin: {lu.latency_text(times)}"
          f"{'  ERRORS ' + str(errors[:2]) if errors else ''}")


def main():
    lu.raise_nofile(N + 256)
    test_load.N = N
    d = test_load.daemon()
    try:
        d.start()
        pid = d.proc.pid
        lu.snmp_answers(d.snmp_port)
        rss0, fd0 = lu.rss_kb(pid), lu.fd_count(pid)
        print(f"convergd {d.proc.pid}: RSS {rss0} kB, {fd0} descriptors")
        timed(f"console: {N} connections", d,
              lambda: test_load.console_flood(d))
        timed(f"web: {N} connections", d, lambda: test_load.web_flood(d))
        timed("snmp 5000 + discovery 3000", d,
              lambda: test_load.udp_floods(d))
        fd1 = lu.settle_fds(pid, fd0 + test_load.SLACK)
        print(f"after: RSS {lu.rss_kb(pid)} kB (+{lu.rss_kb(pid) - rss0}), "
              f"{fd1} descriptors")
        d.stop()
    finally:
        d.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
