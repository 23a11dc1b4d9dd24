/* SPDX-License-Identifier: MIT */
/*
 * Web login sessions and login throttling. A session is a random token
 * (getrandom) in an HttpOnly cookie plus a second random CSRF token the
 * page sends back in X-CSRF-Token; both expire after an idle time. Failed
 * logins are counted per client address and lock it out with a growing
 * delay by the lockout table the console uses too (core/lockout.c).
 * Called from civetweb's worker threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "clock.h"
#include "lockout.h"
#include "log.h"
#include "web/web_int.h"

struct session_slot {
	bool used;
	struct web_session s;
	uint64_t last_ms;
};

static pthread_mutex_t session_lock = PTHREAD_MUTEX_INITIALIZER;
static struct session_slot *sessions;
static size_t nsessions;
static uint32_t session_next_id = 1;
static struct lockout web_lockout;	/* its own lock */

int
web_session_init(void)
{
	struct session_slot *t;

	/* first, so web_session_fini always finds it initialised */
	lockout_init(&web_lockout, (unsigned)web_limits.lockout_after,
	    (uint64_t)web_limits.lockout_delay_s * 1000u, LOCKOUT_CAP_MS,
	    LOCKOUT_FORGET_MS);
	t = calloc((size_t)web_limits.max_sessions, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&session_lock);
	free(sessions);
	sessions = t;
	nsessions = (size_t)web_limits.max_sessions;
	pthread_mutex_unlock(&session_lock);
	return 0;
}

void
web_session_fini(void)
{
	pthread_mutex_lock(&session_lock);
	if (sessions != NULL)
		explicit_bzero(sessions, nsessions * sizeof(*sessions));
	free(sessions);
	sessions = NULL;
	nsessions = 0;
	pthread_mutex_unlock(&session_lock);
	lockout_fini(&web_lockout);
}

/* 32 random bytes as 64 hex digits; getrandom never returns short for 32. */
static int
random_token(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[WEB_TOKEN_LEN / 2];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[WEB_TOKEN_LEN] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/* `now` may predate a refresh by another thread: never "negative" idle. */
static bool
slot_expired(const struct session_slot *slot, uint64_t now)
{
	return now > slot->last_ms && now - slot->last_ms >
	    (uint64_t)web_limits.session_idle_s * 1000u;
}

int
web_session_create(const char *user, enum user_level level,
    struct web_session *out)
{
	struct web_session s = { 0 };
	uint64_t now = clock_ms();
	size_t i;

	if (random_token(s.token) < 0 || random_token(s.csrf) < 0)
		return -EIO;
	strncpy(s.user, user, sizeof(s.user) - 1);
	s.level = level;
	pthread_mutex_lock(&session_lock);
	for (i = 0; i < nsessions; i++)
		if (!sessions[i].used || slot_expired(&sessions[i], now))
			break;
	if (i == nsessions) {
		pthread_mutex_unlock(&session_lock);
		return -ENOSPC;
	}
	s.id = session_next_id++;
	sessions[i].used = true;
	sessions[i].s = s;
	sessions[i].last_ms = now;
	pthread_mutex_unlock(&session_lock);
	*out = s;
	return 0;
}

/* The user's level now: a deleted user's sessions die, a demotion bites. */
int
web_session_user_level(const char *user, enum user_level *level)
{
	struct state_user_info users[STATE_USERS_MAX];
	size_t n, i;

	n = state_user_list(users, STATE_USERS_MAX);
	for (i = 0; i < n; i++) {
		if (strcasecmp(users[i].name, user) == 0) {
			*level = users[i].level;
			return 0;
		}
	}
	return -ENOENT;
}

int
web_session_find(const char *token, struct web_session *out)
{
	uint64_t now = clock_ms();
	bool found = false;
	size_t i;

	if (token == NULL || strlen(token) != WEB_TOKEN_LEN)
		return -ENOENT;
	pthread_mutex_lock(&session_lock);
	for (i = 0; i < nsessions; i++) {
		if (!sessions[i].used ||
		    !web_http_token_equal(sessions[i].s.token, token))
			continue;
		if (slot_expired(&sessions[i], now)) {
			sessions[i].used = false;
			break;
		}
		if (now > sessions[i].last_ms)
			sessions[i].last_ms = now;
		*out = sessions[i].s;
		found = true;
		break;
	}
	pthread_mutex_unlock(&session_lock);
	if (!found)
		return -ENOENT;
	if (web_session_user_level(out->user, &out->level) < 0) {
		web_session_delete(token);
		return -ENOENT;
	}
	return 0;
}

bool
web_session_alive(const char *token)
{
	uint64_t now = clock_ms();
	char user[32] = "";
	enum user_level level;
	size_t i;

	pthread_mutex_lock(&session_lock);
	for (i = 0; i < nsessions; i++) {
		if (sessions[i].used &&
		    web_http_token_equal(sessions[i].s.token, token) &&
		    !slot_expired(&sessions[i], now)) {
			memcpy(user, sessions[i].s.user, sizeof(user));
			break;
		}
	}
	pthread_mutex_unlock(&session_lock);
	return user[0] != '\0' && web_session_user_level(user, &level) == 0;
}

int
web_session_from_request(struct mg_connection *c, struct web_session *out)
{
	const char *cookie = mg_get_header(c, "Cookie");
	char token[WEB_TOKEN_LEN + 2];

	if (cookie == NULL ||
	    mg_get_cookie(cookie, WEB_COOKIE, token, sizeof(token)) !=
	    WEB_TOKEN_LEN)
		return -ENOENT;
	return web_session_find(token, out);
}

void
web_session_delete(const char *token)
{
	size_t i;

	pthread_mutex_lock(&session_lock);
	for (i = 0; i < nsessions; i++)
		if (sessions[i].used &&
		    web_http_token_equal(sessions[i].s.token, token))
			sessions[i].used = false;
	pthread_mutex_unlock(&session_lock);
}

void
web_session_expire(void)
{
	uint64_t now = clock_ms();
	size_t i;

	pthread_mutex_lock(&session_lock);
	for (i = 0; i < nsessions; i++)
		if (sessions[i].used && slot_expired(&sessions[i], now))
			sessions[i].used = false;
	pthread_mutex_unlock(&session_lock);
}

int
web_session_login_allowed(const char *addr, unsigned *retry_s)
{
	uint64_t left = lockout_remaining(&web_lockout, addr, clock_ms());

	if (left == 0)
		return 0;
	*retry_s = lockout_seconds(left);
	return -EBUSY;
}

void
web_session_login_failed(const char *addr, const char *user)
{
	uint64_t delay = lockout_fail(&web_lockout, addr, clock_ms());

	bus_event(EVENT_LOGIN, SEVERITY_WARNING,
	    "web login failed for user '%.31s' from %s", user, addr);
	if (delay > 0) {
		bus_event(EVENT_LOGIN, SEVERITY_WARNING,
		    "web logins from %s locked for %u s after repeated "
		    "failures", addr, lockout_seconds(delay));
		log_warnx("logins from %s locked for %u s after repeated "
		    "failures", addr, lockout_seconds(delay));
	}
}

void
web_session_login_ok(const char *addr)
{
	lockout_success(&web_lockout, addr);
}
