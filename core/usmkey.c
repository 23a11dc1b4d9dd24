/* SPDX-License-Identifier: MIT */
/*
 * RFC 3414 password-to-key with SHA-1 (usmkey.h), on OpenSSL's libcrypto
 * digests: 1 MB of the password repeated, hashed once.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "usmkey.h"

int
usmkey_derive(const char *password, uint8_t key[USMKEY_LEN])
{
	size_t n = strlen(password), at = 0;
	unsigned int keylen = USMKEY_LEN;
	uint8_t chunk[64];
	EVP_MD_CTX *md;
	int ok;

	if (n < USMKEY_MIN_PASSWORD)
		return -EINVAL;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha1(), NULL);
	for (size_t done = 0; ok && done < 1048576; done += sizeof chunk) {
		for (size_t i = 0; i < sizeof chunk; i++) {
			chunk[i] = (uint8_t)password[at];
			at = at + 1 == n ? 0 : at + 1;
		}
		ok = EVP_DigestUpdate(md, chunk, sizeof chunk);
	}
	ok = ok && EVP_DigestFinal_ex(md, key, &keylen);
	EVP_MD_CTX_free(md);
	explicit_bzero(chunk, sizeof chunk);
	return ok ? 0 : -EIO;
}
