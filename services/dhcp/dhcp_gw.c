/* SPDX-License-Identifier: MIT */
/*
 * Dead gateway detection. Option 3 lists routers in order of preference
 * (RFC 2132 §3.5); the default route goes through the first. With more
 * than one, the router in use is asked by ARP every `gateway_check`
 * seconds; when it leaves DHCP_GW_MISSES asks in a row unanswered (one
 * second apart once one was missed) the route moves to the next router,
 * wrapping round. Once every router has failed in turn the route stays
 * where it is until one answers again, so a dead segment does not make
 * the route (and the event log) spin.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dhcp_priv.h"
#include "priv_net.h"

#define DHCP_GW_MISSES		3
#define DHCP_GW_RETRY_MS	1000u

uint32_t
dhcp_gw_next(const struct dhcp_lease *l)
{
	for (size_t i = 0; i < l->nrouters; i++)
		if (l->routers[i] == l->router)
			return l->routers[(i + 1) % l->nrouters];
	return l->nrouters > 0 ? l->routers[0] : 0;
}

void
dhcp_gw_keep(const struct dhcp_lease *old, struct dhcp_lease *l)
{
	for (size_t i = 0; old->router != 0 && i < l->nrouters; i++)
		if (l->routers[i] == old->router)
			l->router = old->router;
}

/* Move the default route to the next router; false if it cannot. */
static bool
dhcp_gw_switch(struct dhcp *d)
{
	struct dhcp_lease *l = &d->lease;
	uint32_t next = dhcp_gw_next(l);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int rc;

	inet_ntop(AF_INET, &l->router, a, sizeof a);
	inet_ntop(AF_INET, &next, b, sizeof b);
	if (++d->gw_failed >= l->nrouters) {
		if (d->gw_failed == l->nrouters)
			log_warnx("no router answers; the route stays via %s", a);
		return false;
	}
	if ((rc = priv_net_route_default(d->ifindex, next)) < 0) {
		log_warnx("cannot route via %s: %s", b, strerror(-rc));
		return false;
	}
	l->router = next;
	d->applied.gw = next;
	d->applied.route = true;
	log_warnx("gateway %s does not answer; default route via %s", a, b);
	bus_event(EVENT_NETWORK, SEVERITY_WARNING, "dhcp: gateway %s does not "
	    "answer; default route via %s", a, b);
	dhcp_lease_save(d);
	dhcp_lease_publish(d);
	return true;
}

void
dhcp_gw_tick(struct dhcp *d, uint64_t now)
{
	const struct dhcp_lease *l = &d->lease;

	if (d->gw_check_s == 0 || l->nrouters < 2 || l->router == 0 ||
	    (d->state != DHCP_S_BOUND && d->state != DHCP_S_RENEWING &&
	    d->state != DHCP_S_REBINDING) || now < d->gw_next_ms)
		return;
	if (d->gw_asked && ++d->gw_misses >= DHCP_GW_MISSES) {
		d->gw_misses = 0;
		dhcp_gw_switch(d);
	}
	d->gw_asked = dhcp_io_arp_open(d) == 0 &&
	    dhcp_io_arp_send(d, l->addr, l->router) == 0;
	d->gw_next_ms = now + (d->gw_misses > 0 ? DHCP_GW_RETRY_MS :
	    d->gw_check_s * 1000u);
}

void
dhcp_gw_arp(struct dhcp *d, const struct dhcp_msg_arp *a)
{
	if (d->lease.router == 0 || a->spa != d->lease.router ||
	    memcmp(a->sha, d->mac, 6) == 0)
		return;
	d->gw_asked = false;
	d->gw_misses = 0;
	d->gw_failed = 0;
}
