/* SPDX-License-Identifier: MIT */
/*
 * The shared state (state.h): one static struct behind one rwlock, split
 * by concern over the state_*.c files, layered (see state_priv.h). This
 * file, at the top: life cycle and the whole-state swap (restore,
 * DEFAULT).
 * Setters validate first (guard clauses, nothing changes on error), apply
 * under the write lock, number the change, unlock, then save (settings:
 * state_save_now, which includes labels, limits, presets and macros;
 * gains, mutes and the matrix: state_save_mark) and publish BUS_CHANGE.
 * Bus and persistence are never called with the lock held, and password
 * hashing (slow) never runs under it. The JSON file format is in
 * state_json.c and docs/state-file.md.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "state_priv.h"

/* ---- life cycle ---- */

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
	err = state_layout_build(&state_st.layout, id->model);
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
		state_data_swap(d);
		if (seq > state_st.seq)
			state_st.seq = seq;
		state_change_add(&cs, STATE_F_RELOADED, origin)->integer =
		    reset;
	}
	UNLOCK();
	if (err < 0)
		state_data_free(d);
	return state_txn_end(&cs, err, why, whylen);
}

/* A restore is acknowledged only once it is on disk. */
int
state_from_json(const json_t *root, const struct origin *origin, char *why,
    size_t whylen)
{
	struct state_data *d;
	uint64_t seq = 0;

	CHECK_READY(why, whylen);
	d = state_data_parse(root, &seq, why, whylen);
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
