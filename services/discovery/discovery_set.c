/* SPDX-License-Identifier: MIT */
/*
 * CHALLENGE and SET_ADDRESS (docs/discovery.md "Authentication"): an
 * Administrator's request, signed with a key derived from the password
 * hash, fresh (timestamp window) and used once (remembered nonces),
 * changes the network settings through the shared state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "discovery_auth.h"
#include "discovery_priv.h"
#include "state.h"

/* A salt for a user that does not exist, the same every time this boot. */
static void
discovery_set_fake_salt(const struct discovery *d, const char *user,
    char *salt, size_t len)
{
	static const char b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";
	char key[2 * sizeof d->secret + 1];
	uint8_t mac[32];
	char s[17];

	for (size_t i = 0; i < sizeof d->secret; i++)
		snprintf(key + 2 * i, 3, "%02x", d->secret[i]);
	discovery_auth_mac(key, (const uint8_t *)user, strlen(user), mac);
	for (size_t i = 0; i < 16; i++)
		s[i] = b64[mac[i] % 64];
	s[16] = '\0';
	snprintf(salt, len, "$6$%s$", s);
}

void
discovery_set_challenge(struct discovery *d, const struct discovery_peer *p,
    const struct discovery_msg *req)
{
	struct discovery_msg m = { .type = DISCOVERY_CHALLENGE_REPLY,
	    .xid = req->xid };
	char hash[DISCOVERY_AUTH_KEY_MAX];
	enum user_level level;

	if (state_user_hash(req->user, hash, sizeof hash, &level) < 0 ||
	    discovery_auth_salt(hash, m.salt, sizeof m.salt) < 0)
		discovery_set_fake_salt(d, req->user, m.salt, sizeof m.salt);
	explicit_bzero(hash, sizeof hash);
	discovery_own_ids(d, &m);
	m.unit_time = (uint64_t)time(NULL);
	m.present |= DISCOVERY_BIT(DISCOVERY_T_SALT) |
	    DISCOVERY_BIT(DISCOVERY_T_UNIT_TIME);
	discovery_send(d, p, &m);
}

/* The request's MAC under the user's stored hash; false if it fails. */
static bool
discovery_set_authentic(const struct discovery_msg *req, const uint8_t *raw)
{
	char hash[DISCOVERY_AUTH_KEY_MAX];
	enum user_level level = LEVEL_USER;
	uint8_t mac[32];
	bool known;

	known = state_user_hash(req->user, hash, sizeof hash, &level) == 0;
	if (!known)	/* the same work either way */
		snprintf(hash, sizeof hash, "$6$unknown$");
	discovery_auth_mac(hash, raw, req->auth_off, mac);
	explicit_bzero(hash, sizeof hash);
	return discovery_auth_equal(mac, req->auth) && known &&
	    level == LEVEL_ADMIN;
}

/* Remember a nonce: DISCOVERY_OK, _REPLAY if seen, _BUSY if no room. */
static int
discovery_set_nonce(struct discovery *d, const uint8_t *nonce)
{
	uint64_t now = clock_ms();
	struct discovery_nonce *free_slot = NULL;

	for (size_t i = 0; i < DISCOVERY_NONCES; i++) {
		struct discovery_nonce *n = &d->nonces[i];

		if (n->expires_ms > now && memcmp(n->nonce, nonce,
		    DISCOVERY_MSG_NONCE) == 0)
			return DISCOVERY_REPLAY;
		if (n->expires_ms <= now && free_slot == NULL)
			free_slot = n;
	}
	if (free_slot == NULL)
		return DISCOVERY_BUSY;
	memcpy(free_slot->nonce, nonce, DISCOVERY_MSG_NONCE);
	/* longer than any timestamp the window still accepts */
	free_slot->expires_ms = now + 2000u * d->window_s + 1000u;
	return DISCOVERY_OK;
}

struct discovery_change {
	enum state_setting what;
	char value[INET_ADDRSTRLEN];
};

static size_t
discovery_set_changes(const struct discovery_msg *req,
    struct discovery_change *c)
{
	static const struct {
		int tlv;
		enum state_setting what;
		size_t off;
	} rows[] = {
		{ DISCOVERY_T_ADDRESS, SET_NET_ADDR,
		    offsetof(struct discovery_msg, address) },
		{ DISCOVERY_T_NETMASK, SET_NET_MASK,
		    offsetof(struct discovery_msg, netmask) },
		{ DISCOVERY_T_GATEWAY, SET_NET_GATEWAY,
		    offsetof(struct discovery_msg, gateway) },
	};
	size_t n = 0;

