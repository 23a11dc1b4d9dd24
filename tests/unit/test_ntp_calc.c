/* SPDX-License-Identifier: MIT */
/*
 * RFC 5905 client arithmetic (services/ntp/ntp_calc.c): §8 offset and
 * delay with numbers worked by hand, the reply tests, the lowest-delay
 * sample, the intersection that keeps one falseticker from winning, the
 * step/slew/refuse decision and the back-off.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check_cases.h"
#include "ntp/ntp_calc.h"

#define S(sec) ((uint64_t)((sec) * 4294967296.0))	/* seconds to 32.32 */
#define KOD(s) ((uint32_t)(s)[0] << 24 | (uint32_t)(s)[1] << 16 | \
	(uint32_t)(s)[2] << 8 | (uint32_t)(s)[3])

static struct ntp_msg
reply(uint64_t org, uint64_t rec, uint64_t xmt)
{
	struct ntp_msg m = { .version = 4, .mode = NTP_MODE_SERVER,
	    .stratum = 2, .org = org, .rec = rec, .xmt = xmt };

	return m;
}

/* T1 100, T2 101.5, T3 101.75, T4 100.5 (seconds; all exact in binary) */
START_TEST(offset_and_delay_follow_rfc5905_section_8)
{
	struct ntp_msg m = reply(S(100), S(101.5), S(101.75));
	struct ntp_calc_sample s;

	ck_assert_int_eq(ntp_calc_sample(&m, S(100), S(100.5), &s), 0);
	/* ((101.5 - 100) + (101.75 - 100.5)) / 2 */
	ck_assert_double_eq(s.offset, 1.375);
	/* (100.5 - 100) - (101.75 - 101.5) */
	ck_assert_double_eq(s.delay, 0.25);
	ck_assert_int_eq(s.stratum, 2);
}
END_TEST

START_TEST(offset_is_right_across_the_era_wrap)
{
	uint64_t t1 = 0xffffffffULL << 32;	/* last second of era 0 */
	struct ntp_msg m = reply(t1, t1 + S(3), t1 + S(3.5));
	struct ntp_calc_sample s;

	/* t1 + 3 s wrapped to era 1's second 2 */
	ck_assert_uint_eq(m.rec >> 32, 2);
	ck_assert_int_eq(ntp_calc_sample(&m, t1, t1 + S(1), &s), 0);
	ck_assert_double_eq(s.offset, 2.75);
	ck_assert_double_eq(s.delay, 0.5);
}
END_TEST

START_TEST(negative_delay_is_refused)
{
	struct ntp_msg m = reply(S(100), S(101), S(103));
	struct ntp_calc_sample s;

	/* the server held it 2 s, we waited 1 s */
	ck_assert_int_eq(ntp_calc_sample(&m, S(100), S(101), &s), -EINVAL);
}
END_TEST

START_TEST(root_distance_adds_half_delay_and_root_values)
{
	struct ntp_msg m = reply(S(100), S(100), S(100));
	struct ntp_calc_sample s;

	m.root_delay = 0x8000;		/* 0.5 s */
	m.root_disp = 0x4000;		/* 0.25 s */
	ck_assert_int_eq(ntp_calc_sample(&m, S(100), S(100.5), &s), 0);
	ck_assert_double_eq(s.root_dist, 0.25 + 0.25 + 0.25);
}
END_TEST

struct check_case_row {
	const char *why;
	uint8_t leap, mode, stratum;
	const char *kod;
	uint64_t org, rec, xmt;
	enum ntp_calc_verdict want;
};

#define SENT 0x1122334455667788ULL

