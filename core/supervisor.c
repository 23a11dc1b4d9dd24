/* SPDX-License-Identifier: MIT */
/*
 * Supervisor: one thread per enabled service, health-checked by one
 * supervisor thread. A service whose run() fails is restarted after a
 * backoff (1 s doubling to 60 s); one with no heartbeat for 5 s is asked
 * to stop, and if it does not stop within 2 s the daemon gives up so that
 * systemd restarts it. Every state change is published and recorded.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "clock.h"
#include "log.h"
#include "state.h"
#include "supervisor.h"
#include "svc_ctx.h"

#define SUP_MAX_SERVICES 32
#define SUP_MAX_KEYS 48

const struct supervisor_opts supervisor_default_opts = {
	.backoff_min_ms = 1000,
	.backoff_max_ms = 60000,
	.backoff_reset_ms = 60000,
	.hang_ms = 5000,
	.stop_grace_ms = 2000,
	.tick_ms = 100,
};

static pthread_mutex_t sup_lock = PTHREAD_MUTEX_INITIALIZER;
static struct svc_ctx sup_ctx[SUP_MAX_SERVICES];
static size_t sup_n;
static struct cfg *sup_cfg;
static struct supervisor_opts sup_opts;
static pthread_t sup_thread;
static atomic_bool sup_quit;
static _Atomic int sup_health;
static struct bus_sub *sup_events;

/* State changes noted under the lock, published after it is released. */
struct sup_pending {
	struct bus_service rows[SUP_MAX_SERVICES * 2];
	size_t n;
};

static void
sup_set_state(struct svc_ctx *ctx, enum svc_state state,
    struct sup_pending *pend)
{
	struct bus_service *row;

	if (ctx->state == state)
		return;
	ctx->state = state;
	if (pend->n >= sizeof pend->rows / sizeof *pend->rows)
		return;
	row = &pend->rows[pend->n++];
	memset(row, 0, sizeof *row);
	snprintf(row->name, sizeof row->name, "%s", ctx->svc->name);
	row->state = state;
	row->restarts = ctx->restarts;
	pthread_mutex_lock(&ctx->error_lock);
	snprintf(row->last_error, sizeof row->last_error, "%s", ctx->error);
	pthread_mutex_unlock(&ctx->error_lock);
}

static void
sup_publish(const struct sup_pending *pend)
{
	struct bus_msg msg;

	for (size_t i = 0; i < pend->n; i++) {
		const struct bus_service *row = &pend->rows[i];

		log_info("%s is %s%s%s", row->name,
		    svc_state_name(row->state), row->last_error[0] &&
		    row->state != SVC_RUNNING ? ": " : "",
		    row->state != SVC_RUNNING ? row->last_error : "");
		state_service_put(row);
		memset(&msg, 0, sizeof msg);
		msg.type = BUS_SERVICE;
		msg.u.service = *row;
		bus_publish(&msg);
	}
}

static void *
sup_service_thread(void *arg)
{
	struct svc_ctx *ctx = arg;
	char why[BUS_TEXT_MAX] = "";
	int rc;

	log_set_thread_name(ctx->svc->name);
	svc_beat(ctx);
	rc = ctx->svc->init(ctx, why, sizeof why);
	if (rc < 0) {
		svc_set_error(ctx, "%s", why[0] ? why : strerror(-rc));
		log_warnx("cannot start: %s", why[0] ? why : strerror(-rc));
	} else {
		ctx->initialised = true;
		svc_requests_open(ctx);
		svc_beat(ctx);
		rc = ctx->svc->run(ctx);
		svc_requests_close(ctx);
		if (rc < 0) {
			pthread_mutex_lock(&ctx->error_lock);
			if (!ctx->error[0])
				snprintf(ctx->error, sizeof ctx->error,
				    "run failed: %s", strerror(-rc));
			pthread_mutex_unlock(&ctx->error_lock);
		}
		if (ctx->svc->stop)
			ctx->svc->stop(ctx);
	}
	ctx->result = rc;
	ctx->finished = true;
	return NULL;
}

static void
sup_wake(struct svc_ctx *ctx)
{
	static const uint64_t one = 1;

	if (write(ctx->wake_fd, &one, sizeof one) < 0) {
		/* the counter is already non-zero: the service will look */
	}
}

