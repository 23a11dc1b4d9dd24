/* SPDX-License-Identifier: MIT */
/*
 * The console's Telnet codec (services/console_telnet.c): RFC 854 command
 * removal, refusal of every option (RFC 855/1143), subnegotiation bounds,
 * NVT line ends. Wire bytes are written out in each case.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/console_telnet.h"
#include "check_cases.h"

#define IAC 0xff
#define DONT 0xfe
#define DO 0xfd
#define WONT 0xfc
#define WILL 0xfb
#define SB 0xfa
#define SE 0xf0

struct decoded {
	uint8_t data[8192];
	size_t data_len;
	uint8_t reply[8192];
	size_t reply_len;
	unsigned malformed;
};

/* Decode `in` in pieces of `chunk` bytes (0 = all at once). */
static void
decode(struct console_telnet *t, const uint8_t *in, size_t len, size_t chunk,
    struct decoded *d)
{
	struct console_telnet_out out;
	size_t off, n;

	memset(d, 0, sizeof(*d));
	for (off = 0; off < len; off += n) {
		n = chunk == 0 || len - off < chunk ? len - off : chunk;
		console_telnet_decode(t, in + off, n, d->data + d->data_len,
		    d->reply + d->reply_len, sizeof(d->reply) - d->reply_len,
		    &out);
		d->data_len += out.data_len;
		d->reply_len += out.reply_len;
		d->malformed += out.malformed;
	}
}

/* One row: input bytes and exactly what must come out. */
struct codec_row {
	const char *what;
	const uint8_t *in;
	size_t in_len;
	const uint8_t *data;
	size_t data_len;
	const uint8_t *reply;
	size_t reply_len;
	unsigned malformed;
};

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ })
#define NONE NULL, 0

static const struct codec_row codec_rows[] = {
	/* negotiation: every option refused, none started by us */
	{ "WILL ECHO -> DONT ECHO", B(IAC, WILL, 1), NONE, B(IAC, DONT, 1), 0 },
	{ "DO SGA -> WONT SGA", B(IAC, DO, 3), NONE, B(IAC, WONT, 3), 0 },
	{ "DO TTYPE, WILL NAWS", B(IAC, DO, 24, IAC, WILL, 31), NONE,
	    B(IAC, WONT, 24, IAC, DONT, 31), 0 },
	{ "WONT needs no answer", B(IAC, WONT, 1), NONE, NONE, 0 },
	{ "DONT needs no answer", B(IAC, DONT, 1), NONE, NONE, 0 },
	{ "option 255 is an option like any", B(IAC, DO, 255), NONE,
	    B(IAC, WONT, 255), 0 },
	/* data */
	{ "plain text passes", B('#', '*', '*', ' ', 'V', 'E', 'R', '\r'),
	    B('#', '*', '*', ' ', 'V', 'E', 'R', '\r'), NONE, 0 },
	{ "IAC IAC is one 0xFF byte", B('a', IAC, IAC, 'b'),
	    B('a', 0xff, 'b'), NONE, 0 },
	{ "text around a refusal", B('a', IAC, DO, 1, 'b'), B('a', 'b'),
	    B(IAC, WONT, 1), 0 },
	{ "CR NUL is a bare CR", B('a', '\r', 0, 'b'), B('a', '\r', 'b'),
	    NONE, 0 },
	{ "NUL not after CR is data", B('a', 0, 'b'), B('a', 0, 'b'), NONE,
	    0 },
	/* two-byte commands are removed and need no answer */
	{ "NOP", B('a', IAC, 241, 'b'), B('a', 'b'), NONE, 0 },
	{ "IP (Ctrl-C in telnet)", B(IAC, 244, 'x'), B('x'), NONE, 0 },
	{ "AYT", B(IAC, 246), NONE, NONE, 0 },
	{ "GA", B(IAC, 249, '\r'), B('\r'), NONE, 0 },
	/* subnegotiation removed whole, with IAC IAC inside */
	{ "SB TTYPE IS xterm SE", B('x', IAC, SB, 24, 0, 'x', 't', IAC, SE,
	    'y'), B('x', 'y'), NONE, 0 },
	{ "SB with IAC IAC inside", B(IAC, SB, 31, 0, IAC, IAC, 0, 24, IAC,
	    SE, 'z'), B('z'), NONE, 0 },
	{ "empty SB", B(IAC, SB, 1, IAC, SE), NONE, NONE, 0 },
	/* malformed */
	{ "IAC NUL: not a command", B(IAC, 0, 'a'), B('a'), NONE, 1 },
	{ "IAC SE outside SB", B('a', IAC, SE, 'b'), B('a', 'b'), NONE, 1 },
	{ "SB cut short by IAC DO: SB ends, DO refused",
	    B(IAC, SB, 24, 'j', 'u', 'n', 'k', IAC, DO, 1, 'z'), B('z'),
	    B(IAC, WONT, 1), 1 },
	{ "SB cut short by IAC NUL", B(IAC, SB, 24, 'j', IAC, 0, 'z'),
	    B('z'), NONE, 2 },
	/* truncated at the end: nothing comes out yet */
	{ "lone IAC", B('a', IAC), B('a'), NONE, 0 },
	{ "IAC WILL without option", B(IAC, WILL), NONE, NONE, 0 },
	{ "SB never ended", B(IAC, SB, 24, 'a', 'b'), NONE, NONE, 0 },
};

