/* SPDX-License-Identifier: MIT */
/* Message bus: ordering, masks, bounded rings that drop the oldest, waits. */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "clock.h"

static struct bus_msg
change(int what)
{
	struct bus_msg m;

	memset(&m, 0, sizeof m);
	m.type = BUS_CHANGE;
	m.u.change.what = what;
	return m;
}

START_TEST(messages_arrive_in_publish_order)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK_ALL, 16);
	struct bus_msg m;

	for (int i = 0; i < 5; i++) {
		m = change(i);
		bus_publish(&m);
	}
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(bus_take(sub, &m), 1);
		ck_assert_int_eq(m.u.change.what, i);
	}
	ck_assert_int_eq(bus_take(sub, &m), 0);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(subscriber_gets_only_its_types)
{
	struct bus_sub *events = bus_subscribe(BUS_MASK(BUS_EVENT), 4);
	struct bus_msg m = change(1);

	bus_publish(&m);
	bus_event(EVENT_SYSTEM, SEVERITY_INFO, "unit %s", "started");
	ck_assert_int_eq(bus_take(events, &m), 1);
	ck_assert_int_eq(m.type, BUS_EVENT);
	ck_assert_str_eq(m.u.event.text, "unit started");
	ck_assert_int_eq(bus_take(events, &m), 0);
	bus_unsubscribe(events);
}
END_TEST

START_TEST(full_ring_drops_oldest_and_counts)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK_ALL, 3);
	struct bus_msg m;

	for (int i = 0; i < 10; i++) {
		m = change(i);
		bus_publish(&m);	/* must not block although nobody reads */
	}
	ck_assert_uint_eq(bus_sub_dropped(sub), 7);
	for (int i = 7; i < 10; i++) {
		ck_assert_int_eq(bus_take(sub, &m), 1);
		ck_assert_int_eq(m.u.change.what, i);
	}
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(slow_subscriber_does_not_affect_others)
{
	struct bus_sub *slow = bus_subscribe(BUS_MASK_ALL, 2);
	struct bus_sub *fast = bus_subscribe(BUS_MASK_ALL, 64);
	struct bus_msg m;

	for (int i = 0; i < 50; i++) {
		m = change(i);
		bus_publish(&m);
	}
	ck_assert_uint_eq(bus_sub_dropped(fast), 0);
	ck_assert_uint_eq(bus_sub_dropped(slow), 48);
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(bus_take(fast, &m), 1);
	bus_unsubscribe(slow);
	bus_unsubscribe(fast);
}
END_TEST

START_TEST(wait_times_out_when_nothing_comes)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK_ALL, 4);
	struct bus_msg m;
	uint64_t t0 = clock_ms();

	ck_assert_int_eq(bus_wait(sub, &m, 150), 0);
	ck_assert_uint_ge(clock_ms() - t0, 140);
	bus_unsubscribe(sub);
}
END_TEST

static void *
publish_later(void *arg)
{
	struct bus_msg m = change(42);

	(void)arg;
	usleep(50000);
	bus_publish(&m);
	return NULL;
}

START_TEST(wait_wakes_on_publish_from_another_thread)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK_ALL, 4);
	struct bus_msg m;
	pthread_t t;

	pthread_create(&t, NULL, publish_later, NULL);
	ck_assert_int_eq(bus_wait(sub, &m, 5000), 1);
	ck_assert_int_eq(m.u.change.what, 42);
	pthread_join(t, NULL);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(fd_is_readable_exactly_while_messages_are_queued)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK_ALL, 4);
	struct pollfd pfd = { .fd = bus_sub_fd(sub), .events = POLLIN };
	struct bus_msg m = change(1);

	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	bus_publish(&m);
	bus_publish(&m);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	bus_unsubscribe(sub);
}
END_TEST

#define STRESS_THREADS 4
#define STRESS_EACH 5000

static void *
publish_many(void *arg)
{
	struct bus_msg m = change((int)(intptr_t)arg);

	for (int i = 0; i < STRESS_EACH; i++)
		bus_publish(&m);
	return NULL;
}

