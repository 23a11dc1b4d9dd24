/* SPDX-License-Identifier: MIT */
/*
 * The SNMP service's pure part: the private net-snmp configuration text
 * made from the shared state's settings, which bus messages become which
 * notification of CONVERGD-MIB, the audio channel rows of the unit MIB,
 * gains in 0.01 dB and the notification rate limit. No net-snmp, no
 * sockets, locks, logging or clock, so it is unit tested on its own.
 */
#ifndef CONVERGD_SNMP_MAP_H
#define CONVERGD_SNMP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "model.h"
#include "state.h"

#define SNMP_MAP_ENTERPRISE 21831	/* ClearOne, protocol.md §7 */
#define SNMP_MAP_CONF_MAX 4096

enum snmp_map_trap { SNMP_MAP_TRAP_V1, SNMP_MAP_TRAP_V2C, SNMP_MAP_INFORM };

/* Destinations 2-8 (snmp.trap2 .. snmp.trap8). */
#define SNMP_MAP_DESTS (SET_SNMP_TRAP8 - SET_SNMP_TRAP2 + 1)
struct snmp_map_dest {
	int setting;		/* SET_SNMP_TRAP2 .. SET_SNMP_TRAP8 */
	struct state_snmp_trap t;
	/* v3: the user's RFC 3414 Ku in hex ("" = no key: left out) */
	char key_hex[2 * 20 + 1];
};

struct snmp_map_conf {
	const char *ro_community;	/* state snmp.ro_community */
	const char *rw_community;	/* "" = no SET by community */
	const char *sources;	/* "127.0.0.1, 10.1.0.0/16" or "default" */
	const char *manager;	/* "" = no trap destination */
	int manager_port;
	enum snmp_map_trap trap;
	bool auth_traps;	/* authenticationFailure on a bad community */
	/* SNMPv3 users (Managers and Administrators with a key): read and
	   write at authPriv only */
	const char *const *v3_users;
	size_t nv3_users;
	const struct snmp_map_dest *dests;	/* more destinations */
	size_t ndests;
};

/*
 * The snmpd.conf-style text for net-snmp: a view limited to what the
 * unit publishes (never the VACM/USM tables), the communities per source
 * network, the SNMPv3 users' access and the v1/v2c trap destinations
 * (trapsink, trap2sink) among the first and 2-8. The USM users are made
 * in the agent from the state's keys; informs and v3 traps go out on the
 * service's own sessions (snmp_notify.c). A community net-snmp's parser
 * would split or quote is left out and named in `why` (the call still
 * returns 0 so the rest works); -EINVAL for a bad source list or a short
 * buffer.
 */
int snmp_map_conf_text(const struct snmp_map_conf *c, char *buf,
    size_t len, char *why, size_t whylen);
/* 0 if `sources` is "default" or IPv4 addresses/networks; -EINVAL + why. */
int snmp_map_sources_check(const char *sources, char *why, size_t whylen);

/* Notifications, the last arc under cvNotifications (CONVERGD-MIB). */
enum snmp_map_note {
	SNMP_MAP_NOTE_NONE = 0,
	SNMP_MAP_NOTE_EVENT = 1,	/* a BUS_EVENT (log line) */
	SNMP_MAP_NOTE_SERVICE = 2,	/* a service changed state */
	SNMP_MAP_NOTE_AUDIO = 3,	/* gain, mute, label, preset, ... */
	SNMP_MAP_NOTE_SETTING = 4,	/* a unit setting changed */
};
/* Which notification `m` is (NONE: not sent, e.g. meter ticks). */
enum snmp_map_note snmp_map_note(const struct bus_msg *m);

/*
 * Channel table rows: the model's groups that own gain storage (the M
 * and L views of the inputs are left out: they would repeat rows), in
 * table order. Rows count from 1.
 */
int snmp_map_rows(const struct model *m);
int snmp_map_row(const struct model *m, int row,
    const struct model_group **group, int *channel);

/* Gain in dB <-> the MIB's Integer32 in 0.01 dB (rounded). */
long snmp_map_centidb(double db);
double snmp_map_db(long centidb);

/* Token bucket: at most `rate` notifications a second, bursts of rate. */
struct snmp_map_bucket {
	unsigned rate;
	double tokens;
	uint64_t last_ms;
};
void snmp_map_bucket_init(struct snmp_map_bucket *b, unsigned rate,
    uint64_t now_ms);
bool snmp_map_bucket_take(struct snmp_map_bucket *b, uint64_t now_ms);

#endif
