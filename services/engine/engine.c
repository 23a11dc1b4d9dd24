/* SPDX-License-Identifier: MIT */
/*
 * The audio engine: the virtual DSP's clock. It moves gain ramps, runs
 * macro steps (with their waits), and simulates meters and gate activity
 * so that LVL/GATE reports and clipping alerts can be exercised without
 * hardware. No port: the first service on the backbone and its proof.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "clock.h"
#include "engine_sched.h"
#include "log.h"
#include "model.h"
#include "service.h"
#include "state.h"

#define ENGINE_SILENCE (-99.99)
#define ENGINE_CLIP_DB 0.0		/* meter level that counts as clipping */
#define ENGINE_CLIP_REPEAT_MS 60000	/* one clipping alert a minute */

struct engine {
	const struct model *model;
	unsigned tick_ms, meter_ms;
	bool simulate;
	uint64_t next_meter_ms, meter_ticks, last_clip_ms;
	uint32_t rng;
	double source[32];	/* simulated source level per input, dBFS */
	uint8_t gate_bits;
	struct engine_sched *sched;	/* ramps and macro runs */
};

static const struct cfg_key engine_keys[] = {
	{ "tick_ms", CFG_INT, 10, 1000, "50", NULL,
	    "clock period for ramps and macro steps" },
	{ "meter_interval_ms", CFG_INT, 50, 10000, "50", NULL,
	    "how often meters and gates are simulated and reported" },
	{ "simulate_meters", CFG_BOOL, 0, 1, "yes", NULL,
	    "simulate input levels and gate activity (virtual DSP)" },
	{ NULL },
};

/* xorshift32: cheap, deterministic noise for the simulation */
static uint32_t
engine_rand(struct engine *e)
{
	e->rng ^= e->rng << 13;
	e->rng ^= e->rng >> 17;
	e->rng ^= e->rng << 5;
	return e->rng;
}

static double
engine_uniform(struct engine *e, double lo, double hi)
{
	return lo + (hi - lo) * (engine_rand(e) / 4294967296.0);
}

static int
engine_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct engine *e = calloc(1, sizeof *e);
	struct state_identity id;

	/* the service's state lives in its context (svc_priv), not a global */
	if (e != NULL && (e->sched = engine_sched_new()) == NULL) {
		free(e);
		e = NULL;
	}
	if (e == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	state_identity(&id);
	e->model = id.model;
	e->tick_ms = (unsigned)svc_cfg_int(ctx, "tick_ms");
	e->meter_ms = (unsigned)svc_cfg_int(ctx, "meter_interval_ms");
	e->simulate = svc_cfg_bool(ctx, "simulate_meters");
	e->rng = 0x9e3779b9u ^ (uint32_t)clock_ms();
	for (size_t i = 0; i < sizeof e->source / sizeof *e->source; i++)
		e->source[i] = -60.0;
	svc_set_priv(ctx, e);
	return 0;
}

/* Gates open and close like people starting and stopping to talk. */
static void
engine_gates(struct engine *e, int mics)
{
	for (int m = 0; m < mics && m < 8; m++) {
		bool open = e->gate_bits & (1u << m);

		if (engine_uniform(e, 0, 1) < (open ? 0.10 : 0.05))
			e->gate_bits ^= (uint8_t)(1u << m);
	}
}

static double
engine_clampdb(double db)
{
	if (db < ENGINE_SILENCE)
		return ENGINE_SILENCE;
	return db > 99.99 ? 99.99 : db;
}

/* Meters for one storage channel: input, after gain, after filter, after gate. */
static double
engine_channel(struct engine *e, const struct model_group *g, int ch,
    int mics)
{
	double gain = 0, in, post;
	int mute = 0;
	bool gated = true;

	state_gain_get(g->letter, ch, &gain);
	state_mute_get(g->letter, ch, &mute);
	if (g->letter == 'I' && ch < (int)(sizeof e->source / sizeof *e->source)) {
		bool talking = ch < mics ? (e->gate_bits >> ch) & 1 : true;
		double target = talking ? engine_uniform(e, -30, -18) : -62.0;

		e->source[ch] += (target - e->source[ch]) * 0.5;
		in = e->source[ch];
		gated = ch < mics ? talking : true;
	} else {
		in = engine_uniform(e, -40, -25);
	}
	post = mute ? ENGINE_SILENCE : in + gain;
	state_meter_put(g->letter, ch, 0, engine_clampdb(in));
	state_meter_put(g->letter, ch, 1, engine_clampdb(post));
	state_meter_put(g->letter, ch, 2, engine_clampdb(post));
	state_meter_put(g->letter, ch, 3, engine_clampdb(gated ? post :
	    ENGINE_SILENCE));
	return post;
}

static void
engine_meters(struct engine *e, uint64_t now)
{
	const struct model_group *mic = model_group(e->model, 'M');
	int mics = mic ? mic->count : 0;
	uint8_t before = e->gate_bits;
	double loudest = ENGINE_SILENCE;
	char where[16] = "";
	struct bus_msg msg;

	engine_gates(e, mics);
	for (size_t i = 0; i < e->model->ngroups; i++) {
		const struct model_group *g = &e->model->groups[i];

		if (!(g->caps & GRP_METER) || g->alias)
			continue;
		for (int ch = 0; ch < g->count; ch++) {
			double db = engine_channel(e, g, ch, mics);

			if (db > loudest) {
				loudest = db;
				model_channel_format(g, ch, where, sizeof where);
				snprintf(where + strlen(where),
				    sizeof where - strlen(where), " %c",
				    g->letter);
			}
		}
	}
	state_gate_put(e->gate_bits);
	if (loudest > ENGINE_CLIP_DB &&
	    (e->last_clip_ms == 0 || now - e->last_clip_ms > ENGINE_CLIP_REPEAT_MS)) {
		e->last_clip_ms = now;
		bus_event(EVENT_CLIPPING, SEVERITY_WARNING,
		    "audio clipping on %s (%.2f dB)", where, loudest);
	}
	memset(&msg, 0, sizeof msg);
	msg.type = BUS_METERS;
	msg.u.meters.tick = ++e->meter_ticks;
	msg.u.meters.gate_bits = e->gate_bits;
	msg.u.meters.gate_changed = before != e->gate_bits;
	bus_publish(&msg);
}

static int
engine_run(struct svc_ctx *ctx)
{
	struct engine *e = svc_priv(ctx);

	while (!svc_should_stop(ctx)) {
		uint64_t now;
		int rc = svc_poll(ctx, NULL, 0, (int)e->tick_ms);

		if (rc < 0)
			return rc;
		now = clock_ms();
		engine_sched_tick(e->sched, now, svc_name(ctx));
		if (e->simulate && now >= e->next_meter_ms) {
			engine_meters(e, now);
			e->next_meter_ms = now + e->meter_ms;
		}
		svc_beat(ctx);
	}
	return 0;
}

static void
engine_stop(struct svc_ctx *ctx)
{
	struct engine *e = svc_priv(ctx);

	if (e != NULL) {
		engine_sched_free(e->sched);
		free(e);
	}
	svc_set_priv(ctx, NULL);
}

const struct service engine_service = {
	.name = "engine",
	.summary = "audio clock: ramps, macros, simulated meters and gates",
	.keys = engine_keys,
	.default_port = 0,
	.default_enabled = true,
	.init = engine_init,
	.run = engine_run,
	.stop = engine_stop,
};
