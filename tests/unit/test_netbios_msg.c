/* SPDX-License-Identifier: MIT */
/*
 * NetBIOS name service codec (RFC 1002 §4.2): the real packets of
 * peers.md §4 (nmblookup, nmbd), malformed input, limits, random cuts.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_cases.h"
#include "mutate.h"
#include "netbios/netbios_msg.h"

#define DUT "\x20" "EEFFFEEDEMEJEFEOFECACACACACACAAA" "\x00"
#define CV20 "\x20" "EDEPEOFGEFFCEHEFDBCACACACACACACA" "\x00"
#define STAR "\x20" "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "\x00"
#define B(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

/* nmblookup -U 10.77.0.1 --recursion DUTCLIENT (peers.md §4) */
static const char query_wire[] =
    "\x4f\x0b\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" DUT "\x00\x20\x00\x01";
/* nmbd's WINS answer to it */
static const char reply_wire[] =
    "\x4f\x0b\x85\x80\x00\x00\x00\x01\x00\x00\x00\x00" DUT
    "\x00\x20\x00\x01\x00\x03\xf4\x57\x00\x06\x60\x00\x0a\x4d\x00\x02";
/* Samba's registration of a unique name: opcode 15, pointer to the question */
static const char multihomed_wire[] =
    "\x28\x78\x79\x00\x00\x01\x00\x00\x00\x00\x00\x01" DUT "\x00\x20\x00\x01"
    "\xc0\x0c\x00\x20\x00\x01\x00\x03\xf4\x80\x00\x06\x60\x00\x0a\x4d\x00\x02";
/* nmbd's WINS negative answer: rcode 3, no record */
static const char negative_wire[] =
    "\x4f\x0b\x85\x83\x00\x00\x00\x00\x00\x00\x00\x00";
/* nmblookup -A: node status of "*" (NUL-padded) */
static const char status_req_wire[] =
    "\x00\x07\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00" STAR "\x00\x21\x00\x01";
/* WINS: wait, the owner is being challenged (WACK, TTL 2, flags echoed) */
static const char wack_wire[] =
    "\x12\x34\xbc\x00\x00\x00\x00\x01\x00\x00\x00\x00" DUT
    "\x00\x20\x00\x01\x00\x00\x00\x02\x00\x02\x29\x00";

static void
parse_ok(const uint8_t *p, size_t n, struct netbios_msg *m)
{
	ck_assert_int_eq(netbios_msg_parse(p, n, m), 0);
}

static void
encodes_to(const struct netbios_msg *m, const uint8_t *want, size_t n)
{
	uint8_t buf[NETBIOS_MSG_MAX];
	int len = netbios_msg_encode(m, buf, sizeof buf);

	ck_assert_int_eq(len, (int)n);
	ck_assert_mem_eq(buf, want, n);
}

START_TEST(nmblookup_query_parses)
{
	struct netbios_msg m;

	parse_ok(B(query_wire), &m);
	ck_assert_uint_eq(m.xid, 0x4f0b);
	ck_assert_uint_eq(m.flags, NETBIOS_F_RD);
	ck_assert(m.has_question && !m.has_rr);
	ck_assert_str_eq(m.qname.name, "DUTCLIENT");
	ck_assert_uint_eq(m.qname.suffix, 0);
	ck_assert_str_eq(m.qname.scope, "");
	ck_assert_uint_eq(m.qtype, NETBIOS_T_NB);
	encodes_to(&m, B(query_wire));
}
END_TEST

START_TEST(positive_answer_encodes_to_nmbd_bytes)
{
	struct netbios_msg m = { .xid = 0x4f0b, .flags = 0x8580,
	    .has_rr = true, .rrtype = NETBIOS_T_NB, .ttl = 259159,
	    .n_nb = 1 };

	ck_assert_int_eq(netbios_msg_name(&m.rrname, "DUTCLIENT", 0), 0);
	m.nb[0].flags = NETBIOS_NB_ONT_H;
	m.nb[0].addr = inet_addr("10.77.0.2");
	encodes_to(&m, B(reply_wire));
}
END_TEST

