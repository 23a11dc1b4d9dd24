/* SPDX-License-Identifier: MIT */
/*
 * The dhcp service: the unit's IPv4 address on `[network] interface`,
 * by an RFC 2131 DHCP client (UDP 68 to 67) or from the static
 * network.* settings, switched at run time when network.dhcp changes.
 * With no interface configured it changes nothing on the host.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "dhcp_priv.h"
#include "priv_net.h"
#include "state.h"

#define DHCP_CHANGES (BUS_WHAT(STATE_F_SETTING) | BUS_WHAT(STATE_F_RELOADED))

static const struct cfg_key dhcp_keys[] = {
	{ "hostname", CFG_STRING, 0, 63, "", NULL,
	    "host name sent to the server; empty = the unit's NetBIOS name" },
	{ "vendor_class", CFG_STRING, 0, 63, "convergd", NULL,
	    "vendor class identifier (option 60); empty = not sent" },
	{ "lease_file", CFG_PATH, 0, 4096, "/var/lib/convergd/dhcp.lease",
	    NULL, "last lease, for INIT-REBOOT after a restart; empty = none" },
	{ "release_on_stop", CFG_BOOL, 0, 0, "no", NULL,
	    "send DHCPRELEASE and drop the address on a clean stop" },
	{ "conflict_probe", CFG_BOOL, 0, 0, "yes", NULL,
	    "ARP-probe an offered address first and decline it if in use" },
	{ "probe_ms", CFG_INT, 100, 10000, "1000", NULL,
	    "how long the ARP probe listens for another owner" },
	{ "decline_wait", CFG_INT, 1, 600, "10", NULL,
	    "seconds to wait after declining an address before asking again" },
	{ "retry_base_ms", CFG_INT, 100, 64000, "4000", NULL,
	    "first retransmission delay, doubled each time (RFC 2131 4.1)" },
	{ "retry_max_ms", CFG_INT, 1000, 64000, "64000", NULL,
	    "longest retransmission delay" },
	{ "gateway_check", CFG_INT, 0, 3600, "10", NULL,
	    "seconds between ARP checks of the router in use; silent: the "
	    "default route moves to the lease's next router (0 = off)" },
	{ "start_delay_ms", CFG_INT, 0, 60000, "10000", NULL,
	    "the first DISCOVER waits a random 1 s up to this (RFC 2131 "
	    "4.4.1; under 1000: 0 up to this)" },
	{ NULL },
};

/* The [network] and [dhcp] keys from `cfg` (the running one or a reload's). */
static void
dhcp_read_config(const struct cfg *cfg, const char *name, struct dhcp *d)
{
	snprintf(d->ifname, sizeof d->ifname, "%s", cfg_str(cfg, "network",
	    "interface"));
	snprintf(d->resolv_conf, sizeof d->resolv_conf, "%s", cfg_str(cfg,
	    "network", "resolv_conf"));
	snprintf(d->hostname, sizeof d->hostname, "%s", cfg_str(cfg, name,
	    "hostname"));
	snprintf(d->vendor_class, sizeof d->vendor_class, "%s", cfg_str(cfg,
	    name, "vendor_class"));
	snprintf(d->lease_file, sizeof d->lease_file, "%s", cfg_str(cfg, name,
	    "lease_file"));
	d->release_on_stop = cfg_bool(cfg, name, "release_on_stop");
	d->arp_probe = cfg_bool(cfg, name, "conflict_probe");
	d->probe_ms = (unsigned)cfg_int(cfg, name, "probe_ms");
	d->decline_wait_s = (unsigned)cfg_int(cfg, name, "decline_wait");
	d->retry_base_ms = (unsigned)cfg_int(cfg, name, "retry_base_ms");
	d->retry_max_ms = (unsigned)cfg_int(cfg, name, "retry_max_ms");
	d->start_delay_ms = (unsigned)cfg_int(cfg, name, "start_delay_ms");
	d->gw_check_s = (unsigned)cfg_int(cfg, name, "gateway_check");
}

static void dhcp_stop(struct svc_ctx *ctx);

static int
dhcp_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct dhcp *d;
	int rc;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return -ENOMEM;
	d->ctx = ctx;
	d->raw_fd = d->udp_fd = d->arp_fd = -1;
	d->rate_log = (struct log_rate)LOG_RATE_INIT(10);
	dhcp_read_config(svc_cfg(ctx), svc_name(ctx), d);
	svc_set_priv(ctx, d);
	if ((d->sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 64)) == NULL) {
		dhcp_stop(ctx);
		return -ENOMEM;
	}
	/* audio changes would only wake us */
	bus_sub_changes(d->sub, DHCP_CHANGES, DHCP_CHANGES);
	if (d->ifname[0] == '\0') {
		log_info("no [network] interface: the host's network is "
		    "left alone");
		return 0;
	}
	if ((rc = priv_net_link_info(d->ifname, &d->ifindex, d->mac)) < 0) {
		snprintf(why, whylen, "interface %s: %s", d->ifname,
		    strerror(-rc));
		dhcp_stop(ctx);
		return rc;
	}
	if ((rc = dhcp_io_open(d, why, whylen)) < 0) {
		dhcp_stop(ctx);
		return rc;
	}
	return 0;
}

