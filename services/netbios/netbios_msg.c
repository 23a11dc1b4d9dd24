/* SPDX-License-Identifier: MIT */
/*
 * NetBIOS name service codec (RFC 1002 §4.2): names in first-level
 * encoding (§4.1, each nibble + 'A') with an optional scope ID, read
 * through one bounded reader; labels <= 63 bytes, names <= 255, and
 * compression pointers only backwards (each before the last) with a hop
 * limit, so no datagram can make the parser loop or read out of bounds.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "netbios_msg.h"
#include "rd.h"
#include "wr.h"

#define NETBIOS_CLASS_IN	1
#define NETBIOS_ENCODED_LEN	32	/* 16 bytes, two letters each */
#define NETBIOS_STATS_LEN	46	/* unit ID (MAC) + statistics */

/*
 * The 16 raw bytes of a name: trailing blanks (or, for "*", NULs) are
 * padding; a NUL followed by anything but NULs is not a name.
 */
static int
name_from_raw(const uint8_t raw[16], struct netbios_name *n)
{
	size_t len = NETBIOS_NAME_CHARS;

	for (size_t i = 0; i < NETBIOS_NAME_CHARS; i++)
		if (raw[i] == 0) {
			for (size_t j = i; j < NETBIOS_NAME_CHARS; j++)
				if (raw[j] != 0)
					return -EBADMSG;
			len = i;
			break;
		}
	while (len > 0 && raw[len - 1] == ' ')
		len--;
	memset(n->name, 0, sizeof n->name);
	memcpy(n->name, raw, len);
	n->suffix = raw[NETBIOS_NAME_CHARS];
	return 0;
}

/* First-level decoding of the first label (RFC 1001 §14.1). */
static int
name_decode_first(const uint8_t *label, size_t len, struct netbios_name *n)
{
	uint8_t raw[16];

	if (len != NETBIOS_ENCODED_LEN)
		return -EBADMSG;
	for (size_t i = 0; i < 16; i++) {
		uint8_t hi = label[2 * i], lo = label[2 * i + 1];

		if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
			return -EBADMSG;
		raw[i] = (uint8_t)((hi - 'A') << 4 | (lo - 'A'));
	}
	return name_from_raw(raw, n);
}

/* A scope label: printable, no dots (they separate labels). */
static bool
scope_label_ok(const uint8_t *p, size_t len)
{
	if (len == 0 || len > NETBIOS_LABEL_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '.')
			return false;
	return true;
}

static int
scope_append(struct netbios_name *n, const uint8_t *label, size_t len)
{
	size_t have = strlen(n->scope);

	if (!scope_label_ok(label, len) || have + (have ? 1 : 0) + len >
	    NETBIOS_SCOPE_MAX)
		return -EBADMSG;
	if (have)
		n->scope[have++] = '.';
	memcpy(n->scope + have, label, len);
	n->scope[have + len] = '\0';
	return 0;
}

/*
 * Read a (possibly compressed) name. A pointer must point before the
 * previous one (or before the name's own start), so every jump goes
 * strictly backwards; at most NETBIOS_MSG_HOPS of them.
 */
static int
read_name(struct rd *r, struct netbios_name *n)
{
	size_t len = (size_t)(r->end - r->start), cur, limit, total = 0;
	unsigned hops = 0, labels = 0;
	bool jumped = false;

	if (!rd_ok(r))
		return -EBADMSG;
	memset(n, 0, sizeof *n);
	cur = limit = (size_t)(r->p - r->start);
	for (;;) {
		uint8_t b;

		if (cur >= len)
			return -EBADMSG;
		b = r->start[cur];
		if ((b & 0xc0) == 0xc0) {
			size_t to;

			if (cur + 1 >= len || ++hops > NETBIOS_MSG_HOPS)
				return -EBADMSG;
			to = (size_t)(b & 0x3f) << 8 | r->start[cur + 1];
			if (to >= limit)
				return -EBADMSG;
			if (!jumped)
				r->p = r->start + cur + 2;
			jumped = true;
			cur = limit = to;
			continue;
		}
		if (b > NETBIOS_LABEL_MAX)	/* 0x40 and 0x80: reserved */
			return -EBADMSG;
		total += 1u + b;
		if (total > NETBIOS_DNAME_MAX || cur + 1 + b > len)
			return -EBADMSG;
		if (b == 0)
			break;
		if ((labels++ == 0 ? name_decode_first(r->start + cur + 1, b,
		    n) : scope_append(n, r->start + cur + 1, b)) < 0)
			return -EBADMSG;
		cur += 1u + b;
	}
	if (labels == 0)
		return -EBADMSG;
	if (!jumped)
		r->p = r->start + cur + 1;
	return 0;
}

