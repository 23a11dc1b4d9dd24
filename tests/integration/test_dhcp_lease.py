# SPDX-License-Identifier: MIT
"""The dhcp service's lease life against small hand-written servers
(dnsmasq gives no lease under two minutes), each in its own namespace on
one bridge with convergd's: an offered address another host already
holds is found by the ARP probe and declined, and a new one taken; when
the server goes away the unit rebinds at T2 to a second server; when
that one goes too the lease expires and the address is removed, with
events. Namespaces are made here and removed on exit."""
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_dhcp_netns import (addrs, convergd, log_has,  # noqa: E402
                             run_lab, sh, tshark_fields, wait_for, web)

# A DHCP server in a few lines: `full` answers DISCOVER and REQUEST,
# `rebind` only a REQUEST with ciaddr set (a client rebinding), `rogue`
# NAKs every REQUEST meant for another server (option 54), all by
# broadcast; a DECLINE moves it to the next address.
SERVER = r"""
import socket, struct, sys, time
mode, me, lease, t1, t2, nxt = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
delay = float(sys.argv[7])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.bind(("0.0.0.0", 67))
me_b = socket.inet_aton(me)
print("ready", flush=True)
while True:
    d = s.recv(2048)
    if len(d) < 240 or d[0] != 1:
        continue
    xid, ciaddr, chaddr = d[4:8], d[12:16], d[28:44]
    o, i = {}, 240
    while i + 1 < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        o[d[i]] = d[i + 2:i + 2 + d[i + 1]]
        i += 2 + d[i + 1]
    t = o.get(53, b"\0")[0]
    if t == 4:
        print("DECLINE", socket.inet_ntoa(o[50]), flush=True)
        nxt += 1
        continue
    if mode == "rebind" and (t != 3 or ciaddr == bytes(4)):
        continue
    if mode == "rogue" and (t != 3 or o.get(54, me_b) == me_b):
        continue
    if mode == "rogue":
        kind, yi = 6, bytes(4)
    elif t == 1:
        kind, yi = 2, socket.inet_aton("10.77.0.%d" % nxt)
    elif t == 3:
        kind, yi = 5, ciaddr if ciaddr != bytes(4) else o.get(50, bytes(4))
    else:
        continue
    m = socket.inet_aton(me)
    r = (bytes([2, 1, 6, 0]) + xid + bytes(4) + ciaddr + yi + m + bytes(4)
         + chaddr + bytes(192) + bytes([99, 130, 83, 99, 53, 1, kind, 54, 4])
         + m + bytes([51, 4]) + struct.pack("!I", lease) + bytes([58, 4])
         + struct.pack("!I", t1) + bytes([59, 4]) + struct.pack("!I", t2)
         + bytes([1, 4, 255, 255, 255, 0, 3, 4]) + m + bytes([255]))
    if kind == 5:
        time.sleep(delay)   # lets a rogue's answer come first
    s.sendto(r, ("255.255.255.255", 68))
    print("sent", kind, socket.inet_ntoa(yi), flush=True)
"""


def server(lab, name, mode, me, lease, t1, t2, delay=0.0):
    ns = lab.host(name, me + "/24")
    p, log = lab.start(name, ["/usr/bin/python3", "-c", SERVER, mode, me,
                              str(lease), str(t1), str(t2), "140",
                              str(delay)], ns)
    wait_for(lambda: log_has(log, "ready"), 10)
    return p, log


def events(dut):
    return [e["text"] for e in web(dut).get("events", [])]


def check_conflict(c, lab, dut):
    lab.host("squat", "10.77.0.140/24")
    a, alog = server(lab, "srva", "full", "10.77.0.2", 8, 2, 4, 0.3)
    r, rlog = server(lab, "rogue", "rogue", "10.77.0.66", 8, 2, 4)
    p, log = convergd(lab, dut)
    ok = wait_for(lambda: log_has(alog, "DECLINE 10.77.0.140"), 15)
    c.check("offered 10.77.0.140 is held by another host: DECLINE", ok,
            "")
    ok = wait_for(lambda: "10.77.0.141/24" in addrs(dut), 15)
    c.check("then a new address (10.77.0.141) is taken", ok, addrs(dut))
    c.check("the declined address was never applied",
            not log_has(log, "lease of 10.77.0.140"), "")
    c.check("event: address conflict", wait_for(lambda: any(
        "address conflict: 10.77.0.140 is in use" in t
        for t in events(dut)), 5), events(dut))
    lease = (web(dut).get("network") or {}).get("lease") or {}
    c.check("a rogue server's NAKs (right xid, its own server id) were "
            "ignored and counted", log_has(rlog, "sent 6") and
            not log_has(log, "NAK from server:") and
            lease.get("server") == "10.77.0.2" and
            lease.get("ignored", 0) >= 1, lease)
    lab.stop(r)
    return a, p, log


