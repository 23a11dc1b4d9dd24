/* SPDX-License-Identifier: MIT */
/*
 * Telnet codec for the console (RFC 854 NVT, RFC 855 option negotiation,
 * RFC 1143 loop avoidance): bytes from the socket in, clean data and the
 * negotiation replies out, then data cut into lines. Pure functions: no
 * sockets, no clock, no logging. We support no option, so every WILL is
 * answered DONT and every DO is answered WONT; we never start a
 * negotiation ourselves, so raw-socket clients see plain text only.
 */
#ifndef CONVERGD_CONSOLE_TELNET_H
#define CONVERGD_CONSOLE_TELNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The console's TCP port (protocol.md §1.1), for the daemon and the tool. */
#define CONSOLE_DEFAULT_PORT	23

#define CONSOLE_TELNET_IAC	255
#define CONSOLE_TELNET_DONT	254
#define CONSOLE_TELNET_DO	253
#define CONSOLE_TELNET_WONT	252
#define CONSOLE_TELNET_WILL	251
#define CONSOLE_TELNET_SB	250
#define CONSOLE_TELNET_SE	240

/* Subnegotiation bytes kept (we support no option, so only for tests). */
#define CONSOLE_TELNET_SB_KEEP	32
/* A subnegotiation longer than this is abandoned as malformed. */
#define CONSOLE_TELNET_SB_LIMIT	1024
/* Refusals sent per option per session; more requests are ignored. */
#define CONSOLE_TELNET_REFUSALS	3

enum console_telnet_state {
	CONSOLE_TELNET_DATA,
	CONSOLE_TELNET_GOT_IAC,
	CONSOLE_TELNET_GOT_VERB,	/* IAC WILL/WONT/DO/DONT, option next */
	CONSOLE_TELNET_GOT_SB,		/* IAC SB, option next */
	CONSOLE_TELNET_IN_SB,
	CONSOLE_TELNET_IN_SB_IAC,
};

struct console_telnet {
	enum console_telnet_state state;
	uint8_t verb;
	uint8_t sb_option;
	size_t sb_len;			/* payload bytes of this SB */
	uint8_t sb_keep[CONSOLE_TELNET_SB_KEEP];
	uint8_t refusals[256];		/* per option, capped */
	bool after_cr;			/* NVT: CR NUL is a bare CR */
	/* counters */
	uint64_t commands;		/* IAC sequences seen */
	uint64_t malformed;		/* bad or abandoned sequences */
	uint64_t ignored;		/* requests past the refusal cap */
};

/* Outcome of one console_telnet_decode call. */
struct console_telnet_out {
	size_t data_len;		/* clean bytes written to `data` */
	size_t reply_len;		/* bytes written to `reply` */
	unsigned malformed;		/* bad sequences in this chunk */
};

void console_telnet_init(struct console_telnet *t);
/*
 * Decode `len` bytes. `data` needs room for `len` bytes (data never
 * grows); `reply` receives refusals (3 bytes each) while `replycap`
 * lasts; refusals that do not fit are dropped and counted as ignored.
 * Sequences split across calls are carried in `t`.
 */
void console_telnet_decode(struct console_telnet *t, const uint8_t *in,
    size_t len, uint8_t *data, uint8_t *reply, size_t replycap,
    struct console_telnet_out *out);

/*
 * Line assembly: CR, LF, CRLF and CR CR all end a line. A NUL is kept
 * like any control character (the decoder has already turned the NVT's
 * CR NUL into CR), so whoever reads the line must use `len`.
 */
enum console_telnet_line_result {
	CONSOLE_TELNET_LINE_NONE,	/* byte kept, no line yet */
	CONSOLE_TELNET_LINE_READY,	/* a non-empty line is in buf/len */
	CONSOLE_TELNET_LINE_TOO_LONG,	/* an over-long line was dropped;
					   buf/len hold its first `max`
					   bytes, for the error reply */
};

struct console_telnet_line {
	char *buf;			/* caller-owned, `max` + 1 bytes */
	size_t max;			/* longest line accepted */
	size_t len;
	bool overflow;			/* current line passed `max` */
	bool done;			/* buf holds a returned line */
};

void console_telnet_line_init(struct console_telnet_line *l, char *buf,
    size_t max);
/*
 * Feed one byte. On LINE_READY the line is buf[0..len) (NUL-terminated,
 * without its end-of-line; it may hold NULs) and stays valid until the
 * next call.
 */
enum console_telnet_line_result console_telnet_line_push(
    struct console_telnet_line *l, uint8_t c);

#endif
