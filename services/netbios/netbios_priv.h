/* SPDX-License-Identifier: MIT */
/* The netbios service's private state, shared by its files. */
#ifndef CONVERGD_NETBIOS_PRIV_H
#define CONVERGD_NETBIOS_PRIV_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "log.h"
#include "netbios_msg.h"
#include "service.h"

#define NETBIOS_NAMES		2	/* NAME<00> and NAME<20> */

/* One owned name's life (RFC 1001 §15.2, §15.5). */
enum netbios_state {
	NB_IDLE,	/* nothing to do yet (no address) */
	NB_CLAIMING,	/* B-node: broadcast registration rounds */
	NB_REGISTERING,	/* P-node: waiting for the WINS server */
	NB_REGISTERED,
	NB_CONFLICT,	/* someone else holds it: not answering for it */
	NB_SILENT,	/* WINS server did not answer: try again later */
};

struct netbios_owned {
	struct netbios_name name;
	enum netbios_state state;
	uint16_t xid;		/* of the request in flight */
	unsigned tries;
	bool refreshing;	/* the request in flight is a refresh */
	bool silence_told;	/* "server does not answer" event sent */
	uint32_t ttl;		/* granted by the WINS server */
	uint64_t deadline_ms;	/* next time-out; 0 = none */
};

enum netbios_counter {
	NB_C_ANSWERED,		/* positive name query answers */
	NB_C_STATUS,		/* node status answers */
	NB_C_MALFORMED,		/* dropped: truncated or malformed */
	NB_C_CONFLICTS,		/* refused or challenged registrations */
	NB_C_DEFENDED,		/* others' claims we refused */
	NB_C_REFRESHED,		/* refreshes the WINS server accepted */
	NB_C_COUNT
};

struct netbios {
	struct svc_ctx *ctx;
	int fd;
	struct bus_sub *sub;
	uint16_t port;
	bool loopback;		/* bound to 127/8: never broadcast */
	struct in_addr bind;	/* INADDR_ANY or the configured address */
	char ifname[16];	/* [network] interface; "" = the first up */
	bool own_mac;		/* [unit] mac set: never the interface's */
	struct in_addr addr;	/* ours, in NB records */
	struct in_addr bcast;	/* where claims go; 0 = nowhere */
	struct in_addr wins;	/* WINS server; 0 = B-node */
	uint16_t wins_port;
	uint32_t ttl;		/* asked for in registrations */
	uint8_t mac[6];
	uint16_t next_xid;
	uint64_t addr_check_ms;	/* next look at the interface address */
	struct netbios_owned names[NETBIOS_NAMES];
	uint64_t counters[NB_C_COUNT];
	struct log_rate rate_log;
};

/* Plumbing (netbios_io.c). */
/* Send `m` to `to`; false (and a rate-limited log line) on failure. */
bool netbios_send(struct netbios *nb, const struct netbios_msg *m,
    const struct sockaddr_in *to);
/* A name event (EVENT_NAME) from source "netbios". */
void netbios_event(enum event_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Learn our address, broadcast address and (with [network] interface)
 * MAC again: interfaces change.
 */
void netbios_find_addr(struct netbios *nb);
/* P-node (a WINS server is set) or B-node. */
bool netbios_pnode(const struct netbios *nb);
/* Publish the state for the status page (netbios.c). */
void netbios_publish(struct netbios *nb);

/* Registration (netbios_name.c). */
/* Read names.netbios / names.wins and (re)start claiming every name. */
void netbios_name_start(struct netbios *nb);
/* Release every registered name (a rename, or a clean stop). */
void netbios_name_release_all(struct netbios *nb);
/* Fire due time-outs; the earliest deadline left (0 = none). */
uint64_t netbios_name_tick(struct netbios *nb, uint64_t now);
/* A response to one of our requests, or a conflict demand. */
void netbios_name_response(struct netbios *nb, const struct netbios_msg *m,
    const struct sockaddr_in *from);
/* Someone else's broadcast registration: defend what we own (B-node). */
void netbios_name_defend(struct netbios *nb, const struct netbios_msg *m,
    const struct sockaddr_in *from);
/* The owned name `n` names, or NULL. */
struct netbios_owned *netbios_name_find(struct netbios *nb,
    const struct netbios_name *n);
const char *netbios_state_name(enum netbios_state s);

#endif
