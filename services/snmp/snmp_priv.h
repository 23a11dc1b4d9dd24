/* SPDX-License-Identifier: MIT */
/*
 * Private to the SNMP service (services/snmp/snmp*.c): the agent's state,
 * owned by the service thread, and the MIB registration. net-snmp is not
 * reentrant: every net-snmp call happens on that one thread.
 */
#ifndef CONVERGD_SNMP_PRIV_H
#define CONVERGD_SNMP_PRIV_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "bus.h"
#include "service.h"
#include "snmp_map.h"
#include "state.h"

/* 1.3.6.1.4.1.21831.10: module CONVERGD-MIB (docs/CONVERGD-MIB.txt) */
#define SNMP_CV_OID 1, 3, 6, 1, 4, 1, SNMP_MAP_ENTERPRISE, 10
#define SNMP_CV_OID_LEN 8
/* sysObjectID: cvProducts.1 */
#define SNMP_PRODUCT_OID SNMP_CV_OID, 3, 1
#define SNMP_SERVICES_MAX 32

struct snmp_session;
struct variable_list;
struct snmp_agent;

/*
 * A destination on a session of the service's own: informs (the first
 * destination in inform mode, v2c-inform and v3-inform among 2-8), so an
 * unacknowledged one is seen and reported, and v3 traps (sent with the
 * agent's engine id as the authoritative one).
 */
#define SNMP_SESSIONS_MAX (1 + SNMP_MAP_DESTS)
struct snmp_dest_session {
	struct snmp_agent *a;
	struct snmp_session *s;	/* NULL: not open (v3 probe failed) */
	struct snmp_map_dest d;
	char peer[136];		/* "host:port" */
	char who[160];		/* "SNMP manager a.b.c.d:port", for logs */
	bool silent;		/* reported; cleared by the next ack */
	bool closing;		/* snmp_close times out what is pending */
	time_t retry_at;	/* when to try opening again */
};

struct snmp_agent {
	struct svc_ctx *ctx;
	struct state_identity id;
	char conf_dir[300];	/* data_dir (<= 255) + "/conf" */
	char persist_dir[300];
	char conf_file[320];
	char conf_text[SNMP_MAP_CONF_MAX];	/* what net-snmp last read */
	struct bus_sub *sub;
	struct snmp_map_bucket bucket;
	bool lib_up;		/* init_agent ran: shut net-snmp down */
	/* SNMPv3 users made from the state's keys, and those told that
	   they have none yet */
	char usm_users[STATE_USERS_MAX][32];
	size_t nusm_users;
	char usm_warned[STATE_USERS_MAX][32];
	size_t nusm_warned;
	/* informs and v3 traps: sessions of our own */
	struct snmp_dest_session sess[SNMP_SESSIONS_MAX];
	size_t nsess;
	uint32_t bad_seen;	/* snmpInBadCommunityNames last looked at */
	/* health, shown in cvAgent */
	uint32_t requests, sets, notes_sent, notes_dropped, informs_unacked;
	time_t last_request;
	uint32_t in_pkts_seen;	/* snmpInPkts at the last look */
	char detail[256];	/* the health last put in the status */
	/* scratch for the service and event tables (too big for a stack) */
	struct bus_service services[SNMP_SERVICES_MAX];
	struct bus_event events[STATE_EVENTS_MAX];
};

/* Register the system group and CONVERGD-MIB; 0 or -errno. */
int snmp_mib_register(struct snmp_agent *a);
/* Make net-snmp's SNMPv3 users match the state's Managers and Admins. */
void snmp_usm_sync(struct snmp_agent *a);
/* Destinations 2-8 from the state, with their v3 users' keys. */
size_t snmp_dest_list(struct snmp_map_dest *out);
/* Notifications out (snmp_notify.c): informs on a session of ours. */
void snmp_notify_open(struct snmp_agent *a);
void snmp_notify_close(struct snmp_agent *a);
void snmp_notify_send(struct snmp_agent *a, struct variable_list *vars);
void snmp_notify_start(struct snmp_agent *a, bool warm);
void snmp_notify_auth_check(struct snmp_agent *a);
/* Send the notification for bus message `m` to every trap destination. */
void snmp_mib_notify(struct snmp_agent *a, const struct bus_msg *m);

#endif
