/* SPDX-License-Identifier: MIT */
/* The one list of services; main() walks it. */
#ifndef CONVERGD_REGISTRY_H
#define CONVERGD_REGISTRY_H

#include <stddef.h>

#include "service.h"

extern const struct service *const registry_services[];
extern const size_t registry_count;

#endif
