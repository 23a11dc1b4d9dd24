# SPDX-License-Identifier: MIT
"""A console gain set wakes no thread but the console's (issue 18: a set
cost 8x a query because every service subscribed to changes was woken
for it). The daemon runs every service on 127.0.0.1 (web, SNMP, NetBIOS,
NTP, mail, discovery); over 1000 sets at one session, the voluntary
context switches of each thread are counted from /proc: only one thread
(the console) may switch about once per set; before, five did. Counted,
not timed."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console, Daemon, free_port  # noqa: E402

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


def main():
    d = Daemon(extra=f"""[snmp]
enabled = yes
bind = 127.0.0.1
port = {free_port()}
[netbios]
enabled = yes
bind = 127.0.0.1
port = {free_port()}
[discovery]
enabled = yes
bind = 127.0.0.1
port = {free_port()}
[ntp]
enabled = yes
set_clock = no
""")
    web = free_port()
    with open(d.config) as f:
        conf = f.read()
    with open(d.config, "w") as f:
        f.write(conf.replace("[web]\nenabled = no", "[web]\nenabled = yes\n"
                             f"bind = 127.0.0.1\nport = {web}"))
    try:
        d.start()
        con = Console(d.port)
        con.command("#H0 GAIN 1 M -10 A")
        before = switches(d.proc.pid)
        for n in range(SETS):
            reply = con.command(f"#H0 GAIN 1 M {-(n % 20)} A")
            if not reply.startswith("OK> #H0 GAIN 1 M"):
                check("every set answered", False, reply)
                break
        after = switches(d.proc.pid)
        grew = sorted((after[t] - before.get(t, 0) for t in after),
                      reverse=True)
        print(f"# context switches per thread over {SETS} sets: {grew}")
        # the console may switch once a set (or not at all when it is
        # still busy as the next one comes); every other thread only
        # wakes on its own timers
        check("no thread but one was woken for them (< 300 switches each)",
              all(g < 300 for g in grew[1:]), grew[:6])
        con.close()
        check("SIGTERM exits 0", d.stop() == 0, d.log()[-1500:])
    finally:
        d.cleanup()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
