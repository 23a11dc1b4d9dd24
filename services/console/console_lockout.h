/* SPDX-License-Identifier: MIT */
/*
 * Login lockout for the console: failed logins are counted per peer
 * address; after `failures` of them the address is locked out for a
 * delay that doubles with every further lockout, up to a cap. A bounded
 * table (oldest entry reused) and a caller-supplied clock: no I/O.
 */
#ifndef CONVERGD_CONSOLE_LOCKOUT_H
#define CONVERGD_CONSOLE_LOCKOUT_H

#include <stdint.h>

#define CONSOLE_LOCKOUT_SLOTS	128
#define CONSOLE_LOCKOUT_ADDR	48	/* numeric IPv4/IPv6 text */
/* An address with no failure for this long starts from scratch. */
#define CONSOLE_LOCKOUT_FORGET_MS	(3600u * 1000u)

struct console_lockout_slot {
	char addr[CONSOLE_LOCKOUT_ADDR];	/* "" = free */
	unsigned failures;			/* since the last success */
	unsigned lockouts;			/* how often it was locked */
	uint64_t last_ms;			/* last failure */
	uint64_t until_ms;			/* locked until */
};

struct console_lockout {
	unsigned failures;		/* before a lockout; 0 = off */
	uint64_t delay_ms;		/* first lockout */
	uint64_t max_ms;		/* cap */
	struct console_lockout_slot slots[CONSOLE_LOCKOUT_SLOTS];
};

void console_lockout_init(struct console_lockout *lk, unsigned failures,
    uint64_t delay_ms, uint64_t max_ms);
/* Milliseconds `addr` stays locked out after `now_ms`; 0 = not locked. */
uint64_t console_lockout_remaining(const struct console_lockout *lk,
    const char *addr, uint64_t now_ms);
/*
 * Record a failed login from `addr`. Returns the length of the lockout
 * this failure started (ms), or 0 if it started none.
 */
uint64_t console_lockout_fail(struct console_lockout *lk, const char *addr,
    uint64_t now_ms);
/* A successful login from `addr` clears its record. */
void console_lockout_success(struct console_lockout *lk, const char *addr);

/* The line a locked-out address gets ("... try again in N s.\r\n"). */
void console_lockout_message(char *buf, size_t len, const char *addr,
    uint64_t remaining_ms);

#endif
