/* SPDX-License-Identifier: MIT */
/*
 * Audio (state.h): gains, limits, mutes, ramps, labels, the matrix,
 * presets, macros, meters and gate bits. Gains, mutes and the matrix are
 * saved at most once a second; labels, limits, presets and macros at once.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state.h"
#include "state_priv.h"

#define RAMP_REPORT_STEP 0.01	/* smaller ramp moves are not published */

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Gains are shown with two decimals; keep them on that grid. */
static double
round2(double v)
{
	return round(v * 100.0) / 100.0;
}

static int
gain_slot(char group, int channel, int *slot, char *why, size_t whylen)
{
	if (!state_st.ready)
		return state_fail(why, whylen, -ENODEV, STATE_NOT_READY);
	if (state_slot(&state_st.layout, group, channel, SLOT_GAIN, slot) < 0)
		return state_fail(why, whylen, -EINVAL,
		    "no such gain channel");
	return 0;
}

/* A copy of one gain channel's gain, limits and mute. */
static int
chan_read(char group, int channel, struct state_chan *out)
{
	int slot, err = gain_slot(group, channel, &slot, NULL, 0);

	if (err < 0)
		return err;
	RDLOCK();
	*out = state_st.d->audio.ch[slot];
	UNLOCK();
	return 0;
}

int
state_gain_get(char group, int channel, double *gain)
{
	struct state_chan ch;
	int err = chan_read(group, channel, &ch);

	if (err == 0)
		*gain = ch.gain;
	return err;
}

int
state_gain_set(char group, int channel, double value, bool relative,
    const struct origin *origin, double *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	struct bus_change *c;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);
	double g;

	if (err < 0)
		return err;
	if (!isfinite(value) || value < GAIN_ENTRY_MIN ||
	    value > GAIN_ENTRY_MAX)
		return state_fail(why, whylen, -EINVAL,
		    "gain must be a number from -99.9 to 99.9");
	WRLOCK();
	ch = &state_st.d->audio.ch[slot];
	g = round2(clamp((relative ? ch->gain : 0.0) + value, ch->min,
	    ch->max));
	ch->gain = g;
	c = state_change_add_chan(&cs, STATE_F_GAIN, origin, group,
		    channel);
	c->number = g;
	UNLOCK();
	if (result != NULL)
		*result = g;
	return state_finish(&cs, SAVE_AUDIO, why, whylen);
}

int
state_minmax_get(char group, int channel, double *min, double *max)
{
	struct state_chan ch;
	int err = chan_read(group, channel, &ch);

	if (err == 0) {
		*min = ch.min;
		*max = ch.max;
	}
	return err;
}

int
state_minmax_set(char group, int channel, double min, double max,
    const struct origin *origin, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_undo u = { .kind = UNDO_CHAN };
	struct state_chan *ch;
	struct bus_change *c;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);
	double g;

	if (err < 0)
		return err;
	if (!isfinite(min) || !isfinite(max) || min < GAIN_MIN ||
	    max > GAIN_MAX || min > max)
		return state_fail(why, whylen, -EINVAL,
		    "min and max must be from -65 to 20, min <= max");
	state_txn_begin();
	WRLOCK();
	ch = &state_st.d->audio.ch[slot];
	u.index = slot;
	u.u.ch = *ch;
	if ((err = state_txn_undo(&u)) < 0) {
		UNLOCK();
		return state_txn_end(NULL, err, why, whylen);
	}
	ch->min = round2(min);
	ch->max = round2(max);
	c = state_change_add_chan(&cs, STATE_F_MINMAX, origin, group, channel);
	c->number = ch->min;
	c->number2 = ch->max;
	/* The current gain must obey the new limits; say so if it moved. */
	g = clamp(ch->gain, ch->min, ch->max);
	if (g != ch->gain) {
		ch->gain = g;
		c = state_change_add_chan(&cs, STATE_F_GAIN, origin, group,
		    channel);
		c->number = g;
	}
	UNLOCK();
	return state_txn_end(&cs, 0, why, whylen);
}

int
state_mute_get(char group, int channel, int *mute)
{
	struct state_chan ch;
	int err = chan_read(group, channel, &ch);

	if (err == 0)
		*mute = ch.mute;
	return err;
}

