# SPDX-License-Identifier: MIT
"""The netbios service on loopback (config/dev.conf's shape: 127.0.0.1 and
a high port, unicast only): answers queries for its default name (model
and UID) and refuses others, stays silent on broadcasts for others,
answers node status with its names and MAC, follows a names.netbios
change made through the web API, shows its state on the status page and
counts malformed datagrams. Only 127.0.0.1 is contacted."""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks  # noqa: E402
from test_netbios_netns import encode  # noqa: E402
from web_harness import Client, Daemon  # noqa: E402


def udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(port, pkt):
    """Send one datagram; the answer's bytes or None within 2 s."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(pkt, ("127.0.0.1", port))
        try:
            return s.recvfrom(1024)[0]
        except socket.timeout:
            return None


def query(port, name, suffix=0, flags=0x0000, qtype=0x20):
    pad = b"\0" if name == "*" else b" "
    return ask(port, struct.pack("!HHHHHH", 0x1234, flags, 1, 0, 0, 0) +
               encode(name, suffix, pad) + struct.pack("!HH", qtype, 1))


def answer(d):
    """(flags, NB flags, address) of a positive answer; (flags,) if none."""
    flags = struct.unpack("!H", d[2:4])[0]
    if struct.unpack("!H", d[6:8])[0] == 0:
        return (flags,)
    nbf, addr = struct.unpack("!H4s", d[-6:])
    return flags, nbf, socket.inet_ntoa(addr)


def detail(cl):
    st, body, _ = cl.call("GET", "/status")
    row = next((x for x in body["services"] if x["name"] == "netbios"), {})
    return row.get("detail") or {}


def main():
    c = Checks()
    port = udp_port()
    d = Daemon(web_extra=f"[netbios]\nenabled = yes\nbind = 127.0.0.1\n"
               f"port = {port}\n")
    try:
        cl = Client(d.web_port)
        c.check("login", cl.login("clearone", "converge")[0] == 200)
        st, body, _ = cl.call("GET", "/status")
        ident = body["identity"]
        name = "880TA-" + ident["uid"][-6:]
        r = query(port, name)
        c.check("default name (model-UID) answered with 127.0.0.1",
                r is not None and answer(r) == (0x8400, 0x0000,
                                                "127.0.0.1"), r)
        r = query(port, name, 0x20)
        c.check("NAME<20> answered too", r is not None and
                answer(r)[2:] == ("127.0.0.1",), r)
        r = query(port, "SOMEONE-ELSE")
        c.check("unicast query for another name: rcode 3",
                r is not None and answer(r) == (0x8403,), r)
        c.check("broadcast query for another name: silence",
                query(port, "SOMEONE-ELSE", flags=0x0010) is None)
        r = query(port, "*", qtype=0x21)
        mac = bytes.fromhex(ident["mac"].replace(":", ""))
        c.check("node status: both names active and the MAC",
                r is not None and r[56] == 2 and
                r[57:75] == name.encode().ljust(15) + b"\0\x04\x00" and
                r[75:93] == name.encode().ljust(15) + b"\x20\x04\x00" and
                r[93:99] == mac, r)
        c.check("bound to loopback: nothing broadcast",
                f"claiming {name} as a B-node (no broadcasts)" in
                d.log_text(), d.log_text()[-1000:])
        st, _, _ = cl.call("PUT", "/settings", {"names.netbios": "LoopUnit"})
        c.check("names.netbios set through the web API", st == 200, st)
        r = query(port, "LOOPUNIT")
        c.check("the new name answers at once (upper case)",
                r is not None and answer(r)[2:] == ("127.0.0.1",), r)
        r = query(port, name)
        c.check("the old name is given up", r is not None and
                answer(r) == (0x8403,), r)
        c.check("a datagram shorter than a header gets nothing",
                ask(port, b"\x00\x01\x00") is None)
        dt = detail(cl)
        c.check("status page: name, B-node, registered, 1 malformed",
                dt.get("name") == "LOOPUNIT" and dt.get("mode") == "B-node"
                and dt.get("registered") is True and dt.get("malformed") == 1
                and dt.get("server") == "", dt)
        cl.close()
    finally:
        rc, _ = d.stop()
    c.check("daemon stopped cleanly", rc == 0, rc)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
