/* SPDX-License-Identifier: MIT */
/*
 * Persistence of the shared state in one JSON file, written atomically
 * (temp file, fsync, rename, fsync of the folder); the previous good file
 * is kept as FILE.bak. Settings are saved at once; audio changes are
 * coalesced into at most one write a second.
 */
#ifndef CONVERGD_PERSIST_H
#define CONVERGD_PERSIST_H

#include <stddef.h>

/* Set the file path; until called, saves are no-ops (unit tests). */
int persist_init(const char *path);
void persist_fini(void);
/*
 * Load the state file into the state. 0 = loaded, 1 = no file yet (first
 * boot: keep defaults). A corrupt file is reported with its path and the
 * .bak copy used (0 with `why` set); if no good copy exists, -EINVAL.
 */
int persist_load(char *why, size_t whylen);
/* Save now (settings); 0 or -errno. */
int persist_save_now(void);
/* Note an audio change; persist_tick writes it within a second. */
void persist_mark_dirty(void);
/* Write pending audio changes if at least 1 s passed since the last. */
void persist_tick(void);
/* Write anything pending (shutdown). */
int persist_flush(void);
/* Number of files written since start (for tests and benchmarks). */
unsigned long persist_writes(void);

#endif
