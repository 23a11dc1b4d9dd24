/* SPDX-License-Identifier: MIT */
/*
 * The netbios service: the unit's NetBIOS name on UDP 137 (RFC 1001/1002
 * name service, docs/netbios.md). Answers name queries and node status
 * requests for its own names; claims the names by broadcast (B-node) or
 * registers them with the WINS server in names.wins (P-node). One
 * thread, one socket; the registration state machine is netbios_name.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "netbios_priv.h"
#include "state.h"

#define NETBIOS_BURST_READS 64	/* datagrams per pass */
#define NETBIOS_ADDR_CHECK_MS 5000

static const struct cfg_key netbios_keys[] = {
	{ "ttl", CFG_INT, 60, 604800, "259200", NULL,
	    "seconds a registration asks the WINS server for" },
	{ "wins_port", CFG_INT, 1, 65535, "137", NULL,
	    "UDP port of the WINS server in names.wins" },
	{ NULL },
};

static int
netbios_bind(struct svc_ctx *ctx, struct netbios *nb, char *why,
    size_t whylen)
{
	const char *bind_addr = svc_cfg_str(ctx, "bind");
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int on = 1;

	nb->port = (uint16_t)svc_cfg_int(ctx, "port");
	sa.sin_port = htons(nb->port);
	if (bind_addr[0] != '\0' && inet_pton(AF_INET, bind_addr,
	    &sa.sin_addr) != 1) {
		snprintf(why, whylen, "bind %s: not an IPv4 address",
		    bind_addr);
		return -EINVAL;
	}
	nb->bind = sa.sin_addr;
	nb->loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
	nb->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (nb->fd < 0 || (!nb->loopback && setsockopt(nb->fd, SOL_SOCKET,
	    SO_BROADCAST, &on, sizeof on) < 0) ||
	    bind(nb->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = -errno;

		snprintf(why, whylen, "udp %s:%u: %s", bind_addr[0] ?
		    bind_addr : "*", nb->port, strerror(errno));
		return err;
	}
	log_info("listening on udp %s port %u%s", bind_addr[0] ? bind_addr :
	    "*", nb->port, nb->loopback ? " (unicast only)" : "");
	return 0;
}

static int
netbios_hex_mac(const char *text, uint8_t mac[6])
{
	unsigned v[6];

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2],
	    &v[3], &v[4], &v[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static void netbios_stop(struct svc_ctx *ctx);

static int
netbios_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct state_identity id;
	struct netbios *nb;
	int err;

	if ((nb = calloc(1, sizeof *nb)) == NULL)
		return -ENOMEM;
	nb->fd = -1;
	nb->ctx = ctx;
	nb->ttl = (uint32_t)svc_cfg_int(ctx, "ttl");
	nb->wins_port = (uint16_t)svc_cfg_int(ctx, "wins_port");
	nb->rate_log = (struct log_rate)LOG_RATE_INIT(10);
	state_identity(&id);
	if (netbios_hex_mac(id.mac, nb->mac) < 0)
		memset(nb->mac, 0, sizeof nb->mac);
	/* the unit's interface: address, broadcast, MAC (a change restarts) */
	snprintf(nb->ifname, sizeof nb->ifname, "%s", cfg_str(svc_cfg(ctx),
	    "network", "interface"));
	nb->own_mac = cfg_str(svc_cfg(ctx), "unit", "mac")[0] != '\0';
	if (getrandom(&nb->next_xid, sizeof nb->next_xid, 0) < 0)
		nb->next_xid = (uint16_t)clock_ms();
	svc_set_priv(ctx, nb);
	nb->sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 64);
	if (nb->sub == NULL) {
		netbios_stop(ctx);
		snprintf(why, whylen, "no bus subscription");
		return -ENOMEM;
	}
	/* names only: audio changes would only wake us */
	bus_sub_changes(nb->sub, BUS_WHAT(STATE_F_SETTING) |
	    BUS_WHAT(STATE_F_RELOADED), BUS_WHAT(STATE_F_SETTING) |
	    BUS_WHAT(STATE_F_RELOADED));
	if ((err = netbios_bind(ctx, nb, why, whylen)) < 0) {
		netbios_stop(ctx);
		return err;
	}
	if (nb->ifname[0] != '\0')	/* it may come later: names wait */
		log_info("on interface %s%s", nb->ifname,
		    if_nametoindex(nb->ifname) == 0 ? " (not there yet)" : "");
	return 0;
}

