/* SPDX-License-Identifier: MIT */
/*
 * Bounded writer (core/wr.c): the bytes each write puts on the wire,
 * overflow that writes nothing past the end, the sticky error, "full"
 * apart from a refused value, and a seeded random fill behind a canary.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_cases.h"
#include "wr.h"

#define CANARY 0xa5

/* True if buf[from, n) still holds the canary: nothing was written there. */
static bool
untouched(const uint8_t *buf, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++)
		if (buf[i] != CANARY)
			return false;
	return true;
}

/* A writer over the first cap bytes of buf[n], all n set to the canary. */
static void
fresh(struct wr *w, uint8_t *buf, size_t n, size_t cap)
{
	memset(buf, CANARY, n);
	wr_init(w, buf, cap);
}

START_TEST(writes_the_wire_bytes)
{
	static const uint8_t want[] = {
		0x7f,				/* u8 */
		0x12, 0x34,			/* u16be */
		0xde, 0xad, 0xbe, 0xef,		/* u32be */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* be 8 */
		0xb0, 0xc0,			/* be 2 of 0xa0b0c0 */
		'h', 'i',			/* bytes */
		0, 0, 0,			/* zero 3 */
	};
	uint8_t buf[sizeof want];
	struct wr w;

	fresh(&w, buf, sizeof buf, sizeof buf);
	wr_u8(&w, 0x7f);
	wr_u16be(&w, 0x1234);
	wr_u32be(&w, 0xdeadbeefu);
	wr_be(&w, 0x0102030405060708ULL, 8);
	wr_be(&w, 0xa0b0c0, 2);
	wr_bytes(&w, "hi", 2);
	wr_zero(&w, 3);
	ck_assert(wr_ok(&w));
	ck_assert_uint_eq(wr_len(&w), sizeof want);
	ck_assert_mem_eq(buf, want, sizeof want);
}
END_TEST

START_TEST(overflow_sets_full_and_writes_nothing_past_end)
{
	uint8_t buf[16];
	struct wr w;

	fresh(&w, buf, sizeof buf, 5);
	wr_u32be(&w, 0x01020304);
	wr_u16be(&w, 0xffff);		/* one byte of room, two asked */
	ck_assert(!wr_ok(&w));
	ck_assert(w.full);
	ck_assert_uint_eq(wr_len(&w), 4);
	/* not even the byte that fitted: a field is written whole or not */
	ck_assert(untouched(buf, 4, sizeof buf));
}
END_TEST

START_TEST(err_is_sticky)
{
	uint8_t buf[8];
	struct wr w;

	fresh(&w, buf, sizeof buf, sizeof buf);
	wr_zero(&w, 9);
	/* later writes that would fit write nothing */
	wr_u8(&w, 1);
	wr_bytes(&w, "ab", 2);
	wr_be(&w, 0x0102, 2);
	ck_assert(!wr_ok(&w) && wr_len(&w) == 0);
	ck_assert(untouched(buf, 0, sizeof buf));
}
END_TEST

START_TEST(refused_value_is_not_full)
{
	uint8_t buf[2];
	struct wr w;

	wr_init(&w, buf, sizeof buf);
	wr_fail(&w);
	ck_assert(!wr_ok(&w));
	ck_assert(!w.full);
	/* a later shortfall does not turn "refused" into "too small" */
	wr_zero(&w, 3);
	ck_assert(!w.full);
	wr_init(&w, buf, sizeof buf);
	wr_be(&w, 0, 9);		/* wider than a value can be */
	ck_assert(!wr_ok(&w));
	ck_assert(!w.full);
}
END_TEST

START_TEST(random_fills_stay_inside)
{
	unsigned seed = (unsigned)time(NULL);
	uint8_t buf[48];

	printf("random_fills_stay_inside: seed %u\n", seed);
	for (int round = 0; round < 5000; round++) {
		size_t cap = (size_t)(rand_r(&seed) % 32), len = 0;
		bool full = false;
		struct wr w;

		fresh(&w, buf, sizeof buf, cap);
		for (int op = 0; op < 10; op++) {
			size_t k = (size_t)(rand_r(&seed) % 9);

			if (rand_r(&seed) % 2)
				wr_be(&w, (uint64_t)rand_r(&seed), k);
			else
				wr_zero(&w, k);
			full = full || cap - len < k;
			len += full ? 0 : k;
			ck_assert_msg(wr_ok(&w) == !full && w.full == full &&
			    wr_len(&w) == len, "seed %u round %d op %d", seed,
			    round, op);
		}
		ck_assert_msg(untouched(buf, len, sizeof buf),
		    "seed %u round %d", seed, round);
	}
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(writes_the_wire_bytes),
		CHECK_CASE(overflow_sets_full_and_writes_nothing_past_end),
		CHECK_CASE(err_is_sticky),
		CHECK_CASE(refused_value_is_not_full),
		CHECK_CASE(random_fills_stay_inside),
	};

	return check_cases_run("wr", cases, sizeof cases / sizeof *cases,
	    NULL, NULL);
}
