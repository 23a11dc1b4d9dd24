/* SPDX-License-Identifier: MIT */
/*
 * The web service's pieces that need no civetweb: login sessions (tokens,
 * idle expiry, table size, the per-user cap, rows kept for Administrators,
 * the list an Administrator sees, users deleted or re-levelled under a
 * live session), the per-address login lockout and its doubling delay,
 * the JSON push made from a bus change, the per-address connection limit
 * on real loopback sockets, the Host check and the JSON media type
 * (services/web/web_session.c, web_json.c, web_conn.c, web_host.c,
 * web_http.c).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "unit_state.h"
#include "state.h"
#include "web/web_int.h"

static const struct origin admin = { "web", 0, 1, "clearone",
	"web 127.0.0.1:5000" };

/* The service state the tests drive (the service keeps it in its priv). */
static struct web w;

static void
setup(void)
{
	unit_state_up("0000ABCD");
	memset(&w, 0, sizeof w);
	w.limits.max_sessions = 4;
	w.limits.session_idle_s = 900;
	w.limits.lockout_after = 3;
	w.limits.lockout_delay_s = 2;
	w.limits.max_body = 65536;
	w.limits.max_clients = 4;
	w.limits.sessions_per_user = 8;	/* no cap unless a test sets one */
	w.limits.admin_sessions = 0;
	ck_assert_int_eq(web_session_init(&w), 0);
}

static void
teardown(void)
{
	web_session_fini(&w);
	unit_state_down();
}

/* A login from 127.0.0.1. */
static int
login(const char *user, enum user_level level, struct web_session *out)
{
	return web_session_create(&w, user, level, "127.0.0.1", out);
}

static bool
is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

START_TEST(session_tokens_are_random_hex)
{
	struct web_session a, b;

	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &a), 0);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &b), 0);
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

	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), 0);
	ck_assert_int_eq(web_session_find(&w, s.token, &out), 0);
	ck_assert_str_eq(out.user, "clearone");
	ck_assert_str_eq(out.csrf, s.csrf);
	ck_assert_int_eq(web_session_find(&w, s.csrf, &out), -ENOENT);
	memcpy(wrong, s.token, sizeof(wrong));
	wrong[63] = wrong[63] == 'a' ? 'b' : 'a';	/* last digit differs */
	ck_assert_int_eq(web_session_find(&w, wrong, &out), -ENOENT);
	wrong[63] = '\0';				/* a prefix */
	ck_assert_int_eq(web_session_find(&w, wrong, &out), -ENOENT);
	ck_assert_int_eq(web_session_find(&w, "", &out), -ENOENT);
	web_session_delete(&w, s.token);
	ck_assert_int_eq(web_session_find(&w, s.token, &out), -ENOENT);
}
END_TEST

START_TEST(session_expires_after_idle_time)
{
	struct web_session s, out;

	w.limits.session_idle_s = 0;	/* anything idle is expired */
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), 0);
	usleep(5000);
	ck_assert_int_eq(web_session_find(&w, s.token, &out), -ENOENT);
}
END_TEST

START_TEST(session_table_full_refuses_login)
{
	struct web_session s;
	int i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), 0);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), -ENOSPC);
	/* Logging one out frees its slot. */
	web_session_delete(&w, s.token);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), 0);
}
END_TEST

/* A user `name` at `level` (password "pass-word-1"). */
static void
add_user(const char *name, enum user_level level)
{
	char why[160];

	ck_assert_int_eq(state_user_set(name, "pass-word-1", level, &admin, why,
	    sizeof why), 0);
}

START_TEST(session_cap_per_user_ends_the_oldest)
{
	struct web_session a, b, c, other, out;

	w.limits.sessions_per_user = 2;
	add_user("operator", LEVEL_USER);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &other), 0);
	ck_assert_int_eq(login("operator", LEVEL_USER, &a), 0);
	ck_assert_int_eq(login("OPERATOR", LEVEL_USER, &b), 0);
	ck_assert_int_eq(login("operator", LEVEL_USER, &c), 0);
	ck_assert_int_eq(web_session_find(&w, a.token, &out), -ENOENT);
	ck_assert_int_eq(web_session_find(&w, b.token, &out), 0);
	ck_assert_int_eq(web_session_find(&w, c.token, &out), 0);
	ck_assert_int_eq(web_session_find(&w, other.token, &out), 0);
}
END_TEST

