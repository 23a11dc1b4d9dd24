/* SPDX-License-Identifier: MIT */
/*
 * DHCPv4 codec (RFC 2131, RFC 2132, RFC 3396), its IPv4/UDP frame and ARP:
 * wire bytes written out, malformed input, limits, random cuts.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_cases.h"
#include "dhcp/dhcp_msg.h"

#define A(a, b, c, d) a, b, c, d

/* op..chaddr (44 bytes) of a reply from 10.77.0.1 to 02:00:5e:ed:00:01 */
static const uint8_t reply_head[44] = {
	0x02, 0x01, 0x06, 0x00,			/* op, htype, hlen, hops */
	0x12, 0x34, 0x56, 0x78,			/* xid */
	0x00, 0x00, 0x80, 0x00,			/* secs, flags: broadcast */
	A(0, 0, 0, 0), A(10, 77, 0, 130),	/* ciaddr, yiaddr */
	A(10, 77, 0, 1), A(0, 0, 0, 0),		/* siaddr, giaddr */
	0x02, 0x00, 0x5e, 0xed, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static const uint8_t cookie[4] = { 0x63, 0x82, 0x53, 0x63 };

/* An OFFER's options, every one this client reads. */
static const uint8_t offer_opts[] = {
	53, 1, 2,
	54, 4, A(10, 77, 0, 1),
	51, 4, 0x00, 0x00, 0x00, 0x78,		/* 120 s */
	58, 4, 0x00, 0x00, 0x00, 0x3c,
	59, 4, 0x00, 0x00, 0x00, 0x69,
	1, 4, A(255, 255, 255, 0),
	3, 4, A(10, 77, 0, 1),
	6, 8, A(10, 77, 0, 53), A(10, 77, 0, 54),
	15, 7, 'e', 'x', '.', 't', 'e', 's', 't',
	255,
};

/* head + zero sname/file + cookie + opts, as a server would send it */
static size_t
build(uint8_t *buf, const uint8_t *opts, size_t n)
{
	memset(buf, 0, DHCP_MSG_MAX);
	memcpy(buf, reply_head, sizeof reply_head);
	memcpy(buf + 236, cookie, 4);
	memcpy(buf + 240, opts, n);
	return 240 + n;
}

START_TEST(discover_encodes_to_written_bytes)
{
	static const uint8_t head[44] = {
		0x01, 0x01, 0x06, 0x00, 0xca, 0xfe, 0xf0, 0x0d,
		0x00, 0x03, 0x00, 0x00,		/* secs 3, no broadcast flag */
		A(0, 0, 0, 0), A(0, 0, 0, 0), A(0, 0, 0, 0), A(0, 0, 0, 0),
		0x02, 0x00, 0x5e, 0xed, 0x00, 0x01,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t opts[] = {
		53, 1, 1,
		61, 7, 0x01, 0x02, 0x00, 0x5e, 0xed, 0x00, 0x01,
		57, 2, 0x05, 0xc0,		/* 1472 */
		12, 5, 'U', 'N', 'I', 'T', '1',
		60, 8, 'c', 'o', 'n', 'v', 'e', 'r', 'g', 'd',
		55, 5, 1, 3, 6, 15, 51,
		255,
	};
	struct dhcp_msg m = { .op = 1, .xid = 0xcafef00d, .secs = 3,
	    .type = DHCP_DISCOVER, .client_id_len = 7, .max_size = 1472,
	    .nparams = 5, .params = { 1, 3, 6, 15, 51 },
	    .chaddr = { 0x02, 0x00, 0x5e, 0xed, 0x00, 0x01 },
	    .client_id = { 0x01, 0x02, 0x00, 0x5e, 0xed, 0x00, 0x01 },
	    .hostname = "UNIT1", .vendor_class = "convergd" };
	uint8_t buf[DHCP_MSG_MAX], zero[192] = { 0 };
	int n;

	m.has = DHCP_HAS(DHCP_O_TYPE) | DHCP_HAS(DHCP_O_CLIENT_ID) |
	    DHCP_HAS(DHCP_O_MAX_SIZE) | DHCP_HAS(DHCP_O_HOSTNAME) |
	    DHCP_HAS(DHCP_O_VENDOR_CLASS) | DHCP_HAS(DHCP_O_PARAMS);
	n = dhcp_msg_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(n, 300);	/* padded to the BOOTP minimum */
	ck_assert_mem_eq(buf, head, sizeof head);
	ck_assert_mem_eq(buf + 44, zero, sizeof zero);	/* sname, file */
	ck_assert_mem_eq(buf + 236, cookie, 4);
	ck_assert_mem_eq(buf + 240, opts, sizeof opts);
	ck_assert_mem_eq(buf + 240 + sizeof opts, zero,
	    300 - 240 - sizeof opts);
}
END_TEST

START_TEST(offer_bytes_parse_to_every_field)
{
	uint8_t buf[DHCP_MSG_MAX];
	size_t len = build(buf, offer_opts, sizeof offer_opts);
	struct dhcp_msg m;

	ck_assert_int_eq(dhcp_msg_parse(buf, len, &m), 0);
	ck_assert_uint_eq(m.op, 2);
	ck_assert_uint_eq(m.xid, 0x12345678);
	ck_assert_uint_eq(m.flags, DHCP_MSG_BROADCAST);
	ck_assert_uint_eq(m.type, DHCP_OFFER);
	ck_assert_uint_eq(ntohl(m.yiaddr), 0x0a4d0082);
	ck_assert_uint_eq(ntohl(m.siaddr), 0x0a4d0001);
	ck_assert_uint_eq(ntohl(m.server_id), 0x0a4d0001);
	ck_assert_uint_eq(m.lease_s, 120);
	ck_assert_uint_eq(m.t1_s, 60);
	ck_assert_uint_eq(m.t2_s, 105);
	ck_assert_uint_eq(ntohl(m.mask), 0xffffff00);
	ck_assert_uint_eq(m.nrouters, 1);
	ck_assert_uint_eq(ntohl(m.routers[0]), 0x0a4d0001);
	ck_assert_uint_eq(m.ndns, 2);
	ck_assert_uint_eq(ntohl(m.dns[1]), 0x0a4d0036);
	ck_assert_str_eq(m.domain, "ex.test");
	ck_assert_mem_eq(m.chaddr, reply_head + 28, 6);
	ck_assert(m.has & DHCP_HAS(DHCP_O_T2));
	ck_assert(!(m.has & DHCP_HAS(DHCP_O_HOSTNAME)));
}
END_TEST

START_TEST(split_options_are_concatenated_in_order)
{
	/* RFC 3396 §7: the pieces of one option join in the order seen */
	static const uint8_t opts[] = {
		53, 1, 5,
		6, 2, 10, 77,
		15, 3, 'a', 'b', '.',
		6, 6, 0, 53, 10, 77, 0, 54,
		15, 1, 'c',
		255,
	};
	uint8_t buf[DHCP_MSG_MAX];
	struct dhcp_msg m;

	ck_assert_int_eq(dhcp_msg_parse(buf, build(buf, opts, sizeof opts),
	    &m), 0);
	ck_assert_uint_eq(m.ndns, 2);
	ck_assert_uint_eq(ntohl(m.dns[0]), 0x0a4d0035);
	ck_assert_uint_eq(ntohl(m.dns[1]), 0x0a4d0036);
	ck_assert_str_eq(m.domain, "ab.c");
}
END_TEST

START_TEST(overload_reads_file_then_sname)
{
	static const uint8_t opts[] = { 53, 1, 5, 52, 1, 3, 15, 1, 'x', 255 };
	uint8_t buf[DHCP_MSG_MAX];
	size_t len = build(buf, opts, sizeof opts);
	struct dhcp_msg m;

	/* file (offset 108): router and the domain's second piece */
	memcpy(buf + 108, (const uint8_t[]){ 3, 4, A(10, 77, 0, 9), 15, 1,
	    'y', 255 }, 10);
	/* sname (offset 44): the third piece, after PADs */
	memcpy(buf + 44, (const uint8_t[]){ 0, 0, 15, 1, 'z', 255 }, 6);
	ck_assert_int_eq(dhcp_msg_parse(buf, len, &m), 0);
	ck_assert_uint_eq(ntohl(m.routers[0]), 0x0a4d0009);
	ck_assert_str_eq(m.domain, "xyz");
}
END_TEST

START_TEST(sname_is_not_options_without_overload)
{
	static const uint8_t opts[] = { 53, 1, 5, 255 };
	uint8_t buf[DHCP_MSG_MAX];
	size_t len = build(buf, opts, sizeof opts);
	struct dhcp_msg m;

	memcpy(buf + 44, "srv.example", 11);	/* a server name, not TLVs */
	ck_assert_int_eq(dhcp_msg_parse(buf, len, &m), 0);
	ck_assert(!(m.has & DHCP_HAS(DHCP_O_DOMAIN)));
}
END_TEST

START_TEST(bytes_after_end_are_ignored)
{
	static const uint8_t opts[] = { 53, 1, 6, 255, 54, 9, 1 };
	uint8_t buf[DHCP_MSG_MAX];
	struct dhcp_msg m;

	ck_assert_int_eq(dhcp_msg_parse(buf, build(buf, opts, sizeof opts),
	    &m), 0);
	ck_assert_uint_eq(m.type, DHCP_NAK);
	ck_assert(!(m.has & DHCP_HAS(DHCP_O_SERVER_ID)));
}
END_TEST

START_TEST(extra_routers_keep_the_first_ones)
{
	static const uint8_t opts[] = { 53, 1, 5, 3, 20, A(1, 0, 0, 1),
		A(1, 0, 0, 2), A(1, 0, 0, 3), A(1, 0, 0, 4), A(1, 0, 0, 5),
		255 };
	uint8_t buf[DHCP_MSG_MAX];
	struct dhcp_msg m;

	ck_assert_int_eq(dhcp_msg_parse(buf, build(buf, opts, sizeof opts),
	    &m), 0);
	ck_assert_uint_eq(m.nrouters, DHCP_MSG_ROUTERS);
	ck_assert_uint_eq(ntohl(m.routers[3]), 0x01000004);
}
END_TEST

/* Each case: what to change in a good OFFER, and why it is refused. */
struct bad_case {
	const char *what;
	size_t len;		/* 0: the built length */
	size_t at;		/* where to write `bytes`; 0 = nowhere */
	uint8_t bytes[12];
	size_t n;
	const uint8_t *opts;	/* NULL: offer_opts */
	size_t nopts;
};

static const uint8_t o_lying_len[] = { 53, 1, 2, 54, 40, A(10, 77, 0, 1) };
static const uint8_t o_len_cut[] = { 53, 1, 2, 54 };
static const uint8_t o_type_long[] = { 53, 2, 2, 2, 255 };
static const uint8_t o_type_9[] = { 53, 1, 9, 255 };
static const uint8_t o_sid_3[] = { 53, 1, 2, 54, 3, 10, 77, 0, 255 };
static const uint8_t o_lease_5[] = { 53, 1, 2, 51, 5, 0, 0, 0, 0, 1, 255 };
static const uint8_t o_router_6[] = { 53, 1, 2, 3, 6, 1, 2, 3, 4, 5, 6,
	255 };
static const uint8_t o_mask_0[] = { 53, 1, 2, 1, 0, 255 };
static const uint8_t o_domain_ctl[] = { 53, 1, 2, 15, 3, 'a', '\n', 'b',
	255 };
static const uint8_t o_domain_0[] = { 53, 1, 2, 15, 0, 255 };
static const uint8_t o_over_4[] = { 53, 1, 2, 52, 1, 4, 255 };
static const uint8_t o_over_file_bad[] = { 53, 1, 2, 52, 1, 1, 255 };
static const uint8_t o_split_type[] = { 53, 1, 2, 53, 1, 2, 255 };
static const uint8_t o_cid_1[] = { 53, 1, 2, 61, 1, 1, 255 };

#define O(x) x, sizeof x
static const struct bad_case bad_cases[] = {
	{ "one byte short of the cookie's end", 239, 0, { 0 }, 0, NULL, 0 },
	{ "over 1472 bytes", DHCP_MSG_MAX + 1, 0, { 0 }, 0, NULL, 0 },
	{ "wrong magic cookie", 0, 236, { 0x63, 0x82, 0x53, 0x64 }, 4, NULL,
	    0 },
	{ "op 3", 0, 0, { 3 }, 1, NULL, 0 },
	{ "htype 6 (IEEE 802)", 0, 1, { 6 }, 1, NULL, 0 },
	{ "hlen 16", 0, 2, { 16 }, 1, NULL, 0 },
	{ "option length runs past the end", 0, 0, { 0 }, 0, O(o_lying_len) },
	{ "length byte missing", 0, 0, { 0 }, 0, O(o_len_cut) },
	{ "type of 2 bytes", 0, 0, { 0 }, 0, O(o_type_long) },
	{ "type 9 does not exist", 0, 0, { 0 }, 0, O(o_type_9) },
	{ "server id of 3 bytes", 0, 0, { 0 }, 0, O(o_sid_3) },
	{ "lease time of 5 bytes", 0, 0, { 0 }, 0, O(o_lease_5) },
	{ "router list not a multiple of 4", 0, 0, { 0 }, 0, O(o_router_6) },
	{ "empty mask", 0, 0, { 0 }, 0, O(o_mask_0) },
	{ "domain with a control character", 0, 0, { 0 }, 0,
	    O(o_domain_ctl) },
	{ "empty domain", 0, 0, { 0 }, 0, O(o_domain_0) },
	{ "overload value 4", 0, 0, { 0 }, 0, O(o_over_4) },
	{ "overloaded file with a lying length", 0, 108, { 3, 200, 1 }, 3,
	    O(o_over_file_bad) },
	{ "overload inside the file field", 0, 108, { 52, 1, 2, 255 }, 4,
	    O(o_over_file_bad) },
	{ "type split in two pieces = 2 bytes", 0, 0, { 0 }, 0,
	    O(o_split_type) },
	{ "client id of 1 byte", 0, 0, { 0 }, 0, O(o_cid_1) },
};
#undef O

START_TEST(malformed_table_is_refused)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t buf[DHCP_MSG_MAX + 8];
	struct dhcp_msg m;
	size_t len;

	len = c->opts ? build(buf, c->opts, c->nopts) :
	    build(buf, offer_opts, sizeof offer_opts);
	if (c->len)
		len = c->len;
	if (c->n)
		memcpy(buf + c->at, c->bytes, c->n);
	ck_assert_msg(dhcp_msg_parse(buf, len, &m) == -EBADMSG, "%s: parsed",
	    c->what);
}
END_TEST

/* IPv4 + UDP from 10.77.0.1:67 to 255.255.255.255:68, payload "hi" */
static const uint8_t frame_bytes[] = {
	0x45, 0x10, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11,
	0x00, 0x00, A(10, 77, 0, 1), A(255, 255, 255, 255),
	0x00, 0x43, 0x00, 0x44, 0x00, 0x0a, 0x00, 0x00, 'h', 'i',
};

static void
frame_sums(uint8_t *f)
{
	/* RFC 1071 sums of frame_bytes, worked out outside the code */
	f[10] = 0x70;
	f[11] = 0x72;
	f[26] = 0x8c;
	f[27] = 0x9c;
}

START_TEST(frame_encodes_to_written_bytes)
{
	struct dhcp_msg_frame f = { .src = htonl(0x0a4d0001),
	    .dst = htonl(0xffffffff), .sport = 67, .dport = 68,
	    .payload = (const uint8_t *)"hi", .len = 2 };
	uint8_t want[sizeof frame_bytes], buf[64];

	memcpy(want, frame_bytes, sizeof want);
	frame_sums(want);
	ck_assert_int_eq(dhcp_msg_frame_build(&f, buf, sizeof buf),
	    (int)sizeof want);
	ck_assert_mem_eq(buf, want, sizeof want);
	ck_assert_int_eq(dhcp_msg_frame_build(&f, buf, sizeof want - 1),
	    -ENOSPC);
}
END_TEST

START_TEST(frame_parse_checks_sums_lengths_fragments)
{
	uint8_t b[sizeof frame_bytes + 4];
	struct dhcp_msg_frame f;

	memcpy(b, frame_bytes, sizeof frame_bytes);
	frame_sums(b);
	memset(b + sizeof frame_bytes, 0xee, 4);	/* link padding */
	ck_assert_int_eq(dhcp_msg_frame_parse(b, sizeof b, &f), 0);
	ck_assert_uint_eq(f.dport, 68);
	ck_assert_uint_eq(f.len, 2);
	ck_assert_mem_eq(f.payload, "hi", 2);
	b[29]++;		/* payload changed: UDP checksum fails */
	ck_assert_int_eq(dhcp_msg_frame_parse(b, sizeof b, &f), -EBADMSG);
	b[29]--;
	b[26] = b[27] = 0;	/* no UDP checksum is allowed */
	ck_assert_int_eq(dhcp_msg_frame_parse(b, sizeof b, &f), 0);
	b[25] = 0x0b;		/* UDP length lies */
	ck_assert_int_eq(dhcp_msg_frame_parse(b, sizeof b, &f), -EBADMSG);
	b[25] = 0x0a;
	b[8] = 0x3f;		/* ttl: IP header checksum fails */
	ck_assert_int_eq(dhcp_msg_frame_parse(b, sizeof b, &f), -EBADMSG);
	b[8] = 0x40;
	ck_assert_int_eq(dhcp_msg_frame_parse(b, 27, &f), -EBADMSG);
	ck_assert_int_eq(dhcp_msg_frame_parse(b, 3, &f), -EBADMSG);
}
END_TEST

START_TEST(fragment_and_other_protocols_are_not_dhcp)
{
	/* same header with MF set (sum fixed up), then as TCP */
	uint8_t frag[20] = { 0x45, 0, 0, 20, 0, 0, 0x20, 0, 64, 17, 0x00,
		0x00, A(10, 0, 0, 1), A(10, 0, 0, 2) };
	uint8_t tcp[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0x00, 0x00,
		A(10, 0, 0, 1), A(10, 0, 0, 2) };
	struct dhcp_msg_frame f;

	frag[10] = 0x46;	/* sums worked out outside the code */
	frag[11] = 0xd7;
	tcp[10] = 0x66;
	tcp[11] = 0xe2;
	ck_assert_int_eq(dhcp_msg_frame_parse(frag, 20, &f), -EBADMSG);
	ck_assert_int_eq(dhcp_msg_frame_parse(tcp, 20, &f), -ENOENT);
}
END_TEST

START_TEST(arp_probe_encodes_to_written_bytes)
{
	/* RFC 5227 §2.1.1: sender IP 0, target the address probed */
	static const uint8_t want[DHCP_MSG_ARP_LEN] = {
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x02, 0x00, 0x5e, 0xed, 0x00, 0x01, A(0, 0, 0, 0),
		0, 0, 0, 0, 0, 0, A(10, 77, 0, 130),
	};
	struct dhcp_msg_arp a = { .op = 1, .sha = { 0x02, 0x00, 0x5e, 0xed,
	    0x00, 0x01 }, .tpa = htonl(0x0a4d0082) }, back;
	uint8_t buf[DHCP_MSG_ARP_LEN];

	ck_assert_int_eq(dhcp_msg_arp_build(&a, buf, sizeof buf),
	    DHCP_MSG_ARP_LEN);
	ck_assert_mem_eq(buf, want, sizeof want);
	ck_assert_int_eq(dhcp_msg_arp_parse(buf, sizeof buf, &back), 0);
	ck_assert_uint_eq(back.op, 1);
	ck_assert_mem_eq(back.sha, a.sha, 6);
	ck_assert_uint_eq(back.tpa, a.tpa);
	ck_assert_uint_eq(back.spa, 0);
	ck_assert_int_eq(dhcp_msg_arp_parse(buf, 27, &back), -EBADMSG);
	buf[7] = 3;		/* RARP request */
	ck_assert_int_eq(dhcp_msg_arp_parse(buf, sizeof buf, &back),
	    -EBADMSG);
}
END_TEST

START_TEST(random_cuts_and_flips_never_misparse)
{
	uint8_t good[DHCP_MSG_MAX], buf[DHCP_MSG_MAX], out[DHCP_MSG_MAX];
	size_t len = build(good, offer_opts, sizeof offer_opts);
	unsigned seed = (unsigned)time(NULL);

	printf("random_cuts_and_flips_never_misparse: seed %u\n", seed);
	for (int round = 0; round < 20000; round++) {
		struct dhcp_msg m, m2;
		size_t n = len;
		int k;

		memcpy(buf, good, len);
		if (rand_r(&seed) % 2)
			n = 236 + (size_t)rand_r(&seed) % (len - 235);
		for (int f = rand_r(&seed) % 3; f > 0; f--)
			buf[240 + (size_t)rand_r(&seed) % (n > 240 ? n - 240 :
			    1)] = (uint8_t)rand_r(&seed);
		if (dhcp_msg_parse(buf, n, &m) != 0)
			continue;
		/* what parses re-encodes to something that parses the same */
		k = dhcp_msg_encode(&m, out, sizeof out);
		ck_assert_msg(k > 0, "seed %u round %d: no re-encode", seed,
		    round);
		ck_assert_msg(dhcp_msg_parse(out, (size_t)k, &m2) == 0,
		    "seed %u round %d: re-encode does not parse", seed, round);
		ck_assert_msg(memcmp(&m, &m2, sizeof m) == 0,
		    "seed %u round %d: round trip differs", seed, round);
	}
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(discover_encodes_to_written_bytes),
		CHECK_CASE(offer_bytes_parse_to_every_field),
		CHECK_CASE(split_options_are_concatenated_in_order),
		CHECK_CASE(overload_reads_file_then_sname),
		CHECK_CASE(sname_is_not_options_without_overload),
		CHECK_CASE(bytes_after_end_are_ignored),
		CHECK_CASE(extra_routers_keep_the_first_ones),
		CHECK_LOOP(malformed_table_is_refused,
		    (int)(sizeof bad_cases / sizeof bad_cases[0])),
		CHECK_CASE(frame_encodes_to_written_bytes),
		CHECK_CASE(frame_parse_checks_sums_lengths_fragments),
		CHECK_CASE(fragment_and_other_protocols_are_not_dhcp),
		CHECK_CASE(arp_probe_encodes_to_written_bytes),
		CHECK_CASE(random_cuts_and_flips_never_misparse),
	};

	return check_cases_run("dhcp_msg", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
