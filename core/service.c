/* SPDX-License-Identifier: MIT */
/*
 * The service side of the service interface: heartbeat, stop flag, wake
 * fd, configuration and error reporting. Asking a service to stop is
 * core's job (an atomic flag plus a write to the wake fd).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

int
svc_poll(struct svc_ctx *ctx, struct pollfd *fds, nfds_t nfds,
    int timeout_ms)
{
	struct pollfd all[nfds + 1];
	uint64_t drain;
	int n;

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
