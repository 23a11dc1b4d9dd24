/* SPDX-License-Identifier: MIT */
/*
 * Plain file I/O for a document that must survive a crash: written
 * atomically (temp file, fsync, keep the previous file as PATH.bak,
 * rename, fsync of the folder) and read back with PATH.bak as the
 * fallback. It knows nothing of what the text means: the caller (the
 * state) decides what to write, when, and whether a file read is good.
 */
#ifndef CONVERGD_PERSIST_H
#define CONVERGD_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Write `len` bytes of `text` to `path` atomically; the file it replaces
 * is kept as PATH.bak. 0 or -errno (nothing logged: the caller decides).
 */
int persist_write(const char *path, const char *text, size_t len);
/* Read `path` (at most 16 MiB) into a NUL-terminated heap copy. */
int persist_read(const char *path, char **text, size_t *len);

/* Does the text read from `path` hold a good document? 0, or -errno. */
typedef int (*persist_accept_fn)(const char *path, const char *text,
    size_t len, void *arg, char *why, size_t whylen);
/*
 * Read `path` and hand it to `accept`; if it is missing or refused, try
 * PATH.bak. 0 = accepted (`why` says so if it was PATH.bak: the bad file
 * is then kept aside as PATH.corrupt), 1 = neither file exists (first
 * boot), -EINVAL = no good copy (both reasons in `why`; the files stay,
 * so every later start refuses too).
 */
int persist_load(const char *path, persist_accept_fn accept, void *arg,
    char *why, size_t whylen);
/* Can a file be created beside `path`? 0 or -errno (tried, then removed). */
int persist_probe(const char *path);
/*
 * Lock PATH.lock for this process (flock, released at exit) and write our
 * PID in it. The fd, or -EBUSY with "state file PATH is in use by PID N".
 */
int persist_lock(const char *path, char *why, size_t whylen);
/* Files written since start (for tests and benchmarks). */
unsigned long persist_writes(void);

#endif
