/* SPDX-License-Identifier: MIT */
/*
 * NTPv4 codec (services/ntp/ntp_msg.c): the header against bytes written
 * out by hand, era handling around 2036, extension fields and MACs
 * skipped, a table of malformed datagrams, and a seeded random test.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_cases.h"
#include "ntp/ntp_msg.h"

/* A server reply, field by field (RFC 5905 figure 8). */
static const uint8_t reply_bytes[48] = {
	0x24, 0x02, 0x06, 0xec,		/* LI 0 VN 4 mode 4, stratum 2 */
	0x00, 0x00, 0x01, 0x00,		/* root delay 1/256 s */
	0x00, 0x00, 0x02, 0x00,		/* root dispersion 2/256 s */
	0xc0, 0x00, 0x02, 0x01,		/* refid 192.0.2.1 */
	0xe9, 0x0a, 0x2b, 0x3c, 0x00, 0x00, 0x00, 0x00,	/* reference */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* origin */
	0xe9, 0x0a, 0x2b, 0x40, 0x80, 0x00, 0x00, 0x00,	/* receive */
	0xe9, 0x0a, 0x2b, 0x40, 0x80, 0x01, 0x00, 0x00,	/* transmit */
};

START_TEST(reply_bytes_parse_to_every_field)
{
	struct ntp_msg m;
	char refid[16];

	ck_assert_int_eq(ntp_msg_parse(reply_bytes, 48, &m), 0);
	ck_assert_uint_eq(m.leap, 0);
	ck_assert_uint_eq(m.version, 4);
	ck_assert_uint_eq(m.mode, NTP_MODE_SERVER);
	ck_assert_uint_eq(m.stratum, 2);
	ck_assert_int_eq(m.poll, 6);
	ck_assert_int_eq(m.precision, -20);
	ck_assert_uint_eq(m.root_delay, 0x100);
	ck_assert_uint_eq(m.root_disp, 0x200);
	ck_assert_uint_eq(m.ref, 0xe90a2b3c00000000ULL);
	ck_assert_uint_eq(m.org, 0x0102030405060708ULL);
	ck_assert_uint_eq(m.rec, 0xe90a2b4080000000ULL);
	ck_assert_uint_eq(m.xmt, 0xe90a2b4080010000ULL);
	ck_assert_uint_eq(m.n_ext, 0);
	ck_assert(!m.mac);
	ntp_msg_refid_text(&m, refid, sizeof refid);
	ck_assert_str_eq(refid, "192.0.2.1");
}
END_TEST

START_TEST(reply_round_trips_to_the_same_bytes)
{
	struct ntp_msg m;
	uint8_t out[NTP_MSG_LEN];

	ck_assert_int_eq(ntp_msg_parse(reply_bytes, 48, &m), 0);
	ck_assert_uint_eq(ntp_msg_encode(&m, out), NTP_MSG_LEN);
	ck_assert_mem_eq(out, reply_bytes, NTP_MSG_LEN);
}
END_TEST

