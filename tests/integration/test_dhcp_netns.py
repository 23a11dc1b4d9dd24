# SPDX-License-Identifier: MIT
"""The dhcp service against dnsmasq (peers.md §2), every host in its own
network namespace on one bridge: convergd in `dut`, dnsmasq in `srv`, a
hand-written server or sender in others. Covers lease (packets checked
with tshark against RFC 2131), renew at T1, INIT-REBOOT after a restart,
NAK -> INIT, lease expiry, an address conflict -> DECLINE, static mode
switched at run time, and bad input ignored and counted. Namespaces,
veths and the bridge are made here and removed on exit; the host's own
interfaces are never touched (traffic stays in 10.77.0.0/24)."""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from convergd_test import Checks  # noqa: E402
# its lab is ours; the console tool it names is not needed here
os.environ.setdefault("CONVERGE_CONSOLE", "converge-console")
from test_discovery_netns import Lab as DiscoveryLab, sh  # noqa: E402

CONVERGD = os.environ["CONVERGD"]
WEB_PORT = 8080


def wait_for(cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    return cond()


class Lab(DiscoveryLab):
    """The discovery test's bridge lab, plus hosts left down and any
    program started in a namespace (its log in the lab's folder)."""

    def host(self, name, cidr=None, up=True):
        ns = super().host(name, cidr or "192.0.2.1/32")  # then flushed
        if not cidr:
            sh("ip", "-n", ns, "addr", "flush", "dev", "eth0")
        if not up:
            sh("ip", "-n", ns, "link", "set", "eth0", "down")
        return ns

    def start(self, name, argv, ns):
        log = os.path.join(self.dir, name + ".log")
        with open(log, "w") as f:
            # ip netns exec execs the program: the PID is its own
            p = subprocess.Popen(["ip", "netns", "exec", ns, *argv],
                                 stdout=f, stderr=subprocess.STDOUT)
        self.procs.append((p, log))
        return p, log

    def stop(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            p.send_signal(sig)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)

    def dump_logs(self, c):
        """On failure and DHCP_TEST_LOGS=1: the tail of every log."""
        if not c.failed or not os.environ.get("DHCP_TEST_LOGS"):
            return
        for name in os.listdir(self.dir):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name)) as f:
                    print(f"--- {name}\n{f.read()[-3000:]}")


def dnsmasq(lab, ns, extra="", routers="10.77.0.1"):
    conf = os.path.join(lab.dir, ns + "-dnsmasq.conf")
    with open(conf, "w") as f:
        f.write(f"""port=0
interface=eth0
bind-interfaces
dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,2m
dhcp-option=option:router,{routers}
dhcp-option=option:dns-server,10.77.0.53
dhcp-option=option:domain-name,ex.test
dhcp-leasefile={lab.dir}/{ns}.leases
no-ping
log-dhcp
log-facility=-
{extra}
""")
    p, log = lab.start(ns + "-dnsmasq", ["dnsmasq", "--keep-in-foreground",
                                         "--conf-file=" + conf,
                                         "--pid-file=" + conf + ".pid"], ns)
    wait_for(lambda: ":67 " in sh("ip", "netns", "exec", ns, "ss",
                                  "-lun").stdout, 5)
    return p, log


def convergd(lab, dut, extra="", console=None):
    """convergd in `dut`; `console`: a Telnet port on its own 127.0.0.1."""
    d = os.path.join(lab.dir, "unit")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "convergd.conf")
    with open(conf, "w") as f:
        f.write(f"""[unit]
model = 880TA
state_file = {d}/state.json
spool_dir = {d}/spool
[log]
level = debug
target = stderr
[network]
interface = eth0
resolv_conf = {d}/resolv.conf
[engine]
simulate_meters = no
[console]
{f"bind = 127.0.0.1{chr(10)}port = {console}" if console else "enabled = no"}
[web]
bind = 127.0.0.1
port = {WEB_PORT}
[discovery]
enabled = yes
port = 3487
[dhcp]
lease_file = {d}/dhcp.lease
decline_wait = 1
start_delay_ms = 0
{extra if "probe_ms" in extra else extra + chr(10) + "probe_ms = 300"}
""")
    return lab.start("convergd", [CONVERGD, "-f", "-c", conf], dut)


def addrs(ns):
    out = sh("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0")
    return [line.split()[3] for line in out.stdout.splitlines()]


def lease_addr(ns):
    a = [x for x in addrs(ns) if x.startswith("10.77.0.1")]
    return a[0] if a else None


def log_has(log, text):
    with open(log) as f:
        return text in f.read()


