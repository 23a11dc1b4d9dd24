/* SPDX-License-Identifier: MIT */
/* SET_ADDRESS authentication helpers (docs/discovery.md "Authentication"). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check_cases.h"
#include "discovery/discovery_auth.h"

/* Python's crypt.crypt("converge", "$6$abcdefgh$"): what a unit stores */
static const char stored[] = "$6$abcdefgh$TmJu2mcTVqhROebZnLN9d6ArdVSuc8r"
    "OaPhPzmgflXkAecYQKc21q/BkWLc4gJgSX7PoM4iIZZ2DT.zf4R8Om.";

START_TEST(salt_is_the_hash_up_to_its_last_dollar)
{
	char salt[65];

	ck_assert_int_eq(discovery_auth_salt(stored, salt, sizeof salt), 0);
	ck_assert_str_eq(salt, "$6$abcdefgh$");
	ck_assert_int_eq(discovery_auth_salt("$6$rounds=9000$xy$HASH", salt,
	    sizeof salt), 0);
	ck_assert_str_eq(salt, "$6$rounds=9000$xy$");
	ck_assert_int_eq(discovery_auth_salt("plain", salt, sizeof salt),
	    -EINVAL);
	ck_assert_int_eq(discovery_auth_salt(stored, salt, 8), -ENOSPC);
}
END_TEST

START_TEST(key_from_password_and_salt_is_the_stored_hash)
{
	char key[DISCOVERY_AUTH_KEY_MAX];

	ck_assert_int_eq(discovery_auth_key("converge", "$6$abcdefgh$", key,
	    sizeof key), 0);
	ck_assert_str_eq(key, stored);
	ck_assert_int_eq(discovery_auth_key("Converge", "$6$abcdefgh$", key,
	    sizeof key), 0);
	ck_assert_str_ne(key, stored);
	ck_assert_int_eq(discovery_auth_key("converge", "*", key,
	    sizeof key), -EINVAL);
}
END_TEST

/* RFC 4231 test case 2 */
START_TEST(mac_is_hmac_sha256)
{
	static const uint8_t want[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e,
		0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
		0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	const char *data = "what do ya want for nothing?";
	uint8_t mac[32], other[32];

	discovery_auth_mac("Jefe", (const uint8_t *)data, strlen(data), mac);
	ck_assert_mem_eq(mac, want, 32);
	ck_assert(discovery_auth_equal(mac, want));
	memcpy(other, want, 32);
	other[31] ^= 1;
	ck_assert(!discovery_auth_equal(mac, other));
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(salt_is_the_hash_up_to_its_last_dollar),
		CHECK_CASE(key_from_password_and_salt_is_the_stored_hash),
		CHECK_CASE(mac_is_hmac_sha256),
	};

	return check_cases_run("discovery_auth", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
