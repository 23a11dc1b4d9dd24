/* SPDX-License-Identifier: MIT */
/*
 * The shared state (state.h): one static struct behind one rwlock, split
 * by concern over the state_*.c files (see state_priv.h). This file: life
 * cycle, the per-model layout, change numbering and publishing, and the
 * whole-state swap (restore, DEFAULT).
 * Setters validate first (guard clauses, nothing changes on error), apply
 * under the write lock, number the change, unlock, then save (settings:
 * state_save_now, which includes labels, limits, presets and macros;
 * gains, mutes and the matrix: state_save_mark) and publish BUS_CHANGE.
 * Bus and persistence are never called with the lock held, and password
 * hashing (slow) never runs under it. The JSON file format is in
 * state_json.c and docs/state-file.md.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "state_priv.h"

struct state_shared state_st = { .lock = PTHREAD_RWLOCK_INITIALIZER };

int
state_fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *
user_level_name(enum user_level level)
{
	static const char *const names[] = {
		[LEVEL_USER] = "User",
		[LEVEL_MANAGER] = "Manager",
		[LEVEL_ADMIN] = "Administrator",
	};

	if ((unsigned)level > LEVEL_ADMIN)
		return "Unknown";
	return names[level];
}

/* ---- layout ---- */

static const unsigned slot_caps[SLOT_KINDS] = {
	[SLOT_GAIN] = GRP_GAIN,
	[SLOT_LABEL] = GRP_LABEL,
	[SLOT_METER] = GRP_METER,
	[SLOT_SRC] = GRP_MTRX_SRC,
	[SLOT_DST] = GRP_MTRX_DST,
};

static const int slot_limits[SLOT_KINDS] = {
	STATE_GAIN_SLOTS, STATE_LABEL_SLOTS, STATE_METER_SLOTS,
	STATE_SRC_SLOTS, STATE_DST_SLOTS,
};

/* Give every storage group a base in each array it has a capability for. */
static int
layout_build(struct state_layout *l, const struct model *m)
{
	size_t i;
	int k;

	memset(l, 0, sizeof *l);
	l->model = m;
	memset(l->base, 0xff, sizeof l->base);
	for (i = 0; i < m->ngroups; i++) {
		const struct model_group *g = &m->groups[i];

		if (g->alias != 0 || g->letter < 'A' || g->letter > 'Z')
			continue;
		for (k = 0; k < SLOT_KINDS; k++) {
			if (!(g->caps & slot_caps[k]))
				continue;
			l->base[k][g->letter - 'A'] = l->used[k];
			l->used[k] += g->count;
			if (l->used[k] > slot_limits[k])
				return -E2BIG;
		}
	}
	return 0;
}

int
state_slot(const struct state_layout *l, char group, int channel,
    enum state_slot_kind kind, int *slot)
{
	const struct model_group *g, *sg;
	int idx, base;

	g = model_group(l->model, group);
	if (g == NULL || !(g->caps & slot_caps[kind]))
		return -EINVAL;
	sg = model_storage(l->model, g, channel, &idx);
	if (sg == NULL)
		return -EINVAL;
	base = l->base[kind][sg->letter - 'A'];
	if (base < 0)
		return -EINVAL;
	*slot = base + idx;
	return 0;
}

/* ---- changes: number under the lock, save and publish after it ---- */

void
state_change_init(struct bus_change *c, int what, const struct origin *origin)
{
	memset(c, 0, sizeof *c);
	c->seq = ++state_st.seq;
	c->what = what;
	if (origin != NULL)
		c->origin = *origin;
}

struct bus_change *
state_change_add(struct change_set *cs, int what, const struct origin *origin)
{
	struct bus_change *c = &cs->c[cs->n++];

	state_change_init(c, what, origin);
	return c;
}

void
state_change_addr(struct bus_change *c, char group, int channel)
{
	c->group = (char)toupper((unsigned char)group);
	c->channel = channel;
}

struct bus_change *
state_change_add_chan(struct change_set *cs, int what,
    const struct origin *origin,
    char group, int channel)
{
	struct bus_change *c = state_change_add(cs, what, origin);

	state_change_addr(c, group, channel);
	return c;
}

void
state_publish_change(const struct bus_change *c)
{
	struct bus_msg msg;

	memset(&msg, 0, sizeof msg);
	msg.type = BUS_CHANGE;
	msg.u.change = *c;
	bus_publish(&msg);
}

/* Call with the lock released. */
int
state_finish(const struct change_set *cs, enum state_save save, char *why,
    size_t whylen)
{
	int i;

	(void)why;	/* nothing here fails (saving setters: state_txn.c) */
	(void)whylen;
	if (save == SAVE_AUDIO)
		state_save_mark();
	for (i = 0; i < cs->n; i++)
		state_publish_change(&cs->c[i]);
	return 0;
}

/* ---- life cycle ---- */

void
state_audio_defaults(struct state_audio *a)
{
	size_t i;

	memset(a, 0, sizeof *a);
	for (i = 0; i < STATE_GAIN_SLOTS; i++) {
		a->ch[i].gain = 0.0;
		a->ch[i].min = GAIN_MIN;
		a->ch[i].max = GAIN_MAX;
	}
}

void
state_data_free_macros(struct state_data *d)
{
	size_t i;

	for (i = 0; i < STATE_MACROS; i++) {
		free(d->macros[i].lines);
		d->macros[i].lines = NULL;
		d->macros[i].count = 0;
	}
}

