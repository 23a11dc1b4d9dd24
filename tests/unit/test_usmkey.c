/* SPDX-License-Identifier: MIT */
/* RFC 3414 password-to-key with SHA-1 (core/usmkey.c). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check_cases.h"
#include "usmkey.h"

static void
hex(const uint8_t *k, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", k[i]);
}

START_TEST(sha1_matches_fips_vectors)
{
	uint8_t d[USMKEY_LEN];
	char h[41];
	static char million[1000000];

	usmkey_sha1("abc", 3, d);
	hex(d, sizeof d, h);
	ck_assert_str_eq(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	usmkey_sha1("", 0, d);
	hex(d, sizeof d, h);
	ck_assert_str_eq(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	usmkey_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, d);
	hex(d, sizeof d, h);
	ck_assert_str_eq(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	memset(million, 'a', sizeof million);
	usmkey_sha1(million, sizeof million, d);
	hex(d, sizeof d, h);
	ck_assert_str_eq(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
END_TEST

/* RFC 3414 A.3.2: "maplesyrup" with SHA-1 */
START_TEST(password_to_key_matches_rfc3414)
{
	uint8_t k[USMKEY_LEN];
	char h[41];

	ck_assert_int_eq(usmkey_derive("maplesyrup", k), 0);
	hex(k, sizeof k, h);
	ck_assert_str_eq(h, "9fb5cc0381497b3793528939ff788d5d79145211");
}
END_TEST

START_TEST(short_password_has_no_key)
{
	uint8_t k[USMKEY_LEN];

	ck_assert_int_eq(usmkey_derive("1234567", k), -EINVAL);
	ck_assert_int_eq(usmkey_derive("12345678", k), 0);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(sha1_matches_fips_vectors),
		CHECK_CASE(password_to_key_matches_rfc3414),
		CHECK_CASE(short_password_has_no_key),
	};

	return check_cases_run("usmkey", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
