# SPDX-License-Identifier: MIT
"""The dhcp service seen and driven from the Telnet console, against
dnsmasq in network namespaces (the lab of test_dhcp_netns.py): ENET*
queries answer the lease in use and ENETLEASE shows all of it; with the
first of two routers silent the default route moves to the second;
static mode set over the console at run time; a SIGHUP with another
[network] interface and resolv_conf moves the set-up without a restart,
and one naming a missing interface changes nothing. The console is
reached on 127.0.0.1 inside the unit's namespace."""
import os
import re
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_dhcp_netns import (Lab, addrs, convergd, dnsmasq, lease_addr,  # noqa
                             log_has, run_lab, sh, wait_for, web)

PORT = 2323
# dnsmasq lists a router nobody holds first, then itself
ROUTERS = "10.77.0.9,10.77.0.1"

CONSOLE = """
import sys
sys.path.insert(0, %r)
import console_util as cu
s = cu.login(%d)
for line in sys.argv[1:]:
    s.sendall(b"#H0 " + line.encode() + b"\\r")
    got = cu.read_until(s, b"\\r\\n").decode()
    print(got.strip())
"""


def console(ns, *lines):
    """Each command's reply line, from a fresh Administrator session."""
    r = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
                        CONSOLE % (HERE, PORT), *lines],
                       capture_output=True, text=True, timeout=30)
    return r.stdout.splitlines() or [r.stderr]


def route(ns):
    return sh("ip", "-n", ns, "route", "show", "default").stdout


def check_queries(c, dut, addr):
    got = console(dut, "ENETADDR", "ENETSUBN", "ENETDNS", "ENETDOMAIN",
                  "ENETLEASE")
    c.check("ENETADDR/ENETSUBN/ENETDNS/ENETDOMAIN answer the lease",
            got[:4] == [f"OK> #H0 ENETADDR {addr}",
                        "OK> #H0 ENETSUBN 255.255.255.0",
                        "OK> #H0 ENETDNS 10.77.0.53",
                        "OK> #H0 ENETDOMAIN ex.test"], got)
    t = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    c.check("ENETLEASE shows server, routers, DNS, times",
            len(got) > 4 and re.fullmatch(
                rf"OK> #H0 ENETLEASE {re.escape(addr)} 255\.255\.255\.0 "
                r"SERVER 10\.77\.0\.1 GATEWAY 10\.77\.0\.(9|1) ROUTERS "
                rf"{re.escape(ROUTERS)} DNS 10\.77\.0\.53 DOMAIN ex\.test "
                rf"OBTAINED {t} T1 {t} T2 {t} EXPIRES {t}", got[4])
            is not None, got)


def check_gateway_fallback(c, dut):
    ok = wait_for(lambda: "via 10.77.0.1 dev eth0" in route(dut), 20)
    c.check("first router silent: default route moves to the second", ok,
            route(dut))
    c.check("only one default route", route(dut).count("default") == 1,
            route(dut))
    c.check("ENETGATE answers the router in use",
            console(dut, "ENETGATE") == ["OK> #H0 ENETGATE 10.77.0.1"], "")
    ev = [e["text"] for e in web(dut).get("events", [])]
    c.check("event: gateway does not answer", any(
        "gateway 10.77.0.9 does not answer; default route via 10.77.0.1" in
        t for t in ev), ev)


def check_static_console(c, dut):
    got = console(dut, "ENETADDR 10.77.0.20", "ENETSUBN 255.255.255.0",
                  "ENETGATE 10.77.0.1", "ENETDNS 10.77.0.53", "ENETDHCP 0")
    c.check("static settings accepted over the console",
            got[-1] == "OK> #H0 ENETDHCP 0", got)
    ok = wait_for(lambda: addrs(dut) == ["10.77.0.20/24"], 10)
    c.check("ENETDHCP 0: the static address replaces the lease", ok,
            addrs(dut))
    got = console(dut, "ENETADDR", "ENETLEASE", "ENETADDR 10.77.0.21")
    c.check("static mode: ENETADDR answers the setting, no lease",
            got[:2] == ["OK> #H0 ENETADDR 10.77.0.20",
                        "OK> #H0 ENETLEASE NONE"], got)
    ok = wait_for(lambda: addrs(dut) == ["10.77.0.21/24"], 10)
    c.check("ENETADDR at run time moves the static address", ok,
            addrs(dut))


def reload_with(p, conf, old, new):
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace(old, new))
    p.send_signal(signal.SIGHUP)


def check_reload(c, lab, dut, p, log):
    # a second interface in the unit (a veth pair: no dummy module here)
    sh("ip", "-n", dut, "link", "add", "eth1", "type", "veth", "peer",
       "name", "eth1p")
    unit = os.path.join(lab.dir, "unit")
    conf = os.path.join(unit, "convergd.conf")
    reload_with(p, conf, "interface = eth0\nresolv_conf = " + unit +
                "/resolv.conf", "interface = eth1\nresolv_conf = " +
                unit + "/resolv2.conf")

    def eth1_addrs():
        out = sh("ip", "-n", dut, "-4", "-o", "addr", "show", "dev",
                 "eth1").stdout
        return [line.split()[3] for line in out.splitlines()]
    ok = wait_for(lambda: eth1_addrs() == ["10.77.0.21/24"] and
                  addrs(dut) == [], 10)
    c.check("SIGHUP, new [network] interface: the set-up moves there",
            ok, (addrs(dut), eth1_addrs()))
    path = os.path.join(unit, "resolv2.conf")
    ok = wait_for(lambda: os.path.exists(path), 5)
    c.check("and the new resolv_conf is written",
            ok and "nameserver 10.77.0.53" in open(path).read(), "")
    # discovery reads [network] too and is restarted: dhcp must not be
    c.check("without a restart", not log_has(log, "dhcp restarted") and
            log_has(log, "dhcp: new settings applied") and
            p.poll() is None, "")
    c.check("discovery, which reads [network] too, is restarted with it",
            log_has(log, "discovery restarted with new settings"), "")
    reload_with(p, conf, "interface = eth1", "interface = nosuch0")
    ok = wait_for(lambda: log_has(log, "interface nosuch0"), 10)
    c.check("a missing interface is refused and nothing changes",
            ok and eth1_addrs() == ["10.77.0.21/24"], eth1_addrs())


def scenario(c, lab):
    srv = lab.host("srv", "10.77.0.1/24")
    dut = lab.host("dut", up=False)
    dnsmasq(lab, srv, routers=ROUTERS)
    p, log = convergd(lab, dut, "gateway_check = 1", console=PORT)
    addr = wait_for(lambda: lease_addr(dut), 15)
    c.check("a lease from dnsmasq", addr is not None, addrs(dut))
    addr = (addr or "/").split("/")[0]
    wait_for(lambda: console(dut, "VER")[0].startswith("OK>"), 10)
    check_queries(c, dut, addr)
    check_gateway_fallback(c, dut)
    check_static_console(c, dut)
    check_reload(c, lab, dut, p, log)
    lab.stop(p)
    c.check("a clean stop (exit 0, no sanitizer report)",
            p.returncode == 0 and not log_has(log, "Sanitizer"),
            p.returncode)


if __name__ == "__main__":
    sys.exit(run_lab(scenario))