def check_rebind(c, lab, dut, a, log):
    lab.stop(a)     # the first server goes away: T1 renewals go unheard
    b, blog = server(lab, "srvb", "rebind", "10.77.0.3", 8, 2, 4)
    ok = wait_for(lambda: log_has(blog, "sent 5 10.77.0.141"), 15)
    c.check("at T2 the unit rebinds by broadcast; the second server ACKs",
            ok and log_has(log, "T2: rebinding"), "")
    lease = wait_for(lambda: (web(dut).get("network") or {}).get("lease"),
                     5) or {}
    c.check("the lease now names the second server, same address",
            lease.get("server") == "10.77.0.3" and
            lease.get("address") == "10.77.0.141", lease)
    return b


def check_expiry(c, lab, dut, b, log):
    lab.stop(b)
    ok = wait_for(lambda: log_has(log, "lost: expired"), 20)
    c.check("with no server the lease expires", ok, "")
    c.check("the address is removed", wait_for(
        lambda: "10.77.0.141/24" not in addrs(dut), 5), addrs(dut))
    route = sh("ip", "-n", dut, "route", "show", "default").stdout
    c.check("the default route is removed", route.strip() == "", route)
    c.check("event: lease lost", wait_for(lambda: any(
        "lease of 10.77.0.141 lost: expired" in t for t in events(dut)), 5),
        events(dut))
    st = (web(dut).get("network") or {})
    c.check("network.lease is null again", "lease" in st and
            st["lease"] is None, st)


FIELDS = ("dhcp.option.dhcp", "ip.src", "ip.dst", "dhcp.ip.client",
          "dhcp.option.requested_ip_address", "dhcp.option.dhcp_server_id",
          "dhcp.option.request_list_item", "dhcp.flags.bc")


def check_packets(c, pcap):
    rows = tshark_fields(pcap, *FIELDS)
    decline = [r for r in rows if r[0] == "4"]
    c.check("tshark: DECLINE from 0.0.0.0 by broadcast, ciaddr 0, option "
            "50 = the address, 54 = its server, no parameter list",
            decline and decline[0][1:7] == [
                "0.0.0.0", "255.255.255.255", "0.0.0.0", "10.77.0.140",
                "10.77.0.2", ""], decline)
    rebind = [r for r in rows if r[0] == "3" and r[2] == "255.255.255.255"
              and r[3] == "10.77.0.141"]
    c.check("tshark: rebinding REQUEST broadcast from the address, ciaddr "
            "set, no option 50/54, broadcast flag 0",
            rebind and rebind[0][1] == "10.77.0.141" and
            rebind[0][4:6] == ["", ""] and rebind[0][7] == "0", rows)


def scenario(c, lab):
    dut = lab.host("dut", up=False)
    pcap = os.path.join(lab.dir, "dut.pcapng")
    # on the bridge's port: the client's link starts down
    ts, tslog = lab.start("tshark", ["tshark", "-i", "p-dut", "-f",
                                     "udp port 67 or udp port 68",
                                     "-w", pcap], lab.sw)
    wait_for(lambda: log_has(tslog, "Capturing on"), 15)
    a, p, log = check_conflict(c, lab, dut)
    b = check_rebind(c, lab, dut, a, log)
    check_expiry(c, lab, dut, b, log)
    lab.stop(ts, signal.SIGINT)
    check_packets(c, pcap)
    lab.stop(p, signal.SIGTERM)
    c.check("a clean stop: exit 0, no sanitizer report; the rogue's NAKs "
            "counted as from another server",
            p.returncode == 0 and not log_has(log, "Sanitizer") and
            re.search(r"other server [1-9]", open(log).read()),
            p.returncode)


if __name__ == "__main__":
    sys.exit(run_lab(scenario))
