/* SPDX-License-Identifier: MIT */
/*
 * The bus and shared state of an 880TA unit, for unit tests that need
 * them up (a fixture's setup and teardown call these).
 */
#ifndef CONVERGD_UNIT_STATE_H
#define CONVERGD_UNIT_STATE_H

#include <check.h>
#include <stdio.h>

#include "bus.h"
#include "model.h"
#include "state.h"

static inline void
unit_state_up(const char *uid)
{
	struct state_identity ident = { 0 };

	ident.model = model_get(MODEL_880TA);
	snprintf(ident.uid, sizeof ident.uid, "%s", uid);
	snprintf(ident.firmware, sizeof ident.firmware, "4.4.0.2");
	ck_assert_int_eq(bus_init(), 0);
	ck_assert_int_eq(state_init(&ident), 0);
}

static inline void
unit_state_down(void)
{
	state_fini();
	bus_shutdown();
}

#endif
