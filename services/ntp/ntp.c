/* SPDX-License-Identifier: MIT */
/*
 * The ntp service: an SNTPv4 client (RFC 4330, client side of RFC 5905)
 * polling up to four servers (time.ntp_server..4, host[:port]). Each poll
 * sends a few requests with a random transmit timestamp and keeps the
 * lowest-delay answer; the servers that agree (intersection, ntp_calc.c)
 * set the clock through core/priv_clock.c, or only say what they would do
 * with set_clock = no (docs/ntp.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "ntp_msg.h"
#include "ntp_priv.h"
#include "state.h"

static const enum state_setting ntp_settings[NTP_SERVERS] = {
	SET_NTP_SERVER, SET_NTP_SERVER2, SET_NTP_SERVER3, SET_NTP_SERVER4,
};

static const struct cfg_key ntp_keys[] = {
	{ "set_clock", CFG_BOOL, 0, 1, "no", NULL,
	    "change the host clock (no: only say what would be done)" },
	{ "poll_interval", CFG_INT, 1, 65536, "64", NULL,
	    "seconds between polls of a server" },
	{ "poll_max", CFG_INT, 1, 65536, "1024", NULL,
	    "longest interval in seconds after back-off (no answer, KoD)" },
	{ "samples", CFG_INT, 1, NTP_SAMPLES_MAX, "4", NULL,
	    "requests per poll; the lowest-delay answer is kept" },
	{ "sample_spacing_ms", CFG_INT, 0, 60000, "2000", NULL,
	    "milliseconds between the requests of one poll" },
	{ "timeout_ms", CFG_INT, 10, 60000, "1000", NULL,
	    "milliseconds to wait for one answer" },
	{ "step_threshold_ms", CFG_INT, 1, 3600000, "128", NULL,
	    "offsets this large are stepped (at start or after sync loss)" },
	{ "max_step", CFG_INT, 0, 2000000000, "0", NULL,
	    "seconds; a larger offset is refused (0 = no limit)" },
	{ NULL },
};

static uint64_t
ntp_now_ts(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ntp_msg_ts_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}

static void
ntp_close(struct ntp_server *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void
ntp_drop_res(struct ntp_server *s)
{
	ntp_resolve_drop(s->res);
	s->res = NULL;
}

/* A UDP socket connected to the server (ICMP errors then reach us). */
static int
ntp_connect(struct ntp *n, struct ntp_server *s, const struct sockaddr_in *to)
{
	const char *bind_addr = svc_cfg_str(n->ctx, "bind");
	struct sockaddr_in local = { .sin_family = AF_INET };
	int rc = 0;

	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, bind_addr, &local.sin_addr);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&local,
	    sizeof local) < 0 || connect(s->fd, (const struct sockaddr *)to,
	    sizeof *to) < 0) {
		rc = -errno;
		snprintf(s->error, sizeof s->error, "%s: %s", s->name,
		    strerror(errno));
		ntp_close(s);
	}
	return rc;
}

/* One request: a random transmit timestamp only this server knows. */
static void
ntp_send(struct ntp *n, struct ntp_server *s, uint64_t now)
{
	struct ntp_msg m = { .version = 4, .mode = NTP_MODE_CLIENT };
	uint8_t buf[NTP_MSG_LEN];

	s->tries++;
	s->st = NTP_SRV_WAIT;
	s->next_ms = now + n->timeout_ms;
	do {
		if (getrandom(&s->sent, sizeof s->sent, 0) !=
		    (ssize_t)sizeof s->sent)
			s->sent = ntp_now_ts() ^ (uint64_t)random();
	} while (s->sent == 0);
	m.xmt = s->sent;
	ntp_msg_encode(&m, buf);
	s->t1 = ntp_now_ts();
	if (send(s->fd, buf, sizeof buf, MSG_DONTWAIT) != (ssize_t)sizeof buf)
		snprintf(s->error, sizeof s->error, "%s: send: %s", s->name,
		    strerror(errno));
}

static void ntp_update(struct ntp *n);

