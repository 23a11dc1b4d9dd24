/* SPDX-License-Identifier: MIT */
/*
 * Owning the unit's names NAME<00> and NAME<20> (RFC 1001 §15.2, §15.5):
 * a B-node claims them with three broadcast registrations 250 ms apart
 * and then defends them; a P-node registers them with the WINS server,
 * refreshes at half the granted TTL and releases them when it stops. A
 * state machine per name, as two switches: on time-out and on response.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "netbios_priv.h"
#include "state.h"

/* RFC 1002 §6: BCAST_REQ_RETRY_TIMEOUT and _COUNT */
#define BCAST_RETRY_MS		250
#define BCAST_TRIES		3
#define UCAST_RETRY_MS		2000
#define UCAST_TRIES		3
#define SILENT_RETRY_MS		30000	/* WINS server silent */
#define NO_ADDR_RETRY_MS	5000	/* no interface address yet */
#define WACK_MAX_S		120

static const uint8_t netbios_suffixes[NETBIOS_NAMES] = { 0x00, 0x20 };

static const char *const state_names[] = {
	[NB_IDLE] = "idle",
	[NB_CLAIMING] = "claiming",
	[NB_REGISTERING] = "registering",
	[NB_REGISTERED] = "registered",
	[NB_CONFLICT] = "conflict",
	[NB_SILENT] = "server silent",
};

const char *
netbios_state_name(enum netbios_state s)
{
	return state_names[s];
}

/*
 * The name in names.netbios or, when empty, MODEL-UUUUUU from the model
 * and the last 6 hex digits of the UID (at most 7 + 1 + 6 characters).
 */
static void
netbios_base_name(char *out, size_t len)
{
	struct state_identity id;

	if (state_setting_get(SET_NETBIOS_NAME, out, len) < 0)
		out[0] = '\0';
	if (out[0] == '\0') {
		state_identity(&id);
		snprintf(out, len, "%.7s-%s", id.model->name,
		    id.uid + (strlen(id.uid) > 6 ? strlen(id.uid) - 6 : 0));
	}
	for (char *p = out; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
}

struct netbios_owned *
netbios_name_find(struct netbios *nb, const struct netbios_name *n)
{
	for (size_t i = 0; i < NETBIOS_NAMES; i++)
		if (netbios_msg_name_eq(&nb->names[i].name, n))
			return &nb->names[i];
	return NULL;
}

/* Registration, refresh or release of `o`: to the WINS server or broadcast. */
static void
netbios_request(struct netbios *nb, struct netbios_owned *o,
    enum netbios_opcode op)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct netbios_msg m;

	memset(&m, 0, sizeof m);
	m.xid = o->xid;
	m.flags = NETBIOS_FLAGS(op) | NETBIOS_F_RD;
	m.has_question = true;
	m.qname = o->name;
	m.qtype = NETBIOS_T_NB;
	m.has_rr = true;
	m.rrname = o->name;
	m.rrtype = NETBIOS_T_NB;
	m.ttl = nb->ttl;
	m.n_nb = 1;
	m.nb[0].flags = netbios_pnode(nb) ? NETBIOS_NB_ONT_P :
	    NETBIOS_NB_ONT_B;
	m.nb[0].addr = nb->addr.s_addr;
	if (netbios_pnode(nb)) {
		to.sin_addr = nb->wins;
		to.sin_port = htons(nb->wins_port);
	} else {
		m.flags |= NETBIOS_F_BROADCAST;
		to.sin_addr = nb->bcast;
		to.sin_port = htons(nb->port);
	}
	netbios_send(nb, &m, &to);
}

/* Start owning `o`: claim it by broadcast or ask the WINS server. */
static void
netbios_begin(struct netbios *nb, struct netbios_owned *o, uint64_t now)
{
	o->xid = nb->next_xid++;
	o->tries = 1;
	o->refreshing = false;
	o->ttl = 0;
	if (nb->addr.s_addr == INADDR_ANY) {
		o->state = NB_IDLE;
		o->deadline_ms = now + NO_ADDR_RETRY_MS;
	} else if (netbios_pnode(nb)) {
		o->state = NB_REGISTERING;
		o->deadline_ms = now + UCAST_RETRY_MS;
		netbios_request(nb, o, NETBIOS_OP_REGISTER);
	} else if (nb->bcast.s_addr == INADDR_ANY) {
		/* loopback: nobody to ask, nothing is ever broadcast */
		o->state = NB_REGISTERED;
		o->deadline_ms = 0;
	} else {
		o->state = NB_CLAIMING;
		o->deadline_ms = now + BCAST_RETRY_MS;
		netbios_request(nb, o, NETBIOS_OP_REGISTER);
	}
}

