/* SPDX-License-Identifier: MIT */
/*
 * DHCPv4 codec (RFC 2131 §2 and §4.1, RFC 2132 options, RFC 3396 split
 * options), the IPv4/UDP frame around it and RFC 826 ARP. Everything is
 * read through one bounded reader with a sticky error flag; options are
 * first collected (options field, then `file`, then `sname` as option 52
 * says), then each known one is concatenated and checked for its exact
 * length (style.md "Parsing bytes from the network").
 */
#include <errno.h>
#include <string.h>

#include "dhcp_msg.h"
#include "rd.h"
#include "wr.h"

#define DHCP_COOKIE	0x63825363u
#define DHCP_OCC_MAX	512	/* option pieces one message may carry */

/* Network-order 32 bits as they are on the wire (addresses). */
static uint32_t
rd_addr(struct rd *r)
{
	uint32_t v;

	rd_bytes(r, &v, 4);
	return v;
}

/* ---- options: collect pieces, then concatenate per code ---- */

struct dhcp_occ {
	uint8_t code, len;
	const uint8_t *val;
};

struct dhcp_opts {
	struct dhcp_occ occ[DHCP_OCC_MAX];
	size_t n;
};

/* One option area up to END (or its end); false if malformed. */
static bool
opts_collect(struct rd *r, struct dhcp_opts *o, bool top)
{
	while (rd_left(r) > 0) {
		uint8_t code = rd_u8(r), len;
		struct rd v;

		if (code == DHCP_O_PAD)
			continue;
		if (code == DHCP_O_END)
			return true;	/* what follows is padding */
		len = rd_u8(r);
		v = rd_sub(r, len);
		if (!rd_ok(r) || o->n == DHCP_OCC_MAX)
			return false;
		/* only the options field may overload the others */
		if (code == DHCP_O_OVERLOAD && !top)
			return false;
		o->occ[o->n++] = (struct dhcp_occ){ code, len, v.p };
	}
	return rd_ok(r);
}

/*
 * All pieces of `code` concatenated (RFC 3396) into out[cap]: the total
 * length, -1 if absent, -2 if over cap.
 */
static int
opts_get(const struct dhcp_opts *o, uint8_t code, uint8_t *out, size_t cap)
{
	size_t len = 0;
	bool found = false;

	for (size_t i = 0; i < o->n; i++) {
		if (o->occ[i].code != code)
			continue;
		if (len + o->occ[i].len > cap)
			return -2;
		memcpy(out + len, o->occ[i].val, o->occ[i].len);
		len += o->occ[i].len;
		found = true;
	}
	return found ? (int)len : -1;
}

enum opt_kind {
	OK_U8,		/* exactly 1 byte */
	OK_U16,		/* exactly 2 */
	OK_U32,		/* exactly 4, host order */
	OK_ADDR,	/* exactly 4, network order */
	OK_ADDRS,	/* 4*n, n >= 1; up to `max` kept */
	OK_TEXT,	/* 1..255 printable */
	OK_BYTES,	/* min..max bytes */
};

struct opt_row {
	uint8_t code;
	enum opt_kind kind;
	size_t off, count_off;	/* field; count field (ADDRS, BYTES) */
	unsigned min, max;
};

#define F(f) offsetof(struct dhcp_msg, f)
static const struct opt_row opt_rows[] = {
	{ DHCP_O_TYPE, OK_U8, F(type), 0, 1, 8 },
	{ DHCP_O_MASK, OK_ADDR, F(mask), 0, 0, 0 },
	{ DHCP_O_ROUTER, OK_ADDRS, F(routers), F(nrouters), 1,
	    DHCP_MSG_ROUTERS },
	{ DHCP_O_DNS, OK_ADDRS, F(dns), F(ndns), 1, DHCP_MSG_DNS },
	{ DHCP_O_HOSTNAME, OK_TEXT, F(hostname), 0, 0, 0 },
	{ DHCP_O_DOMAIN, OK_TEXT, F(domain), 0, 0, 0 },
	{ DHCP_O_REQUESTED, OK_ADDR, F(requested), 0, 0, 0 },
	{ DHCP_O_LEASE, OK_U32, F(lease_s), 0, 0, 0 },
	{ DHCP_O_SERVER_ID, OK_ADDR, F(server_id), 0, 0, 0 },
	{ DHCP_O_PARAMS, OK_BYTES, F(params), F(nparams), 1, 16 },
	{ DHCP_O_MESSAGE, OK_TEXT, F(message), 0, 0, 0 },
	{ DHCP_O_MAX_SIZE, OK_U16, F(max_size), 0, 576, 65535 },
	{ DHCP_O_T1, OK_U32, F(t1_s), 0, 0, 0 },
	{ DHCP_O_T2, OK_U32, F(t2_s), 0, 0, 0 },
	{ DHCP_O_VENDOR_CLASS, OK_TEXT, F(vendor_class), 0, 0, 0 },
	{ DHCP_O_CLIENT_ID, OK_BYTES, F(client_id), F(client_id_len), 2,
	    DHCP_MSG_CLIENT_ID },
};
#undef F