int
state_mute_set(char group, int channel, int value,
    const struct origin *origin, int *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	struct bus_change *c;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);

	if (err < 0)
		return err;
	if (value < 0 || value > 2)
		return state_fail(why, whylen, -EINVAL,
		    "mute must be 0, 1 or 2 (toggle)");
	WRLOCK();
	ch = &state_st.d->audio.ch[slot];
	ch->mute = value == 2 ? !ch->mute : value;
	c = state_change_add_chan(&cs, STATE_F_MUTE, origin, group, channel);
	c->integer = ch->mute;
	if (result != NULL)
		*result = ch->mute;
	UNLOCK();
	return state_finish(&cs, SAVE_AUDIO, why, whylen);
}

/*
 * RAMP: a scheduler moves the gain from its next tick towards the
 * target, which defaults to the limit in the rate's direction and is
 * kept inside the channel's min/max.
 */
int
state_ramp_begin(char group, int channel, double rate, bool has_target,
    double target, const struct origin *origin, struct state_ramp *r,
    char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	struct bus_change *c;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);

	if (err < 0)
		return err;
	if (!isfinite(rate) || rate < -RAMP_RATE_MAX || rate > RAMP_RATE_MAX)
		return state_fail(why, whylen, -EINVAL,
		    "ramp rate must be from -50 to 50 dB/s");
	if (has_target && (!isfinite(target) || target < GAIN_ENTRY_MIN ||
	    target > GAIN_ENTRY_MAX))
		return state_fail(why, whylen, -EINVAL,
		    "ramp target must be a number from -99.9 to 99.9");
	memset(r, 0, sizeof *r);
	WRLOCK();
	ch = &state_st.d->audio.ch[slot];
	if (!has_target)
		target = rate >= 0 ? ch->max : ch->min;
	r->slot = slot;
	r->target = clamp(target, ch->min, ch->max);
	r->rate = rate;
	r->reported = ch->gain;
	r->epoch = state_st.gain_epoch;
	r->group = (char)toupper((unsigned char)group);
	r->channel = channel;
	if (origin != NULL)
		r->origin = *origin;
	c = state_change_add_chan(&cs, STATE_F_RAMP, origin, group, channel);
	c->number = rate;
	c->number2 = r->target;
	UNLOCK();
	return state_finish(&cs, SAVE_NONE, why, whylen);
}

int
state_gain_slot(char group, int channel, int *slot)
{
	return gain_slot(group, channel, slot, NULL, 0);
}

uint64_t
state_gain_epoch(void)
{
	uint64_t e;

	RDLOCK();
	e = state_st.gain_epoch;
	UNLOCK();
	return e;
}

/* Move one gain by `delta`; true when the ramp is over. Lock held. */
static bool
ramp_move(const struct state_ramp *r, struct state_chan *ch, double delta)
{
	double g = ch->gain + delta, end = r->target;
	bool up = r->rate > 0, over = false;

	if (up ? g >= end || ch->gain >= end : g <= end || ch->gain <= end) {
		g = up ? fmax(ch->gain, end) : fmin(ch->gain, end);
		over = true;
	}
	ch->gain = clamp(g, ch->min, ch->max);
	return over || ch->gain == ch->min || ch->gain == ch->max;
}

int
state_gain_step(struct state_ramp *r, double delta,
    const struct origin *origin)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	bool over, report;

	if (!state_st.ready)
		return -ENODEV;
	if (r->slot < 0 || r->slot >= STATE_GAIN_SLOTS)
		return -EINVAL;
	WRLOCK();
	if (r->epoch != state_st.gain_epoch) {
		UNLOCK();
		return -ESTALE;
	}
	ch = &state_st.d->audio.ch[r->slot];
	over = ramp_move(r, ch, delta);
	/* small steps are not published, so a slow ramp does not flood */
	report = over ? ch->gain != r->reported :
	    fabs(ch->gain - r->reported) >= RAMP_REPORT_STEP;
	if (report) {
		r->reported = ch->gain;
		state_change_add_chan(&cs, STATE_F_GAIN, origin, r->group,
		    r->channel)->number = ch->gain;
	}
	UNLOCK();
	if (report)
		state_finish(&cs, SAVE_AUDIO, NULL, 0);
	return over;
}

