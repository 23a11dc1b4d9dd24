/* SPDX-License-Identifier: MIT */
/*
 * NetBIOS name service packets (RFC 1002 §4.2) on UDP 137: a 12-byte
 * header, at most one question and one resource record. Pure codec:
 * bytes to struct and back, no sockets, locks, logging or clock.
 */
#ifndef CONVERGD_NETBIOS_MSG_H
#define CONVERGD_NETBIOS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETBIOS_MSG_PORT	137
#define NETBIOS_MSG_HEADER	12
#define NETBIOS_MSG_MAX		1024	/* largest datagram */
#define NETBIOS_NAME_CHARS	15	/* the 16th byte is the suffix */
#define NETBIOS_LABEL_MAX	63	/* RFC 1035 §2.3.4 */
#define NETBIOS_DNAME_MAX	255	/* whole encoded name */
#define NETBIOS_SCOPE_MAX	(NETBIOS_DNAME_MAX - 34)
#define NETBIOS_MSG_HOPS	4	/* compression pointers per name */
#define NETBIOS_MSG_NB_MAX	8	/* addresses in one NB record */
#define NETBIOS_MSG_STATUS_MAX	16	/* names in a node status */

/* The flags word: R, OPCODE, NM_FLAGS, RCODE (RFC 1002 §4.2.1.1). */
#define NETBIOS_F_RESPONSE	0x8000
#define NETBIOS_F_AA		0x0400
#define NETBIOS_F_TC		0x0200
#define NETBIOS_F_RD		0x0100
#define NETBIOS_F_RA		0x0080
#define NETBIOS_F_BROADCAST	0x0010
#define NETBIOS_OPCODE(f)	(((f) >> 11) & 0xf)
#define NETBIOS_RCODE(f)	((f) & 0xf)
#define NETBIOS_FLAGS(op)	((uint16_t)((op) << 11))

enum netbios_opcode {
	NETBIOS_OP_QUERY = 0,
	NETBIOS_OP_REGISTER = 5,
	NETBIOS_OP_RELEASE = 6,
	NETBIOS_OP_WACK = 7,
	NETBIOS_OP_REFRESH = 8,
	NETBIOS_OP_REFRESH_ALT = 9,	/* RFC 1002 errata; Windows */
	NETBIOS_OP_MULTIHOMED = 15,	/* Samba, Windows */
};

enum netbios_rcode {
	NETBIOS_RC_OK = 0,
	NETBIOS_RC_FMT = 1,
	NETBIOS_RC_SRV = 2,
	NETBIOS_RC_NAM = 3,	/* no such name */
	NETBIOS_RC_IMP = 4,
	NETBIOS_RC_RFS = 5,
	NETBIOS_RC_ACT = 6,	/* name active: registration refused */
	NETBIOS_RC_CFT = 7,	/* name in conflict */
};

enum netbios_rr_type {
	NETBIOS_T_NULL = 0x000a,	/* negative responses */
	NETBIOS_T_NB = 0x0020,
	NETBIOS_T_NBSTAT = 0x0021,
};

/* NB_FLAGS (RFC 1002 §4.2.1.3) and node status NAME_FLAGS (§4.2.18). */
#define NETBIOS_NB_GROUP	0x8000
#define NETBIOS_NB_ONT_B	0x0000
#define NETBIOS_NB_ONT_P	0x2000
#define NETBIOS_NB_ONT_H	0x6000
#define NETBIOS_NAME_DRG	0x1000
#define NETBIOS_NAME_CNF	0x0800
#define NETBIOS_NAME_ACT	0x0400
#define NETBIOS_NAME_PRM	0x0200

/*
 * A NetBIOS name: up to 15 bytes (trailing blanks of the wire form
 * dropped; "*" is the wildcard, padded with NULs on the wire), the
 * suffix byte, and a scope ID written with dots ("" = none).
 */
struct netbios_name {
	char name[NETBIOS_NAME_CHARS + 1];
	uint8_t suffix;
	char scope[NETBIOS_SCOPE_MAX + 1];
};

struct netbios_nb {
	uint16_t flags;		/* NB_FLAGS */
	uint32_t addr;		/* network order */
};

struct netbios_status_name {
	char name[NETBIOS_NAME_CHARS + 1];
	uint8_t suffix;
	uint16_t flags;		/* NAME_FLAGS */
};

/*
 * A whole packet. A request carries its question and, for register,
 * refresh and release, its record in the additional section; a
 * response carries its record in the answer section.
 */
struct netbios_msg {
	uint16_t xid;
	uint16_t flags;		/* NETBIOS_F_*, opcode, rcode */
	bool has_question;
	struct netbios_name qname;
	uint16_t qtype;		/* NB or NBSTAT; class is always IN */
	bool has_rr;
	struct netbios_name rrname;
	uint16_t rrtype;	/* NB, NBSTAT or NULL */
	uint32_t ttl;
	size_t n_nb;		/* NB: addresses */
	struct netbios_nb nb[NETBIOS_MSG_NB_MAX];
	uint16_t wack_flags;	/* WACK: the flags of the request */
	size_t n_names;		/* NBSTAT: names, then the unit ID */
	struct netbios_status_name names[NETBIOS_MSG_STATUS_MAX];
	uint8_t mac[6];
};

/*
 * Parse one datagram. 0, or -EBADMSG for anything malformed: lying
 * lengths, bad labels, forward or looping pointers, counts other than
 * RFC 1002's shapes, bytes left over.
 */
int netbios_msg_parse(const uint8_t *buf, size_t len, struct netbios_msg *m)
    __attribute__((warn_unused_result));
/*
 * Encode `m` into buf: the length, or -EINVAL (a name or scope that
 * cannot be written) or -ENOSPC. The record's name is a pointer to the
 * question's when both are the same name.
 */
int netbios_msg_encode(const struct netbios_msg *m, uint8_t *buf,
    size_t len) __attribute__((warn_unused_result));
/* Fill `n` from "NAME" and a suffix; -EINVAL if longer than 15 bytes. */
int netbios_msg_name(struct netbios_name *n, const char *name,
    uint8_t suffix);
/* Same name, suffix and scope, names compared without case. */
bool netbios_msg_name_eq(const struct netbios_name *a,
    const struct netbios_name *b);

#endif