static bool
text_ok(const uint8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return false;
	return n > 0;
}

/* One option's concatenated value `v[n]` into its field. */
static bool
opt_store(const struct opt_row *row, const uint8_t *v, size_t n,
    struct dhcp_msg *m)
{
	uint8_t *f = (uint8_t *)m + row->off;
	struct rd r;
	uint32_t u;
	uint16_t s;

	rd_init(&r, v, n);
	switch (row->kind) {
	case OK_U8:
		if (n != 1 || v[0] < row->min || v[0] > row->max)
			return false;
		*f = v[0];
		return true;
	case OK_U16:
		s = rd_u16be(&r);
		if (n != 2 || s < row->min || s > row->max)
			return false;
		memcpy(f, &s, sizeof s);
		return true;
	case OK_U32:
	case OK_ADDR:
		u = row->kind == OK_U32 ? rd_u32be(&r) : rd_addr(&r);
		if (n != 4)
			return false;
		memcpy(f, &u, sizeof u);
		return true;
	case OK_ADDRS:
		if (n < 4 || n % 4 != 0)
			return false;
		n /= 4;
		if (n > row->max)
			n = row->max;	/* the first ones are preferred */
		memcpy(f, v, 4 * n);
		*((uint8_t *)m + row->count_off) = (uint8_t)n;
		return true;
	case OK_TEXT:
		if (n >= DHCP_MSG_TEXT || !text_ok(v, n))
			return false;
		memcpy(f, v, n);
		f[n] = '\0';
		return true;
	case OK_BYTES:
		if (n < row->min || n > row->max)
			return false;
		memcpy(f, v, n);
		*((uint8_t *)m + row->count_off) = (uint8_t)n;
		return true;
	}
	return false;
}

static bool
opts_decode(const struct dhcp_opts *o, struct dhcp_msg *m)
{
	uint8_t val[DHCP_MSG_MAX];

	for (size_t i = 0; i < sizeof opt_rows / sizeof opt_rows[0]; i++) {
		const struct opt_row *row = &opt_rows[i];
		int n = opts_get(o, row->code, val, sizeof val);

		if (n == -1)
			continue;
		if (n < 0 || !opt_store(row, val, (size_t)n, m))
			return false;
		m->has |= DHCP_HAS_BIT(row->code);
	}
	return true;
}

/* Option 52: 1 = `file` holds options, 2 = `sname`, 3 = both. */
static int
opts_overload(const struct dhcp_opts *o)
{
	uint8_t v[DHCP_MSG_MAX];
	int n = opts_get(o, DHCP_O_OVERLOAD, v, sizeof v);

	if (n == -1)
		return 0;
	if (n != 1 || v[0] < 1 || v[0] > 3)
		return -1;
	return v[0];
}

/* The fixed BOOTP header (RFC 2131 figure 1) up to and with the cookie. */
static void
read_fixed(struct rd *r, struct dhcp_msg *m, struct rd *sname,
    struct rd *file, bool *shape_ok)
{
	uint8_t htype, hlen;