/* LABEL 0 U is the unit label setting (SET_UNIT_LABEL). */
static bool
is_unit_label(char group, int channel)
{
	return toupper((unsigned char)group) == 'U' && channel == 0;
}

int
state_label_get(char group, int channel, char *buf, size_t len)
{
	int slot;

	if (!state_st.ready)
		return -ENODEV;
	if (state_slot(&state_st.layout, group, channel, SLOT_LABEL, &slot) < 0)
		return -EINVAL;
	if (is_unit_label(group, channel))
		return state_setting_get(SET_UNIT_LABEL, buf, len);
	RDLOCK();
	snprintf(buf, len, "%s", state_st.d->audio.label[slot]);
	UNLOCK();
	return 0;
}

int
state_label_set(char group, int channel, const char *text,
    const struct origin *origin, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_undo u = { .kind = UNDO_LABEL };
	struct bus_change *c;
	int slot, err;

	CHECK_READY(why, whylen);
	if (state_slot(&state_st.layout, group, channel, SLOT_LABEL, &slot) < 0)
		return state_fail(why, whylen, -EINVAL, "no such channel");
	if (text == NULL || text[0] == '\0' ||
	    state_label_check(text, why, whylen) < 0)
		return state_fail(why, whylen, -EINVAL,
		    "label must be 1 to 20 printable characters");
	if (strcasecmp(text, "CLEAR") == 0)
		text = "";
	if (is_unit_label(group, channel))
		return state_setting_set(SET_UNIT_LABEL, text, origin, why,
		    whylen);
	state_txn_begin();
	WRLOCK();
	u.index = slot;
	memcpy(u.u.text, state_st.d->audio.label[slot],
	    sizeof state_st.d->audio.label[slot]);
	if ((err = state_txn_undo(&u)) < 0) {
		UNLOCK();
		return state_txn_end(NULL, err, why, whylen);
	}
	snprintf(state_st.d->audio.label[slot],
	    sizeof state_st.d->audio.label[slot], "%s", text);
	c = state_change_add_chan(&cs, STATE_F_LABEL, origin, group, channel);
	snprintf(c->text, sizeof c->text, "%s", text);
	UNLOCK();
	return state_txn_end(&cs, 0, why, whylen);
}

/* ---- matrix ---- */

static void
change_xpoint(struct bus_change *c, char src_group, int src, char dst_group,
    int dst)
{
	state_change_addr(c, src_group, src);
	c->dst_group = (char)toupper((unsigned char)dst_group);
	c->dst_channel = dst;
}

static int
xpoint_resolve(char sg, int s, char dg, int d, struct state_xpoint *x,
    char *why, size_t whylen)
{
	if (!state_st.ready)
		return state_fail(why, whylen, -ENODEV, STATE_NOT_READY);
	if (state_xpoint(&state_st.layout, sg, s, dg, d, x) < 0)
		return state_fail(why, whylen, -EINVAL,
		    "no such matrix crosspoint");
	return 0;
}

int
state_mtrx_get(char src_group, int src, char dst_group, int dst, int *value)
{
	struct state_xpoint x;
	int err = xpoint_resolve(src_group, src, dst_group, dst, &x, NULL, 0);

	if (err < 0)
		return err;
	if (x.self) {
		*value = 6;
		return 0;
	}
	RDLOCK();
	*value = state_st.d->audio.route[x.src][x.dst];
	UNLOCK();
	return 0;
}

/* The value a request leaves (toggle resolved); -1 if not allowed. */
static int
mtrx_new_value(const struct state_xpoint *x, int value, int old)
{
	if (x->self || value < 0 || value > 5)
		return -1;
	if (x->mic)
		return value == 0 || value >= 3 ? value : -1;
	if (value == 2)
		return old ? 0 : 1;
	return value <= 1 ? value : -1;
}

static int
mtrx_refuse(const struct state_xpoint *x, char *why, size_t whylen)
{
	if (x->self)
		return state_fail(why, whylen, -EINVAL,
		    "a processing channel cannot be routed to itself");
	return state_fail(why, whylen, -EINVAL, x->mic ?
	    "a mic route must be 0, 3, 4 or 5" :
	    "a route must be 0, 1 or 2 (toggle)");
}