/* Positive answer for a name we hold; negative to a unicast asker. */
static void
netbios_answer_query(struct netbios *nb, const struct netbios_msg *q,
    const struct sockaddr_in *from)
{
	struct netbios_owned *o = netbios_name_find(nb, &q->qname);
	struct netbios_msg r;

	memset(&r, 0, sizeof r);
	r.xid = q->xid;
	r.flags = NETBIOS_F_RESPONSE | NETBIOS_F_AA | (q->flags &
	    NETBIOS_F_RD);
	if (o == NULL || o->state != NB_REGISTERED) {
		/* a broadcast for someone else's name is not ours to answer */
		if (q->flags & NETBIOS_F_BROADCAST)
			return;
		r.flags |= NETBIOS_RC_NAM;
		netbios_send(nb, &r, from);
		return;
	}
	r.has_rr = true;
	r.rrname = q->qname;
	r.rrtype = NETBIOS_T_NB;
	r.ttl = o->ttl ? o->ttl : nb->ttl;
	r.n_nb = 1;
	r.nb[0].flags = netbios_pnode(nb) ? NETBIOS_NB_ONT_P :
	    NETBIOS_NB_ONT_B;
	r.nb[0].addr = nb->addr.s_addr;
	if (netbios_send(nb, &r, from))
		nb->counters[NB_C_ANSWERED]++;
}

/* NODE STATUS (RFC 1002 §4.2.18) for "*" or any suffix of our name. */
static void
netbios_answer_status(struct netbios *nb, const struct netbios_msg *q,
    const struct sockaddr_in *from)
{
	struct netbios_msg r;
	uint16_t ont = netbios_pnode(nb) ? NETBIOS_NB_ONT_P :
	    NETBIOS_NB_ONT_B;

	if (strcmp(q->qname.name, "*") != 0 &&
	    strcasecmp(q->qname.name, nb->names[0].name.name) != 0)
		return;
	memset(&r, 0, sizeof r);
	r.xid = q->xid;
	r.flags = NETBIOS_F_RESPONSE | NETBIOS_F_AA;
	r.has_rr = true;
	r.rrname = q->qname;
	r.rrtype = NETBIOS_T_NBSTAT;
	for (size_t i = 0; i < NETBIOS_NAMES; i++) {
		const struct netbios_owned *o = &nb->names[i];

		if (o->state != NB_REGISTERED && o->state != NB_CONFLICT)
			continue;
		memcpy(r.names[r.n_names].name, o->name.name,
		    sizeof o->name.name);
		r.names[r.n_names].suffix = o->name.suffix;
		r.names[r.n_names++].flags = ont | NETBIOS_NAME_ACT |
		    (o->state == NB_CONFLICT ? NETBIOS_NAME_CNF : 0);
	}
	memcpy(r.mac, nb->mac, sizeof r.mac);
	if (netbios_send(nb, &r, from))
		nb->counters[NB_C_STATUS]++;
}

static void
netbios_handle(struct netbios *nb, const uint8_t *buf, size_t len,
    const struct sockaddr_in *from)
{
	struct netbios_msg m;
	unsigned op;

	if (len > NETBIOS_MSG_MAX || netbios_msg_parse(buf, len, &m) < 0) {
		nb->counters[NB_C_MALFORMED]++;
		log_warnx_rl(&nb->rate_log, "dropped malformed datagram of "
		    "%zu bytes from %s", len, inet_ntoa(from->sin_addr));
		return;
	}
	/* our own broadcasts come back to us */
	if (from->sin_addr.s_addr == nb->addr.s_addr &&
	    from->sin_port == htons(nb->port))
		return;
	op = NETBIOS_OPCODE(m.flags);
	if (m.flags & NETBIOS_F_RESPONSE)
		netbios_name_response(nb, &m, from);
	else if (op == NETBIOS_OP_QUERY && m.qtype == NETBIOS_T_NBSTAT)
		netbios_answer_status(nb, &m, from);
	else if (op == NETBIOS_OP_QUERY)
		netbios_answer_query(nb, &m, from);
	else if (op == NETBIOS_OP_REGISTER || op == NETBIOS_OP_MULTIHOMED)
		netbios_name_defend(nb, &m, from);
}

/* One datagram; false when there is none left. */
static bool
netbios_read_one(struct netbios *nb)
{
	/* the extra byte catches a datagram over the limit */
	uint8_t buf[NETBIOS_MSG_MAX + 1];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n = recvfrom(nb->fd, buf, sizeof buf, MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fl);

	if (n < 0)
		return false;
	netbios_handle(nb, buf, (size_t)n, &from);
	return true;
}

