/* SPDX-License-Identifier: MIT */
/*
 * Bounded reader for wire codecs (style.md "Parsing bytes from the
 * network"): a read past the end sets the sticky `err` and yields zero,
 * so a parser reads a whole header and checks once; a TLV's value is read
 * through a child from rd_sub() that can never spill past it. `start`
 * stays the first byte of the whole datagram (children keep it), so a
 * codec can follow compression pointers inside [start, end).
 */
#ifndef CONVERGD_RD_H
#define CONVERGD_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *start, *p, *end;
	bool err;
};

/* A reader over buf[len], positioned at its first byte. */
void rd_init(struct rd *r, const void *buf, size_t len);

/* True if n more bytes can be read and no read failed; else sets err. */
bool rd_need(struct rd *r, size_t n) __attribute__((warn_unused_result));

/* True while no read has failed. */
bool rd_ok(const struct rd *r) __attribute__((warn_unused_result));

/* Bytes left to read; 0 once err is set. */
size_t rd_left(const struct rd *r) __attribute__((warn_unused_result));

/* One byte; 0 past the end. */
uint8_t rd_u8(struct rd *r);

/* A big-endian 16-bit value; 0 past the end. */
uint16_t rd_u16be(struct rd *r);

/* A big-endian 32-bit value; 0 past the end. */
uint32_t rd_u32be(struct rd *r);

/* n (<= 8) big-endian bytes as one value; 0 (nothing consumed) past the end. */
uint64_t rd_be(struct rd *r, size_t n);

/* n bytes into out; past the end out is zeroed and nothing consumed. */
void rd_bytes(struct rd *r, void *out, size_t n);

/* Skips n bytes; past the end sets err. */
void rd_skip(struct rd *r, size_t n);

/*
 * A child reader over the next n bytes, which the parent skips; if they
 * are not all there the parent's err is set and the child is empty and
 * failed.
 */
struct rd rd_sub(struct rd *r, size_t n) __attribute__((warn_unused_result));

#endif
