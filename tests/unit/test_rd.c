/* SPDX-License-Identifier: MIT */
/*
 * Bounded reader (core/rd.c): values against bytes written out, reads
 * past the end, the sticky error, child readers with honest and lying
 * lengths, and a seeded random walk checked against a plain model.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_cases.h"
#include "rd.h"

static const uint8_t wire[] = {
	0x7f,				/* u8 */
	0x12, 0x34,			/* u16be */
	0xde, 0xad, 0xbe, 0xef,		/* u32be */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* be 8 */
	0xa0, 0xb0, 0xc0,		/* be 3 */
	'h', 'i',			/* bytes */
};

START_TEST(wire_bytes_read_big_endian)
{
	struct rd r;
	char s[2];

	rd_init(&r, wire, sizeof wire);
	ck_assert_uint_eq(rd_u8(&r), 0x7f);
	ck_assert_uint_eq(rd_u16be(&r), 0x1234);
	ck_assert_uint_eq(rd_u32be(&r), 0xdeadbeefu);
	ck_assert_uint_eq(rd_be(&r, 8), 0x0102030405060708ULL);
	ck_assert_uint_eq(rd_be(&r, 3), 0xa0b0c0);
	ck_assert_uint_eq(rd_left(&r), 2);
	rd_bytes(&r, s, 2);
	ck_assert_mem_eq(s, "hi", 2);
	ck_assert_uint_eq(rd_left(&r), 0);
	ck_assert(rd_ok(&r));
}
END_TEST

START_TEST(read_past_end_sets_err_and_returns_zero)
{
	static const uint8_t three[] = { 0xff, 0xff, 0xff };
	struct rd r;

	rd_init(&r, three, sizeof three);
	ck_assert_uint_eq(rd_u32be(&r), 0);
	ck_assert(!rd_ok(&r));
	ck_assert_ptr_eq(r.p, three);	/* a short read consumes nothing */
	ck_assert_uint_eq(rd_left(&r), 0);
	rd_init(&r, three, 0);
	ck_assert_uint_eq(rd_u8(&r), 0);
	ck_assert(!rd_ok(&r));
}
END_TEST

START_TEST(err_is_sticky)
{
	static const uint8_t two[] = { 0xaa, 0xbb };
	uint8_t out[1] = { 0x55 };
	struct rd r, c;

	rd_init(&r, two, sizeof two);
	ck_assert_uint_eq(rd_u16be(&r), 0xaabb);
	r.p = two;			/* rewind: bytes are there again */
	rd_skip(&r, 3);
	ck_assert(!rd_ok(&r));
	/* every later read fails, although two bytes are in reach */
	ck_assert_uint_eq(rd_u8(&r), 0);
	ck_assert(!rd_need(&r, 0));
	rd_bytes(&r, out, 1);
	ck_assert_uint_eq(out[0], 0);	/* zeroed, not left stale */
	c = rd_sub(&r, 1);
	ck_assert(!rd_ok(&c));
	ck_assert_uint_eq(rd_left(&c), 0);
	ck_assert_ptr_eq(r.p, two);
}
END_TEST

START_TEST(sub_is_bounded_to_its_value)
{
	/* type 1, length 2, value 0x0a 0x0b; then type 2, length 0 */
	static const uint8_t tlvs[] = { 1, 2, 0x0a, 0x0b, 2, 0 };
	struct rd r, v;

	rd_init(&r, tlvs, sizeof tlvs);
	ck_assert_uint_eq(rd_u8(&r), 1);
	v = rd_sub(&r, rd_u8(&r));
	ck_assert_uint_eq(rd_u16be(&v), 0x0a0b);
	ck_assert(rd_ok(&v));
	/* reading on fails the child only: the next TLV is still there */
	ck_assert_uint_eq(rd_u8(&v), 0);
	ck_assert(!rd_ok(&v));
	ck_assert(rd_ok(&r));
	ck_assert_uint_eq(rd_u8(&r), 2);
	v = rd_sub(&r, rd_u8(&r));
	ck_assert(rd_ok(&v));
	ck_assert_uint_eq(rd_left(&v), 0);
	ck_assert_uint_eq(rd_left(&r), 0);
	ck_assert(rd_ok(&r));
}
END_TEST

START_TEST(sub_with_lying_length_fails_the_parent)
{
	/* length 5, but only 2 value bytes follow */
	static const uint8_t lie[] = { 1, 5, 0x0a, 0x0b };
	struct rd r, v;

	rd_init(&r, lie, sizeof lie);
	rd_skip(&r, 1);
	v = rd_sub(&r, rd_u8(&r));
	ck_assert(!rd_ok(&r));
	ck_assert(!rd_ok(&v));
	/* the child is empty: not even the two bytes that are there */
	ck_assert_uint_eq(rd_left(&v), 0);
	ck_assert_ptr_eq(v.end, v.p);
	ck_assert_uint_eq(rd_u8(&v), 0);
}
END_TEST

