/* SPDX-License-Identifier: MIT */
/*
 * The bottom of the state (state_priv.h): the one shared struct and the
 * transaction lock, the per-model layout, change numbering and
 * publishing, and the small helpers every state_*.c file uses. It calls
 * no other state_*.c file.
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
/* One saving transaction at a time (state_txn.c). */
pthread_mutex_t state_txn_lock = PTHREAD_MUTEX_INITIALIZER;

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
int
state_layout_build(struct state_layout *l, const struct model *m)
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

/* A setting someone changed is also an event: who, from where. */
static void
state_setting_event(const struct bus_change *c)
{
	const struct state_setting_info *info;

	if (c->what != STATE_F_SETTING || c->number == 0 ||
	    (c->origin.flags & ORIGIN_INTERNAL) ||
	    (info = state_setting_info(c->integer)) == NULL)
		return;
	if (info->secret || info->not_in_events)
		bus_event_by(&c->origin, EVENT_SETTINGS, SEVERITY_INFO,
		    "setting %s changed", info->key);
	else
		bus_event_by(&c->origin, EVENT_SETTINGS, SEVERITY_INFO,
		    "setting %s changed to \"%.100s\"", info->key, c->text);
}

void
state_publish_change(const struct bus_change *c)
{
	struct bus_msg msg;

	memset(&msg, 0, sizeof msg);
	msg.type = BUS_CHANGE;
	msg.u.change = *c;
	bus_publish(&msg);
	state_setting_event(c);
}

/* ---- the saved data ---- */

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

/* Put `d` in place of the saved part; the old one is returned. Lock held. */
struct state_data *
state_data_swap(struct state_data *d)
{
	struct state_data *old = state_st.d;

	state_st.d = d;
	/* what a scheduler started on the old data is over */
	state_st.gain_epoch++;
	state_st.macro_epoch++;
	return old;
}

void
state_data_free(struct state_data *d)
{
	if (d == NULL)
		return;
	state_data_free_macros(d);
	free(d);
}

/* ---- small helpers ---- */

bool
state_all_in(const char *v, const char *set)
{
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && strchr(set, *v) == NULL)
			return false;
	return true;
}

bool
state_printable(const char *v)
{
	for (; *v != '\0'; v++)
		if (*v < 0x20 || *v > 0x7e)
			return false;
	return true;
}

/* ---- the transaction lock (state_txn.c takes it, state_file.c tries) ---- */

bool
state_txn_try(void)
{
	return pthread_mutex_trylock(&state_txn_lock) == 0;
}

void
state_txn_release(void)
{
	pthread_mutex_unlock(&state_txn_lock);
}