START_TEST(samba_multihomed_registration_parses)
{
	struct netbios_msg m;

	parse_ok(B(multihomed_wire), &m);
	ck_assert_uint_eq(NETBIOS_OPCODE(m.flags), NETBIOS_OP_MULTIHOMED);
	ck_assert(m.has_question && m.has_rr);
	ck_assert_str_eq(m.rrname.name, "DUTCLIENT");
	ck_assert_uint_eq(m.ttl, 259200);
	ck_assert_uint_eq(m.n_nb, 1);
	ck_assert_uint_eq(m.nb[0].flags, 0x6000);
	ck_assert_uint_eq(m.nb[0].addr, inet_addr("10.77.0.2"));
	/* same name: the record points at the question again */
	encodes_to(&m, B(multihomed_wire));
}
END_TEST

START_TEST(negative_answer_without_record_parses)
{
	struct netbios_msg m;

	parse_ok(B(negative_wire), &m);
	ck_assert_uint_eq(NETBIOS_RCODE(m.flags), NETBIOS_RC_NAM);
	ck_assert(!m.has_rr && !m.has_question);
}
END_TEST

START_TEST(wildcard_status_request_pads_with_nuls)
{
	struct netbios_msg m = { .xid = 7, .has_question = true,
	    .qtype = NETBIOS_T_NBSTAT };

	ck_assert_int_eq(netbios_msg_name(&m.qname, "*", 0), 0);
	encodes_to(&m, B(status_req_wire));
	parse_ok(B(status_req_wire), &m);
	ck_assert_str_eq(m.qname.name, "*");
}
END_TEST

START_TEST(node_status_response_encodes_names_and_mac)
{
	static const char want[] =
	    "\x00\x07\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" STAR
	    "\x00\x21\x00\x01\x00\x00\x00\x00\x00\x53\x02"
	    "CONVERGE1      \x00\x04\x00"
	    "CONVERGE1      \x20\x04\x00"
	    "\x02\x00\x00\x12\x34\x56"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00";
	static const uint8_t mac[6] = { 2, 0, 0, 0x12, 0x34, 0x56 };
	struct netbios_msg m, back;

	memset(&m, 0, sizeof m);	/* compared with memcmp: padding too */
	m.xid = 7;
	m.flags = 0x8400;
	m.has_rr = true;
	m.rrtype = NETBIOS_T_NBSTAT;
	m.n_names = 2;
	ck_assert_int_eq(netbios_msg_name(&m.rrname, "*", 0), 0);
	strcpy(m.names[0].name, "CONVERGE1");
	strcpy(m.names[1].name, "CONVERGE1");
	m.names[1].suffix = 0x20;
	m.names[0].flags = m.names[1].flags = NETBIOS_NAME_ACT;
	memcpy(m.mac, mac, 6);
	encodes_to(&m, B(want));
	parse_ok(B(want), &back);
	ck_assert_mem_eq(&back, &m, sizeof m);
}
END_TEST

START_TEST(wack_carries_the_request_flags)
{
	struct netbios_msg m;

	parse_ok(B(wack_wire), &m);
	ck_assert_uint_eq(NETBIOS_OPCODE(m.flags), NETBIOS_OP_WACK);
	ck_assert_uint_eq(m.ttl, 2);
	ck_assert_uint_eq(m.wack_flags, 0x2900);
	encodes_to(&m, B(wack_wire));
}
END_TEST

START_TEST(registration_request_points_at_question)
{
	static const char want[] =
	    "\x00\x01\x29\x10\x00\x01\x00\x00\x00\x00\x00\x01" CV20
	    "\x00\x20\x00\x01\xc0\x0c\x00\x20\x00\x01\x00\x00\x01\x2c"
	    "\x00\x06\x00\x00\x0a\x4d\x00\x02";
	struct netbios_msg m = { .xid = 1, .flags = NETBIOS_FLAGS(
	    NETBIOS_OP_REGISTER) | NETBIOS_F_RD | NETBIOS_F_BROADCAST,
	    .has_question = true, .qtype = NETBIOS_T_NB, .has_rr = true,
	    .rrtype = NETBIOS_T_NB, .ttl = 300, .n_nb = 1 };

	ck_assert_int_eq(netbios_msg_name(&m.qname, "CONVERGE1", 0x20), 0);
	m.rrname = m.qname;
	m.nb[0].addr = inet_addr("10.77.0.2");
	encodes_to(&m, B(want));
}
END_TEST

START_TEST(scope_id_labels_round_trip)
{
	static const char want[] =
	    "\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	    "\x20" "EEFFFEEDEMEJEFEOFECACACACACACAAA"
	    "\x03" "lab" "\x07" "example" "\x00\x00\x20\x00\x01";
	struct netbios_msg m;

	parse_ok(B(want), &m);
	ck_assert_str_eq(m.qname.scope, "lab.example");
	encodes_to(&m, B(want));
}
END_TEST