static void
sup_ask_stop(struct svc_ctx *ctx, uint64_t now, struct sup_pending *pend)
{
	if (!ctx->thread_live || ctx->stop)
		return;
	ctx->stop = true;
	ctx->stop_asked_ms = now;
	sup_wake(ctx);
	sup_set_state(ctx, SVC_STOPPING, pend);
}

static void
sup_start(struct svc_ctx *ctx, uint64_t now, struct sup_pending *pend)
{
	struct cfg *old = ctx->cfg;

	svc_drop_offer(ctx);	/* a new thread starts with sup_cfg */
	ctx->cfg = cfg_ref(sup_cfg);
	cfg_unref(old);
	ctx->priv = NULL;
	ctx->stop = false;
	ctx->hung = false;
	ctx->initialised = false;
	ctx->finished = false;
	ctx->result = 0;
	ctx->beat_ms = now;
	ctx->started_ms = now;
	pthread_mutex_lock(&ctx->error_lock);
	ctx->error[0] = '\0';
	pthread_mutex_unlock(&ctx->error_lock);
	if (pthread_create(&ctx->thread, NULL, sup_service_thread, ctx) != 0) {
		svc_set_error(ctx, "cannot create thread");
		ctx->next_start_ms = now + ctx->backoff_ms;
		sup_set_state(ctx, SVC_BACKOFF, pend);
		return;
	}
	ctx->thread_live = true;
	sup_set_state(ctx, SVC_STARTING, pend);
}

/* A service thread ended: decide between stopped, restart and backoff. */
static void
sup_reap(struct svc_ctx *ctx, uint64_t now, struct sup_pending *pend)
{
	pthread_join(ctx->thread, NULL);
	ctx->thread_live = false;
	if (ctx->stop && !ctx->hung) {
		sup_set_state(ctx, SVC_STOPPED, pend);
		if (ctx->enabled && ctx->restart_now) {
			ctx->restart_now = false;
			sup_start(ctx, now, pend);
		}
		return;
	}
	if (!ctx->hung && ctx->result == 0)
		svc_set_error(ctx, "run returned without being asked to stop");
	if (!ctx->enabled) {
		sup_set_state(ctx, SVC_STOPPED, pend);
		return;
	}
	ctx->next_start_ms = now + ctx->backoff_ms;
	log_warnx("%s failed; restart in %u ms", ctx->svc->name,
	    ctx->backoff_ms);
	bus_event(EVENT_SERVICE, SEVERITY_ERROR, "service %s failed: %s",
	    ctx->svc->name, ctx->error);
	ctx->backoff_ms = ctx->backoff_ms * 2 > sup_opts.backoff_max_ms ?
	    sup_opts.backoff_max_ms : ctx->backoff_ms * 2;
	sup_set_state(ctx, SVC_BACKOFF, pend);
}

/* A service may beat after `now` was read: that is age 0, not a wrap. */
static uint64_t
sup_beat_age(const struct svc_ctx *ctx, uint64_t now)
{
	uint64_t beat = ctx->beat_ms;

	return beat < now ? now - beat : 0;
}

static void
sup_check(struct svc_ctx *ctx, uint64_t now, struct sup_pending *pend)
{
	if (ctx->thread_live && ctx->finished) {
		sup_reap(ctx, now, pend);
		return;
	}
	if (ctx->thread_live && ctx->stop) {
		if (now - ctx->stop_asked_ms > sup_opts.stop_grace_ms &&
		    sup_health == 0) {
			log_err("%s did not stop within %u ms%s; "
			    "exiting so the daemon is restarted",
			    ctx->svc->name, sup_opts.stop_grace_ms,
			    ctx->hung ? " after it hung" : "");
			sup_health = -ETIMEDOUT;
		}
		return;
	}
	if (ctx->thread_live) {
		if (ctx->state == SVC_STARTING && ctx->initialised) {
			sup_set_state(ctx, SVC_RUNNING, pend);
			if (ctx->restarts)
				bus_event(EVENT_SERVICE, SEVERITY_INFO,
				    "service %s recovered", ctx->svc->name);
		}
		if (sup_beat_age(ctx, now) > sup_opts.hang_ms) {
			svc_set_error(ctx, "hung: no heartbeat for %llu ms",
			    (unsigned long long)sup_beat_age(ctx, now));
			log_warnx("%s hung (no heartbeat for %llu "
			    "ms); asking it to stop", ctx->svc->name,
			    (unsigned long long)sup_beat_age(ctx, now));
			ctx->hung = true;
			ctx->stop = true;
			ctx->stop_asked_ms = now;
			sup_wake(ctx);
		} else if (ctx->state == SVC_RUNNING &&
		    now - ctx->started_ms >= sup_opts.backoff_reset_ms) {
			ctx->backoff_ms = sup_opts.backoff_min_ms;
		}
		return;
	}
	if (ctx->enabled && ctx->state == SVC_BACKOFF &&
	    now >= ctx->next_start_ms) {
		ctx->restarts++;
		sup_start(ctx, now, pend);
	}
}