static void
check_row(const struct codec_row *row, size_t chunk)
{
	struct console_telnet t;
	struct decoded d;

	console_telnet_init(&t);
	decode(&t, row->in, row->in_len, chunk, &d);
	ck_assert_msg(d.data_len == row->data_len && (row->data_len == 0 ||
	    memcmp(d.data, row->data, row->data_len) == 0),
	    "%s (chunk %zu): data %zu bytes, want %zu", row->what, chunk,
	    d.data_len, row->data_len);
	ck_assert_msg(d.reply_len == row->reply_len && (row->reply_len == 0 ||
	    memcmp(d.reply, row->reply, row->reply_len) == 0),
	    "%s (chunk %zu): reply %zu bytes, want %zu", row->what, chunk,
	    d.reply_len, row->reply_len);
	ck_assert_msg(d.malformed == row->malformed,
	    "%s: malformed %u, want %u", row->what, d.malformed,
	    row->malformed);
}

START_TEST(codec_table_whole_input)
{
	size_t i;

	for (i = 0; i < sizeof(codec_rows) / sizeof(codec_rows[0]); i++)
		check_row(&codec_rows[i], 0);
}
END_TEST

START_TEST(codec_table_byte_by_byte)
{
	size_t i;

	/* every sequence split at every position gives the same bytes */
	for (i = 0; i < sizeof(codec_rows) / sizeof(codec_rows[0]); i++) {
		check_row(&codec_rows[i], 1);
		check_row(&codec_rows[i], 2);
	}
}
END_TEST

START_TEST(truncated_sequence_completes_on_next_read)
{
	static const uint8_t part1[] = { 'a', IAC };
	static const uint8_t part2[] = { WILL };
	static const uint8_t part3[] = { 1, 'b' };
	static const uint8_t want_reply[] = { IAC, DONT, 1 };
	struct console_telnet t;
	struct decoded d;

	console_telnet_init(&t);
	decode(&t, part1, sizeof(part1), 0, &d);
	ck_assert_uint_eq(d.data_len, 1);
	decode(&t, part2, sizeof(part2), 0, &d);
	ck_assert_uint_eq(d.data_len + d.reply_len, 0);
	decode(&t, part3, sizeof(part3), 0, &d);
	ck_assert_uint_eq(d.data_len, 1);
	ck_assert_int_eq(d.data[0], 'b');
	ck_assert_mem_eq(d.reply, want_reply, sizeof(want_reply));
}
END_TEST

