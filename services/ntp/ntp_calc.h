/* SPDX-License-Identifier: MIT */
/*
 * The client's arithmetic, pure: RFC 5905 §8 offset and delay from the
 * four timestamps, the sanity tests a reply must pass (§8, §7.4 KoD), the
 * lowest-delay sample of a poll, the intersection that picks truechimers
 * among servers (§11.2.1, Marzullo) and the step/slew decision.
 */
#ifndef CONVERGD_NTP_CALC_H
#define CONVERGD_NTP_CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntp_msg.h"

/* ntpd's MINDISP: no server is trusted to better than 1 ms. */
#define NTP_CALC_MIN_DIST 0.001

/* What a reply is worth; NTP_CALC_OK is the one usable sample. */
enum ntp_calc_verdict {
	NTP_CALC_OK,
	NTP_CALC_NOT_SERVER,	/* mode is not 4 */
	NTP_CALC_BAD_ORIGIN,	/* not an answer to our last request */
	NTP_CALC_KOD_RATE,	/* kiss-o'-death RATE: poll less often */
	NTP_CALC_KOD_DENY,	/* DENY or RSTR: stop asking this server */
	NTP_CALC_KOD_OTHER,	/* another kiss code: ignored */
	NTP_CALC_UNSYNC,	/* leap indicator 3 */
	NTP_CALC_BAD_STRATUM,	/* above 15 */
	NTP_CALC_ZERO_TS,	/* receive or transmit timestamp zero */
	NTP_CALC_BAD_DELAY,	/* negative round trip: clocks lie */
};

/* One measurement (RFC 5905 §8), seconds; positive offset: server ahead. */
struct ntp_calc_sample {
	double offset, delay;
	double root_dist;	/* delay/2 + root delay/2 + root dispersion */
	int stratum;
};

/*
 * Check `m`, the reply to a request whose transmit timestamp was `sent`
 * (random, so a blind spoofer cannot match it). Origin first: a KoD that
 * does not echo our timestamp is ignored like any other forgery.
 */
enum ntp_calc_verdict ntp_calc_check(const struct ntp_msg *m, uint64_t sent);
/* One word for logs and events: "ok", "bad origin", "kod rate", ... */
const char *ntp_calc_verdict_name(enum ntp_calc_verdict v);

/*
 * offset = ((T2 - T1) + (T3 - T4)) / 2, delay = (T4 - T1) - (T3 - T2),
 * with T1 our send, T2/T3 the server's receive/transmit, T4 our receive.
 * Differences of 64-bit timestamps are era-free (within 68 years).
 * -EINVAL for a negative delay.
 */
int ntp_calc_sample(const struct ntp_msg *m, uint64_t t1, uint64_t t4,
    struct ntp_calc_sample *out) __attribute__((warn_unused_result));
/* Index of the lowest-delay sample of `n` (n > 0). */
size_t ntp_calc_best(const struct ntp_calc_sample *s, size_t n);

/*
 * Intersection over `n` servers' samples (RFC 5905 §11.2.1): each is the
 * interval offset +- max(root_dist, NTP_CALC_MIN_DIST); up to f < n/2
 * may be falsetickers. Sets true_out[i] for the truechimers and *best to
 * the truechimer with the lowest root distance; returns their count, or
 * -ENOENT when no majority agrees (then no server wins).
 */
int ntp_calc_select(const struct ntp_calc_sample *s, size_t n,
    bool *true_out, size_t *best);

enum ntp_calc_action {
	NTP_CALC_SLEW,
	NTP_CALC_STEP,
	NTP_CALC_REFUSE,	/* over the maximum step: an absurd jump */
};

/*
 * What to do with `offset` (s): refuse beyond max_step (0: no limit),
 * step at or beyond step_threshold when stepping is allowed (`may_step`:
 * the first sync, or after sync was lost), else slew.
 */
enum ntp_calc_action ntp_calc_action(double offset, double step_threshold,
    double max_step, bool may_step);

/*
 * Seconds to the next poll: `interval` doubled for each failure in a
 * row (and each KoD RATE), capped at `max`.
 */
unsigned ntp_calc_backoff(unsigned interval, unsigned failures, unsigned max);

#endif
