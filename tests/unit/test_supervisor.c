/* SPDX-License-Identifier: MIT */
/*
 * Supervisor with test services that run, fail, recover, hang and refuse
 * to stop. Timings are scaled down (100 ms backoff, 500 ms hang) so the
 * documented behaviour shows in a second or two.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "clock.h"
#include "config.h"
#include "model.h"
#include "state.h"
#include "supervisor.h"
#include "svc_ctx.h"

static const struct supervisor_opts fast = {
	.backoff_min_ms = 100,
	.backoff_max_ms = 400,
	.backoff_reset_ms = 60000,
	.hang_ms = 500,
	.stop_grace_ms = 300,
	.tick_ms = 10,
};

static atomic_int runs;
static atomic_bool release_stuck;

static int
ok_init(struct svc_ctx *ctx, char *why, size_t len)
{
	(void)ctx, (void)why, (void)len;
	return 0;
}

/* A well-behaved loop: beats and stops when asked. */
static int
loop_run(struct svc_ctx *ctx)
{
	runs++;
	while (!svc_should_stop(ctx)) {
		if (svc_poll(ctx, NULL, 0, 50) < 0)
			return -EIO;
		svc_beat(ctx);
	}
	return 0;
}

static uint64_t run_started[16];

static int
fail_run(struct svc_ctx *ctx)
{
	if (runs < 16)
		run_started[runs] = clock_ms();
	runs++;
	svc_set_error(ctx, "disk on fire");
	return -EIO;
}

/* Fails twice, then behaves. */
static int
recover_run(struct svc_ctx *ctx)
{
	if (runs < 2) {
		runs++;
		return -EAGAIN;
	}
	return loop_run(ctx);
}

/* Stops beating but still honours the stop flag. */
static int
quiet_run(struct svc_ctx *ctx)
{
	runs++;
	while (!svc_should_stop(ctx))
		svc_poll(ctx, NULL, 0, 50);
	return 0;
}

/* Stops beating and ignores the stop flag until the test releases it. */
static int
stuck_run(struct svc_ctx *ctx)
{
	(void)ctx;
	runs++;
	for (int i = 0; i < 500 && !release_stuck; i++)
		usleep(10000);
	return 0;
}

/*
 * A heartbeat stamped after the supervisor read its clock: the beat is
 * newer than `now`. Made deterministic by stamping it in the future.
 */
static int
future_beat_run(struct svc_ctx *ctx)
{
	runs++;
	while (!svc_should_stop(ctx)) {
		ctx->beat_ms = clock_ms() + 60000;
		svc_poll(ctx, NULL, 0, 20);
	}
	return 0;
}

static int
bad_init(struct svc_ctx *ctx, char *why, size_t len)
{
	(void)ctx;
	snprintf(why, len, "cannot bind 127.0.0.1:1: address in use");
	return -EADDRINUSE;
}

static const struct cfg_key demo_keys[] = {
	{ "speed", CFG_INT, 0, 10, "1", NULL, "" },
	{ NULL },
};

#define SERVICE(id, i, r) \
	static const struct service id = { .name = #id, .keys = demo_keys, \
		.default_enabled = true, .init = i, .run = r }
SERVICE(steady, ok_init, loop_run);
SERVICE(failing, ok_init, fail_run);
SERVICE(recovering, ok_init, recover_run);
SERVICE(quiet, ok_init, quiet_run);
SERVICE(stuck, ok_init, stuck_run);
SERVICE(unbindable, bad_init, loop_run);
SERVICE(busy, ok_init, future_beat_run);

/* ---- svc_request ---- */

static atomic_bool release_slow;
static _Atomic pthread_t action_thread;

static int
echo_action(struct svc_ctx *ctx, const char *args, char *reply, size_t len)
{
	(void)ctx;
	action_thread = pthread_self();
	snprintf(reply, len, "echo: %s", args);
	return 0;
}

static int
refuse_action(struct svc_ctx *ctx, const char *args, char *reply,
    size_t len)
{
	(void)ctx, (void)args;
	snprintf(reply, len, "550 no such user");
	return -EIO;
}

