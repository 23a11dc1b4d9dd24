# SPDX-License-Identifier: MIT
"""A console gain set wakes no thread but the console's (issue 18: a set
cost 8x a query because every service subscribed to changes was woken
for it). The daemon is test_load's: console, web, SNMP and discovery on
127.0.0.1, the other services with their defaults; over 1000 sets at one session, the voluntary
context switches of each thread are counted from /proc: only one thread
(the console) may switch about once per set; before, five did. Counted,
not timed."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console  # noqa: E402
import test_load  # noqa: E402

SETS = 1000
results = Checks()
check = results.check


def switches(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                out[tid] = next(int(x.split()[1]) for x in f
                                if x.startswith("voluntary_ctxt_switches"))
        except (OSError, StopIteration):
            pass
    return out


def wakeups(d):
    """Each thread's voluntary context switches over SETS gain sets."""
    con = Console(d.port)
    con.command("#H0 GAIN 1 M -10 A")
    before = switches(d.proc.pid)
    replies = [con.command(f"#H0 GAIN 1 M {-(n % 20)} A")
               for n in range(SETS)]
    after = switches(d.proc.pid)
    con.close()
    check("every set answered",
          all(r.startswith("OK> #H0 GAIN 1 M") for r in replies))
    return sorted((after[t] - before.get(t, 0) for t in after),
                  reverse=True)


def main():
    d = test_load.daemon()
    try:
        d.start()
        grew = wakeups(d)
        stopped = d.stop()
    finally:
        d.cleanup()
    print(f"# context switches per thread over {SETS} sets: {grew}")
    # the console may switch once a set (or not at all when it is still
    # busy as the next one comes); every other thread only wakes on its
    # own timers
    check("no thread but one was woken for them (< 300 switches each)",
          all(g < 300 for g in grew[1:]), grew[:6])
    check("SIGTERM exits 0", stopped == 0)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
