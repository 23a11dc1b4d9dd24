/* SPDX-License-Identifier: MIT */
/*
 * Bounded reader (rd.h): every read first asks rd_need(), the one place
 * that compares against `end`, so no accessor can read out of bounds and
 * the first failure sticks.
 */
#include <string.h>

#include "rd.h"

void
rd_init(struct rd *r, const void *buf, size_t len)
{
	r->start = r->p = buf;
	/* NULL + 0 is still NULL: no arithmetic on a null pointer */
	r->end = len > 0 ? r->p + len : r->p;
	r->err = false;
}

bool
rd_need(struct rd *r, size_t n)
{
	if (!r->err && (size_t)(r->end - r->p) >= n)
		return true;
	r->err = true;
	return false;
}

bool
rd_ok(const struct rd *r)
{
	return !r->err;
}

size_t
rd_left(const struct rd *r)
{
	return r->err ? 0 : (size_t)(r->end - r->p);
}

uint8_t
rd_u8(struct rd *r)
{
	return rd_need(r, 1) ? *r->p++ : 0;
}

uint16_t
rd_u16be(struct rd *r)
{
	return (uint16_t)rd_be(r, 2);
}

uint32_t
rd_u32be(struct rd *r)
{
	return (uint32_t)rd_be(r, 4);
}

uint64_t
rd_be(struct rd *r, size_t n)
{
	uint64_t v = 0;

	if (n > 8) {
		r->err = true;	/* a codec bug: fail, do not truncate */
		return 0;
	}
	if (!rd_need(r, n))
		return 0;
	while (n-- > 0)
		v = v << 8 | *r->p++;
	return v;
}

void
rd_bytes(struct rd *r, void *out, size_t n)
{
	if (!rd_need(r, n)) {
		if (n > 0)
			memset(out, 0, n);
		return;
	}
	if (n > 0)
		memcpy(out, r->p, n);
	r->p += n;
}

void
rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n))
		r->p += n;
}

struct rd
rd_sub(struct rd *r, size_t n)
{
	struct rd c = { r->start, r->p, r->p, true };

	if (rd_need(r, n)) {
		c.end = r->p + n;
		c.err = false;
		r->p += n;
	}
	return c;
}