WEB = """
import json, sys
sys.path.insert(0, %r)
from web_harness import Client
c = Client(%d)
c.login("clearone", "converge")
if len(sys.argv) > 1:
    print(json.dumps(c.call("PUT", "/settings", json.loads(sys.argv[1]))[:2]))
else:
    print(json.dumps(c.call("GET", "/status")[1]))
"""


def web(ns, settings=None):
    args = ["ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
            WEB % (HERE, WEB_PORT)]
    if settings:
        args.append(json.dumps(settings))
    r = subprocess.run(args, capture_output=True, text=True, timeout=30)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": r.stdout + r.stderr}


def tshark_fields(pcap, *fields):
    args = ["tshark", "-r", pcap, "-Y", "dhcp", "-T", "fields",
            "-E", "separator=|"]
    for f in fields:
        args += ["-e", f]
    out = sh(*args).stdout
    return [line.split("|") for line in out.splitlines()]


def check_first_lease(c, lab, srv, dut, log, pcap):
    got = wait_for(lambda: lease_addr(dut), 15)
    c.check("a lease from dnsmasq is on the interface (/24)",
            got is not None and got.endswith("/24"), addrs(dut))
    link = sh("ip", "-n", dut, "-br", "link", "show", "eth0").stdout
    c.check("the service brought the link up", " UP " in link, link)
    route = sh("ip", "-n", dut, "route", "show", "default").stdout
    c.check("default route via the router option",
            "via 10.77.0.1 dev eth0" in route, route)
    with open(os.path.join(lab.dir, "unit", "resolv.conf")) as f:
        rc = f.read()
    c.check("resolv file has DNS server and domain",
            "nameserver 10.77.0.53" in rc and "search ex.test" in rc, rc)
    st = web(dut)
    lease = (st.get("network") or {}).get("lease") or {}
    c.check("GET /api/v1/status shows network.lease",
            lease.get("address") == got.split("/")[0] and
            lease.get("server") == "10.77.0.1" and
            lease.get("router") == "10.77.0.1" and
            lease.get("mask") == "255.255.255.0" and
            lease.get("expires", "") > lease.get("obtained", "~"), st)
    c.check("network.lease has routers, DNS, domain and T1 < T2 < expiry",
            lease.get("routers") == ["10.77.0.1"] and
            lease.get("dns") == ["10.77.0.53"] and
            lease.get("domain") == "ex.test" and
            lease.get("obtained", "~") < lease.get("t1", "") <
            lease.get("t2", "") < lease.get("expires", ""), lease)
    # the supervisor records events on its own tick: wait for it
    ev = []

    def lease_event():
        ev[:] = [e["text"] for e in web(dut).get("events", [])]
        return any("dhcp: lease got of" in t for t in ev)
    c.check("event: lease got", wait_for(lease_event, 10), ev)
    return got.split("/")[0]


def check_discovery(c, srv, addr, mac):
    """Discovery tells the unit's interface (eth0) as the lease set it."""
    r = subprocess.run(["ip", "netns", "exec", srv,
                        os.environ["CONVERGE_CONSOLE"], "discover", "--json",
                        "--timeout", "1500", "eth0"], capture_output=True,
                       text=True, timeout=60)
    try:
        u = (json.loads(r.stdout) or [{}])[0]
    except ValueError:
        u = {"out": r.stdout + r.stderr}
    want = {"address": addr, "netmask": "255.255.255.0",
            "gateway": "10.77.0.1", "dhcp": True, "mac": mac}
    bad = {k: (u.get(k), v) for k, v in want.items() if u.get(k) != v}
    c.check("discovery replies with the lease's address, mask and router "
            "and eth0's MAC", not bad, (bad, u))


def check_dora_packets(c, pcap, addr, mac):
    rows = tshark_fields(pcap, "dhcp.option.dhcp", "dhcp.flags.bc",
                         "dhcp.ip.client", "dhcp.option.requested_ip_address",
                         "dhcp.option.dhcp_server_id", "ip.src", "ip.dst",
                         "dhcp.client_id.type", "dhcp.option.hostname",
                         "dhcp.option.vendor_class_id", "dhcp.hw.mac_addr")
    types = [r[0] for r in rows]
    c.check("tshark: DISCOVER OFFER REQUEST ACK in order",
            types[:4] == ["1", "2", "3", "5"], rows)
    disc = rows[0] if rows else [""] * 11
    c.check("DISCOVER: from 0.0.0.0 to 255.255.255.255, ciaddr 0, "
            "broadcast flag 0, no server id",
            disc[5:7] == ["0.0.0.0", "255.255.255.255"] and
            disc[2] == "0.0.0.0" and disc[1] == "0" and disc[4] == "", disc)
    # client id type 1 makes tshark show its MAC as a second hw address
    c.check("DISCOVER: client id 01+MAC, host name, vendor class",
            disc[10] == mac + "," + mac and
            disc[8] == "UNIT1" and disc[9] == "convergd", disc)
    req = rows[2] if len(rows) > 2 else [""] * 11
    c.check("REQUEST (SELECTING): ciaddr 0, option 50 = offer, 54 = server",
            req[2] == "0.0.0.0" and req[3] == addr and
            req[4] == "10.77.0.1", req)


