/* SPDX-License-Identifier: MIT */
/* Adding a service = one file + one line here + its keys + its tests. */
#include "registry.h"

const struct service *const registry_services[] = {
	&engine_service,
	&console_service,
	&web_service,
};

const size_t registry_count =
    sizeof registry_services / sizeof registry_services[0];
