/* SPDX-License-Identifier: MIT */
/*
 * Where notifications go. v1 and v2c traps go to the sinks net-snmp keeps
 * from the private configuration. Informs (to any destination) and v3
 * traps go out on sessions of our own: an inform a destination never
 * acknowledges, after its retries, is seen here and reported (log, event,
 * cvAgent counter) instead of vanishing inside the library, the same for
 * every destination; a v3 trap is sent as the unit's user with this
 * agent's engine id as the authoritative one (RFC 3414), which a session
 * of ours sets without asking the receiver. The standard notifications
 * net-snmp sends by itself to its sinks (coldStart/warmStart,
 * authenticationFailure) are sent from here to our sessions.
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

/* a v3 destination whose engine id probe failed is tried again then */
#define NOTIFY_REOPEN_S 30
/* the probe is synchronous (net-snmp): keep it short */
#define NOTIFY_PROBE_US 500000L

/* libnetsnmp exports it without a header (snmp_api.c) */
int snmpv3_engineID_probe(void *slp, netsnmp_session *in_session);

static const oid notify_trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid notify_enterprise_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 3,
	0 };
static const oid notify_uptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };

void
snmp_notify_close(struct snmp_agent *a)
{
	for (size_t i = 0; i < a->nsess; i++) {
		struct snmp_dest_session *d = &a->sess[i];

		/* snmp_close calls back pending informs as timed out */
		d->closing = true;
		if (d->s != NULL)
			snmp_close(d->s);
		d->s = NULL;
	}
	a->nsess = 0;
}

/* Once per silence: the event is an inform to it, too. */
static void
notify_silence(struct snmp_dest_session *d)
{
	d->a->informs_unacked++;
	if (d->silent)
		return;
	d->silent = true;
	bus_event(EVENT_ERRORS, SEVERITY_WARNING, "%s does not acknowledge "
	    "informs", d->who);
}

static int
notify_done(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct snmp_dest_session *d = magic;

	(void)s;
	(void)reqid;
	(void)pdu;
	if (d->closing)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && d->silent) {
		d->silent = false;
		log_info("%s acknowledges informs again", d->who);
	} else if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		notify_silence(d);
	}
	return 1;
}

static bool
notify_is_v3(const struct snmp_dest_session *d)
{
	return d->d.t.kind == TRAP_V3_INFORM || d->d.t.kind == TRAP_V3;
}

/* SNMPv3 authPriv, SHA/AES, as the unit's user with the password's Ku. */
static int
notify_v3(netsnmp_session *s, const struct snmp_dest_session *d,
    u_char *eid, size_t eidlen)
{
	uint8_t ku[USMKEY_LEN];

	if (state_user_usm_key(d->d.t.name, ku) != 0)
		return -ENOENT;
	s->version = SNMP_VERSION_3;
	s->securityName = (char *)(uintptr_t)d->d.t.name;
	s->securityNameLen = strlen(d->d.t.name);
	s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
	s->securityAuthProto = usmHMACSHA1AuthProtocol;
	s->securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
	s->securityPrivProto = usmAESPrivProtocol;
	s->securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
	memcpy(s->securityAuthKey, ku, USMKEY_LEN);
	s->securityAuthKeyLen = USMKEY_LEN;
	memcpy(s->securityPrivKey, ku, USMKEY_LEN);
	s->securityPrivKeyLen = USMKEY_LEN;
	explicit_bzero(ku, sizeof ku);
	if (d->d.t.kind == TRAP_V3) {
		/* traps: we are the authoritative engine, nothing to probe */
		s->flags |= SNMP_FLAGS_DONT_PROBE;
		s->securityEngineID = eid;
		s->securityEngineIDLen = eidlen;
		s->contextEngineID = eid;
		s->contextEngineIDLen = eidlen;
	}
	return 0;
}

static void
notify_session_drop(struct snmp_dest_session *d)
{
	d->closing = true;
	snmp_close(d->s);
	d->s = NULL;
	d->closing = false;
}

/*
 * A v3 inform needs the receiver's engine id (RFC 3414 discovery), which
 * net-snmp would otherwise ask for synchronously on every send, with the
 * informs' timeout and retries: ask once here, briefly.
 */
