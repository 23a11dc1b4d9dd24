/* SPDX-License-Identifier: MIT */
/*
 * The web service's pieces that need no socket: login sessions (tokens,
 * idle expiry, table size, users deleted or re-levelled under a live
 * session), the per-address login lockout and its doubling delay, and the
 * JSON push made from a bus change (services/web/web_session.c,
 * web_json.c).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "state.h"
#include "web/web_int.h"

static const struct origin admin = { ORIGIN_WEB, 1, "clearone",
	"web 127.0.0.1:5000" };

static void
setup(void)
{
	struct state_identity ident = { 0 };

	ident.model = model_get(MODEL_880TA);
	snprintf(ident.uid, sizeof ident.uid, "0000ABCD");
	snprintf(ident.firmware, sizeof ident.firmware, "4.4.0.2");
	ck_assert_int_eq(bus_init(), 0);
	ck_assert_int_eq(state_init(&ident), 0);
	web_limits.max_sessions = 4;
	web_limits.session_idle_s = 900;
	web_limits.lockout_after = 3;
	web_limits.max_body = 65536;
	web_limits.max_clients = 4;
	ck_assert_int_eq(web_session_init(), 0);
}

static void
teardown(void)
{
	web_session_fini();
	state_fini();
	bus_shutdown();
}

static bool
is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

START_TEST(session_tokens_are_random_hex)
{
	struct web_session a, b;

	ck_assert_int_eq(web_session_create("clearone", LEVEL_ADMIN, &a), 0);
	ck_assert_int_eq(web_session_create("clearone", LEVEL_ADMIN, &b), 0);
	ck_assert(is_hex64(a.token) && is_hex64(a.csrf));
	ck_assert(is_hex64(b.token) && is_hex64(b.csrf));
	ck_assert_str_ne(a.token, b.token);
	ck_assert_str_ne(a.token, a.csrf);
	ck_assert_uint_ne(a.id, b.id);
}
END_TEST

START_TEST(session_found_by_exact_token_only)
{
	struct web_session s, out;
	char wrong[WEB_TOKEN_LEN + 1];

	ck_assert_int_eq(web_session_create("clearone", LEVEL_ADMIN, &s), 0);
	ck_assert_int_eq(web_session_find(s.token, &out), 0);
	ck_assert_str_eq(out.user, "clearone");
	ck_assert_str_eq(out.csrf, s.csrf);
	ck_assert_int_eq(web_session_find(s.csrf, &out), -ENOENT);
	memcpy(wrong, s.token, sizeof(wrong));
	wrong[63] = wrong[63] == 'a' ? 'b' : 'a';	/* last digit differs */
	ck_assert_int_eq(web_session_find(wrong, &out), -ENOENT);
	wrong[63] = '\0';				/* a prefix */
	ck_assert_int_eq(web_session_find(wrong, &out), -ENOENT);
	ck_assert_int_eq(web_session_find("", &out), -ENOENT);
	web_session_delete(s.token);
	ck_assert_int_eq(web_session_find(s.token, &out), -ENOENT);
}
END_TEST

START_TEST(session_expires_after_idle_time)
{
	struct web_session s, out;

	web_limits.session_idle_s = 0;	/* anything idle is expired */
	ck_assert_int_eq(web_session_create("clearone", LEVEL_ADMIN, &s), 0);
	usleep(5000);
	ck_assert_int_eq(web_session_find(s.token, &out), -ENOENT);
}
END_TEST

START_TEST(session_table_full_refuses_login)
{
	struct web_session s;
	int i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(web_session_create("clearone", LEVEL_ADMIN,
		    &s), 0);
	ck_assert_int_eq(web_session_create("clearone", LEVEL_ADMIN, &s),
	    -ENOSPC);
	/* Logging one out frees its slot. */
	web_session_delete(s.token);
	ck_assert_int_eq(web_session_create("clearone", LEVEL_ADMIN, &s), 0);
}
END_TEST

/* A User "operator" logged in as `s`. */
static void
operator_session(struct web_session *s)
{
	char why[160];

	ck_assert_int_eq(state_user_set("operator", "op-pass-1", LEVEL_USER,
	    &admin, why, sizeof why), 0);
	ck_assert_int_eq(web_session_create("operator", LEVEL_USER, s), 0);
}

START_TEST(session_of_deleted_user_is_gone)
{
	struct web_session s, out;
	char why[160];

	operator_session(&s);
	ck_assert_int_eq(web_session_find(s.token, &out), 0);
	ck_assert_int_eq(state_user_delete("operator", &admin, why,
	    sizeof why), 0);
	ck_assert_int_eq(web_session_find(s.token, &out), -ENOENT);
}
END_TEST

START_TEST(session_level_follows_user_changes)
{
	struct web_session s, out;
	char why[160];

	operator_session(&s);
	ck_assert_int_eq(state_user_set("operator", NULL, LEVEL_MANAGER,
	    &admin, why, sizeof why), 0);
	ck_assert_int_eq(web_session_find(s.token, &out), 0);
	ck_assert_int_eq(out.level, LEVEL_MANAGER);
}
END_TEST

