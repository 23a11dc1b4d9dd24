/* SPDX-License-Identifier: MIT */
/*
 * Web login sessions and login throttling. A session is a random token
 * (getrandom) in an HttpOnly cookie plus a second random CSRF token the
 * page sends back in X-CSRF-Token; both expire after an idle time. One
 * user holds a few sessions at most (a further login ends its oldest)
 * and the last rows are kept for Administrators, so no account can lock
 * the others out by logging in again and again. Failed logins are
 * counted per client address and lock it out with a growing delay by
 * the lockout table the console uses too (core/lockout.c). Called from
 * civetweb's worker threads.
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
	uint64_t created_ms;
	uint64_t last_ms;
};

/* The session table and the login lockout (struct web's): one per start. */
struct web_sessions {
	pthread_mutex_t lock;
	uint32_t next_id;
	struct lockout lockout;		/* its own lock */
	size_t n;
	struct session_slot slot[];
};

int
web_session_init(struct web *w)
{
	struct web_sessions *t;
	size_t n = (size_t)w->limits.max_sessions;

	t = calloc(1, sizeof(*t) + n * sizeof(t->slot[0]));
	if (t == NULL)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	lockout_init(&t->lockout, (unsigned)w->limits.lockout_after,
	    (uint64_t)w->limits.lockout_delay_s * 1000u, LOCKOUT_CAP_MS,
	    LOCKOUT_FORGET_MS);
	t->next_id = 1;
	t->n = n;
	w->sessions = t;
	return 0;
}

