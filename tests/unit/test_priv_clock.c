/* SPDX-License-Identifier: MIT */
/*
 * core/priv_clock.c without touching the clock: the dry run (apply =
 * false) says what it would do, the slew is clamped, and the status
 * slot hands back what was put. The applying paths are never run here.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_cases.h"
#include "priv_clock.h"

START_TEST(dry_run_step_says_what_it_would_do)
{
	char done[160];

	ck_assert_int_eq(priv_clock_step(-1.25, false, done, sizeof done), 0);
	ck_assert_str_eq(done, "would step the clock by -1.250000 s "
	    "(set_clock = no)");
}
END_TEST

START_TEST(dry_run_slew_is_clamped_to_half_a_second)
{
	char done[160];

	ck_assert_int_eq(priv_clock_slew(300.0, false, done, sizeof done), 0);
	ck_assert_str_eq(done, "would slew the clock by +0.500000 s "
	    "(set_clock = no)");
	ck_assert_int_eq(priv_clock_slew(-0.000125, false, done,
	    sizeof done), 0);
	ck_assert_str_eq(done, "would slew the clock by -0.000125 s "
	    "(set_clock = no)");
}
END_TEST

START_TEST(status_is_unknown_until_put)
{
	struct priv_clock_status st = { .synced = true, .stratum = 8,
	    .offset_ms = 1.5 }, out;

	priv_clock_status_get(&out);
	ck_assert(!out.known);
	snprintf(st.server, sizeof st.server, "127.0.0.1:11123");
	priv_clock_status_put(&st);
	priv_clock_status_get(&out);
	ck_assert(out.known && out.synced);
	ck_assert_str_eq(out.server, "127.0.0.1:11123");
	ck_assert_int_eq(out.stratum, 8);
	ck_assert_double_eq(out.offset_ms, 1.5);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(dry_run_step_says_what_it_would_do),
		CHECK_CASE(dry_run_slew_is_clamped_to_half_a_second),
		CHECK_CASE(status_is_unknown_until_put),
	};

	return check_cases_run("priv_clock", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
