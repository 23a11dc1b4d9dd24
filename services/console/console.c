/* SPDX-License-Identifier: MIT */
/*
 * The console service: Telnet and raw-TCP control on port 23 (and an
 * optional serial port) speaking the Converge Pro protocol. One thread
 * polls the listeners, the bus and every session; sessions are in
 * console/console_session.c, the Telnet codec in console_telnet.c.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "service.h"
#include "console_priv.h"

#define CONSOLE_BUS_DEPTH	4096
#define CONSOLE_ACCEPT_BURST	16	/* accepts per pass */
#define CONSOLE_BUS_BURST	4096	/* bus messages per pass */
#define CONSOLE_BEAT_MS		100	/* heartbeat period, busy */

static const char *const console_bauds[] = {
	"9600", "19200", "38400", "57600", "115200", NULL
};

static const struct cfg_key console_keys[] = {
	{ "max_sessions", CFG_INT, 1, 1024, "64", NULL,
	    "Telnet/TCP sessions at once; more are refused with a reason" },
	{ "idle_timeout", CFG_INT, 0, 86400, "900", NULL,
	    "seconds without input before a session is closed (0 = never)" },
	{ "login_timeout", CFG_INT, 0, 3600, "60", NULL,
	    "seconds to log in before the session is closed (0 = never)" },
	{ "max_line", CFG_INT, 16, 4096, "512", NULL,
	    "longest command line; longer lines are dropped with an error" },
	{ "max_output", CFG_INT, 16384, 16777216, "262144", NULL,
	    "bytes queued for a slow reader before it is disconnected" },
	{ "lockout_failures", CFG_INT, 0, 1000, "5", NULL,
	    "failed logins from one address before a lockout (0 = off)" },
	{ "level_report_ms", CFG_INT, 50, 10000, "250", NULL,
	    "LVLREPORT lines at most this often (meters tick at [engine] "
	    "meter_interval_ms; gate changes are reported at once)" },
	{ "lockout_delay", CFG_INT, 1, 300, "2", NULL,
	    "first lockout in seconds; doubles with each lockout, up to 300" },
	{ "serial_device", CFG_PATH, 0, 255, "", NULL,
	    "serial port for the protocol without login (empty = off)" },
	{ "serial_baud", CFG_CHOICE, 0, 0, "57600", console_bauds,
	    "first-boot serial speed (8N1); BAUD changes it after that",
	    "serial.baud" },
	{ NULL },
};

/* The [console] limits from `cfg`: the running config or a reload's. */
static void
console_limits(struct console *c, const struct cfg *cfg, const char *name)
{
	c->lim.max_sessions = (size_t)cfg_int(cfg, name, "max_sessions");
	c->lim.max_line = (size_t)cfg_int(cfg, name, "max_line");
	c->lim.max_output = (size_t)cfg_int(cfg, name, "max_output");
	c->lim.idle_ms = (uint64_t)cfg_int(cfg, name, "idle_timeout") * 1000u;
	c->lim.login_ms = (uint64_t)cfg_int(cfg, name, "login_timeout") *
	    1000u;
	c->lim.level_report_ms = (uint64_t)cfg_int(cfg, name,
	    "level_report_ms");
	lockout_configure(&c->lockout,
	    (unsigned)cfg_int(cfg, name, "lockout_failures"),
	    (uint64_t)cfg_int(cfg, name, "lockout_delay") * 1000u,
	    LOCKOUT_CAP_MS, LOCKOUT_FORGET_MS);
	snprintf(c->serial_device, sizeof(c->serial_device), "%s",
	    cfg_str(cfg, name, "serial_device"));
}

static int
console_listen_one(const struct addrinfo *ai, int *fds, size_t *n,
    char *why, size_t whylen)
{
	int fd, on = 1, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0)
		goto fail;
	fds[(*n)++] = fd;
	return 0;
fail:
	err = -errno;
	snprintf(why, whylen, "listen: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return err;
}

