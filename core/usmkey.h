/* SPDX-License-Identifier: MIT */
/*
 * SNMPv3 USM master keys (RFC 3414 §2.6, A.2.2): a user's password turned
 * into the 20-byte SHA-1 key Ku, so the state can keep the key instead of
 * any password and an SNMP agent can localise it to its engine id. Pure
 * (no state, no locks); the digests are libcrypto's.
 */
#ifndef CONVERGD_USMKEY_H
#define CONVERGD_USMKEY_H

#include <stddef.h>
#include <stdint.h>

#define USMKEY_LEN 20		/* SHA-1 */
#define USMKEY_MIN_PASSWORD 8	/* RFC 3414 §11.2 */

/*
 * Ku for `password` (1 MB of the password repeated, hashed with SHA-1).
 * -EINVAL if it is shorter than USMKEY_MIN_PASSWORD characters, -ENOMEM
 * or -EIO if the digest cannot be computed.
 */
int usmkey_derive(const char *password, uint8_t key[USMKEY_LEN]);

#endif
