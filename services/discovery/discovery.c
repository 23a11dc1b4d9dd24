/* SPDX-License-Identifier: MIT */
/*
 * The discovery service: answers Console's locate requests on UDP 3487
 * with the unit's identity and lets an Administrator fix the address of
 * a unit on the wrong subnet (docs/discovery.md, CVDS v1). One thread,
 * one socket; requests are rate-limited per source address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "discovery_priv.h"
#include "state.h"

#define DISCOVERY_BURST_READS 64	/* datagrams per pass */

static const struct cfg_key discovery_keys[] = {
	{ "rate", CFG_INT, 1, 10000, "20", NULL,
	    "requests per second one source address may send" },
	{ "burst", CFG_INT, 1, 10000, "40", NULL,
	    "requests one source may send at once before the rate applies" },
	{ "replay_window", CFG_INT, 5, 600, "30", NULL,
	    "seconds a set-address request's timestamp may be off" },
	{ NULL },
};

static int
discovery_bind(struct svc_ctx *ctx, struct discovery *d, char *why,
    size_t whylen)
{
	const char *bind_addr = svc_cfg_str(ctx, "bind");
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int on = 1;

	sa.sin_port = htons((uint16_t)svc_cfg_int(ctx, "port"));
	if (bind_addr[0] != '\0' && inet_pton(AF_INET, bind_addr,
	    &sa.sin_addr) != 1) {
		snprintf(why, whylen, "bind %s: not an IPv4 address",
		    bind_addr);
		return -EINVAL;
	}
	d->loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || setsockopt(d->fd, IPPROTO_IP, IP_PKTINFO, &on,
	    sizeof on) < 0 || (!d->loopback && setsockopt(d->fd, SOL_SOCKET,
	    SO_BROADCAST, &on, sizeof on) < 0) ||
	    bind(d->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = -errno;

		snprintf(why, whylen, "udp %s:%u: %s", bind_addr[0] ?
		    bind_addr : "*", ntohs(sa.sin_port), strerror(errno));
		return err;
	}
	log_info("listening on udp %s port %u%s", bind_addr[0] ? bind_addr :
	    "*", ntohs(sa.sin_port), d->loopback ? " (unicast only)" : "");
	return 0;
}

static void discovery_stop(struct svc_ctx *ctx);

static int
discovery_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct discovery *d;
	int err;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return -ENOMEM;
	d->fd = -1;
	d->ctx = ctx;
	d->rate = (double)svc_cfg_int(ctx, "rate");
	d->burst = (double)svc_cfg_int(ctx, "burst");
	d->window_s = (unsigned)svc_cfg_int(ctx, "replay_window");
	d->rate_log = (struct log_rate)LOG_RATE_INIT(10);
	if (getrandom(d->secret, sizeof d->secret, 0) !=
	    (ssize_t)sizeof d->secret) {
		free(d);
		snprintf(why, whylen, "no random bytes");
		return -EIO;
	}
	/* the unit's interface (a change restarts the service) */
	snprintf(d->ifname, sizeof d->ifname, "%s", cfg_str(svc_cfg(ctx),
	    "network", "interface"));
	d->own_mac = cfg_str(svc_cfg(ctx), "unit", "mac")[0] != '\0';
	svc_set_priv(ctx, d);
	if ((err = discovery_bind(ctx, d, why, whylen)) < 0) {
		discovery_stop(ctx);
		return err;
	}
	return 0;
}

/* Token bucket per source address; false = over the limit. */
static bool
discovery_rate_ok(struct discovery *d, uint32_t addr, uint64_t now)
{
	struct discovery_source *s = NULL, *oldest = &d->src[0];

	for (size_t i = 0; i < DISCOVERY_SOURCES && s == NULL; i++) {
		if (d->src[i].addr == addr && d->src[i].last_ms != 0)
			s = &d->src[i];
		else if (d->src[i].last_ms < oldest->last_ms)
			oldest = &d->src[i];
	}
	if (s == NULL) {
		/* forget the quietest source: a new one starts full */
		s = oldest;
		s->addr = addr;
		s->tokens = d->burst;
		s->last_ms = now;
	}
	s->tokens += (double)(now - s->last_ms) * d->rate / 1000.0;
	if (s->tokens > d->burst)
		s->tokens = d->burst;
	s->last_ms = now ? now : 1;
	if (s->tokens < 1.0)
		return false;
	s->tokens -= 1.0;
	return true;
}

static long
discovery_port_of(const struct cfg *cfg, const char *section)
{
	return cfg_bool(cfg, section, "enabled") ? cfg_int(cfg, section,
	    "port") : 0;
}