static const struct check_case_row check_rows[] = {
	{ "good reply", 0, 4, 2, NULL, SENT, 1, 1, NTP_CALC_OK },
	{ "mode 3 (a client)", 0, 3, 2, NULL, SENT, 1, 1,
	    NTP_CALC_NOT_SERVER },
	{ "mode 5 (broadcast)", 0, 5, 2, NULL, SENT, 1, 1,
	    NTP_CALC_NOT_SERVER },
	{ "origin not ours (spoofed or late)", 0, 4, 2, NULL, SENT + 1, 1, 1,
	    NTP_CALC_BAD_ORIGIN },
	{ "origin zero", 0, 4, 2, NULL, 0, 1, 1, NTP_CALC_BAD_ORIGIN },
	{ "spoofed KoD RATE: origin wrong", 0, 4, 0, "RATE", SENT - 1, 0, 0,
	    NTP_CALC_BAD_ORIGIN },
	{ "KoD RATE", 3, 4, 0, "RATE", SENT, 0, 0, NTP_CALC_KOD_RATE },
	{ "KoD DENY", 3, 4, 0, "DENY", SENT, 0, 0, NTP_CALC_KOD_DENY },
	{ "KoD RSTR", 3, 4, 0, "RSTR", SENT, 0, 0, NTP_CALC_KOD_DENY },
	{ "stratum 0, other code", 0, 4, 0, "INIT", SENT, 1, 1,
	    NTP_CALC_KOD_OTHER },
	{ "leap 3: unsynchronised", 3, 4, 8, NULL, SENT, 1, 1,
	    NTP_CALC_UNSYNC },
	{ "stratum 16", 0, 4, 16, NULL, SENT, 1, 1, NTP_CALC_BAD_STRATUM },
	{ "receive timestamp zero", 0, 4, 2, NULL, SENT, 0, 1,
	    NTP_CALC_ZERO_TS },
	{ "transmit timestamp zero", 0, 4, 2, NULL, SENT, 1, 0,
	    NTP_CALC_ZERO_TS },
};

START_TEST(reply_tests_table)
{
	const struct check_case_row *r = &check_rows[_i];
	struct ntp_msg m = reply(r->org, r->rec, r->xmt);

	m.leap = r->leap;
	m.mode = r->mode;
	m.stratum = r->stratum;
	m.refid = r->kod ? KOD(r->kod) : 0xc0000201u;
	ck_assert_msg(ntp_calc_check(&m, SENT) == r->want, "%s: got %s",
	    r->why, ntp_calc_verdict_name(ntp_calc_check(&m, SENT)));
}
END_TEST

START_TEST(a_request_never_sent_matches_nothing)
{
	struct ntp_msg m = reply(0, 1, 1);

	ck_assert_int_eq(ntp_calc_check(&m, 0), NTP_CALC_BAD_ORIGIN);
}
END_TEST

START_TEST(best_sample_has_the_lowest_delay)
{
	const struct ntp_calc_sample s[] = {
		{ .offset = 0.010, .delay = 0.030 },
		{ .offset = 0.002, .delay = 0.004 },
		{ .offset = 0.050, .delay = 0.090 },
		{ .offset = 0.003, .delay = 0.005 },
	};

	ck_assert_uint_eq(ntp_calc_best(s, 4), 1);
	ck_assert_uint_eq(ntp_calc_best(s, 1), 0);
}
END_TEST

static struct ntp_calc_sample
smp(double offset, double dist)
{
	struct ntp_calc_sample s = { .offset = offset, .root_dist = dist };

	return s;
}

START_TEST(one_falseticker_of_three_never_wins)
{
	/* the liar is closest (smallest distance) but alone */
	struct ntp_calc_sample s[3] = { smp(0.0001, 0.002),
	    smp(300.0, 0.0005), smp(-0.0002, 0.003) };
	bool t[3];
	size_t best = 99;

	ck_assert_int_eq(ntp_calc_select(s, 3, t, &best), 2);
	ck_assert(t[0] && !t[1] && t[2]);
	ck_assert_uint_eq(best, 0);
}
END_TEST

START_TEST(two_servers_that_disagree_give_no_time)
{
	struct ntp_calc_sample s[2] = { smp(0.0, 0.002), smp(300.0, 0.002) };
	bool t[2];
	size_t best;

	ck_assert_int_eq(ntp_calc_select(s, 2, t, &best), -ENOENT);
}
END_TEST

START_TEST(two_against_two_is_no_majority)
{
	struct ntp_calc_sample s[4] = { smp(0.0, 0.002), smp(0.001, 0.002),
	    smp(300.0, 0.002), smp(300.001, 0.002) };
	bool t[4];
	size_t best;

	ck_assert_int_eq(ntp_calc_select(s, 4, t, &best), -ENOENT);
}
END_TEST

