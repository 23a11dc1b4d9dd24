# SPDX-License-Identifier: MIT
"""The netbios service against Samba (peers.md §4): convergd on port 137
in namespace <p>dut (10.77.0.2), nmblookup and nmbd in <p>srv (10.77.0.1),
joined by a veth pair made here and removed on exit. B-node: broadcast
and unicast queries, node status (-A, -S), a conflicting claim defended,
hostile packets dropped and counted. P-node: nmbd as WINS server; the
registration is in its database, resolves through WINS, is defended
against another node (the unit answers the challenge), is refreshed
before the TTL ends, a name the server refuses is reported, and the name
follows a new interface address, and is released on stop. Settings
change at run time through the web API. [network] interface: with a
second veth pair (10.77.1.0/24) the name is claimed and answered at the
configured interface's address with its MAC, not at the first one up,
and a SIGHUP naming the other interface moves it there."""
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

PREFIX = f"nb{os.getpid() % 100000}"
SRV, DUT = PREFIX + "srv", PREFIX + "dut"
WEB_PORT = 8080
UID = "5EED0A01"
DEFAULT_NAME = "880TA-ED0A01"	# model and the UID's last 6 digits
WINS_TTL = 10			# nmbd clamps our TTL to this


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True,
                          check=check, timeout=30)


