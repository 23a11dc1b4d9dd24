/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the CVDS v1 codec (services/discovery/
 * discovery_msg.c): any datagram parses or is refused; what parses
 * re-encodes within 1024 bytes to a datagram that parses the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/discovery_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct discovery_msg m, m2;
	uint8_t out[DISCOVERY_MSG_MAX];
	int n;

	if (discovery_msg_parse(data, size, &m) != 0)
		return 0;
	if (m.present & DISCOVERY_BIT(DISCOVERY_T_AUTH) &&
	    m.auth_off + 2 + DISCOVERY_MSG_AUTH != size)
		abort();	/* AUTH is last and covers what precedes it */
	n = discovery_msg_encode(&m, out, sizeof out);
	if (n <= 0 || (size_t)n > size)
		abort();	/* unknown TLVs dropped: never longer */
	if (discovery_msg_parse(out, (size_t)n, &m2) != 0)
		abort();
	m.auth_off = m2.auth_off = 0;
	if (memcmp(&m, &m2, sizeof m) != 0)
		abort();
	return 0;
}