START_TEST(sub_keeps_the_datagram_start)
{
	struct rd r, v, w;

	rd_init(&r, wire, sizeof wire);
	rd_skip(&r, 3);
	v = rd_sub(&r, 8);
	rd_skip(&v, 2);
	w = rd_sub(&v, 4);
	/* compression pointers are offsets from the datagram's first byte */
	ck_assert_ptr_eq(v.start, wire);
	ck_assert_ptr_eq(w.start, wire);
	ck_assert_ptr_eq(w.p, wire + 5);
	ck_assert_ptr_eq(w.end, wire + 9);
	ck_assert_ptr_eq(r.p, wire + 11);
}
END_TEST

START_TEST(be_wider_than_8_bytes_fails)
{
	struct rd r;

	rd_init(&r, wire, sizeof wire);
	ck_assert_uint_eq(rd_be(&r, 9), 0);
	ck_assert(!rd_ok(&r));
}
END_TEST

/* What a read of `want` bytes at *pos of buf[len] must give (the model). */
static uint64_t
model_be(const uint8_t *buf, size_t len, size_t *pos, bool *err, size_t want)
{
	uint64_t v = 0;

	if (*err || len - *pos < want) {
		*err = true;
		return 0;
	}
	for (size_t i = 0; i < want; i++)
		v = v << 8 | buf[(*pos)++];
	return v;
}

/* One random operation on r, checked against the model; false on mismatch. */
static bool
random_op(struct rd *r, const uint8_t *buf, size_t len, size_t *pos,
    bool *err, unsigned *seed)
{
	size_t k = (size_t)(rand_r(seed) % 10);
	uint8_t out[9];
	struct rd c;
	uint64_t want;

	switch (rand_r(seed) % 4) {
	case 0:
		want = model_be(buf, len, pos, err, k % 9);
		return rd_be(r, k % 9) == want;
	case 1:
		memset(out, 0x55, sizeof out);
		want = *err || len - *pos < k;
		rd_bytes(r, out, k);
		if (want)
			*err = true;
		for (size_t i = 0; i < k; i++)
			if (out[i] != (want ? 0 : buf[*pos + i]))
				return false;
		*pos += want ? 0 : k;
		return true;
	case 2:
		want = *err || len - *pos < k;
		rd_skip(r, k);
		*err = *err || want;
		*pos += want ? 0 : k;
		return true;
	default:
		want = *err || len - *pos < k;
		c = rd_sub(r, k);
		*err = *err || want;
		if (want)
			return !rd_ok(&c) && rd_left(&c) == 0;
		*pos += k;
		/* drain the child one byte past its end: never spills */
		for (size_t i = 0; i < k; i++)
			if (rd_u8(&c) != buf[*pos - k + i])
				return false;
		return rd_u8(&c) == 0 && !rd_ok(&c);
	}
}

START_TEST(random_walks_match_the_model)
{
	unsigned seed = (unsigned)time(NULL);

	printf("random_walks_match_the_model: seed %u\n", seed);
	for (int round = 0; round < 5000; round++) {
		size_t len = (size_t)(rand_r(&seed) % 40), pos = 0;
		/* exactly len bytes on the heap: ASan sees any over-read */
		uint8_t *buf = malloc(len ? len : 1);
		bool err = false;
		struct rd r;

		ck_assert_ptr_nonnull(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		rd_init(&r, buf, len);
		for (int op = 0; op < 12; op++) {
			ck_assert_msg(random_op(&r, buf, len, &pos, &err,
			    &seed), "seed %u round %d op %d", seed, round, op);
			ck_assert_msg(rd_ok(&r) == !err &&
			    rd_left(&r) == (err ? 0 : len - pos),
			    "seed %u round %d op %d", seed, round, op);
		}
		free(buf);
	}
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(wire_bytes_read_big_endian),
		CHECK_CASE(read_past_end_sets_err_and_returns_zero),
		CHECK_CASE(err_is_sticky),
		CHECK_CASE(sub_is_bounded_to_its_value),
		CHECK_CASE(sub_with_lying_length_fails_the_parent),
		CHECK_CASE(sub_keeps_the_datagram_start),
		CHECK_CASE(be_wider_than_8_bytes_fails),
		CHECK_CASE(random_walks_match_the_model),
	};

	return check_cases_run("rd", cases, sizeof cases / sizeof *cases,
	    NULL, NULL);
}