def in_ns(ns, *args, timeout=30):
    r = subprocess.run(["ip", "netns", "exec", ns, *args],
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def wait_for(what, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = what()
        if v:
            return v
        time.sleep(0.1)
    return what()


def api_main(argv):
    """Run inside <p>dut: log in to the web API, one call, print JSON."""
    from web_harness import Client
    method, path = argv[0], argv[1]
    c = Client(WEB_PORT)
    st, _, _ = c.login("clearone", "converge")
    if st != 200:
        sys.exit(f"login: {st}")
    st, body, _ = c.call(method, path, json.loads(argv[2])
                         if len(argv) > 2 else None)
    print(json.dumps({"status": st, "body": body}))


def encode(name, suffix, pad=b" "):
    raw = name.encode().ljust(15, pad)[:15] + bytes([suffix])
    return bytes([32]) + bytes(b for x in raw for b in
                               (0x41 + (x >> 4), 0x41 + (x & 15))) + b"\0"


def probe_main(argv):
    """Run inside <p>srv: send one datagram, print the answer's flags."""
    kind, dst = argv[0], argv[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.settimeout(3)
    xid = random.getrandbits(16)
    me = argv[3] if len(argv) > 3 else "10.77.0.1"
    if kind in ("claim", "register"):	# registration of argv[2]<00>
        flags = 0x2910 if kind == "claim" else 0x2900
        pkt = (struct.pack("!HHHHHH", xid, flags, 1, 0, 0, 1) +
               encode(argv[2], 0) + b"\0\x20\0\x01" + b"\xc0\x0c" +
               struct.pack("!HHIHH4s", 0x20, 1, 300, 6, 0,
                           socket.inet_aton(me)))
        s.bind((me, 0))
    else:
        pkt = bytes.fromhex(argv[2])
    s.sendto(pkt, (dst, 137))
    while True:
        try:
            d, src = s.recvfrom(1024)
        except socket.timeout:
            print("no answer")
            return
        if (struct.unpack("!H", d[2:4])[0] >> 11) & 15 != 7:
            break
        s.settimeout(15)	# WACK: the server challenges the owner
    flags = struct.unpack("!H", d[2:4])[0]
    print(f"from {src[0]} xid_ok={d[:2] == pkt[:2]} flags=0x{flags:04x} "
          f"rcode={flags & 15}")


class Lab:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="convergd-nb-")
        self.procs = []
        for ns in (SRV, DUT):
            sh("ip", "netns", "del", ns, check=False)
            sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", "veth-srv", "netns", SRV, "type", "veth",
           "peer", "name", "veth-dut", "netns", DUT)
        for ns, dev, a in ((SRV, "veth-srv", "10.77.0.1/24"),
                           (DUT, "veth-dut", "10.77.0.2/24")):
            sh("ip", "-n", ns, "addr", "add", a, "brd", "+", "dev", dev)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", dev, "up")
        with open(os.path.join(self.dir, "client.conf"), "w") as f:
            f.write("[global]\n")
        self.nmbd = None
        self.unit = None

    def start(self, ns, name, *argv):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        # ip netns exec execs the daemon: the PID is the daemon's own
        p = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdout=log,
                             stderr=subprocess.STDOUT)
        log.close()
        self.procs.append(p)
        return p

    def log(self, name):
        with open(os.path.join(self.dir, name + ".log"),
                  errors="replace") as f:
            return f.read()

    def start_unit(self, name="unit", extra=""):
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        self.write_conf(d, extra)
        self.unit = self.start(DUT, name, os.environ["CONVERGD"], "-f",
                               "-c", os.path.join(d, "convergd.conf"))

    def write_conf(self, d, extra=""):
        with open(os.path.join(d, "convergd.conf"), "w") as f:
            f.write(f"""[unit]
model = 880TA
uid = {UID}
state_file = {d}/state.json
spool_dir = {d}/spool
[engine]
simulate_meters = no
[console]
enabled = no
[web]
bind = 127.0.0.1
port = {WEB_PORT}
[netbios]
enabled = yes
port = 137
{extra}""")

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)

    def start_wins(self):
        d = os.path.join(self.dir, "nmb")
        for sub in ("lock", "state", "cache", "private", "pid", "log",
                    "ncalrpc", "sock"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        conf = os.path.join(d, "smb.conf")
        with open(conf, "w") as f:
            f.write(f"""[global]
   netbios name = WINSSRV
   workgroup = TESTGRP
   server role = standalone server
   wins support = yes
   min wins ttl = {WINS_TTL}
   max wins ttl = {WINS_TTL}
   dns proxy = no
   interfaces = 127.0.0.1 10.77.0.1/24
   bind interfaces only = yes
   local master = no
   preferred master = no
   domain master = no
   lock directory = {d}/lock
   state directory = {d}/state
   cache directory = {d}/cache
   private dir = {d}/private
   pid directory = {d}/pid
   ncalrpc dir = {d}/ncalrpc
   log file = {d}/log/log.%m
   nmbd:socket dir = {d}/sock
""")
        self.nmbd = self.start(SRV, "nmbd", "nmbd", "-F", "--debug-stdout",
                               "--no-process-group", "-l", d + "/log",
                               "--configfile=" + conf)
        return wait_for(lambda: "10.77.0.1 WINSSRV<00>" in self.nmblookup(
            "-U", "10.77.0.1", "--recursion", "WINSSRV"))

    def wins_dat(self):
        with open(os.path.join(self.dir, "nmb", "state", "wins.dat")) as f:
            return f.read()

    def nmblookup(self, *args):
        return in_ns(SRV, "nmblookup", "-s",
                     os.path.join(self.dir, "client.conf"), *args)[1]

    def api(self, method, path, body=None):
        argv = [sys.executable, os.path.abspath(__file__), "--api", method,
                path] + ([json.dumps(body)] if body is not None else [])
        rc, out = in_ns(DUT, *argv)
        try:
            return json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"status": 0, "body": out}

    def detail(self):
        r = self.api("GET", "/status")
        rows = (r.get("body") or {}).get("services", [])
        row = next((x for x in rows if x.get("name") == "netbios"), {})
        return row.get("detail") or {}

    def probe(self, *args):
        return in_ns(SRV, sys.executable, os.path.abspath(__file__),
                     "--probe", *args)[1]

    def cleanup(self):
        for p in self.procs:
            self.stop(p)
        for ns in (SRV, DUT):
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def bnode(c, lab):
    name = DEFAULT_NAME
    c.check("B-node claims its default name by broadcast",
            wait_for(lambda: f"claimed {name}<00> by broadcast" in
                     lab.log("unit")), lab.log("unit")[-2000:])
    out = lab.nmblookup("-B", "10.77.0.255", name)
    c.check("broadcast nmblookup resolves the unit",
            f"10.77.0.2 {name}<00>" in out, out)
    out = lab.nmblookup("-U", "10.77.0.2", name + "#20")
    c.check("unicast nmblookup resolves NAME<20>",
            f"10.77.0.2 {name}<20>" in out, out)
    out = lab.nmblookup("-U", "10.77.0.2", "NOT-THE-UNIT")
    c.check("a name it does not hold is refused",
            "name_query failed to find name NOT-THE-UNIT" in out, out)
    out = lab.nmblookup("-A", "10.77.0.2")
    c.check("node status (-A) lists NAME<00>, NAME<20> and the MAC",
            re.search(rf"{name}\s+<00> -\s+B <ACTIVE>", out) and
            re.search(rf"{name}\s+<20> -\s+B <ACTIVE>", out) and
            "MAC Address = 02-00-5E-ED-0A-01" in out, out)
    out = lab.nmblookup("-S", "-U", "10.77.0.2", name)
    c.check("query then node status (-S)",
            f"10.77.0.2 {name}<00>" in out and
            re.search(rf"{name}\s+<20>", out), out)
    out = lab.probe("claim", "10.77.0.255", name)
    c.check("a conflicting broadcast claim is refused (rcode 6)",
            "from 10.77.0.2 xid_ok=True flags=0xad06 rcode=6" in out, out)
    c.check("the conflict is reported as an event",
            wait_for(lambda: f"event: name conflict: 10.77.0.1 claimed "
                     f"{name}<00>; defended" in lab.log("unit")),
            lab.log("unit")[-1500:])
    out = lab.nmblookup("-B", "10.77.0.255", name)
    c.check("the defended name still resolves",
            f"10.77.0.2 {name}<00>" in out, out)


