/* SPDX-License-Identifier: MIT */
/*
 * The login lockout table (core/lockout.c) the console and the web share:
 * lockout after N failures per address, doubling delay with a cap,
 * success clears, quiet addresses are forgotten after the instance's
 * forget time, a full table never frees a locked address, and threads
 * may share one table.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lockout.h"
#include "check_cases.h"

static struct lockout lk;

START_TEST(lockout_starts_at_the_nth_failure)
{
	lockout_init(&lk, 3, 2000, 300000, LOCKOUT_FORGET_MS);
	ck_assert_uint_eq(lockout_fail(&lk, "10.0.0.1", 1000), 0);
	ck_assert_uint_eq(lockout_fail(&lk, "10.0.0.1", 1100), 0);
	ck_assert_uint_eq(lockout_remaining(&lk, "10.0.0.1", 1100), 0);
	ck_assert_uint_eq(lockout_fail(&lk, "10.0.0.1", 1200), 2000);
	ck_assert_uint_eq(lockout_remaining(&lk, "10.0.0.1", 1200),
	    2000);
	ck_assert_uint_eq(lockout_remaining(&lk, "10.0.0.1", 3199), 1);
	ck_assert_uint_eq(lockout_remaining(&lk, "10.0.0.1", 3200), 0);
	/* other addresses are not affected */
	ck_assert_uint_eq(lockout_remaining(&lk, "10.0.0.2", 1200), 0);
}
END_TEST

START_TEST(lockout_delay_doubles_up_to_the_cap)
{
	static const uint64_t want[] = { 2000, 4000, 8000, 16000, 20000,
	    20000 };
	uint64_t now = 0;
	size_t i;

	lockout_init(&lk, 1, 2000, 20000, LOCKOUT_FORGET_MS);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_uint_eq(lockout_fail(&lk, "::1", now),
		    want[i]);
		now += want[i];
	}
}
END_TEST

START_TEST(success_clears_the_record)
{
	lockout_init(&lk, 2, 2000, 300000, LOCKOUT_FORGET_MS);
	lockout_fail(&lk, "127.0.0.1", 10);
	lockout_success(&lk, "127.0.0.1");
	ck_assert_uint_eq(lockout_fail(&lk, "127.0.0.1", 20), 0);
	ck_assert_uint_eq(lockout_fail(&lk, "127.0.0.1", 30), 2000);
}
END_TEST

START_TEST(zero_failures_disables_lockout)
{
	int i;

	lockout_init(&lk, 0, 2000, 300000, LOCKOUT_FORGET_MS);
	for (i = 0; i < 100; i++)
		ck_assert_uint_eq(lockout_fail(&lk, "127.0.0.1", 5), 0);
	ck_assert_uint_eq(lockout_remaining(&lk, "127.0.0.1", 5), 0);
}
END_TEST

START_TEST(full_table_keeps_locked_addresses)
{
	char addr[32];
	int i;

	/* a flood of other addresses (one failure each) must not push
	 * a locked address out of the table */
	lockout_init(&lk, 2, 60000, 300000, LOCKOUT_FORGET_MS);
	lockout_fail(&lk, "192.0.2.1", 0);
	lockout_fail(&lk, "192.0.2.1", 1);
	for (i = 0; i < 10 * LOCKOUT_SLOTS; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		lockout_fail(&lk, addr, 2 + (uint64_t)i);
	}
	ck_assert_uint_gt(lockout_remaining(&lk, "192.0.2.1", 5000),
	    0);
}
END_TEST

START_TEST(old_failures_are_forgotten)
{
	lockout_init(&lk, 2, 2000, 300000, LOCKOUT_FORGET_MS);
	lockout_fail(&lk, "127.0.0.1", 0);
	ck_assert_uint_eq(lockout_fail(&lk, "127.0.0.1",
	    LOCKOUT_FORGET_MS + 1), 0);
}
END_TEST

START_TEST(forget_time_is_the_instances)
{
	/* one table forgets after 10 s: a failure 9 s later still counts */
	lockout_init(&lk, 2, 2000, 300000, 10000);
	lockout_fail(&lk, "127.0.0.1", 1000);
	ck_assert_uint_eq(lockout_fail(&lk, "127.0.0.1", 10000), 2000);
	lockout_success(&lk, "127.0.0.1");
	lockout_fail(&lk, "127.0.0.1", 20000);
	ck_assert_uint_eq(lockout_fail(&lk, "127.0.0.1", 30001), 0);
}
END_TEST

START_TEST(seconds_round_up)
{
	ck_assert_uint_eq(lockout_seconds(0), 0);
	ck_assert_uint_eq(lockout_seconds(1), 1);
	ck_assert_uint_eq(lockout_seconds(2000), 2);
	ck_assert_uint_eq(lockout_seconds(2001), 3);
}
END_TEST

#define THREADS 8
#define FAILS_PER_THREAD 1000

static void *
fail_many(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < FAILS_PER_THREAD; i++)
		lockout_fail(&lk, "10.1.1.1", 5);
	return NULL;
}

START_TEST(threads_share_one_table)
{
	pthread_t t[THREADS];
	int i;

	/* every failure from every thread is counted exactly once */
	lockout_init(&lk, THREADS * FAILS_PER_THREAD, 2000, 300000,
	    LOCKOUT_FORGET_MS);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, fail_many, NULL),
		    0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(lockout_remaining(&lk, "10.1.1.1", 5), 2000);
	ck_assert_uint_eq(lockout_fail(&lk, "10.1.1.1", 5), 4000);
	lockout_fini(&lk);
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
		CHECK_CASE(forget_time_is_the_instances),
		CHECK_CASE(seconds_round_up),
		CHECK_CASE(threads_share_one_table),
	};

	return check_cases_run("lockout", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
