/* SPDX-License-Identifier: MIT */
/* CVDS v1 codec (docs/discovery.md): wire bytes, malformed input, limits. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_cases.h"
#include "mutate.h"
#include "discovery/discovery_msg.h"

/* docs/discovery.md, "Examples" */
static const uint8_t locate_bytes[] = {
	0x43, 0x56, 0x44, 0x53, 0x01, 0x01, 0x00, 0x00,
	0x0a, 0x0b, 0x0c, 0x0d,
};

static const uint8_t locate_target_bytes[] = {
	0x43, 0x56, 0x44, 0x53, 0x01, 0x01, 0x01, 0x00,
	0x0a, 0x0b, 0x0c, 0x0d, 0x10, 0x04, 0xb4, 0x65, 0xf9, 0x91,
};

static const uint8_t reply_bytes[] = {
	0x43, 0x56, 0x44, 0x53, 0x01, 0x02, 0x00, 0x00, 0x0a, 0x0b, 0x0c, 0x0d,
	0x01, 0x05, '8', '8', '0', 'T', 'A',
	0x02, 0x02, 'H', 0x00,
	0x03, 0x04, 0xb4, 0x65, 0xf9, 0x91,
	0x04, 0x06, 0x02, 0x00, 0x00, 0x12, 0x34, 0x56,
	0x05, 0x07, '4', '.', '4', '.', '0', '.', '2',
	0x06, 0x06, 'R', 'o', 'o', 'm', ' ', '1',
	0x07, 0x09, 'C', 'O', 'N', 'V', 'E', 'R', 'G', 'E', '1',
	0x08, 0x04, 10, 77, 0, 20,
	0x09, 0x04, 255, 255, 255, 0,
	0x0a, 0x04, 10, 77, 0, 1,
	0x0b, 0x01, 0x00,
	0x0c, 0x02, 0x00, 0x17,
	0x0d, 0x02, 0x00, 0x50,
	0x0f, 0x08, 0x00, 0x00, 0x00, 0x00, 0x6a, 0xfd, 0x86, 0xc0,
};

/* SET_ADDRESS for UID B465F991 by admin: 10.77.0.30, AUTH all 0xAA */
static const uint8_t set_bytes[] = {
	0x43, 0x56, 0x44, 0x53, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
	0x08, 0x04, 10, 77, 0, 30,
	0x10, 0x04, 0xb4, 0x65, 0xf9, 0x91,
	0x12, 0x05, 'a', 'd', 'm', 'i', 'n',
	0x13, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	0x14, 0x08, 0x00, 0x00, 0x00, 0x00, 0x6a, 0xfd, 0x86, 0xc0,
	0x19, 0x20,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
};

static void
reply_fields(struct discovery_msg *m)
{
	static const uint8_t uid[4] = { 0xb4, 0x65, 0xf9, 0x91 };
	static const uint8_t mac[6] = { 2, 0, 0, 0x12, 0x34, 0x56 };
	static const uint8_t a[4] = { 10, 77, 0, 20 }, k[4] = { 255, 255,
	    255, 0 }, g[4] = { 10, 77, 0, 1 };

	memset(m, 0, sizeof *m);
	m->type = DISCOVERY_REPLY;
	m->xid = 0x0a0b0c0d;
	snprintf(m->model, sizeof m->model, "880TA");
	m->dev_type = 'H';
	memcpy(m->uid, uid, 4);
	memcpy(m->mac, mac, 6);
	snprintf(m->firmware, sizeof m->firmware, "4.4.0.2");
	snprintf(m->label, sizeof m->label, "Room 1");
	snprintf(m->netbios, sizeof m->netbios, "CONVERGE1");
	memcpy(&m->address, a, 4);
	memcpy(&m->netmask, k, 4);
	memcpy(&m->gateway, g, 4);
	m->console_port = 23;
	m->web_port = 80;
	m->unit_time = 1795000000;
	for (int t = DISCOVERY_T_MODEL; t <= DISCOVERY_T_WEB_PORT; t++)
		m->present |= DISCOVERY_BIT(t);
	m->present |= DISCOVERY_BIT(DISCOVERY_T_UNIT_TIME);
}

START_TEST(locate_encodes_to_documented_bytes)
{
	struct discovery_msg m = { .type = DISCOVERY_LOCATE, .xid = 0x0a0b0c0d };
	uint8_t buf[64];
	int n = discovery_msg_encode(&m, buf, sizeof buf);

	ck_assert_int_eq(n, sizeof locate_bytes);
	ck_assert_mem_eq(buf, locate_bytes, sizeof locate_bytes);
}
END_TEST

