/* SPDX-License-Identifier: MIT */
/*
 * The console's login lockout table (services/console/console_lockout.c):
 * lockout after N failures per address, doubling delay with a cap,
 * success clears, a full table never frees a locked address.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "console/console_lockout.h"
#include "check_cases.h"

static struct console_lockout lk;

START_TEST(lockout_starts_at_the_nth_failure)
{
	console_lockout_init(&lk, 3, 2000, 300000);
	ck_assert_uint_eq(console_lockout_fail(&lk, "10.0.0.1", 1000), 0);
	ck_assert_uint_eq(console_lockout_fail(&lk, "10.0.0.1", 1100), 0);
	ck_assert_uint_eq(console_lockout_remaining(&lk, "10.0.0.1", 1100), 0);
	ck_assert_uint_eq(console_lockout_fail(&lk, "10.0.0.1", 1200), 2000);
	ck_assert_uint_eq(console_lockout_remaining(&lk, "10.0.0.1", 1200),
	    2000);
	ck_assert_uint_eq(console_lockout_remaining(&lk, "10.0.0.1", 3199), 1);
	ck_assert_uint_eq(console_lockout_remaining(&lk, "10.0.0.1", 3200), 0);
	/* other addresses are not affected */
	ck_assert_uint_eq(console_lockout_remaining(&lk, "10.0.0.2", 1200), 0);
}
END_TEST

START_TEST(lockout_delay_doubles_up_to_the_cap)
{
	static const uint64_t want[] = { 2000, 4000, 8000, 16000, 20000,
	    20000 };
	uint64_t now = 0;
	size_t i;

	console_lockout_init(&lk, 1, 2000, 20000);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_uint_eq(console_lockout_fail(&lk, "::1", now),
		    want[i]);
		now += want[i];
	}
}
END_TEST

START_TEST(success_clears_the_record)
{
	console_lockout_init(&lk, 2, 2000, 300000);
	console_lockout_fail(&lk, "127.0.0.1", 10);
	console_lockout_success(&lk, "127.0.0.1");
	ck_assert_uint_eq(console_lockout_fail(&lk, "127.0.0.1", 20), 0);
	ck_assert_uint_eq(console_lockout_fail(&lk, "127.0.0.1", 30), 2000);
}
END_TEST

START_TEST(zero_failures_disables_lockout)
{
	int i;

	console_lockout_init(&lk, 0, 2000, 300000);
	for (i = 0; i < 100; i++)
		ck_assert_uint_eq(console_lockout_fail(&lk, "127.0.0.1", 5), 0);
	ck_assert_uint_eq(console_lockout_remaining(&lk, "127.0.0.1", 5), 0);
}
END_TEST

START_TEST(full_table_keeps_locked_addresses)
{
	char addr[32];
	int i;

	/* a flood of other addresses (one failure each) must not push
	 * a locked address out of the table */
	console_lockout_init(&lk, 2, 60000, 300000);
	console_lockout_fail(&lk, "192.0.2.1", 0);
	console_lockout_fail(&lk, "192.0.2.1", 1);
	for (i = 0; i < 10 * CONSOLE_LOCKOUT_SLOTS; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		console_lockout_fail(&lk, addr, 2 + (uint64_t)i);
	}
	ck_assert_uint_gt(console_lockout_remaining(&lk, "192.0.2.1", 5000),
	    0);
}
END_TEST

START_TEST(old_failures_are_forgotten)
{
	console_lockout_init(&lk, 2, 2000, 300000);
	console_lockout_fail(&lk, "127.0.0.1", 0);
	ck_assert_uint_eq(console_lockout_fail(&lk, "127.0.0.1",
	    CONSOLE_LOCKOUT_FORGET_MS + 1), 0);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(lockout_starts_at_the_nth_failure),
		CHECK_CASE(lockout_delay_doubles_up_to_the_cap),
		CHECK_CASE(success_clears_the_record),
		CHECK_CASE(zero_failures_disables_lockout),
		CHECK_CASE(full_table_keeps_locked_addresses),
		CHECK_CASE(old_failures_are_forgotten),
	};

	return check_cases_run("console_lockout", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
