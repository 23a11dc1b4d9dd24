/* SPDX-License-Identifier: MIT */
/*
 * The engine's scheduler (engine_sched.h). One mutex guards the ramps
 * and the macro queue; it is taken before the state's lock (a ramp step
 * calls state_gain_step under it), never the other way round, and never
 * held while a macro line runs (the line may call back into here).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "engine_sched.h"
#include "state.h"

/* A ramp in progress on one gain channel. */
struct engine_ramp {
	bool active;
	bool started;		/* false until the first tick sets last_ms */
	uint64_t last_ms;
	struct state_ramp r;
};

struct engine_run {
	int n;
	size_t line;
	uint64_t due, epoch;
	struct origin origin;
};

struct engine_sched {
	pthread_mutex_t lock;
	struct engine_ramp ramps[STATE_GAIN_SLOTS];
	struct engine_run runs[ENGINE_SCHED_QUEUE];
	size_t nruns;
	size_t reserved;	/* starts between the check and the append */
	struct cmd_scheduler ops;
};

static int
engine_sched_ramp_set(void *arg, char group, int channel, double rate,
    bool has_target, double target, const struct origin *origin, char *why,
    size_t whylen)
{
	struct engine_sched *s = arg;
	struct engine_ramp *e;
	struct state_ramp r;
	int err = state_ramp_begin(group, channel, rate, has_target, target,
	    origin, &r, why, whylen);

	if (err < 0)
		return err;
	pthread_mutex_lock(&s->lock);
	e = &s->ramps[r.slot];
	memset(e, 0, sizeof *e);
	e->r = r;
	e->active = rate != 0.0;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int
engine_sched_ramp_get(void *arg, char group, int channel, double *rate,
    double *target)
{
	struct engine_sched *s = arg;
	struct engine_ramp e;
	int slot, err = state_gain_slot(group, channel, &slot);

	if (err < 0)
		return err;
	pthread_mutex_lock(&s->lock);
	e = s->ramps[slot];
	pthread_mutex_unlock(&s->lock);
	if (e.active && e.r.epoch == state_gain_epoch()) {
		*rate = e.r.rate;
		*target = e.r.target;
		return 0;
	}
	*rate = 0.0;
	return state_gain_get(group, channel, target);
}

static int
engine_sched_macro_start(void *arg, int n, const struct origin *origin,
    char *why, size_t whylen)
{
	struct engine_sched *s = arg;
	struct engine_run *run;
	uint64_t epoch = 0;
	int err = 0;

	pthread_mutex_lock(&s->lock);
	if (s->nruns + s->reserved >= ENGINE_SCHED_QUEUE)
		err = -EBUSY;
	else
		s->reserved++;
	pthread_mutex_unlock(&s->lock);
	if (err < 0) {
		snprintf(why, whylen, "too many macros waiting to run");
		return err;
	}
	/* checks and announces it; not under our lock (it publishes) */
	err = state_macro_started(n, origin, &epoch, why, whylen);
	pthread_mutex_lock(&s->lock);
	s->reserved--;
	if (err == 0) {	/* 1: empty, nothing to queue */
		run = &s->runs[s->nruns++];
		memset(run, 0, sizeof *run);
		run->n = n;
		run->epoch = epoch;
		if (origin != NULL)
			run->origin = *origin;
	}
	pthread_mutex_unlock(&s->lock);
	return err < 0 ? err : 0;
}

static void
engine_sched_macro_wait(void *arg, uint64_t now_ms, unsigned delay_ms)
{
	struct engine_sched *s = arg;

	pthread_mutex_lock(&s->lock);
	if (s->nruns > 0)
		s->runs[0].due = now_ms + delay_ms;
	pthread_mutex_unlock(&s->lock);
}

struct engine_sched *
engine_sched_new(void)
{
	struct engine_sched *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->ops = (struct cmd_scheduler){
		.arg = s,
		.ramp_set = engine_sched_ramp_set,
		.ramp_get = engine_sched_ramp_get,
		.macro_start = engine_sched_macro_start,
		.macro_wait = engine_sched_macro_wait,
	};
	cmd_sched_register(&s->ops);
	return s;
}

void
engine_sched_free(struct engine_sched *s)
{
	if (s == NULL)
		return;
	cmd_sched_register(NULL);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Move one ramp to `now`; false when it is over. Lock held. */
static bool
engine_sched_step(struct engine_ramp *e, uint64_t now, const char *by)
{
	struct origin o;
	double delta;

	if (!e->started) {
		e->started = true;
		e->last_ms = now;
		return true;
	}
	if (now <= e->last_ms)
		return true;
	delta = e->r.rate * (double)(now - e->last_ms) / 1000.0;
	e->last_ms = now;
	/* the ticking service moves it; session/user stay the starter's */
	o = e->r.origin;
	bus_origin_set(&o, by, e->r.origin.session);
	return state_gain_step(&e->r, delta, &o) == 0;
}

void
engine_sched_ramps(struct engine_sched *s, uint64_t now_ms, const char *by)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < STATE_GAIN_SLOTS; i++)
		if (s->ramps[i].active &&
		    !engine_sched_step(&s->ramps[i], now_ms, by))
			s->ramps[i].active = false;
	pthread_mutex_unlock(&s->lock);
}

/* Drop the running macro; the next one starts at once. Lock held. */
static void
engine_sched_pop(struct engine_sched *s)
{
	memmove(&s->runs[0], &s->runs[1], (s->nruns - 1) * sizeof s->runs[0]);
	s->nruns--;
}

int
engine_sched_macro_next(struct engine_sched *s, uint64_t now_ms, char *line,
    size_t len, int *macro, enum user_level *level, struct origin *starter)
{
	struct engine_run *run;
	int got = 0;

	pthread_mutex_lock(&s->lock);
	while (s->nruns > 0 && got == 0) {
		run = &s->runs[0];
		if (now_ms < run->due)
			break;
		/* shortened, cleared or replaced while running: done */
		if (state_macro_line(run->n, run->line, run->epoch, line,
		    len, level) != 1) {
			engine_sched_pop(s);
			continue;
		}
		run->line++;
		if (macro != NULL)
			*macro = run->n;
		if (starter != NULL)
			*starter = run->origin;
		got = 1;
		/*
		 * A finished run is dropped on the next call, so a wait
		 * after its last line still holds the macros behind it.
		 */
	}
	pthread_mutex_unlock(&s->lock);
	return got;
}

void
engine_sched_tick(struct engine_sched *s, uint64_t now_ms, const char *by)
{
	char line[BUS_TEXT_MAX];
	struct origin starter;
	enum user_level level;
	int macro, n;

	engine_sched_ramps(s, now_ms, by);
	/* a macro that starts itself must not spin the engine's thread */
	for (n = 0; n < ENGINE_SCHED_LINES; n++) {
		if (engine_sched_macro_next(s, now_ms, line, sizeof line,
		    &macro, &level, &starter) != 1)
			break;
		(void)cmd_macro_line(line, macro, level, &starter, now_ms);
	}
}