	/* DHCP first, then the address: the order an installer types them */
	if (req->present & DISCOVERY_BIT(DISCOVERY_T_DHCP)) {
		c[n].what = SET_NET_DHCP_ON;
		snprintf(c[n++].value, sizeof c->value, "%u", req->dhcp);
	}
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		uint32_t a;

		if (!(req->present & DISCOVERY_BIT(rows[i].tlv)))
			continue;
		memcpy(&a, (const char *)req + rows[i].off, sizeof a);
		c[n].what = rows[i].what;
		inet_ntop(AF_INET, &a, c[n++].value, sizeof c->value);
	}
	return n;
}

/* Check every setting, then set them; DISCOVERY_OK or _INVALID. */
static int
discovery_set_apply(const struct discovery_msg *req,
    const struct origin *o, char *why, size_t whylen)
{
	struct discovery_change c[4];
	size_t n = discovery_set_changes(req, c);
	char canon[64];

	for (size_t i = 0; i < n; i++)
		if (state_setting_check(c[i].what, c[i].value, canon,
		    sizeof canon, why, whylen) < 0)
			return DISCOVERY_INVALID;
	for (size_t i = 0; i < n; i++)
		if (state_setting_set(c[i].what, c[i].value, o, why,
		    whylen) < 0)
			return DISCOVERY_INVALID;
	return DISCOVERY_OK;
}

static int
discovery_set_decide(struct discovery *d, const struct discovery_peer *p,
    const struct discovery_msg *req, const uint8_t *raw, char *why,
    size_t whylen)
{
	int64_t skew = (int64_t)(req->timestamp - (uint64_t)time(NULL));
	struct origin o;
	char from[INET_ADDRSTRLEN];
	int rc;

	if (skew > (int64_t)d->window_s || -skew > (int64_t)d->window_s) {
		snprintf(why, whylen, "timestamp %lld s off the unit's clock",
		    (long long)skew);
		return DISCOVERY_STALE;
	}
	if (!discovery_set_authentic(req, raw)) {
		snprintf(why, whylen, "wrong user or password, or not an "
		    "Administrator");
		return DISCOVERY_REFUSED;
	}
	if ((rc = discovery_set_nonce(d, req->nonce)) != DISCOVERY_OK) {
		snprintf(why, whylen, rc == DISCOVERY_REPLAY ? "nonce used "
		    "before" : "too many recent requests");
		return rc;
	}
	inet_ntop(AF_INET, &p->from.sin_addr, from, sizeof from);
	bus_origin_set(&o, svc_name(d->ctx), 0);
	snprintf(o.user, sizeof o.user, "%s", req->user);
	snprintf(o.from, sizeof o.from, "discovery %s:%u", from,
	    ntohs(p->from.sin_port));
	return discovery_set_apply(req, &o, why, whylen);
}

void
discovery_set_address(struct discovery *d, const struct discovery_peer *p,
    const struct discovery_msg *req, const uint8_t *raw)
{
	static const int counter[] = {
		[DISCOVERY_OK] = DISCOVERY_C_CHANGED,
		[DISCOVERY_REFUSED] = DISCOVERY_C_AUTH_FAILED,
		[DISCOVERY_REPLAY] = DISCOVERY_C_REPLAYED,
		[DISCOVERY_STALE] = DISCOVERY_C_STALE,
		[DISCOVERY_INVALID] = -1,
		[DISCOVERY_BUSY] = -1,
	};
	struct discovery_msg m = { .type = DISCOVERY_SET_RESULT,
	    .xid = req->xid };
	char from[INET_ADDRSTRLEN];

	m.status = (uint8_t)discovery_set_decide(d, p, req, raw, m.reason,
	    sizeof m.reason);
	if (counter[m.status] >= 0)
		d->counters[counter[m.status]]++;
	inet_ntop(AF_INET, &p->from.sin_addr, from, sizeof from);
	if (m.status == DISCOVERY_OK)
		log_info("set-address by %s from %s", req->user, from);
	else
		log_warnx_rl(&d->rate_log, "set-address from %s %s: %s", from,
		    discovery_msg_status_name(m.status), m.reason);
	discovery_own_ids(d, &m);
	m.present |= DISCOVERY_BIT(DISCOVERY_T_STATUS);
	if (m.reason[0] != '\0')
		m.present |= DISCOVERY_BIT(DISCOVERY_T_REASON);
	discovery_send(d, p, &m);
}
