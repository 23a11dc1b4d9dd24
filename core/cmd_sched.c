/* SPDX-License-Identifier: MIT */
/*
 * The one scheduler behind RAMP, MACRO and WAITSTATE (cmd.h): a service
 * registers its calls here so that core never names it. A read lock is
 * held across each call; unregistering takes the write lock, so it waits
 * for calls in progress and the scheduler can be freed after.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "cmd.h"
#include "cmd_priv.h"

static pthread_rwlock_t cmd_sched_lock = PTHREAD_RWLOCK_INITIALIZER;
static const struct cmd_scheduler *cmd_sched;

void
cmd_sched_register(const struct cmd_scheduler *s)
{
	pthread_rwlock_wrlock(&cmd_sched_lock);
	cmd_sched = s;
	pthread_rwlock_unlock(&cmd_sched_lock);
}

static int
cmd_sched_none(char *why, size_t whylen)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "nothing schedules ramps and macros");
	return -ENOTSUP;
}

int
cmd_sched_ramp_set(char group, int channel, double rate, bool has_target,
    double target, const struct origin *origin, char *why, size_t whylen)
{
	int rc;

	pthread_rwlock_rdlock(&cmd_sched_lock);
	rc = cmd_sched == NULL ? cmd_sched_none(why, whylen) :
	    cmd_sched->ramp_set(cmd_sched->arg, group, channel, rate,
	    has_target, target, origin, why, whylen);
	pthread_rwlock_unlock(&cmd_sched_lock);
	return rc;
}

/* With no scheduler nothing moves: rate 0, target = the gain. */
int
cmd_sched_ramp_get(char group, int channel, double *rate, double *target)
{
	int rc;

	pthread_rwlock_rdlock(&cmd_sched_lock);
	if (cmd_sched != NULL) {
		rc = cmd_sched->ramp_get(cmd_sched->arg, group, channel, rate,
		    target);
	} else {
		*rate = 0.0;
		rc = state_gain_get(group, channel, target);
	}
	pthread_rwlock_unlock(&cmd_sched_lock);
	return rc;
}

int
cmd_sched_macro_start(int n, const struct origin *origin, char *why,
    size_t whylen)
{
	int rc;

	pthread_rwlock_rdlock(&cmd_sched_lock);
	rc = cmd_sched == NULL ? cmd_sched_none(why, whylen) :
	    cmd_sched->macro_start(cmd_sched->arg, n, origin, why, whylen);
	pthread_rwlock_unlock(&cmd_sched_lock);
	return rc;
}

void
cmd_sched_macro_wait(uint64_t now_ms, unsigned delay_ms)
{
	pthread_rwlock_rdlock(&cmd_sched_lock);
	if (cmd_sched != NULL)
		cmd_sched->macro_wait(cmd_sched->arg, now_ms, delay_ms);
	pthread_rwlock_unlock(&cmd_sched_lock);
}
