/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the console's Telnet codec and line assembler
 * (services/console/console_telnet.c): any bytes, cut into reads at places the
 * input chooses, must decode within the stated bounds and never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/console_telnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console_telnet t;
	struct console_telnet_out out;
	struct console_telnet_line l;
	uint8_t clean[4096], reply[64];
	char line[33];
	size_t off = 1, n, i, chunk;

	if (size < 1)
		return 0;
	/* the first byte picks the read size: 1..256 */
	chunk = (size_t)data[0] + 1;
	console_telnet_init(&t);
	console_telnet_line_init(&l, line, sizeof(line) - 1);
	while (off < size) {
		n = size - off < chunk ? size - off : chunk;
		console_telnet_decode(&t, data + off, n, clean, reply,
		    sizeof(reply), &out);
		if (out.data_len > n || out.reply_len > sizeof(reply) ||
		    out.reply_len % 3 != 0)
			abort();
		for (i = 0; i < out.data_len; i++)
			if (console_telnet_line_push(&l, clean[i]) ==
			    CONSOLE_TELNET_LINE_READY &&
			    (l.len == 0 || l.len > l.max ||
			    l.buf[l.len] != '\0'))	/* NULs may be inside */
				abort();
		off += n;
	}
	return 0;
}
