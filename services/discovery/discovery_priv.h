/* SPDX-License-Identifier: MIT */
/* The discovery service's private state, shared by its files. */
#ifndef CONVERGD_DISCOVERY_PRIV_H
#define CONVERGD_DISCOVERY_PRIV_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "discovery_msg.h"
#include "log.h"
#include "service.h"

#define DISCOVERY_SOURCES	256	/* sources the rate limit remembers */
#define DISCOVERY_NONCES	256	/* SET_ADDRESS nonces remembered */

struct discovery_source {
	uint32_t addr;		/* network order; 0 = free */
	double tokens;
	uint64_t last_ms;
};

struct discovery_nonce {
	uint8_t nonce[DISCOVERY_MSG_NONCE];
	uint64_t expires_ms;	/* 0 = free */
};

/* Where a request came from and which interface it arrived on. */
struct discovery_peer {
	struct sockaddr_in from;
	int ifindex;
	struct in_addr local;	/* the address it was sent to us at */
};

struct discovery {
	struct svc_ctx *ctx;
	int fd;
	bool loopback;		/* bound to 127/8: unicast only */
	char ifname[16];	/* [network] interface; "" = any */
	bool own_mac;		/* [unit] mac set: never the interface's */
	double rate, burst;	/* per source: tokens/s, bucket */
	unsigned window_s;	/* SET_ADDRESS timestamp window */
	struct discovery_source src[DISCOVERY_SOURCES];
	struct discovery_nonce nonces[DISCOVERY_NONCES];
	uint32_t counters[DISCOVERY_MSG_COUNTERS];
	uint8_t secret[32];	/* per boot: made-up salts */
	struct log_rate rate_log;
};

/* Answering (discovery_send.c). */
/* Send `m` to the peer (and by broadcast if it cannot be reached). */
void discovery_send(struct discovery *d, const struct discovery_peer *p,
    struct discovery_msg *m);
/* True if `m` names this unit (or names none, for LOCATE). */
bool discovery_is_target(const struct discovery *d,
    const struct discovery_msg *m);
/* Fill uid/mac of this unit into `m` (present bits too). */
void discovery_own_ids(const struct discovery *d, struct discovery_msg *m);
/* This unit's address, mask, gateway and DHCP flag as `p` sees it. */
void discovery_net(const struct discovery *d, const struct discovery_peer *p,
    struct discovery_msg *m);
/* False for a request on an interface other than [network] interface. */
bool discovery_on_unit_if(const struct discovery *d,
    const struct discovery_peer *p);
/* CHALLENGE and SET_ADDRESS (discovery_set.c). */
void discovery_set_challenge(struct discovery *d,
    const struct discovery_peer *p, const struct discovery_msg *req);
void discovery_set_address(struct discovery *d,
    const struct discovery_peer *p, const struct discovery_msg *req,
    const uint8_t *raw);

#endif