START_TEST(lockout_starts_after_configured_failures)
{
	unsigned retry = 0;

	web_session_login_failed("10.0.0.1", "clearone");
	web_session_login_failed("10.0.0.1", "clearone");
	ck_assert_int_eq(web_session_login_allowed("10.0.0.1", &retry), 0);
	web_session_login_failed("10.0.0.1", "clearone");
	ck_assert_int_eq(web_session_login_allowed("10.0.0.1", &retry),
	    -EBUSY);
	ck_assert_uint_eq(retry, 2);
	/* Another address is not affected. */
	ck_assert_int_eq(web_session_login_allowed("10.0.0.2", &retry), 0);
}
END_TEST

START_TEST(lockout_delay_doubles_up_to_five_minutes)
{
	static const unsigned want[] = { 2, 4, 8, 16, 32, 64, 128, 256, 300,
		300 };
	unsigned retry = 0;
	size_t i;

	web_session_login_failed("10.0.0.1", "x");
	web_session_login_failed("10.0.0.1", "x");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		web_session_login_failed("10.0.0.1", "x");
		ck_assert_int_eq(web_session_login_allowed("10.0.0.1", &retry),
		    -EBUSY);
		ck_assert_msg(retry == want[i], "failure %zu: %u s, want %u s",
		    i + 3, retry, want[i]);
	}
}
END_TEST

START_TEST(successful_login_clears_failures)
{
	unsigned retry = 0;

	web_session_login_failed("10.0.0.1", "x");
	web_session_login_failed("10.0.0.1", "x");
	web_session_login_ok("10.0.0.1");
	web_session_login_failed("10.0.0.1", "x");
	web_session_login_failed("10.0.0.1", "x");
	ck_assert_int_eq(web_session_login_allowed("10.0.0.1", &retry), 0);
}
END_TEST

START_TEST(change_push_names_storage_group)
{
	struct bus_msg m = { .type = BUS_CHANGE };
	json_t *v;
	char *text;

	m.u.change.seq = 7;
	m.u.change.what = STATE_F_GAIN;
	m.u.change.group = 'M';
	m.u.change.channel = 1;		/* mic 2 = input 2 */
	m.u.change.number = -10.0;
	m.u.change.origin = admin;
	v = web_json_bus(&m);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(json_string_value(json_object_get(v, "type")),
	    "change");
	ck_assert_str_eq(json_string_value(json_object_get(v, "line")),
	    "#H0 GAIN 2 M -10.00 A");
	ck_assert_str_eq(json_string_value(json_object_get(v, "group")), "I");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "index")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(v, "channel")),
	    "2");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "seq")), 7);
	ck_assert_str_eq(json_string_value(json_object_get(v, "origin")),
	    "web");
	text = json_dumps(v, JSON_COMPACT);
	ck_assert_ptr_nonnull(strstr(text, "\"number\":-10.0"));
	free(text);
	json_decref(v);
}
END_TEST

START_TEST(meters_are_not_pushed)
{
	struct bus_msg m = { .type = BUS_METERS };

	ck_assert_ptr_null(web_json_bus(&m));
}
END_TEST

START_TEST(level_names_parse_case_insensitively)
{
	enum user_level l;

	ck_assert_int_eq(web_json_level_parse("administrator", &l), 0);
	ck_assert_int_eq(l, LEVEL_ADMIN);
	ck_assert_int_eq(web_json_level_parse("MANAGER", &l), 0);
	ck_assert_int_eq(l, LEVEL_MANAGER);
	ck_assert_int_eq(web_json_level_parse("User", &l), 0);
	ck_assert_int_eq(l, LEVEL_USER);
	ck_assert_int_eq(web_json_level_parse("root", &l), -EINVAL);
	ck_assert_int_eq(web_json_level_parse("", &l), -EINVAL);
	ck_assert_str_eq(web_json_level_name(LEVEL_ADMIN), "Administrator");
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(session_tokens_are_random_hex),
		CHECK_CASE(session_found_by_exact_token_only),
		CHECK_CASE(session_expires_after_idle_time),
		CHECK_CASE(session_table_full_refuses_login),
		CHECK_CASE(session_of_deleted_user_is_gone),
		CHECK_CASE(session_level_follows_user_changes),
		CHECK_CASE(lockout_starts_after_configured_failures),
		CHECK_CASE(lockout_delay_doubles_up_to_five_minutes),
		CHECK_CASE(successful_login_clears_failures),
		CHECK_CASE(change_push_names_storage_group),
		CHECK_CASE(meters_are_not_pushed),
		CHECK_CASE(level_names_parse_case_insensitively),
	};

	return check_cases_run("web", cases, sizeof cases / sizeof *cases,
	    setup, teardown);
}
