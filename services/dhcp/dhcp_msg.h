/* SPDX-License-Identifier: MIT */
/*
 * DHCPv4 client wire format (RFC 2131 §2, options per RFC 2132, split
 * options per RFC 3396), the IPv4/UDP frame a raw socket sees around it,
 * and the ARP packets of an RFC 5227 address probe. Pure codec: bytes to
 * structs and back, no sockets, locks, logging or clock.
 */
#ifndef CONVERGD_DHCP_MSG_H
#define CONVERGD_DHCP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_MSG_SERVER_PORT	67
#define DHCP_MSG_CLIENT_PORT	68
#define DHCP_MSG_FIXED		236	/* BOOTP header up to the options */
#define DHCP_MSG_MIN		240	/* ... plus the magic cookie */
#define DHCP_MSG_MAX		1472	/* a 1500-byte frame's UDP payload */
#define DHCP_MSG_BOOTP_MIN	300	/* what we send at least (RFC 1542) */
#define DHCP_MSG_FRAME_MAX	(20 + 8 + DHCP_MSG_MAX)
#define DHCP_MSG_ARP_LEN	28
#define DHCP_MSG_ROUTERS	4
#define DHCP_MSG_DNS		4
#define DHCP_MSG_TEXT		256	/* any text option fits, NUL incl. */
#define DHCP_MSG_CLIENT_ID	32
#define DHCP_MSG_BROADCAST	0x8000	/* flags: answer by broadcast */

enum dhcp_msg_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER,
	DHCP_REQUEST,
	DHCP_DECLINE,
	DHCP_ACK,
	DHCP_NAK,
	DHCP_RELEASE,
	DHCP_INFORM,
};

/* Option codes this client reads or writes (RFC 2132). */
enum dhcp_opt {
	DHCP_O_PAD = 0,
	DHCP_O_MASK = 1,
	DHCP_O_ROUTER = 3,
	DHCP_O_DNS = 6,
	DHCP_O_HOSTNAME = 12,
	DHCP_O_DOMAIN = 15,
	DHCP_O_REQUESTED = 50,
	DHCP_O_LEASE = 51,
	DHCP_O_OVERLOAD = 52,
	DHCP_O_TYPE = 53,
	DHCP_O_SERVER_ID = 54,
	DHCP_O_PARAMS = 55,
	DHCP_O_MESSAGE = 56,
	DHCP_O_MAX_SIZE = 57,
	DHCP_O_T1 = 58,
	DHCP_O_T2 = 59,
	DHCP_O_VENDOR_CLASS = 60,
	DHCP_O_CLIENT_ID = 61,
	DHCP_O_END = 255,
};

/* `has` bits: which options were present (and well-formed). */
#define DHCP_HAS(o) (UINT64_C(1) << ((o) & 63))
#define DHCP_HAS_BIT(o) ((o) < 64 ? DHCP_HAS(o) : 0)

/*
 * One message. Addresses are in network byte order, times in seconds.
 * Text fields are printable ASCII and NUL-terminated.
 */
struct dhcp_msg {
	uint8_t op;			/* 1 request, 2 reply */
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[6];		/* Ethernet only (htype 1, hlen 6) */
	uint64_t has;			/* DHCP_HAS(option) */
	uint8_t type;			/* enum dhcp_msg_type */
	uint32_t mask, server_id, requested;
	uint32_t lease_s, t1_s, t2_s;
	uint32_t routers[DHCP_MSG_ROUTERS];
	uint8_t nrouters;
	uint32_t dns[DHCP_MSG_DNS];
	uint8_t ndns;
	char domain[DHCP_MSG_TEXT];
	char hostname[DHCP_MSG_TEXT];
	char vendor_class[DHCP_MSG_TEXT];
	char message[DHCP_MSG_TEXT];
	uint8_t client_id[DHCP_MSG_CLIENT_ID];
	uint8_t client_id_len;
	uint16_t max_size;
	uint8_t params[16];		/* parameter request list (sent) */
	uint8_t nparams;
};

/*
 * Parse a BOOTP/DHCP payload: fixed header, cookie, then the options
 * field, `file` and `sname` as option 52 says, each option's pieces
 * concatenated (RFC 3396) before its typed check. 0, or -EBADMSG for
 * anything malformed (nothing of `m` is to be used then).
 */
int dhcp_msg_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
    __attribute__((warn_unused_result));
/*
 * Encode `m` (op, xid, secs, flags, ciaddr, chaddr and the options in
 * `has`), padded to DHCP_MSG_BOOTP_MIN. Bytes written, or -ENOSPC.
 */
int dhcp_msg_encode(const struct dhcp_msg *m, uint8_t *buf, size_t cap)
    __attribute__((warn_unused_result));

/* Where a frame came from and went to (network order). */
struct dhcp_msg_frame {
	uint32_t src, dst;
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len;
};
/*
 * Check an IPv4 packet (no link header) as a raw socket gives it: header
 * checksum, no fragments, UDP with a consistent length and checksum.
 * 0 and the payload in `f`; -EBADMSG malformed; -ENOENT well-formed but
 * not UDP (then ignore it quietly).
 */
int dhcp_msg_frame_parse(const uint8_t *buf, size_t len,
    struct dhcp_msg_frame *f) __attribute__((warn_unused_result));
/* Wrap f->payload in IPv4 + UDP headers; bytes written or -ENOSPC. */
int dhcp_msg_frame_build(const struct dhcp_msg_frame *f, uint8_t *buf,
    size_t cap) __attribute__((warn_unused_result));

/* An Ethernet/IPv4 ARP packet (RFC 826); addresses in network order. */
struct dhcp_msg_arp {
	uint16_t op;			/* 1 request, 2 reply */
	uint8_t sha[6], tha[6];
	uint32_t spa, tpa;
};
int dhcp_msg_arp_parse(const uint8_t *buf, size_t len,
    struct dhcp_msg_arp *a) __attribute__((warn_unused_result));
/* Always DHCP_MSG_ARP_LEN bytes, or -ENOSPC. */
int dhcp_msg_arp_build(const struct dhcp_msg_arp *a, uint8_t *buf,
    size_t cap) __attribute__((warn_unused_result));

const char *dhcp_msg_type_name(unsigned type);

#endif