void
netbios_name_start(struct netbios *nb)
{
	char base[NETBIOS_NAME_CHARS + 1], wins[64];
	uint64_t now = clock_ms();

	netbios_base_name(base, sizeof base);
	nb->wins.s_addr = INADDR_ANY;
	if (state_setting_get(SET_WINS_SERVER, wins, sizeof wins) == 0 &&
	    wins[0] != '\0' && inet_pton(AF_INET, wins, &nb->wins) != 1)
		nb->wins.s_addr = INADDR_ANY;
	netbios_find_addr(nb);
	log_info("claiming %s as a %s%s%s", base, netbios_pnode(nb) ?
	    "P-node with WINS server " : "B-node", netbios_pnode(nb) ?
	    inet_ntoa(nb->wins) : "", nb->bcast.s_addr == INADDR_ANY &&
	    !netbios_pnode(nb) ? " (no broadcasts)" : "");
	for (size_t i = 0; i < NETBIOS_NAMES; i++) {
		struct netbios_owned *o = &nb->names[i];

		memset(o, 0, sizeof *o);
		netbios_msg_name(&o->name, base, netbios_suffixes[i]);
		netbios_begin(nb, o, now);
	}
}

void
netbios_name_release_all(struct netbios *nb)
{
	for (size_t i = 0; i < NETBIOS_NAMES; i++) {
		struct netbios_owned *o = &nb->names[i];

		if (o->state == NB_REGISTERED || (o->state ==
		    NB_REGISTERING && o->refreshing)) {
			o->xid = nb->next_xid++;
			if (netbios_pnode(nb) || nb->bcast.s_addr !=
			    INADDR_ANY)
				netbios_request(nb, o, NETBIOS_OP_RELEASE);
			log_info("released %s<%02X>", o->name.name,
			    o->name.suffix);
		}
		o->state = NB_IDLE;
		o->deadline_ms = 0;
	}
}

static void
netbios_registered(struct netbios *nb, struct netbios_owned *o,
    uint32_t ttl, uint64_t now)
{
	if (o->refreshing)
		nb->counters[NB_C_REFRESHED]++;
	if (!o->refreshing || o->ttl != ttl)
		log_info("%s %s<%02X> with %s, ttl %u s", o->refreshing ?
		    "refreshed" : "registered", o->name.name, o->name.suffix,
		    inet_ntoa(nb->wins), ttl);
	o->state = NB_REGISTERED;
	o->ttl = ttl;
	o->refreshing = false;
	o->silence_told = false;
	/* refresh at half the TTL, as Samba and Windows do */
	o->deadline_ms = now + (uint64_t)ttl * 500;
}

/* The time-out switch: retry, give up, refresh. */
static void
netbios_timeout(struct netbios *nb, struct netbios_owned *o, uint64_t now)
{
	switch (o->state) {
	case NB_CLAIMING:
		if (o->tries++ < BCAST_TRIES) {
			o->deadline_ms = now + BCAST_RETRY_MS;
			netbios_request(nb, o, NETBIOS_OP_REGISTER);
			break;
		}
		/* nobody objected: the name is ours (RFC 1001 §15.2.2.1) */
		o->state = NB_REGISTERED;
		o->deadline_ms = 0;
		log_info("claimed %s<%02X> by broadcast", o->name.name,
		    o->name.suffix);
		break;
	case NB_REGISTERING:
		if (o->tries++ < UCAST_TRIES) {
			o->deadline_ms = now + UCAST_RETRY_MS;
			netbios_request(nb, o, o->refreshing ?
			    NETBIOS_OP_REFRESH : NETBIOS_OP_REGISTER);
			break;
		}
		o->state = NB_SILENT;
		o->deadline_ms = now + SILENT_RETRY_MS;
		if (o->silence_told)
			break;	/* once until it answers again */
		o->silence_told = true;
		netbios_event(SEVERITY_WARNING, "WINS server %s does not "
		    "answer for %s<%02X>", inet_ntoa(nb->wins), o->name.name,
		    o->name.suffix);
		break;
	case NB_REGISTERED:
		o->state = NB_REGISTERING;
		o->refreshing = true;
		o->tries = 1;
		o->xid = nb->next_xid++;
		o->deadline_ms = now + UCAST_RETRY_MS;
		netbios_request(nb, o, NETBIOS_OP_REFRESH);
		break;
	case NB_IDLE:
		netbios_find_addr(nb);
		/* FALLTHROUGH */
	case NB_SILENT:
		netbios_begin(nb, o, now);
		break;
	case NB_CONFLICT:
		o->deadline_ms = 0;	/* until the name changes */
		break;
	}
}