START_TEST(locate_with_target_and_counters_flag_parses)
{
	struct discovery_msg m;
	static const uint8_t uid[4] = { 0xb4, 0x65, 0xf9, 0x91 };

	ck_assert_int_eq(discovery_msg_parse(locate_target_bytes,
	    sizeof locate_target_bytes, &m), 0);
	ck_assert_int_eq(m.type, DISCOVERY_LOCATE);
	ck_assert_int_eq(m.flags, DISCOVERY_MSG_WANT_COUNTERS);
	ck_assert_uint_eq(m.present, DISCOVERY_BIT(DISCOVERY_T_TARGET_UID));
	ck_assert_mem_eq(m.target_uid, uid, 4);
}
END_TEST

START_TEST(reply_encodes_to_documented_bytes)
{
	struct discovery_msg m;
	uint8_t buf[DISCOVERY_MSG_MAX];
	int n;

	reply_fields(&m);
	n = discovery_msg_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(n, sizeof reply_bytes);
	ck_assert_mem_eq(buf, reply_bytes, sizeof reply_bytes);
}
END_TEST

START_TEST(reply_bytes_parse_to_every_field)
{
	struct discovery_msg m, want;

	reply_fields(&want);
	ck_assert_int_eq(discovery_msg_parse(reply_bytes, sizeof reply_bytes,
	    &m), 0);
	ck_assert_uint_eq(m.present, want.present);
	ck_assert_str_eq(m.model, "880TA");
	ck_assert_int_eq(m.dev_type, 'H');
	ck_assert_int_eq(m.dev_id, 0);
	ck_assert_str_eq(m.label, "Room 1");
	ck_assert_str_eq(m.netbios, "CONVERGE1");
	ck_assert_uint_eq(m.console_port, 23);
	ck_assert_uint_eq(m.web_port, 80);
	ck_assert_uint_eq(m.unit_time, 1795000000u);
	ck_assert_mem_eq(&m.address, &want.address, 4);
	ck_assert_mem_eq(&m.gateway, &want.gateway, 4);
	ck_assert_mem_eq(m.mac, want.mac, 6);
}
END_TEST

START_TEST(set_address_auth_covers_all_bytes_before_it)
{
	struct discovery_msg m;
	uint8_t buf[DISCOVERY_MSG_MAX];

	ck_assert_int_eq(discovery_msg_parse(set_bytes, sizeof set_bytes, &m),
	    0);
	ck_assert_uint_eq(m.auth_off, sizeof set_bytes - 34);
	ck_assert_str_eq(m.user, "admin");
	ck_assert_uint_eq(m.timestamp, 1795000000u);
	ck_assert_int_eq(m.auth[31], 0xaa);
	/* re-encoding gives the same bytes and the same offset */
	m.auth_off = 0;
	ck_assert_int_eq(discovery_msg_encode(&m, buf, sizeof buf),
	    sizeof set_bytes);
	ck_assert_mem_eq(buf, set_bytes, sizeof set_bytes);
	ck_assert_uint_eq(m.auth_off, sizeof set_bytes - 34);
}
END_TEST

START_TEST(unknown_tlv_of_a_later_version_is_skipped)
{
	uint8_t buf[sizeof locate_bytes + 5];
	struct discovery_msg m;

	memcpy(buf, locate_bytes, sizeof locate_bytes);
	memcpy(buf + sizeof locate_bytes, "\x0e\x03xyz", 5); /* 14 unused */
	ck_assert_int_eq(discovery_msg_parse(buf, sizeof buf, &m), 0);
	ck_assert_uint_eq(m.present, 0);
}
END_TEST

/* Malformed datagrams: each is a valid message with one thing wrong. */
struct bad {
	const char *why;
	const char *hex;
	int err;
};