	m->op = rd_u8(r);
	htype = rd_u8(r);
	hlen = rd_u8(r);
	rd_skip(r, 1);			/* hops */
	m->xid = rd_u32be(r);
	m->secs = rd_u16be(r);
	m->flags = rd_u16be(r);
	m->ciaddr = rd_addr(r);
	m->yiaddr = rd_addr(r);
	m->siaddr = rd_addr(r);
	m->giaddr = rd_addr(r);
	rd_bytes(r, m->chaddr, sizeof m->chaddr);
	rd_skip(r, 16 - sizeof m->chaddr);
	*sname = rd_sub(r, 64);
	*file = rd_sub(r, 128);
	*shape_ok = (m->op == 1 || m->op == 2) && htype == 1 && hlen == 6 &&
	    rd_u32be(r) == DHCP_COOKIE;
}

int
dhcp_msg_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	struct dhcp_opts o;
	struct rd r, sname, file;
	bool shape_ok;
	int over;

	memset(m, 0, sizeof *m);
	rd_init(&r, buf, len);
	/* outer frame first: the fixed part and the cookie are all there */
	if (len < DHCP_MSG_MIN || len > DHCP_MSG_MAX)
		return -EBADMSG;
	read_fixed(&r, m, &sname, &file, &shape_ok);
	if (!rd_ok(&r) || !shape_ok)
		return -EBADMSG;
	o.n = 0;
	if (!opts_collect(&r, &o, true) || (over = opts_overload(&o)) < 0)
		return -EBADMSG;
	/* RFC 2131 §4.1: `file` first, then `sname` */
	if ((over & 1) && !opts_collect(&file, &o, false))
		return -EBADMSG;
	if ((over & 2) && !opts_collect(&sname, &o, false))
		return -EBADMSG;
	if (!opts_decode(&o, m))
		return -EBADMSG;
	return 0;
}

static void
wr_opt(struct wr *w, uint8_t code, const void *v, size_t n)
{
	wr_u8(w, code);
	wr_u8(w, (uint8_t)n);
	wr_bytes(w, v, n);
}

static void
wr_opt_u32(struct wr *w, uint8_t code, uint32_t v)
{
	wr_u8(w, code);
	wr_u8(w, 4);
	wr_u32be(w, v);
}

/* Long text (over 255) never occurs: the struct holds 255 at most. */
static void
wr_opt_text(struct wr *w, uint8_t code, const char *s)
{
	wr_opt(w, code, s, strnlen(s, DHCP_MSG_TEXT - 1));
}

static void
encode_options(const struct dhcp_msg *m, struct wr *w)
{
	uint8_t t = m->type;
	uint16_t ms = m->max_size;
	uint8_t msz[2] = { (uint8_t)(ms >> 8), (uint8_t)ms };

	if (m->has & DHCP_HAS(DHCP_O_TYPE))
		wr_opt(w, DHCP_O_TYPE, &t, 1);
	if (m->has & DHCP_HAS(DHCP_O_CLIENT_ID))
		wr_opt(w, DHCP_O_CLIENT_ID, m->client_id, m->client_id_len);
	if (m->has & DHCP_HAS(DHCP_O_REQUESTED))
		wr_opt(w, DHCP_O_REQUESTED, &m->requested, 4);
	if (m->has & DHCP_HAS(DHCP_O_SERVER_ID))
		wr_opt(w, DHCP_O_SERVER_ID, &m->server_id, 4);
	if (m->has & DHCP_HAS(DHCP_O_MAX_SIZE))
		wr_opt(w, DHCP_O_MAX_SIZE, msz, 2);
	if (m->has & DHCP_HAS(DHCP_O_HOSTNAME))
		wr_opt_text(w, DHCP_O_HOSTNAME, m->hostname);
	if (m->has & DHCP_HAS(DHCP_O_VENDOR_CLASS))
		wr_opt_text(w, DHCP_O_VENDOR_CLASS, m->vendor_class);
	if (m->has & DHCP_HAS(DHCP_O_PARAMS))
		wr_opt(w, DHCP_O_PARAMS, m->params, m->nparams);
	if (m->has & DHCP_HAS(DHCP_O_MESSAGE))
		wr_opt_text(w, DHCP_O_MESSAGE, m->message);
	/* server-side options: tests and the fuzz target round-trip them */
	if (m->has & DHCP_HAS(DHCP_O_MASK))
		wr_opt(w, DHCP_O_MASK, &m->mask, 4);
	if (m->has & DHCP_HAS(DHCP_O_ROUTER))
		wr_opt(w, DHCP_O_ROUTER, m->routers, 4u * m->nrouters);
	if (m->has & DHCP_HAS(DHCP_O_DNS))
		wr_opt(w, DHCP_O_DNS, m->dns, 4u * m->ndns);
	if (m->has & DHCP_HAS(DHCP_O_DOMAIN))
		wr_opt_text(w, DHCP_O_DOMAIN, m->domain);
	if (m->has & DHCP_HAS(DHCP_O_LEASE))
		wr_opt_u32(w, DHCP_O_LEASE, m->lease_s);
	if (m->has & DHCP_HAS(DHCP_O_T1))
		wr_opt_u32(w, DHCP_O_T1, m->t1_s);
	if (m->has & DHCP_HAS(DHCP_O_T2))
		wr_opt_u32(w, DHCP_O_T2, m->t2_s);
	wr_u8(w, DHCP_O_END);
}