int
state_mtrx_set(char src_group, int src, char dst_group, int dst, int value,
    const struct origin *origin, int *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct bus_change *c;
	struct state_xpoint x;
	int v, err;

	err = xpoint_resolve(src_group, src, dst_group, dst, &x, why, whylen);
	if (err < 0)
		return err;
	/* Toggle needs the old value, so the check runs under the lock. */
	WRLOCK();
	v = mtrx_new_value(&x, value, state_st.d->audio.route[x.src][x.dst]);
	if (v >= 0) {
		state_st.d->audio.route[x.src][x.dst] = (uint8_t)v;
		c = state_change_add(&cs, STATE_F_MTRX, origin);
		change_xpoint(c, src_group, src, dst_group, dst);
		c->integer = v;
	}
	UNLOCK();
	if (v < 0)
		return mtrx_refuse(&x, why, whylen);
	if (result != NULL)
		*result = v;
	return state_finish(&cs, SAVE_AUDIO, why, whylen);
}

int
state_mtrxlvl_get(char src_group, int src, char dst_group, int dst,
    double *level)
{
	struct state_xpoint x;
	int err = xpoint_resolve(src_group, src, dst_group, dst, &x, NULL, 0);

	if (err < 0)
		return err;
	RDLOCK();
	*level = state_st.d->audio.level[x.src][x.dst];
	UNLOCK();
	return 0;
}

int
state_mtrxlvl_set(char src_group, int src, char dst_group, int dst,
    double value, bool relative, const struct origin *origin,
    double *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct bus_change *c;
	struct state_xpoint x;
	double *lv, v;
	int err;

	err = xpoint_resolve(src_group, src, dst_group, dst, &x, why, whylen);
	if (err < 0)
		return err;
	if (x.self)
		return mtrx_refuse(&x, why, whylen);
	if (!isfinite(value) || value < MTRXLVL_ENTRY_MIN ||
	    value > MTRXLVL_ENTRY_MAX)
		return state_fail(why, whylen, -EINVAL,
		    "matrix level must be a number from -99 to 99");
	WRLOCK();
	lv = &state_st.d->audio.level[x.src][x.dst];
	v = round2(clamp((relative ? *lv : 0.0) + value, MTRXLVL_MIN,
	    MTRXLVL_MAX));
	*lv = v;
	c = state_change_add(&cs, STATE_F_MTRXLVL, origin);
	change_xpoint(c, src_group, src, dst_group, dst);
	c->number = v;
	UNLOCK();
	if (result != NULL)
		*result = v;
	return state_finish(&cs, SAVE_AUDIO, why, whylen);
}

int
state_mtrx_clear(const struct origin *origin)
{
	struct change_set cs = { .n = 0 };

	CHECK_READY(NULL, 0);
	WRLOCK();
	/* Routes off; the levels stay for when a route comes back. */
	memset(state_st.d->audio.route, 0, sizeof state_st.d->audio.route);
	state_change_add(&cs, STATE_F_MTRXCLEAR, origin);
	UNLOCK();
	return state_finish(&cs, SAVE_AUDIO, NULL, 0);
}

int
state_safety_mute_get(void)
{
	int v;

	if (!state_st.ready)
		return 0;
	RDLOCK();
	v = state_st.d->audio.safety_mute;
	UNLOCK();
	return v;
}

int
state_safety_mute_set(int value, const struct origin *origin, int *result)
{
	struct change_set cs = { .n = 0 };
	int v;

	CHECK_READY(NULL, 0);
	if (value < 0 || value > 2)
		return -EINVAL;
	WRLOCK();
	v = value == 2 ? !state_st.d->audio.safety_mute : value;
	state_st.d->audio.safety_mute = v;
	state_change_add(&cs, STATE_F_SAFETY_MUTE, origin)->integer = v;
	UNLOCK();
	if (result != NULL)
		*result = v;
	return state_finish(&cs, SAVE_AUDIO, NULL, 0);
}

/* ---- presets ---- */

