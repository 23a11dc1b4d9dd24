/* SPDX-License-Identifier: MIT */
/*
 * SET_ADDRESS authentication helpers (docs/discovery.md): the salt of a
 * stored hash, the key a client derives from a password, HMAC-SHA256.
 * Shared by the service and converge-console.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "discovery_auth.h"

int
discovery_auth_salt(const char *hash, char *salt, size_t len)
{
	const char *end = strrchr(hash, '$');
	size_t n;

	if (hash[0] != '$' || end == NULL || end == hash)
		return -EINVAL;
	n = (size_t)(end - hash) + 1;
	if (n >= len)
		return -ENOSPC;
	memcpy(salt, hash, n);
	salt[n] = '\0';
	return 0;
}

int
discovery_auth_key(const char *password, const char *salt, char *key,
    size_t len)
{
	struct crypt_data *cd = calloc(1, sizeof *cd);
	const char *h;
	int err = -EINVAL;

	if (cd == NULL)
		return -ENOMEM;
	h = crypt_rn(password, salt, cd, sizeof *cd);
	/* crypt_rn fails with NULL or a string starting with '*' */
	if (h != NULL && h[0] == '$' && strlen(h) < len) {
		snprintf(key, len, "%s", h);
		err = 0;
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return err;
}

void
discovery_auth_mac(const char *key, const uint8_t *data, size_t len,
    uint8_t out[32])
{
	unsigned outlen = 32;

	HMAC(EVP_sha256(), key, (int)strlen(key), data, len, out, &outlen);
}

int
discovery_auth_equal(const uint8_t a[32], const uint8_t b[32])
{
	return CRYPTO_memcmp(a, b, 32) == 0;
}
