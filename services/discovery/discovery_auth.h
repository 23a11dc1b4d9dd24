/* SPDX-License-Identifier: MIT */
/*
 * SET_ADDRESS authentication (docs/discovery.md "Authentication"): the
 * key is the crypt(3) hash of the password, which the unit stores and
 * the client computes from the password and the salt the unit sends.
 */
#ifndef CONVERGD_DISCOVERY_AUTH_H
#define CONVERGD_DISCOVERY_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define DISCOVERY_AUTH_KEY_MAX 128

/* The salt of a crypt(3) hash: everything up to its last '$'. */
int discovery_auth_salt(const char *hash, char *salt, size_t len);
/* key = crypt(password, salt); 0 or -EINVAL (salt crypt(3) refuses). */
int discovery_auth_key(const char *password, const char *salt, char *key,
    size_t len);
/* HMAC-SHA256 of data under the key string. */
void discovery_auth_mac(const char *key, const uint8_t *data, size_t len,
    uint8_t out[32]);
/* Constant-time comparison of two 32-byte MACs. */
int discovery_auth_equal(const uint8_t a[32], const uint8_t b[32]);

#endif