/* Presets and macros are numbered 1 to `max`. */
static int
numbered(const char *what, int n, int max, char *why, size_t whylen)
{
	if (!state_st.ready)
		return state_fail(why, whylen, -ENODEV, STATE_NOT_READY);
	if (n < 1 || n > max)
		return state_fail(why, whylen, -EINVAL, "%s must be 1 to %d",
		    what, max);
	return 0;
}

static int
preset_number(int n, char *why, size_t whylen)
{
	return numbered("preset", n, STATE_PRESETS, why, whylen);
}

int
state_preset_store(int n, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_undo u = { .kind = UNDO_PRESET, .index = n - 1 };
	struct state_preset *p;
	int err = preset_number(n, why, whylen);

	if (err < 0)
		return err;
	u.u.preset = malloc(sizeof *u.u.preset);
	if (u.u.preset == NULL)
		return state_fail(why, whylen, -ENOMEM, "out of memory");
	state_txn_begin();
	WRLOCK();
	p = &state_st.d->presets[n - 1];
	*u.u.preset = *p;
	if ((err = state_txn_undo(&u)) < 0) {
		UNLOCK();
		free(u.u.preset);
		return state_txn_end(NULL, err, why, whylen);
	}
	p->defined = true;
	memcpy(p->ch, state_st.d->audio.ch, sizeof p->ch);
	memcpy(p->route, state_st.d->audio.route, sizeof p->route);
	memcpy(p->level, state_st.d->audio.level, sizeof p->level);
	state_change_add(&cs, STATE_F_PRESET_STORED, origin)->integer = n;
	UNLOCK();
	return state_txn_end(&cs, 0, why, whylen);
}

/* One STATE_F_PRESET, not one change per channel: consumers resync. */
int
state_preset_recall(int n, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_preset *p;
	int err = preset_number(n, why, whylen);

	if (err < 0)
		return err;
	WRLOCK();
	p = &state_st.d->presets[n - 1];
	state_st.preset_last = n;
	if (p->defined) {
		memcpy(state_st.d->audio.ch, p->ch, sizeof p->ch);
		memcpy(state_st.d->audio.route, p->route, sizeof p->route);
		memcpy(state_st.d->audio.level, p->level, sizeof p->level);
		state_st.gain_epoch++;	/* running ramps are over */
		state_change_add(&cs, STATE_F_PRESET, origin)->integer = n;
	}
	UNLOCK();
	if (cs.n == 0) {
		/* a real unit acknowledges it; drivers recall presets blind */
		bus_event_by(origin, EVENT_PRESET, SEVERITY_INFO,
		    "preset %d is empty: nothing recalled", n);
		return 0;
	}
	return state_finish(&cs, SAVE_AUDIO, why, whylen);
}

int
state_preset_last(void)
{
	int n;

	if (!state_st.ready)
		return 0;
	RDLOCK();
	n = state_st.preset_last;
	UNLOCK();
	return n;
}

bool
state_preset_defined(int n)
{
	bool defined;

	if (!state_st.ready || n < 1 || n > STATE_PRESETS)
		return false;
	RDLOCK();
	defined = state_st.d->presets[n - 1].defined;
	UNLOCK();
	return defined;
}

/* ---- macros ---- */

static int
macro_number(int n, char *why, size_t whylen)
{
	return numbered("macro", n, STATE_MACROS, why, whylen);
}

/* Zero lines undefines the macro. */
int
state_macro_define(int n, const char *const *lines, size_t count,
    enum user_level level, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_undo u = { .kind = UNDO_MACRO, .index = n - 1 };
	char (*copy)[BUS_TEXT_MAX] = NULL;
	size_t i;
	int err = macro_number(n, why, whylen);

	if (err == 0 && count > STATE_MACRO_LINES)
		err = state_fail(why, whylen, -EINVAL,
		    "a macro has at most %d lines", STATE_MACRO_LINES);
	if (err == 0 && (unsigned)level > LEVEL_ADMIN)
		err = state_fail(why, whylen, -EINVAL, "no such user level");
	for (i = 0; err == 0 && i < count; i++)
		err = state_macro_line_check(lines[i], why, whylen);
	if (err == 0 && count > 0 && (copy = calloc(count, sizeof *copy)) ==
	    NULL)
		err = -ENOMEM;
	if (err < 0)
		return err;
	for (i = 0; i < count; i++)
		snprintf(copy[i], sizeof copy[i], "%s", lines[i]);
	state_txn_begin();
	WRLOCK();
	/* the old lines are freed once the new ones are saved */
	u.u.macro = state_st.d->macros[n - 1];
	if ((err = state_txn_undo(&u)) < 0) {
		UNLOCK();
		free(copy);
		return state_txn_end(NULL, err, why, whylen);
	}
	state_st.d->macros[n - 1].lines = copy;
	state_st.d->macros[n - 1].count = count;
	state_st.d->macros[n - 1].level = level;
	state_change_add(&cs, STATE_F_MACRO_DEFINED, origin)->integer = n;
	UNLOCK();
	return state_txn_end(&cs, 0, why, whylen);
}