/* A new name or WINS server: give up the old names, claim the new. */
static void
netbios_drain_bus(struct netbios *nb)
{
	struct bus_msg msg;
	bool again = false;

	while (bus_take(nb->sub, &msg) == 1) {
		const struct bus_change *c = &msg.u.change;

		if (msg.type != BUS_CHANGE)
			continue;
		if (c->what == STATE_F_RELOADED || (c->what ==
		    STATE_F_SETTING && (c->integer == SET_NETBIOS_NAME ||
		    c->integer == SET_WINS_SERVER)))
			again = true;
	}
	if (bus_sub_dropped(nb->sub) > 0)
		again = true;	/* lost messages: cheap to redo */
	if (!again)
		return;
	netbios_name_release_all(nb);
	netbios_name_start(nb);
}

void
netbios_publish(struct netbios *nb)
{
	const struct netbios_owned *o = &nb->names[0];
	char text[STATE_DETAIL_MAX];

	snprintf(text, sizeof text, "{\"name\":\"%s\",\"mode\":\"%s\","
	    "\"server\":\"%s\",\"state\":\"%s\",\"registered\":%s,"
	    "\"ttl\":%u,\"refreshes\":%llu,\"conflicts\":%llu,"
	    "\"defended\":%llu,\"answered\":%llu,\"malformed\":%llu}",
	    o->name.name,
	    netbios_pnode(nb) ? "P-node" : "B-node", netbios_pnode(nb) ?
	    inet_ntoa(nb->wins) : "", netbios_state_name(o->state),
	    o->state == NB_REGISTERED && nb->names[1].state ==
	    NB_REGISTERED ? "true" : "false", o->ttl,
	    (unsigned long long)nb->counters[NB_C_REFRESHED],
	    (unsigned long long)nb->counters[NB_C_CONFLICTS],
	    (unsigned long long)nb->counters[NB_C_DEFENDED],
	    (unsigned long long)nb->counters[NB_C_ANSWERED],
	    (unsigned long long)nb->counters[NB_C_MALFORMED]);
	state_service_detail_put(svc_name(nb->ctx), text);
}

/*
 * Every few seconds: a new interface address (DHCP, a static change)
 * releases the names held at the old one and claims them at the new.
 */
static void
netbios_check_addr(struct netbios *nb, uint64_t now)
{
	struct in_addr old = nb->addr, old_bcast = nb->bcast;

	if (now < nb->addr_check_ms)
		return;
	nb->addr_check_ms = now + NETBIOS_ADDR_CHECK_MS;
	netbios_find_addr(nb);
	if (nb->addr.s_addr == old.s_addr)
		return;
	log_info("address changed from %s", inet_ntoa(old));
	nb->addr = old;		/* releases name the old address */
	nb->bcast = old_bcast;
	netbios_name_release_all(nb);
	netbios_name_start(nb);
}

static int
netbios_run(struct svc_ctx *ctx)
{
	struct netbios *nb = svc_priv(ctx);

	netbios_name_start(nb);
	while (!svc_should_stop(ctx)) {
		struct pollfd pfd[2] = { { nb->fd, POLLIN, 0 },
		    { bus_sub_fd(nb->sub), POLLIN, 0 } };
		uint64_t now = clock_ms(), next;
		int wait, rc;

		netbios_check_addr(nb, now);
		next = netbios_name_tick(nb, now);
		wait = next == 0 || next - now > 1000 ? 1000 :
		    (int)(next - now);
		rc = svc_poll(ctx, pfd, 2, wait);
		if (rc < 0)
			return rc;
		if (pfd[1].revents & POLLIN)
			netbios_drain_bus(nb);
		for (int i = 0; i < NETBIOS_BURST_READS &&
		    (pfd[0].revents & POLLIN); i++)
			if (!netbios_read_one(nb))
				break;
		netbios_publish(nb);
		svc_beat(ctx);
	}
	netbios_name_release_all(nb);
	netbios_publish(nb);
	return 0;
}

static void
netbios_stop(struct svc_ctx *ctx)
{
	struct netbios *nb = svc_priv(ctx);

	if (nb == NULL)
		return;
	if (nb->fd >= 0)
		close(nb->fd);
	if (nb->sub != NULL)
		bus_unsubscribe(nb->sub);
	free(nb);
	svc_set_priv(ctx, NULL);
}

static const char *const netbios_reads[] = { "network", NULL };

const struct service netbios_service = {
	.name = "netbios",
	.summary = "the unit's NetBIOS name on UDP 137 (RFC 1001/1002)",
	.keys = netbios_keys,
	.default_port = NETBIOS_MSG_PORT,
	.default_enabled = false,
	.init = netbios_init,
	.run = netbios_run,
	.stop = netbios_stop,
	.reads = netbios_reads,
};
