/* SPDX-License-Identifier: MIT */
/*
 * RFC 3414 password-to-key with SHA-1 (usmkey.h). SHA-1 is written out
 * here because core links no crypto library; it is used only for this
 * key derivation, as the RFC specifies.
 */
#include <errno.h>
#include <string.h>

#include "usmkey.h"

struct sha1 {
	uint32_t h[5];
	uint8_t block[64];
	size_t fill;
	uint64_t bytes;
};

static uint32_t
rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
sha1_block(struct sha1 *s, const uint8_t *p)
{
	uint32_t w[80], a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3],
	    e = s->h[4], f, k, t;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

static void
sha1_init(struct sha1 *s)
{
	static const uint32_t h0[5] = { 0x67452301, 0xefcdab89, 0x98badcfe,
		0x10325476, 0xc3d2e1f0 };

	memcpy(s->h, h0, sizeof h0);
	s->fill = 0;
	s->bytes = 0;
}

static void
sha1_update(struct sha1 *s, const uint8_t *p, size_t len)
{
	s->bytes += len;
	while (len > 0) {
		size_t n = 64 - s->fill < len ? 64 - s->fill : len;

		memcpy(s->block + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill == 64) {
			sha1_block(s, s->block);
			s->fill = 0;
		}
	}
}

static void
sha1_final(struct sha1 *s, uint8_t out[USMKEY_LEN])
{
	uint64_t bits = s->bytes * 8;
	uint8_t pad = 0x80, zero = 0, len[8];

	sha1_update(s, &pad, 1);
	while (s->fill != 56)
		sha1_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(s, len, 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
	explicit_bzero(s, sizeof *s);
}

void
usmkey_sha1(const void *data, size_t len, uint8_t out[USMKEY_LEN])
{
	struct sha1 s;

	sha1_init(&s);
	sha1_update(&s, data, len);
	sha1_final(&s, out);
}

int
usmkey_derive(const char *password, uint8_t key[USMKEY_LEN])
{
	size_t n = strlen(password), at = 0;
	uint8_t chunk[64];
	struct sha1 s;

	if (n < USMKEY_MIN_PASSWORD)
		return -EINVAL;
	sha1_init(&s);
	for (size_t done = 0; done < 1048576; done += sizeof chunk) {
		for (size_t i = 0; i < sizeof chunk; i++) {
			chunk[i] = (uint8_t)password[at];
			at = at + 1 == n ? 0 : at + 1;
		}
		sha1_update(&s, chunk, sizeof chunk);
	}
	sha1_final(&s, key);
	explicit_bzero(chunk, sizeof chunk);
	return 0;
}
