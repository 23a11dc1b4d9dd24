/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the DHCPv4 codec (services/dhcp/dhcp_msg.c): any
 * IPv4 packet is checked as a frame, its payload (or the input itself)
 * parses or is refused; what parses re-encodes to a message that parses
 * the same. The ARP reader gets the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp/dhcp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_payload(const uint8_t *data, size_t size)
{
	struct dhcp_msg m, m2;
	uint8_t out[DHCP_MSG_MAX];
	int n;

	if (dhcp_msg_parse(data, size, &m) != 0)
		return;
	n = dhcp_msg_encode(&m, out, sizeof out);
	if (n < DHCP_MSG_BOOTP_MIN)
		abort();
	if (dhcp_msg_parse(out, (size_t)n, &m2) != 0)
		abort();
	if (memcmp(&m, &m2, sizeof m) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_msg_frame f;
	struct dhcp_msg_arp a;

	if (dhcp_msg_frame_parse(data, size, &f) == 0) {
		if (f.payload < data || f.payload + f.len > data + size)
			abort();
		fuzz_payload(f.payload, f.len);
	}
	fuzz_payload(data, size);
	(void)!dhcp_msg_arp_parse(data, size, &a);
	return 0;
}