static int
parse_nb(struct rd *v, size_t rdlen, struct netbios_msg *m)
{
	if (NETBIOS_OPCODE(m->flags) == NETBIOS_OP_WACK) {
		if (rdlen != 2)
			return -EBADMSG;
		m->wack_flags = (uint16_t)rd_be(v, 2);
		return 0;
	}
	if (rdlen % 6 != 0 || rdlen / 6 > NETBIOS_MSG_NB_MAX)
		return -EBADMSG;
	m->n_nb = rdlen / 6;
	for (size_t i = 0; i < m->n_nb; i++) {
		m->nb[i].flags = rd_u16be(v);
		rd_bytes(v, &m->nb[i].addr, 4);
	}
	return 0;
}

/* NODE STATUS RESPONSE rdata (§4.2.18): names, then at least the MAC. */
static int
parse_nbstat(struct rd *v, struct netbios_msg *m)
{
	m->n_names = rd_u8(v);
	if (m->n_names > NETBIOS_MSG_STATUS_MAX ||
	    !(m->flags & NETBIOS_F_RESPONSE))
		return -EBADMSG;
	for (size_t i = 0; i < m->n_names && rd_ok(v); i++) {
		struct netbios_name n;

		if (rd_left(v) < 18 || name_from_raw(v->p, &n) < 0)
			return -EBADMSG;
		rd_skip(v, 16);
		memcpy(m->names[i].name, n.name, sizeof n.name);
		m->names[i].suffix = n.suffix;
		m->names[i].flags = rd_u16be(v);
	}
	rd_bytes(v, m->mac, sizeof m->mac);
	if (!rd_ok(v))
		return -EBADMSG;
	rd_skip(v, rd_left(v));	/* statistics: not ours to read */
	return 0;
}

static int
parse_rr(struct rd *r, struct netbios_msg *m)
{
	struct rd v;
	size_t rdlen;
	int rc;

	if (read_name(r, &m->rrname) < 0)
		return -EBADMSG;
	m->has_rr = true;
	m->rrtype = rd_u16be(r);
	if (rd_u16be(r) != NETBIOS_CLASS_IN)
		return -EBADMSG;
	m->ttl = rd_u32be(r);
	rdlen = rd_u16be(r);
	v = rd_sub(r, rdlen);
	if (!rd_ok(r))
		return -EBADMSG;
	switch (m->rrtype) {
	case NETBIOS_T_NB:
		rc = parse_nb(&v, rdlen, m);
		break;
	case NETBIOS_T_NBSTAT:
		rc = parse_nbstat(&v, m);
		break;
	case NETBIOS_T_NULL:
		rc = rdlen == 0 ? 0 : -EBADMSG;
		break;
	default:
		rc = -EBADMSG;
	}
	return rc < 0 || !rd_ok(&v) || rd_left(&v) != 0 ? -EBADMSG : 0;
}

/*
 * RFC 1002's shapes: a request has one question and, if it registers,
 * refreshes or releases, one NB record in the additional section; a
 * response has no question and at most one answer.
 */
