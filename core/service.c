/* SPDX-License-Identifier: MIT */
/*
 * The service side of the service interface: heartbeat, stop flag, wake
 * fd, configuration and error reporting. Asking a service to stop is
 * core's job (an atomic flag plus a write to the wake fd).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "svc_ctx.h"

const struct cfg_key svc_common_keys[] = {
	{ "enabled", CFG_BOOL, 0, 1, "yes", NULL, "run this service" },
	{ "bind", CFG_IPV4, 0, 0, "0.0.0.0", NULL,
	    "IPv4 address to listen on (0.0.0.0 = all)" },
	{ "port", CFG_INT, 0, 65535, "0", NULL, "port to listen on" },
	{ NULL },
};

void
svc_beat(struct svc_ctx *ctx)
{
	ctx->beat_ms = clock_ms();
}

bool
svc_should_stop(const struct svc_ctx *ctx)
{
	return ctx->stop;
}

int
svc_wake_fd(const struct svc_ctx *ctx)
{
	return ctx->wake_fd;
}

void
svc_offer_config(struct svc_ctx *ctx, struct cfg *cfg)
{
	static const uint64_t one = 1;
	struct cfg *old = atomic_exchange(&ctx->offered, cfg_ref(cfg));

	if (old != NULL)
		cfg_unref(old);
	if (write(ctx->wake_fd, &one, sizeof one) < 0) {
		/* the counter is already non-zero: the service will look */
	}
}

void
svc_drop_offer(struct svc_ctx *ctx)
{
	struct cfg *old = atomic_exchange(&ctx->offered, NULL);

	if (old != NULL)
		cfg_unref(old);
}

struct cfg *
svc_cfg_ref(struct svc_ctx *ctx)
{
	struct cfg *cfg;

	pthread_mutex_lock(&ctx->error_lock);
	cfg = ctx->cfg != NULL ? cfg_ref(ctx->cfg) : NULL;
	pthread_mutex_unlock(&ctx->error_lock);
	return cfg;
}

void
svc_apply_offer(struct svc_ctx *ctx)
{
	struct cfg *next = atomic_exchange(&ctx->offered, NULL), *old;
	char why[256] = "";
	int rc;

	if (next == NULL)
		return;
	if (ctx->svc->reload == NULL)
		rc = -EOPNOTSUPP;
	else
		rc = ctx->svc->reload(ctx, next, why, sizeof why);
	if (rc < 0) {
		log_warnx("new settings not applied, keeping the running "
		    "ones: %s", why[0] ? why : strerror(-rc));
		bus_event(EVENT_SERVICE, SEVERITY_WARNING, "service %s kept "
		    "its settings: %s", ctx->svc->name,
		    why[0] ? why : strerror(-rc));
		cfg_unref(next);
		return;
	}
	pthread_mutex_lock(&ctx->error_lock);
	old = ctx->cfg;
	ctx->cfg = next;
	pthread_mutex_unlock(&ctx->error_lock);
	cfg_unref(old);
	log_info("new settings applied");
}

/*
 * svc_request: one heap request per call, so a requester that gave up
 * never leaves the service writing into a stack frame that is gone: the
 * side that finishes last frees it. One lock and one condition for all
 * services; requests are rare and short to hand over.
 */
struct svc_req {
	struct svc_req *next;
	const struct svc_action *act;
	char *args;
	int rc;
	bool running, done, abandoned;
	char reply[SVC_REPLY_MAX];
};

static pthread_mutex_t req_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t req_cond;
static pthread_once_t req_once = PTHREAD_ONCE_INIT;

static void
req_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);	/* no clock jumps */
	pthread_cond_init(&req_cond, &a);
	pthread_condattr_destroy(&a);
}

static void
req_free(struct svc_req *rq)
{
	free(rq->args);
	free(rq);
}

void
svc_requests_open(struct svc_ctx *ctx)
{
	pthread_mutex_lock(&req_lock);
	ctx->accepting = true;
	pthread_mutex_unlock(&req_lock);
}