/* name comparison is case-blind, suffix- and scope-exact */
START_TEST(name_equality_ignores_case_only)
{
	struct netbios_name a, b;

	netbios_msg_name(&a, "Converge1", 0);
	netbios_msg_name(&b, "CONVERGE1", 0);
	ck_assert(netbios_msg_name_eq(&a, &b));
	b.suffix = 0x20;
	ck_assert(!netbios_msg_name_eq(&a, &b));
	b.suffix = 0;
	strcpy(b.scope, "lab");
	ck_assert(!netbios_msg_name_eq(&a, &b));
	ck_assert_int_eq(netbios_msg_name(&a, "SIXTEEN_CHARS_XX", 0), -EINVAL);
}
END_TEST

struct bad {
	const char *why;
	const char *wire;
	size_t len;
};
#define BAD(why, s) { why, s, sizeof(s) - 1 }
#define HDR_Q "\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"

static const struct bad bad_table[] = {
	BAD("shorter than the header", "\x4f\x0b\x01\x00\x00\x01\x00\x00"),
	BAD("question count says 1, no question", HDR_Q),
	BAD("question count 2", "\x00\x01\x00\x00\x00\x02\x00\x00\x00\x00"
	    "\x00\x00" DUT "\x00\x20\x00\x01" DUT "\x00\x20\x00\x01"),
	BAD("huge counts", "\x00\x01\x00\x00\xff\xff\xff\xff\xff\xff\xff"
	    "\xff"),
	BAD("authority record", "\x00\x01\x80\x00\x00\x00\x00\x00\x00\x01"
	    "\x00\x00"),
	BAD("response with a question", "\x00\x01\x80\x00\x00\x01\x00\x00"
	    "\x00\x00\x00\x00" DUT "\x00\x20\x00\x01"),
	BAD("request with an answer", "\x00\x01\x00\x00\x00\x01\x00\x01\x00"
	    "\x00\x00\x00" DUT "\x00\x20\x00\x01\xc0\x0c\x00\x20\x00\x01\x00"
	    "\x00\x00\x00\x00\x00"),
	BAD("registration without its record", "\x00\x01\x28\x00\x00\x01"
	    "\x00\x00\x00\x00\x00\x00" DUT "\x00\x20\x00\x01"),
	BAD("unknown opcode 3", "\x00\x01\x18\x00\x00\x01\x00\x00\x00\x00"
	    "\x00\x00" DUT "\x00\x20\x00\x01"),
	BAD("question type A", HDR_Q DUT "\x00\x01\x00\x01"),
	BAD("question class CH", HDR_Q DUT "\x00\x20\x00\x03"),
	BAD("trailing byte", HDR_Q DUT "\x00\x20\x00\x01\x00"),
	BAD("first label of 31 bytes", HDR_Q "\x1f"
	    "EEFFFEEDEMEJEFEOFECACACACACACAA" "\x00\x00\x20\x00\x01"),
	BAD("letter above P", HDR_Q "\x20"
	    "EEFFFEEDEMEJEFEOFECACACACACACAAQ" "\x00\x00\x20\x00\x01"),
	BAD("lower-case letters", HDR_Q "\x20"
	    "eeFFFEEDEMEJEFEOFECACACACACACAAA" "\x00\x00\x20\x00\x01"),
	BAD("NUL inside the name", HDR_Q "\x20"
	    "EEAAFEEDEMEJEFEOFECACACACACACAAA" "\x00\x00\x20\x00\x01"),
	BAD("no labels at all", HDR_Q "\x00\x00\x20\x00\x01"),
	BAD("name runs past the end", HDR_Q "\x20" "EEFFFEEDEM"),
	BAD("label type 01 (reserved)", HDR_Q "\x40\x00\x00\x20\x00\x01"),
	BAD("label type 10 (reserved)", HDR_Q "\x80\x00\x00\x20\x00\x01"),
	BAD("pointer to itself", HDR_Q "\xc0\x0c\x00\x20\x00\x01"),
	BAD("pointer forwards", HDR_Q "\xc0\x0e\x00\x20\x00\x01" DUT),
	BAD("pointer cut in half", HDR_Q "\xc0"),
	BAD("name ending in a pointer forwards to the record",
	    "\x00\x01\x28\x00\x00\x01\x00\x00\x00\x00\x00\x01" "\x20"
	    "EEFFFEEDEMEJEFEOFECACACACACACAAA" "\xc0\x32" "\x00\x20\x00\x01"
	    "\xc0\x2c\x00\x20\x00\x01\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00"
	    "\x00\x00"),
	BAD("rdlength past the end", "\x00\x01\x80\x00\x00\x00\x00\x01\x00"
	    "\x00\x00\x00" DUT "\x00\x20\x00\x01\x00\x00\x00\x00\x00\x07\x60"
	    "\x00\x0a\x4d\x00\x02"),
	BAD("NB rdata of 5 bytes", "\x00\x01\x80\x00\x00\x00\x00\x01\x00"
	    "\x00\x00\x00" DUT "\x00\x20\x00\x01\x00\x00\x00\x00\x00\x05\x60"
	    "\x00\x0a\x4d\x00"),
	BAD("record class CH", "\x00\x01\x80\x00\x00\x00\x00\x01\x00\x00"
	    "\x00\x00" DUT "\x00\x20\x00\x03\x00\x00\x00\x00\x00\x00"),
	BAD("record type A", "\x00\x01\x80\x00\x00\x00\x00\x01\x00\x00\x00"
	    "\x00" DUT "\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00"),
	BAD("NULL record with data", "\x00\x01\x80\x00\x00\x00\x00\x01\x00"
	    "\x00\x00\x00" DUT "\x00\x0a\x00\x01\x00\x00\x00\x00\x00\x01\x00"),
	BAD("WACK without a record", "\x00\x01\xbc\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00"),
	BAD("node status lying about 200 names", "\x00\x07\x84\x00\x00\x00"
	    "\x00\x01\x00\x00\x00\x00" STAR "\x00\x21\x00\x01\x00\x00\x00\x00"
	    "\x00\x07\xc8\x02\x00\x00\x12\x34\x56"),
	BAD("node status without the MAC", "\x00\x07\x84\x00\x00\x00\x00\x01"
	    "\x00\x00\x00\x00" STAR "\x00\x21\x00\x01\x00\x00\x00\x00\x00\x01"
	    "\x00"),
};

