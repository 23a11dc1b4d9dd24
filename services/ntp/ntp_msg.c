/* SPDX-License-Identifier: MIT */
/*
 * NTPv4 codec (RFC 5905 §7.3; extension fields RFC 7822 §7.5): the
 * outer frame is checked first (size range), the header read through a
 * bounded reader with a sticky error, and every extension field through
 * its own length, which must be a multiple of 4, at least 16 and inside
 * the datagram. What follows the fields may only be a legacy MAC.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ntp_msg.h"

struct ntp_rd {
	const uint8_t *p, *end;
	bool err;
};

/* n (<= 8) big-endian bytes; past the end sets err and reads 0. */
static uint64_t
ntp_rd_be(struct ntp_rd *r, size_t n)
{
	uint64_t v = 0;

	if (r->err || (size_t)(r->end - r->p) < n) {
		r->err = true;
		return 0;
	}
	while (n-- > 0)
		v = v << 8 | *r->p++;
	return v;
}

static void
ntp_put_be(uint8_t *out, uint64_t v, size_t n)
{
	while (n-- > 0) {
		out[n] = (uint8_t)v;
		v >>= 8;
	}
}

/*
 * Extension fields until only a MAC (4-byte key id + 16 or 20 bytes of
 * digest) or nothing is left. RFC 7822: a field is >= 16 bytes.
 */
static int
ntp_msg_skip_ext(struct ntp_rd *r, struct ntp_msg *m)
{
	while (r->p < r->end) {
		size_t left = (size_t)(r->end - r->p), flen;

		if (left == 20 || left == 24) {
			m->mac = true;
			return 0;
		}
		if (m->n_ext >= NTP_MSG_EXT_MAX)
			return -EBADMSG;
		(void)ntp_rd_be(r, 2);		/* field type: not ours */
		flen = (size_t)ntp_rd_be(r, 2);
		if (r->err || flen < 16 || flen % 4 != 0 || flen > left)
			return -EBADMSG;
		r->p += flen - 4;
		m->n_ext++;
	}
	return 0;
}

int
ntp_msg_parse(const uint8_t *buf, size_t len, struct ntp_msg *m)
{
	struct ntp_rd r = { buf, buf + len, false };
	uint8_t b0;

	memset(m, 0, sizeof *m);
	if (len > NTP_MSG_MAX)
		return -EMSGSIZE;
	if (buf == NULL || len < NTP_MSG_LEN || len % 4 != 0)
		return -EBADMSG;
	b0 = (uint8_t)ntp_rd_be(&r, 1);
	m->leap = b0 >> 6;
	m->version = (b0 >> 3) & 7;
	m->mode = b0 & 7;
	m->stratum = (uint8_t)ntp_rd_be(&r, 1);
	m->poll = (int8_t)ntp_rd_be(&r, 1);
	m->precision = (int8_t)ntp_rd_be(&r, 1);
	m->root_delay = (uint32_t)ntp_rd_be(&r, 4);
	m->root_disp = (uint32_t)ntp_rd_be(&r, 4);
	m->refid = (uint32_t)ntp_rd_be(&r, 4);
	m->ref = ntp_rd_be(&r, 8);
	m->org = ntp_rd_be(&r, 8);
	m->rec = ntp_rd_be(&r, 8);
	m->xmt = ntp_rd_be(&r, 8);
	/* versions 1 and 2 differ in meaning; 3 and 4 share the header */
	if (r.err || m->version < 3 || m->version > 4)
		return -EBADMSG;
	return ntp_msg_skip_ext(&r, m);
}

size_t
ntp_msg_encode(const struct ntp_msg *m, uint8_t out[NTP_MSG_LEN])
{
	out[0] = (uint8_t)((m->leap & 3) << 6 | (m->version & 7) << 3 |
	    (m->mode & 7));
	out[1] = m->stratum;
	out[2] = (uint8_t)m->poll;
	out[3] = (uint8_t)m->precision;
	ntp_put_be(out + 4, m->root_delay, 4);
	ntp_put_be(out + 8, m->root_disp, 4);
	ntp_put_be(out + 12, m->refid, 4);
	ntp_put_be(out + 16, m->ref, 8);
	ntp_put_be(out + 24, m->org, 8);
	ntp_put_be(out + 32, m->rec, 8);
	ntp_put_be(out + 40, m->xmt, 8);
	return NTP_MSG_LEN;
}

uint64_t
ntp_msg_ts_from_unix(int64_t sec, uint32_t nsec)
{
	/* the era number is dropped: only the low 32 bits are on the wire */
	uint64_t s = (uint64_t)(sec + NTP_MSG_UNIX_DELTA) & 0xffffffffu;
	uint64_t frac = ((uint64_t)nsec << 32) / 1000000000u;

	return s << 32 | frac;
}

int64_t
ntp_msg_ts_to_unix_ns(uint64_t ts, int64_t pivot_sec)
{
	const int64_t era = (int64_t)1 << 32;
	int64_t sec = (int64_t)(ts >> 32) - NTP_MSG_UNIX_DELTA;
	int64_t d = pivot_sec - sec;
	uint64_t ns = ((ts & 0xffffffffu) * 1000000000u) >> 32;

	/* whole eras that bring sec within half an era of the pivot */
	if (d > era / 2)
		sec += (d + era / 2) / era * era;
	else if (d < -era / 2)
		sec -= (-d + era / 2) / era * era;
	return sec * 1000000000LL + (int64_t)ns;
}

double
ntp_msg_short_sec(uint32_t v)
{
	return (double)v / 65536.0;
}

void
ntp_msg_refid_text(const struct ntp_msg *m, char *out, size_t len)
{
	uint32_t id = m->refid;

	if (m->stratum <= 1) {
		char c[5];

		for (int i = 0; i < 4; i++) {
			c[i] = (char)(id >> (24 - 8 * i));
			if (c[i] < 0x20 || c[i] > 0x7e)
				c[i] = c[i] == 0 ? '\0' : '?';
		}
		c[4] = '\0';
		snprintf(out, len, "%s", c);
		return;
	}
	snprintf(out, len, "%u.%u.%u.%u", id >> 24, (id >> 16) & 255,
	    (id >> 8) & 255, id & 255);
}