/* Blocks its service until the test releases it (bounded: 5 s). */
static int
slow_action(struct svc_ctx *ctx, const char *args, char *reply, size_t len)
{
	(void)args;
	for (int i = 0; i < 500 && !release_slow; i++) {
		svc_beat(ctx);
		usleep(10000);
	}
	snprintf(reply, len, "late");
	return 0;
}

static const struct svc_action demo_actions[] = {
	{ "echo", echo_action },
	{ "refuse", refuse_action },
	{ "slow", slow_action },
	{ NULL },
};

/* Honours the stop flag but never polls: requests wait in its queue. */
static int
deaf_run(struct svc_ctx *ctx)
{
	while (!svc_should_stop(ctx)) {
		svc_beat(ctx);
		usleep(5000);
	}
	return 0;
}

static const struct service answering = { .name = "answering",
	.keys = demo_keys, .default_enabled = true, .init = ok_init,
	.run = loop_run, .actions = demo_actions };
static const struct service deaf = { .name = "deaf", .keys = demo_keys,
	.default_enabled = true, .init = ok_init, .run = deaf_run,
	.actions = demo_actions };

static struct cfg_section schema[8];
static size_t nschema;

static struct cfg *
config_for(const struct service *svc, const char *text)
{
	const struct service *list[] = { svc };
	struct cfg *cfg = NULL;
	char errors[1024];

	nschema = supervisor_schema(list, 1, schema, 8);
	ck_assert_int_eq(cfg_load_string("t.conf", text, schema, nschema, &cfg,
	    errors, sizeof errors), 0);
	return cfg;
}

static void
start(const struct service *svc, const char *text)
{
	const struct service *list[] = { svc };
	struct cfg *cfg = config_for(svc, text);

	ck_assert_int_eq(supervisor_start(list, 1, cfg, &fast), 0);
	cfg_unref(cfg);
}

static struct supervisor_row
row(void)
{
	struct supervisor_row r;

	ck_assert_uint_eq(supervisor_table(&r, 1), 1);
	return r;
}

/* Wait (bounded) until the service is in `state`. */
static bool
wait_state(enum svc_state state, unsigned ms)
{
	uint64_t end = clock_ms() + ms;

	while (clock_ms() < end) {
		if (row().state == state)
			return true;
		usleep(5000);
	}
	return false;
}

/* Wait (bounded) until run() has been entered `n` times. */
static bool
wait_runs(int n, unsigned ms)
{
	uint64_t end = clock_ms() + ms;

	while (runs < n && clock_ms() < end)
		usleep(5000);
	return runs == n;
}

static void
setup(void)
{
	struct state_identity id = { .model = model_get(MODEL_880TA),
		.uid = "0000BEEF", .firmware = "4.4.0.2" };

	bus_init();
	ck_assert_int_eq(state_init(&id), 0);
	runs = 0;
	release_stuck = false;
}