static bool
notify_probe(struct snmp_dest_session *d)
{
	long timeout = d->s->timeout;
	int retries = d->s->retries;
	int ok;

	d->s->timeout = NOTIFY_PROBE_US;
	d->s->retries = 0;
	ok = snmpv3_engineID_probe(snmp_sess_pointer(d->s), d->s);
	d->s->timeout = timeout;
	d->s->retries = retries;
	return ok && d->s->securityEngineIDLen > 0;
}

/* Open (again) the session of one destination; false if it failed. */
static bool
notify_session_open(struct snmp_agent *a, struct snmp_dest_session *d)
{
	u_char eid[SNMP_MAXBUF_SMALL];
	size_t eidlen = snmpv3_get_engineID(eid, sizeof eid);
	netsnmp_session s;

	snmp_sess_init(&s);
	s.peername = d->peer;
	s.retries = (int)svc_cfg_int(a->ctx, "inform_retries");
	s.timeout = svc_cfg_int(a->ctx, "inform_timeout") * 1000000L;
	if (!notify_is_v3(d)) {
		s.version = SNMP_VERSION_2c;
		s.community = (u_char *)d->d.t.name;
		s.community_len = strlen(d->d.t.name);
	} else if (notify_v3(&s, d, eid, eidlen) < 0) {
		return false;
	}
	d->s = snmp_open(&s);
	explicit_bzero(s.securityAuthKey, sizeof s.securityAuthKey);
	explicit_bzero(s.securityPrivKey, sizeof s.securityPrivKey);
	if (d->s != NULL && d->d.t.kind == TRAP_V3_INFORM && !notify_probe(d))
		notify_session_drop(d);
	if (d->s == NULL) {
		d->retry_at = time(NULL) + NOTIFY_REOPEN_S;
		return false;
	}
	return true;
}

static void
notify_add(struct snmp_agent *a, const struct snmp_map_dest *m)
{
	struct snmp_dest_session *d = &a->sess[a->nsess++];

	memset(d, 0, sizeof *d);
	d->a = a;
	d->d = *m;
	snprintf(d->peer, sizeof d->peer, "%s:%d", m->t.host, m->t.port);
	if (m->setting == SET_SNMP_MANAGER)
		snprintf(d->who, sizeof d->who, "SNMP manager %s:%d",
		    m->t.host, m->t.port);
	else
		snprintf(d->who, sizeof d->who, "SNMP trap destination %s "
		    "(%s:%d)", state_setting_info(m->setting)->key, m->t.host,
		    m->t.port);
	if (!notify_session_open(a, d)) {
		log_warnx("cannot open a session to %s", d->who);
		if (d->d.t.kind == TRAP_V3_INFORM)
			notify_silence(d);
	}
}

/* The first destination when it takes informs. */
static bool
notify_first(struct snmp_agent *a, struct snmp_map_dest *m)
{
	char port[16];

	memset(m, 0, sizeof *m);
	m->setting = SET_SNMP_MANAGER;
	m->t.kind = TRAP_V2C_INFORM;
	state_setting_get(SET_SNMP_MANAGER, m->t.host, sizeof m->t.host);
	state_setting_get(SET_SNMP_MANAGER_PORT, port, sizeof port);
	state_setting_get(SET_SNMP_RO_COMMUNITY, m->t.name, sizeof m->t.name);
	m->t.port = atoi(port);
	return strcmp(svc_cfg_str(a->ctx, "trap_version"), "inform") == 0 &&
	    m->t.host[0] != '\0';
}

/* (Re)open a session for every destination that is no net-snmp sink. */
void
snmp_notify_open(struct snmp_agent *a)
{
	struct snmp_map_dest dests[SNMP_MAP_DESTS], first;
	size_t n = snmp_dest_list(dests);

	snmp_notify_close(a);
	if (notify_first(a, &first))
		notify_add(a, &first);
	for (size_t i = 0; i < n; i++) {
		const struct state_snmp_trap *t = &dests[i].t;

		if (t->kind == TRAP_V1 || t->kind == TRAP_V2C)
			continue;
		if (t->kind != TRAP_V2C_INFORM && dests[i].key_hex[0] == '\0')
			log_warnx("trap destination %s:%d left out: no Manager "
			    "or Administrator with a key named %s", t->host,
			    t->port, t->name);
		else
			notify_add(a, &dests[i]);
	}
	explicit_bzero(dests, sizeof dests);
}

