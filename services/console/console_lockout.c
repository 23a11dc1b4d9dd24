/* SPDX-License-Identifier: MIT */
/*
 * Login lockout table for the console (see console_lockout.h): per
 * address failure counts and a doubling lockout delay.
 */
#include <stdio.h>
#include <string.h>

#include "console_lockout.h"

void
console_lockout_init(struct console_lockout *lk, unsigned failures,
    uint64_t delay_ms, uint64_t max_ms)
{
	memset(lk, 0, sizeof(*lk));
	lk->failures = failures;
	lk->delay_ms = delay_ms;
	lk->max_ms = max_ms < delay_ms ? delay_ms : max_ms;
}

/* Index of the slot for `addr`, or -1. */
static int
lockout_find(const struct console_lockout *lk, const char *addr)
{
	int i;

	for (i = 0; i < CONSOLE_LOCKOUT_SLOTS; i++)
		if (lk->slots[i].addr[0] != '\0' &&
		    strcmp(lk->slots[i].addr, addr) == 0)
			return i;
	return -1;
}

/* A free slot, else the one with the oldest failure (never a locked one
 * if an unlocked one exists, so a flood of addresses cannot unlock). */
static struct console_lockout_slot *
lockout_claim(struct console_lockout *lk, const char *addr, uint64_t now_ms)
{
	struct console_lockout_slot *s, *best = NULL;
	size_t i;

	for (i = 0; i < CONSOLE_LOCKOUT_SLOTS; i++) {
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

uint64_t
console_lockout_remaining(const struct console_lockout *lk,
    const char *addr, uint64_t now_ms)
{
	const struct console_lockout_slot *s;
	int i;

	if (lk->failures == 0 || (i = lockout_find(lk, addr)) < 0)
		return 0;
	s = &lk->slots[i];
	return s->until_ms > now_ms ? s->until_ms - now_ms : 0;
}

uint64_t
console_lockout_fail(struct console_lockout *lk, const char *addr,
    uint64_t now_ms)
{
	struct console_lockout_slot *s = NULL;
	uint64_t delay;
	unsigned i;
	int at;

	if (lk->failures == 0)
		return 0;
	if ((at = lockout_find(lk, addr)) >= 0)
		s = &lk->slots[at];
	if (s != NULL && now_ms - s->last_ms >= CONSOLE_LOCKOUT_FORGET_MS &&
	    s->until_ms <= now_ms) {
		memset(s, 0, sizeof(*s));
		snprintf(s->addr, sizeof(s->addr), "%s", addr);
	}
	if (s == NULL)
		s = lockout_claim(lk, addr, now_ms);
	s->last_ms = now_ms;
	if (++s->failures < lk->failures)
		return 0;
	/* every failure past the threshold locks again, for twice as long */
	delay = lk->delay_ms;
	for (i = 0; i < s->lockouts && delay < lk->max_ms; i++)
		delay *= 2;
	if (delay > lk->max_ms)
		delay = lk->max_ms;
	s->lockouts++;
	s->until_ms = now_ms + delay;
	return delay;
}

void
console_lockout_success(struct console_lockout *lk, const char *addr)
{
	int at = lockout_find(lk, addr);

	if (at >= 0)
		memset(&lk->slots[at], 0, sizeof(lk->slots[at]));
}

void
console_lockout_message(char *buf, size_t len, const char *addr,
    uint64_t remaining_ms)
{
	snprintf(buf, len, "Too many failed logins from %s; try again in "
	    "%llu s.\r\n", addr, (unsigned long long)((remaining_ms + 999) /
	    1000));
}