static void
sup_drain_events(void)
{
	struct bus_msg msg;

	while (bus_take(sup_events, &msg) == 1) {
		if (msg.type != BUS_EVENT)
			continue;
		state_event_put(&msg.u.event);
		log_info("event: %s", msg.u.event.text);
	}
}

static void *
sup_thread_main(void *arg)
{
	bool watchdog = sd_watchdog_enabled(0, NULL) > 0;

	(void)arg;
	log_set_thread_name("supervisor");
	while (!sup_quit) {
		struct sup_pending pend = { .n = 0 };
		uint64_t now = clock_ms();

		pthread_mutex_lock(&sup_lock);
		for (size_t i = 0; i < sup_n; i++)
			sup_check(&sup_ctx[i], now, &pend);
		pthread_mutex_unlock(&sup_lock);
		sup_publish(&pend);
		sup_drain_events();
		state_save_tick();
		if (watchdog && sup_health == 0)
			sd_notify(0, "WATCHDOG=1");
		usleep(sup_opts.tick_ms * 1000);
	}
	return NULL;
}

int
supervisor_start(const struct service *const *services, size_t n,
    struct cfg *cfg, const struct supervisor_opts *opts)
{
	struct sup_pending pend = { .n = 0 };
	uint64_t now = clock_ms();

	if (n > SUP_MAX_SERVICES)
		return -E2BIG;
	sup_opts = opts ? *opts : supervisor_default_opts;
	sup_cfg = cfg_ref(cfg);
	sup_quit = false;
	sup_health = 0;
	sup_events = bus_subscribe(BUS_MASK(BUS_EVENT), 256);
	pthread_mutex_lock(&sup_lock);
	sup_n = n;
	for (size_t i = 0; i < n; i++) {
		struct svc_ctx *ctx = &sup_ctx[i];

		memset(ctx, 0, sizeof *ctx);
		ctx->svc = services[i];
		ctx->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		pthread_mutex_init(&ctx->error_lock, NULL);
		ctx->backoff_ms = sup_opts.backoff_min_ms;
		ctx->state = SVC_STOPPED;
		ctx->enabled = cfg_bool(cfg, services[i]->name, "enabled");
		if (ctx->enabled)
			sup_start(ctx, now, &pend);
	}
	pthread_mutex_unlock(&sup_lock);
	sup_publish(&pend);
	if (pthread_create(&sup_thread, NULL, sup_thread_main, NULL) != 0)
		return -EAGAIN;
	return 0;
}

static size_t
sup_report(char *report, size_t len, size_t off, const char *fmt,
    const char *name)
{
	if (off < len) {
		int n = snprintf(report + off, len - off, fmt, name);

		if (n > 0)
			off += (size_t)n;
	}
	return off < len ? off : len;
}

/*
 * Core sections read once at start: a reload cannot apply them, unless
 * a service reads the section (struct service `reads`) and applies it.
 */
static const char *const sup_restart_sections[] = { "unit", "network" };

/* The service runs with other [name] (or other read) settings than `cfg`. */
static bool
sup_section_changed(struct svc_ctx *ctx, const struct cfg *cfg,
    const char *name)
{
	struct cfg *cur = svc_cfg_ref(ctx);	/* a reload may swap it */
	bool changed = cur != NULL && !cfg_section_equal(cfg, cur, name);

	for (size_t i = 0; cur != NULL && ctx->svc->reads != NULL &&
	    ctx->svc->reads[i] != NULL; i++)
		changed = changed || !cfg_section_equal(cfg, cur,
		    ctx->svc->reads[i]);
	cfg_unref(cur);
	return changed;
}