START_TEST(refusal_storm_is_bounded)
{
	static uint8_t storm[300000];
	static const uint8_t want[] = {
		IAC, WONT, 1, IAC, WONT, 1, IAC, WONT, 1,
	};
	struct console_telnet t;
	struct decoded d;
	size_t i;

	/* 100000 x IAC DO ECHO: three refusals, then silence */
	for (i = 0; i < sizeof(storm); i += 3) {
		storm[i] = IAC;
		storm[i + 1] = DO;
		storm[i + 2] = 1;
	}
	console_telnet_init(&t);
	decode(&t, storm, sizeof(storm), 4096, &d);
	ck_assert_uint_eq(d.data_len, 0);
	ck_assert_uint_eq(d.reply_len, sizeof(want));
	ck_assert_mem_eq(d.reply, want, sizeof(want));
	ck_assert_uint_eq(t.ignored, 100000 - 3);
}
END_TEST

START_TEST(refusals_stop_when_reply_room_ends)
{
	static const uint8_t in[] = { IAC, DO, 1, IAC, DO, 3 };
	struct console_telnet t;
	struct console_telnet_out out;
	uint8_t data[8], reply[4];

	/* room for one refusal only: the second is dropped, not overrun */
	console_telnet_init(&t);
	console_telnet_decode(&t, in, sizeof(in), data, reply, sizeof(reply),
	    &out);
	ck_assert_uint_eq(out.reply_len, 3);
	ck_assert_uint_eq(t.ignored, 1);
}
END_TEST

START_TEST(endless_subnegotiation_is_abandoned)
{
	static uint8_t in[3 + 2000];
	struct console_telnet t;
	struct decoded d;

	in[0] = IAC;
	in[1] = SB;
	in[2] = 24;
	memset(in + 3, 'a', 2000);
	console_telnet_init(&t);
	decode(&t, in, sizeof(in), 100, &d);
	/* byte 1025 of the payload ends the SB; the rest is data again */
	ck_assert_uint_eq(d.malformed, 1);
	ck_assert_uint_eq(d.data_len, 2000 - (CONSOLE_TELNET_SB_LIMIT + 1));
	ck_assert_uint_eq(t.sb_option, 24);
	ck_assert_int_eq(t.sb_keep[0], 'a');
}
END_TEST

/* A random stream of well-formed pieces, and what it must decode to. */
static size_t
random_stream(unsigned *seed, uint8_t *in, size_t cap, uint8_t *want,
    size_t *want_len)
{
	size_t len = 0, w = 0;
	int kind;

	while (len + 8 <= cap) {
		kind = rand_r(seed) % 4;
		if (kind == 0) {		/* text byte, never IAC */
			in[len] = (uint8_t)(rand_r(seed) % 255);
			if (in[len] == 0 || in[len] == '\r')
				in[len] = 'x';
			want[w++] = in[len++];
		} else if (kind == 1) {		/* IAC IAC */
			in[len++] = IAC;
			in[len++] = IAC;
			want[w++] = IAC;
		} else if (kind == 2) {		/* WONT/DONT: removed */
			in[len++] = IAC;
			in[len++] = rand_r(seed) % 2 ? WONT : DONT;
			in[len++] = (uint8_t)rand_r(seed);
		} else {			/* SB x y SE: removed */
			in[len++] = IAC;
			in[len++] = SB;
			in[len++] = (uint8_t)rand_r(seed);
			in[len++] = 'q';
			in[len++] = IAC;
			in[len++] = SE;
		}
	}
	*want_len = w;
	return len;
}

START_TEST(random_chunks_decode_like_whole_input)
{
	static uint8_t in[4096], want[4096];
	struct console_telnet t;
	struct decoded d;
	unsigned seed = (unsigned)time(NULL), round;
	size_t len, want_len, chunk;

	printf("random_chunks_decode_like_whole_input: seed %u\n", seed);
	for (round = 0; round < 200; round++) {
		len = random_stream(&seed, in, sizeof(in), want, &want_len);
		chunk = 1 + (size_t)rand_r(&seed) % 17;
		console_telnet_init(&t);
		decode(&t, in, len, chunk, &d);
		ck_assert_msg(d.data_len == want_len &&
		    memcmp(d.data, want, want_len) == 0,
		    "round %u chunk %zu: data differs", round, chunk);
		ck_assert_uint_eq(d.reply_len, 0);
		ck_assert_uint_eq(d.malformed, 0);
	}
}
END_TEST