def check_renew(c, dut, log, pcap, addr):
    ok = wait_for(lambda: log_has(log, "lease renewed"), 15)
    c.check("renewed at T1 (4 s)", ok, "")
    rows, renew = [], []

    def renew_captured():
        # tshark writes the capture file in its own time: read until
        # the renewal is in it
        rows[:] = tshark_fields(pcap, "dhcp.option.dhcp", "dhcp.ip.client",
                                "dhcp.option.requested_ip_address",
                                "dhcp.option.dhcp_server_id", "ip.src",
                                "ip.dst")
        renew[:] = [r for r in rows if r[0] == "3" and r[1] == addr]
        return bool(renew)
    wait_for(renew_captured, 10)
    c.check("renewing REQUEST: unicast to the server, ciaddr set, "
            "no option 50/54",
            renew and renew[0][2:] == ["", "", addr, "10.77.0.1"], rows)
    c.check("address kept after renewal", lease_addr(dut) ==
            addr + "/24", addrs(dut))


def dhcp_reply(xid, chaddr, opts, yiaddr="10.77.0.140"):
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", 2, 1, 6, 0, xid, 0, 0,
                       bytes(4), socket.inet_aton(yiaddr),
                       socket.inet_aton("10.77.0.66"), bytes(4),
                       chaddr + bytes(10), bytes(64), bytes(128), 0x63825363)
    return head + opts


SENDER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(("10.77.0.66", 67))
for h in sys.argv[1:]:
    s.sendto(bytes.fromhex(h), ("255.255.255.255", 68))
