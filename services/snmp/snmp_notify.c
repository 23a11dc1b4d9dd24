/* SPDX-License-Identifier: MIT */
/*
 * Where notifications go. v1 and v2c traps go to the sinks net-snmp keeps
 * from the private configuration. Informs go out on a session of our own
 * (snmp_async_send), so an inform the manager never acknowledges, after
 * its retries, is seen here and reported (log, event, cvAgent counter)
 * instead of vanishing inside the library. In inform mode the standard
 * traps net-snmp would send by itself (coldStart/warmStart,
 * authenticationFailure) are sent from here as well.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "log.h"
#include "snmp_priv.h"

static const oid notify_trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid notify_enterprise_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 3,
	0 };
static const oid notify_uptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };

void
snmp_notify_close(struct snmp_agent *a)
{
	if (a->inform != NULL)
		snmp_close(a->inform);
	a->inform = NULL;
}

static int
notify_done(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct snmp_agent *a = magic;

	(void)s;
	(void)reqid;
	(void)pdu;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && a->inform_silent) {
		a->inform_silent = false;
		log_info("SNMP manager %s acknowledges informs again",
		    a->inform_peer);
	} else if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		a->informs_unacked++;
		/* once per silence: the event is an inform to it, too */
		if (!a->inform_silent) {
			a->inform_silent = true;
			bus_event(EVENT_ERRORS, SEVERITY_WARNING, "SNMP manager "
			    "%s does not acknowledge informs", a->inform_peer);
		}
	}
	return 1;
}

/* (Re)open the inform session for the state's manager, if informs. */
void
snmp_notify_open(struct snmp_agent *a)
{
	char manager[32], port[16], community[64];
	netsnmp_session s;

	snmp_notify_close(a);
	a->inform_silent = false;
	state_setting_get(SET_SNMP_MANAGER, manager, sizeof manager);
	state_setting_get(SET_SNMP_MANAGER_PORT, port, sizeof port);
	state_setting_get(SET_SNMP_RO_COMMUNITY, community, sizeof community);
	if (strcmp(svc_cfg_str(a->ctx, "trap_version"), "inform") != 0 ||
	    manager[0] == '\0')
		return;
	snprintf(a->inform_peer, sizeof a->inform_peer, "%s:%s", manager,
	    port);
	snmp_sess_init(&s);
	s.version = SNMP_VERSION_2c;
	s.peername = a->inform_peer;
	s.community = (u_char *)(uintptr_t)community;
	s.community_len = strlen(community);
	s.retries = (int)svc_cfg_int(a->ctx, "inform_retries");
	s.timeout = svc_cfg_int(a->ctx, "inform_timeout") * 1000000L;
	a->inform = snmp_open(&s);
	if (a->inform == NULL)
		log_warnx("cannot open an inform session to %s", a->inform_peer);
}

void
snmp_notify_send(struct snmp_agent *a, netsnmp_variable_list *vars)
{
	netsnmp_pdu *pdu;
	u_long up;

	/* net-snmp's sinks: the first destination as a trap, and 2-8 */
	send_v2trap(vars);
	if (a->inform == NULL) {
		a->notes_sent++;
		return;
	}
	pdu = snmp_pdu_create(SNMP_MSG_INFORM);
	if (pdu == NULL)
		return;
	up = netsnmp_get_agent_uptime();
	snmp_pdu_add_variable(pdu, notify_uptime_oid,
	    OID_LENGTH(notify_uptime_oid), ASN_TIMETICKS, &up, sizeof up);
	for (netsnmp_variable_list *v = vars; v != NULL; v = v->next_variable)
		snmp_pdu_add_variable(pdu, v->name, v->name_length, v->type,
		    v->val.string, v->val_len);
	if (snmp_async_send(a->inform, pdu, notify_done, a) == 0) {
		snmp_free_pdu(pdu);
		a->informs_unacked++;
		return;
	}
	a->notes_sent++;
}

/* coldStart or warmStart (RFC 3418), carrying our sysObjectID. */
void
snmp_notify_start(struct snmp_agent *a, bool warm)
{
	static const oid product[] = { SNMP_PRODUCT_OID };
	oid which[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, warm ? 2 : 1 };
	netsnmp_variable_list *vars = NULL;

	if (a->inform == NULL) {
		send_enterprise_trap_vars(warm ? SNMP_TRAP_WARMSTART :
		    SNMP_TRAP_COLDSTART, 0, product, OID_LENGTH(product), NULL);
		a->notes_sent++;
		return;
	}
	snmp_varlist_add_variable(&vars, notify_trap_oid,
	    OID_LENGTH(notify_trap_oid), ASN_OBJECT_ID, which, sizeof which);
	snmp_varlist_add_variable(&vars, notify_enterprise_oid,
	    OID_LENGTH(notify_enterprise_oid), ASN_OBJECT_ID, product,
	    sizeof product);
	snmp_notify_send(a, vars);
	snmp_free_varbind(vars);
}

/*
 * Informs only (net-snmp's own authenticationFailure goes to sinks):
 * one notification when bad community names were counted since the
 * last look.
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
	if (a->inform == NULL || !svc_cfg_bool(a->ctx, "auth_traps"))
		return;
	snmp_varlist_add_variable(&vars, notify_trap_oid,
	    OID_LENGTH(notify_trap_oid), ASN_OBJECT_ID, authfail,
	    sizeof authfail);
	snmp_notify_send(a, vars);
	snmp_free_varbind(vars);
}
