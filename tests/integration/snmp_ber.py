# SPDX-License-Identifier: MIT
"""Hand-encoded SNMP v2c GetRequests (BER) for tests and bench/snmp: raw
UDP packets without the net-snmp tools, so a flood or a benchmark costs
no process per request."""


def tlv(tag, body):
    n = len(body)
    ln = bytes([n]) if n < 128 else bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + ln + body


def oid_bytes(oid):
    arcs = [int(x) for x in oid.strip(".").split(".")]
    body = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        enc = [a & 0x7f]
        a >>= 7
        while a:
            enc.insert(0, 0x80 | (a & 0x7f))
            a >>= 7
        body += bytes(enc)
    return body


def get_request(community, reqid, oid="1.3.6.1.2.1.1.5.0"):
    """A v2c GetRequest for one OID; reqid in 0..2**31-1."""
    vb = tlv(0x30, tlv(0x06, oid_bytes(oid)) + b"\x05\x00")
    pdu = tlv(0xa0, tlv(0x02, reqid.to_bytes(4, "big")) + b"\x02\x01\x00"
              + b"\x02\x01\x00" + tlv(0x30, vb))
    return tlv(0x30, b"\x02\x01\x01" + tlv(0x04, community.encode()) + pdu)


def reply_reqid(packet, community):
    """The request id of a response to get_request(community, ...), or
    None if the packet is not one (short, other community, not 0xa2)."""
    head = b"\x02\x01\x01" + tlv(0x04, community.encode())
    i = packet.find(head)
    if i < 0:
        return None
    i += len(head)
    if i + 2 > len(packet) or packet[i] != 0xa2:
        return None
    i += 2 if packet[i + 1] < 128 else 2 + (packet[i + 1] & 0x7f)
    if i + 2 > len(packet) or packet[i] != 0x02 or packet[i + 1] > 4:
        return None
    return int.from_bytes(packet[i + 2:i + 2 + packet[i + 1]], "big",
                          signed=True)
