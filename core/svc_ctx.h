/* SPDX-License-Identifier: MIT */
/*
 * Internal: what the supervisor keeps per service. Services see only
 * the opaque struct svc_ctx and the svc_* functions of service.h.
 */
#ifndef CONVERGD_SVC_CTX_H
#define CONVERGD_SVC_CTX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "service.h"

struct svc_ctx {
	const struct service *svc;
	struct cfg *cfg;		/* reference held while the thread runs */
	void *priv;
	int wake_fd;			/* eventfd: "look at your stop flag" */
	atomic_bool stop;
	_Atomic uint64_t beat_ms;
	atomic_bool initialised;	/* init() returned 0 */
	atomic_bool finished;		/* the thread is about to exit */
	int result;			/* init/run result, read after finished */
	pthread_mutex_t error_lock;	/* also guards cfg swaps by reload */
	char error[BUS_TEXT_MAX];
	_Atomic(struct cfg *) offered;	/* for svc->reload, taken in svc_poll */
	/* svc_request queue, under service.c's request lock */
	struct svc_req *reqs;		/* oldest first */
	bool accepting;			/* between init and stop */

	/* supervisor's own bookkeeping, under its lock */
	pthread_t thread;
	bool thread_live;
	bool enabled;
	bool restart_now;		/* reload: restart without backoff */
	bool hung;
	enum svc_state state;
	unsigned restarts;
	unsigned backoff_ms;
	uint64_t next_start_ms;
	uint64_t started_ms;
	uint64_t stop_asked_ms;
};

/*
 * Supervisor side of reload: hand a running service with a reload hook
 * its new config (a reference is taken; an older offer not yet taken is
 * dropped) and wake it. The outcome is logged by the service's thread.
 */
void svc_offer_config(struct svc_ctx *ctx, struct cfg *cfg);
/* Drop an offer the thread never took (call once the thread is gone). */
void svc_drop_offer(struct svc_ctx *ctx);
/* Requests: accepted once init succeeded (open), refused and the
 * pending ones failed with -ESRCH once run returned (close). */
void svc_requests_open(struct svc_ctx *ctx);
void svc_requests_close(struct svc_ctx *ctx);
/* The context of service `name`, or NULL (supervisor.c). */
struct svc_ctx *supervisor_find(const char *name);

/* A reference to the config the service runs with now (cfg_unref it). */
struct cfg *svc_cfg_ref(struct svc_ctx *ctx);

#endif
