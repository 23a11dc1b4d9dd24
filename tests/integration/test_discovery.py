# SPDX-License-Identifier: MIT
"""Discovery on loopback (docs/discovery.md): converge-console discover
finds the daemon with the right fields; set-address with the right
password changes the network settings, and wrong passwords, replayed,
forged and stale requests change nothing and are counted; malformed
datagrams are dropped and counted; a flood from one source leaves the
others answered. Only 127.0.0.0/8 is contacted; every wait is bounded."""
import hashlib
import hmac
import json
import os
import socket
import struct
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console, Daemon, free_port  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # noqa: E402  (Python 3.11: SHA-512 crypt like the unit)

CC = os.environ["CONVERGE_CONSOLE"]
UID = "0A1B2C3D"
MAC = "02:00:0a:1b:2c:3d"

# ---- a second, independent CVDS v1 encoder (not the C codec) ----


def tlv(t, v):
    return bytes([t, len(v)]) + v


def header(typ, xid, flags=0):
    return b"CVDS" + bytes([1, typ, flags, 0]) + struct.pack(">I", xid)


def parse(data):
    """Header fields and {type: value} of a datagram from the unit."""
    assert data[:5] == b"CVDS\x01", data
    out = {"type": data[5], "xid": struct.unpack(">I", data[8:12])[0]}
    i = 12
    while i < len(data):
        t, n = data[i], data[i + 1]
        out[t] = data[i + 2:i + 2 + n]
        i += 2 + n
    return out


class Unit:
    def __init__(self, port, src="127.0.0.1"):
        self.addr = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((src, 0))
        self.sock.settimeout(2)
        self.xid = 100

    def ask(self, data):
        self.sock.sendto(data, self.addr)
        return parse(self.sock.recv(2048))

    def silent(self, data):
        """True if the unit does not answer `data` within 0.5 s."""
        self.sock.sendto(data, self.addr)
        self.sock.settimeout(0.5)
        try:
            self.sock.recv(2048)
            return False
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(2)

    def counters(self):
        self.xid += 1
        r = self.ask(header(1, self.xid, flags=1))
        names = ["answered", "malformed", "oversized", "rate_limited",
                 "auth_failed", "replayed", "stale", "changed"]
        return dict(zip(names, struct.unpack(">8I", r[24])))

    def signed_set(self, address, user="clearone", password="converge",
                   nonce=None, skew=0):
        """CHALLENGE, then the bytes of a SET_ADDRESS signed as documented."""
        self.xid += 1
        ch = self.ask(header(3, self.xid) + tlv(16, bytes.fromhex(UID)) +
                      tlv(18, user.encode()))
        assert ch["type"] == 4, ch
        key = crypt.crypt(password, ch[21].decode()).encode()
        ts = struct.unpack(">Q", ch[15])[0] + skew
        self.xid += 1
        body = (header(5, self.xid) + tlv(8, socket.inet_aton(address)) +
                tlv(9, socket.inet_aton("255.255.255.0")) +
                tlv(11, b"\x00") + tlv(16, bytes.fromhex(UID)) +
                tlv(18, user.encode()) + tlv(19, nonce or os.urandom(16)) +
                tlv(20, struct.pack(">Q", ts)))
        return body + tlv(25, hmac.new(key, body, hashlib.sha256).digest())


def tool(*args):
    r = subprocess.run([CC, *args], capture_output=True, text=True,
                       timeout=30)
    return r.returncode, r.stdout, r.stderr


def enetaddr(d):
    con = Console(d.port)
    try:
        return con.command("#H0 ENETADDR")
    finally:
        con.close()


def locate_finds_the_unit(c, d, port):
    target = f"127.0.0.1:{port}"
    rc, out, err = tool("discover", "--timeout", "500", target)
    c.check("discover ADDRESS:PORT exits 0", rc == 0, err)
    c.check("the table shows the unit's UID and MAC",
            UID in out and MAC in out, out)
    rc, out, err = tool("discover", "--json", "--timeout", "500", target)
    units = json.loads(out)
    c.check("--json is one array with one unit (de-duplicated by UID)",
            len(units) == 1, out)
    u = units[0]
    want = {"uid": UID, "mac": MAC, "model": "880TA", "device_type": "H",
            "device_id": 0, "firmware": "4.4.0.2", "address": "127.0.0.1",
            "netmask": "255.0.0.0", "dhcp": True, "console_port": d.port,
            "web_port": 0, "protocol": 1, "from": target}
    bad = {k: (u.get(k), v) for k, v in want.items() if u.get(k) != v}
    c.check("every field is right", not bad, bad)
    rc, out, err = tool("discover", "--json", "--timeout", "300",
                        f"127.0.0.1:{free_port()}")
    c.check("nobody there: exit 3 and an empty array",
            rc == 3 and json.loads(out) == [], (rc, out))


