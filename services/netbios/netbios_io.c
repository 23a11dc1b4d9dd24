/* SPDX-License-Identifier: MIT */
/*
 * The netbios service's plumbing, under both netbios.c (answers) and
 * netbios_name.c (owning the names): sending a datagram, name events on
 * the bus, our address and broadcast address, B-node or P-node.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netbios_priv.h"

bool
netbios_pnode(const struct netbios *nb)
{
	return nb->wins.s_addr != INADDR_ANY;
}

void
netbios_event(enum event_severity sev, const char *fmt, ...)
{
	struct bus_msg msg;
	va_list ap;

	memset(&msg, 0, sizeof msg);
	msg.type = BUS_EVENT;
	msg.u.event.category = EVENT_NAME;
	msg.u.event.severity = sev;
	msg.u.event.when = time(NULL);
	snprintf(msg.u.event.source, sizeof msg.u.event.source, "netbios");
	va_start(ap, fmt);
	vsnprintf(msg.u.event.text, sizeof msg.u.event.text, fmt, ap);
	va_end(ap);
	bus_publish(&msg);
}

bool
netbios_send(struct netbios *nb, const struct netbios_msg *m,
    const struct sockaddr_in *to)
{
	uint8_t buf[NETBIOS_MSG_MAX];
	int n = netbios_msg_encode(m, buf, sizeof buf);

	if (n < 0) {
		log_warnx_rl(&nb->rate_log, "cannot encode: %s", strerror(-n));
		return false;
	}
	if (sendto(nb->fd, buf, (size_t)n, MSG_DONTWAIT,
	    (const struct sockaddr *)to, sizeof *to) != n) {
		log_warnx_rl(&nb->rate_log, "send to %s:%u: %s",
		    inet_ntoa(to->sin_addr), ntohs(to->sin_port),
		    strerror(errno));
		return false;
	}
	return true;
}

/* The interface's hardware address (an AF_PACKET entry of getifaddrs). */
static void
netbios_if_mac(struct netbios *nb, const struct ifaddrs *i)
{
	const struct sockaddr_ll *ll = (const void *)i->ifa_addr;

	if (!nb->own_mac && ll->sll_halen == sizeof nb->mac)
		memcpy(nb->mac, ll->sll_addr, sizeof nb->mac);
}

/*
 * Our address and where broadcasts go: the bound address's interface,
 * [network] interface when set (the unit's; no other), or else the
 * first broadcast-capable IPv4 interface that is up. Loopback never
 * broadcasts.
 */
void
netbios_find_addr(struct netbios *nb)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	nb->addr = nb->bind;
	nb->bcast.s_addr = INADDR_ANY;
	if (nb->loopback || getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const struct sockaddr_in *a = (const void *)i->ifa_addr;
		const struct sockaddr_in *b = (const void *)i->ifa_broadaddr;

		if (a == NULL || (nb->ifname[0] != '\0' &&
		    strcmp(i->ifa_name, nb->ifname) != 0))
			continue;
		if (a->sin_family == AF_PACKET && nb->ifname[0] != '\0')
			netbios_if_mac(nb, i);
		if (found || a->sin_family != AF_INET || b == NULL ||
		    !(i->ifa_flags & IFF_UP) || (i->ifa_flags &
		    IFF_LOOPBACK) || !(i->ifa_flags & IFF_BROADCAST))
			continue;
		if (nb->bind.s_addr != INADDR_ANY &&
		    a->sin_addr.s_addr != nb->bind.s_addr)
			continue;
		nb->addr = a->sin_addr;
		nb->bcast = b->sin_addr;
		found = true;
	}
	freeifaddrs(ifa);
}