def hostile(c, lab):
    hdr = "00010000"
    dut = encode(DEFAULT_NAME, 0).hex()
    bad = {
        # header says 0xffff questions and records
        "huge counts": hdr + "ffffffffffffffff",
        # a record whose RDLENGTH runs past the datagram
        "lying length": "00018000000000010000000020" +
                        dut[2:] + "002000010000000000ff6000",
        # a name ending in a pointer to itself
        "pointer loop": hdr + "000100000000" + "c00c00200001",
    }
    for what, hexpkt in bad.items():
        out = lab.probe("raw", "10.77.0.2", hexpkt)
        c.check(f"hostile packet ({what}) gets no answer",
                "no answer" in out, out)
    d = lab.detail()
    c.check("the 3 hostile packets are counted as malformed",
            d.get("malformed") == 3, d)
    out = lab.nmblookup("-U", "10.77.0.2", DEFAULT_NAME)
    c.check("still answering afterwards",
            f"10.77.0.2 {DEFAULT_NAME}<00>" in out, out)


def pnode(c, lab):
    c.check("nmbd WINS server ready", lab.start_wins(), lab.log("nmbd"))
    r = lab.api("PUT", "/settings", {"names.wins": "10.77.0.1",
                                     "names.netbios": "CVUNIT"})
    c.check("names.wins and names.netbios set through the web API",
            r.get("status") == 200, r)
    out = wait_for(lambda: "10.77.0.2 CVUNIT<00>" in lab.nmblookup(
        "-U", "10.77.0.1", "--recursion", "CVUNIT") and "ok")
    c.check("nmblookup -U wins --recursion resolves the unit", out,
            lab.log("unit")[-1500:])
    d = wait_for(lambda: (lambda x: x if x.get("registered") else None)(
        lab.detail()))
    c.check("web status: registered P-node, server, granted TTL",
            d and d.get("mode") == "P-node" and
            d.get("server") == "10.77.0.1" and d.get("ttl") == WINS_TTL and
            d.get("name") == "CVUNIT", d)
    c.check("the old name was released when the name changed",
            f"released {DEFAULT_NAME}<00>" in lab.log("unit"),
            lab.log("unit")[-1500:])
    d = wait_for(lambda: (lambda x: x if x.get("refreshes", 0) >= 2 else
                          None)(lab.detail()), timeout=3 * WINS_TTL)
    c.check("refreshed before the TTL ran out (at half of it)", d,
            lab.detail())
    out = lab.nmblookup("-U", "10.77.0.1", "--recursion", "CVUNIT")
    c.check("still registered after more than one TTL",
            "10.77.0.2 CVUNIT<00>" in out, out)
    # another node asks the WINS server for the unit's name: the server
    # challenges the unit (a unicast query), the unit answers, refused
    sh("ip", "-n", SRV, "addr", "add", "10.77.0.9/24", "dev", "veth-srv")
    out = lab.probe("register", "10.77.0.1", "CVUNIT", "10.77.0.9")
    c.check("another node's WINS registration of the name is refused "
            "(the unit answers the challenge)", "rcode=6" in out, out)
    out = lab.nmblookup("-U", "10.77.0.1", "--recursion", "CVUNIT")
    c.check("WINS still maps the name to the unit",
            "10.77.0.2 CVUNIT<00>" in out, out)
    lab.stop(lab.nmbd)
    dat = lab.wins_dat()
    c.check("the registration is in nmbd's wins.dat",
            re.search(r'"CVUNIT#00" \d+ 10\.77\.0\.2 ', dat) and
            re.search(r'"CVUNIT#20" \d+ 10\.77\.0\.2 ', dat), dat)
    c.check("nmbd WINS server back up", lab.start_wins(), lab.log("nmbd"))
    # WINSSRV is the server's own name: it refuses (RFS_ERR) to give it away
    r = lab.api("PUT", "/settings", {"names.netbios": "WINSSRV"})
    c.check("a name the WINS server holds: refusal reported as an event",
            wait_for(lambda: "event: name conflict: WINSSRV<00> refused by "
                     "10.77.0.1 (rcode 5, refused)" in lab.log("unit")),
            lab.log("unit")[-1500:])
    d = lab.detail()
    c.check("web status: conflict counted", d.get("state") == "conflict"
            and d.get("conflicts", 0) >= 1, d)
    lab.api("PUT", "/settings", {"names.netbios": "CVUNIT2"})
    out = wait_for(lambda: "10.77.0.2 CVUNIT2<00>" in lab.nmblookup(
        "-U", "10.77.0.1", "--recursion", "CVUNIT2") and "ok")
    c.check("renamed: the new name resolves through WINS", out,
            lab.log("unit")[-1500:])
    # a new address (as DHCP would give): released and registered again
    sh("ip", "-n", DUT, "addr", "del", "10.77.0.2/24", "dev", "veth-dut")
    sh("ip", "-n", DUT, "addr", "add", "10.77.0.3/24", "brd", "+", "dev",
       "veth-dut")
    out = wait_for(lambda: "10.77.0.3 CVUNIT2<00>" in lab.nmblookup(
        "-U", "10.77.0.1", "--recursion", "CVUNIT2") and "ok")
    c.check("a new interface address is registered with WINS", out,
            lab.log("unit")[-1500:])
    lab.stop(lab.unit)
    c.check("convergd stopped cleanly", lab.unit.returncode == 0,
            lab.unit.returncode)
    out = lab.nmblookup("-U", "10.77.0.1", "--recursion", "CVUNIT2")
    c.check("released on stop: WINS no longer resolves it",
            "name_query failed to find name CVUNIT2" in out, out)


