/* SPDX-License-Identifier: MIT */
/*
 * RFC 5905 client arithmetic (ntp_calc.h): §8 on-wire sample, the reply
 * tests of §8 / §7.4, §11.2.1's intersection. Pure functions of their
 * arguments, so every branch is reachable from a unit test.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "ntp_calc.h"

#define NTP_KOD(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
	(uint32_t)(c) << 8 | (uint32_t)(d))

enum ntp_calc_verdict
ntp_calc_check(const struct ntp_msg *m, uint64_t sent)
{
	if (m->mode != NTP_MODE_SERVER)
		return NTP_CALC_NOT_SERVER;
	if (sent == 0 || m->org != sent)
		return NTP_CALC_BAD_ORIGIN;
	if (m->stratum == 0) {
		if (m->refid == NTP_KOD('R', 'A', 'T', 'E'))
			return NTP_CALC_KOD_RATE;
		if (m->refid == NTP_KOD('D', 'E', 'N', 'Y') ||
		    m->refid == NTP_KOD('R', 'S', 'T', 'R'))
			return NTP_CALC_KOD_DENY;
		return NTP_CALC_KOD_OTHER;
	}
	if (m->leap == NTP_LEAP_UNSYNC)
		return NTP_CALC_UNSYNC;
	if (m->stratum > 15)
		return NTP_CALC_BAD_STRATUM;
	if (m->rec == 0 || m->xmt == 0)
		return NTP_CALC_ZERO_TS;
	return NTP_CALC_OK;
}

const char *
ntp_calc_verdict_name(enum ntp_calc_verdict v)
{
	static const char *const names[] = {
		[NTP_CALC_OK] = "ok",
		[NTP_CALC_NOT_SERVER] = "not a server reply",
		[NTP_CALC_BAD_ORIGIN] = "origin does not match our request",
		[NTP_CALC_KOD_RATE] = "kiss-o'-death RATE",
		[NTP_CALC_KOD_DENY] = "kiss-o'-death DENY/RSTR",
		[NTP_CALC_KOD_OTHER] = "kiss-o'-death",
		[NTP_CALC_UNSYNC] = "server unsynchronised (leap 3)",
		[NTP_CALC_BAD_STRATUM] = "stratum above 15",
		[NTP_CALC_ZERO_TS] = "zero timestamp",
		[NTP_CALC_BAD_DELAY] = "negative delay",
	};

	return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

/* a - b in seconds; the signed 64-bit difference spans +-68 years */
static double
ntp_calc_diff(uint64_t a, uint64_t b)
{
	return (double)(int64_t)(a - b) / 4294967296.0;
}

int
ntp_calc_sample(const struct ntp_msg *m, uint64_t t1, uint64_t t4,
    struct ntp_calc_sample *out)
{
	double d21 = ntp_calc_diff(m->rec, t1);
	double d34 = ntp_calc_diff(m->xmt, t4);
	double delay = ntp_calc_diff(t4, t1) - ntp_calc_diff(m->xmt, m->rec);

	if (delay < 0)
		return -EINVAL;
	out->offset = (d21 + d34) / 2;
	out->delay = delay;
	out->root_dist = delay / 2 + ntp_msg_short_sec(m->root_delay) / 2 +
	    ntp_msg_short_sec(m->root_disp);
	out->stratum = m->stratum;
	return 0;
}

size_t
ntp_calc_best(const struct ntp_calc_sample *s, size_t n)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++)
		if (s[i].delay < s[best].delay)
			best = i;
	return best;
}

struct ntp_calc_edge {
	double at;
	int type;	/* -1 low end, +1 high end */
};

static int
ntp_calc_edge_cmp(const void *a, const void *b)
{
	const struct ntp_calc_edge *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	/* low ends first: touching intervals intersect */
	return x->type - y->type;
}

static double
ntp_calc_radius(const struct ntp_calc_sample *s)
{
	return s->root_dist > NTP_CALC_MIN_DIST ? s->root_dist :
	    NTP_CALC_MIN_DIST;
}

/* Lowest and highest points that at least `need` intervals cover. */
static bool
ntp_calc_intersect(const struct ntp_calc_edge *e, size_t ne, size_t need,
    double *lo, double *hi)
{
	long c = 0;
	size_t i;

	*lo = *hi = NAN;
	for (i = 0; i < ne && isnan(*lo); i++)
		if ((c -= e[i].type) >= (long)need)
			*lo = e[i].at;
	c = 0;
	for (i = ne; i-- > 0 && isnan(*hi);)
		if ((c += e[i].type) >= (long)need)
			*hi = e[i].at;
	return !isnan(*lo) && !isnan(*hi) && *lo <= *hi;
}

int
ntp_calc_select(const struct ntp_calc_sample *s, size_t n, bool *true_out,
    size_t *best)
{
	struct ntp_calc_edge e[2 * 8];
	double lo, hi;
	size_t f, i, count = 0;
	bool found = false;

	if (n == 0 || n > 8)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		e[2 * i] = (struct ntp_calc_edge){ s[i].offset -
		    ntp_calc_radius(&s[i]), -1 };
		e[2 * i + 1] = (struct ntp_calc_edge){ s[i].offset +
		    ntp_calc_radius(&s[i]), +1 };
	}
	qsort(e, 2 * n, sizeof e[0], ntp_calc_edge_cmp);
	/* allow f falsetickers, f < n/2, fewest first */
	for (f = 0; 2 * f < n && !found; f++)
		found = ntp_calc_intersect(e, 2 * n, n - f, &lo, &hi);
	if (!found)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		double r = ntp_calc_radius(&s[i]);

		true_out[i] = s[i].offset - r <= hi && s[i].offset + r >= lo;
		if (true_out[i] && (count++ == 0 ||
		    s[i].root_dist < s[*best].root_dist))
			*best = i;
	}
	return (int)count;
}

enum ntp_calc_action
ntp_calc_action(double offset, double step_threshold, double max_step,
    bool may_step)
{
	double a = fabs(offset);

	if (max_step > 0 && a > max_step)
		return NTP_CALC_REFUSE;
	if (may_step && a >= step_threshold)
		return NTP_CALC_STEP;
	return NTP_CALC_SLEW;
}

unsigned
ntp_calc_backoff(unsigned interval, unsigned failures, unsigned max)
{
	unsigned long long v = interval;

	for (unsigned i = 0; i < failures && v < max; i++)
		v *= 2;
	return v > max ? max : (unsigned)v;
}