START_TEST(malformed_table_is_refused)
{
	const struct bad *b = &bad_table[_i];
	struct netbios_msg m;

	ck_assert_msg(netbios_msg_parse((const uint8_t *)b->wire, b->len,
	    &m) == -EBADMSG, "accepted: %s", b->why);
}
END_TEST

/* A query whose name has scope labels of these lengths; its length. */
static size_t
name_with_scope(uint8_t *p, const size_t *labels, size_t nlabels)
{
	size_t n = 12 + 33;	/* header, first label; no end yet */

	memcpy(p, HDR_Q DUT, n);
	for (size_t i = 0; i < nlabels; i++) {
		p[n++] = (uint8_t)labels[i];
		memset(p + n, 'x', labels[i]);
		n += labels[i];
	}
	memcpy(p + n, "\x00\x00\x20\x00\x01", 5);
	return n + 5;
}

/* Labels up to 63 bytes and names up to 255 are fine; one more is not. */
START_TEST(label_and_name_limits)
{
	static const size_t l63[] = { 63 }, l64[] = { 64 };
	/* 33 + 3 * 64 + 29 + 1 = 255 bytes; one more in the last label */
	static const size_t n255[] = { 63, 63, 63, 28 };
	static const size_t n256[] = { 63, 63, 63, 29 };
	uint8_t buf[NETBIOS_MSG_MAX], again[NETBIOS_MSG_MAX];
	struct netbios_msg m;
	size_t n;

	ck_assert_int_eq(netbios_msg_parse(buf, name_with_scope(buf, l63, 1),
	    &m), 0);
	ck_assert_uint_eq(strlen(m.qname.scope), 63);
	ck_assert_int_eq(netbios_msg_parse(buf, name_with_scope(buf, l64, 1),
	    &m), -EBADMSG);
	n = name_with_scope(buf, n255, 4);
	ck_assert_int_eq(netbios_msg_parse(buf, n, &m), 0);
	ck_assert_int_eq(netbios_msg_encode(&m, again, sizeof again), (int)n);
	ck_assert_mem_eq(again, buf, n);
	/* nor will the encoder write a 256-byte name */
	strcat(m.qname.scope, "x");
	ck_assert_int_eq(netbios_msg_encode(&m, again, sizeof again),
	    -EINVAL);
	ck_assert_int_eq(netbios_msg_parse(buf, name_with_scope(buf, n256, 4),
	    &m), -EBADMSG);
}
END_TEST