/* The poll is over: keep its best sample, or back off. */
static void
ntp_finish(struct ntp *n, struct ntp_server *s, uint64_t now)
{
	unsigned wait;

	s->st = NTP_SRV_IDLE;
	s->have = s->nsamples > 0;
	if (s->have) {
		s->last = s->samples[ntp_calc_best(s->samples, s->nsamples)];
		s->failures = 0;
		s->error[0] = '\0';
		if (s->unreachable)
			bus_event(EVENT_TIME, SEVERITY_INFO, "time server %s "
			    "answers again", s->name);
		s->unreachable = false;
	} else if (!s->kod) {
		s->failures++;
		if (s->error[0] == '\0')
			snprintf(s->error, sizeof s->error, "%s: no answer",
			    s->name);
		if (!s->unreachable && !s->denied)
			bus_event(EVENT_TIME, SEVERITY_WARNING, "time server "
			    "unreachable: %s", s->error);
		s->unreachable = true;
	}
	wait = ntp_calc_backoff(n->interval, s->failures + s->rate_kod,
	    n->poll_max);
	if (s->denied)
		wait = n->poll_max;
	s->next_ms = now + (uint64_t)wait * 1000u;
	if (s->have)
		log_info("%s: sampled, next poll in %u s", s->name, wait);
	else
		log_info("%s, next poll in %u s", s->error, wait);
	ntp_update(n);
}

/* After a sample, a timeout or an unusable reply: next request or done. */
static void
ntp_next(struct ntp *n, struct ntp_server *s, uint64_t now)
{
	if (s->tries >= n->samples) {
		ntp_finish(n, s, now);
		return;
	}
	s->st = NTP_SRV_GAP;
	s->next_ms = now + n->spacing_ms;
}

/* A kiss-o'-death that echoed our timestamp: the server means it. */
static void
ntp_kod(struct ntp *n, struct ntp_server *s, enum ntp_calc_verdict v,
    uint64_t now)
{
	snprintf(s->error, sizeof s->error, "%s: %s", s->name,
	    ntp_calc_verdict_name(v));
	if (v == NTP_CALC_KOD_RATE) {
		s->rate_kod++;
		bus_event(EVENT_TIME, SEVERITY_WARNING, "time server %s asks "
		    "to poll less often (KoD RATE)", s->name);
	} else {
		s->denied = true;
		bus_event(EVENT_TIME, SEVERITY_ERROR, "time server %s refuses "
		    "us (KoD DENY/RSTR)", s->name);
	}
	s->nsamples = 0;
	s->kod = true;
	ntp_finish(n, s, now);
}

static void
ntp_reply(struct ntp *n, struct ntp_server *s, const uint8_t *buf,
    size_t len, uint64_t t4, uint64_t now)
{
	struct ntp_msg m;
	enum ntp_calc_verdict v;
	struct ntp_calc_sample smp;

	if (ntp_msg_parse(buf, len, &m) < 0) {
		n->counters[0]++;
		log_warnx_rl(&n->rate_log, "%s: malformed reply of %zu bytes",
		    s->name, len);
		return;
	}
	v = ntp_calc_check(&m, s->sent);
	if (v == NTP_CALC_NOT_SERVER || v == NTP_CALC_BAD_ORIGIN ||
	    s->st != NTP_SRV_WAIT) {
		/* spoofed, duplicated or late: the request stays open */
		n->counters[1]++;
		log_warnx_rl(&n->rate_log, "%s: reply ignored: %s", s->name,
		    ntp_calc_verdict_name(v));
		return;
	}
	s->sent = 0;		/* one answer per request */
	if (v == NTP_CALC_KOD_RATE || v == NTP_CALC_KOD_DENY) {
		ntp_kod(n, s, v, now);
		return;
	}
	if (v == NTP_CALC_OK && ntp_calc_sample(&m, s->t1, t4, &smp) < 0)
		v = NTP_CALC_BAD_DELAY;
	if (v != NTP_CALC_OK) {
		/* it echoed our random timestamp: a real server, few lines */
		snprintf(s->error, sizeof s->error, "%s: %s", s->name,
		    ntp_calc_verdict_name(v));
		log_warnx("reply ignored: %s", s->error);
	} else if (s->nsamples < NTP_SAMPLES_MAX) {
		s->samples[s->nsamples++] = smp;
	}
	ntp_next(n, s, now);
}

