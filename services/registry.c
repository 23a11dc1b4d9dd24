/* SPDX-License-Identifier: MIT */
/* Adding a service = one file + one line here + its keys + its tests. */
#include "registry.h"

/* Each service's one exported symbol: its descriptor. */
extern const struct service engine_service;
extern const struct service console_service;
extern const struct service web_service;
extern const struct service discovery_service;
extern const struct service mail_service;
extern const struct service snmp_service;
extern const struct service netbios_service;
extern const struct service ntp_service;
extern const struct service dhcp_service;

const struct service *const registry_services[] = {
	&engine_service,
	&console_service,
	&web_service,
	&discovery_service,
	&mail_service,
	&snmp_service,
	&netbios_service,
	&ntp_service,
	&dhcp_service,
};

const size_t registry_count =
    sizeof registry_services / sizeof registry_services[0];