START_TEST(session_room_kept_for_administrator)
{
	struct web_session s;

	w.limits.admin_sessions = 1;	/* of 4 */
	add_user("op1", LEVEL_USER);
	add_user("op2", LEVEL_MANAGER);
	ck_assert_int_eq(login("op1", LEVEL_USER, &s), 0);
	ck_assert_int_eq(login("op1", LEVEL_USER, &s), 0);
	ck_assert_int_eq(login("op2", LEVEL_MANAGER, &s), 0);
	ck_assert_int_eq(login("op2", LEVEL_MANAGER, &s), -ENOSPC);
	ck_assert_int_eq(login("op1", LEVEL_USER, &s), -ENOSPC);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), 0);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), -ENOSPC);
}
END_TEST

START_TEST(session_list_and_end_by_id)
{
	struct web_session_info list[4];
	struct web_session a, b, out;

	add_user("operator", LEVEL_USER);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &a), 0);
	ck_assert_int_eq(web_session_create(&w, "operator", LEVEL_USER,
	    "10.1.2.3", &b), 0);
	ck_assert_uint_eq(web_session_list(&w, list, 4), 2);
	ck_assert_uint_eq(list[0].id, a.id);
	ck_assert_str_eq(list[1].user, "operator");
	ck_assert_str_eq(list[1].from, "10.1.2.3");
	ck_assert_int_eq(list[1].level, LEVEL_USER);
	ck_assert_uint_eq(list[1].age_s, 0);
	ck_assert_int_eq(web_session_end(&w, b.id), 0);
	ck_assert_int_eq(web_session_find(&w, b.token, &out), -ENOENT);
	ck_assert_int_eq(web_session_end(&w, b.id), -ENOENT);
	ck_assert_uint_eq(web_session_list(&w, list, 4), 1);
	ck_assert_int_eq(web_session_find(&w, a.token, &out), 0);
}
END_TEST

START_TEST(deleted_users_sessions_free_their_rows)
{
	struct web_session_info list[4];
	struct web_session s;
	char why[160];

	add_user("operator", LEVEL_USER);
	ck_assert_int_eq(login("operator", LEVEL_USER, &s), 0);
	ck_assert_int_eq(login("clearone", LEVEL_ADMIN, &s), 0);
	ck_assert_int_eq(state_user_delete("operator", &admin, why,
	    sizeof why), 0);
	web_session_expire(&w);
	ck_assert_uint_eq(web_session_list(&w, list, 4), 1);
	ck_assert_str_eq(list[0].user, "clearone");
}
END_TEST

/* A User "operator" logged in as `s`. */
static void
operator_session(struct web_session *s)
{
	char why[160];

	ck_assert_int_eq(state_user_set("operator", "op-pass-1", LEVEL_USER,
	    &admin, why, sizeof why), 0);
	ck_assert_int_eq(login("operator", LEVEL_USER, s), 0);
}

START_TEST(session_of_deleted_user_is_gone)
{
	struct web_session s, out;
	char why[160];

	operator_session(&s);
	ck_assert_int_eq(web_session_find(&w, s.token, &out), 0);
	ck_assert_int_eq(state_user_delete("operator", &admin, why,
	    sizeof why), 0);
	ck_assert_int_eq(web_session_find(&w, s.token, &out), -ENOENT);
}
END_TEST

START_TEST(session_level_follows_user_changes)
{
	struct web_session s, out;
	char why[160];

	operator_session(&s);
	ck_assert_int_eq(state_user_set("operator", NULL, LEVEL_MANAGER,
	    &admin, why, sizeof why), 0);
	ck_assert_int_eq(web_session_find(&w, s.token, &out), 0);
	ck_assert_int_eq(out.level, LEVEL_MANAGER);
}
END_TEST

START_TEST(lockout_starts_after_configured_failures)
{
	unsigned retry = 0;

	web_session_login_failed(&w, "10.0.0.1", "clearone");
	web_session_login_failed(&w, "10.0.0.1", "clearone");
	ck_assert_int_eq(web_session_login_allowed(&w, "10.0.0.1", &retry), 0);
	web_session_login_failed(&w, "10.0.0.1", "clearone");
	ck_assert_int_eq(web_session_login_allowed(&w, "10.0.0.1", &retry),
	    -EBUSY);
	ck_assert_uint_eq(retry, 2);
	/* Another address is not affected. */
	ck_assert_int_eq(web_session_login_allowed(&w, "10.0.0.2", &retry), 0);
}
END_TEST

