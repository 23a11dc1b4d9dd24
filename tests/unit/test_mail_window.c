/* SPDX-License-Identifier: MIT */
/*
 * Coalescing (services/mail/mail_window.c): the first `burst` events of
 * a category's window are mailed at once, the rest become one digest
 * per window with the count and the distinct texts; a quiet window
 * closes; categories do not share windows.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mail/mail_window.h"
#include "check_cases.h"

static struct mail_windows ws;

static int
event(enum event_category c, const char *text, time_t now,
    struct mail_alert *a)
{
	struct bus_event ev = { .category = c,
		.severity = SEVERITY_WARNING, .when = now };

	snprintf(ev.text, sizeof ev.text, "%s", text);
	return mail_window_event(&ws, &ev, now, a);
}

START_TEST(burst_then_digest_with_counts)
{
	struct mail_alert a;

	mail_window_init(&ws, 60, 2);
	ck_assert_int_eq(event(EVENT_LOGIN, "a", 100, &a), 1);
	ck_assert_str_eq(a.text, "a");
	ck_assert_uint_eq(a.count, 1);
	ck_assert_int_eq(event(EVENT_LOGIN, "b", 101, &a), 1);
	for (int i = 0; i < 998; i++)
		ck_assert_int_eq(event(EVENT_LOGIN, i % 2 ? "x" : "y", 102,
		    &a), 0);
	ck_assert_int_eq(mail_window_tick(&ws, 159, &a), 0);
	ck_assert_int_eq(mail_window_tick(&ws, 160, &a), 1);
	ck_assert_uint_eq(a.count, 998);
	ck_assert_uint_eq(a.nsamples, 2);
	ck_assert_uint_eq(a.sample_count[0] + a.sample_count[1], 998);
	ck_assert_int_eq(mail_window_tick(&ws, 160, &a), 0);
}
END_TEST

START_TEST(storm_goes_on_one_digest_per_window)
{
	struct mail_alert a;

	mail_window_init(&ws, 10, 1);
	ck_assert_int_eq(event(EVENT_LOGIN, "a", 0, &a), 1);
	ck_assert_int_eq(event(EVENT_LOGIN, "a", 5, &a), 0);
	ck_assert_int_eq(mail_window_tick(&ws, 10, &a), 1);
	/* still storming: the next window only counts */
	ck_assert_int_eq(event(EVENT_LOGIN, "a", 11, &a), 0);
	ck_assert_int_eq(mail_window_tick(&ws, 20, &a), 1);
	ck_assert_uint_eq(a.count, 1);
	/* a quiet window closes; the next event is mailed at once */
	ck_assert_int_eq(mail_window_tick(&ws, 30, &a), 0);
	ck_assert_int_eq(event(EVENT_LOGIN, "b", 31, &a), 1);
}
END_TEST

START_TEST(categories_have_their_own_windows)
{
	struct mail_alert a;

	mail_window_init(&ws, 60, 1);
	ck_assert_int_eq(event(EVENT_LOGIN, "a", 0, &a), 1);
	ck_assert_int_eq(event(EVENT_LOGIN, "a", 1, &a), 0);
	ck_assert_int_eq(event(EVENT_SERVICE, "s", 1, &a), 1);
	ck_assert_int_eq(a.category, EVENT_SERVICE);
}
END_TEST

START_TEST(digest_keeps_highest_severity_and_span)
{
	struct mail_alert a;
	struct bus_event ev = { .category = EVENT_LOGIN,
		.severity = SEVERITY_ERROR, .when = 7 };

	mail_window_init(&ws, 60, 1);
	event(EVENT_LOGIN, "a", 0, &a);
	event(EVENT_LOGIN, "b", 3, &a);
	snprintf(ev.text, sizeof ev.text, "locked");
	ck_assert_int_eq(mail_window_event(&ws, &ev, 7, &a), 0);
	ck_assert_int_eq(mail_window_tick(&ws, 60, &a), 1);
	ck_assert_int_eq(a.severity, SEVERITY_ERROR);
	ck_assert_int_eq(a.first, 3);
	ck_assert_int_eq(a.last, 7);
	ck_assert_str_eq(a.text, "b");
}
END_TEST

START_TEST(stopping_flushes_held_digests)
{
	struct mail_alert a;

	mail_window_init(&ws, 60, 1);
	event(EVENT_LOGIN, "a", 0, &a);
	event(EVENT_LOGIN, "b", 1, &a);
	event(EVENT_LOGIN, "c", 2, &a);
	event(EVENT_SERVICE, "s", 2, &a);	/* mailed at once: nothing held */
	ck_assert_int_eq(mail_window_flush(&ws, &a), 1);
	ck_assert_uint_eq(a.count, 2);
	ck_assert_int_eq(mail_window_flush(&ws, &a), 0);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(burst_then_digest_with_counts),
		CHECK_CASE(storm_goes_on_one_digest_per_window),
		CHECK_CASE(categories_have_their_own_windows),
		CHECK_CASE(digest_keeps_highest_severity_and_span),
		CHECK_CASE(stopping_flushes_held_digests),
	};

	return check_cases_run("mail_window", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
