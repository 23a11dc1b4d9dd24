/* SPDX-License-Identifier: MIT */
/*
 * When and what the state saves (state.h, "the state file"): settings at
 * once, audio coalesced to at most one write a second, through persist.c
 * (which only writes text atomically). One save at a time. While saves
 * fail, the reason is kept for the status page, and the log and the
 * event log hear of it once per change (failing, working again).
 * The file read at start replaces the state here (state_json_load), and
 * setters that need no transaction save and publish through
 * state_finish; this file calls only state_json.c and state_base.c.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "log.h"
#include "persist.h"
#include "state.h"
#include "state_priv.h"

#define STATE_FILE_COALESCE_MS 1000

static struct {
	pthread_mutex_t lock;		/* one save at a time */
	char path[PATH_MAX];
	bool open;
	_Atomic bool dirty;		/* audio changes not yet written */
	uint64_t last_ms;
	pthread_mutex_t problem_lock;	/* never held across I/O */
	char problem[200];		/* why saves fail; "" while they work */
} sf = { .lock = PTHREAD_MUTEX_INITIALIZER,
	.problem_lock = PTHREAD_MUTEX_INITIALIZER };

int
state_file_open(const char *path)
{
	if (strlen(path) + 16 >= sizeof sf.path)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&sf.lock);
	snprintf(sf.path, sizeof sf.path, "%s", path);
	sf.open = true;
	sf.dirty = false;
	pthread_mutex_unlock(&sf.lock);
	pthread_mutex_lock(&sf.problem_lock);
	sf.problem[0] = '\0';
	pthread_mutex_unlock(&sf.problem_lock);
	return 0;
}

void
state_file_close(void)
{
	pthread_mutex_lock(&sf.lock);
	sf.open = false;
	pthread_mutex_unlock(&sf.lock);
}

/* persist_load's judge: valid JSON that the state accepts. */
static int
state_file_accept(const char *path, const char *text, size_t len, void *arg,
    char *why, size_t whylen)
{
	static const struct origin boot = { .flags = ORIGIN_INTERNAL,
		.user = "convergd", .from = "state file" };
	char reason[300];
	json_error_t jerr;
	json_t *root;
	int err;

	(void)arg;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return state_fail(why, whylen, -EINVAL,
		    "%s:%d:%d: not valid JSON: %s", path, jerr.line,
		    jerr.column, jerr.text);
	err = state_json_load(root, &boot, reason, sizeof reason);
	json_decref(root);
	if (err < 0)
		return state_fail(why, whylen, err, "%s: %s", path, reason);
	return 0;
}

int
state_file_load(char *why, size_t whylen)
{
	char path[PATH_MAX];

	pthread_mutex_lock(&sf.lock);
	snprintf(path, sizeof path, "%s", sf.path);
	pthread_mutex_unlock(&sf.lock);
	return persist_load(path, state_file_accept, NULL, why, whylen);
}

/* Record how the last save went; say so once per change. */
static void
state_file_problem(int rc)
{
	char was[sizeof sf.problem], now[sizeof sf.problem] = "";

	if (rc < 0)
		snprintf(now, sizeof now, "%s", strerror(-rc));
	pthread_mutex_lock(&sf.problem_lock);
	memcpy(was, sf.problem, sizeof was);
	memcpy(sf.problem, now, sizeof now);
	pthread_mutex_unlock(&sf.problem_lock);
	if (strcmp(was, now) == 0)
		return;
	if (now[0] != '\0') {
		log_warnx("state: settings cannot be saved to %s: %s", sf.path,
		    now);
		bus_event(EVENT_ERRORS, SEVERITY_ERROR,
		    "settings cannot be saved: %s", now);
	} else {
		log_info("state: settings can be saved again to %s", sf.path);
		bus_event(EVENT_ERRORS, SEVERITY_INFO,
		    "settings can be saved again");
	}
}

/* Serialise and write. Save lock held. */
static int
state_file_write(void)
{
	json_t *root = state_to_json();
	char *text;
	int rc;

	if (root == NULL)
		return -ENOMEM;
	text = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (text == NULL)
		return -ENOMEM;
	/* the snapshot includes pending audio changes too */
	sf.dirty = false;
	rc = persist_write(sf.path, text, strlen(text));
	free(text);
	if (rc < 0)
		sf.dirty = true;
	else
		sf.last_ms = clock_ms();
	state_file_problem(rc);
	return rc;
}

int
state_save_now(void)
{
	int rc = 0;

	pthread_mutex_lock(&sf.lock);
	if (sf.open)
		rc = state_file_write();
	pthread_mutex_unlock(&sf.lock);
	return rc;
}

void
state_save_mark(void)
{
	sf.dirty = true;
}

void
state_save_tick(void)
{
	if (!sf.dirty)
		return;
	/* a setting being saved now takes the audio with it */
	if (!state_txn_try())
		return;
	pthread_mutex_lock(&sf.lock);
	if (sf.open && sf.dirty &&
	    clock_ms() - sf.last_ms >= STATE_FILE_COALESCE_MS)
		(void)state_file_write();
	pthread_mutex_unlock(&sf.lock);
	state_txn_release();
}

int
state_save_flush(void)
{
	if (!sf.dirty)
		return 0;
	return state_save_now();
}

bool
state_save_problem(char *buf, size_t len)
{
	bool failing;

	pthread_mutex_lock(&sf.problem_lock);
	failing = sf.problem[0] != '\0';
	if (buf != NULL && len > 0)
		snprintf(buf, len, "%s", sf.problem);
	pthread_mutex_unlock(&sf.problem_lock);
	return failing;
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

/* The file just read by state_file_load: not saved again. */
int
state_json_load(const json_t *root, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_data *d, *old;
	uint64_t seq = 0;

	CHECK_READY(why, whylen);
	d = state_data_parse(root, &seq, why, whylen);
	if (d == NULL)
		return -EINVAL;
	WRLOCK();
	old = state_data_swap(d);
	if (seq > state_st.seq)
		state_st.seq = seq;
	state_change_add(&cs, STATE_F_RELOADED, origin);
	UNLOCK();
	state_data_free(old);
	return state_finish(&cs, SAVE_NONE, why, whylen);
}
