/* SPDX-License-Identifier: MIT */
/*
 * The one shape every service has. The supervisor runs each enabled
 * service on its own thread: init, then run until asked to stop or until
 * it fails, then stop. A service reaches the rest of the daemon only
 * through core/ (state, bus, cmd, log), never through another service.
 */
#ifndef CONVERGD_SERVICE_H
#define CONVERGD_SERVICE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct svc_ctx;

/*
 * A named request other threads may make of a service (svc_request).
 * `fn` runs on the service's own thread, inside svc_poll, so it may use
 * the service's private state freely. It fills `reply` (text; the
 * action's documentation says what) and returns 0 or -errno.
 */
struct svc_action {
	const char *name;
	int (*fn)(struct svc_ctx *ctx, const char *args, char *reply,
	    size_t len);
};

#define SVC_REPLY_MAX 1024	/* longest reply svc_request carries */

struct service {
	const char *name;
	const char *summary;		/* one line: what it is for */
	const struct cfg_key *keys;	/* own keys; enabled/bind/port are added */
	int default_port;		/* 0: the service has no port */
	bool default_enabled;
	/* bind, allocate; no threads. -errno and a reason on failure. */
	int (*init)(struct svc_ctx *ctx, char *why, size_t whylen);
	/* loop: wait <= 1 s, work, svc_beat; 0 when asked to stop, -errno on failure */
	int (*run)(struct svc_ctx *ctx);
	/* release; runs on the service's own thread after run */
	void (*stop)(struct svc_ctx *ctx);
	/*
	 * Optional: apply a changed section (SIGHUP) in place, on the
	 * service's own thread inside svc_apply_offer; `next` is the whole
	 * new config. 0: the service runs with `next` from now on. -errno and
	 * a reason: nothing changed, the service goes on exactly as before
	 * (a new port in use must not take the old one down). Without it
	 * a changed section restarts the service.
	 */
	int (*reload)(struct svc_ctx *ctx, const struct cfg *next, char *why,
	    size_t whylen);
	/*
	 * Optional: other sections it reads ({ "network", NULL }); a change
	 * in one is a change of its own on SIGHUP (reload or restart).
	 */
	const char *const *reads;
	/* Optional: actions for svc_request, ended by a { NULL } row. */
	const struct svc_action *actions;
	/*
	 * Capabilities it needs while enabled (SVC_CAP(CAP_...) bits), on
	 * top of binding its port when that is below 1024 (caps.h).
	 */
	uint64_t caps;
};

#define SVC_CAP(cap) (UINT64_C(1) << (cap))

/* Tell the supervisor this service is alive (call at least once a second). */
void svc_beat(struct svc_ctx *ctx);
/* True once the supervisor asked the service to stop. */
bool svc_should_stop(const struct svc_ctx *ctx);
/* Readable when the supervisor wants the service's attention. */
int svc_wake_fd(const struct svc_ctx *ctx);
/*
 * poll() over `fds` plus the wake fd, time-out clamped to 1000 ms; drains
 * the wake fd. Returns poll's count of ready entries in `fds` or -errno.
 */
int svc_poll(struct svc_ctx *ctx, struct pollfd *fds, nfds_t nfds,
    int timeout_ms);

/*
 * Ask service `name` to run its action `action` with `args` (text, may
 * be NULL) and wait at most `timeout_ms` for it. The request is queued
 * to the service's thread, which runs it in its next svc_poll. Returns
 * the action's result with its reply in reply[len], or, with a reason in
 * `reply`: -ENOENT no such service, -EOPNOTSUPP no such action, -ESRCH
 * the service is not running (or stopped before answering), -ETIMEDOUT
 * no answer in time (the action may still run later; its reply is then
 * dropped). Never call it from the thread of the service it names.
 */
int svc_request(const char *name, const char *action, const char *args,
    char *reply, size_t len, int timeout_ms);

/*
 * A service with a reload hook calls this once per loop, where its own
 * state may change (before it builds its poll set): if the supervisor
 * offered a new config, the hook runs and the outcome is logged; on
 * success svc_cfg_* read the new config from then on.
 */
void svc_apply_offer(struct svc_ctx *ctx);

void *svc_priv(const struct svc_ctx *ctx);
void svc_set_priv(struct svc_ctx *ctx, void *priv);
const char *svc_name(const struct svc_ctx *ctx);
/* Record why the service is failing (shown in the services table). */
void svc_set_error(struct svc_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* This service's configuration (its own section). */
long svc_cfg_int(const struct svc_ctx *ctx, const char *key);
bool svc_cfg_bool(const struct svc_ctx *ctx, const char *key);
const char *svc_cfg_str(const struct svc_ctx *ctx, const char *key);
/* The whole config, for [unit] keys. */
const struct cfg *svc_cfg(const struct svc_ctx *ctx);

/* Keys every service section has: enabled, bind, port. */
extern const struct cfg_key svc_common_keys[];

#endif
