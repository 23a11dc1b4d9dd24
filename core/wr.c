/* SPDX-License-Identifier: MIT */
/*
 * Bounded writer (wr.h): wr_room() is the one comparison against `end`;
 * a write that does not fit writes nothing, so a failed encode never
 * leaves a torn field behind the last whole one.
 */
#include <string.h>

#include "wr.h"

void
wr_init(struct wr *w, void *buf, size_t cap)
{
	w->start = w->p = buf;
	w->end = cap > 0 ? w->p + cap : w->p;
	w->err = w->full = false;
}

bool
wr_ok(const struct wr *w)
{
	return !w->err;
}

size_t
wr_len(const struct wr *w)
{
	return (size_t)(w->p - w->start);
}

void
wr_fail(struct wr *w)
{
	w->err = true;
}

/* True if n more bytes fit; the first shortfall sets full as well. */
static bool
wr_room(struct wr *w, size_t n)
{
	if (w->err)
		return false;
	if ((size_t)(w->end - w->p) < n) {
		w->err = w->full = true;
		return false;
	}
	return true;
}

void
wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (!wr_room(w, n) || n == 0)
		return;
	memcpy(w->p, src, n);
	w->p += n;
}

void
wr_zero(struct wr *w, size_t n)
{
	if (!wr_room(w, n) || n == 0)
		return;
	memset(w->p, 0, n);
	w->p += n;
}

void
wr_u8(struct wr *w, uint8_t v)
{
	wr_bytes(w, &v, 1);
}

void
wr_u16be(struct wr *w, uint16_t v)
{
	wr_be(w, v, 2);
}

void
wr_u32be(struct wr *w, uint32_t v)
{
	wr_be(w, v, 4);
}

void
wr_be(struct wr *w, uint64_t v, size_t n)
{
	uint8_t b[8];

	if (n > 8) {
		wr_fail(w);	/* a codec bug: fail, do not truncate */
		return;
	}
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	wr_bytes(w, b, n);
}