int
state_init(const struct state_identity *id)
{
	struct state_data *d;
	int err;

	if (id == NULL || id->model == NULL)
		return -EINVAL;
	if (state_st.ready)
		return -EALREADY;
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return -ENOMEM;
	err = layout_build(&state_st.layout, id->model);
	if (err == 0)
		err = state_users_defaults(d);
	if (err < 0) {
		free(d);
		return err;
	}
	state_settings_defaults(d, false);
	state_audio_defaults(&d->audio);
	WRLOCK();
	state_st.id = *id;
	state_st.d = d;
	state_st.seq = 0;
	state_st.ready = true;
	UNLOCK();
	return 0;
}

void
state_fini(void)
{
	struct state_data *d;

	WRLOCK();
	d = state_st.d;
	state_st.d = NULL;
	state_st.ready = false;
	state_st.nservices = 0;
	state_st.macro_last = 0;
	state_st.gate_bits = 0;
	state_st.default_pw_hash[0] = '\0';
	memset(state_st.meters, 0, sizeof state_st.meters);
	UNLOCK();
	if (d != NULL) {
		state_data_free_macros(d);
		free(d);
	}
}

void
state_identity(struct state_identity *out)
{
	RDLOCK();
	*out = state_st.id;
	UNLOCK();
}

uint64_t
state_seq(void)
{
	uint64_t seq;

	RDLOCK();
	seq = state_st.seq;
	UNLOCK();
	return seq;
}

/* ---- whole state ---- */

json_t *
state_to_json(void)
{
	json_t *root;

	if (!state_st.ready)
		return NULL;
	RDLOCK();
	root = state_json_build(state_st.d, &state_st.layout, state_st.seq);
	UNLOCK();
	return root;
}

/* Put `d` in place of the saved part; the old one is returned. Lock held. */
static struct state_data *
data_swap(struct state_data *d)
{
	struct state_data *old = state_st.d;

	state_st.d = d;
	/* what a scheduler started on the old data is over */
	state_st.gain_epoch++;
	state_st.macro_epoch++;
	return old;
}

static void
data_free(struct state_data *d)
{
	if (d == NULL)
		return;
	state_data_free_macros(d);
	free(d);
}

/*
 * Replace the state with `d` (taken over) as a transaction: saved, or
 * undone. `reset` marks a DEFAULT (the console reports "#H0 DEFAULT"; a
 * restore has no line). Numbers keep growing across restores.
 */
static int
data_replace(struct state_data *d, uint64_t seq, int reset,
    const struct origin *origin, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_undo u = { .kind = UNDO_DATA };
	int err;

	state_txn_begin();
	WRLOCK();
	u.u.data = state_st.d;
	err = state_txn_undo(&u);
	if (err == 0) {
		data_swap(d);
		if (seq > state_st.seq)
			state_st.seq = seq;
		state_change_add(&cs, STATE_F_RELOADED, origin)->integer =
		    reset;
	}
	UNLOCK();
	if (err < 0)
		data_free(d);
	return state_txn_end(&cs, err, why, whylen);
}

/* Parse and check `root` into a fresh copy; NULL with `why`. */
static struct state_data *
data_parse(const json_t *root, uint64_t *seq, char *why, size_t whylen)
{
	struct state_data *d = calloc(1, sizeof *d);
	int err;

	if (d == NULL) {
		state_fail(why, whylen, -ENOMEM, "out of memory");
		return NULL;
	}
	err = state_json_parse(root, &state_st.layout, d, seq, why, whylen);
	if (err < 0) {
		data_free(d);
		return NULL;
	}
	return d;
}

/* The file just read by state_file_load: not saved again. */
int
state_json_load(const json_t *root, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_data *d, *old;
	uint64_t seq = 0;

	CHECK_READY(why, whylen);
	d = data_parse(root, &seq, why, whylen);
	if (d == NULL)
		return -EINVAL;
	WRLOCK();
	old = data_swap(d);
	if (seq > state_st.seq)
		state_st.seq = seq;
	state_change_add(&cs, STATE_F_RELOADED, origin);
	UNLOCK();
	data_free(old);
	return state_finish(&cs, SAVE_NONE, why, whylen);
}

/* A restore is acknowledged only once it is on disk. */
int
state_from_json(const json_t *root, const struct origin *origin, char *why,
    size_t whylen)
{
	struct state_data *d;
	uint64_t seq = 0;

	CHECK_READY(why, whylen);
	d = data_parse(root, &seq, why, whylen);
	if (d == NULL)
		return -EINVAL;
	return data_replace(d, seq, 0, origin, why, whylen);
}

/*
 * DEFAULT: audio, presets, macros, names, location, SNMP, mail and the
 * event mask go back to factory values. Users and the network, time and
 * serial settings stay, so a DEFAULT over Telnet cannot lock the
 * integrator out of the unit.
 */
int
state_reset_defaults(const struct origin *origin)
{
	struct state_data *d;

	CHECK_READY(NULL, 0);
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return -ENOMEM;
	/* no user or setting may change between this copy and the swap */
	state_txn_begin();
	RDLOCK();
	memcpy(d->settings, state_st.d->settings, sizeof d->settings);
	memcpy(d->users, state_st.d->users, sizeof d->users);
	d->nusers = state_st.d->nusers;
	memcpy(d->events, state_st.d->events, sizeof d->events);
	d->nevents = state_st.d->nevents;
	d->event_first = state_st.d->event_first;
	UNLOCK();
	state_settings_defaults(d, true);
	state_audio_defaults(&d->audio);
	return state_txn_end(NULL, data_replace(d, 0, 1, origin, NULL, 0),
	    NULL, 0);
}
