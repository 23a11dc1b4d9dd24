/* SPDX-License-Identifier: MIT */
/*
 * Changes that must be saved (state.h: settings, users, labels, limits,
 * presets, macros, DEFAULT, restore) run as a transaction: one at a time
 * (state_txn_lock), each setter records how to undo what it applies, and the
 * end saves once. If the save fails every change is undone, nothing is
 * published and the sequence number goes back: the caller gets -EIO,
 * "not saved: REASON". A batch (state_batch_begin/end) holds several
 * setters of one thread, so a wildcard command is one save.
 * A change is visible to readers between its apply and the save; it is
 * published only once it is on disk.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "state_priv.h"

static _Thread_local int txn_depth;	/* > 0: we hold state_txn_lock */

/* The open transaction; only the holder of state_txn_lock touches it. */
static struct {
	struct state_undo *undo;
	size_t nundo, undocap;
	struct bus_change *changes;
	size_t nchanges, changecap;
	int err;			/* out of memory on the way */
} txn;

void
state_txn_begin(void)
{
	if (txn_depth++ == 0)
		pthread_mutex_lock(&state_txn_lock);
}

/* Grow `*arr` (of `size` bytes each) to hold one more; -ENOMEM. */
static int
txn_grow(void **arr, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, ncap * size);
	if (p == NULL)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int
state_txn_undo(const struct state_undo *u)
{
	if (txn_depth == 0)
		return -EPERM;	/* a setter forgot state_txn_begin */
	if (txn_grow((void **)&txn.undo, txn.nundo, &txn.undocap,
	    sizeof *txn.undo) < 0)
		return -ENOMEM;
	txn.undo[txn.nundo++] = *u;
	return 0;
}

/* Put one change back. State lock held. */
static void
txn_undo_one(struct state_undo *u)
{
	struct state_data *d = state_st.d;

	switch (u->kind) {
	case UNDO_SETTING:
		memcpy(d->settings[u->index], u->u.text, STATE_SETTING_LEN);
		break;
	case UNDO_LABEL:
		memcpy(d->audio.label[u->index], u->u.text,
		    sizeof d->audio.label[0]);
		break;
	case UNDO_CHAN:
		d->audio.ch[u->index] = u->u.ch;
		break;
	case UNDO_USERS:
		memcpy(d->users, u->u.users->users, sizeof d->users);
		d->nusers = u->u.users->n;
		break;
	case UNDO_PRESET:
		d->presets[u->index] = *u->u.preset;
		break;
	case UNDO_MACRO:
		free(d->macros[u->index].lines);
		d->macros[u->index] = u->u.macro;
		u->u.macro.lines = NULL;	/* back in use */
		break;
	case UNDO_DATA:
		state_st.d = u->u.data;
		u->u.data = d;			/* the new one goes */
		break;
	}
}

/* Free what an undo record holds (the old copy, or after an undo the new). */
static void
txn_undo_free(struct state_undo *u)
{
	switch (u->kind) {
	case UNDO_USERS:
		free(u->u.users);
		break;
	case UNDO_PRESET:
		free(u->u.preset);
		break;
	case UNDO_MACRO:
		free(u->u.macro.lines);
		break;
	case UNDO_DATA:
		state_data_free_macros(u->u.data);
		free(u->u.data);
		break;
	default:
		break;
	}
}

/* Undo everything, newest first; the numbers go back if none came between. */
static void
txn_rollback(void)
{
	size_t i;

	WRLOCK();
	for (i = txn.nundo; i > 0; i--)
		txn_undo_one(&txn.undo[i - 1]);
	if (txn.nchanges > 0 &&
	    state_st.seq == txn.changes[txn.nchanges - 1].seq &&
	    state_st.seq - txn.changes[0].seq + 1 == txn.nchanges)
		state_st.seq = txn.changes[0].seq - 1;
	UNLOCK();
}

static void
txn_reset(void)
{
	size_t i;

	for (i = 0; i < txn.nundo; i++)
		txn_undo_free(&txn.undo[i]);
	txn.nundo = 0;
	txn.nchanges = 0;
	txn.err = 0;
}

/* Save once; on failure undo it all. 0 or -EIO with the reason. */
static int
txn_commit(char *why, size_t whylen)
{
	struct bus_change *out = NULL;
	size_t n = 0, i;
	int rc = txn.err;

	if (txn.nundo == 0 && txn.nchanges == 0) {
		pthread_mutex_unlock(&state_txn_lock);
		return 0;
	}
	if (rc == 0)
		rc = state_save_now();
	if (rc < 0) {
		txn_rollback();
	} else {
		/* take the queue along; the next transaction makes a new one */
		out = txn.changes;
		n = txn.nchanges;
		txn.changes = NULL;
		txn.changecap = 0;
	}
	txn_reset();
	pthread_mutex_unlock(&state_txn_lock);
	/* published after every lock is released */
	for (i = 0; i < n; i++)
		state_publish_change(&out[i]);
	free(out);
	if (rc < 0)
		return state_fail(why, whylen, -EIO, "not saved: %s",
		    strerror(-rc));
	return 0;
}

int
state_txn_end(const struct change_set *cs, int err, char *why,
    size_t whylen)
{
	int i, rc;

	for (i = 0; cs != NULL && err == 0 && i < cs->n; i++) {
		if (txn_grow((void **)&txn.changes, txn.nchanges,
		    &txn.changecap, sizeof *txn.changes) < 0) {
			txn.err = -ENOMEM;
			break;
		}
		txn.changes[txn.nchanges++] = cs->c[i];
	}
	if (--txn_depth > 0)
		return err;
	rc = txn_commit(why, whylen);
	return err < 0 ? err : rc;
}

void
state_batch_begin(void)
{
	state_txn_begin();
}

int
state_batch_end(char *why, size_t whylen)
{
	return state_txn_end(NULL, 0, why, whylen);
}
