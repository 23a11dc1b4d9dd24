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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "state.h"
#include "web/web_int.h"

static const struct origin admin = { "web", 0, 1, "clearone",
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
	web_limits.lockout_delay_s = 2;
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

/* civetweb starts its workers with 100 KiB stacks (libcivetweb.so.1). */
#define CIVETWEB_STACK 102400

struct deep_parse {
	const char *text;
	size_t len;
	json_t *v;
	json_error_t err;
};

static void *
deep_parse_run(void *arg)
{
	struct deep_parse *p = arg;

	p->v = web_json_load(p->text, p->len, JSON_REJECT_DUPLICATES, &p->err);
	return NULL;
}

/* Parse on a thread with a civetweb worker's stack, as the API does. */
static void
deep_parse_on_worker_stack(struct deep_parse *p)
{
	pthread_attr_t attr;
	pthread_t t;

	ck_assert_int_eq(pthread_attr_init(&attr), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&attr, CIVETWEB_STACK), 0);
	ck_assert_int_eq(pthread_create(&t, &attr, deep_parse_run, p), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
}

START_TEST(json_nested_too_deep_is_refused_not_a_crash)
{
	size_t n = 100000, i;
	char *text = malloc(5 * n + 16);
	struct deep_parse p = { 0 };

	ck_assert_ptr_nonnull(text);
	/* {"a":{"a":...}} 100000 deep: jansson alone overflows the stack */
	for (i = 0; i < n; i++)
		memcpy(text + 5 * i, "{\"a\":", 5);
	memcpy(text + 5 * n, "1", 1);
	p.text = text;
	p.len = 5 * n + 1;
	deep_parse_on_worker_stack(&p);
	ck_assert_ptr_null(p.v);
	ck_assert_str_eq(p.err.text, "nested deeper than 32 levels");
	ck_assert_int_eq(p.err.line, 1);
	ck_assert_int_eq(p.err.column, 5 * 32 + 1);
	free(text);
}
END_TEST

START_TEST(json_nesting_at_limit_parses)
{
	char text[512];
	struct deep_parse p = { 0 };
	size_t len = 0, i;

	/* 32 levels, with brackets inside a string that must not count */
	for (i = 0; i < WEB_JSON_DEPTH_MAX - 1; i++)
		text[len++] = '[';
	len += (size_t)snprintf(text + len, sizeof(text) - len,
	    "{\"k\":\"[[[[{{{{\\\"[[\"}");
	for (i = 0; i < WEB_JSON_DEPTH_MAX - 1; i++)
		text[len++] = ']';
	p.text = text;
	p.len = len;
	deep_parse_on_worker_stack(&p);
	ck_assert_msg(p.v != NULL, "%s", p.err.text);
	json_decref(p.v);
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
		CHECK_CASE(json_nested_too_deep_is_refused_not_a_crash),
		CHECK_CASE(json_nesting_at_limit_parses),
	};

	return check_cases_run("web", cases, sizeof cases / sizeof *cases,
	    setup, teardown);
}