int
dhcp_msg_encode(const struct dhcp_msg *m, uint8_t *buf, size_t cap)
{
	struct wr w;
	size_t n;

	wr_init(&w, buf, cap);
	wr_u8(&w, m->op);
	wr_u8(&w, 1);			/* Ethernet */
	wr_u8(&w, 6);
	wr_u8(&w, 0);			/* hops */
	wr_u32be(&w, m->xid);
	wr_u16be(&w, m->secs);
	wr_u16be(&w, m->flags);
	wr_bytes(&w, &m->ciaddr, 4);
	wr_bytes(&w, &m->yiaddr, 4);
	wr_bytes(&w, &m->siaddr, 4);
	wr_bytes(&w, &m->giaddr, 4);
	wr_bytes(&w, m->chaddr, 6);
	wr_zero(&w, 10 + 64 + 128);	/* chaddr padding, sname, file */
	wr_u32be(&w, DHCP_COOKIE);
	encode_options(m, &w);
	n = wr_ok(&w) ? wr_len(&w) : 0;
	if (wr_ok(&w) && n < DHCP_MSG_BOOTP_MIN)
		wr_zero(&w, DHCP_MSG_BOOTP_MIN - n);
	if (!wr_ok(&w) || wr_len(&w) > DHCP_MSG_MAX)
		return -ENOSPC;
	return (int)wr_len(&w);
}

/* ---- IPv4 + UDP frame ---- */

/* RFC 1071 sum of `n` bytes added to `sum` (not yet folded). */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP checksum with the IPv4 pseudo header over `udp[n]`. */
static uint16_t
udp_csum(uint32_t src, uint32_t dst, const uint8_t *udp, size_t n)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = (uint8_t)(n >> 8);
	ph[11] = (uint8_t)n;
	return csum_fold(csum_add(csum_add(0, ph, sizeof ph), udp, n));
}

static int
udp_parse(struct rd *r, uint32_t src, uint32_t dst, struct dhcp_msg_frame *f)
{
	const uint8_t *udp = r->p;
	size_t n = rd_left(r);
	uint16_t ulen, sum;

	f->sport = rd_u16be(r);
	f->dport = rd_u16be(r);
	ulen = rd_u16be(r);
	sum = rd_u16be(r);
	if (!rd_ok(r) || ulen != n)
		return -EBADMSG;
	if (sum != 0 && udp_csum(src, dst, udp, n) != 0)
		return -EBADMSG;
	f->src = src;
	f->dst = dst;
	f->payload = r->p;
	f->len = rd_left(r);
	return 0;
}

int
dhcp_msg_frame_parse(const uint8_t *buf, size_t len,
    struct dhcp_msg_frame *f)
{
	struct rd r, ip;
	uint8_t vihl, proto;
	uint16_t total, frag;
	uint32_t src, dst;
	size_t hl;