/* Open the listeners `cfg` asks for into fds[0..*n); *n starts at 0. */
static int
console_listen(const struct cfg *cfg, const char *name, int *fds,
    size_t *n, char *why, size_t whylen)
{
	struct addrinfo hints, *res, *ai;
	const char *bind_addr = cfg_str(cfg, name, "bind");
	char port[24];
	long p = cfg_int(cfg, name, "port");
	int err = 0, rc;

	snprintf(port, sizeof(port), "%ld", p > 0 ? p : CONSOLE_DEFAULT_PORT);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rc = getaddrinfo(bind_addr[0] ? bind_addr : NULL, port, &hints,
	    &res)) != 0) {
		snprintf(why, whylen, "bind address %s: %s", bind_addr,
		    gai_strerror(rc));
		return -EINVAL;
	}
	for (ai = res; ai != NULL && *n < CONSOLE_LISTEN_MAX; ai = ai->ai_next)
		if ((rc = console_listen_one(ai, fds, n, why, whylen)) < 0)
			err = rc;
	freeaddrinfo(res);
	if (*n == 0)
		return err ? err : -EADDRNOTAVAIL;
	log_info("listening on %s port %s", bind_addr[0] ? bind_addr :
	    "*", port);
	return 0;
}

/* Room for `max` sessions (the table never shrinks). */
static int
console_grow(struct console *c, size_t max)
{
	struct console_session **s;
	struct pollfd *p;

	if (max <= c->cap)
		return 0;
	if ((s = realloc(c->sessions, max * sizeof(*s))) == NULL)
		return -ENOMEM;
	c->sessions = s;
	/* listeners + bus + serial + sessions */
	if ((p = realloc(c->pfd, (max + CONSOLE_LISTEN_MAX + 2) *
	    sizeof(*p))) == NULL)
		return -ENOMEM;
	c->pfd = p;
	c->cap = max;
	return 0;
}

static void console_stop(struct svc_ctx *ctx);

static int
console_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct console *c;
	int err;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	svc_set_priv(ctx, c);
	lockout_init(&c->lockout, 0, 0, 0, 0);	/* limits set just below */
	console_limits(c, svc_cfg(ctx), svc_name(ctx));
	c->rate = (struct log_rate)LOG_RATE_INIT(10);
	c->login_rate = (struct log_rate)LOG_RATE_INIT(10);
	c->serial_rate = (struct log_rate)LOG_RATE_INIT(300);
	if ((err = console_grow(c, c->lim.max_sessions)) < 0)
		goto fail;
	if ((err = console_listen(svc_cfg(ctx), svc_name(ctx), c->listen_fd,
	    &c->nlisten, why, whylen)) < 0)
		goto fail;
	c->sub = bus_subscribe(BUS_MASK(BUS_CHANGE) | BUS_MASK(BUS_METERS),
	    CONSOLE_BUS_DEPTH);
	if (c->sub == NULL) {
		snprintf(why, whylen, "cannot subscribe to the bus");
		err = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	/* stop may not run after a failed init: release here */
	console_stop(ctx);
	return err;
}

/* The listeners can stay only if the address and port did not change. */
static bool
console_same_address(const struct cfg *a, const struct cfg *b,
    const char *name)
{
	return strcmp(cfg_str(a, name, "bind"), cfg_str(b, name, "bind")) ==
	    0 && cfg_int(a, name, "port") == cfg_int(b, name, "port");
}

/*
 * SIGHUP changed [console]: open the new listeners before closing the
 * old ones, so a port in use leaves the console as it was. Sessions stay
 * open; the new limits apply from now on.
 */
static int
console_reload(struct svc_ctx *ctx, const struct cfg *next, char *why,
    size_t whylen)
{
	struct console *c = svc_priv(ctx);
	const char *name = svc_name(ctx);
	bool rebind = !console_same_address(svc_cfg(ctx), next, name);
	char device[sizeof(c->serial_device)];
	int fds[CONSOLE_LISTEN_MAX], err;
	size_t n = 0, i;

	if (rebind && (err = console_listen(next, name, fds, &n, why,
	    whylen)) < 0)
		return err;
	if ((err = console_grow(c, (size_t)cfg_int(next, name,
	    "max_sessions"))) < 0) {
		snprintf(why, whylen, "out of memory");
		for (i = 0; i < n; i++)
			close(fds[i]);
		return err;
	}
	if (rebind) {
		for (i = 0; i < c->nlisten; i++)
			close(c->listen_fd[i]);
		memcpy(c->listen_fd, fds, n * sizeof(*fds));
		c->nlisten = n;
	}
	memcpy(device, c->serial_device, sizeof(device));
	console_limits(c, next, name);
	if (strcmp(device, c->serial_device) != 0 && c->serial != NULL) {
		log_info("serial port %s closed: the device changed", device);
		console_session_free(c->serial);
		c->serial = NULL;
		c->serial_retry_ms = 0;
	}
	return 0;
}

