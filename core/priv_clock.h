/* SPDX-License-Identifier: MIT */
/*
 * The only code that changes the host clock: a step (clock_settime) or a
 * slew (adjtimex), each with a dry-run mode that changes nothing and only
 * says what it would do (dev.conf and every test run dry). It also keeps
 * the time client's last outcome for status pages, so they need not know
 * which service keeps the clock.
 */
#ifndef CONVERGD_PRIV_CLOCK_H
#define CONVERGD_PRIV_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Slews larger than this are clamped: the kernel slews 500 ppm at most. */
#define PRIV_CLOCK_SLEW_MAX 0.5

/*
 * Step the real-time clock by `offset` seconds (positive: forward). With
 * `apply` false nothing changes. Fills `done` with one line saying what
 * happened ("stepped by +1.250000 s" / "would step by ..."). 0 or -errno.
 */
int priv_clock_step(double offset, bool apply, char *done, size_t donelen);
/* Slew by `offset` seconds (clamped to +-PRIV_CLOCK_SLEW_MAX), same shape. */
int priv_clock_slew(double offset, bool apply, char *done, size_t donelen);

/* What the time client last saw, for GET /api/v1/status. */
struct priv_clock_status {
	bool known;		/* a time client runs and has reported */
	bool synced;
	char server[136];	/* host:port in use, "" none */
	double offset_ms, delay_ms;
	int stratum;		/* the server's */
	time_t last_sync;	/* 0: never */
	char last_error[256];
};

void priv_clock_status_put(const struct priv_clock_status *st);
void priv_clock_status_get(struct priv_clock_status *out);

#endif