/* The notification `vars` to one of our sessions. */
static void
notify_one(struct snmp_dest_session *d, netsnmp_variable_list *vars)
{
	bool inform = d->d.t.kind != TRAP_V3;
	netsnmp_pdu *pdu;
	u_long up;

	if (d->s == NULL && (time(NULL) < d->retry_at ||
	    !notify_session_open(d->a, d))) {
		if (inform)
			notify_silence(d);
		return;
	}
	pdu = snmp_pdu_create(inform ? SNMP_MSG_INFORM : SNMP_MSG_TRAP2);
	if (pdu == NULL)
		return;
	if (!inform) {	/* as net-snmp's own v3 traps: our engine id */
		u_char eid[SNMP_MAXBUF_SMALL];
		size_t eidlen = snmpv3_get_engineID(eid, sizeof eid);

		pdu->securityEngineID = netsnmp_memdup(eid, eidlen);
		pdu->securityEngineIDLen = eidlen;
	}
	up = netsnmp_get_agent_uptime();
	snmp_pdu_add_variable(pdu, notify_uptime_oid,
	    OID_LENGTH(notify_uptime_oid), ASN_TIMETICKS, &up, sizeof up);
	for (netsnmp_variable_list *v = vars; v != NULL; v = v->next_variable)
		snmp_pdu_add_variable(pdu, v->name, v->name_length, v->type,
		    v->val.string, v->val_len);
	if ((inform ? snmp_async_send(d->s, pdu, notify_done, d) :
	    snmp_send(d->s, pdu)) == 0) {
		snmp_free_pdu(pdu);
		if (inform)
			notify_silence(d);
	}
}

/* To our sessions only (net-snmp's sinks had it already). */
static void
notify_sessions(struct snmp_agent *a, netsnmp_variable_list *vars)
{
	for (size_t i = 0; i < a->nsess; i++)
		notify_one(&a->sess[i], vars);
}

void
snmp_notify_send(struct snmp_agent *a, netsnmp_variable_list *vars)
{
	/* net-snmp's sinks: the v1/v2c trap destinations */
	send_v2trap(vars);
	notify_sessions(a, vars);
	a->notes_sent++;
}

/* coldStart or warmStart (RFC 3418), carrying our sysObjectID. */
void
snmp_notify_start(struct snmp_agent *a, bool warm)
{
	static const oid product[] = { SNMP_PRODUCT_OID };
	oid which[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, warm ? 2 : 1 };
	netsnmp_variable_list *vars = NULL;

	send_enterprise_trap_vars(warm ? SNMP_TRAP_WARMSTART :
	    SNMP_TRAP_COLDSTART, 0, product, OID_LENGTH(product), NULL);
	a->notes_sent++;
	snmp_varlist_add_variable(&vars, notify_trap_oid,
	    OID_LENGTH(notify_trap_oid), ASN_OBJECT_ID, which, sizeof which);
	snmp_varlist_add_variable(&vars, notify_enterprise_oid,
	    OID_LENGTH(notify_enterprise_oid), ASN_OBJECT_ID, product,
	    sizeof product);
	notify_sessions(a, vars);
	snmp_free_varbind(vars);
}

/*
 * net-snmp sends authenticationFailure to its sinks; our sessions get
 * one notification when bad community names were counted since the last
 * look.
 */
void
snmp_notify_auth_check(struct snmp_agent *a)
{
	static const oid authfail[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, 5 };
	uint32_t bad = snmp_get_statistic(STAT_SNMPINBADCOMMUNITYNAMES);
	netsnmp_variable_list *vars = NULL;

	if (bad == a->bad_seen)
		return;
	a->bad_seen = bad;
	if (a->nsess == 0 || !svc_cfg_bool(a->ctx, "auth_traps"))
		return;
	snmp_varlist_add_variable(&vars, notify_trap_oid,
	    OID_LENGTH(notify_trap_oid), ASN_OBJECT_ID, authfail,
	    sizeof authfail);
	notify_sessions(a, vars);
	snmp_free_varbind(vars);
}