START_TEST(one_server_alone_is_believed)
{
	struct ntp_calc_sample s[1] = { smp(42.0, 0.010) };
	bool t[1];
	size_t best = 99;

	ck_assert_int_eq(ntp_calc_select(s, 1, t, &best), 1);
	ck_assert(t[0]);
	ck_assert_uint_eq(best, 0);
	ck_assert_int_eq(ntp_calc_select(s, 0, t, &best), -ENOENT);
}
END_TEST

START_TEST(touching_intervals_intersect)
{
	/* [-0.002, 0.002] and [0.002, 0.006]: one point in common */
	struct ntp_calc_sample s[2] = { smp(0.0, 0.002), smp(0.004, 0.002) };
	bool t[2];
	size_t best;

	ck_assert_int_eq(ntp_calc_select(s, 2, t, &best), 2);
}
END_TEST

START_TEST(tiny_distances_count_as_one_millisecond)
{
	/* loopback servers 0.3 ms apart with 0.01 ms distance still agree */
	struct ntp_calc_sample s[2] = { smp(0.0, 0.00001),
	    smp(0.0003, 0.00001) };
	bool t[2];
	size_t best;

	ck_assert_int_eq(ntp_calc_select(s, 2, t, &best), 2);
}
END_TEST

START_TEST(large_offset_steps_only_when_allowed)
{
	ck_assert_int_eq(ntp_calc_action(0.5, 0.128, 0, true), NTP_CALC_STEP);
	ck_assert_int_eq(ntp_calc_action(-0.5, 0.128, 0, true),
	    NTP_CALC_STEP);
	ck_assert_int_eq(ntp_calc_action(0.5, 0.128, 0, false),
	    NTP_CALC_SLEW);
	ck_assert_int_eq(ntp_calc_action(0.1, 0.128, 0, true), NTP_CALC_SLEW);
}
END_TEST

START_TEST(absurd_jump_is_refused)
{
	ck_assert_int_eq(ntp_calc_action(3600.5, 0.128, 3600, true),
	    NTP_CALC_REFUSE);
	ck_assert_int_eq(ntp_calc_action(-3600.5, 0.128, 3600, false),
	    NTP_CALC_REFUSE);
	ck_assert_int_eq(ntp_calc_action(3599.0, 0.128, 3600, true),
	    NTP_CALC_STEP);
	/* 0: no limit */
	ck_assert_int_eq(ntp_calc_action(1e9, 0.128, 0, true), NTP_CALC_STEP);
}
END_TEST

START_TEST(backoff_doubles_up_to_the_maximum)
{
	ck_assert_uint_eq(ntp_calc_backoff(64, 0, 1024), 64);
	ck_assert_uint_eq(ntp_calc_backoff(64, 1, 1024), 128);
	ck_assert_uint_eq(ntp_calc_backoff(64, 4, 1024), 1024);
	ck_assert_uint_eq(ntp_calc_backoff(64, 5, 1024), 1024);
	ck_assert_uint_eq(ntp_calc_backoff(64, 1000, 1024), 1024);
	ck_assert_uint_eq(ntp_calc_backoff(65536, 3, 65536), 65536);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(offset_and_delay_follow_rfc5905_section_8),
		CHECK_CASE(offset_is_right_across_the_era_wrap),
		CHECK_CASE(negative_delay_is_refused),
		CHECK_CASE(root_distance_adds_half_delay_and_root_values),
		CHECK_LOOP(reply_tests_table,
		    (int)(sizeof check_rows / sizeof check_rows[0])),
		CHECK_CASE(a_request_never_sent_matches_nothing),
		CHECK_CASE(best_sample_has_the_lowest_delay),
		CHECK_CASE(one_falseticker_of_three_never_wins),
		CHECK_CASE(two_servers_that_disagree_give_no_time),
		CHECK_CASE(two_against_two_is_no_majority),
		CHECK_CASE(one_server_alone_is_believed),
		CHECK_CASE(touching_intervals_intersect),
		CHECK_CASE(tiny_distances_count_as_one_millisecond),
		CHECK_CASE(large_offset_steps_only_when_allowed),
		CHECK_CASE(absurd_jump_is_refused),
		CHECK_CASE(backoff_doubles_up_to_the_maximum),
	};

	return check_cases_run("ntp_calc", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
