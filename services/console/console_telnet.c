/* SPDX-License-Identifier: MIT */
/*
 * Telnet codec for the console: RFC 854 command parsing, RFC 855/1143
 * refusal of every option, NVT end-of-line handling and line assembly.
 * Pure byte functions; the service owns sockets, logging and limits.
 */
#include <string.h>

#include "console_telnet.h"

void
console_telnet_init(struct console_telnet *t)
{
	memset(t, 0, sizeof(*t));
	t->state = CONSOLE_TELNET_DATA;
}

/*
 * RFC 1143: every option is in state NO on both sides and we never want
 * it, so WILL gets DONT and DO gets WONT; WONT and DONT need no answer.
 * A peer that keeps asking gets a few refusals, then silence: answering
 * every request of a storm would let it fill our output buffer.
 */
static size_t
telnet_refuse(struct console_telnet *t, uint8_t verb, uint8_t option,
    uint8_t *reply, size_t room)
{
	uint8_t answer;

	if (verb == CONSOLE_TELNET_WILL)
		answer = CONSOLE_TELNET_DONT;
	else if (verb == CONSOLE_TELNET_DO)
		answer = CONSOLE_TELNET_WONT;
	else
		return 0;
	if (t->refusals[option] >= CONSOLE_TELNET_REFUSALS || room < 3) {
		t->ignored++;
		return 0;
	}
	t->refusals[option]++;
	reply[0] = CONSOLE_TELNET_IAC;
	reply[1] = answer;
	reply[2] = option;
	return 3;
}

/* One byte of subnegotiation payload; abandon an endless one. */
static void
telnet_sb_byte(struct console_telnet *t, uint8_t c, unsigned *bad)
{
	if (t->sb_len < CONSOLE_TELNET_SB_KEEP)
		t->sb_keep[t->sb_len] = c;
	t->sb_len++;
	if (t->sb_len > CONSOLE_TELNET_SB_LIMIT) {
		t->malformed++;
		(*bad)++;
		t->state = CONSOLE_TELNET_DATA;
	}
}

/* The byte after IAC. Returns 1 if `c` is a data byte (IAC IAC). */
static int
telnet_after_iac(struct console_telnet *t, uint8_t c, unsigned *bad)
{
	t->commands++;
	t->state = CONSOLE_TELNET_DATA;
	if (c == CONSOLE_TELNET_IAC)
		return 1;
	if (c >= CONSOLE_TELNET_WILL && c <= CONSOLE_TELNET_DONT) {
		t->verb = c;
		t->state = CONSOLE_TELNET_GOT_VERB;
	} else if (c == CONSOLE_TELNET_SB) {
		t->state = CONSOLE_TELNET_GOT_SB;
	} else if (c <= CONSOLE_TELNET_SE) {
		/* SE outside a subnegotiation, or not a command at all */
		t->malformed++;
		(*bad)++;
	}
	/* NOP, DM, BRK, IP, AO, AYT, EC, EL, GA: nothing to do for us */
	return 0;
}

void
console_telnet_decode(struct console_telnet *t, const uint8_t *in,
    size_t len, uint8_t *data, uint8_t *reply, size_t replycap,
    struct console_telnet_out *out)
{
	size_t i;
	uint8_t c;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < len; i++) {
		c = in[i];
		switch (t->state) {
		case CONSOLE_TELNET_DATA:
			if (c == CONSOLE_TELNET_IAC) {
				t->state = CONSOLE_TELNET_GOT_IAC;
				break;
			}
			/* NVT: CR NUL stands for a bare CR */
			if (!(c == 0 && t->after_cr))
				data[out->data_len++] = c;
			t->after_cr = c == '\r';
			break;
		case CONSOLE_TELNET_GOT_IAC:
			if (telnet_after_iac(t, c, &out->malformed)) {
				data[out->data_len++] = c;
				t->after_cr = false;
			}
			break;
		case CONSOLE_TELNET_GOT_VERB:
			out->reply_len += telnet_refuse(t, t->verb, c,
			    reply + out->reply_len, replycap - out->reply_len);
			t->state = CONSOLE_TELNET_DATA;
			break;
		case CONSOLE_TELNET_GOT_SB:
			t->sb_option = c;
			t->sb_len = 0;
			t->state = CONSOLE_TELNET_IN_SB;
			break;
		case CONSOLE_TELNET_IN_SB:
			if (c == CONSOLE_TELNET_IAC)
				t->state = CONSOLE_TELNET_IN_SB_IAC;
			else
				telnet_sb_byte(t, c, &out->malformed);
			break;
		case CONSOLE_TELNET_IN_SB_IAC:
			if (c == CONSOLE_TELNET_SE) {
				t->state = CONSOLE_TELNET_DATA;
			} else if (c == CONSOLE_TELNET_IAC) {
				t->state = CONSOLE_TELNET_IN_SB;
				telnet_sb_byte(t, c, &out->malformed);
			} else {
				/*
				 * RFC 855 allows only IAC IAC and IAC SE here:
				 * end the subnegotiation and take this as the
				 * command after an IAC.
				 */
				t->malformed++;
				out->malformed++;
				if (telnet_after_iac(t, c, &out->malformed))
					data[out->data_len++] = c;
			}
			break;
		}
	}
}

void
console_telnet_line_init(struct console_telnet_line *l, char *buf,
    size_t max)
{
	memset(l, 0, sizeof(*l));
	l->buf = buf;
	l->max = max;
	buf[0] = '\0';
}

enum console_telnet_line_result
console_telnet_line_push(struct console_telnet_line *l, uint8_t c)
{
	if (l->done) {
		l->done = false;
		l->len = 0;
	}
	if (c == '\r' || c == '\n') {
		if (l->overflow) {
			/* keep the head: its address decides the reply */
			l->overflow = false;
			l->buf[l->len] = '\0';
			l->done = true;
			return CONSOLE_TELNET_LINE_TOO_LONG;
		}
		/* the LF of CRLF and doubled CRs make empty lines: ignored */
		if (l->len == 0)
			return CONSOLE_TELNET_LINE_NONE;
		l->buf[l->len] = '\0';
		l->done = true;
		return CONSOLE_TELNET_LINE_READY;
	}
	/* a NUL stays: the line is then a SYNTAX ERROR (commands.md §2) */
	if (l->overflow)
		return CONSOLE_TELNET_LINE_NONE;
	if (l->len >= l->max) {
		l->overflow = true;
		return CONSOLE_TELNET_LINE_NONE;
	}
	l->buf[l->len++] = (char)c;
	return CONSOLE_TELNET_LINE_NONE;
}
