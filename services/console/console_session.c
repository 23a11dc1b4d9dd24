/* SPDX-License-Identifier: MIT */
/*
 * One console session: login (protocol.md §1.1, §11.1), command lines
 * through cmd_execute, bounded non-blocking output. The byte strings of
 * the login dialogue are the real unit's and must not change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "state.h"
#include "console_priv.h"

#define BANNER_BOX "\r\n************\r\n* Converge *\r\n************\r\n"
#define PROMPT_USER "\r\nuser: "
#define PROMPT_PASS "\r\npass: "
#define LOGIN_FAILED "\r\nInvalid User/Pass.\r\n"
#define LOGIN_TRIES 3		/* failures before the session is closed */

static uint32_t session_next_id = 1;

/* Printable copy of network text for logs and events. */
static void
session_clean(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static void
session_origin(struct console_session *s, struct origin *o)
{
	memset(o, 0, sizeof(*o));
	bus_origin_set(o, console_service.name, s->id);
	snprintf(o->user, sizeof(o->user), "%s", s->user);
	/* a long IPv6 peer or device path is cut to fit */
	snprintf(o->from, sizeof(o->from), "%s %.39s",
	    s->serial ? "serial" : "console", s->peer);
}

static void
session_banner(struct console *c, struct console_session *s)
{
	struct state_identity id;
	char text[128];
	int n;

	state_identity(&id);
	n = snprintf(text, sizeof(text), BANNER_BOX "Version %s\r\n\r\n",
	    id.firmware);
	console_session_send(c, s, text, (size_t)n);
	console_session_send(c, s, PROMPT_USER, strlen(PROMPT_USER));
}

struct console_session *
console_session_new(struct console *c, int fd, const char *addr,
    unsigned port, bool serial)
{
	struct console_session *s;
	struct origin o;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->linebuf = malloc(c->lim.max_line + 1)) == NULL) {
		free(s);
		return NULL;
	}
	s->fd = fd;
	s->serial = serial;
	s->id = session_next_id++;
	if (session_next_id == 0)
		session_next_id = 1;
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	if (serial)
		snprintf(s->peer, sizeof(s->peer), "%s", addr);
	else
		snprintf(s->peer, sizeof(s->peer), "%s:%u", addr, port);
	console_telnet_init(&s->telnet);
	console_telnet_line_init(&s->line, s->linebuf, c->lim.max_line);
	s->opened_ms = s->last_input_ms = clock_ms();
	if (serial) {
		/* RS-232 needs no login on real units: Administrator */
		snprintf(s->user, sizeof(s->user), "serial");
		session_origin(s, &o);
		cmd_session_init(&s->cmd, LEVEL_ADMIN, &o);
		s->phase = CONSOLE_PHASE_CMD;
	} else {
		s->phase = CONSOLE_PHASE_USER;
		session_banner(c, s);
	}
	return s;
}

void
console_session_free(struct console_session *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->out);
	free(s->linebuf);
	free(s);
}

