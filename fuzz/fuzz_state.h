/* SPDX-License-Identifier: MIT */
/*
 * The state of an 880TA for the targets that drive it (fuzz/cmd,
 * fuzz/state, fuzz/web_json): the bus and factory defaults, made once
 * per process; a crash here is a broken harness, not a finding.
 */
#ifndef CONVERGD_FUZZ_STATE_H
#define CONVERGD_FUZZ_STATE_H

#include <string.h>

#include "bus.h"
#include "model.h"
#include "state.h"

static inline void
fuzz_state_init(void)
{
	struct state_identity id;

	memset(&id, 0, sizeof(id));
	id.model = model_get(MODEL_880TA);
	memcpy(id.uid, "B465F991", 9);
	memcpy(id.firmware, "4.4.0.2", 8);
	memcpy(id.mac, "02:00:B4:65:F9:91", 18);
	id.dver = 1;
	if (bus_init() != 0 || state_init(&id) != 0)
		__builtin_trap();
}

#endif
