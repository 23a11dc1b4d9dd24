/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the outbox file parser (services/mail/mail_msg.c):
 * an outbox file is read back after crashes and disk trouble, so any
 * bytes must parse or be refused, within bounds; what parses must encode
 * to a file that parses to the same envelope and message, and format a
 * message without overflow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char again[MAIL_FILE_MAX], msg[MAIL_MSG_MAX];
	static const struct mail_unit u = { .model = "880TA" };
	struct mail_alert a = { .count = 1 };
	struct mail_spool sp, back;
	char why[80], *buf;
	int n;

	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (mail_msg_spool_parse(buf, size, &sp, why, sizeof why) == 0) {
		n = mail_msg_spool_encode(&sp, again, sizeof again);
		if (n < 0 || mail_msg_spool_parse(again, (size_t)n, &back, why,
		    sizeof why) != 0 || strcmp(back.id, sp.id) != 0 ||
		    back.created != sp.created || back.nrcpt != sp.nrcpt ||
		    back.message_len != sp.message_len ||
		    memcmp(back.message, sp.message, sp.message_len) != 0)
			abort();
		memcpy(a.text, sp.message, sp.message_len < sizeof a.text ?
		    sp.message_len : sizeof a.text - 1);
		mail_msg_format(&a, &u, sp.rcpt[0], &sp, sp.created, msg,
		    sizeof msg);
	}
	free(buf);
	return 0;
}