/* An enabled service reads core section `name` and so applies it. */
static bool
sup_section_read(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; i < sup_n; i++) {
		const struct service *svc = sup_ctx[i].svc;

		for (size_t k = 0; svc->reads != NULL && svc->reads[k] != NULL;
		    k++)
			if (strcmp(svc->reads[k], name) == 0 &&
			    cfg_bool(cfg, svc->name, "enabled"))
				return true;
	}
	return false;
}

int
supervisor_reload(struct cfg *cfg, char *report, size_t len)
{
	struct sup_pending pend = { .n = 0 };
	uint64_t now = clock_ms();
	size_t off = 0;
	enum log_level level;

	if (len)
		report[0] = '\0';
	if (log_level_parse(cfg_str(cfg, "log", "level"), &level) == 0 &&
	    level != log_get_level()) {
		log_set_level(level);
		off = sup_report(report, len, off, "log level %s; ",
		    log_level_name(level));
	}
	for (size_t i = 0; i < sizeof sup_restart_sections /
	    sizeof sup_restart_sections[0]; i++)
		if (!cfg_section_equal(cfg, sup_cfg, sup_restart_sections[i]) &&
		    !sup_section_read(cfg, sup_restart_sections[i]))
			off = sup_report(report, len, off, "[%s] changed but "
			    "needs a restart (not applied); ",
			    sup_restart_sections[i]);
	pthread_mutex_lock(&sup_lock);
	cfg_unref(sup_cfg);
	sup_cfg = cfg_ref(cfg);
	for (size_t i = 0; i < sup_n; i++) {
		struct svc_ctx *ctx = &sup_ctx[i];
		const char *name = ctx->svc->name;
		bool want = cfg_bool(cfg, name, "enabled");

		if (want && !ctx->enabled) {
			ctx->enabled = true;
			ctx->backoff_ms = sup_opts.backoff_min_ms;
			if (ctx->thread_live)
				ctx->restart_now = true;
			else
				sup_start(ctx, now, &pend);
			off = sup_report(report, len, off, "%s enabled; ", name);
		} else if (!want && ctx->enabled) {
			ctx->enabled = false;
			sup_ask_stop(ctx, now, &pend);
			if (!ctx->thread_live)
				sup_set_state(ctx, SVC_STOPPED, &pend);
			off = sup_report(report, len, off, "%s disabled; ", name);
		} else if (want && sup_section_changed(ctx, cfg, name) &&
		    ctx->svc->reload && ctx->thread_live && !ctx->stop &&
		    ctx->state == SVC_RUNNING) {
			/* in place: the service keeps its old settings if the
			 * new ones cannot be applied (it logs why) */
			svc_offer_config(ctx, cfg);
			off = sup_report(report, len, off,
			    "%s given new settings; ", name);
		} else if (want && sup_section_changed(ctx, cfg, name)) {
			ctx->restart_now = true;
			sup_ask_stop(ctx, now, &pend);
			if (!ctx->thread_live) {
				ctx->restart_now = false;
				sup_start(ctx, now, &pend);
			}
			off = sup_report(report, len, off,
			    "%s restarted with new settings; ", name);
		}
	}
	pthread_mutex_unlock(&sup_lock);
	sup_publish(&pend);
	if (off == 0)
		sup_report(report, len, 0, "%s", "nothing changed");
	return 0;
}

struct svc_ctx *
supervisor_find(const char *name)
{
	struct svc_ctx *found = NULL;

	pthread_mutex_lock(&sup_lock);
	for (size_t i = 0; i < sup_n && found == NULL; i++)
		if (strcmp(sup_ctx[i].svc->name, name) == 0)
			found = &sup_ctx[i];
	pthread_mutex_unlock(&sup_lock);
	return found;
}

int
supervisor_health(void)
{
	return sup_health;
}

size_t
supervisor_table(struct supervisor_row *rows, size_t max)
{
	uint64_t now = clock_ms();
	size_t n = 0;

	pthread_mutex_lock(&sup_lock);
	for (size_t i = 0; i < sup_n && n < max; i++, n++) {
		struct svc_ctx *ctx = &sup_ctx[i];

		memset(&rows[n], 0, sizeof rows[n]);
		snprintf(rows[n].name, sizeof rows[n].name, "%s",
		    ctx->svc->name);
		rows[n].state = ctx->state;
		rows[n].restarts = ctx->restarts;
		rows[n].heartbeat_age_ms = ctx->thread_live ?
		    sup_beat_age(ctx, now) : 0;
		pthread_mutex_lock(&ctx->error_lock);
		snprintf(rows[n].last_error, sizeof rows[n].last_error, "%s",
		    ctx->error);
		pthread_mutex_unlock(&ctx->error_lock);
	}
	pthread_mutex_unlock(&sup_lock);
	return n;
}

