/* SPDX-License-Identifier: MIT */
/*
 * A lease (or the static set-up) applied through core/priv_net, kept in
 * a small file for INIT-REBOOT after a restart (RFC 2131 §3.2), and shown
 * in the shared state for status pages. Static mode reads the network.*
 * settings and refuses what cannot work (network or broadcast address,
 * gateway outside the subnet).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dhcp_priv.h"
#include "priv_net.h"
#include "state.h"

int
dhcp_lease_apply(struct dhcp *d, const struct dhcp_lease *l,
    uint32_t lifetime_s)
{
	int prefix = priv_net_prefix(l->mask), rc;

	if (prefix < 0)
		return prefix;
	if (d->applied.addr != 0 && (d->applied.addr != l->addr ||
	    d->applied.prefix != prefix))
		dhcp_lease_unapply(d);
	if ((rc = priv_net_link_up(d->ifindex)) < 0 ||
	    (rc = priv_net_addr_set(d->ifindex, l->addr, (unsigned)prefix,
	    lifetime_s)) < 0)
		return rc;
	d->applied = (struct dhcp_applied){ l->addr, 0, prefix, false };
	if (l->router != 0) {
		if ((rc = priv_net_route_default(d->ifindex, l->router)) < 0)
			return rc;
		d->applied.gw = l->router;
		d->applied.route = true;
	}
	if ((rc = priv_net_resolv_write(d->resolv_conf, l->dns, l->ndns,
	    l->domain)) < 0)
		log_warnx("cannot write %s: %s", d->resolv_conf, strerror(-rc));
	return 0;
}

void
dhcp_lease_unapply(struct dhcp *d)
{
	int rc;

	if (d->applied.route && (rc = priv_net_route_default_del(d->ifindex))
	    < 0)
		log_warnx("cannot remove the default route: %s", strerror(-rc));
	/* the kernel may have ended it already (its lifetime ran out) */
	if (d->applied.addr != 0 && (rc = priv_net_addr_del(d->ifindex,
	    d->applied.addr, (unsigned)d->applied.prefix)) < 0 &&
	    rc != -EADDRNOTAVAIL)
		log_warnx("cannot remove the address: %s", strerror(-rc));
	memset(&d->applied, 0, sizeof d->applied);
}

static const char *
dhcp_ntoa(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

int
dhcp_lease_save(const struct dhcp *d)
{
	char tmp[4200], a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
	char m[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];
	FILE *f;
	int rc = 0;

	if (d->lease_file[0] == '\0')
		return 0;
	if (d->lease.addr == 0) {
		if (unlink(d->lease_file) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", d->lease_file);
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("cannot write %s", tmp);
		return -errno;
	}
	fprintf(f, "address=%s\nmask=%s\nrouter=%s\nserver=%s\n"
	    "obtained=%lld\nlease=%u\n", dhcp_ntoa(d->lease.addr, a),
	    dhcp_ntoa(d->lease.mask, m), dhcp_ntoa(d->lease.router, r),
	    dhcp_ntoa(d->lease.server, s), (long long)d->lease.obtained,
	    d->lease.lease_s);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, d->lease_file) < 0)
		rc = -errno;
	if (rc < 0)
		log_warnx("cannot save %s: %s", d->lease_file, strerror(-rc));
	return rc;
}

int
dhcp_lease_load(const struct dhcp *d, struct dhcp_lease *l)
{
	static const char *const keys[] = { "address=", "mask=", "router=" };
	char line[128], v[3][64] = { "", "", "" };
	FILE *f;

	memset(l, 0, sizeof *l);
	if (d->lease_file[0] == '\0' || (f = fopen(d->lease_file, "re")) ==
	    NULL)
		return -ENOENT;
	while (fgets(line, sizeof line, f) != NULL)
		for (size_t k = 0; k < 3; k++)
			if (strncmp(line, keys[k], strlen(keys[k])) == 0)
				sscanf(line + strlen(keys[k]), "%63[0-9.]",
				    v[k]);
	fclose(f);
	if (inet_pton(AF_INET, v[0], &l->addr) != 1 || l->addr == 0)
		return -ENOENT;
	/* mask and router only tell what a previous run applied */
	if (inet_pton(AF_INET, v[1], &l->mask) != 1)
		l->mask = 0;
	if (inet_pton(AF_INET, v[2], &l->router) != 1)
		l->router = 0;
	return 0;
}

