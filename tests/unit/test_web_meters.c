/* SPDX-License-Identifier: MIT */
/*
 * Level meter subscriptions and frames (services/web/web_meters.c): what
 * a request may ask, when a client's next frame is due, and the frame's
 * text read from the state the console's LVL reads.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "check_cases.h"
#include "unit_state.h"
#include "model.h"
#include "state.h"
#include "web/web_int.h"

static void
setup(void)
{
	unit_state_up("0000ABCD");
}

static void
teardown(void)
{
	unit_state_down();
}

/* Parse a request's JSON text; the result of web_meters_parse. */
static int
parse(const char *text, struct web_meter_sub *out, char *why, size_t len)
{
	json_t *v = json_loads(text, 0, NULL);
	int rc;

	ck_assert_ptr_nonnull(v);
	rc = web_meters_parse(v, out, why, len);
	json_decref(v);
	return rc;
}

START_TEST(meters_request_defaults_to_all_groups_at_10_hz)
{
	struct web_meter_sub s;
	char why[96] = "";

	ck_assert_int_eq(parse("{\"on\":true}", &s, why, sizeof why), 0);
	ck_assert(s.on);
	ck_assert_uint_eq(s.rate_hz, 10);
	/* 880TA: every group with meters that stores itself, not M or L */
	ck_assert_uint_eq(s.groups, WEB_METER_BIT('B') | WEB_METER_BIT('F') |
	    WEB_METER_BIT('I') | WEB_METER_BIT('J') | WEB_METER_BIT('O') |
	    WEB_METER_BIT('P') | WEB_METER_BIT('R') | WEB_METER_BIT('T'));
	ck_assert_int_eq(parse("{\"on\":true,\"rate_hz\":20,"
	    "\"groups\":[\"O\",\"I\"]}", &s, why, sizeof why), 0);
	ck_assert_uint_eq(s.rate_hz, 20);
	ck_assert_uint_eq(s.groups, WEB_METER_BIT('I') | WEB_METER_BIT('O'));
	ck_assert_int_eq(parse("{\"on\":false,\"rate_hz\":99}", &s, why,
	    sizeof why), 0);
	ck_assert(!s.on);
}
END_TEST

START_TEST(meters_request_refuses_what_it_cannot_give)
{
	static const char *const bad[] = {
		"{}", "{\"on\":1}", "{\"on\":true,\"rate_hz\":0}",
		"{\"on\":true,\"rate_hz\":21}", "{\"on\":true,\"rate_hz\":2.5}",
		"{\"on\":true,\"groups\":[\"M\"]}",
		"{\"on\":true,\"groups\":[\"Z\"]}",
		"{\"on\":true,\"groups\":[\"IO\"]}",
		"{\"on\":true,\"groups\":[\"X\"]}",
		"{\"on\":true,\"groups\":[1]}", "{\"on\":true,\"groups\":\"I\"}",
	};
	struct web_meter_sub s = { .on = true, .rate_hz = 7, .groups = 1 };
	char why[96];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		why[0] = '\0';
		ck_assert_msg(parse(bad[i], &s, why, sizeof why) == -EINVAL,
		    "%s", bad[i]);
		ck_assert_msg(why[0] != '\0', "no reason for %s", bad[i]);
		/* nothing written on a refusal */
		ck_assert(s.on && s.rate_hz == 7 && s.groups == 1);
	}
}
END_TEST

START_TEST(meters_due_at_the_rate_with_some_slack)
{
	struct web_meter_sub s = { .on = true, .rate_hz = 20, .groups = 1 };

	ck_assert(web_meters_due(&s, 0, 1000));	/* never sent: at once */
	ck_assert(web_meters_due(&s, 1000, 1025));
	ck_assert(!web_meters_due(&s, 1000, 1024));
	s.rate_hz = 2;
	ck_assert(web_meters_due(&s, 1000, 1475));
	ck_assert(!web_meters_due(&s, 1000, 1474));
	s.on = false;
	ck_assert(!web_meters_due(&s, 0, 5000));
}
END_TEST

START_TEST(meters_frame_has_the_groups_asked_as_lvl_reads_them)
{
	struct bus_meters m = { .tick = 42, .gate_bits = 0x05 };
	struct web_meter_frame f;
	json_t *v, *lv, *in;
	char *text;

	ck_assert_int_eq(state_meter_put('I', 0, 1, -23.456), 0);
	ck_assert_int_eq(state_meter_put('I', 1, 1, -0.001), 0);
	ck_assert_int_eq(state_meter_put('I', 2, 1, 1.5), 0);
	ck_assert_int_eq(state_meter_put('I', 2, 0, -50.0), 0); /* not "A" */
	web_meters_build(&f, WEB_METER_BIT('I') | WEB_METER_BIT('O'));
	text = web_meters_text(&f, WEB_METER_BIT('I'), &m, 1234, 3);
	web_meters_free(&f);
	ck_assert_ptr_nonnull(text);
	/* one line, no "-0.00": what the console prints */
	ck_assert_ptr_nonnull(strstr(text, "\"I\":[-23.46,0.00,1.50,"));
	v = json_loads(text, 0, NULL);
	free(text);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(json_string_value(json_object_get(v, "type")),
	    "levels");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "tick")), 42);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "t")), 1234);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "lost")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "gates")), 5);
	lv = json_object_get(v, "levels");
	ck_assert_uint_eq(json_object_size(lv), 1);
	in = json_object_get(lv, "I");
	ck_assert_uint_eq(json_array_size(in), 12);
	ck_assert(json_real_value(json_array_get(in, 0)) > -23.47 &&
	    json_real_value(json_array_get(in, 0)) < -23.45);
	json_decref(v);
}
END_TEST

START_TEST(meters_ack_says_what_the_client_gets)
{
	struct web_meter_sub s = { .on = true, .rate_hz = 5,
		.groups = WEB_METER_BIT('O') | WEB_METER_BIT('I') };
	char *text = web_meters_ack(&s, NULL);

	ck_assert_str_eq(text, "{\"type\":\"meters_ack\",\"on\":true,"
	    "\"groups\":[\"I\",\"O\"],\"rate_hz\":5}");
	free(text);
	s.on = false;
	s.groups = 0;
	text = web_meters_ack(&s, "rate_hz must be 1 to 20");
	ck_assert_str_eq(text, "{\"type\":\"meters_ack\",\"on\":false,"
	    "\"groups\":[],\"rate_hz\":0,\"error\":\"rate_hz must be 1 to 20\"}");
	free(text);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(meters_request_defaults_to_all_groups_at_10_hz),
		CHECK_CASE(meters_request_refuses_what_it_cannot_give),
		CHECK_CASE(meters_due_at_the_rate_with_some_slack),
		CHECK_CASE(meters_frame_has_the_groups_asked_as_lvl_reads_them),
		CHECK_CASE(meters_ack_says_what_the_client_gets),
	};

	return check_cases_run("web_meters", cases,
	    sizeof cases / sizeof *cases, setup, teardown);
}