/* Everything queued on one server's socket. */
static void
ntp_read(struct ntp *n, struct ntp_server *s)
{
	uint8_t buf[NTP_MSG_MAX + 1];

	for (int i = 0; i < 16 && s->fd >= 0; i++) {
		ssize_t len = recv(s->fd, buf, sizeof buf, MSG_TRUNC);
		uint64_t t4 = ntp_now_ts();

		if (len < 0 && errno == ECONNREFUSED && s->st == NTP_SRV_WAIT) {
			/* ICMP port unreachable: no server on that port */
			snprintf(s->error, sizeof s->error, "%s: connection "
			    "refused", s->name);
			s->nsamples = 0;
			ntp_finish(n, s, clock_ms());
			return;
		}
		if (len < 0)
			return;
		if ((size_t)len > NTP_MSG_MAX) {
			n->counters[0]++;
			continue;
		}
		ntp_reply(n, s, buf, (size_t)len, t4, clock_ms());
	}
}

/* A poll begins: with a socket, ask; without, look the name up first. */
static void
ntp_poll_start(struct ntp *n, struct ntp_server *s, uint64_t now)
{
	s->tries = s->nsamples = 0;
	s->kod = false;
	s->error[0] = '\0';
	if (s->fd >= 0) {
		ntp_send(n, s, now);
		return;
	}
	s->res = ntp_resolve_start(s->name, s->error, sizeof s->error);
	if (s->res == NULL) {
		ntp_finish(n, s, now);
		return;
	}
	s->st = NTP_SRV_RESOLVE;
	s->next_ms = now + NTP_RESOLVE_MS;
}

/* Each pass: has the name lookup of `s` finished? */
static void
ntp_resolved(struct ntp *n, struct ntp_server *s, uint64_t now)
{
	struct sockaddr_in to;
	int rc = ntp_resolve_poll(s->res, &to, s->error, sizeof s->error);

	if (rc == 0)
		return;
	ntp_drop_res(s);
	if (rc > 0 && ntp_connect(n, s, &to) == 0)
		ntp_send(n, s, now);
	else
		ntp_finish(n, s, now);
}

static void
ntp_timer(struct ntp *n, struct ntp_server *s, uint64_t now)
{
	switch (s->st) {
	case NTP_SRV_IDLE:
		ntp_poll_start(n, s, now);
		break;
	case NTP_SRV_RESOLVE:
		ntp_drop_res(s);
		snprintf(s->error, sizeof s->error, "%s: name lookup timed "
		    "out", s->name);
		ntp_finish(n, s, now);
		break;
	case NTP_SRV_WAIT:
		s->sent = 0;	/* a late answer is not for the next one */
		ntp_next(n, s, now);
		break;
	case NTP_SRV_GAP:
		ntp_send(n, s, now);
		break;
	case NTP_SRV_OFF:
		break;
	}
}

/* Do what the winning offset asks: step, slew or refuse. */
static bool
ntp_apply(struct ntp *n, const struct ntp_server *s, double offset)
{
	char done[BUS_TEXT_MAX];
	int rc = 0;

	switch (ntp_calc_action(offset, n->step_threshold, n->max_step,
	    n->may_step)) {
	case NTP_CALC_REFUSE:
		snprintf(n->status.last_error, sizeof n->status.last_error,
		    "refused to step the clock by %+.3f s from %s (max_step "
		    "%.0f s)", offset, s->name, n->max_step);
		/* once, not every poll, until a sample is applied again */
		if (!n->refused)
			bus_event(EVENT_TIME, SEVERITY_ERROR, "%s",
			    n->status.last_error);
		n->refused = true;
		return false;
	case NTP_CALC_STEP:
		rc = priv_clock_step(offset, n->set_clock, done, sizeof done);
		bus_event(EVENT_TIME, rc < 0 ? SEVERITY_ERROR : SEVERITY_INFO,
		    "%s (%s)", done, s->name);
		break;
	case NTP_CALC_SLEW:
		rc = priv_clock_slew(offset, n->set_clock, done, sizeof done);
		break;
	}
	n->refused = false;
	log_info("%s, offset %+.3f ms via %s", done, offset * 1e3, s->name);
	if (rc < 0)
		snprintf(n->status.last_error, sizeof n->status.last_error,
		    "%s", done);
	return rc == 0;
}

