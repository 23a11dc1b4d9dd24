/* SPDX-License-Identifier: MIT */
/* The dhcp service's private state, shared by its files. */
#ifndef CONVERGD_DHCP_PRIV_H
#define CONVERGD_DHCP_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bus.h"
#include "dhcp_msg.h"
#include "log.h"
#include "service.h"

/* RFC 2131 §4.4 client states, plus our own around them. */
enum dhcp_state {
	DHCP_S_OFF,		/* no interface, or static mode */
	DHCP_S_INIT,
	DHCP_S_SELECTING,
	DHCP_S_REQUESTING,
	DHCP_S_REBOOTING,	/* INIT-REBOOT's REQUEST sent */
	DHCP_S_PROBING,		/* RFC 5227 probe of the ACKed address */
	DHCP_S_BOUND,
	DHCP_S_RENEWING,
	DHCP_S_REBINDING,
	DHCP_S_DECLINED,	/* RFC 2131 §3.1.5: wait before INIT */
};

/* What the service counts about what it receives. */
enum dhcp_counter {
	DHCP_C_RECEIVED,	/* DHCP replies taken */
	DHCP_C_MALFORMED,	/* frame or message refused by the codec */
	DHCP_C_NOT_OURS,	/* wrong xid or chaddr */
	DHCP_C_OTHER_SERVER,	/* from a server we did not choose */
	DHCP_C_UNEXPECTED,	/* type not wanted in this state, bad lease */
	DHCP_C_COUNT
};

/* A lease as held, persisted and applied. Addresses in network order. */
struct dhcp_lease {
	uint32_t addr, mask, server;
	uint32_t router;		/* the default route's: one of routers */
	uint32_t routers[DHCP_MSG_ROUTERS];	/* option 3, in order */
	uint8_t nrouters;
	uint32_t dns[DHCP_MSG_DNS];
	uint8_t ndns;
	char domain[DHCP_MSG_TEXT];
	uint32_t lease_s, t1_s, t2_s;
	uint64_t start_ms;		/* monotonic: when the REQUEST went */
	time_t obtained;		/* wall clock, for people */
};

/* What priv_net was told last, so it can be undone. */
struct dhcp_applied {
	uint32_t addr, gw;
	int prefix;
	bool route;
};

struct dhcp {
	struct svc_ctx *ctx;
	struct bus_sub *sub;
	char ifname[16];
	int ifindex;
	uint8_t mac[6];
	int raw_fd, udp_fd, arp_fd;	/* -1 when closed */
	bool dhcp_mode;			/* network.dhcp = 1 */
	enum dhcp_state state;
	uint64_t deadline_ms;		/* next time-out in this state */
	unsigned tries;			/* sends in this state */
	uint32_t xid;
	uint64_t began_ms;		/* first DISCOVER/REQUEST (secs) */
	struct dhcp_lease offer;	/* offer or ACK being worked on */
	struct dhcp_lease lease;	/* the lease held (addr 0 = none) */
	struct dhcp_applied applied;
	uint64_t probe_end_ms;
	unsigned probes;
	uint64_t counters[DHCP_C_COUNT];
	struct log_rate rate_log;
	/* [dhcp] keys */
	char hostname[64], vendor_class[64], lease_file[4096];
	char resolv_conf[4096];
	bool release_on_stop, arp_probe;
	unsigned probe_ms, decline_wait_s;
	unsigned retry_base_ms, retry_max_ms, start_delay_ms;
	/* dead gateway detection (dhcp_gw.c) */
	unsigned gw_check_s;		/* 0 = off */
	uint64_t gw_next_ms;
	unsigned gw_misses, gw_failed;
	bool gw_asked;
};

/* ---- dhcp_fsm.c: the RFC 2131 client ---- */
/* Start acquiring: INIT-REBOOT with the last lease, or INIT. */
void dhcp_fsm_start(struct dhcp *d, uint64_t now);
/* The state's time-out came. */
void dhcp_fsm_timeout(struct dhcp *d, uint64_t now);
/* A DHCP reply passed the codec. */
void dhcp_fsm_packet(struct dhcp *d, const struct dhcp_msg *m,
    uint64_t now);
/* An ARP packet arrived while probing. */
void dhcp_fsm_arp(struct dhcp *d, const struct dhcp_msg_arp *a,
    uint64_t now);
/* Leave DHCP (static mode, stop): RELEASE if asked, drop the lease. */
void dhcp_fsm_stop(struct dhcp *d, bool release);
const char *dhcp_fsm_state_name(enum dhcp_state s);
/*
 * The wait before the first DISCOVER (RFC 2131 §4.4.1), from a random
 * number: 1 s up to `max_ms`, or 0 up to `max_ms` when that is under 1 s.
 */
uint64_t dhcp_fsm_start_delay_ms(unsigned max_ms, uint32_t rnd);
/* The lease an OFFER or ACK describes; false if it is unusable. */
bool dhcp_fsm_lease_from(const struct dhcp_msg *m, struct dhcp_lease *l);

/* ---- dhcp_gw.c: dead gateway detection ---- */
/* The router after the one in use in the lease's list (wrapping round). */
uint32_t dhcp_gw_next(const struct dhcp_lease *l);
/* A renewed lease `l` keeps `old`'s router in use if it still lists it. */
void dhcp_gw_keep(const struct dhcp_lease *old, struct dhcp_lease *l);
/* Once per loop: ask the router in use, move on when it stays silent. */
void dhcp_gw_tick(struct dhcp *d, uint64_t now);
/* An ARP packet while bound: the router in use answered? */
void dhcp_gw_arp(struct dhcp *d, const struct dhcp_msg_arp *a);

/* ---- dhcp_io.c: sockets ---- */
int dhcp_io_open(struct dhcp *d, char *why, size_t whylen);
void dhcp_io_close(struct dhcp *d);
/* Broadcast from 0.0.0.0 (or `src`) over the raw socket. */
int dhcp_io_broadcast(struct dhcp *d, const struct dhcp_msg *m,
    uint32_t src);
/* Unicast to a server from the bound address (UDP socket). */
int dhcp_io_unicast(struct dhcp *d, const struct dhcp_msg *m, uint32_t to);
/* Read what the raw socket holds: frames to the FSM, refusals counted. */
void dhcp_io_read(struct dhcp *d, uint64_t now);
int dhcp_io_arp_open(struct dhcp *d);
void dhcp_io_arp_close(struct dhcp *d);
int dhcp_io_arp_send(struct dhcp *d, uint32_t spa, uint32_t tpa);
void dhcp_io_arp_read(struct dhcp *d, uint64_t now);
/* Throw away what the UDP socket received (the raw socket saw it). */
void dhcp_io_udp_drain(struct dhcp *d);

/* ---- dhcp_lease.c: apply, persist, publish ---- */
/* Apply a lease (or a static set-up) through priv_net; 0 or -errno. */
int dhcp_lease_apply(struct dhcp *d, const struct dhcp_lease *l,
    uint32_t lifetime_s);
/* Undo what was applied (address and default route). */
void dhcp_lease_unapply(struct dhcp *d);
int dhcp_lease_save(const struct dhcp *d);
/* The last lease from the file; 0, or -ENOENT. */
int dhcp_lease_load(const struct dhcp *d, struct dhcp_lease *l);
/* Show the lease (or none) in the shared state. */
void dhcp_lease_publish(const struct dhcp *d);
/* Static mode from network.* settings; 0, or -EINVAL and a reason. */
int dhcp_lease_static(struct dhcp_lease *l, char *why, size_t whylen);

#endif