static void
discovery_reply(struct discovery *d, const struct discovery_peer *p,
    const struct discovery_msg *req)
{
	struct discovery_msg m = { .type = DISCOVERY_REPLY, .xid = req->xid };
	const struct cfg *cfg = svc_cfg(d->ctx);
	struct state_identity id;

	state_identity(&id);
	snprintf(m.model, sizeof m.model, "%s", id.model->name);
	m.dev_type = id.model->type_char;
	m.dev_id = (uint8_t)id.device_id;
	snprintf(m.firmware, sizeof m.firmware, "%s", id.firmware);
	state_setting_get(SET_UNIT_LABEL, m.label, sizeof m.label);
	state_setting_get(SET_NETBIOS_NAME, m.netbios, sizeof m.netbios);
	discovery_net(d, p, &m);
	m.console_port = (uint16_t)discovery_port_of(cfg, "console");
	m.web_port = (uint16_t)discovery_port_of(cfg, "web");
	m.unit_time = (uint64_t)time(NULL);
	for (int t = DISCOVERY_T_MODEL; t <= DISCOVERY_T_WEB_PORT; t++)
		m.present |= DISCOVERY_BIT(t);
	m.present &= ~(DISCOVERY_BIT(DISCOVERY_T_UID) |
	    DISCOVERY_BIT(DISCOVERY_T_MAC));
	m.present |= DISCOVERY_BIT(DISCOVERY_T_UNIT_TIME);
	discovery_own_ids(d, &m);
	d->counters[DISCOVERY_C_ANSWERED]++;
	if (req->flags & DISCOVERY_MSG_WANT_COUNTERS) {
		memcpy(m.counters, d->counters, sizeof m.counters);
		m.present |= DISCOVERY_BIT(DISCOVERY_T_COUNTERS);
	}
	discovery_send(d, p, &m);
}

static void
discovery_handle(struct discovery *d, const struct discovery_peer *p,
    const uint8_t *buf, size_t len, bool truncated)
{
	struct discovery_msg m;
	char from[INET_ADDRSTRLEN] = "?";
	int rc;

	/* another network than the unit's: not the unit's to answer */
	if (!discovery_on_unit_if(d, p))
		return;
	if (!discovery_rate_ok(d, p->from.sin_addr.s_addr, clock_ms())) {
		d->counters[DISCOVERY_C_RATE_LIMITED]++;
		return;
	}
	rc = truncated ? -EMSGSIZE : discovery_msg_parse(buf, len, &m);
	if (rc < 0) {
		d->counters[rc == -EMSGSIZE ? DISCOVERY_C_OVERSIZED :
		    DISCOVERY_C_MALFORMED]++;
		inet_ntop(AF_INET, &p->from.sin_addr, from, sizeof from);
		log_warnx_rl(&d->rate_log, "dropped %s datagram of %zu bytes "
		    "from %s", rc == -EMSGSIZE ? "oversized" : "malformed",
		    len, from);
		return;
	}
	/* answers (another unit's, or our own broadcast) are not for us */
	if (!discovery_is_target(d, &m))
		return;
	switch (m.type) {
	case DISCOVERY_LOCATE:
		discovery_reply(d, p, &m);
		break;
	case DISCOVERY_CHALLENGE:
		discovery_set_challenge(d, p, &m);
		break;
	case DISCOVERY_SET_ADDRESS:
		discovery_set_address(d, p, &m, buf);
		break;
	default:
		break;
	}
}

/* One datagram; false when there is none left. */
static bool
discovery_read_one(struct discovery *d)
{
	uint8_t buf[DISCOVERY_MSG_MAX + 1];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} c;
	struct discovery_peer p = { 0 };
	struct iovec iov = { buf, sizeof buf };
	struct msghdr mh = { .msg_name = &p.from, .msg_namelen =
	    sizeof p.from, .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = c.buf, .msg_controllen = sizeof c.buf };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(d->fd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return false;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			p.ifindex = pi.ipi_ifindex;
			p.local = pi.ipi_spec_dst;
		}
	/* the extra byte of buf catches a datagram over the limit */
	discovery_handle(d, &p, buf, (size_t)n, (mh.msg_flags & MSG_TRUNC) ||
	    (size_t)n > DISCOVERY_MSG_MAX);
	return true;
}

static int
discovery_run(struct svc_ctx *ctx)
{
	struct discovery *d = svc_priv(ctx);

	while (!svc_should_stop(ctx)) {
		struct pollfd pfd = { d->fd, POLLIN, 0 };
		int rc = svc_poll(ctx, &pfd, 1, 1000);

		if (rc < 0)
			return rc;
		for (int i = 0; i < DISCOVERY_BURST_READS && rc > 0; i++)
			if (!discovery_read_one(d))
				break;
		svc_beat(ctx);
	}
	return 0;
}

static void
discovery_stop(struct svc_ctx *ctx)
{
	struct discovery *d = svc_priv(ctx);

	if (d == NULL)
		return;
	if (d->fd >= 0)
		close(d->fd);
	explicit_bzero(d->secret, sizeof d->secret);
	free(d);
	svc_set_priv(ctx, NULL);
}

static const char *const discovery_reads[] = { "network", NULL };

const struct service discovery_service = {
	.name = "discovery",
	.summary = "answers Console's locate requests on UDP 3487",
	.keys = discovery_keys,
	.default_port = DISCOVERY_MSG_PORT,
	.default_enabled = false,
	.init = discovery_init,
	.run = discovery_run,
	.stop = discovery_stop,
	.reads = discovery_reads,
};
