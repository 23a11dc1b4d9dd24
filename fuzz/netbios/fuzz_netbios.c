/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the NetBIOS name service codec (services/netbios/
 * netbios_msg.c): any datagram parses or is refused; what parses
 * re-encodes to a datagram that parses the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netbios/netbios_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netbios_msg m, m2;
	uint8_t out[NETBIOS_MSG_MAX];
	int n;

	if (netbios_msg_parse(data, size, &m) != 0)
		return 0;
	n = netbios_msg_encode(&m, out, sizeof out);
	if (n <= 0)
		abort();	/* whatever parses can be written */
	if (netbios_msg_parse(out, (size_t)n, &m2) != 0)
		abort();
	if (memcmp(&m, &m2, sizeof m) != 0)
		abort();
	return 0;
}