/*
 * Pointers chain backwards: the question's name ends with a pointer to
 * the zero transaction ID (an empty rest), the record points at the
 * question: two hops, each before the last, parse. A pointer back to
 * where the chain already was is a loop and is refused.
 */
START_TEST(backward_pointer_chain_parses_loop_refused)
{
	static const char chain[] =
	    "\x00\x00\x28\x00\x00\x01\x00\x00\x00\x00\x00\x01"
	    "\x20" "EEFFFEEDEMEJEFEOFECACACACACACAAA" "\xc0\x00"
	    "\x00\x20\x00\x01\xc0\x0c\x00\x20\x00\x01\x00\x00\x00\x00"
	    "\x00\x06\x00\x00\x0a\x4d\x00\x02";
	uint8_t buf[sizeof chain];
	struct netbios_msg m;

	parse_ok(B(chain), &m);
	ck_assert_str_eq(m.rrname.name, "DUTCLIENT");
	memcpy(buf, chain, sizeof chain);
	buf[46] = 0x0c;		/* question ends pointing at itself */
	ck_assert_int_eq(netbios_msg_parse(buf, sizeof chain - 1, &m),
	    -EBADMSG);
}
END_TEST

START_TEST(encode_refuses_bad_names_and_small_buffer)
{
	uint8_t buf[NETBIOS_MSG_MAX];
	struct netbios_msg m;

	parse_ok(B(reply_wire), &m);
	ck_assert_int_eq(netbios_msg_encode(&m, buf, sizeof reply_wire - 2),
	    -ENOSPC);
	strcpy(m.rrname.scope, "bad..scope");
	ck_assert_int_eq(netbios_msg_encode(&m, buf, sizeof buf), -EINVAL);
	strcpy(m.rrname.scope, "has space");
	ck_assert_int_eq(netbios_msg_encode(&m, buf, sizeof buf), -EINVAL);
	m.rrname.scope[0] = '\0';
	m.n_nb = NETBIOS_MSG_NB_MAX + 1;
	ck_assert_int_eq(netbios_msg_encode(&m, buf, sizeof buf), -EINVAL);
}
END_TEST

/*
 * Every cut of the real packets and random byte changes parse or fail
 * cleanly; what parses re-encodes to bytes that parse the same.
 */
static int
parse_any(const uint8_t *buf, size_t len, void *m)
{
	return netbios_msg_parse(buf, len, m);
}

static int
encode_any(void *m, uint8_t *buf, size_t cap)
{
	return netbios_msg_encode(m, buf, cap);
}

START_TEST(random_cuts_and_flips_never_misparse)
{
	const struct mutate_codec codec = { "netbios", parse_any, encode_any,
	    NULL, sizeof(struct netbios_msg), NETBIOS_MSG_MAX };
	const uint8_t *const msgs[] = { (const uint8_t *)query_wire,
	    (const uint8_t *)reply_wire, (const uint8_t *)multihomed_wire,
	    (const uint8_t *)status_req_wire, (const uint8_t *)wack_wire };
	const size_t lens[] = { sizeof query_wire - 1, sizeof reply_wire - 1,
	    sizeof multihomed_wire - 1, sizeof status_req_wire - 1,
	    sizeof wack_wire - 1 };

	mutate_round_trips(&codec, msgs, lens, 5, 50000);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(nmblookup_query_parses),
		CHECK_CASE(positive_answer_encodes_to_nmbd_bytes),
		CHECK_CASE(samba_multihomed_registration_parses),
		CHECK_CASE(negative_answer_without_record_parses),
		CHECK_CASE(wildcard_status_request_pads_with_nuls),
		CHECK_CASE(node_status_response_encodes_names_and_mac),
		CHECK_CASE(wack_carries_the_request_flags),
		CHECK_CASE(registration_request_points_at_question),
		CHECK_CASE(scope_id_labels_round_trip),
		CHECK_CASE(name_equality_ignores_case_only),
		CHECK_LOOP(malformed_table_is_refused,
		    (int)(sizeof bad_table / sizeof bad_table[0])),
		CHECK_CASE(label_and_name_limits),
		CHECK_CASE(backward_pointer_chain_parses_loop_refused),
		CHECK_CASE(encode_refuses_bad_names_and_small_buffer),
		CHECK_CASE(random_cuts_and_flips_never_misparse),
	};

	return check_cases_run("netbios_msg", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