static int
counts_ok(uint16_t flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	unsigned op = NETBIOS_OPCODE(flags);
	bool with_rr = op == NETBIOS_OP_REGISTER || op ==
	    NETBIOS_OP_RELEASE || op == NETBIOS_OP_REFRESH || op ==
	    NETBIOS_OP_REFRESH_ALT || op == NETBIOS_OP_MULTIHOMED;

	if (op != NETBIOS_OP_QUERY && op != NETBIOS_OP_WACK && !with_rr)
		return -EBADMSG;
	if (ns != 0)
		return -EBADMSG;
	if (flags & NETBIOS_F_RESPONSE)
		return qd == 0 && ar == 0 && an <= 1 ? 0 : -EBADMSG;
	if (op == NETBIOS_OP_WACK || qd != 1 || an != 0)
		return -EBADMSG;
	return ar == (with_rr ? 1u : 0u) ? 0 : -EBADMSG;
}

int
netbios_msg_parse(const uint8_t *buf, size_t len, struct netbios_msg *m)
{
	struct rd r;
	unsigned qd, an, ns, ar;

	memset(m, 0, sizeof *m);
	if (len < NETBIOS_MSG_HEADER || len > NETBIOS_MSG_MAX)
		return -EBADMSG;
	rd_init(&r, buf, len);
	m->xid = rd_u16be(&r);
	m->flags = rd_u16be(&r);
	qd = rd_u16be(&r);
	an = rd_u16be(&r);
	ns = rd_u16be(&r);
	ar = rd_u16be(&r);
	if (counts_ok(m->flags, qd, an, ns, ar) < 0)
		return -EBADMSG;
	if (qd == 1) {
		if (read_name(&r, &m->qname) < 0)
			return -EBADMSG;
		m->has_question = true;
		m->qtype = rd_u16be(&r);
		if ((m->qtype != NETBIOS_T_NB && m->qtype !=
		    NETBIOS_T_NBSTAT) || rd_u16be(&r) != NETBIOS_CLASS_IN)
			return -EBADMSG;
	}
	if (an + ar == 1 && parse_rr(&r, m) < 0)
		return -EBADMSG;
	/* a WACK answers with its NB record; a datagram ends at its last RR */
	if (NETBIOS_OPCODE(m->flags) == NETBIOS_OP_WACK &&
	    (!m->has_rr || m->rrtype != NETBIOS_T_NB))
		return -EBADMSG;
	return !rd_ok(&r) || rd_left(&r) != 0 ? -EBADMSG : 0;
}

int
netbios_msg_name(struct netbios_name *n, const char *name, uint8_t suffix)
{
	size_t len = strlen(name);

	memset(n, 0, sizeof *n);
	if (len > NETBIOS_NAME_CHARS)
		return -EINVAL;
	memcpy(n->name, name, len);
	n->suffix = suffix;
	return 0;
}

bool
netbios_msg_name_eq(const struct netbios_name *a,
    const struct netbios_name *b)
{
	return a->suffix == b->suffix && strcasecmp(a->name, b->name) == 0 &&
	    strcasecmp(a->scope, b->scope) == 0;
}

/* The 16 raw bytes: blanks pad a name, NULs pad the wildcard "*". */
static void
name_to_raw(const char *name, uint8_t suffix, uint8_t raw[16])
{
	size_t len = strlen(name);

	memset(raw, strcmp(name, "*") == 0 ? 0 : ' ', NETBIOS_NAME_CHARS);
	memcpy(raw, name, len);
	raw[NETBIOS_NAME_CHARS] = suffix;
}

static void
write_name(struct wr *w, const struct netbios_name *n)
{
	uint8_t raw[16], enc[1 + NETBIOS_ENCODED_LEN];
	const char *s = n->scope;
	size_t total = sizeof enc + 1;

	if (strlen(n->name) > NETBIOS_NAME_CHARS) {
		wr_fail(w);
		return;
	}
	name_to_raw(n->name, n->suffix, raw);
	enc[0] = NETBIOS_ENCODED_LEN;
	for (size_t i = 0; i < 16; i++) {
		enc[1 + 2 * i] = (uint8_t)('A' + (raw[i] >> 4));
		enc[2 + 2 * i] = (uint8_t)('A' + (raw[i] & 0xf));
	}
	wr_bytes(w, enc, sizeof enc);
	while (*s != '\0' && wr_ok(w)) {
		size_t l = strcspn(s, ".");
		uint8_t b = (uint8_t)l;

		total += 1 + l;
		if (!scope_label_ok((const uint8_t *)s, l) ||
		    total > NETBIOS_DNAME_MAX) {
			wr_fail(w);
			return;
		}
		wr_bytes(w, &b, 1);
		wr_bytes(w, s, l);
		s += l + (s[l] == '.');
	}
	wr_be(w, 0, 1);
}