/* Tell a connection we will not serve it, in one line, and close it. */
static void
console_refuse(struct console *c, int fd, const char *addr, const char *line)
{
	char drain[512];

	c->refused++;
	log_warnx_rl(&c->login_rate, "refused %s: %.*s", addr,
	    (int)strcspn(line, "\r\n"), line);
	if (send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* the peer is gone already; nothing to tell */
	}
	shutdown(fd, SHUT_WR);
	/* unread input would turn the close into a reset */
	if (recv(fd, drain, sizeof(drain), MSG_DONTWAIT) < 0) {
		/* nothing was sent: fine */
	}
	close(fd);
}

/*
 * The console is full: free the slot of a session that is already closing
 * or, failing that, of the oldest one still at the login prompts, so idle
 * or hostile connections cannot lock out everyone (logged-in sessions
 * are never evicted). False if every slot holds a logged-in session.
 */
static bool
console_evict(struct console *c)
{
	static const char bye[] = "\r\nSession closed: the unit needs this "
	    "slot for a new connection.\r\n";
	struct console_session *s;
	size_t i, victim = SIZE_MAX;

	for (i = 0; i < c->nsessions; i++) {
		s = c->sessions[i];
		if (s->dead || s->phase == CONSOLE_PHASE_CLOSING) {
			victim = i;	/* on its way out anyway */
			break;
		}
		if ((s->phase == CONSOLE_PHASE_USER ||
		    s->phase == CONSOLE_PHASE_PASS) && (victim == SIZE_MAX ||
		    s->opened_ms < c->sessions[victim]->opened_ms))
			victim = i;
	}
	if (victim == SIZE_MAX)
		return false;
	s = c->sessions[victim];
	if (!s->dead && s->phase != CONSOLE_PHASE_CLOSING) {
		log_info("session %u %s evicted at the login prompt: the "
		    "console is full", s->id, s->peer);
		if (send(s->fd, bye, sizeof(bye) - 1,
		    MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			/* it is going anyway */
		}
	}
	console_session_free(s);
	c->sessions[victim] = c->sessions[--c->nsessions];
	return true;
}

static void
console_accept_one(struct console *c, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	char addr[LOCKOUT_ADDR], port[8], line[160];
	struct console_session *s;
	uint64_t locked;
	int on = 1;

	if (getnameinfo(sa, salen, addr, sizeof(addr), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(addr, sizeof(addr), "?");
		snprintf(port, sizeof(port), "0");
	}
	locked = lockout_remaining(&c->lockout, addr, clock_ms());
	if (locked > 0) {
		console_session_lockout_line(line, sizeof(line), addr, locked);
		console_refuse(c, fd, addr, line);
		return;
	}
	if (c->nsessions >= c->lim.max_sessions && !console_evict(c)) {
		snprintf(line, sizeof(line), "Too many sessions (%zu); try "
		    "again later.\r\n", c->lim.max_sessions);
		console_refuse(c, fd, addr, line);
		return;
	}
	/* replies are small and each one is awaited: no Nagle delay */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	s = console_session_new(c, fd, addr, (unsigned)atoi(port), false);
	if (s == NULL) {
		close(fd);
		return;
	}
	c->sessions[c->nsessions++] = s;
	log_info("session %u from %s:%s", s->id, addr, port);
}

/*
 * Out of descriptors (or kernel memory) the listener stays readable and
 * every accept fails: leave the listeners out of poll for a moment
 * instead of spinning, and say so once per episode.
 */
static void
console_accept_starved(struct console *c, int err)
{
	c->accept_paused_until_ms = clock_ms() + CONSOLE_ACCEPT_PAUSE_MS;
	if (c->accept_starved)
		return;
	c->accept_starved = true;
	log_warnx("accept: %s: new connections wait until sessions end "
	    "(retried every %u ms)", strerror(err), CONSOLE_ACCEPT_PAUSE_MS);
}

static void
console_accept(struct console *c, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, i;

	for (i = 0; i < CONSOLE_ACCEPT_BURST; i++) {
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
		    errno == ENOBUFS || errno == ENOMEM)) {
			console_accept_starved(c, errno);
			return;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warnx_rl(&c->rate, "accept: %s",
				    strerror(errno));
			return;
		}
		if (c->accept_starved) {
			c->accept_starved = false;
			log_info("accepting connections again");
		}
		console_accept_one(c, fd, (struct sockaddr *)&ss, sl);
	}
}