START_TEST(healthy_service_runs_and_stops_cleanly)
{
	start(&steady, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	ck_assert_uint_lt(row().heartbeat_age_ms, 500);
	ck_assert_int_eq(supervisor_stop(), 0);
	ck_assert_int_eq(supervisor_health(), 0);
}
END_TEST

START_TEST(state_changes_are_published_on_the_bus)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_SERVICE), 64);
	struct bus_msg m;
	enum svc_state seen[8];
	int n = 0;

	start(&steady, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	supervisor_stop();
	while (n < 8 && bus_take(sub, &m) == 1) {
		ck_assert_str_eq(m.u.service.name, "steady");
		seen[n++] = m.u.service.state;
	}
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(seen[0], SVC_STARTING);
	ck_assert_int_eq(seen[1], SVC_RUNNING);
	ck_assert_int_eq(seen[2], SVC_STOPPING);
	ck_assert_int_eq(seen[3], SVC_STOPPED);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(failed_service_is_restarted_with_doubling_backoff)
{
	/* backoff 100, 200, 400, then capped at 400 ms */
	static const unsigned expect[] = { 100, 200, 400, 400 };
	uint64_t end = clock_ms() + 5000;

	start(&failing, "");
	while (runs < 5 && clock_ms() < end)
		usleep(5000);
	ck_assert_str_eq(row().last_error, "disk on fire");
	ck_assert_uint_ge(row().restarts, 4);
	supervisor_stop();
	ck_assert_int_ge(runs, 5);
	for (int i = 0; i < 4; i++) {
		uint64_t gap = run_started[i + 1] - run_started[i];

		/* never early; late only by scheduling (generous for sanitizers) */
		ck_assert_msg(gap >= expect[i] && gap < expect[i] + 250,
		    "restart %d after %llu ms, expected %u", i + 1,
		    (unsigned long long)gap, expect[i]);
	}
}
END_TEST

START_TEST(failing_service_is_listed_as_backing_off)
{
	start(&failing, "");
	ck_assert(wait_state(SVC_BACKOFF, 1000));
	supervisor_stop();
}
END_TEST

/* Wait (bounded) until the service has been restarted `n` times and runs. */
static bool
wait_running_after(unsigned n, unsigned ms)
{
	uint64_t end = clock_ms() + ms;

	while (clock_ms() < end) {
		struct supervisor_row r = row();

		if (r.restarts == n && r.state == SVC_RUNNING)
			return true;
		usleep(5000);
	}
	return false;
}

START_TEST(service_recovers_after_failures)
{
	struct bus_sub *events = bus_subscribe(BUS_MASK(BUS_EVENT), 64);
	struct bus_msg m;
	bool recovered = false;

	start(&recovering, "");
	ck_assert(wait_running_after(2, 3000));
	usleep(50000);
	while (bus_take(events, &m) == 1)
		recovered |= strcmp(m.u.event.text,
		    "service recovering recovered") == 0;
	ck_assert(recovered);
	supervisor_stop();
	bus_unsubscribe(events);
}
END_TEST

START_TEST(init_failure_reason_is_kept_and_retried)
{
	start(&unbindable, "");
	ck_assert(wait_state(SVC_BACKOFF, 1000));
	ck_assert_str_eq(row().last_error,
	    "cannot bind 127.0.0.1:1: address in use");
	supervisor_stop();
}
END_TEST

START_TEST(hung_service_that_stops_is_restarted)
{
	start(&quiet, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	/* 500 ms without a heartbeat: asked to stop, stops, restarts */
	ck_assert(wait_state(SVC_BACKOFF, 1500));
	ck_assert(strstr(row().last_error, "hung: no heartbeat") != NULL);
	ck_assert(wait_state(SVC_RUNNING, 1000));
	ck_assert_int_ge(runs, 2);
	ck_assert_int_eq(supervisor_health(), 0);
	supervisor_stop();
}
END_TEST

START_TEST(hung_service_that_will_not_stop_makes_daemon_give_up)
{
	uint64_t t0 = clock_ms(), end = t0 + 3000;

	start(&stuck, "");
	while (supervisor_health() == 0 && clock_ms() < end)
		usleep(5000);
	ck_assert_int_eq(supervisor_health(), -ETIMEDOUT);
	/* hang (500 ms) + grace (300 ms), detected within a few ticks */
	ck_assert_uint_ge(clock_ms() - t0, 800);
	release_stuck = true;
	usleep(50000);
	supervisor_stop();
}
END_TEST

START_TEST(fresh_heartbeat_is_never_taken_for_a_hang)
{
	uint64_t end;

	start(&busy, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	end = clock_ms() + 1000;
	while (clock_ms() < end) {
		ck_assert_int_eq(row().state, SVC_RUNNING);
		usleep(1000);
	}
	ck_assert_str_eq(row().last_error, "");
	ck_assert_int_eq(runs, 1);
	supervisor_stop();
}
END_TEST

START_TEST(reload_disables_and_enables_a_service)
{
	struct cfg *off = config_for(&steady, "[steady]\nenabled = no\n");
	struct cfg *on = config_for(&steady, "[steady]\nenabled = yes\n");
	char report[256];

	start(&steady, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	supervisor_reload(off, report, sizeof report);
	ck_assert_str_eq(report, "steady disabled; ");
	ck_assert(wait_state(SVC_STOPPED, 1000));
	supervisor_reload(on, report, sizeof report);
	ck_assert_str_eq(report, "steady enabled; ");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	ck_assert(wait_runs(2, 1000));
	supervisor_stop();
	cfg_unref(off);
	cfg_unref(on);
}
END_TEST

START_TEST(reload_restarts_a_service_whose_settings_changed)
{
	struct cfg *same = config_for(&steady, "");
	struct cfg *faster = config_for(&steady, "[steady]\nspeed = 5\n");
	char report[256];

	start(&steady, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	supervisor_reload(same, report, sizeof report);
	ck_assert_str_eq(report, "nothing changed");
	supervisor_reload(faster, report, sizeof report);
	ck_assert_str_eq(report, "steady restarted with new settings; ");
	usleep(100000);
	ck_assert(wait_state(SVC_RUNNING, 1000));
	ck_assert(wait_runs(2, 1000));
	supervisor_stop();
	cfg_unref(same);
	cfg_unref(faster);
}
END_TEST

START_TEST(reload_reports_network_changes_as_needing_a_restart)
{
	struct cfg *moved = config_for(&steady, "[network]\ninterface = eth9\n");
	char report[256];

	start(&steady, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	supervisor_reload(moved, report, sizeof report);
	ck_assert_str_eq(report, "[network] changed but needs a restart "
	    "(not applied); ");
	supervisor_stop();
	cfg_unref(moved);
}
END_TEST

static const char *const network_only[] = { "network", NULL };
static const struct service netuser = { .name = "netuser",
	.keys = demo_keys, .default_enabled = true, .init = ok_init,
	.run = loop_run, .reads = network_only };

START_TEST(reload_gives_network_changes_to_the_service_reading_them)
{
	struct cfg *moved = config_for(&netuser,
	    "[network]\ninterface = eth9\n");
	char report[256];

	start(&netuser, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	supervisor_reload(moved, report, sizeof report);
	ck_assert_str_eq(report, "netuser restarted with new settings; ");
	ck_assert(wait_runs(2, 1000));
	ck_assert(wait_state(SVC_RUNNING, 1000));
	supervisor_stop();
	cfg_unref(moved);
}
END_TEST

START_TEST(schema_gives_each_service_its_defaults)
{
	static const struct service web = { .name = "web", .default_port = 80,
		.default_enabled = false, .keys = demo_keys };
	const struct service *list[] = { &web };
	struct cfg_section sec[5];
	struct cfg *cfg = NULL;
	char errors[256];

	/* unit, log, network, then the services */
	ck_assert_uint_eq(supervisor_schema(list, 1, sec, 5), 4);
	ck_assert_str_eq(sec[2].name, "network");
	ck_assert_str_eq(sec[3].name, "web");
	ck_assert_int_eq(cfg_load_string("t", "", sec, 4, &cfg, errors,
	    sizeof errors), 0);
	ck_assert_int_eq(cfg_int(cfg, "web", "port"), 80);
	ck_assert(!cfg_bool(cfg, "web", "enabled"));
	ck_assert_str_eq(cfg_str(cfg, "web", "bind"), "0.0.0.0");
	ck_assert_int_eq(cfg_int(cfg, "web", "speed"), 1);
	cfg_unref(cfg);
}
END_TEST

/* The row named `key` in a NULL-terminated table, or NULL. */
static const struct cfg_key *
row_named(const struct cfg_key *rows, const char *key)
{
	for (; rows->key != NULL; rows++)
		if (strcmp(rows->key, key) == 0)
			return rows;
	return NULL;
}

/* Every common row, found by name: the descriptor's or the table's default. */
static void
check_common_defaults(const struct cfg_key *rows, const char *enabled,
    const char *port)
{
	for (const struct cfg_key *c = svc_common_keys; c->key; c++) {
		const struct cfg_key *r = row_named(rows, c->key);
		const char *want = c->def;

		ck_assert_msg(r != NULL, "no row %s", c->key);
		if (strcmp(c->key, "enabled") == 0)
			want = enabled;
		else if (strcmp(c->key, "port") == 0)
			want = port;
		ck_assert_msg(strcmp(r->def, want) == 0, "%s defaults to %s, "
		    "want %s", c->key, r->def, want);
	}
	ck_assert_ptr_nonnull(row_named(rows, "speed"));
}

START_TEST(schema_common_rows_found_by_name)
{
	static const struct service svc = { .name = "demo",
		.default_port = 8080, .default_enabled = false,
		.keys = demo_keys };
	const struct service *list[] = { &svc };
	struct cfg_section sec[4];

	ck_assert_uint_eq(supervisor_schema(list, 1, sec, 4), 4);
	check_common_defaults(sec[3].keys, "no", "8080");
}
END_TEST

START_TEST(schema_rows_do_not_depend_on_common_order)
{
	static const struct service svc = { .name = "demo",
		.default_port = 2323, .default_enabled = false,
		.keys = demo_keys };
	struct cfg_key reversed[8], rows[16];
	char port[8];
	size_t n = 0, i;

	/* svc_common_keys backwards: "port" first, "enabled" last */
	while (svc_common_keys[n].key != NULL)
		n++;
	ck_assert_uint_lt(n, 8);
	for (i = 0; i < n; i++)
		reversed[i] = svc_common_keys[n - 1 - i];
	reversed[n] = (struct cfg_key){ NULL };
	ck_assert_uint_eq(supervisor_schema_rows(&svc, reversed, rows, 16,
	    port, sizeof port), n + 1);
	check_common_defaults(rows, "no", "2323");
}
END_TEST

START_TEST(request_is_answered_on_the_service_thread)
{
	char reply[SVC_REPLY_MAX];

	start(&answering, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	ck_assert_int_eq(svc_request("answering", "echo", "hi", reply,
	    sizeof reply, 5000), 0);
	ck_assert_str_eq(reply, "echo: hi");
	ck_assert(!pthread_equal(action_thread, pthread_self()));
	/* an action's failure and its reason come back as they are */
	ck_assert_int_eq(svc_request("answering", "refuse", NULL, reply,
	    sizeof reply, 5000), -EIO);
	ck_assert_str_eq(reply, "550 no such user");
	supervisor_stop();
}
END_TEST

START_TEST(request_to_unknown_service_or_action_is_refused)
{
	char reply[SVC_REPLY_MAX];

	start(&answering, "");
	ck_assert_int_eq(svc_request("nobody", "echo", "", reply,
	    sizeof reply, 1000), -ENOENT);
	ck_assert_str_eq(reply, "no service named nobody");
	ck_assert_int_eq(svc_request("answering", "dance", "", reply,
	    sizeof reply, 1000), -EOPNOTSUPP);
	ck_assert_str_eq(reply, "service answering has no action dance");
	supervisor_stop();
}
END_TEST

START_TEST(request_to_a_service_not_running_fails)
{
	char reply[SVC_REPLY_MAX];

	start(&answering, "[answering]\nenabled = no\n");
	ck_assert_int_eq(svc_request("answering", "echo", "", reply,
	    sizeof reply, 1000), -ESRCH);
	ck_assert_str_eq(reply, "service answering is not running");
	supervisor_stop();
}
END_TEST

START_TEST(unanswered_request_times_out_and_is_dropped)
{
	char reply[SVC_REPLY_MAX];

	start(&answering, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	release_slow = false;
	/* taken but not finished: the service frees it when done */
	ck_assert_int_eq(svc_request("answering", "slow", "", reply,
	    sizeof reply, 100), -ETIMEDOUT);
	ck_assert_str_eq(reply, "service answering did not answer within "
	    "100 ms");
	/* still queued behind it: taken back by the requester */
	ck_assert_int_eq(svc_request("answering", "echo", "late", reply,
	    sizeof reply, 50), -ETIMEDOUT);
	release_slow = true;
	ck_assert_int_eq(svc_request("answering", "echo", "again", reply,
	    sizeof reply, 5000), 0);
	ck_assert_str_eq(reply, "echo: again");
	supervisor_stop();
}
END_TEST

static void *
ask_deaf(void *arg)
{
	char reply[SVC_REPLY_MAX];

	*(int *)arg = svc_request("deaf", "echo", "", reply, sizeof reply,
	    5000);
	return NULL;
}

START_TEST(pending_request_fails_when_the_service_stops)
{
	pthread_t t;
	int rc = 0;

	start(&deaf, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	ck_assert_int_eq(pthread_create(&t, NULL, ask_deaf, &rc), 0);
	usleep(50000);	/* either way the answer is -ESRCH */
	ck_assert_int_eq(supervisor_stop(), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(rc, -ESRCH);
}
END_TEST

#define ASKERS 8
#define ASKS 50

static void *
ask_many(void *arg)
{
	long id = (long)(intptr_t)arg, bad = 0;
	char args[32], want[64], reply[SVC_REPLY_MAX];

	for (int i = 0; i < ASKS; i++) {
		snprintf(args, sizeof args, "%ld.%d", id, i);
		snprintf(want, sizeof want, "echo: %s", args);
		if (svc_request("answering", "echo", args, reply,
		    sizeof reply, 5000) != 0 || strcmp(reply, want) != 0)
			bad++;
	}
	return (void *)(intptr_t)bad;
}

START_TEST(concurrent_requests_each_get_their_own_answer)
{
	pthread_t t[ASKERS];
	void *bad;

	start(&answering, "");
	ck_assert(wait_state(SVC_RUNNING, 1000));
	for (long i = 0; i < ASKERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, ask_many,
		    (void *)(intptr_t)i), 0);
	for (int i = 0; i < ASKERS; i++) {
		pthread_join(t[i], &bad);
		ck_assert_int_eq((int)(intptr_t)bad, 0);
	}
	supervisor_stop();
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(healthy_service_runs_and_stops_cleanly),
		CHECK_CASE(state_changes_are_published_on_the_bus),
		CHECK_CASE(failed_service_is_restarted_with_doubling_backoff),
		CHECK_CASE(failing_service_is_listed_as_backing_off),
		CHECK_CASE(service_recovers_after_failures),
		CHECK_CASE(init_failure_reason_is_kept_and_retried),
		CHECK_CASE(hung_service_that_stops_is_restarted),
		CHECK_CASE(hung_service_that_will_not_stop_makes_daemon_give_up),
		CHECK_CASE(fresh_heartbeat_is_never_taken_for_a_hang),
		CHECK_CASE(reload_disables_and_enables_a_service),
		CHECK_CASE(reload_restarts_a_service_whose_settings_changed),
		CHECK_CASE(reload_reports_network_changes_as_needing_a_restart),
		CHECK_CASE(reload_gives_network_changes_to_the_service_reading_them),
		CHECK_CASE(schema_gives_each_service_its_defaults),
		CHECK_CASE(schema_common_rows_found_by_name),
		CHECK_CASE(schema_rows_do_not_depend_on_common_order),
		CHECK_CASE(request_is_answered_on_the_service_thread),
		CHECK_CASE(request_to_unknown_service_or_action_is_refused),
		CHECK_CASE(request_to_a_service_not_running_fails),
		CHECK_CASE(unanswered_request_times_out_and_is_dropped),
		CHECK_CASE(pending_request_fails_when_the_service_stops),
		CHECK_CASE(concurrent_requests_each_get_their_own_answer),
	};

	return check_cases_run("supervisor", cases,
	    sizeof cases / sizeof *cases, setup, NULL);
}