uint64_t
netbios_name_tick(struct netbios *nb, uint64_t now)
{
	uint64_t next = 0;

	for (size_t i = 0; i < NETBIOS_NAMES; i++) {
		struct netbios_owned *o = &nb->names[i];

		if (o->deadline_ms != 0 && now >= o->deadline_ms)
			netbios_timeout(nb, o, now);
		if (o->deadline_ms != 0 && (next == 0 ||
		    o->deadline_ms < next))
			next = o->deadline_ms;
	}
	return next;
}

static void
netbios_conflict(struct netbios *nb, struct netbios_owned *o,
    const struct sockaddr_in *from, unsigned rcode)
{
	o->state = NB_CONFLICT;
	o->deadline_ms = 0;
	nb->counters[NB_C_CONFLICTS]++;
	netbios_event(SEVERITY_WARNING, "name conflict: %s<%02X> refused "
	    "by %s (rcode %u%s)", o->name.name, o->name.suffix,
	    inet_ntoa(from->sin_addr), rcode, rcode == NETBIOS_RC_ACT ?
	    ", name active" : rcode == NETBIOS_RC_RFS ? ", refused" :
	    rcode == NETBIOS_RC_CFT ? ", conflict" : "");
}

/* The response switch: registered, wait longer (WACK), or refused. */
void
netbios_name_response(struct netbios *nb, const struct netbios_msg *m,
    const struct sockaddr_in *from)
{
	unsigned op = NETBIOS_OPCODE(m->flags), rcode = NETBIOS_RCODE(m->flags);
	struct netbios_owned *o = m->has_rr ? netbios_name_find(nb,
	    &m->rrname) : NULL;
	uint64_t now = clock_ms();

	if (o == NULL || op == NETBIOS_OP_QUERY || op == NETBIOS_OP_RELEASE)
		return;
	/* a name conflict demand (RFC 1002 §4.2.8) needs no request */
	if (o->state == NB_REGISTERED && rcode == NETBIOS_RC_CFT) {
		netbios_conflict(nb, o, from, rcode);
		return;
	}
	if (m->xid != o->xid || (o->state != NB_CLAIMING && o->state !=
	    NB_REGISTERING) || (netbios_pnode(nb) &&
	    from->sin_addr.s_addr != nb->wins.s_addr))
		return;
	if (op == NETBIOS_OP_WACK) {
		o->deadline_ms = now + 1000ull * (m->ttl == 0 ? 1 : m->ttl >
		    WACK_MAX_S ? WACK_MAX_S : m->ttl);
		return;
	}
	if (rcode != NETBIOS_RC_OK)
		netbios_conflict(nb, o, from, rcode);
	else if (o->state == NB_REGISTERING)
		netbios_registered(nb, o, m->ttl ? m->ttl : nb->ttl, now);
}

/*
 * A B-node owning a name answers another node's registration of it with
 * a negative response (RFC 1001 §15.2.2.2); the WINS server arbitrates
 * for a P-node.
 */
void
netbios_name_defend(struct netbios *nb, const struct netbios_msg *m,
    const struct sockaddr_in *from)
{
	struct netbios_owned *o = netbios_name_find(nb, &m->qname);
	struct netbios_msg r;

	if (netbios_pnode(nb) || o == NULL || o->state != NB_REGISTERED ||
	    (m->n_nb > 0 && m->nb[0].addr == nb->addr.s_addr))
		return;
	memset(&r, 0, sizeof r);
	r.xid = m->xid;
	r.flags = NETBIOS_F_RESPONSE | NETBIOS_FLAGS(NETBIOS_OP_REGISTER) |
	    NETBIOS_F_AA | NETBIOS_F_RD | NETBIOS_RC_ACT;
	r.has_rr = true;
	r.rrname = m->qname;
	r.rrtype = NETBIOS_T_NB;
	r.n_nb = 1;
	r.nb[0].flags = NETBIOS_NB_ONT_B;
	r.nb[0].addr = nb->addr.s_addr;
	netbios_send(nb, &r, from);
	nb->counters[NB_C_CONFLICTS]++;
	nb->counters[NB_C_DEFENDED]++;
	netbios_event(SEVERITY_WARNING, "name conflict: %s claimed "
	    "%s<%02X>; defended", inet_ntoa(from->sin_addr), o->name.name,
	    o->name.suffix);
}