int
supervisor_stop(void)
{
	struct sup_pending pend = { .n = 0 };
	uint64_t start = clock_ms();
	int rc = 0;
	bool live;

	sup_quit = true;
	pthread_join(sup_thread, NULL);
	pthread_mutex_lock(&sup_lock);
	for (size_t i = 0; i < sup_n; i++) {
		sup_ctx[i].enabled = false;
		sup_ask_stop(&sup_ctx[i], start, &pend);
		if (!sup_ctx[i].thread_live)
			sup_set_state(&sup_ctx[i], SVC_STOPPED, &pend);
	}
	/* every service gets the same grace period, counted from now */
	do {
		live = false;
		for (size_t i = 0; i < sup_n; i++) {
			struct svc_ctx *ctx = &sup_ctx[i];

			if (ctx->thread_live && ctx->finished) {
				pthread_join(ctx->thread, NULL);
				ctx->thread_live = false;
				sup_set_state(ctx, SVC_STOPPED, &pend);
			}
			live |= ctx->thread_live;
		}
		if (live) {
			pthread_mutex_unlock(&sup_lock);
			usleep(10000);
			pthread_mutex_lock(&sup_lock);
		}
	} while (live && clock_ms() - start < sup_opts.stop_grace_ms);
	for (size_t i = 0; i < sup_n; i++) {
		struct svc_ctx *ctx = &sup_ctx[i];

		if (ctx->thread_live) {
			log_err("%s did not stop within %u ms",
			    ctx->svc->name, sup_opts.stop_grace_ms);
			rc = -ETIMEDOUT;
			continue;	/* its thread still uses ctx */
		}
		close(ctx->wake_fd);
		svc_drop_offer(ctx);
		cfg_unref(ctx->cfg);
		ctx->cfg = NULL;
		pthread_mutex_destroy(&ctx->error_lock);
	}
	if (rc == 0)
		sup_n = 0;
	pthread_mutex_unlock(&sup_lock);
	sup_publish(&pend);
	sup_drain_events();
	bus_unsubscribe(sup_events);
	sup_events = NULL;
	cfg_unref(sup_cfg);
	sup_cfg = NULL;
	return rc;
}

/* A common row's default for this service, found by the row's name. */
static const char *
schema_default(const struct service *svc, const struct cfg_key *row,
    char *port, size_t portlen)
{
	if (strcmp(row->key, "enabled") == 0)
		return svc->default_enabled ? "yes" : "no";
	if (strcmp(row->key, "port") == 0) {
		snprintf(port, portlen, "%d", svc->default_port);
		return port;
	}
	return row->def;
}

size_t
supervisor_schema_rows(const struct service *svc,
    const struct cfg_key *common, struct cfg_key *out, size_t max,
    char *port, size_t portlen)
{
	size_t k = 0;

	if (max == 0)
		return 0;
	for (const struct cfg_key *c = common; c->key && k < max - 1; c++) {
		out[k] = *c;
		out[k++].def = schema_default(svc, c, port, portlen);
	}
	for (const struct cfg_key *c = svc->keys; c && c->key && k < max - 1;
	    c++)
		out[k++] = *c;
	out[k] = (struct cfg_key){ NULL };
	return k;
}

size_t
supervisor_schema(const struct service *const *services, size_t n,
    struct cfg_section *out, size_t max)
{
	static struct cfg_key keys[SUP_MAX_SERVICES][SUP_MAX_KEYS];
	static char ports[SUP_MAX_SERVICES][8];
	size_t count = 0;

	if (max < 3)
		return 0;
	out[count++] = (struct cfg_section){ "unit", cfg_unit_keys };
	out[count++] = (struct cfg_section){ "log", cfg_log_keys };
	out[count++] = (struct cfg_section){ "network", cfg_network_keys };
	for (size_t i = 0; i < n && i < SUP_MAX_SERVICES && count < max; i++) {
		supervisor_schema_rows(services[i], svc_common_keys, keys[i],
		    SUP_MAX_KEYS, ports[i], sizeof ports[i]);
		out[count++] = (struct cfg_section){ services[i]->name,
		    keys[i] };
	}
	return count;
}