static void
ntp_sync_lost(struct ntp *n, const char *why)
{
	snprintf(n->status.last_error, sizeof n->status.last_error, "%s",
	    why);
	if (n->synced)
		bus_event(EVENT_TIME, SEVERITY_WARNING, "time sync lost: %s",
		    why);
	n->synced = false;
	n->may_step = true;
}

/* Choose among the servers that answered and set the clock. */
static void
ntp_update(struct ntp *n)
{
	struct ntp_calc_sample smp[NTP_SERVERS];
	struct ntp_server *who[NTP_SERVERS];
	bool truechimer[NTP_SERVERS];
	size_t k = 0, best = 0;
	int nt;

	for (size_t i = 0; i < NTP_SERVERS; i++)
		if (n->srv[i].st != NTP_SRV_OFF && n->srv[i].have) {
			who[k] = &n->srv[i];
			smp[k++] = n->srv[i].last;
		}
	nt = ntp_calc_select(smp, k, truechimer, &best);
	for (size_t i = 0; nt > 0 && i < k; i++)
		if (!truechimer[i])
			log_warnx("%s: falseticker, offset %+.3f ms disagrees "
			    "with the majority", who[i]->name,
			    smp[i].offset * 1e3);
	if (nt < 0)
		ntp_sync_lost(n, k == 0 ? "no server answers" :
		    "the servers disagree: no majority");
	else if (ntp_apply(n, who[best], smp[best].offset)) {
		if (!n->synced)
			bus_event(EVENT_TIME, SEVERITY_INFO, "time "
			    "synchronised with %s, offset %+.3f ms",
			    who[best]->name,
			    smp[best].offset * 1e3);
		n->synced = true;
		n->may_step = false;
		n->status.last_sync = time(NULL);
		n->status.last_error[0] = '\0';
		snprintf(n->status.server, sizeof n->status.server, "%s",
		    who[best]->name);
		n->status.offset_ms = smp[best].offset * 1e3;
		n->status.delay_ms = smp[best].delay * 1e3;
		n->status.stratum = smp[best].stratum;
	} else {
		n->synced = false;
	}
	n->status.synced = n->synced;
	priv_clock_status_put(&n->status);
}

/* Read the four server settings; a changed one is polled at once. */
static void
ntp_load_servers(struct ntp *n)
{
	for (size_t i = 0; i < NTP_SERVERS; i++) {
		struct ntp_server *s = &n->srv[i];
		char v[NTP_NAME_MAX] = "";

		state_setting_get(ntp_settings[i], v, sizeof v);
		if (strcmp(v, s->name) == 0 && (s->st != NTP_SRV_OFF ||
		    v[0] == '\0'))
			continue;
		ntp_close(s);
		ntp_drop_res(s);
		memset(s, 0, sizeof *s);
		s->fd = -1;
		snprintf(s->name, sizeof s->name, "%s", v);
		s->st = v[0] ? NTP_SRV_IDLE : NTP_SRV_OFF;
		s->next_ms = 0;
		if (v[0] != '\0')
			log_info("server %zu: %s, polling now", i + 1, v);
	}
}

static void
ntp_drain_bus(struct ntp *n)
{
	struct bus_msg msg;
	bool reload = false;

	while (bus_take(n->sub, &msg) == 1) {
		if (msg.type != BUS_CHANGE ||
		    msg.u.change.what != STATE_F_SETTING)
			continue;
		for (size_t i = 0; i < NTP_SERVERS; i++)
			if (msg.u.change.integer == (int)ntp_settings[i])
				reload = true;
	}
	if (reload) {
		ntp_load_servers(n);
		ntp_update(n);
	}
}