def mac_of(ns, dev):
    """The interface's MAC as nmblookup prints it (02-00-5E-...)."""
    out = sh("ip", "-n", ns, "-br", "link", "show", dev).stdout.split()
    return out[2].upper().replace(":", "-")


def interface(c, lab):
    """[network] interface names the unit's interface: not the first up."""
    name = DEFAULT_NAME
    sh("ip", "-n", DUT, "addr", "flush", "dev", "veth-dut")
    sh("ip", "-n", DUT, "addr", "add", "10.77.0.2/24", "brd", "+", "dev",
       "veth-dut")
    sh("ip", "link", "add", "veth-srv2", "netns", SRV, "type", "veth",
       "peer", "name", "veth-dut2", "netns", DUT)
    for ns, dev, a in ((SRV, "veth-srv2", "10.77.1.1/24"),
                       (DUT, "veth-dut2", "10.77.1.2/24")):
        sh("ip", "-n", ns, "addr", "add", a, "brd", "+", "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
    # the dhcp service would run on the interface too: not this test's
    net = "[dhcp]\nenabled = no\n[network]\ninterface = %s\n"
    lab.start_unit("unit2", net % "veth-dut2")
    claimed = f"claimed {name}<00> by broadcast"
    c.check("[network] interface: the name is claimed",
            wait_for(lambda: claimed in lab.log("unit2")),
            lab.log("unit2")[-1500:])
    out = lab.nmblookup("-B", "10.77.1.255", name)
    c.check("it answers with the configured interface's address "
            "(veth-dut2, not veth-dut, the first one up)",
            f"10.77.1.2 {name}<00>" in out, out)
    out = lab.nmblookup("-A", "10.77.1.2")
    c.check("node status gives the configured interface's MAC",
            f"MAC Address = {mac_of(DUT, 'veth-dut2')}" in out, out)
    lab.write_conf(os.path.join(lab.dir, "unit2"), net % "veth-dut")
    lab.unit.send_signal(signal.SIGHUP)
    c.check("SIGHUP with another interface: the name is claimed again",
            wait_for(lambda: lab.log("unit2").count(claimed) >= 2),
            lab.log("unit2")[-1500:])
    out = lab.nmblookup("-B", "10.77.0.255", name)
    c.check("and answered at the new interface's address",
            f"10.77.0.2 {name}<00>" in out, out)
    out = lab.nmblookup("-A", "10.77.0.2")
    c.check("with the new interface's MAC",
            f"MAC Address = {mac_of(DUT, 'veth-dut')}" in out, out)
    lab.stop(lab.unit)
    c.check("convergd stopped cleanly", lab.unit.returncode == 0,
            lab.unit.returncode)


def main():
    from convergd_test import Checks
    c = Checks()
    lab = Lab()
    try:
        lab.start_unit()
        c.check("web API up in the unit's namespace",
                wait_for(lambda: lab.api("GET", "/status").get("status") ==
                         200), lab.log("unit")[-1500:])
        bnode(c, lab)
        hostile(c, lab)
        pnode(c, lab)
        interface(c, lab)
    finally:
        lab.cleanup()
    return c.finish()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--api":
        api_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--probe":
        probe_main(sys.argv[2:])
    else:
        sys.exit(main())
