/* SPDX-License-Identifier: MIT */
/*
 * What the unit says about itself in every answer (UID, MAC, address)
 * and how an answer leaves: back to the asker, and by broadcast on the
 * interface it came in on when the asker is on another subnet. Below
 * discovery.c and discovery_set.c, which both answer through it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "discovery_priv.h"
#include "priv_net.h"
#include "state.h"

static int
discovery_hex_bytes(const char *text, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		while (*text == ':')
			text++;
		if (sscanf(text, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (uint8_t)v;
		text += 2;
	}
	return 0;
}

void
discovery_own_ids(const struct discovery *d, struct discovery_msg *m)
{
	struct state_identity id;
	int ifindex;

	state_identity(&id);
	if (discovery_hex_bytes(id.uid, m->uid, 4) == 0)
		m->present |= DISCOVERY_BIT(DISCOVERY_T_UID);
	/* the unit's interface's own address, unless [unit] mac says */
	if (d->ifname[0] != '\0' && !d->own_mac &&
	    priv_net_link_info(d->ifname, &ifindex, m->mac) == 0)
		m->present |= DISCOVERY_BIT(DISCOVERY_T_MAC);
	else if (discovery_hex_bytes(id.mac, m->mac, 6) == 0)
		m->present |= DISCOVERY_BIT(DISCOVERY_T_MAC);
}

bool
discovery_is_target(const struct discovery *d, const struct discovery_msg *m)
{
	struct discovery_msg own = { 0 };

	discovery_own_ids(d, &own);
	if ((m->present & DISCOVERY_BIT(DISCOVERY_T_TARGET_UID)) &&
	    memcmp(m->target_uid, own.uid, 4) != 0)
		return false;
	if ((m->present & DISCOVERY_BIT(DISCOVERY_T_TARGET_MAC)) &&
	    memcmp(m->target_mac, own.mac, 6) != 0)
		return false;
	return true;
}

/* The unit itself asking (a tool on it): never a broadcast answer. */
static bool
discovery_from_self(const struct discovery_peer *p)
{
	return (ntohl(p->from.sin_addr.s_addr) >> 24) == 127;
}

/*
 * With [network] interface set, the unit is on that network only: a
 * request from another interface is dropped. Loopback is the unit
 * itself asking (a tool on it), so it is answered.
 */
bool
discovery_on_unit_if(const struct discovery *d,
    const struct discovery_peer *p)
{
	if (d->ifname[0] == '\0' || discovery_from_self(p))
		return true;
	return p->ifindex != 0 && p->ifindex == (int)if_nametoindex(d->ifname);
}

static uint32_t
discovery_setting_addr(enum state_setting s)
{
	char text[64];
	struct in_addr a = { 0 };

	if (state_setting_get(s, text, sizeof text) == 0 && text[0] != '\0')
		inet_pton(AF_INET, text, &a);
	return a.s_addr;
}

static uint32_t
discovery_text_addr(const char *text)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, text, &a);
	return a.s_addr;
}

/*
 * The address in use, as ENETADDR answers: the lease's while DHCP holds
 * one, else the static settings.
 */
static void
discovery_net_settings(struct discovery_msg *m)
{
	struct state_lease l;
	char text[8];

	m->dhcp = state_setting_get(SET_NET_DHCP_ON, text, sizeof text) == 0 &&
	    text[0] == '1';
	state_lease_get(&l);
	if (m->dhcp && l.bound) {
		m->address = discovery_text_addr(l.address);
		m->netmask = discovery_text_addr(l.mask);
		m->gateway = discovery_text_addr(l.router);
		return;
	}
	m->address = discovery_setting_addr(SET_NET_ADDR);
	m->netmask = discovery_setting_addr(SET_NET_MASK);
	m->gateway = discovery_setting_addr(SET_NET_GATEWAY);
}

/*
 * The unit's address: the one in use (lease or settings) or, with none
 * yet, the address and mask of the unit's interface ([network]
 * interface; with none, the one the request came in on).
 */
void
discovery_net(const struct discovery *d, const struct discovery_peer *p,
    struct discovery_msg *m)
{
	struct ifaddrs *ifa, *i;
	int ifindex = d->ifname[0] != '\0' ? (int)if_nametoindex(d->ifname) :
	    p->ifindex;

	discovery_net_settings(m);
	if (m->address != 0 || getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const struct sockaddr_in *a = (const void *)i->ifa_addr;

		if (a == NULL || a->sin_family != AF_INET ||
		    (int)if_nametoindex(i->ifa_name) != ifindex)
			continue;
		m->address = a->sin_addr.s_addr;
		if (i->ifa_netmask != NULL)
			m->netmask = ((const struct sockaddr_in *)(const void *)
			    i->ifa_netmask)->sin_addr.s_addr;
		if (a->sin_addr.s_addr == p->local.s_addr)
			break;
	}
	freeifaddrs(ifa);
}

static ssize_t
discovery_sendto_if(struct discovery *d, const void *buf, size_t len,
    const struct sockaddr_in *to, int ifindex)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} c;
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr mh = { .msg_name = (void *)(uintptr_t)to,
	    .msg_namelen = sizeof *to, .msg_iov = &iov, .msg_iovlen = 1 };
	struct in_pktinfo pi = { .ipi_ifindex = ifindex };

	if (ifindex > 0) {
		/* out of the interface the request came in on, no route needed */
		memset(&c, 0, sizeof c);
		mh.msg_control = c.buf;
		mh.msg_controllen = sizeof c.buf;
		CMSG_FIRSTHDR(&mh)->cmsg_level = IPPROTO_IP;
		CMSG_FIRSTHDR(&mh)->cmsg_type = IP_PKTINFO;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &pi, sizeof pi);
	}
	return sendmsg(d->fd, &mh, MSG_DONTWAIT);
}

void
discovery_send(struct discovery *d, const struct discovery_peer *p,
    struct discovery_msg *m)
{
	uint8_t buf[DISCOVERY_MSG_MAX];
	struct discovery_msg net = { 0 };
	struct sockaddr_in bcast = p->from;
	int n = discovery_msg_encode(m, buf, sizeof buf);
	bool sent, off_subnet;

	if (n < 0) {
		log_warnx_rl(&d->rate_log, "cannot encode %s: %s",
		    discovery_msg_type_name(m->type), strerror(-n));
		return;
	}
	sent = sendto(d->fd, buf, (size_t)n, MSG_DONTWAIT,
	    (const struct sockaddr *)&p->from, sizeof p->from) == n;
	if (d->loopback || discovery_from_self(p))
		return;
	discovery_net(d, p, &net);
	off_subnet = net.netmask == 0 || ((p->from.sin_addr.s_addr ^
	    net.address) & net.netmask) != 0;
	if (sent && !off_subnet)
		return;
	/* a unit on the wrong subnet is still heard on the wire */
	bcast.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	if (discovery_sendto_if(d, buf, (size_t)n, &bcast, p->ifindex) < 0)
		log_warnx_rl(&d->rate_log, "broadcast reply: %s",
		    strerror(errno));
}
