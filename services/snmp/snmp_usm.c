/* SPDX-License-Identifier: MIT */
/*
 * SNMPv3 users: the unit's Managers and Administrators, authPriv with
 * SHA and AES-128, made in net-snmp's USM from the key the state keeps
 * for each password (RFC 3414 Ku, core/usmkey.h), localised to this
 * agent's engine id. They are volatile in net-snmp (never written to its
 * persistent file) and made again whenever the users change. A user
 * without a key is told, once, to set the password again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "log.h"
#include "snmp_priv.h"

#define USM_AES_KEY_LEN 16	/* AES-128 takes the first 16 bytes of Kul */

static bool
usm_listed(char (*names)[32], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static struct usmUser *
usm_make(const char *name, const uint8_t ku[USMKEY_LEN], const u_char *eid,
    size_t elen)
{
	struct usmUser *u = usm_create_user();
	u_char kul[SNMP_MAXBUF_SMALL];
	size_t kullen = sizeof kul;

	if (u == NULL)
		return NULL;
	SNMP_FREE(u->authProtocol);
	SNMP_FREE(u->privProtocol);
	u->name = strdup(name);
	u->secName = strdup(name);
	u->engineID = netsnmp_memdup(eid, elen);
	u->engineIDLen = elen;
	u->authProtocol = snmp_duplicate_objid(usmHMACSHA1AuthProtocol,
	    USM_AUTH_PROTO_SHA_LEN);
	u->authProtocolLen = USM_AUTH_PROTO_SHA_LEN;
	u->privProtocol = snmp_duplicate_objid(usmAESPrivProtocol,
	    USM_PRIV_PROTO_AES_LEN);
	u->privProtocolLen = USM_PRIV_PROTO_AES_LEN;
	if (generate_kul(usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN, eid,
	    elen, ku, USMKEY_LEN, kul, &kullen) == SNMPERR_SUCCESS &&
	    kullen >= USM_AES_KEY_LEN) {
		u->authKey = netsnmp_memdup(kul, kullen);
		u->authKeyLen = kullen;
		u->privKey = netsnmp_memdup(kul, USM_AES_KEY_LEN);
		u->privKeyLen = USM_AES_KEY_LEN;
	}
	explicit_bzero(kul, sizeof kul);
	u->userStorageType = ST_VOLATILE;
	u->userStatus = RS_ACTIVE;
	if (u->name == NULL || u->secName == NULL || u->engineID == NULL ||
	    u->authProtocol == NULL || u->privProtocol == NULL ||
	    u->authKey == NULL || u->privKey == NULL)
		return usm_free_user(u);
	return u;
}

/* Tell a Manager or Administrator without a key, once per start. */
static void
usm_warn(struct snmp_agent *a, const char *name)
{
	if (usm_listed(a->usm_warned, a->nusm_warned, name) ||
	    a->nusm_warned >= STATE_USERS_MAX)
		return;
	snprintf(a->usm_warned[a->nusm_warned++], sizeof a->usm_warned[0],
	    "%.31s", name);
	bus_event(EVENT_PASSWORD, SEVERITY_WARNING, "SNMPv3: user %s has no "
	    "key yet; set the password again (8 characters or more)", name);
}

void
snmp_usm_sync(struct snmp_agent *a)
{
	struct state_user_info users[STATE_USERS_MAX];
	size_t n = state_user_list(users, STATE_USERS_MAX);
	u_char eid[SNMP_MAXBUF_SMALL];
	size_t elen = snmpv3_get_engineID(eid, sizeof eid);
	uint8_t ku[USMKEY_LEN];
	struct usmUser *u;

	for (size_t i = 0; i < a->nusm_users; i++) {
		u = usm_get_user(eid, elen, a->usm_users[i]);
		if (u == NULL)
			continue;
		/* it returns the list's head, not the user */
		usm_remove_user(u);
		usm_free_user(u);
	}
	a->nusm_users = 0;
	for (size_t i = 0; i < n; i++) {
		int err;

		if (users[i].level < LEVEL_MANAGER)
			continue;
		err = state_user_usm_key(users[i].name, ku);
		if (err == -ENODATA)
			usm_warn(a, users[i].name);
		if (err < 0)
			continue;
		u = usm_make(users[i].name, ku, eid, elen);
		if (u == NULL) {
			log_warnx("SNMPv3: cannot make user %s",
			    users[i].name);
			continue;
		}
		usm_add_user(u);
		snprintf(a->usm_users[a->nusm_users++],
		    sizeof a->usm_users[0], "%.31s", users[i].name);
	}
	explicit_bzero(ku, sizeof ku);
}