/* Bytes written, 0 if the peer cannot take more now, -1 on error. */
static ssize_t
session_write(struct console_session *s, const void *data, size_t len)
{
	ssize_t n;

	if (s->serial)
		n = write(s->fd, data, len);
	else
		n = send(s->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return -1;
}

static void
session_fail(struct console_session *s, const char *why)
{
	if (!s->dead)
		log_info("session %u %s closed: %s", s->id, s->peer,
		    why);
	s->dead = true;
}

/* Make room for `len` more bytes of output; false if over the limit. */
static bool
session_room(struct console *c, struct console_session *s, size_t len)
{
	size_t pending = s->out_len - s->out_off;
	size_t cap;
	uint8_t *p;

	if (pending + len > c->lim.max_output)
		return false;
	if (s->out_off > 0) {
		memmove(s->out, s->out + s->out_off, pending);
		s->out_off = 0;
		s->out_len = pending;
	}
	if (s->out_len + len <= s->out_cap)
		return true;
	cap = s->out_cap ? s->out_cap : 4096;
	while (cap < s->out_len + len)
		cap *= 2;
	if (cap > c->lim.max_output)
		cap = c->lim.max_output;
	if ((p = realloc(s->out, cap)) == NULL)
		return false;
	s->out = p;
	s->out_cap = cap;
	return true;
}

void
console_session_send(struct console *c, struct console_session *s,
    const void *data, size_t len)
{
	if (s->dead || len == 0)
		return;
	/*
	 * Always queue: the service flushes every session once per pass,
	 * so a burst of replies or reports costs one write, not one each.
	 */
	if (!session_room(c, s, len)) {
		c->overflows++;
		if (s->serial) {
			/* a port nobody reads: drop, never close */
			return;
		}
		log_warnx("session %u %s: output buffer full "
		    "(%zu bytes), reader too slow: disconnecting", s->id,
		    s->peer, c->lim.max_output);
		session_fail(s, "output buffer overflow");
		return;
	}
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
}

void
console_session_flush(struct console *c, struct console_session *s)
{
	ssize_t n;

	(void)c;
	while (!s->dead && s->out_off < s->out_len) {
		n = session_write(s, s->out + s->out_off,
		    s->out_len - s->out_off);
		if (n < 0)
			session_fail(s, strerror(errno));
		if (n <= 0)
			break;
		s->out_off += (size_t)n;
	}
	if (s->out_off == s->out_len)
		s->out_off = s->out_len = 0;
	if (s->phase == CONSOLE_PHASE_CLOSING && !s->dead && s->out_len == 0 &&
	    !s->wr_shut) {
		/*
		 * Shut our side and drain theirs until EOF: closing with
		 * unread input would reset the connection and could lose
		 * the last line we sent.
		 */
		if (s->serial || shutdown(s->fd, SHUT_WR) < 0)
			s->dead = true;
		s->wr_shut = true;
	}
}

void
console_session_close(struct console *c, struct console_session *s,
    const char *line, uint64_t now_ms)
{
	if (line != NULL)
		console_session_send(c, s, line, strlen(line));
	s->phase = CONSOLE_PHASE_CLOSING;
	s->close_at_ms = now_ms + CONSOLE_CLOSE_GRACE_MS;
	console_session_flush(c, s);
}

static void
session_malformed(struct console *c, struct console_session *s,
    const char *what)
{
	c->malformed++;
	log_warnx_rl(&c->rate, "session %u %s: %s (%llu malformed "
	    "inputs so far)", s->id, s->peer, what,
	    (unsigned long long)c->malformed);
}

static void
session_login_ok(struct console *c, struct console_session *s,
    enum user_level level)
{
	struct origin o;
	char text[160];
	int n;

	lockout_success(&c->lockout, s->addr);
	session_origin(s, &o);
	cmd_session_init(&s->cmd, level, &o);
	s->phase = CONSOLE_PHASE_CMD;
	/* one write: drivers test each read chunk for "Authenticated" */
	n = snprintf(text, sizeof(text), "\r\n\r\nAuthenticated.\r\n"
	    "Text Mode Engaged\r\n\r\nLevel: %s\r\n", user_level_name(level));
	console_session_send(c, s, text, (size_t)n);
	log_info("session %u %s: %s logged in (%s)", s->id, s->peer,
	    o.user, user_level_name(level));
}

void
console_session_lockout_line(char *buf, size_t len, const char *addr,
    uint64_t remaining_ms)
{
	snprintf(buf, len, "Too many failed logins from %s; try again in "
	    "%u s.\r\n", addr, lockout_seconds(remaining_ms));
}

/* Refuse a login from a locked-out address and close the session. */
static void
session_locked(struct console *c, struct console_session *s,
    uint64_t remaining_ms, uint64_t now_ms)
{
	char text[160];

	console_session_lockout_line(text, sizeof(text), s->addr, remaining_ms);
	console_session_close(c, s, text, now_ms);
}

static void
session_login_failed(struct console *c, struct console_session *s,
    uint64_t now_ms)
{
	struct origin o;
	uint64_t locked;
	char who[32];

	s->failures++;
	session_origin(s, &o);
	session_clean(who, sizeof(who), s->user_bad ? "(too long)" : s->user);
	log_warnx_rl(&c->login_rate, "session %u %s: login failed "
	    "for user \"%s\"", s->id, s->peer, who);
	bus_event_by(&o, EVENT_LOGIN, SEVERITY_WARNING,
	    "console login failed for user %s from %s", who, s->addr);
	console_session_send(c, s, LOGIN_FAILED, strlen(LOGIN_FAILED));
	locked = lockout_fail(&c->lockout, s->addr, now_ms);
	if (locked > 0) {
		log_warnx("%s locked out for %u s after repeated "
		    "failed logins", s->addr, lockout_seconds(locked));
		bus_event_by(&o, EVENT_LOGIN, SEVERITY_ERROR, "console logins from %s "
		    "locked out for %u s after repeated failures", s->addr,
		    lockout_seconds(locked));
		session_locked(c, s, locked, now_ms);
	} else if (s->failures >= LOGIN_TRIES) {
		log_info("session %u %s: %u failed logins, closing",
		    s->id, s->peer, s->failures);
		console_session_close(c, s, NULL, now_ms);
	} else {
		s->user[0] = '\0';
		s->user_bad = false;
		s->phase = CONSOLE_PHASE_USER;
		console_session_send(c, s, PROMPT_USER, strlen(PROMPT_USER));
	}
}

static void
session_user_line(struct console *c, struct console_session *s, char *line,
    size_t len, bool too_long)
{
	/* a NUL would cut the name short: such a login must fail */
	s->user_bad = too_long || len >= sizeof(s->user) ||
	    memchr(line, '\0', len) != NULL;
	if (s->user_bad)
		s->user[0] = '\0';
	else
		memcpy(s->user, line, len + 1);
	s->phase = CONSOLE_PHASE_PASS;
	console_session_send(c, s, PROMPT_PASS, strlen(PROMPT_PASS));
}

static void
session_pass_line(struct console *c, struct console_session *s, char *line,
    size_t len, bool too_long)
{
	enum user_level level = LEVEL_USER;
	uint64_t now = clock_ms(), remaining;
	bool ok;

	remaining = lockout_remaining(&c->lockout, s->addr, now);
	if (remaining > 0) {
		session_locked(c, s, remaining, now);
		return;
	}
	/* "conv\0junk" must not pass as "conv" */
	ok = !s->user_bad && !too_long && memchr(line, '\0', len) == NULL &&
	    state_user_check(s->user, line, &level) == 0;
	explicit_bzero(line, len);
	if (ok)
		session_login_ok(c, s, level);
	else
		session_login_failed(c, s, now);
}

/*
 * Users change on the web page while Telnet sessions are open: as there,
 * a demoted user's next line runs with the new level and a deleted
 * user's session ends (it kept its login level before).
 */
bool
console_session_recheck_user(struct console *c, struct console_session *s)
{
	struct state_user_info users[STATE_USERS_MAX];
	char text[128];
	size_t n, i;

	if (s->dead)
		return false;
	if (s->serial || s->phase != CONSOLE_PHASE_CMD)
		return s->phase != CONSOLE_PHASE_CLOSING;
	n = state_user_list(users, STATE_USERS_MAX);
	for (i = 0; i < n; i++) {
		if (strcasecmp(users[i].name, s->user) == 0) {
			s->cmd.level = users[i].level;
			return true;
		}
	}
	log_info("session %u %s: user %s was removed, closing", s->id,
	    s->peer, s->user);
	snprintf(text, sizeof(text), "User %s was removed; closing.\r\n",
	    s->user);
	console_session_close(c, s, text, clock_ms());
	return false;
}

static void
session_cmd_line(struct console *c, struct console_session *s, char *line,
    size_t len, bool too_long)
{
	if (!console_session_recheck_user(c, s))
		return;
	if (too_long) {
		session_malformed(c, s, "line too long, dropped");
		cmd_reply_too_long(line, len, &c->reply);
		console_session_send(c, s, c->reply.text, c->reply.len);
		return;
	}
	cmd_execute(&s->cmd, line, len, &c->reply);
	console_session_send(c, s, c->reply.text, c->reply.len);
}

typedef void session_line_fn(struct console *, struct console_session *,
    char *, size_t, bool);

/* What a line means in each phase (CLOSING ignores input). */
static session_line_fn *const session_phase_fn[] = {
	[CONSOLE_PHASE_USER] = session_user_line,
	[CONSOLE_PHASE_PASS] = session_pass_line,
	[CONSOLE_PHASE_CMD] = session_cmd_line,
	[CONSOLE_PHASE_CLOSING] = NULL,
};

bool
console_session_wants_input(const struct console *c,
    const struct console_session *s)
{
	if (s->dead)
		return false;
	if (s->phase == CONSOLE_PHASE_CLOSING)
		return s->wr_shut;	/* drain until EOF */
	/* back-pressure: a client that does not read stops being read */
	return s->in_off == s->in_len &&
	    s->out_len - s->out_off <= c->lim.max_output / 2;
}

void
console_session_input(struct console *c, struct console_session *s)
{
	uint8_t raw[CONSOLE_READ_CHUNK], reply[CONSOLE_READ_CHUNK];
	struct console_telnet_out out;
	ssize_t n;

	n = read(s->fd, raw, sizeof(raw));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n < 0) {
		session_fail(s, strerror(errno));
		return;
	}
	if (n == 0 && s->phase == CONSOLE_PHASE_CLOSING) {
		s->dead = true;		/* drained: the close is complete */
		return;
	}
	if (n == 0) {
		/*
		 * The client is done sending (it may only have half-closed):
		 * its input is all answered, so flush the replies and close.
		 */
		log_info("session %u %s: end of input", s->id, s->peer);
		console_session_close(c, s, NULL, clock_ms());
		return;
	}
	if (s->phase == CONSOLE_PHASE_CLOSING)
		return;		/* draining before the close */
	s->last_input_ms = clock_ms();
	if (s->serial) {
		/* a serial line carries no Telnet */
		memcpy(s->in, raw, (size_t)n);
		s->in_off = 0;
		s->in_len = (size_t)n;
		return;
	}
	console_telnet_decode(&s->telnet, raw, (size_t)n, s->in, reply,
	    sizeof(reply), &out);
	s->in_off = 0;
	s->in_len = out.data_len;
	if (out.reply_len > 0)
		console_session_send(c, s, reply, out.reply_len);
	if (out.malformed > 0)
		session_malformed(c, s, "malformed telnet sequence");
}

