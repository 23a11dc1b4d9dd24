/* SPDX-License-Identifier: MIT */
/*
 * The dhcp service: the unit's IPv4 address on `[network] interface`,
 * by an RFC 2131 DHCP client (UDP 68 to 67) or from the static
 * network.* settings, switched at run time when network.dhcp changes.
 * With no interface configured it changes nothing on the host.
 */
#include <errno.h>
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
	{ NULL },
};

static void
dhcp_read_config(struct svc_ctx *ctx, struct dhcp *d)
{
	const struct cfg *cfg = svc_cfg(ctx);

	snprintf(d->ifname, sizeof d->ifname, "%s", cfg_str(cfg, "network",
	    "interface"));
	snprintf(d->resolv_conf, sizeof d->resolv_conf, "%s", cfg_str(cfg,
	    "network", "resolv_conf"));
	snprintf(d->hostname, sizeof d->hostname, "%s", svc_cfg_str(ctx,
	    "hostname"));
	snprintf(d->vendor_class, sizeof d->vendor_class, "%s",
	    svc_cfg_str(ctx, "vendor_class"));
	snprintf(d->lease_file, sizeof d->lease_file, "%s", svc_cfg_str(ctx,
	    "lease_file"));
	d->release_on_stop = svc_cfg_bool(ctx, "release_on_stop");
	d->arp_probe = svc_cfg_bool(ctx, "conflict_probe");
	d->probe_ms = (unsigned)svc_cfg_int(ctx, "probe_ms");
	d->decline_wait_s = (unsigned)svc_cfg_int(ctx, "decline_wait");
	d->retry_base_ms = (unsigned)svc_cfg_int(ctx, "retry_base_ms");
	d->retry_max_ms = (unsigned)svc_cfg_int(ctx, "retry_max_ms");
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
	dhcp_read_config(ctx, d);
	svc_set_priv(ctx, d);
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
	d->sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 64);
	if (d->sub != NULL)	/* audio changes would only wake us */
		bus_sub_changes(d->sub, DHCP_CHANGES, DHCP_CHANGES);
	if (d->sub == NULL || (rc = dhcp_io_open(d, why, whylen)) < 0) {
		dhcp_stop(ctx);
		return d->sub == NULL ? -ENOMEM : rc;
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
		{ d->raw_fd, POLLIN, 0 },
		{ d->udp_fd, POLLIN, 0 },
		{ d->arp_fd, POLLIN, 0 },
	};
	uint64_t now = clock_ms();
	int wait = 1000, rc;

	if (d->state != DHCP_S_OFF)
		wait = d->deadline_ms <= now ? 0 : d->deadline_ms - now < 1000 ?
		    (int)(d->deadline_ms - now) : 1000;
	if ((rc = svc_poll(d->ctx, p, d->arp_fd >= 0 ? 4 : 3, wait)) < 0)
		return rc;
	now = clock_ms();
	if (dhcp_bus_network_changed(d))
		dhcp_mode_check(d, now);
	if (p[1].revents & POLLIN)
		dhcp_io_read(d, now);
	if (p[2].revents & POLLIN)
		dhcp_io_udp_drain(d);
	if (d->arp_fd >= 0 && (p[3].revents & POLLIN))
		dhcp_io_arp_read(d, now);
	if (d->state != DHCP_S_OFF && clock_ms() >= d->deadline_ms)
		dhcp_fsm_timeout(d, clock_ms());
	return 0;
}

static int
dhcp_run(struct svc_ctx *ctx)
{
	struct dhcp *d = svc_priv(ctx);
	int rc;

	if (d->ifindex == 0) {
		/* nothing to manage: stay up so the services table says so */
		while (!svc_should_stop(ctx)) {
			if ((rc = svc_poll(ctx, NULL, 0, 1000)) < 0)
				return rc;
			svc_beat(ctx);
		}
		return 0;
	}
	dhcp_mode_check(d, clock_ms());
	while (!svc_should_stop(ctx)) {
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

const struct service dhcp_service = {
	.name = "dhcp",
	.summary = "the unit's IPv4 address: DHCP client (UDP 68) or static",
	.keys = dhcp_keys,
	.default_port = 0,
	.default_enabled = true,
	.init = dhcp_init,
	.run = dhcp_run,
	.stop = dhcp_stop,
};