void
svc_requests_close(struct svc_ctx *ctx)
{
	struct svc_req *rq, *next;

	pthread_once(&req_once, req_init);
	pthread_mutex_lock(&req_lock);
	ctx->accepting = false;
	for (rq = ctx->reqs; rq != NULL; rq = next) {
		next = rq->next;
		rq->rc = -ESRCH;
		snprintf(rq->reply, sizeof rq->reply, "service %s stopped "
		    "before answering", ctx->svc->name);
		rq->done = true;
		if (rq->abandoned)
			req_free(rq);
	}
	ctx->reqs = NULL;
	pthread_cond_broadcast(&req_cond);
	pthread_mutex_unlock(&req_lock);
}

/* Service thread: run what is queued, oldest first. */
static void
svc_run_requests(struct svc_ctx *ctx)
{
	struct svc_req *rq;
	int rc;

	for (;;) {
		pthread_mutex_lock(&req_lock);
		if ((rq = ctx->reqs) != NULL) {
			ctx->reqs = rq->next;
			rq->running = true;
		}
		pthread_mutex_unlock(&req_lock);
		if (rq == NULL)
			return;
		/* the reply buffer is ours alone until done is set */
		rc = rq->act->fn(ctx, rq->args, rq->reply, sizeof rq->reply);
		pthread_mutex_lock(&req_lock);
		rq->rc = rc;
		rq->done = true;
		if (rq->abandoned)
			req_free(rq);
		else
			pthread_cond_broadcast(&req_cond);
		pthread_mutex_unlock(&req_lock);
	}
}

static const struct svc_action *
req_action(const struct service *svc, const char *action)
{
	for (const struct svc_action *a = svc->actions; a && a->name; a++)
		if (strcmp(a->name, action) == 0)
			return a;
	return NULL;
}

/* Queue `rq` on `ctx`; 0, or -ESRCH if the service takes none now. */
static int
req_queue(struct svc_ctx *ctx, struct svc_req *rq)
{
	static const uint64_t one = 1;
	struct svc_req **tail;

	pthread_mutex_lock(&req_lock);
	if (!ctx->accepting) {
		pthread_mutex_unlock(&req_lock);
		return -ESRCH;
	}
	for (tail = &ctx->reqs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = rq;
	pthread_mutex_unlock(&req_lock);
	if (write(ctx->wake_fd, &one, sizeof one) < 0) {
		/* the counter is already non-zero: the service will look */
	}
	return 0;
}

/* Wait for `rq`; on time-out take it back or leave it to the service. */
static int
req_wait(struct svc_ctx *ctx, struct svc_req *rq, int timeout_ms,
    char *reply, size_t len)
{
	struct timespec until;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&req_lock);
	while (!rq->done && pthread_cond_timedwait(&req_cond, &req_lock,
	    &until) != ETIMEDOUT)
		;
	if (rq->done) {
		rc = rq->rc;
		snprintf(reply, len, "%s", rq->reply);
		req_free(rq);
	} else {
		rc = -ETIMEDOUT;
		snprintf(reply, len, "service %s did not answer within %d ms",
		    ctx->svc->name, timeout_ms);
		if (rq->running) {
			rq->abandoned = true;	/* the service frees it */
		} else {
			struct svc_req **p = &ctx->reqs;

			while (*p != rq)
				p = &(*p)->next;
			*p = rq->next;
			req_free(rq);
		}
	}
	pthread_mutex_unlock(&req_lock);
	return rc;
}