void
dhcp_lease_publish(const struct dhcp *d)
{
	struct state_lease s = { 0 };
	const struct dhcp_lease *l = &d->lease;

	s.bound = l->addr != 0;
	if (s.bound) {
		dhcp_ntoa(l->server, s.server);
		dhcp_ntoa(l->addr, s.address);
		dhcp_ntoa(l->mask, s.mask);
		if (l->router != 0)
			dhcp_ntoa(l->router, s.router);
		for (size_t i = 0; i < l->nrouters &&
		    i < STATE_LEASE_ROUTERS; i++)
			dhcp_ntoa(l->routers[i], s.routers[i]);
		for (size_t i = 0; i < l->ndns && i < STATE_LEASE_DNS; i++)
			dhcp_ntoa(l->dns[i], s.dns[i]);
		snprintf(s.domain, sizeof s.domain, "%s", l->domain);
		s.obtained = l->obtained;
		s.t1 = l->obtained + (time_t)l->t1_s;
		s.t2 = l->obtained + (time_t)l->t2_s;
		s.expires = l->obtained + (time_t)l->lease_s;
	}
	s.received = d->counters[DHCP_C_RECEIVED];
	for (int c = DHCP_C_MALFORMED; c < DHCP_C_COUNT; c++)
		s.ignored += d->counters[c];
	state_lease_put(&s);
}

static uint32_t
dhcp_setting_addr(enum state_setting s, bool *bad)
{
	char text[64];
	struct in_addr a = { 0 };

	if (state_setting_get(s, text, sizeof text) == 0 && text[0] != '\0' &&
	    inet_pton(AF_INET, text, &a) != 1)
		*bad = true;
	return a.s_addr;
}

int
dhcp_lease_static(struct dhcp_lease *l, char *why, size_t whylen)
{
	bool bad = false;
	uint32_t host, m;
	int prefix;

	memset(l, 0, sizeof *l);
	l->addr = dhcp_setting_addr(SET_NET_ADDR, &bad);
	l->mask = dhcp_setting_addr(SET_NET_MASK, &bad);
	l->router = dhcp_setting_addr(SET_NET_GATEWAY, &bad);
	l->dns[0] = dhcp_setting_addr(SET_NET_DNS, &bad);
	l->dns[1] = dhcp_setting_addr(SET_NET_DNS2, &bad);
	l->ndns = l->dns[0] ? (l->dns[1] ? 2 : 1) : 0;
	if (l->ndns == 0 && l->dns[1] != 0) {
		l->dns[0] = l->dns[1];
		l->ndns = 1;
	}
	state_setting_get(SET_NET_DOMAIN, l->domain, sizeof l->domain);
	prefix = priv_net_prefix(l->mask);
	m = ntohl(l->mask);
	host = ntohl(l->addr) & ~m;
	if (bad || l->addr == 0 || prefix < 1)
		snprintf(why, whylen, "network.address and network.mask must "
		    "be set");
	else if (prefix < 31 && (host == 0 || host == ~m))
		snprintf(why, whylen, "network.address is the subnet's %s "
		    "address", host == 0 ? "network" : "broadcast");
	else if (l->router != 0 && (((l->router ^ l->addr) & l->mask) != 0 ||
	    l->router == l->addr))
		snprintf(why, whylen, "network.gateway is not another address "
		    "inside the subnet");
	else
		return 0;
	return -EINVAL;
}
