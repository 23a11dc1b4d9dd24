# SPDX-License-Identifier: MIT
"""Discovery between network namespaces on one bridge (peers.md §1): N
units (convergd, each in its own namespace, DISCOVERY_UNITS, default 50)
and one unit on the wrong subnet; converge-console in another namespace
broadcasts and finds every unit exactly once with the right fields,
moves the wrong-subnet unit with set-address, and a wrong password
changes nothing and is counted. One more unit has a second interface
(eth1, to host pc2 on 10.77.2.0/24) and `[network] interface = eth0`:
it answers with eth0's MAC and ignores requests arriving on eth1. The
namespaces, veths and bridge are made here and removed on exit; traffic
stays inside them (10.77.0.0/16)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402

CONVERGD = os.environ["CONVERGD"]
CC = os.environ["CONVERGE_CONSOLE"]
PREFIX = f"cvd{os.getpid() % 100000}"
CONSOLE_PORT = 2323


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True,
                          check=check, timeout=30)


class Lab:
    """A bridge in namespace <prefix>sw and hosts attached to it."""

    def __init__(self):
        self.sw = PREFIX + "sw"
        self.hosts = []
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="convergd-disc-")
        sh("ip", "netns", "add", self.sw)
        sh("ip", "-n", self.sw, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.sw, "link", "set", "br0", "up")

    def host(self, name, cidr):
        ns = PREFIX + name
        sh("ip", "netns", "add", ns)
        self.hosts.append(ns)
        # both ends made inside namespaces: nothing in the host's
        sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer",
           "name", "p-" + name, "netns", self.sw)
        sh("ip", "-n", self.sw, "link", "set", "p-" + name, "master", "br0")
        sh("ip", "-n", self.sw, "link", "set", "p-" + name, "up")
        sh("ip", "-n", ns, "addr", "add", cidr, "brd", "+", "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        return ns

    def unit(self, name, cidr, uid, extra=""):
        ns = self.host(name, cidr)
        d = os.path.join(self.dir, name)
        os.makedirs(d)
        conf = os.path.join(d, "convergd.conf")
        with open(conf, "w") as f:
            f.write(f"""[unit]