START_TEST(concurrent_publishers_lose_nothing_with_room)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK_ALL,
	    STRESS_THREADS * STRESS_EACH);
	pthread_t t[STRESS_THREADS];
	int seen[STRESS_THREADS] = { 0 };
	struct bus_msg m;

	for (intptr_t i = 0; i < STRESS_THREADS; i++)
		pthread_create(&t[i], NULL, publish_many, (void *)i);
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(t[i], NULL);
	while (bus_take(sub, &m) == 1)
		seen[m.u.change.what]++;
	for (int i = 0; i < STRESS_THREADS; i++)
		ck_assert_int_eq(seen[i], STRESS_EACH);
	ck_assert_uint_eq(bus_sub_dropped(sub), 0);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(events_carry_who_caused_them)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_EVENT), 4);
	struct origin o = { .session = 3, .user = "admin",
		.from = "console 127.0.0.1:40000" };
	struct bus_msg m;
	char text[160];

	bus_origin_set(&o, "console", 3);
	bus_event_by(&o, EVENT_SETTINGS, SEVERITY_INFO, "x %d", 1);
	bus_event(EVENT_SYSTEM, SEVERITY_INFO, "unit started");
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_str_eq(m.u.event.text, "x 1");
	bus_origin_describe(&m.u.event.origin, text, sizeof text);
	ck_assert_str_eq(text, "console session 3, user admin, "
	    "127.0.0.1:40000");
	ck_assert_int_eq(bus_take(sub, &m), 1);
	bus_origin_describe(&m.u.event.origin, text, sizeof text);
	ck_assert_str_eq(text, "the unit itself");
	o.flags = ORIGIN_MACRO;
	bus_origin_describe(&o, text, sizeof text);
	ck_assert_str_eq(text, "macro started from console session 3, "
	    "user admin, 127.0.0.1:40000");
	memset(&o, 0, sizeof o);
	bus_origin_set(&o, "snmp", 0);
	bus_origin_describe(&o, text, 8);	/* cut, still terminated */
	ck_assert_str_eq(text, "snmp");
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(unwanted_changes_are_not_queued)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK_ALL, 8);
	struct pollfd pfd = { .fd = bus_sub_fd(sub), .events = POLLIN };
	struct bus_msg m = change(3), ev;

	bus_sub_changes(sub, BUS_WHAT(5), BUS_WHAT(5));
	bus_publish(&m);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_int_eq(bus_take(sub, &m), 0);
	memset(&ev, 0, sizeof ev);
	ev.type = BUS_EVENT;	/* other types are not filtered */
	bus_publish(&ev);
	m = change(5);
	bus_publish(&m);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.type, BUS_EVENT);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.u.change.what, 5);
	ck_assert_uint_eq(bus_sub_dropped(sub), 0);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(quiet_changes_wait_in_order_for_the_next_wake)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 8);
	struct pollfd pfd = { .fd = bus_sub_fd(sub), .events = POLLIN };
	struct bus_msg m;

	bus_sub_changes(sub, BUS_WHAT_ALL, BUS_WHAT(7));
	m = change(1);
	bus_publish(&m);
	m = change(2);
	bus_publish(&m);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	m = change(7);
	bus_publish(&m);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	for (int want = 1; want <= 3; want++) {
		ck_assert_int_eq(bus_take(sub, &m), 1);
		ck_assert_int_eq(m.u.change.what, want == 3 ? 7 : want);
	}
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	/* a quiet one left behind does not keep the fd readable */
	m = change(1);
	bus_publish(&m);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(subscribe_rejects_zero_depth)
{
	ck_assert_ptr_null(bus_subscribe(BUS_MASK_ALL, 0));
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(messages_arrive_in_publish_order),
		CHECK_CASE(subscriber_gets_only_its_types),
		CHECK_CASE(full_ring_drops_oldest_and_counts),
		CHECK_CASE(slow_subscriber_does_not_affect_others),
		CHECK_CASE(wait_times_out_when_nothing_comes),
		CHECK_CASE(wait_wakes_on_publish_from_another_thread),
		CHECK_CASE(fd_is_readable_exactly_while_messages_are_queued),
		CHECK_CASE(concurrent_publishers_lose_nothing_with_room),
		CHECK_CASE(unwanted_changes_are_not_queued),
		CHECK_CASE(quiet_changes_wait_in_order_for_the_next_wake),
		CHECK_CASE(subscribe_rejects_zero_depth),
		CHECK_CASE(events_carry_who_caused_them),
	};

	return check_cases_run("bus", cases, sizeof cases / sizeof *cases,
	    NULL, NULL);
}
