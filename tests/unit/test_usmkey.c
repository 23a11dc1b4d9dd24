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
		CHECK_CASE(password_to_key_matches_rfc3414),
		CHECK_CASE(short_password_has_no_key),
	};

	return check_cases_run("usmkey", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