static const struct bad bad_table[] = {
	{ "empty", "", -EMSGSIZE },
	{ "header cut at 11 bytes", "4356445301010000000000", -EMSGSIZE },
	{ "wrong magic", "4356445401010000 00000001", -EINVAL },
	{ "version 2", "4356445302010000 00000001", -EINVAL },
	{ "version 0", "4356445300010000 00000001", -EINVAL },
	{ "type 0", "4356445301000000 00000001", -EINVAL },
	{ "type 7", "4356445301070000 00000001", -EINVAL },
	{ "TLV header cut: type only", "4356445301010000 00000001 10",
	    -EINVAL },
	{ "TLV length past the end", "4356445301010000 00000001 1005b465f991",
	    -EINVAL },
	{ "unknown TLV length past the end",
	    "4356445301010000 00000001 0e05aabb", -EINVAL },
	{ "UID of 3 bytes", "4356445301010000 00000001 1003b465f9", -EINVAL },
	{ "UID of 5 bytes", "4356445301010000 00000001 1005b465f99100",
	    -EINVAL },
	{ "same TLV twice",
	    "4356445301010000 00000001 1004b465f991 1004b465f991", -EINVAL },
	{ "CHALLENGE without USER",
	    "4356445301030000 00000001 1004b465f991", -EINVAL },
	{ "CHALLENGE without a target",
	    "4356445301030000 00000001 120161", -EINVAL },
	{ "USER with a control byte",
	    "4356445301030000 00000001 1004b465f991 12026101", -EINVAL },
	{ "USER with a NUL", "4356445301030000 00000001 1004b465f991 12026100",
	    -EINVAL },
	{ "USER of 0 bytes", "4356445301030000 00000001 1004b465f991 1200",
	    -EINVAL },
	{ "SET_RESULT without STATUS", "4356445301060000 00000001", -EINVAL },
	{ "DHCP 2 (bool)", "4356445301060000 00000001 160100 0b0102",
	    -EINVAL },
	{ "DEVICE ID 16", "4356445301060000 00000001 160100 02024810",
	    -EINVAL },
	{ "DEVICE type a space", "4356445301060000 00000001 160100 02022000",
	    -EINVAL },
	{ "REPLY missing most fields",
	    "4356445301020000 00000001 010135", -EINVAL },
	{ "TLV after AUTH",
	    "4356445301060000 00000001 160100 19200000000000000000000000000000"
	    "000000000000000000000000000000000000 1004b465f991", -EINVAL },
	{ "SET_ADDRESS without a setting",
	    "4356445301050000 00000001 1004b465f991 120161"
	    " 13100102030405060708090a0b0c0d0e0f10"
	    " 14080000000000000000"
	    " 19200000000000000000000000000000000000000000000000000000000000000000",
	    -EINVAL },
	{ "SET_ADDRESS NONCE of 15 bytes",
	    "4356445301050000 00000001 1004b465f991 120161 0b0100"
	    " 130f0102030405060708090a0b0c0d0e0f"
	    " 14080000000000000000"
	    " 19200000000000000000000000000000000000000000000000000000000000000000",
	    -EINVAL },
};

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (*hex != '\0') {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		ck_assert(n < cap && sscanf(hex, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

START_TEST(malformed_table_is_refused)
{
	for (size_t i = 0; i < sizeof bad_table / sizeof *bad_table; i++) {
		uint8_t buf[DISCOVERY_MSG_MAX];
		struct discovery_msg m;
		size_t n = unhex(bad_table[i].hex, buf, sizeof buf);

		ck_assert_msg(discovery_msg_parse(buf, n, &m) ==
		    bad_table[i].err, "%s: not refused", bad_table[i].why);
	}
}
END_TEST

/* The table's SET_ADDRESS rows, with the thing they lack put back. */
START_TEST(set_address_with_one_setting_parses)
{
	uint8_t buf[DISCOVERY_MSG_MAX];
	struct discovery_msg m;
	size_t n = unhex("4356445301050000 00000001 1004b465f991 120161"
	    " 0b0100 13100102030405060708090a0b0c0d0e0f10"
	    " 14080000000000000000"
	    " 19200000000000000000000000000000000000000000000000000000000000000000",
	    buf, sizeof buf);

	ck_assert_int_eq(discovery_msg_parse(buf, n, &m), 0);
	ck_assert_uint_eq(m.present & DISCOVERY_BIT(DISCOVERY_T_DHCP),
	    DISCOVERY_BIT(DISCOVERY_T_DHCP));
}
END_TEST

START_TEST(size_limit_is_1024_bytes)
{
	static uint8_t buf[DISCOVERY_MSG_MAX + 1];
	struct discovery_msg m;

	/* 12 + 4 unknown TLVs of 2 + 251 bytes = 1024 */
	memcpy(buf, locate_bytes, sizeof locate_bytes);
	for (int i = 0; i < 4; i++) {
		buf[12 + i * 253] = 0x0e;
		buf[12 + i * 253 + 1] = 251;
	}
	ck_assert_int_eq(discovery_msg_parse(buf, DISCOVERY_MSG_MAX, &m), 0);
	ck_assert_int_eq(discovery_msg_parse(buf, DISCOVERY_MSG_MAX + 1, &m),
	    -EMSGSIZE);
}
END_TEST

START_TEST(more_than_32_tlvs_is_malformed)
{
	uint8_t buf[12 + 33 * 2];
	struct discovery_msg m;

	memcpy(buf, locate_bytes, sizeof locate_bytes);
	for (int i = 0; i < 33; i++) {
		buf[12 + i * 2] = 0x0e;
		buf[12 + i * 2 + 1] = 0;
	}
	ck_assert_int_eq(discovery_msg_parse(buf, 12 + 32 * 2, &m), 0);
	ck_assert_int_eq(discovery_msg_parse(buf, sizeof buf, &m), -EINVAL);
}
END_TEST

START_TEST(encode_refuses_bad_text_and_small_buffer)
{
	struct discovery_msg m;
	uint8_t buf[DISCOVERY_MSG_MAX];

	reply_fields(&m);
	ck_assert_int_eq(discovery_msg_encode(&m, buf, sizeof reply_bytes - 1),
	    -EMSGSIZE);
	m.label[2] = '\n';
	ck_assert_int_eq(discovery_msg_encode(&m, buf, sizeof buf), -EINVAL);
	reply_fields(&m);
	m.model[0] = '\0';	/* MODEL needs 1-16 characters */
	ck_assert_int_eq(discovery_msg_encode(&m, buf, sizeof buf), -EINVAL);
}
END_TEST

START_TEST(counters_round_trip_in_order)
{
	struct discovery_msg m, back;
	uint8_t buf[DISCOVERY_MSG_MAX];
	int n;

	reply_fields(&m);
	m.present |= DISCOVERY_BIT(DISCOVERY_T_COUNTERS);
	for (int i = 0; i < DISCOVERY_MSG_COUNTERS; i++)
		m.counters[i] = 0x01020300u + (uint32_t)i;
	n = discovery_msg_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(n, sizeof reply_bytes + 34);
	/* COUNTERS (24) sits after UNIT_TIME (15): last, first byte 01 02 03 00 */
	ck_assert_int_eq(buf[sizeof reply_bytes], 0x18);
	ck_assert_int_eq(buf[sizeof reply_bytes + 1], 32);
	ck_assert_int_eq(buf[sizeof reply_bytes + 5], 0x00);
	ck_assert_int_eq(buf[sizeof reply_bytes + 33], 0x07);
	ck_assert_int_eq(discovery_msg_parse(buf, (size_t)n, &back), 0);
	ck_assert_uint_eq(back.counters[DISCOVERY_C_CHANGED], 0x01020307u);
}
END_TEST

/*
 * Every cut of every documented message, and random byte changes, parse
 * or fail cleanly; what parses re-encodes to bytes that parse the same.
 */
static int
parse_any(const uint8_t *buf, size_t len, void *m)
{
	return discovery_msg_parse(buf, len, m);
}

static int
encode_any(void *m, uint8_t *buf, size_t cap)
{
	return discovery_msg_encode(m, buf, cap);
}

/* where the authenticator sits is an encoding detail */
static void
forget_auth_offset(void *m)
{
	((struct discovery_msg *)m)->auth_off = 0;
}

START_TEST(random_cuts_and_flips_never_misparse)
{
	const struct mutate_codec codec = { "discovery", parse_any,
	    encode_any, forget_auth_offset, sizeof(struct discovery_msg),
	    DISCOVERY_MSG_MAX };
	const uint8_t *const msgs[] = { reply_bytes, set_bytes,
	    locate_target_bytes };
	const size_t lens[] = { sizeof reply_bytes, sizeof set_bytes,
	    sizeof locate_target_bytes };

	mutate_round_trips(&codec, msgs, lens, 3, 20000);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(locate_encodes_to_documented_bytes),
		CHECK_CASE(locate_with_target_and_counters_flag_parses),
		CHECK_CASE(reply_encodes_to_documented_bytes),
		CHECK_CASE(reply_bytes_parse_to_every_field),
		CHECK_CASE(set_address_auth_covers_all_bytes_before_it),
		CHECK_CASE(unknown_tlv_of_a_later_version_is_skipped),
		CHECK_CASE(malformed_table_is_refused),
		CHECK_CASE(set_address_with_one_setting_parses),
		CHECK_CASE(size_limit_is_1024_bytes),
		CHECK_CASE(more_than_32_tlvs_is_malformed),
		CHECK_CASE(encode_refuses_bad_text_and_small_buffer),
		CHECK_CASE(counters_round_trip_in_order),
		CHECK_CASE(random_cuts_and_flips_never_misparse),
	};

	return check_cases_run("discovery_msg", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
