/* SPDX-License-Identifier: MIT */
/*
 * Dropping unneeded capabilities (caps.h) with the raw capget/capset
 * calls (no libcap: two calls are all it takes). The bounding set is the
 * unit's (CapabilityBoundingSet=); with NoNewPrivileges nothing dropped
 * here can come back.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

uint64_t
caps_needed(const struct service *const *svcs, size_t n,
    const struct cfg *cfg)
{
	uint64_t need = 0;

	for (size_t i = 0; i < n; i++) {
		long port;

		if (!cfg_bool(cfg, svcs[i]->name, "enabled"))
			continue;
		need |= svcs[i]->caps;
		port = cfg_int(cfg, svcs[i]->name, "port");
		if (port == 0)	/* "port = 0": the service's own default */
			port = svcs[i]->default_port;
		if (port > 0 && port < 1024)
			need |= SVC_CAP(CAP_NET_BIND_SERVICE);
	}
	return need;
}

int
caps_limit(uint64_t keep, uint64_t *had)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*had = d[0].permitted | (uint64_t)d[1].permitted << 32;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));

		d[i].effective &= k;
		d[i].permitted &= k;
		d[i].inheritable &= k;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}
