/* SPDX-License-Identifier: MIT */
/*
 * Changing the host clock (priv_clock.h): a step with clock_settime, a
 * slew with adjtimex's single-shot offset (the adjtime(3) way, which the
 * kernel spreads at 500 ppm), and the time client's status slot.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

#include "priv_clock.h"

static pthread_mutex_t priv_clock_lock = PTHREAD_MUTEX_INITIALIZER;
static struct priv_clock_status priv_clock_st;

int
priv_clock_step(double offset, bool apply, char *done, size_t donelen)
{
	struct timespec now;
	long long ns;

	if (!apply) {
		snprintf(done, donelen, "would step the clock by %+.6f s "
		    "(set_clock = no)", offset);
		return 0;
	}
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		return -errno;
	ns = (long long)now.tv_nsec + (long long)(offset * 1e9);
	now.tv_sec += (time_t)(ns / 1000000000LL);
	ns %= 1000000000LL;
	if (ns < 0) {
		ns += 1000000000LL;
		now.tv_sec--;
	}
	now.tv_nsec = (long)ns;
	if (clock_settime(CLOCK_REALTIME, &now) < 0) {
		int err = -errno;

		snprintf(done, donelen, "cannot step the clock: %s",
		    strerror(errno));
		return err;
	}
	snprintf(done, donelen, "stepped the clock by %+.6f s", offset);
	return 0;
}

int
priv_clock_slew(double offset, bool apply, char *done, size_t donelen)
{
	struct timex tx = { .modes = ADJ_OFFSET_SINGLESHOT };

	if (offset > PRIV_CLOCK_SLEW_MAX)
		offset = PRIV_CLOCK_SLEW_MAX;
	if (offset < -PRIV_CLOCK_SLEW_MAX)
		offset = -PRIV_CLOCK_SLEW_MAX;
	if (!apply) {
		snprintf(done, donelen, "would slew the clock by %+.6f s "
		    "(set_clock = no)", offset);
		return 0;
	}
	tx.offset = (long)(offset * 1e6);	/* microseconds */
	if (adjtimex(&tx) < 0) {
		int err = -errno;

		snprintf(done, donelen, "cannot slew the clock: %s",
		    strerror(errno));
		return err;
	}
	snprintf(done, donelen, "slewing the clock by %+.6f s", offset);
	return 0;
}

void
priv_clock_status_put(const struct priv_clock_status *st)
{
	pthread_mutex_lock(&priv_clock_lock);
	priv_clock_st = *st;
	priv_clock_st.known = true;
	pthread_mutex_unlock(&priv_clock_lock);
}

void
priv_clock_status_get(struct priv_clock_status *out)
{
	pthread_mutex_lock(&priv_clock_lock);
	*out = priv_clock_st;
	pthread_mutex_unlock(&priv_clock_lock);
}