void
web_session_fini(struct web *w)
{
	struct web_sessions *t = w->sessions;

	if (t == NULL)
		return;
	explicit_bzero(t->slot, t->n * sizeof(t->slot[0]));
	lockout_fini(&t->lockout);
	pthread_mutex_destroy(&t->lock);
	free(t);
	w->sessions = NULL;
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

static int
session_info_cmp(const void *a, const void *b)
{
	const struct web_session_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* `now` may predate a refresh by another thread: never "negative" idle. */
static bool
slot_expired(const struct web *w, const struct session_slot *slot,
    uint64_t now)
{
	return now > slot->last_ms && now - slot->last_ms >
	    (uint64_t)w->limits.session_idle_s * 1000u;
}

/*
 * The slot for a new session of `user` (lock held), or t->n if there is
 * none. A user at the per-user cap gets its own oldest back (*evicted);
 * lower levels leave admin_sessions free for an Administrator.
 */
static size_t
slot_pick(struct web *w, const char *user, enum user_level level,
    uint64_t now, bool *evicted)
{
	struct web_sessions *t = w->sessions;
	size_t i, used = 0, mine = 0, oldest = t->n, free_slot = t->n;
	size_t reserve = (size_t)w->limits.admin_sessions;

	for (i = 0; i < t->n; i++) {
		struct session_slot *sl = &t->slot[i];

		if (sl->used && slot_expired(w, sl, now))
			sl->used = false;
		if (!sl->used) {
			if (free_slot == t->n)
				free_slot = i;
			continue;
		}
		used++;
		if (strcasecmp(sl->s.user, user) != 0)
			continue;
		mine++;
		if (oldest == t->n || sl->s.id < t->slot[oldest].s.id)
			oldest = i;
	}
	*evicted = mine >= (size_t)w->limits.sessions_per_user;
	if (*evicted)
		return oldest;
	if (reserve >= t->n)
		reserve = t->n - 1;
	if (level < LEVEL_ADMIN && used >= t->n - reserve)
		return t->n;
	return free_slot;
}

int
web_session_create(struct web *w, const char *user, enum user_level level,
    const char *from, struct web_session *out)
{
	struct web_sessions *t = w->sessions;
	struct web_session s = { 0 };
	uint64_t now = clock_ms();
	bool evicted;
	size_t i;

	if (random_token(s.token) < 0 || random_token(s.csrf) < 0)
		return -EIO;
	strncpy(s.user, user, sizeof(s.user) - 1);
	strncpy(s.from, from, sizeof(s.from) - 1);
	s.level = level;
	pthread_mutex_lock(&t->lock);
	i = slot_pick(w, user, level, now, &evicted);
	if (i == t->n) {
		pthread_mutex_unlock(&t->lock);
		return -ENOSPC;
	}
	if (evicted)
		log_info("%s's oldest web session (%u) ended: %ld per user",
		    s.user, t->slot[i].s.id, w->limits.sessions_per_user);
	s.id = t->next_id++;
	t->slot[i].used = true;
	t->slot[i].s = s;
	t->slot[i].created_ms = t->slot[i].last_ms = now;
	pthread_mutex_unlock(&t->lock);
	*out = s;
	return 0;
}

size_t
web_session_list(struct web *w, struct web_session_info *out, size_t max)
{
	struct web_sessions *t = w->sessions;
	uint64_t now = clock_ms();
	size_t i, n = 0;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n && n < max; i++) {
		const struct session_slot *sl = &t->slot[i];

		if (!sl->used || slot_expired(w, sl, now))
			continue;
		out[n].id = sl->s.id;
		out[n].level = sl->s.level;
		memcpy(out[n].user, sl->s.user, sizeof(out[n].user));
		memcpy(out[n].from, sl->s.from, sizeof(out[n].from));
		out[n].age_s = now > sl->created_ms ?
		    (now - sl->created_ms) / 1000 : 0;
		out[n].idle_s = now > sl->last_ms ?
		    (now - sl->last_ms) / 1000 : 0;
		n++;
	}
	pthread_mutex_unlock(&t->lock);
	/* Oldest first, as the ids were given. */
	qsort(out, n, sizeof(*out), session_info_cmp);
	for (i = 0; i < n; i++)
		web_session_user_level(out[i].user, &out[i].level);
	return n;
}

int
web_session_end(struct web *w, uint32_t id)
{
	struct web_sessions *t = w->sessions;
	int rc = -ENOENT;
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++) {
		if (t->slot[i].used && t->slot[i].s.id == id) {
			explicit_bzero(&t->slot[i].s, sizeof(t->slot[i].s));
			t->slot[i].used = false;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
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
web_session_find(struct web *w, const char *token, struct web_session *out)
{
	struct web_sessions *t = w->sessions;
	uint64_t now = clock_ms();
	bool found = false;
	size_t i;

	if (token == NULL || strlen(token) != WEB_TOKEN_LEN)
		return -ENOENT;
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++) {
		struct session_slot *sl = &t->slot[i];

		if (!sl->used || !web_http_token_equal(sl->s.token, token))
			continue;
		if (slot_expired(w, sl, now)) {
			sl->used = false;
			break;
		}
		if (now > sl->last_ms)
			sl->last_ms = now;
		*out = sl->s;
		found = true;
		break;
	}
	pthread_mutex_unlock(&t->lock);
	if (!found)
		return -ENOENT;
	if (web_session_user_level(out->user, &out->level) < 0) {
		web_session_delete(w, token);
		return -ENOENT;
	}
	return 0;
}

bool
web_session_alive(struct web *w, const char *token)
{
	struct web_sessions *t = w->sessions;
	uint64_t now = clock_ms();
	char user[32] = "";
	enum user_level level;
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++) {
		if (t->slot[i].used &&
		    web_http_token_equal(t->slot[i].s.token, token) &&
		    !slot_expired(w, &t->slot[i], now)) {
			memcpy(user, t->slot[i].s.user, sizeof(user));
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
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
	return web_session_find(web_of(c), token, out);
}

void
web_session_delete(struct web *w, const char *token)
{
	struct web_sessions *t = w->sessions;
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++)
		if (t->slot[i].used &&
		    web_http_token_equal(t->slot[i].s.token, token))
			t->slot[i].used = false;
	pthread_mutex_unlock(&t->lock);
}

void
web_session_expire(struct web *w)
{
	struct state_user_info users[STATE_USERS_MAX];
	struct web_sessions *t = w->sessions;
	uint64_t now = clock_ms();
	size_t i, j, n;

	/* A deleted user's sessions free their rows too. */
	n = state_user_list(users, STATE_USERS_MAX);
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++) {
		struct session_slot *sl = &t->slot[i];

		if (!sl->used)
			continue;
		for (j = 0; j < n; j++)
			if (strcasecmp(users[j].name, sl->s.user) == 0)
				break;
		if (j == n || slot_expired(w, sl, now))
			sl->used = false;
	}
	pthread_mutex_unlock(&t->lock);
}

int
web_session_login_allowed(struct web *w, const char *addr, unsigned *retry_s)
{
	uint64_t left = lockout_remaining(&w->sessions->lockout, addr, clock_ms());

	if (left == 0)
		return 0;
	*retry_s = lockout_seconds(left);
	return -EBUSY;
}

void
web_session_login_failed(struct web *w, const char *addr, const char *user)
{
	uint64_t delay = lockout_fail(&w->sessions->lockout, addr, clock_ms());
	struct origin o;

	memset(&o, 0, sizeof o);
	bus_origin_set(&o, web_service.name, 0);
	snprintf(o.user, sizeof o.user, "%s", user);
	snprintf(o.from, sizeof o.from, "web %.40s", addr);
	bus_event_by(&o, EVENT_LOGIN, SEVERITY_WARNING,
	    "web login failed for user '%.31s' from %s", user, addr);
	if (delay > 0) {
		bus_event_by(&o, EVENT_LOGIN, SEVERITY_WARNING,
		    "web logins from %s locked for %u s after repeated "
		    "failures", addr, lockout_seconds(delay));
		log_warnx("logins from %s locked for %u s after repeated "
		    "failures", addr, lockout_seconds(delay));
	}
}

void
web_session_login_ok(struct web *w, const char *addr)
{
	lockout_success(&w->sessions->lockout, addr);
}