bool
console_session_runnable(const struct console *c,
    const struct console_session *s)
{
	return s->in_off < s->in_len && !s->dead &&
	    s->phase != CONSOLE_PHASE_CLOSING &&
	    s->out_len - s->out_off <= c->lim.max_output / 2;
}

void
console_session_process(struct console *c, struct console_session *s)
{
	enum console_telnet_line_result r;
	session_line_fn *fn;
	unsigned lines = 0;

	/* a bounded share per pass, so pipelining clients take turns */
	while (console_session_runnable(c, s) &&
	    lines < CONSOLE_LINES_PER_PASS &&
	    (lines == 0 || clock_ms() < c->pass_end_ms)) {
		r = console_telnet_line_push(&s->line, s->in[s->in_off++]);
		if (r == CONSOLE_TELNET_LINE_NONE)
			continue;
		lines++;
		fn = session_phase_fn[s->phase];
		if (fn != NULL)
			fn(c, s, s->line.buf, s->line.len,
			    r == CONSOLE_TELNET_LINE_TOO_LONG);
	}
	if (s->phase == CONSOLE_PHASE_CLOSING)
		s->in_off = s->in_len = 0;
}

/* When a session still at the prompts must have logged in. */
static uint64_t
session_login_deadline(const struct console *c,
    const struct console_session *s)
{
	if (s->serial || c->lim.login_ms == 0 ||
	    (s->phase != CONSOLE_PHASE_USER && s->phase != CONSOLE_PHASE_PASS))
		return UINT64_MAX;
	return s->opened_ms + c->lim.login_ms;
}