model = 880TA
device_id = 1
uid = {uid}
label = unit {name}
state_file = {d}/state.json
spool_dir = {d}/spool
[log]
level = info
target = stderr
[engine]
simulate_meters = no
[console]
port = {CONSOLE_PORT}
[web]
enabled = no
[discovery]
enabled = yes
port = 3487
{extra}""")
        log = open(os.path.join(d, "log"), "w")
        # ip netns exec execs the daemon: the PID is convergd's own
        p = subprocess.Popen(["ip", "netns", "exec", ns, CONVERGD, "-f",
                              "-c", conf], stdout=log,
                             stderr=subprocess.STDOUT)
        log.close()
        self.procs.append((p, os.path.join(d, "log")))
        return ns

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        for p, log in self.procs:
            while time.monotonic() < deadline:
                with open(log) as f:
                    if "discovery is running" in f.read():
                        break
                if p.poll() is not None:
                    return False
                time.sleep(0.05)
            else:
                return False
        return True

    def cleanup(self):
        for p, _ in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p, _ in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        for ns in self.hosts + [self.sw]:
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def in_ns(ns, *args):
    r = subprocess.run(["ip", "netns", "exec", ns, *args],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def discover(ns, *args):
    rc, out, err = in_ns(ns, CC, "discover", "--json", "--timeout", "1500",
                         *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, [], out + err


def finds_every_unit(c, lab, pc, n):
    rc, units, err = discover(pc)
    uids = [u["uid"] for u in units]
    want = {f"5EED{i:04X}" for i in range(n)} | {"0BADBEEF", MULTI_UID}
    c.check(f"broadcast discover finds all {n + 1} units", set(uids) ==
            want, (rc, sorted(want - set(uids)), err))
    c.check("each unit exactly once", len(uids) == len(set(uids)), uids)
    first = next((u for u in units if u["uid"] == "5EED0000"), {})
    want = {"model": "880TA", "device_type": "H", "device_id": 1,
            "label": "unit u0", "address": "10.77.0.10",
            "netmask": "255.255.255.0", "dhcp": True,
            "console_port": CONSOLE_PORT, "web_port": 0,
            "mac": "02:00:5e:ed:00:00", "from": "10.77.0.10:3487"}
    bad = {k: (first.get(k), v) for k, v in want.items()
           if first.get(k) != v}
    c.check("a unit's fields are right", not bad, bad)
    wrong = next((u for u in units if u["uid"] == "0BADBEEF"), {})
    c.check("the wrong-subnet unit answered by broadcast",
            wrong.get("address") == "10.77.1.20" and
            wrong.get("from") == "10.77.1.20:3487", wrong)


MULTI_UID = "00CAFE01"


def multi_homed_unit(lab):
    """A unit on the bridge (eth0, its [network] interface) and on a
    second network (eth1) shared with host pc2."""
    # the dhcp service would run on eth0 too: not this test's
    mns = lab.unit("m", "10.77.0.200/24", MULTI_UID,
                   "[dhcp]\nenabled = no\n[network]\ninterface = eth0\n")
    pc2 = PREFIX + "pc2"
    sh("ip", "netns", "add", pc2)
    lab.hosts.append(pc2)
    sh("ip", "link", "add", "eth1", "netns", mns, "type", "veth", "peer",
       "name", "eth0", "netns", pc2)
    for ns, dev, a in ((mns, "eth1", "10.77.2.2/24"),
                       (pc2, "eth0", "10.77.2.1/24")):
        sh("ip", "-n", ns, "addr", "add", a, "brd", "+", "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
    sh("ip", "-n", pc2, "link", "set", "lo", "up")
    return mns, pc2


def mac_of(ns, dev):
    return sh("ip", "-n", ns, "-br", "link", "show", dev).stdout.split()[2]


def unit_interface(c, pc, mns, pc2):
    rc, units, err = discover(pc)
    u = next((u for u in units if u["uid"] == MULTI_UID), {})
    want = {"address": "10.77.0.200", "netmask": "255.255.255.0",
            "mac": mac_of(mns, "eth0"), "from": "10.77.0.200:3487"}
    bad = {k: (u.get(k), v) for k, v in want.items() if u.get(k) != v}
    c.check("[network] interface = eth0: the reply carries eth0's "
            "address and MAC", not bad, (bad, err))
    rc, units, err = discover(pc2)
    c.check("a request arriving on eth1 (not the unit's interface) gets "
            "no answer", rc == 3 and units == [], (rc, units, err))


def moves_wrong_subnet_unit(c, lab, pc, wns):
    rc, out, _ = in_ns(pc, CC, "-p", "wrong", "set-address", "0BADBEEF",
                       "10.77.0.250", "255.255.255.0", "10.77.0.1")
    c.check("wrong password: refused", rc == 1 and "refused" in out, out)
    rc, units, _ = discover(pc, "--counters", "eth0")
    u = next((u for u in units if u["uid"] == "0BADBEEF"), {})
    c.check("the refused request changed nothing and was counted",
            u.get("address") == "10.77.1.20" and
            u.get("counters", {}).get("auth_failed") == 1, u)
    rc, out, err = in_ns(pc, CC, "set-address", "0BADBEEF", "10.77.0.250",
                         "255.255.255.0", "10.77.0.1")
    c.check("set-address across subnets by broadcast: done",
            rc == 0 and out.strip() == "0BADBEEF: done", (out, err))
    rc, units, _ = discover(pc, "eth0")
    u = next((u for u in units if u["uid"] == "0BADBEEF"), {})
    c.check("the unit now reports 10.77.0.250/24 static via 10.77.0.1",
            (u.get("address"), u.get("netmask"), u.get("gateway"),
             u.get("dhcp")) == ("10.77.0.250", "255.255.255.0", "10.77.0.1",
                                False), u)
    # The interface itself is the network layer's (DHCP/static issue):
    # the test plays that part with the settings the unit now holds.
    sh("ip", "-n", wns, "addr", "flush", "dev", "eth0")
    sh("ip", "-n", wns, "addr", "add", "10.77.0.250/24", "brd", "+", "dev",
       "eth0")
    rc, out, err = in_ns(pc, CC, "-t", "5", "send",
                         f"10.77.0.250:{CONSOLE_PORT}", "#H1 ENETADDR")
    c.check("reachable on its console port at the new address",
            rc == 0 and "ENETADDR 10.77.0.250" in out, (rc, out, err))


def main():
    n = int(os.environ.get("DISCOVERY_UNITS", "50"))
    c = Checks()
    lab = Lab()
    try:
        pc = lab.host("pc", "10.77.0.1/24")
        for i in range(n):
            lab.unit(f"u{i}", f"10.77.0.{10 + i}/24", f"5EED{i:04X}")
        wns = lab.unit("w", "10.77.1.20/24", "0BADBEEF")
        mns, pc2 = multi_homed_unit(lab)
        c.check("every unit started", lab.wait_ready(), "")
        finds_every_unit(c, lab, pc, n)
        unit_interface(c, pc, mns, pc2)
        moves_wrong_subnet_unit(c, lab, pc, wns)
    finally:
        lab.cleanup()
    left = sh("ip", "netns", "list").stdout
    c.check("no namespace left behind", PREFIX not in left, left)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
