/* SPDX-License-Identifier: MIT */
/*
 * The engine's scheduler: gain ramps and the macro run queue, moved by
 * the engine's clock. The state keeps only what is saved (gains, macro
 * definitions); this keeps what is running. Registered with the command
 * interpreter (cmd_sched_register) while it exists.
 */
#ifndef CONVERGD_ENGINE_SCHED_H
#define CONVERGD_ENGINE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "state.h"

#define ENGINE_SCHED_QUEUE 8		/* macro runs, the running one first */
#define ENGINE_SCHED_LINES 64		/* macro lines run per tick at most */

struct engine_sched;

/* A scheduler, registered for RAMP/MACRO/WAITSTATE; NULL if no memory. */
struct engine_sched *engine_sched_new(void);
/* Unregister and free. */
void engine_sched_free(struct engine_sched *s);
/*
 * Move every ramp to `now_ms` and run the macro lines due; `by` names
 * the ticking service on the changes it makes.
 */
void engine_sched_tick(struct engine_sched *s, uint64_t now_ms,
    const char *by);
void engine_sched_ramps(struct engine_sched *s, uint64_t now_ms,
    const char *by);
/*
 * The next macro line due at `now_ms`: 1 with the line, the macro
 * number, the level it runs at (its definer's) and its starter; 0 if
 * nothing is due. `macro`, `level` and `starter` may be NULL.
 */
int engine_sched_macro_next(struct engine_sched *s, uint64_t now_ms,
    char *line, size_t len, int *macro, enum user_level *level,
    struct origin *starter);

#endif