int
svc_request(const char *name, const char *action, const char *args,
    char *reply, size_t len, int timeout_ms)
{
	struct svc_ctx *ctx = supervisor_find(name);
	const struct svc_action *act;
	struct svc_req *rq;

	pthread_once(&req_once, req_init);
	if (ctx == NULL) {
		snprintf(reply, len, "no service named %s", name);
		return -ENOENT;
	}
	if ((act = req_action(ctx->svc, action)) == NULL) {
		snprintf(reply, len, "service %s has no action %s", name,
		    action);
		return -EOPNOTSUPP;
	}
	rq = calloc(1, sizeof *rq);
	if (rq == NULL || (rq->args = strdup(args ? args : "")) == NULL) {
		free(rq);
		snprintf(reply, len, "out of memory");
		return -ENOMEM;
	}
	rq->act = act;
	if (req_queue(ctx, rq) < 0) {
		req_free(rq);
		snprintf(reply, len, "service %s is not running", name);
		return -ESRCH;
	}
	return req_wait(ctx, rq, timeout_ms < 0 ? 0 : timeout_ms, reply, len);
}

#ifdef CONVERGD_TEST_HOOKS
/*
 * Test builds only (CONVERGD_TESTS): CONVERGD_TEST_FAULT="NAME:MODE" makes
 * service NAME's first svc_poll misbehave: "fail" returns -EIO (its run
 * fails), "hang" beats no more until asked to stop, "wedge" never returns
 * (deaf to stop). Once per process, so a restarted service is healthy.
 */
static int
svc_test_fault(const struct svc_ctx *ctx)
{
	static atomic_bool fired;
	const struct timespec nap = { 0, 50 * 1000000L };
	const char *f = getenv("CONVERGD_TEST_FAULT");
	size_t len = strlen(svc_name(ctx));

	if (f == NULL || strncmp(f, svc_name(ctx), len) != 0 ||
	    f[len] != ':' || atomic_exchange(&fired, true))
		return 0;
	log_warnx("test fault: %s", f + len + 1);
	if (strcmp(f + len + 1, "fail") == 0)
		return -EIO;
	while (strcmp(f + len + 1, "wedge") == 0 ||
	    (strcmp(f + len + 1, "hang") == 0 && !ctx->stop))
		nanosleep(&nap, NULL);
	return 0;
}
#else
#define svc_test_fault(ctx) 0
#endif

int
svc_poll(struct svc_ctx *ctx, struct pollfd *fds, nfds_t nfds,
    int timeout_ms)
{
	struct pollfd all[nfds + 1];
	uint64_t drain;
	int n;

	if ((n = svc_test_fault(ctx)) < 0)
		return n;
	if (timeout_ms < 0 || timeout_ms > 1000)
		timeout_ms = 1000;
	if (nfds)
		memcpy(all, fds, nfds * sizeof *fds);
	all[nfds].fd = ctx->wake_fd;
	all[nfds].events = POLLIN;
	all[nfds].revents = 0;
	n = poll(all, nfds + 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (all[nfds].revents & POLLIN) {
		if (read(ctx->wake_fd, &drain, sizeof drain) < 0) {
			/* EAGAIN: another pass drained it */
		}
		n--;
	}
	if (nfds)
		memcpy(fds, all, nfds * sizeof *fds);
	svc_run_requests(ctx);
	return n;
}

void *
svc_priv(const struct svc_ctx *ctx)
{
	return ctx->priv;
}

void
svc_set_priv(struct svc_ctx *ctx, void *priv)
{
	ctx->priv = priv;
}

const char *
svc_name(const struct svc_ctx *ctx)
{
	return ctx->svc->name;
}

void
svc_set_error(struct svc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&ctx->error_lock);
	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&ctx->error_lock);
}

long
svc_cfg_int(const struct svc_ctx *ctx, const char *key)
{
	return cfg_int(ctx->cfg, ctx->svc->name, key);
}

bool
svc_cfg_bool(const struct svc_ctx *ctx, const char *key)
{
	return cfg_bool(ctx->cfg, ctx->svc->name, key);
}

const char *
svc_cfg_str(const struct svc_ctx *ctx, const char *key)
{
	return cfg_str(ctx->cfg, ctx->svc->name, key);
}

const struct cfg *
svc_cfg(const struct svc_ctx *ctx)
{
	return ctx->cfg;
}