START_TEST(client_request_encodes_to_documented_bytes)
{
	struct ntp_msg m = { .version = 4, .mode = NTP_MODE_CLIENT,
	    .xmt = 0x0123456789abcdefULL };
	uint8_t want[48] = { 0x23 }, out[48];

	memcpy(want + 40, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	ntp_msg_encode(&m, out);
	ck_assert_mem_eq(out, want, 48);
}
END_TEST

START_TEST(kod_refid_reads_as_letters)
{
	uint8_t b[48];
	struct ntp_msg m;
	char refid[16];

	memcpy(b, reply_bytes, 48);
	b[1] = 0;			/* stratum 0: kiss code */
	memcpy(b + 12, "RATE", 4);
	ck_assert_int_eq(ntp_msg_parse(b, 48, &m), 0);
	ntp_msg_refid_text(&m, refid, sizeof refid);
	ck_assert_str_eq(refid, "RATE");
}
END_TEST

START_TEST(unix_epoch_is_ntp_2208988800)
{
	ck_assert_uint_eq(ntp_msg_ts_from_unix(0, 0), 0x83aa7e8000000000ULL);
	ck_assert_uint_eq(ntp_msg_ts_from_unix(0, 500000000),
	    0x83aa7e8080000000ULL);
	ck_assert_int_eq(ntp_msg_ts_to_unix_ns(0x83aa7e8080000000ULL, 0),
	    500000000);
}
END_TEST

/* Era 1 starts 2036-02-07 06:28:16 UTC = Unix 2085978496. */
START_TEST(era_wrap_in_2036_reads_forward)
{
	const int64_t wrap = 2085978496;

	ck_assert_uint_eq(ntp_msg_ts_from_unix(wrap + 10, 0), 10ULL << 32);
	ck_assert_int_eq(ntp_msg_ts_to_unix_ns(10ULL << 32, wrap),
	    (wrap + 10) * 1000000000LL);
	ck_assert_int_eq(ntp_msg_ts_to_unix_ns(0xffffffffULL << 32, wrap),
	    (wrap - 1) * 1000000000LL);
	/* a pivot in 2026 still reads era 0 */
	ck_assert_int_eq(ntp_msg_ts_to_unix_ns(0xffffffffULL << 32,
	    1795000000), (wrap - 1) * 1000000000LL);
	/* and era 0 read from 2040 is 1900 + 2^32 s later, not 1968 */
	ck_assert_int_eq(ntp_msg_ts_to_unix_ns(0x83aa7e8000000000ULL,
	    2208988800LL), (int64_t)4294967296LL * 1000000000LL);
}
END_TEST

START_TEST(extension_fields_and_mac_are_skipped)
{
	uint8_t b[48 + 16 + 32 + 24];
	struct ntp_msg m;

	memset(b, 0, sizeof b);
	memcpy(b, reply_bytes, 48);
	memcpy(b + 48, "\x01\x04\x00\x10", 4);	/* type, length 16 */
	memcpy(b + 64, "\x02\x04\x00\x20", 4);	/* type, length 32 */
	ck_assert_int_eq(ntp_msg_parse(b, 48 + 16 + 32, &m), 0);
	ck_assert_uint_eq(m.n_ext, 2);
	ck_assert(!m.mac);
	ck_assert_int_eq(ntp_msg_parse(b, sizeof b, &m), 0);
	ck_assert_uint_eq(m.n_ext, 2);
	ck_assert(m.mac);
	ck_assert_int_eq(ntp_msg_parse(b, 48 + 20, &m), 0);	/* MD5 MAC */
	ck_assert(m.mac);
	ck_assert_uint_eq(m.n_ext, 0);
}
END_TEST

struct bad_case {
	const char *why;
	size_t len;
	size_t at;		/* patch offset; 0 with n 0: none */
	const char *patch;
	size_t n;
	int want;
};

static const struct bad_case bad_cases[] = {
	{ "empty", 0, 0, NULL, 0, -EBADMSG },
	{ "one byte short of a header", 47, 0, NULL, 0, -EBADMSG },
	{ "not a multiple of 4", 49, 0, NULL, 0, -EBADMSG },
	{ "over 1024 bytes", 1028, 0, NULL, 0, -EMSGSIZE },
	{ "version 2", 48, 0, "\x14", 1, -EBADMSG },
	{ "version 5", 48, 0, "\x2c", 1, -EBADMSG },
	{ "version 0", 48, 0, "\x04", 1, -EBADMSG },
	{ "8 trailing bytes: no field, no MAC", 56, 0, NULL, 0, -EBADMSG },
	{ "extension length 0 (would loop)", 64, 48, "\x00\x01\x00\x00", 4,
	    -EBADMSG },
	{ "extension length 12, under 16", 64, 48, "\x00\x01\x00\x0c", 4,
	    -EBADMSG },
	{ "extension length 18, not a multiple of 4", 64, 48,
	    "\x00\x01\x00\x12", 4, -EBADMSG },
	{ "extension length past the datagram", 64, 48, "\x00\x01\x00\x20",
	    4, -EBADMSG },
	{ "extension length 0xffff", 64, 48, "\x00\x01\xff\xff", 4,
	    -EBADMSG },
	{ "12 bytes after a good field", 76, 48, "\x00\x01\x00\x10", 4,
	    -EBADMSG },
};

START_TEST(malformed_table_is_refused)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t b[1100];
	struct ntp_msg m;

	memset(b, 0, sizeof b);
	memcpy(b, reply_bytes, 48);
	if (c->n > 0)
		memcpy(b + c->at, c->patch, c->n);
	ck_assert_msg(ntp_msg_parse(b, c->len, &m) == c->want, "%s", c->why);
}
END_TEST

START_TEST(more_than_8_extension_fields_is_refused)
{
	uint8_t b[48 + 9 * 16];
	struct ntp_msg m;

	memset(b, 0, sizeof b);
	memcpy(b, reply_bytes, 48);
	for (int i = 0; i < 9; i++)
		memcpy(b + 48 + 16 * i, "\x00\x01\x00\x10", 4);
	ck_assert_int_eq(ntp_msg_parse(b, 48 + 8 * 16, &m), 0);
	ck_assert_int_eq(ntp_msg_parse(b, sizeof b, &m), -EBADMSG);
}
END_TEST

START_TEST(random_cuts_and_flips_never_misparse)
{
	unsigned seed = (unsigned)time(NULL);
	uint8_t b[200], out[NTP_MSG_LEN];
	struct ntp_msg m;

	printf("random_cuts_and_flips_never_misparse: seed %u\n", seed);
	for (int round = 0; round < 20000; round++) {
		size_t n = 48 + 4 * (size_t)(rand_r(&seed) % 38);

		memset(b, 0, sizeof b);
		memcpy(b, reply_bytes, 48);
		for (size_t at = 48; at + 16 <= n; at += 16)
			memcpy(b + at, "\x00\x01\x00\x10", 4);
		for (int f = rand_r(&seed) % 4; f > 0; f--)
			b[rand_r(&seed) % n] = (uint8_t)rand_r(&seed);
		if (rand_r(&seed) % 4 == 0)
			n = (size_t)rand_r(&seed) % (n + 1);
		if (ntp_msg_parse(b, n, &m) != 0)
			continue;
		/* what parses is a header that encodes to its own bytes */
		ck_assert_msg(n >= 48 && m.n_ext <= NTP_MSG_EXT_MAX,
		    "seed %u round %d", seed, round);
		ntp_msg_encode(&m, out);
		ck_assert_msg(memcmp(out, b, 48) == 0,
		    "seed %u round %d: header differs", seed, round);
	}
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(reply_bytes_parse_to_every_field),
		CHECK_CASE(reply_round_trips_to_the_same_bytes),
		CHECK_CASE(client_request_encodes_to_documented_bytes),
		CHECK_CASE(kod_refid_reads_as_letters),
		CHECK_CASE(unix_epoch_is_ntp_2208988800),
		CHECK_CASE(era_wrap_in_2036_reads_forward),
		CHECK_CASE(extension_fields_and_mac_are_skipped),
		CHECK_LOOP(malformed_table_is_refused,
		    (int)(sizeof bad_cases / sizeof bad_cases[0])),
		CHECK_CASE(more_than_8_extension_fields_is_refused),
		CHECK_CASE(random_cuts_and_flips_never_misparse),
	};

	return check_cases_run("ntp_msg", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
