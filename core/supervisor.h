/* SPDX-License-Identifier: MIT */
/*
 * Supervisor: starts one thread per enabled service, tracks its state,
 * heartbeat and restarts, restarts a failed service with exponential
 * backoff, and gives up on the whole daemon when a service hangs and will
 * not stop (systemd then restarts us). Runs on its own thread.
 */
#ifndef CONVERGD_SUPERVISOR_H
#define CONVERGD_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "config.h"
#include "service.h"

struct supervisor_opts {
	unsigned backoff_min_ms;	/* first restart delay (1000) */
	unsigned backoff_max_ms;	/* cap (60000) */
	unsigned backoff_reset_ms;	/* running this long resets backoff (60000) */
	unsigned hang_ms;		/* no heartbeat this long = hung (5000) */
	unsigned stop_grace_ms;		/* time to stop when asked (2000) */
	unsigned tick_ms;		/* supervisor's own loop period (100) */
};

extern const struct supervisor_opts supervisor_default_opts;

/* A row of the services table. */
struct supervisor_row {
	char name[BUS_NAME_MAX];
	enum svc_state state;
	unsigned restarts;
	uint64_t heartbeat_age_ms;
	char last_error[BUS_TEXT_MAX];
};

/* Start the supervisor thread and every enabled service in `services`. */
int supervisor_start(const struct service *const *services, size_t n,
    struct cfg *cfg, const struct supervisor_opts *opts);
/*
 * Apply a new config: log level, services enabled/disabled, services
 * whose section changed are restarted. `report` says what was applied.
 */
int supervisor_reload(struct cfg *cfg, char *report, size_t len);
/* 0 while healthy; -ETIMEDOUT once a hung service forced a give-up. */
int supervisor_health(void);
/* Copy up to `max` rows of the services table; returns the count. */
size_t supervisor_table(struct supervisor_row *rows, size_t max);
/* Stop every service (each within the grace time) and the thread. */
int supervisor_stop(void);
/* Build the config schema: core sections plus one per service. */
size_t supervisor_schema(const struct service *const *services, size_t n,
    struct cfg_section *out, size_t max);
/*
 * One service's section rows into out[max] (NULL-terminated): `common`
 * (svc_common_keys) with the descriptor's defaults for the rows named
 * "enabled" and "port" (text kept in `port`), then the service's keys.
 * Rows are found by name, so the common table's order is free.
 * Returns the row count.
 */
size_t supervisor_schema_rows(const struct service *svc,
    const struct cfg_key *common, struct cfg_key *out, size_t max,
    char *port, size_t portlen);

#endif