static int
ntp_run(struct svc_ctx *ctx)
{
	struct ntp *n = svc_priv(ctx);

	while (!svc_should_stop(ctx)) {
		struct pollfd pfd[1 + NTP_SERVERS];
		struct ntp_server *who[1 + NTP_SERVERS];
		uint64_t now = clock_ms(), next = now + 1000;
		nfds_t k = 1;
		int rc;

		pfd[0] = (struct pollfd){ bus_sub_fd(n->sub), POLLIN, 0 };
		for (size_t i = 0; i < NTP_SERVERS; i++) {
			struct ntp_server *s = &n->srv[i];

			if (s->st != NTP_SRV_OFF && s->next_ms < next)
				next = s->next_ms;
			if (s->fd >= 0) {
				who[k] = s;
				pfd[k++] = (struct pollfd){ s->fd, POLLIN, 0 };
			}
		}
		rc = svc_poll(ctx, pfd, k, next > now ? (int)(next - now) : 0);
		if (rc < 0)
			return rc;
		if (pfd[0].revents & POLLIN)
			ntp_drain_bus(n);
		for (nfds_t i = 1; i < k; i++)
			if (pfd[i].revents & (POLLIN | POLLERR))
				ntp_read(n, who[i]);
		now = clock_ms();
		for (size_t i = 0; i < NTP_SERVERS; i++)
			if (n->srv[i].st == NTP_SRV_RESOLVE)
				ntp_resolved(n, &n->srv[i], now);
		for (size_t i = 0; i < NTP_SERVERS; i++)
			if (n->srv[i].st != NTP_SRV_OFF &&
			    n->srv[i].next_ms <= now)
				ntp_timer(n, &n->srv[i], now);
		svc_beat(ctx);
	}
	return 0;
}

static void
ntp_stop(struct svc_ctx *ctx)
{
	struct ntp *n = svc_priv(ctx);

	if (n == NULL)
		return;
	for (size_t i = 0; i < NTP_SERVERS; i++) {
		ntp_close(&n->srv[i]);
		ntp_drop_res(&n->srv[i]);
	}
	if (n->sub != NULL)
		bus_unsubscribe(n->sub);
	free(n);
	svc_set_priv(ctx, NULL);
}

static int
ntp_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct ntp *n = calloc(1, sizeof *n);

	if (n == NULL)
		return -ENOMEM;
	n->ctx = ctx;
	n->set_clock = svc_cfg_bool(ctx, "set_clock");
	n->interval = (unsigned)svc_cfg_int(ctx, "poll_interval");
	n->poll_max = (unsigned)svc_cfg_int(ctx, "poll_max");
	n->samples = (unsigned)svc_cfg_int(ctx, "samples");
	n->spacing_ms = (unsigned)svc_cfg_int(ctx, "sample_spacing_ms");
	n->timeout_ms = (unsigned)svc_cfg_int(ctx, "timeout_ms");
	n->step_threshold = (double)svc_cfg_int(ctx, "step_threshold_ms") /
	    1e3;
	n->max_step = (double)svc_cfg_int(ctx, "max_step");
	n->may_step = true;
	n->rate_log = (struct log_rate)LOG_RATE_INIT(10);
	for (size_t i = 0; i < NTP_SERVERS; i++)
		n->srv[i].fd = -1;
	svc_set_priv(ctx, n);
	n->sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 64);
	if (n->sub == NULL) {
		snprintf(why, whylen, "cannot subscribe to the bus");
		ntp_stop(ctx);
		return -ENOMEM;
	}
	/* the servers are settings; audio changes would only wake us */
	bus_sub_changes(n->sub, BUS_WHAT(STATE_F_SETTING),
	    BUS_WHAT(STATE_F_SETTING));
	if (n->poll_max < n->interval)
		n->poll_max = n->interval;
	ntp_load_servers(n);
	snprintf(n->status.last_error, sizeof n->status.last_error,
	    "not synchronised yet");
	priv_clock_status_put(&n->status);
	log_info("%s the clock; poll every %u s (up to %u s)",
	    n->set_clock ? "keeping" : "dry run, not changing", n->interval,
	    n->poll_max);
	return 0;
}

const struct service ntp_service = {
	.name = "ntp",
	.summary = "SNTPv4 client: keeps the clock from up to 4 time servers",
	.keys = ntp_keys,
	.default_port = 0,
	.default_enabled = false,
	.init = ntp_init,
	.run = ntp_run,
	.stop = ntp_stop,
	.caps = SVC_CAP(CAP_SYS_TIME),	/* set_clock = yes */
};
