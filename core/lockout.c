/* SPDX-License-Identifier: MIT */
/*
 * Login lockout table (see lockout.h): per address failure counts and a
 * doubling lockout delay, shared by every service that takes logins.
 */
#include <stdio.h>
#include <string.h>

#include "lockout.h"

void
lockout_init(struct lockout *lk, unsigned failures, uint64_t delay_ms,
    uint64_t max_ms, uint64_t forget_ms)
{
	memset(lk, 0, sizeof(*lk));
	pthread_mutex_init(&lk->lock, NULL);
	lockout_configure(lk, failures, delay_ms, max_ms, forget_ms);
}

void
lockout_configure(struct lockout *lk, unsigned failures, uint64_t delay_ms,
    uint64_t max_ms, uint64_t forget_ms)
{
	pthread_mutex_lock(&lk->lock);
	lk->failures = failures;
	lk->delay_ms = delay_ms;
	lk->max_ms = max_ms < delay_ms ? delay_ms : max_ms;
	lk->forget_ms = forget_ms;
	pthread_mutex_unlock(&lk->lock);
}

void
lockout_fini(struct lockout *lk)
{
	pthread_mutex_destroy(&lk->lock);
}

/* The slot for `addr`, or NULL. Lock held. */
static struct lockout_slot *
lockout_find(struct lockout *lk, const char *addr)
{
	int i;

	for (i = 0; i < LOCKOUT_SLOTS; i++)
		if (lk->slots[i].addr[0] != '\0' &&
		    strcmp(lk->slots[i].addr, addr) == 0)
			return &lk->slots[i];
	return NULL;
}

/*
 * A free slot, else the one with the oldest failure (never a locked one
 * if an unlocked one exists, so a flood of addresses cannot unlock).
 * Lock held.
 */
static struct lockout_slot *
lockout_claim(struct lockout *lk, const char *addr, uint64_t now_ms)
{
	struct lockout_slot *s, *best = NULL;
	size_t i;

	for (i = 0; i < LOCKOUT_SLOTS; i++) {
		s = &lk->slots[i];
		if (s->addr[0] == '\0') {
			best = s;
			break;
		}
		if (best == NULL ||
		    (s->until_ms <= now_ms && best->until_ms > now_ms) ||
		    ((s->until_ms <= now_ms) == (best->until_ms <= now_ms) &&
		    s->last_ms < best->last_ms))
			best = s;
	}
	memset(best, 0, sizeof(*best));
	snprintf(best->addr, sizeof(best->addr), "%s", addr);
	return best;
}

/* An unlocked address quiet for forget_ms starts over. Lock held. */
static void
lockout_forget(const struct lockout *lk, struct lockout_slot *s,
    uint64_t now_ms)
{
	/* another thread's `now` may be a little older than last_ms */
	if (s->until_ms <= now_ms && now_ms > s->last_ms &&
	    now_ms - s->last_ms >= lk->forget_ms) {
		s->failures = s->lockouts = 0;
		s->until_ms = 0;
	}
}

uint64_t
lockout_remaining(struct lockout *lk, const char *addr, uint64_t now_ms)
{
	struct lockout_slot *s;
	uint64_t left = 0;

	pthread_mutex_lock(&lk->lock);
	if (lk->failures > 0 && (s = lockout_find(lk, addr)) != NULL &&
	    s->until_ms > now_ms)
		left = s->until_ms - now_ms;
	pthread_mutex_unlock(&lk->lock);
	return left;
}

uint64_t
lockout_fail(struct lockout *lk, const char *addr, uint64_t now_ms)
{
	struct lockout_slot *s;
	uint64_t delay = 0;
	unsigned i;

	pthread_mutex_lock(&lk->lock);
	if (lk->failures == 0) {
		pthread_mutex_unlock(&lk->lock);
		return 0;
	}
	if ((s = lockout_find(lk, addr)) != NULL)
		lockout_forget(lk, s, now_ms);
	else
		s = lockout_claim(lk, addr, now_ms);
	if (now_ms > s->last_ms)
		s->last_ms = now_ms;
	if (++s->failures >= lk->failures) {
		/* each failure past the threshold locks again, twice as long */
		delay = lk->delay_ms;
		for (i = 0; i < s->lockouts && delay < lk->max_ms; i++)
			delay *= 2;
		if (delay > lk->max_ms)
			delay = lk->max_ms;
		s->lockouts++;
		s->until_ms = now_ms + delay;
	}
	pthread_mutex_unlock(&lk->lock);
	return delay;
}

void
lockout_success(struct lockout *lk, const char *addr)
{
	struct lockout_slot *s;

	pthread_mutex_lock(&lk->lock);
	if ((s = lockout_find(lk, addr)) != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&lk->lock);
}

unsigned
lockout_seconds(uint64_t remaining_ms)
{
	return (unsigned)((remaining_ms + 999) / 1000);
}