def set_address_with_tool(c, d, port):
    via = f"127.0.0.1:{port}"
    rc, out, _ = tool("-p", "wrong", "set-address", "--via", via, UID,
                      "10.9.9.9", "255.255.255.0")
    c.check("wrong password: refused, exit 1",
            rc == 1 and "refused" in out, out)
    c.check("wrong password changed nothing",
            enetaddr(d) == "OK> #H0 ENETADDR", enetaddr(d))
    rc, out, _ = tool("set-address", "--via", via, UID, "10.77.0.30",
                      "255.255.255.0", "10.77.0.1")
    c.check("Administrator's set-address: done", rc == 0 and
            out.strip() == f"{UID}: done", out)
    c.check("the console sees the new address",
            enetaddr(d) == "OK> #H0 ENETADDR 10.77.0.30", enetaddr(d))
    rc, out, _ = tool("discover", "--json", via)
    u = json.loads(out)[0]
    c.check("discover reports the new static address", (u["address"],
            u["netmask"], u["gateway"], u["dhcp"]) == ("10.77.0.30",
            "255.255.255.0", "10.77.0.1", False), u)


def replayed_forged_stale_change_nothing(c, d, port):
    unit = Unit(port)
    before = unit.counters()
    req = unit.signed_set("10.77.0.40")
    r = unit.ask(req)
    c.check("a signed request from another client is done",
            r[22] == b"\x00", r)
    # move it elsewhere, then replay the old request
    con = Console(d.port)
    con.command("#H0 ENETADDR 10.77.0.41")
    con.close()
    r = unit.ask(req)
    c.check("the same bytes again: replay", r[22] == b"\x02", r)
    forged = bytearray(unit.signed_set("10.77.0.42"))
    forged[12 + 2 + 3] ^= 0x01          # the address, after signing
    r = unit.ask(bytes(forged))
    c.check("a changed byte after signing: refused", r[22] == b"\x01", r)
    r = unit.ask(unit.signed_set("10.77.0.43", skew=-3600))
    c.check("a timestamp an hour old: stale", r[22] == b"\x03", r)
    r = unit.ask(unit.signed_set("10.77.0.44", user="nobody"))
    c.check("an unknown user: refused", r[22] == b"\x01", r)
    c.check("none of them changed the address",
            enetaddr(d) == "OK> #H0 ENETADDR 10.77.0.41", enetaddr(d))
    after = unit.counters()
    diff = {k: after[k] - before[k] for k in after}
    c.check("counted: 1 changed, 1 replayed, 2 auth failures, 1 stale",
            (diff["changed"], diff["replayed"], diff["auth_failed"],
             diff["stale"]) == (1, 1, 2, 1), diff)


def malformed_dropped_and_counted(c, port):
    unit = Unit(port)
    before = unit.counters()
    cases = [b"hello", header(1, 5)[:11], b"CVDT" + header(1, 5)[4:],
             header(9, 5), header(1, 5) + b"\x10\x09\xb4",
             header(1, 5) + b"\x0e\xff" + b"x" * 255 * 4]
    quiet = [unit.silent(x) for x in cases]
    c.check("no answer to any malformed datagram", all(quiet), quiet)
    after = unit.counters()
    # shorter than the header counts as truncated, with the oversized
    c.check("3 malformed and 3 truncated/oversized counted",
            (after["malformed"] - before["malformed"],
             after["oversized"] - before["oversized"]) == (3, 3),
            (before, after))


def flood_leaves_others_answered(c, port):
    flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flood.bind(("127.0.0.2", 0))
    # what the socket buffer drops never reaches the counter
    for i in range(3000):
        flood.sendto(header(1, i), ("127.0.0.1", port))
    rc, out, _ = tool("discover", "--json", "--counters", "--timeout",
                      "1000", f"127.0.0.1:{port}")
    units = json.loads(out) if rc == 0 else []
    c.check("another source is still answered during a flood",
            len(units) == 1, (rc, out))
    c.check("the flood was rate-limited", units and
            units[0]["counters"]["rate_limited"] >= 100, out)
    flood.close()


def main():
    c = Checks()
    port = free_port()
    d = Daemon(extra=f"[discovery]\nenabled = yes\nbind = 127.0.0.1\n"
               f"port = {port}\n")
    try:
        d.start()
        locate_finds_the_unit(c, d, port)
        set_address_with_tool(c, d, port)
        replayed_forged_stale_change_nothing(c, d, port)
        malformed_dropped_and_counted(c, port)
        flood_leaves_others_answered(c, port)
        c.check("a loopback unit never broadcasts (log says unicast only)",
                "(unicast only)" in d.log(), d.log())
    finally:
        d.cleanup()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