size_t
state_macro_lines(int n, char lines[][BUS_TEXT_MAX], size_t max)
{
	const struct state_macro *m;
	size_t i, count;

	if (macro_number(n, NULL, 0) < 0)
		return 0;
	RDLOCK();
	m = &state_st.d->macros[n - 1];
	count = m->count < max ? m->count : max;
	for (i = 0; i < count; i++)
		memcpy(lines[i], m->lines[i], BUS_TEXT_MAX);
	UNLOCK();
	return count;
}

int
state_macro_started(int n, const struct origin *origin, uint64_t *epoch,
    char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	int err = macro_number(n, why, whylen);
	bool empty;

	if (err < 0)
		return err;
	WRLOCK();
	/* an empty one is acknowledged and announced like a real unit's */
	empty = state_st.d->macros[n - 1].count == 0;
	state_st.macro_last = n;
	*epoch = state_st.macro_epoch;
	state_change_add(&cs, STATE_F_MACRO, origin)->integer = n;
	UNLOCK();
	if (empty)
		bus_event_by(origin, EVENT_MACRO, SEVERITY_INFO,
		    "macro %d is empty: nothing run", n);
	err = state_finish(&cs, SAVE_NONE, why, whylen);
	return err < 0 ? err : empty;
}

int
state_macro_last(void)
{
	int n;

	if (!state_st.ready)
		return 0;
	RDLOCK();
	n = state_st.macro_last;
	UNLOCK();
	return n;
}

int
state_macro_line(int n, size_t i, uint64_t epoch, char *buf, size_t len,
    enum user_level *level)
{
	const struct state_macro *m;
	int got = 0;

	if (macro_number(n, NULL, 0) < 0)
		return -EINVAL;
	RDLOCK();
	m = &state_st.d->macros[n - 1];
	if (epoch != state_st.macro_epoch)
		got = -ESTALE;
	else if (i < m->count)
		got = 1;
	if (got == 1) {
		snprintf(buf, len, "%s", m->lines[i]);
		if (level != NULL)
			*level = m->level;
	}
	UNLOCK();
	return got;
}

/* ---- meters, gates (live values: no sequence number, not saved) ---- */

static int
meter_slot(char group, int channel, int meter, int *slot)
{
	if (!state_st.ready)
		return -ENODEV;
	if (meter < 0 || meter >= STATE_METERS)
		return -EINVAL;
	return state_slot(&state_st.layout, group, channel, SLOT_METER, slot);
}

int
state_meter_get(char group, int channel, int meter, double *db)
{
	int slot, err = meter_slot(group, channel, meter, &slot);

	if (err < 0)
		return err;
	RDLOCK();
	*db = state_st.meters[slot][meter];
	UNLOCK();
	return 0;
}

int
state_meter_put(char group, int channel, int meter, double db)
{
	int slot, err = meter_slot(group, channel, meter, &slot);

	if (err < 0)
		return err;
	if (!isfinite(db) || db < -99.99 || db > 99.99)
		return -EINVAL;
	WRLOCK();
	state_st.meters[slot][meter] = db;
	UNLOCK();
	return 0;
}

uint8_t
state_gate_bits(void)
{
	uint8_t bits;

	RDLOCK();
	bits = state_st.gate_bits;
	UNLOCK();
	return bits;
}

void
state_gate_put(uint8_t bits)
{
	WRLOCK();
	state_st.gate_bits = bits;
	UNLOCK();
}
