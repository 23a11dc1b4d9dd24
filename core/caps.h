/* SPDX-License-Identifier: MIT */
/*
 * Capabilities only for the services that are enabled: the packaged unit
 * grants the daemon (as ambient capabilities of the convergd user) what
 * every service together may need; at start it keeps only what the
 * enabled ones declare (struct service .caps) plus binding a port below
 * 1024 when an enabled service's port is one.
 */
#ifndef CONVERGD_CAPS_H
#define CONVERGD_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "service.h"

/* What the services enabled in `cfg` need, as SVC_CAP bits. */
uint64_t caps_needed(const struct service *const *svcs, size_t n,
    const struct cfg *cfg);
/*
 * Drop from this thread's effective, permitted and inheritable sets (and
 * so the ambient set) every capability not in `keep`; call it before any
 * thread exists, they inherit it. *had is the permitted set before.
 * 0 or -errno.
 */
int caps_limit(uint64_t keep, uint64_t *had);

#endif