static bool
dhcp_wants_dhcp(void)
{
	char v[8];

	return state_setting_get(SET_NET_DHCP_ON, v, sizeof v) == 0 &&
	    strcmp(v, "1") == 0;
}

/* Static mode: apply the network.* settings, or say why not. */
static void
dhcp_apply_static(struct dhcp *d)
{
	struct dhcp_lease l;
	char why[160];
	int rc;

	/* refused: what runs now stays, so the unit stays reachable */
	if (dhcp_lease_static(&l, why, sizeof why) < 0) {
		log_warnx("static address not applied: %s", why);
		bus_event(EVENT_NETWORK, SEVERITY_ERROR, "dhcp: static address "
		    "not applied: %s", why);
		return;
	}
	if ((rc = dhcp_lease_apply(d, &l, 0)) < 0) {
		log_warnx("static address not applied: %s", strerror(-rc));
		return;
	}
	log_info("static address applied");
	bus_event(EVENT_NETWORK, SEVERITY_INFO, "dhcp: static address "
	    "applied");
}

/* network.dhcp or a static setting changed (or first pass): act on it. */
static void
dhcp_mode_check(struct dhcp *d, uint64_t now)
{
	bool want = dhcp_wants_dhcp();

	if (want && d->dhcp_mode)
		return;
	if (want) {
		log_info("mode: dhcp on %s", d->ifname);
		dhcp_lease_unapply(d);
		d->dhcp_mode = true;
		dhcp_fsm_start(d, now);
		return;
	}
	if (d->dhcp_mode) {
		log_info("mode: static on %s", d->ifname);
		dhcp_fsm_stop(d, d->release_on_stop);
		d->dhcp_mode = false;
	}
	dhcp_apply_static(d);
}

static bool
dhcp_bus_network_changed(struct dhcp *d)
{
	struct bus_msg msg;
	bool changed = false;

	while (bus_take(d->sub, &msg) == 1) {
		const struct bus_change *c = &msg.u.change;

		if (msg.type != BUS_CHANGE)
			continue;
		if (c->what == STATE_F_RELOADED || (c->what ==
		    STATE_F_SETTING && c->integer >= SET_NET_DHCP_ON &&
		    c->integer <= SET_NET_DOMAIN))
			changed = true;
	}
	return changed;
}

static int
dhcp_poll_once(struct dhcp *d)
{
	struct pollfd p[4] = {
		{ bus_sub_fd(d->sub), POLLIN, 0 },
		{ d->raw_fd, POLLIN, 0 },	/* -1 (no interface): ignored */
		{ d->udp_fd, POLLIN, 0 },
		{ d->arp_fd, POLLIN, 0 },
	};
	uint64_t now = clock_ms();
	int wait = 1000, rc;

	if (d->state != DHCP_S_OFF)
		wait = d->deadline_ms <= now ? 0 : d->deadline_ms - now < 1000 ?
		    (int)(d->deadline_ms - now) : 1000;
	if ((rc = svc_poll(d->ctx, p, 4, wait)) < 0)
		return rc;
	now = clock_ms();
	if (dhcp_bus_network_changed(d) && d->ifindex != 0)
		dhcp_mode_check(d, now);
	if (p[1].revents & POLLIN)
		dhcp_io_read(d, now);
	if (p[2].revents & POLLIN)
		dhcp_io_udp_drain(d);
	if (d->arp_fd >= 0 && (p[3].revents & POLLIN))
		dhcp_io_arp_read(d, now);
	if (d->state != DHCP_S_OFF && clock_ms() >= d->deadline_ms)
		dhcp_fsm_timeout(d, clock_ms());
	dhcp_gw_tick(d, clock_ms());
	return 0;
}

/* Leave the interface: what was applied to it goes, the lease is forgotten. */
static void
dhcp_leave(struct dhcp *d)
{
	if (d->dhcp_mode)
		dhcp_fsm_stop(d, d->release_on_stop);
	dhcp_lease_unapply(d);
	memset(&d->lease, 0, sizeof d->lease);
	dhcp_lease_save(d);	/* no INIT-REBOOT for another network's */
	dhcp_lease_publish(d);
	dhcp_io_close(d);
	d->dhcp_mode = false;
	d->state = DHCP_S_OFF;
	d->ifindex = 0;
}