/* Session `i` of the broadcast list: the sockets, then the serial port. */
static struct console_session *
console_nth(struct console *c, size_t i)
{
	return i < c->nsessions ? c->sessions[i] : c->serial;
}

static void console_serial_reconfigure(struct console *c);

/* A change made elsewhere, as a bare line to everyone but its maker. */
static void
console_change(struct console *c, const struct bus_change *ch)
{
	struct console_session *s;
	size_t n, i;

	if (ch->what == STATE_F_USER || ch->what == STATE_F_RELOADED)
		for (i = 0; i < c->nsessions; i++)
			console_session_recheck_user(c, c->sessions[i]);
	if (ch->what == STATE_F_RELOADED || (ch->what == STATE_F_SETTING &&
	    (ch->integer == SET_BAUD || ch->integer == SET_FLOW)))
		console_serial_reconfigure(c);
	n = cmd_format_change(ch, c->scratch, sizeof(c->scratch) - 2);
	if (n == 0)
		return;
	c->scratch[n++] = '\r';
	c->scratch[n++] = '\n';
	for (i = 0; i <= c->nsessions; i++) {
		s = console_nth(c, i);
		if (s == NULL || s->dead || s->phase != CONSOLE_PHASE_CMD)
			continue;
		/* its maker already had the OK> reply */
		if (bus_origin_same_session(&ch->origin, &s->cmd.origin))
			continue;
		console_session_send(c, s, c->scratch, n);
	}
}

static void
console_meters(struct console *c, const struct bus_meters *m)
{
	struct console_session *s;
	uint64_t now = clock_ms();
	bool levels = now >= c->next_levels_ms;
	size_t n, i;

	/* the web page's meters may tick faster than a Telnet driver wants
	 * level lines; a little early still counts, so a 250 ms report on
	 * 50 ms ticks does not slip to every 300 ms */
	if (levels)
		c->next_levels_ms = now + c->lim.level_report_ms -
		    c->lim.level_report_ms / 8;
	for (i = 0; i <= c->nsessions; i++) {
		s = console_nth(c, i);
		if (s == NULL || s->dead || s->phase != CONSOLE_PHASE_CMD)
			continue;
		n = cmd_format_reports(&s->cmd, m, levels, c->scratch,
		    sizeof(c->scratch));
		console_session_send(c, s, c->scratch, n);
	}
}

static void
console_bus(struct console *c)
{
	struct bus_msg m;
	uint64_t dropped;
	int i;

	for (i = 0; i < CONSOLE_BUS_BURST && bus_take(c->sub, &m) == 1; i++) {
		if (m.type == BUS_CHANGE)
			console_change(c, &m.u.change);
		else if (m.type == BUS_METERS)
			console_meters(c, &m.u.meters);
	}
	dropped = bus_sub_dropped(c->sub);
	if (dropped != c->bus_dropped) {
		log_warnx_rl(&c->rate, "fell behind the bus, %llu reports lost",
		    (unsigned long long)(dropped - c->bus_dropped));
		c->bus_dropped = dropped;
	}
}