"""


def check_bad_input(c, lab, dut, log, addr, mac):
    rogue = lab.host("rogue", "10.77.0.66/24")
    ack = bytes([53, 1, 5, 54, 4, 10, 77, 0, 66, 51, 4, 0, 0, 0, 99, 1, 4,
                 255, 255, 255, 0, 255])
    frames = [
        dhcp_reply(1, mac, ack)[:120],                  # truncated
        dhcp_reply(1, mac, bytes([53, 1, 5, 54, 40, 10, 77])),  # lying len
        dhcp_reply(1, mac, bytes([53, 1, 5, 51, 3, 0, 0, 9, 255])),
        dhcp_reply(0xdeadbeef, mac, ack),               # wrong xid
        dhcp_reply(0xdeadbeef, b"\x02\x00\x00\x00\x00\x99", ack),
        dhcp_reply(0xdeadbeef, mac, bytes([53, 1, 6, 54, 4, 10, 77, 0, 66,
                                           255])),      # rogue NAK
    ]
    sh("ip", "netns", "exec", rogue, "/usr/bin/python3", "-c", SENDER,
       *[f.hex() for f in frames])
    time.sleep(1)
    c.check("bad input and a rogue NAK change nothing",
            lease_addr(dut) == addr + "/24", addrs(dut))
    st = web(dut)
    lease = (st.get("network") or {}).get("lease") or {}
    c.check("they are counted (network.lease.ignored >= 6)",
            lease.get("ignored", 0) >= 6, lease)
    return rogue


def check_restart_reboot(c, lab, dut, addr):
    p, log = convergd(lab, dut)
    ok = wait_for(lambda: log_has(log, "lease got of " + addr) or
                  log_has(log, "lease of " + addr), 15)
    c.check("after a restart INIT-REBOOT gets the same address",
            ok and log_has(log, "asking again for the last lease"), "")
    return p, log


def check_release(c, lab, dut, dmlog):
    p, log = convergd(lab, dut, "release_on_stop = yes")
    got = wait_for(lambda: log_has(log, "probing -> bound") and
                   lease_addr(dut), 15)
    lab.stop(p)
    c.check("release_on_stop: DHCPRELEASE reaches dnsmasq",
            got and log_has(dmlog, "DHCPRELEASE(eth0) " + got.split("/")[0]),
            got)
    c.check("release_on_stop: the address is removed",
            lease_addr(dut) is None, addrs(dut))


def check_nak(c, lab, srv, dut, dm):
    lab.stop(dm)
    dm, dmlog = dnsmasq(lab, srv, "dhcp-authoritative")
    # a previous run held an address dnsmasq does not give out, and its
    # clean stop left it on the interface
    sh("ip", "-n", dut, "addr", "flush", "dev", "eth0")
    sh("ip", "-n", dut, "addr", "add", "10.77.0.50/24", "dev", "eth0")
    with open(os.path.join(lab.dir, "unit", "dhcp.lease"), "w") as f:
        f.write("address=10.77.0.50\nmask=255.255.255.0\nserver=10.77.0.1\n")
    p, log = convergd(lab, dut)
    ok = wait_for(lambda: log_has(log, "NAK from server"), 15)
    c.check("INIT-REBOOT for 10.77.0.50 (outside the range): NAK", ok, "")
    got = wait_for(lambda: lease_addr(dut), 15)
    c.check("after the NAK, INIT gets an address in the range",
            got is not None, addrs(dut))
    c.check("and the refused 10.77.0.50 is gone from the interface",
            addrs(dut) == [got], addrs(dut))
    return dm, dmlog, p, log


def check_static(c, lab, dut, p):
    r = web(dut, {"network.dhcp": "0", "network.address": "10.77.0.20",
                  "network.mask": "255.255.255.0",
                  "network.gateway": "10.77.0.254"})
    c.check("switch to static accepted", r and r[0] == 200, r)
    ok = wait_for(lambda: addrs(dut) == ["10.77.0.20/24"], 10)
    c.check("static mode at run time: only 10.77.0.20/24, no restart", ok,
            addrs(dut))
    route = sh("ip", "-n", dut, "route", "show", "default").stdout
    c.check("static default route via network.gateway",
            "via 10.77.0.254" in route, route)
    lab.stop(p)
    sh("ip", "-n", dut, "addr", "flush", "dev", "eth0")
    p, log = convergd(lab, dut)
    ok = wait_for(lambda: addrs(dut) == ["10.77.0.20/24"], 10)
    c.check("static mode survives a restart", ok, addrs(dut))
    r = web(dut, {"network.gateway": "10.77.1.254"})
    time.sleep(0.5)
    route = sh("ip", "-n", dut, "route", "show", "default").stdout
    c.check("a gateway outside the subnet is refused with an event",
            "via 10.77.0.254" in route and any(
                "gateway is not another address inside the subnet" in
                e["text"] for e in web(dut).get("events", [])), route)
    web(dut, {"network.dhcp": "1"})
    ok = wait_for(lambda: lease_addr(dut) and
                  "10.77.0.20/24" not in addrs(dut), 10)
    c.check("back to DHCP at run time: static address gone, lease back",
            ok, addrs(dut))
    return p


def run_lab(scenario):
    """Run scenario(c, lab) in a fresh lab; always clean it up."""
    c = Checks()
    lab = Lab()
    try:
        scenario(c, lab)
    finally:
        lab.dump_logs(c)
        lab.cleanup()
    left = sh("ip", "netns", "list").stdout
    c.check("no namespace left behind", lab.sw not in left, left)
    return c.finish()


def scenario(c, lab):
    srv = lab.host("srv", "10.77.0.1/24")
    dut = lab.host("dut", up=False)
    mac = bytes.fromhex(sh("ip", "-n", dut, "-br", "link", "show",
                           "eth0").stdout.split()[2].replace(":", ""))
    pcap = os.path.join(lab.dir, "dhcp.pcapng")
    ts, tslog = lab.start("tshark", ["tshark", "-i", "eth0", "-f",
                                     "udp port 67 or udp port 68",
                                     "-w", pcap], srv)
    wait_for(lambda: log_has(tslog, "Capturing on"), 15)
    dm, _ = dnsmasq(lab, srv, "dhcp-option=58,4\ndhcp-option=59,100")
    p, log = convergd(lab, dut, "hostname = UNIT1")
    addr = check_first_lease(c, lab, srv, dut, log, pcap)
    check_discovery(c, srv, addr, ":".join(f"{b:02x}" for b in mac))
    check_renew(c, dut, log, pcap, addr)
    lab.stop(ts, signal.SIGINT)
    check_dora_packets(c, pcap, addr, ":".join(f"{b:02x}" for b in mac))
    check_bad_input(c, lab, dut, log, addr, mac)
    lab.stop(p)
    c.check("a clean stop (exit 0, no sanitizer report) logs the counters",
            p.returncode == 0 and log_has(log, "malformed 3, not ours 3") and
            not log_has(log, "Sanitizer"), p.returncode)
    c.check("a clean stop keeps the address (no release configured)",
            lease_addr(dut) == addr + "/24", addrs(dut))
    p, log = check_restart_reboot(c, lab, dut, addr)
    p = check_static(c, lab, dut, p)
    lab.stop(p)
    dm, dmlog, p, log = check_nak(c, lab, srv, dut, dm)
    lab.stop(p)
    check_release(c, lab, dut, dmlog)


if __name__ == "__main__":
    sys.exit(run_lab(scenario))