static uint64_t
session_idle_deadline(const struct console *c,
    const struct console_session *s)
{
	if (s->serial || c->lim.idle_ms == 0)
		return UINT64_MAX;
	return s->last_input_ms + c->lim.idle_ms;
}

uint64_t
console_session_deadline(const struct console *c,
    const struct console_session *s)
{
	uint64_t login, idle;

	if (s->phase == CONSOLE_PHASE_CLOSING)
		return s->close_at_ms;
	login = session_login_deadline(c, s);
	idle = session_idle_deadline(c, s);
	return login < idle ? login : idle;
}

void
console_session_timers(struct console *c, struct console_session *s,
    uint64_t now_ms)
{
	unsigned long long secs;
	char text[96];

	if (s->dead || now_ms < console_session_deadline(c, s))
		return;
	if (s->phase == CONSOLE_PHASE_CLOSING) {
		s->dead = true;
		return;
	}
	if (now_ms >= session_login_deadline(c, s)) {
		/* a slot held at the prompts is a slot others cannot use */
		secs = (unsigned long long)(c->lim.login_ms / 1000);
		log_info("session %u %s did not log in within %llu s, closing",
		    s->id, s->peer, secs);
		snprintf(text, sizeof(text), "\r\nLogin timed out after %llu "
		    "s.\r\n", secs);
	} else {
		secs = (unsigned long long)(c->lim.idle_ms / 1000);
		log_info("session %u %s idle for %llu s, closing", s->id,
		    s->peer, secs);
		snprintf(text, sizeof(text), "\r\nSession idle for %llu s; "
		    "closing.\r\n", secs);
	}
	console_session_close(c, s, text, now_ms);
}