/* Open the serial port when configured and not open; retry slowly. */
static void
console_serial_tick(struct console *c, uint64_t now_ms)
{
	char why[160];
	unsigned baud;
	bool flow;
	int fd;

	if (c->serial_device[0] == '\0' || c->serial != NULL ||
	    now_ms < c->serial_retry_ms)
		return;
	c->serial_retry_ms = now_ms + CONSOLE_SERIAL_RETRY_MS;
	if ((fd = console_serial_settings(&baud, &flow)) >= 0)
		fd = console_serial_open(c->serial_device, baud, flow, why,
		    sizeof(why));
	else
		snprintf(why, sizeof(why), "settings: %s", strerror(-fd));
	if (fd < 0) {
		log_warnx_rl(&c->serial_rate, "serial port: %s", why);
		return;
	}
	c->serial = console_session_new(c, fd, c->serial_device, 0, true);
	if (c->serial == NULL) {
		close(fd);
		return;
	}
	log_info("serial port %s open at %u baud, flow control %s",
	    c->serial_device, baud, flow ? "on" : "off");
}

/*
 * BAUD or FLOW changed (or a restore replaced them): set the open port
 * at once. Its pending output (the BAUD reply) goes out first, at the
 * old speed where the driver has sent it already.
 */
static void
console_serial_reconfigure(struct console *c)
{
	char why[160];
	unsigned baud;
	bool flow;
	int err;

	if (c->serial == NULL || c->serial->dead)
		return;
	console_session_flush(c, c->serial);
	if ((err = console_serial_settings(&baud, &flow)) >= 0)
		err = console_serial_apply(c->serial->fd, baud, flow, why,
		    sizeof(why));
	else
		snprintf(why, sizeof(why), "settings: %s", strerror(-err));
	if (err < 0) {
		log_warnx("serial port %s: %s", c->serial_device, why);
		return;
	}
	log_info("serial port %s now at %u baud, flow control %s",
	    c->serial_device, baud, flow ? "on" : "off");
}

static short
console_events(const struct console *c, const struct console_session *s)
{
	short ev = 0;

	if (console_session_wants_input(c, s))
		ev |= POLLIN;
	if (s->out_len > s->out_off)
		ev |= POLLOUT;
	return ev;
}

/* Fill c->pfd: listeners, bus, serial, sessions. Returns the count. */
static nfds_t
console_pollset(struct console *c)
{
	struct pollfd *p = c->pfd;
	bool paused = clock_ms() < c->accept_paused_until_ms;
	size_t i;

	/* a negative fd is skipped by poll: listeners that must wait */
	for (i = 0; i < c->nlisten; i++)
		*p++ = (struct pollfd){ paused ? -1 : c->listen_fd[i], POLLIN,
		    0 };
	*p++ = (struct pollfd){ bus_sub_fd(c->sub), POLLIN, 0 };
	if (c->serial != NULL)
		*p++ = (struct pollfd){ c->serial->fd,
		    console_events(c, c->serial), 0 };
	else
		*p++ = (struct pollfd){ -1, 0, 0 };
	for (i = 0; i < c->nsessions; i++)
		*p++ = (struct pollfd){ c->sessions[i]->fd,
		    console_events(c, c->sessions[i]), 0 };
	return (nfds_t)(p - c->pfd);
}

static int
console_timeout(const struct console *c, uint64_t now_ms)
{
	uint64_t next = now_ms + 1000, d;
	size_t i;

	for (i = 0; i < c->nsessions; i++) {
		/* input left over from a bounded pass: no waiting */
		if (console_session_runnable(c, c->sessions[i]))
			return 0;
		if ((d = console_session_deadline(c, c->sessions[i])) < next)
			next = d;
	}
	if (c->serial != NULL && console_session_runnable(c, c->serial))
		return 0;
	if (c->serial_device[0] != '\0' && c->serial == NULL &&
	    c->serial_retry_ms < next)
		next = c->serial_retry_ms;
	if (c->accept_paused_until_ms > now_ms &&
	    c->accept_paused_until_ms < next)
		next = c->accept_paused_until_ms;
	return next <= now_ms ? 0 : (int)(next - now_ms);
}

