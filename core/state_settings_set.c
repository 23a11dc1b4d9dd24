/* SPDX-License-Identifier: MIT */
/*
 * Reading and changing one setting (state.h). A change is a saving
 * transaction (state_txn.c); the table and the rules a value must pass
 * are in state_settings.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "state.h"
#include "state_priv.h"

int
state_setting_get(enum state_setting s, char *buf, size_t len)
{
	if ((unsigned)s >= SET_COUNT || buf == NULL || len == 0)
		return -EINVAL;
	CHECK_READY(NULL, 0);
	RDLOCK();
	snprintf(buf, len, "%s", state_st.d->settings[s]);
	UNLOCK();
	return 0;
}

int
state_setting_set(enum state_setting s, const char *value,
    const struct origin *origin, char *why, size_t whylen)
{
	char canon[STATE_SETTING_LEN];
	struct change_set cs = { .n = 0 };
	struct state_undo u = { .kind = UNDO_SETTING, .index = (int)s };
	struct bus_change *c;
	int err;

	CHECK_READY(why, whylen);
	err = state_setting_check(s, value, canon, sizeof canon, why, whylen);
	if (err < 0)
		return err;
	state_txn_begin();
	WRLOCK();
	memcpy(u.u.text, state_st.d->settings[s], sizeof u.u.text);
	err = state_txn_undo(&u);
	if (err < 0) {
		UNLOCK();
		return state_txn_end(NULL, err, why, whylen);
	}
	memcpy(state_st.d->settings[s], canon, sizeof canon);
	c = state_change_add(&cs, STATE_F_SETTING, origin);
	c->integer = (int)s;
	c->number = strcmp(u.u.text, canon) != 0;	/* 1 = a new value */
	/* Secrets stay out of bus messages; readers ask the state. */
	if (!state_setting_info(s)->secret)
		snprintf(c->text, sizeof c->text, "%s", canon);
	if (s == SET_UNIT_LABEL) {
		c->group = 'U';
		c->channel = 0;
	}
	UNLOCK();
	return state_txn_end(&cs, 0, why, whylen);
}
