/* SPDX-License-Identifier: MIT */
/*
 * Login lockout, one table per service that takes logins: failed logins
 * are counted per peer address; after `failures` of them the address is
 * locked out for a delay that doubles with every further failure, up to
 * a cap. An address with no failure for `forget_ms` starts from scratch;
 * a good login clears it. A bounded table (the stalest entry is reused,
 * never a locked one while an unlocked one exists) and a caller-supplied
 * clock: no I/O. Every call takes the table's lock, so a service may use
 * one table from many threads.
 */
#ifndef CONVERGD_LOCKOUT_H
#define CONVERGD_LOCKOUT_H

#include <pthread.h>
#include <stdint.h>

#define LOCKOUT_SLOTS		128
#define LOCKOUT_ADDR		48	/* numeric IPv4/IPv6 text */
#define LOCKOUT_CAP_MS		(300u * 1000u)	/* longest lockout */
#define LOCKOUT_FORGET_MS	(3600u * 1000u)	/* for every service */

struct lockout_slot {
	char addr[LOCKOUT_ADDR];	/* "" = free */
	unsigned failures;		/* since the last success */
	unsigned lockouts;		/* how often it was locked */
	uint64_t last_ms;		/* last failure */
	uint64_t until_ms;		/* locked until */
};

struct lockout {
	pthread_mutex_t lock;
	unsigned failures;		/* before a lockout; 0 = off */
	uint64_t delay_ms;		/* first lockout */
	uint64_t max_ms;		/* cap */
	uint64_t forget_ms;		/* quiet time that clears an address */
	struct lockout_slot slots[LOCKOUT_SLOTS];
};

void lockout_init(struct lockout *lk, unsigned failures, uint64_t delay_ms,
    uint64_t max_ms, uint64_t forget_ms);
void lockout_fini(struct lockout *lk);
/* New limits (a reload); the addresses' records stay. */
void lockout_configure(struct lockout *lk, unsigned failures,
    uint64_t delay_ms, uint64_t max_ms, uint64_t forget_ms);
/* Milliseconds `addr` stays locked out after `now_ms`; 0 = not locked. */
uint64_t lockout_remaining(struct lockout *lk, const char *addr,
    uint64_t now_ms);
/*
 * Record a failed login from `addr`. Returns the length of the lockout
 * this failure started (ms), or 0 if it started none.
 */
uint64_t lockout_fail(struct lockout *lk, const char *addr, uint64_t now_ms);
/* A successful login from `addr` clears its record. */
void lockout_success(struct lockout *lk, const char *addr);
/* Whole seconds to tell the user, rounded up ("try again in N s"). */
unsigned lockout_seconds(uint64_t remaining_ms);

#endif