START_TEST(lockout_delay_doubles_up_to_five_minutes)
{
	static const unsigned want[] = { 2, 4, 8, 16, 32, 64, 128, 256, 300,
		300 };
	unsigned retry = 0;
	size_t i;

	web_session_login_failed(&w, "10.0.0.1", "x");
	web_session_login_failed(&w, "10.0.0.1", "x");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		web_session_login_failed(&w, "10.0.0.1", "x");
		ck_assert_int_eq(web_session_login_allowed(&w, "10.0.0.1", &retry),
		    -EBUSY);
		ck_assert_msg(retry == want[i], "failure %zu: %u s, want %u s",
		    i + 3, retry, want[i]);
	}
}
END_TEST

START_TEST(successful_login_clears_failures)
{
	unsigned retry = 0;

	web_session_login_failed(&w, "10.0.0.1", "x");
	web_session_login_failed(&w, "10.0.0.1", "x");
	web_session_login_ok(&w, "10.0.0.1");
	web_session_login_failed(&w, "10.0.0.1", "x");
	web_session_login_failed(&w, "10.0.0.1", "x");
	ck_assert_int_eq(web_session_login_allowed(&w, "10.0.0.1", &retry), 0);
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

START_TEST(host_name_without_port)
{
	static const struct {
		const char *host, *name;
		bool v6;
	} good[] = {
		{ "unit", "unit", false }, { "unit:8080", "unit", false },
		{ "unit.", "unit", false }, { "10.0.0.1:80", "10.0.0.1", false },
		{ "[::1]", "::1", true }, { "[fe80::1]:8080", "fe80::1", true },
	};
	static const char *const bad[] = { "", ":80", "unit:", "unit:x",
		"unit:123456", "unit:80:80", "[::1", "[::1]x", "[::1]:",
		"[]", "." };
	char name[64];
	bool v6;
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++) {
		ck_assert_int_eq(web_host_name(good[i].host, name, sizeof name,
		    &v6), 0);
		ck_assert_str_eq(name, good[i].name);
		ck_assert(v6 == good[i].v6);
	}
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(web_host_name(bad[i], name, sizeof name, &v6) ==
		    -EINVAL, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(host_must_be_an_address_or_the_units_name)
{
	static const char *const ok[] = { "127.0.0.1:8080", "10.1.2.3",
		"[::1]:80", "localhost", "LOCALHOST:80", "Board-DSP",
		"dsp1", "DSP1.example.org:8080", "proxy.example", "other." };
	static const char *const refused[] = { "evil.example",
		"127.0.0.1.evil.example", "localhost.evil.example",
		"dsp1.evil.example", "proxy.example.evil", "[evil]", "1.2.3",
		"board-dsp.evil", "example.org" };
	char why[160];
	size_t i;

	ck_assert_int_eq(state_setting_set(SET_UNIT_LABEL, "Board-DSP", &admin,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_NETBIOS_NAME, "DSP1", &admin,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_NET_DOMAIN, "example.org",
	    &admin, why, sizeof why), 0);
	snprintf(w.allowed_hosts, sizeof w.allowed_hosts,
	    "proxy.example, other");
	for (i = 0; i < sizeof ok / sizeof *ok; i++)
		ck_assert_msg(web_host_check(&w, ok[i], why, sizeof why) == 0,
		    "'%s' refused: %s", ok[i], why);
	for (i = 0; i < sizeof refused / sizeof *refused; i++)
		ck_assert_msg(web_host_check(&w, refused[i], why, sizeof why) ==
		    -EPERM, "'%s' accepted", refused[i]);
	ck_assert_ptr_nonnull(strstr(why, "allowed_hosts"));
	ck_assert_int_eq(web_host_check(&w, NULL, why, sizeof why), -EPERM);
}
END_TEST

START_TEST(json_media_type_matches_exactly)
{
	static const char *const ok[] = { "application/json",
		"application/json; charset=utf-8", "Application/JSON;charset=x",
		"application/json ;q=1" };
	static const char *const refused[] = { "application/jsonxyz",
		"application/json-patch+json", "application/jso", "text/json",
		"", " application/json", "application/json x" };
	size_t i;

	for (i = 0; i < sizeof ok / sizeof *ok; i++)
		ck_assert_msg(web_http_is_json(ok[i]), "'%s' refused", ok[i]);
	for (i = 0; i < sizeof refused / sizeof *refused; i++)
		ck_assert_msg(!web_http_is_json(refused[i]), "'%s' accepted",
		    refused[i]);
	ck_assert(!web_http_is_json(NULL));
}
END_TEST

/* A connection from `from` to the listener `lfd` (port `port`), accepted. */
static void
conn_pair(int lfd, int port, const char *from, int *client, int *server)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	*client = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(*client, 0);
	inet_pton(AF_INET, from, &sin.sin_addr);
	ck_assert_int_eq(bind(*client, (struct sockaddr *)&sin, sizeof sin), 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(connect(*client, (struct sockaddr *)&sin, sizeof sin),
	    0);
	*server = accept(lfd, NULL, NULL);
	ck_assert_int_ge(*server, 0);
}

/* True once the server side shut the connection (the client reads EOF). */
static bool
conn_was_shut(int client)
{
	char c;

	return recv(client, &c, 1, MSG_DONTWAIT) == 0;
}

/* A listener on 127.0.0.1 and a free port; its fd. */
static int
conn_listener(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	int lfd;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(listen(lfd, 16), 0);
	getsockname(lfd, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return lfd;
}

START_TEST(connections_over_the_per_address_limit_are_shut)
{
	int lfd, port, cl[6], sv[6], i, n;
	unsigned shut = 9;

	lfd = conn_listener(&port);
	/* 5 from one address, 1 from another; the limit is 2 */
	for (i = 0; i < 5; i++)
		conn_pair(lfd, port, "127.0.0.2", &cl[i], &sv[i]);
	conn_pair(lfd, port, "127.0.0.3", &cl[5], &sv[5]);
	ck_assert_int_eq(web_conn_enforce(port, 2, &shut), 0);
	ck_assert_uint_eq(shut, 3);
	/* which three of the five is "the newest" by socket inode, and the
	 * kernel hands inodes out in per-CPU batches: only count them */
	for (i = 0, n = 0; i < 5; i++)
		n += conn_was_shut(cl[i]);
	ck_assert_int_eq(n, 3);
	ck_assert_msg(!conn_was_shut(cl[5]), "the other address's one");
	/* The shut ones no longer count: nothing more to do. */
	ck_assert_int_eq(web_conn_enforce(port, 2, &shut), 0);
	ck_assert_uint_eq(shut, 0);
	for (i = 0; i < 6; i++) {
		close(cl[i]);
		close(sv[i]);
	}
	close(lfd);
}
END_TEST

/* The WebSocket's send buffer is set on its own connection only. */
START_TEST(send_buffer_set_on_the_peers_connection)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int lfd, port, cl[2], sv[2], i, size;

	lfd = conn_listener(&port);
	for (i = 0; i < 2; i++)
		conn_pair(lfd, port, "127.0.0.2", &cl[i], &sv[i]);
	getsockname(cl[1], (struct sockaddr *)&sin, &len);
	ck_assert_int_eq(web_conn_sndbuf(port, "127.0.0.2",
	    ntohs(sin.sin_port), 50000), 0);
	for (i = 0; i < 2; i++) {
		len = sizeof size;
		getsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &size, &len);
		/* the kernel doubles what it is asked */
		ck_assert_msg((size == 100000) == (i == 1), "%d: %d", i, size);
	}
	ck_assert_int_eq(web_conn_sndbuf(port, "127.0.0.3",
	    ntohs(sin.sin_port), 50000), -ENOENT);
	for (i = 0; i < 2; i++) {
		close(cl[i]);
		close(sv[i]);
	}
	close(lfd);
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
		CHECK_CASE(session_cap_per_user_ends_the_oldest),
		CHECK_CASE(session_room_kept_for_administrator),
		CHECK_CASE(session_list_and_end_by_id),
		CHECK_CASE(deleted_users_sessions_free_their_rows),
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
		CHECK_CASE(connections_over_the_per_address_limit_are_shut),
		CHECK_CASE(send_buffer_set_on_the_peers_connection),
		CHECK_CASE(host_name_without_port),
		CHECK_CASE(host_must_be_an_address_or_the_units_name),
		CHECK_CASE(json_media_type_matches_exactly),
	};

	return check_cases_run("web", cases, sizeof cases / sizeof *cases,
	    setup, teardown);
}