static void
console_ready(struct console *c, struct console_session *s, short revents)
{
	if (s == NULL || revents == 0)
		return;
	if (revents & POLLERR) {
		s->dead = true;
		return;
	}
	if (revents & POLLOUT)
		console_session_flush(c, s);
	if (revents & (POLLIN | POLLHUP)) {
		if (console_session_wants_input(c, s))
			console_session_input(c, s);
		else if (revents & POLLHUP)
			s->dead = true;	/* gone; we cannot read now */
	}
}

/* Close and forget dead sessions, keeping the order of the rest. */
static void
console_sweep(struct console *c, uint64_t now_ms)
{
	size_t i, j;

	for (i = j = 0; i < c->nsessions; i++) {
		if (c->sessions[i]->dead)
			console_session_free(c->sessions[i]);
		else
			c->sessions[j++] = c->sessions[i];
	}
	c->nsessions = j;
	if (c->serial != NULL && c->serial->dead) {
		log_warnx("serial port %s closed", c->serial_device);
		console_session_free(c->serial);
		c->serial = NULL;
		c->serial_retry_ms = now_ms + CONSOLE_SERIAL_RETRY_MS;
	}
}

static void
console_pass(struct console *c, size_t polled)
{
	struct console_session *s;
	uint64_t now;
	size_t i, slots, base = c->nlisten + 2;

	for (i = 0; i < polled; i++)
		console_ready(c, c->sessions[i], c->pfd[base + i].revents);
	console_ready(c, c->serial, c->pfd[c->nlisten + 1].revents);
	if (c->pfd[c->nlisten].revents & POLLIN)
		console_bus(c);
	for (i = 0; i < c->nlisten; i++)
		if (c->pfd[i].revents & POLLIN)
			console_accept(c, c->listen_fd[i]);
	now = clock_ms();
	c->pass_end_ms = now + CONSOLE_PASS_MS;
	/* the sessions and the serial port; each pass starts one further */
	slots = c->nsessions + 1;
	c->turn = (c->turn + 1) % slots;
	for (i = 0; i < slots; i++) {
		if ((s = console_nth(c, (c->turn + i) % slots)) == NULL)
			continue;
		if (i == 0 || clock_ms() < c->pass_end_ms)
			console_session_process(c, s);
		console_session_timers(c, s, now);
		/* report this session's changes before the next one's */
		console_bus(c);
	}
	for (i = 0; i <= c->nsessions; i++)
		if ((s = console_nth(c, i)) != NULL && s->out_len > s->out_off)
			console_session_flush(c, s);
	console_sweep(c, now);
}

static int
console_run(struct svc_ctx *ctx)
{
	struct console *c = svc_priv(ctx);
	uint64_t beat = 0, now;
	size_t polled;
	nfds_t nfds;
	int n;

	while (!svc_should_stop(ctx)) {
		svc_apply_offer(ctx);
		console_serial_tick(c, clock_ms());
		nfds = console_pollset(c);
		polled = c->nsessions;
		n = svc_poll(ctx, c->pfd, nfds, console_timeout(c, clock_ms()));
		if (n < 0) {
			svc_set_error(ctx, "poll: %s", strerror(-n));
			return n;
		}
		if (svc_should_stop(ctx))
			break;
		console_pass(c, polled);
		/* busy passes run thousands of times a second: beat at 10 Hz */
		if ((now = clock_ms()) - beat >= CONSOLE_BEAT_MS) {
			svc_beat(ctx);
			beat = now;
		}
	}
	return 0;
}

static void
console_stop(struct svc_ctx *ctx)
{
	struct console *c = svc_priv(ctx);
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsessions; i++)
		console_session_free(c->sessions[i]);
	console_session_free(c->serial);
	for (i = 0; i < c->nlisten; i++)
		close(c->listen_fd[i]);
	if (c->sub != NULL)
		bus_unsubscribe(c->sub);
	lockout_fini(&c->lockout);
	free(c->sessions);
	free(c->pfd);
	free(c);
	svc_set_priv(ctx, NULL);
}

const struct service console_service = {
	.name = "console",
	.summary = "Telnet/TCP control console (Converge Pro protocol)",
	.keys = console_keys,
	.default_port = CONSOLE_DEFAULT_PORT,
	.default_enabled = true,
	.init = console_init,
	.run = console_run,
	.stop = console_stop,
	.reload = console_reload,
};
