/* SPDX-License-Identifier: MIT */
/*
 * Bounded writer for wire codecs, the mirror of rd.h: every write checks
 * room first and writes all of its bytes or none; the first failure
 * sticks in `err`, and `full` tells "the buffer ran out" apart from a
 * value the codec refused (wr_fail()).
 */
#ifndef CONVERGD_WR_H
#define CONVERGD_WR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wr {
	uint8_t *start, *p, *end;
	bool err;
	bool full;		/* the first failure was lack of room */
};

/* A writer over buf[cap], positioned at its first byte. */
void wr_init(struct wr *w, void *buf, size_t cap);

/* True while no write has failed. */
bool wr_ok(const struct wr *w) __attribute__((warn_unused_result));

/* Bytes written so far. */
size_t wr_len(const struct wr *w) __attribute__((warn_unused_result));

/* Marks the output invalid for a reason other than room (full stays). */
void wr_fail(struct wr *w);

/* n bytes from src; without room for all of them sets err and full. */
void wr_bytes(struct wr *w, const void *src, size_t n);

/* n zero bytes. */
void wr_zero(struct wr *w, size_t n);

/* One byte. */
void wr_u8(struct wr *w, uint8_t v);

/* A 16-bit value, big-endian. */
void wr_u16be(struct wr *w, uint16_t v);

/* A 32-bit value, big-endian. */
void wr_u32be(struct wr *w, uint32_t v);

/* The low n (<= 8) bytes of v, big-endian. */
void wr_be(struct wr *w, uint64_t v, size_t n);

#endif
