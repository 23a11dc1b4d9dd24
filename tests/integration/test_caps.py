# SPDX-License-Identifier: MIT
"""Capabilities only for the enabled services: convergd started as the
packaged unit starts it (an unprivileged user holding CAP_NET_BIND_SERVICE,
CAP_SYS_TIME, CAP_NET_ADMIN and CAP_NET_RAW as ambient capabilities) keeps
only what its enabled services need: the ntp service's CAP_SYS_TIME while
it is enabled, nothing for ports above 1023 or for services turned off."""
import os
import pwd
import sys

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Daemon  # noqa: E402

CAPS = "+net_bind_service,+sys_time,+net_admin,+net_raw"
SYS_TIME = 1 << 25


def status_caps(pid):
    caps = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Cap"):
                name, value = line.split(":")
                caps[name] = int(value, 16)
    return caps


def run(c, what, extra, want):
    d = Daemon(extra=extra)
    try:
        nobody = pwd.getpwnam("nobody")
        os.chown(d.dir, nobody.pw_uid, nobody.pw_gid)
        d.prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup",
                    "--clear-groups", f"--inh-caps={CAPS}",
                    f"--ambient-caps={CAPS}",
                    f"--bounding-set=-all,{CAPS}", "--no-new-privs", "--"]
        d.start()
        caps = status_caps(d.proc.pid)
        c.check(f"{what}: effective set", caps["CapEff"] == want,
                hex(caps["CapEff"]))
        c.check(f"{what}: permitted and ambient sets",
                caps["CapPrm"] == want and caps["CapAmb"] == want,
                f'{caps["CapPrm"]:#x} {caps["CapAmb"]:#x}')
        c.check(f"{what}: stops cleanly", d.stop() == 0, d.log())
    finally:
        d.cleanup()


def main():
    c = Checks()
    run(c, "ntp on, dhcp off, high ports",
        "[ntp]\nenabled = yes\nset_clock = no\n[dhcp]\nenabled = no\n",
        SYS_TIME)
    run(c, "ntp and dhcp off, high ports",
        "[ntp]\nenabled = no\n[dhcp]\nenabled = no\n", 0)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
