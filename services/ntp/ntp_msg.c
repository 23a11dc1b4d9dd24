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
#include "rd.h"
#include "wr.h"

/*
 * Extension fields until only a MAC (4-byte key id + 16 or 20 bytes of
 * digest) or nothing is left. RFC 7822: a field is >= 16 bytes.
 */
static int
ntp_msg_skip_ext(struct rd *r, struct ntp_msg *m)
{
	while (rd_left(r) > 0) {
		size_t left = rd_left(r), flen;

		if (left == 20 || left == 24) {
			m->mac = true;
			return 0;
		}
		if (m->n_ext >= NTP_MSG_EXT_MAX)
			return -EBADMSG;
		rd_skip(r, 2);		/* field type: not ours */
		flen = rd_u16be(r);
		if (!rd_ok(r) || flen < 16 || flen % 4 != 0 || flen > left)
			return -EBADMSG;
		rd_skip(r, flen - 4);
		m->n_ext++;
	}
	return 0;
}

int
ntp_msg_parse(const uint8_t *buf, size_t len, struct ntp_msg *m)
{
	struct rd r;
	uint8_t b0;

	memset(m, 0, sizeof *m);
	if (len > NTP_MSG_MAX)
		return -EMSGSIZE;
	if (buf == NULL || len < NTP_MSG_LEN || len % 4 != 0)
		return -EBADMSG;
	rd_init(&r, buf, len);
	b0 = rd_u8(&r);
	m->leap = b0 >> 6;
	m->version = (b0 >> 3) & 7;
	m->mode = b0 & 7;
	m->stratum = rd_u8(&r);
	m->poll = (int8_t)rd_u8(&r);
	m->precision = (int8_t)rd_u8(&r);
	m->root_delay = rd_u32be(&r);
	m->root_disp = rd_u32be(&r);
	m->refid = rd_u32be(&r);
	m->ref = rd_be(&r, 8);
	m->org = rd_be(&r, 8);
	m->rec = rd_be(&r, 8);
	m->xmt = rd_be(&r, 8);
	/* versions 1 and 2 differ in meaning; 3 and 4 share the header */
	if (!rd_ok(&r) || m->version < 3 || m->version > 4)
		return -EBADMSG;
	return ntp_msg_skip_ext(&r, m);
}

size_t
ntp_msg_encode(const struct ntp_msg *m, uint8_t out[NTP_MSG_LEN])
{
	struct wr w;

	/* 48 bytes always fit out[NTP_MSG_LEN]: w cannot fail */
	wr_init(&w, out, NTP_MSG_LEN);
	wr_u8(&w, (uint8_t)((m->leap & 3) << 6 | (m->version & 7) << 3 |
	    (m->mode & 7)));
	wr_u8(&w, m->stratum);
	wr_u8(&w, (uint8_t)m->poll);
	wr_u8(&w, (uint8_t)m->precision);
	wr_u32be(&w, m->root_delay);
	wr_u32be(&w, m->root_disp);
	wr_u32be(&w, m->refid);
	wr_be(&w, m->ref, 8);
	wr_be(&w, m->org, 8);
	wr_be(&w, m->rec, 8);
	wr_be(&w, m->xmt, 8);
	return wr_len(&w);
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