/* Feed text to a line assembler; collect lines as "a|b|" and "!head!"
 * for every over-long line (head: the `max` bytes it kept). */
static void
lines_of(size_t max, const char *in, char *got, size_t gotlen)
{
	struct console_telnet_line l;
	enum console_telnet_line_result r;
	char buf[64];

	got[0] = '\0';
	console_telnet_line_init(&l, buf, max);
	for (; *in != '\0'; in++) {
		r = console_telnet_line_push(&l, (uint8_t)*in);
		if (r == CONSOLE_TELNET_LINE_READY) {
			ck_assert_uint_eq(strlen(l.buf), l.len);
			strncat(got, l.buf, gotlen - strlen(got) - 2);
			strcat(got, "|");
		} else if (r == CONSOLE_TELNET_LINE_TOO_LONG) {
			/* the kept head: "!head!" */
			ck_assert_uint_eq(l.len, max);
			ck_assert_uint_eq(strlen(l.buf), l.len);
			strcat(got, "!");
			strncat(got, l.buf, gotlen - strlen(got) - 3);
			strcat(got, "!");
		}
	}
}

START_TEST(lines_end_on_cr_lf_crlf_and_double_cr)
{
	char got[256];

	lines_of(32, "a\rb\nc\r\nd\r\re\r\r\n", got, sizeof(got));
	ck_assert_str_eq(got, "a|b|c|d|e|");
}
END_TEST

START_TEST(empty_lines_are_ignored)
{
	char got[256];

	lines_of(32, "\r\n\r\n\n\n\r#** VER\r\n", got, sizeof(got));
	ck_assert_str_eq(got, "#** VER|");
}
END_TEST

START_TEST(nul_inside_a_line_is_kept)
{
	struct console_telnet_line l;
	static const uint8_t in[] = { 'V', 0, 'E', 'R', '\r' };
	char buf[16];
	size_t i;
	int r = 0;

	console_telnet_line_init(&l, buf, 8);
	for (i = 0; i < sizeof(in); i++)
		r = console_telnet_line_push(&l, in[i]);
	/* kept, so the interpreter sees a control character: SYNTAX ERROR */
	ck_assert_int_eq(r, CONSOLE_TELNET_LINE_READY);
	ck_assert_uint_eq(l.len, 4);
	ck_assert_mem_eq(l.buf, "V\0ER", 5);
}
END_TEST

START_TEST(line_of_exactly_max_is_kept)
{
	char got[256];

	lines_of(8, "12345678\r", got, sizeof(got));
	ck_assert_str_eq(got, "12345678|");
}
END_TEST

START_TEST(overlong_line_is_dropped_and_next_line_works)
{
	char got[256];

	lines_of(8, "123456789\rok\r", got, sizeof(got));
	ck_assert_str_eq(got, "!12345678!ok|");
	/* one report per over-long line, even when it is very long */
	lines_of(8, "123456789012345678901234567890\r\nx\r", got,
	    sizeof(got));
	ck_assert_str_eq(got, "!12345678!x|");
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(codec_table_whole_input),
		CHECK_CASE(codec_table_byte_by_byte),
		CHECK_CASE(truncated_sequence_completes_on_next_read),
		CHECK_CASE(refusal_storm_is_bounded),
		CHECK_CASE(refusals_stop_when_reply_room_ends),
		CHECK_CASE(endless_subnegotiation_is_abandoned),
		CHECK_CASE(random_chunks_decode_like_whole_input),
		CHECK_CASE(lines_end_on_cr_lf_crlf_and_double_cr),
		CHECK_CASE(empty_lines_are_ignored),
		CHECK_CASE(nul_inside_a_line_is_kept),
		CHECK_CASE(line_of_exactly_max_is_kept),
		CHECK_CASE(overlong_line_is_dropped_and_next_line_works),
	};

	return check_cases_run("console_telnet", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