	memset(f, 0, sizeof *f);
	rd_init(&r, buf, len);
	vihl = rd_u8(&r);
	hl = (size_t)(vihl & 0x0f) * 4;
	rd_skip(&r, 1);
	total = rd_u16be(&r);
	if (!rd_ok(&r) || vihl >> 4 != 4 || hl < 20 || total < hl ||
	    total > len)
		return -EBADMSG;
	/* trailing link padding past `total` is not ours */
	rd_init(&r, buf, total);
	ip = rd_sub(&r, hl);
	if (csum_fold(csum_add(0, ip.p, hl)) != 0)
		return -EBADMSG;
	rd_skip(&ip, 6);
	frag = rd_u16be(&ip);
	rd_skip(&ip, 1);		/* ttl */
	proto = rd_u8(&ip);
	rd_skip(&ip, 2);
	src = rd_addr(&ip);
	dst = rd_addr(&ip);
	if (!rd_ok(&ip) || (frag & 0x3fff) != 0)
		return -EBADMSG;	/* fragments: never DHCP to us */
	if (proto != 17)
		return -ENOENT;
	return udp_parse(&r, src, dst, f);
}

int
dhcp_msg_frame_build(const struct dhcp_msg_frame *f, uint8_t *buf,
    size_t cap)
{
	size_t total = 20 + 8 + f->len;
	struct wr w;
	uint16_t sum;

	if (total > cap || total > 0xffff)
		return -ENOSPC;
	wr_init(&w, buf, cap);
	wr_u8(&w, 0x45);
	wr_u8(&w, 0x10);		/* TOS low delay, as other clients */
	wr_u16be(&w, (uint16_t)total);
	wr_u32be(&w, 0);			/* id, flags, fragment offset */
	wr_u8(&w, 64);
	wr_u8(&w, 17);
	wr_u16be(&w, 0);
	wr_bytes(&w, &f->src, 4);
	wr_bytes(&w, &f->dst, 4);
	sum = csum_fold(csum_add(0, buf, 20));
	buf[10] = (uint8_t)(sum >> 8);
	buf[11] = (uint8_t)sum;
	wr_u16be(&w, f->sport);
	wr_u16be(&w, f->dport);
	wr_u16be(&w, (uint16_t)(8 + f->len));
	wr_u16be(&w, 0);
	wr_bytes(&w, f->payload, f->len);
	if (!wr_ok(&w))
		return -ENOSPC;
	sum = udp_csum(f->src, f->dst, buf + 20, 8 + f->len);
	if (sum == 0)
		sum = 0xffff;		/* 0 means "no checksum" */
	buf[26] = (uint8_t)(sum >> 8);
	buf[27] = (uint8_t)sum;
	return (int)total;
}

/* ---- ARP ---- */

int
dhcp_msg_arp_parse(const uint8_t *buf, size_t len, struct dhcp_msg_arp *a)
{
	struct rd r;
	uint16_t htype, ptype;
	uint8_t hlen, plen;

	memset(a, 0, sizeof *a);
	rd_init(&r, buf, len);
	htype = rd_u16be(&r);
	ptype = rd_u16be(&r);
	hlen = rd_u8(&r);
	plen = rd_u8(&r);
	a->op = rd_u16be(&r);
	rd_bytes(&r, a->sha, 6);
	a->spa = rd_addr(&r);
	rd_bytes(&r, a->tha, 6);
	a->tpa = rd_addr(&r);
	if (!rd_ok(&r) || htype != 1 || ptype != 0x0800 || hlen != 6 ||
	    plen != 4 || (a->op != 1 && a->op != 2))
		return -EBADMSG;
	return 0;
}

int
dhcp_msg_arp_build(const struct dhcp_msg_arp *a, uint8_t *buf, size_t cap)
{
	struct wr w;

	wr_init(&w, buf, cap);
	wr_u16be(&w, 1);
	wr_u16be(&w, 0x0800);
	wr_u8(&w, 6);
	wr_u8(&w, 4);
	wr_u16be(&w, a->op);
	wr_bytes(&w, a->sha, 6);
	wr_bytes(&w, &a->spa, 4);
	wr_bytes(&w, a->tha, 6);
	wr_bytes(&w, &a->tpa, 4);
	return wr_ok(&w) ? DHCP_MSG_ARP_LEN : -ENOSPC;
}

const char *
dhcp_msg_type_name(unsigned type)
{
	static const char *const names[] = { "BOOTP", "DISCOVER", "OFFER",
		"REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM" };

	return type < sizeof names / sizeof names[0] ? names[type] : "?";
}