static void
write_rdata(struct wr *w, const struct netbios_msg *m)
{
	size_t rdlen;

	if (m->rrtype == NETBIOS_T_NB && NETBIOS_OPCODE(m->flags) ==
	    NETBIOS_OP_WACK) {
		wr_be(w, 2, 2);
		wr_be(w, m->wack_flags, 2);
	} else if (m->rrtype == NETBIOS_T_NB && m->n_nb <=
	    NETBIOS_MSG_NB_MAX) {
		wr_be(w, (uint32_t)(6 * m->n_nb), 2);
		for (size_t i = 0; i < m->n_nb; i++) {
			wr_be(w, m->nb[i].flags, 2);
			wr_bytes(w, &m->nb[i].addr, 4);
		}
	} else if (m->rrtype == NETBIOS_T_NBSTAT && m->n_names <=
	    NETBIOS_MSG_STATUS_MAX) {
		static const uint8_t zeros[NETBIOS_STATS_LEN];

		rdlen = 1 + 18 * m->n_names + NETBIOS_STATS_LEN;
		wr_be(w, (uint32_t)rdlen, 2);
		wr_be(w, (uint32_t)m->n_names, 1);
		for (size_t i = 0; i < m->n_names; i++) {
			uint8_t raw[16];

			if (strlen(m->names[i].name) > NETBIOS_NAME_CHARS)
				wr_fail(w);
			else
				name_to_raw(m->names[i].name,
				    m->names[i].suffix, raw);
			wr_bytes(w, raw, sizeof raw);
			wr_be(w, m->names[i].flags, 2);
		}
		wr_bytes(w, m->mac, sizeof m->mac);
		wr_bytes(w, zeros, NETBIOS_STATS_LEN - sizeof m->mac);
	} else if (m->rrtype == NETBIOS_T_NULL) {
		wr_be(w, 0, 2);
	} else {
		wr_fail(w);
	}
}

static void
write_rr(struct wr *w, const struct netbios_msg *m)
{
	/* the record names the question's name: point at it (offset 12) */
	if (m->has_question && memcmp(&m->qname, &m->rrname,
	    sizeof m->qname) == 0)
		wr_be(w, 0xc000 | NETBIOS_MSG_HEADER, 2);
	else
		write_name(w, &m->rrname);
	wr_be(w, m->rrtype, 2);
	wr_be(w, NETBIOS_CLASS_IN, 2);
	wr_be(w, m->ttl, 4);
	write_rdata(w, m);
}

int
netbios_msg_encode(const struct netbios_msg *m, uint8_t *buf, size_t len)
{
	struct wr w;
	bool response = m->flags & NETBIOS_F_RESPONSE;

	wr_init(&w, buf, len > NETBIOS_MSG_MAX ? NETBIOS_MSG_MAX : len);
	wr_be(&w, m->xid, 2);
	wr_be(&w, m->flags, 2);
	wr_be(&w, m->has_question, 2);
	wr_be(&w, response && m->has_rr, 2);
	wr_be(&w, 0, 2);
	wr_be(&w, !response && m->has_rr, 2);
	if (m->has_question) {
		write_name(&w, &m->qname);
		wr_be(&w, m->qtype, 2);
		wr_be(&w, NETBIOS_CLASS_IN, 2);
	}
	if (m->has_rr)
		write_rr(&w, m);
	if (!wr_ok(&w))
		return w.full ? -ENOSPC : -EINVAL;
	return (int)wr_len(&w);
}
