/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the NTPv4 codec and reply tests (services/ntp/
 * ntp_msg.c, ntp_calc.c): any datagram parses or is refused; what parses
 * re-encodes to its own first 48 bytes, and the reply tests and sample
 * arithmetic run on it without fault.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntp/ntp_calc.h"
#include "ntp/ntp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntp_msg m;
	struct ntp_calc_sample s;
	uint8_t out[NTP_MSG_LEN];
	char refid[16];

	if (ntp_msg_parse(data, size, &m) != 0)
		return 0;
	if (size < NTP_MSG_LEN || m.n_ext > NTP_MSG_EXT_MAX)
		abort();
	ntp_msg_encode(&m, out);
	if (memcmp(out, data, NTP_MSG_LEN) != 0)
		abort();
	ntp_msg_refid_text(&m, refid, sizeof refid);
	(void)ntp_calc_check(&m, m.org);
	if (ntp_calc_sample(&m, m.ref, m.ref + (1ULL << 32), &s) == 0 &&
	    s.delay < 0)
		abort();
	(void)ntp_msg_ts_to_unix_ns(m.xmt, (int64_t)m.ref >> 32);
	return 0;
}