/* Same interface, new keys: rewrite what depends on them. */
static void
dhcp_reapply(struct dhcp *d)
{
	const struct dhcp_lease *l = &d->lease;
	int rc;

	if (!d->dhcp_mode) {
		dhcp_apply_static(d);
		return;
	}
	if (l->addr == 0)
		return;
	if ((rc = priv_net_resolv_write(d->resolv_conf, l->dns, l->ndns,
	    l->domain)) < 0)
		log_warnx("cannot write %s: %s", d->resolv_conf, strerror(-rc));
	dhcp_lease_save(d);		/* lease_file may be another now */
}

/*
 * SIGHUP with a changed [network] or [dhcp] section. A new interface must
 * exist (else nothing changes); the old one loses the address, route and
 * lease it had, and the new one starts as at boot. The same interface
 * keeps its lease and takes the new keys.
 */
static int
dhcp_reload(struct svc_ctx *ctx, const struct cfg *next, char *why,
    size_t whylen)
{
	struct dhcp *d = svc_priv(ctx);
	const char *ifname = cfg_str(next, "network", "interface");
	uint8_t mac[6] = { 0 };
	int ifindex = 0, rc;

	if (ifname[0] != '\0' && (rc = priv_net_link_info(ifname, &ifindex,
	    mac)) < 0) {
		snprintf(why, whylen, "interface %s: %s", ifname,
		    strerror(-rc));
		return rc;
	}
	if (ifindex == d->ifindex) {
		dhcp_read_config(next, svc_name(ctx), d);
		if (ifindex != 0)
			dhcp_reapply(d);
		return 0;
	}
	if (d->ifindex != 0) {
		log_info("leaving %s", d->ifname);
		dhcp_leave(d);
	}
	dhcp_read_config(next, svc_name(ctx), d);
	d->ifindex = ifindex;
	memcpy(d->mac, mac, sizeof d->mac);
	if (ifindex != 0 && (rc = dhcp_io_open(d, why, whylen)) < 0) {
		/* the new settings stand; the service idles until fixed */
		log_warnx("%s", why);
		bus_event(EVENT_NETWORK, SEVERITY_ERROR, "dhcp: %s", why);
		d->ifindex = 0;
	}
	if (d->ifindex != 0)
		dhcp_mode_check(d, clock_ms());
	else
		log_info("no [network] interface: the host's network is "
		    "left alone");
	return 0;
}

static int
dhcp_run(struct svc_ctx *ctx)
{
	struct dhcp *d = svc_priv(ctx);
	int rc;

	if (d->ifindex != 0)
		dhcp_mode_check(d, clock_ms());
	while (!svc_should_stop(ctx)) {
		svc_apply_offer(ctx);
		if ((rc = dhcp_poll_once(d)) < 0)
			return rc;
		svc_beat(ctx);
	}
	return 0;
}

static void
dhcp_stop(struct svc_ctx *ctx)
{
	struct dhcp *d = svc_priv(ctx);

	if (d == NULL)
		return;
	if (d->ifindex != 0) {
		log_info("counters: received %llu, malformed %llu, not ours "
		    "%llu, other server %llu, unexpected %llu",
		    (unsigned long long)d->counters[DHCP_C_RECEIVED],
		    (unsigned long long)d->counters[DHCP_C_MALFORMED],
		    (unsigned long long)d->counters[DHCP_C_NOT_OURS],
		    (unsigned long long)d->counters[DHCP_C_OTHER_SERVER],
		    (unsigned long long)d->counters[DHCP_C_UNEXPECTED]);
		/* a restart keeps the address unless asked to release it */
		if (d->dhcp_mode && d->release_on_stop)
			dhcp_fsm_stop(d, true);
	}
	dhcp_io_close(d);
	if (d->sub != NULL)
		bus_unsubscribe(d->sub);
	free(d);
	svc_set_priv(ctx, NULL);
}

static const char *const dhcp_reads[] = { "network", NULL };

const struct service dhcp_service = {
	.name = "dhcp",
	.summary = "the unit's IPv4 address: DHCP client (UDP 68) or static",
	.keys = dhcp_keys,
	.default_port = 0,
	.default_enabled = true,
	.init = dhcp_init,
	.run = dhcp_run,
	.stop = dhcp_stop,
	.reload = dhcp_reload,
	.reads = dhcp_reads,
	/* addresses and routes; packet sockets, SO_BINDTODEVICE; UDP 68 */
	.caps = SVC_CAP(CAP_NET_ADMIN) | SVC_CAP(CAP_NET_RAW) |
	    SVC_CAP(CAP_NET_BIND_SERVICE),
};
