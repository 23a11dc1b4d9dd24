/* SPDX-License-Identifier: MIT */
/*
 * Time zones by hand (mail_tz.h): TZif files (RFC 8536, the 64-bit
 * data of version 2 and later, then the footer's POSIX rule for times
 * after the last transition) and POSIX TZ strings (POSIX.1 §8.3).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_tz.h"

/* ---- POSIX TZ strings ---- */

/* An abbreviation: 3+ letters, or <...> with letters, digits, + and -. */
static const char *
tz_abbr(const char *s, char *out)
{
	size_t n = 0;

	if (*s == '<') {
		for (s++; isalnum((unsigned char)*s) || *s == '+' || *s == '-';
		    s++)
			if (n + 1 < MAIL_TZ_ABBR_MAX)
				out[n++] = *s;
		if (*s++ != '>')
			return NULL;
	} else {
		for (; isalpha((unsigned char)*s); s++)
			if (n + 1 < MAIL_TZ_ABBR_MAX)
				out[n++] = *s;
	}
	out[n] = '\0';
	return n >= 3 ? s : NULL;
}

/* [+-]hh[:mm[:ss]] to seconds; hours up to 167 (RFC 8536 §3.3.1). */
static const char *
tz_hms(const char *s, long *secs)
{
	long sign = 1, part[3] = { 0, 0, 0 };
	char *end;
	int i;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s))
			return NULL;
		part[i] = strtol(s, &end, 10);
		s = end;
		if (part[i] > (i == 0 ? 167 : 59))
			return NULL;	/* out of range: never a guess */
		if (*s != ':')
			break;
		s++;
	}
	*secs = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return s;
}

/* ",Jn", ",n" or ",Mm.w.d", each with an optional "/time". */
static const char *
tz_day(const char *s, struct mail_tz_day *d)
{
	char *end;

	if (*s++ != ',')
		return NULL;
	memset(d, 0, sizeof *d);
	d->secs = 2 * 3600;
	d->kind = *s == 'J' || *s == 'M' ? *s++ : 'n';
	if (d->kind == 'M') {
		d->m = (int)strtol(s, &end, 10);
		if (end == s || *end != '.' || d->m < 1 || d->m > 12)
			return NULL;
		d->w = (int)strtol(end + 1, &end, 10);
		if (*end != '.' || d->w < 1 || d->w > 5)
			return NULL;
		s = end + 1;
		d->d = (int)strtol(s, &end, 10);
		if (end == s || d->d < 0 || d->d > 6)
			return NULL;
	} else {
		d->n = (int)strtol(s, &end, 10);
		if (end == s || d->n < (d->kind == 'J') || d->n > 365)
			return NULL;
	}
	s = end;
	if (*s == '/')
		s = tz_hms(s + 1, &d->secs);
	return s;
}

int
mail_tz_rule_parse(const char *s, struct mail_tz_rule *r)
{
	long off;

	memset(r, 0, sizeof *r);
	if ((s = tz_abbr(s, r->std_abbr)) == NULL ||
	    (s = tz_hms(s, &off)) == NULL)
		return -EINVAL;
	r->std_off = -off;	/* POSIX counts west of UTC */
	if (*s != '\0' && *s != ',') {
		if ((s = tz_abbr(s, r->dst_abbr)) == NULL)
			return -EINVAL;
		r->has_dst = 1;
		r->dst_off = r->std_off + 3600;
		if (*s != '\0' && *s != ',') {
			if ((s = tz_hms(s, &off)) == NULL)
				return -EINVAL;
			r->dst_off = -off;
		}
		/* no rule: the US rules POSIX leaves to the implementation */
		if (*s == '\0')
			s = ",M3.2.0,M11.1.0";
		if ((s = tz_day(s, &r->start)) == NULL ||
		    (s = tz_day(s, &r->end)) == NULL)
			return -EINVAL;
	}
	if (*s != '\0')
		return -EINVAL;
	r->set = 1;
	return 0;
}

/* ---- calendar ---- */

static int
tz_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, m 1-12). */
static long
tz_days(long y, int m, int d)
{
	long era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The rule day in year y as days since the epoch. */
static long
tz_rule_day(const struct mail_tz_day *d, long y)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	long first, day;
	int wday, len;

	if (d->kind == 'J')	/* 1-365, February 29 never counted */
		return tz_days(y, 1, 1) + d->n - 1 + (tz_leap(y) && d->n >= 60);
	if (d->kind == 'n')
		return tz_days(y, 1, 1) + d->n;
	first = tz_days(y, d->m, 1);
	wday = (int)(((first % 7) + 7 + 4) % 7);	/* 1970-01-01: Thu */
	len = mdays[d->m - 1] + (d->m == 2 && tz_leap(y));
	day = 1 + (d->d - wday + 7) % 7 + (d->w - 1) * 7;
	while (day > len)
		day -= 7;
	return first + day - 1;
}

/* The offset (and whether daylight) the POSIX rule gives at `t`. */
static long
tz_rule_off(const struct mail_tz_rule *r, int64_t t, int *dst)
{
	struct tm tm;
	time_t local = (time_t)(t + r->std_off);
	int64_t start, end;
	long y;

	*dst = 0;
	if (!r->has_dst || gmtime_r(&local, &tm) == NULL)
		return r->std_off;
	y = tm.tm_year + 1900L;
	start = (int64_t)tz_rule_day(&r->start, y) * 86400 + r->start.secs -
	    r->std_off;
	end = (int64_t)tz_rule_day(&r->end, y) * 86400 + r->end.secs -
	    r->dst_off;
	*dst = start < end ? (t >= start && t < end) :
	    !(t >= end && t < start);	/* southern: over the new year */
	return *dst ? r->dst_off : r->std_off;
}

/* ---- TZif files ---- */

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

/* A header at p (44 bytes); the size of the data block that follows. */
static int
tzif_header(const uint8_t *p, size_t left, size_t tsize,
    struct tzif_counts *c, size_t *block)
{
	if (left < 44 || memcmp(p, "TZif", 4) != 0)
		return -EINVAL;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	if (c->time > MAIL_TZ_TRANS_MAX || c->type == 0 ||
	    c->type > MAIL_TZ_TYPES_MAX || c->chars > 1024 ||
	    c->leap > 1024 || c->isut > c->type || c->isstd > c->type)
		return -EINVAL;
	*block = c->time * (tsize + 1) + c->type * 6 + c->chars +
	    c->leap * (tsize + 4) + c->isstd + c->isut;
	return left - 44 < *block ? -EINVAL : 0;
}

/* The data block at p (64-bit times) into z. */
static int
tzif_data(const uint8_t *p, const struct tzif_counts *c, struct mail_tz *z)
{
	const uint8_t *types = p + c->time * 9, *chars = types + c->type * 6;

	z->trans = calloc(c->time + 1, sizeof *z->trans);
	z->idx = calloc(c->time + 1, 1);
	if (z->trans == NULL || z->idx == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->time; i++) {
		z->trans[i] = (int64_t)((uint64_t)be32(p + i * 8) << 32 |
		    be32(p + i * 8 + 4));
		z->idx[i] = p[c->time * 8 + i];
		if (z->idx[i] >= c->type || (i > 0 &&
		    z->trans[i] <= z->trans[i - 1]))
			return -EINVAL;
	}
	for (uint32_t i = 0; i < c->type; i++) {
		const uint8_t *t = types + i * 6;
		size_t at = t[5], n = 0;

		z->types[i].off = (long)(int32_t)be32(t);
		z->types[i].dst = t[4] != 0;
		if (at >= c->chars)
			return -EINVAL;
		while (at + n < c->chars && chars[at + n] != '\0' &&
		    n + 1 < MAIL_TZ_ABBR_MAX)
			n++;
		memcpy(z->types[i].abbr, chars + at, n);
		z->types[i].abbr[n] = '\0';
	}
	z->ntrans = c->time;
	z->ntypes = c->type;
	return 0;
}

/* The footer "\nTZ\n" after the v2 data; an empty one is fine. */
static int
tzif_footer(const uint8_t *p, size_t left, struct mail_tz *z)
{
	char rule[128];
	const uint8_t *nl;
	size_t n;

	if (left < 2 || p[0] != '\n' ||
	    (nl = memchr(p + 1, '\n', left - 1)) == NULL)
		return -EINVAL;
	n = (size_t)(nl - p - 1);
	if (n == 0)
		return 0;
	if (n >= sizeof rule)
		return -EINVAL;
	memcpy(rule, p + 1, n);
	rule[n] = '\0';
	return mail_tz_rule_parse(rule, &z->rule);
}

int
mail_tz_parse(const uint8_t *buf, size_t len, struct mail_tz *z)
{
	struct tzif_counts c;
	size_t block, at;
	int err;

	z->trans = NULL;
	z->idx = NULL;
	z->ntrans = z->ntypes = 0;
	memset(&z->rule, 0, sizeof z->rule);
	/* version 1 data (32-bit) is skipped: version 2+ repeats it */
	err = tzif_header(buf, len, 4, &c, &block);
	if (err == 0 && buf[4] < '2')
		err = -EINVAL;
	at = err == 0 ? 44 + block : 0;
	if (err == 0)
		err = tzif_header(buf + at, len - at, 8, &c, &block);
	if (err == 0)
		err = tzif_data(buf + at + 44, &c, z);
	if (err == 0)
		err = tzif_footer(buf + at + 44 + block, len - at - 44 - block,
		    z);
	if (err < 0)
		mail_tz_free(z);
	return err < 0 ? -EINVAL : 0;
}

void
mail_tz_free(struct mail_tz *z)
{
	free(z->trans);
	free(z->idx);
	z->trans = NULL;
	z->idx = NULL;
	z->ntrans = z->ntypes = 0;
}

/* The whole file, at most MAIL_TZ_FILE_MAX bytes; length or -errno. */
static ssize_t
tz_read(const char *path, uint8_t *buf)
{
	size_t used = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	while (used < MAIL_TZ_FILE_MAX &&
	    (n = read(fd, buf + used, MAIL_TZ_FILE_MAX - used)) > 0)
		used += (size_t)n;
	err = n < 0 ? -errno : 0;
	close(fd);
	return err < 0 ? err : (ssize_t)used;
}

int
mail_tz_load(struct mail_tz *z, const char *dir, const char *name)
{
	char path[4200];
	uint8_t *buf;
	ssize_t n = -ENOENT;
	int err;

	memset(z, 0, sizeof *z);
	snprintf(z->name, sizeof z->name, "%s", name);
	/* the setting allows letters, digits and / _ + -: no "..", but
	 * a leading '/' would leave the folder */
	if (name[0] != '\0' && name[0] != '/' && strstr(name, "..") == NULL &&
	    (buf = malloc(MAIL_TZ_FILE_MAX)) != NULL) {
		snprintf(path, sizeof path, "%s/%s", dir ? dir : MAIL_TZ_DIR,
		    name);
		n = tz_read(path, buf);
		err = n < 0 ? (int)n : mail_tz_parse(buf, (size_t)n, z);
		free(buf);
		if (err == 0)
			return 0;
	}
	err = mail_tz_rule_parse(name, &z->rule);
	if (err == 0)
		return 0;
	mail_tz_free(z);
	memset(&z->rule, 0, sizeof z->rule);
	return n < 0 ? (int)n : -EINVAL;
}

/* The type in force at t: before the first transition, type 0. */
static const struct mail_tz_type *
tz_type_at(const struct mail_tz *z, int64_t t)
{
	size_t lo = 0, hi = z->ntrans;

	if (z->ntypes == 0)
		return NULL;
	if (z->ntrans == 0 || t < z->trans[0])
		return &z->types[0];
	while (hi - lo > 1) {	/* last transition <= t */
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &z->types[z->idx[lo]];
}

void
mail_tz_local(const struct mail_tz *z, time_t t, struct tm *tm,
    char *abbr, size_t len)
{
	const struct mail_tz_type *ty = z ? tz_type_at(z, t) : NULL;
	long off = 0;
	time_t local;
	int dst = 0;

	snprintf(abbr, len, "UTC");
	if (z != NULL && z->rule.set && (z->ntrans == 0 ||
	    t >= z->trans[z->ntrans - 1])) {
		off = tz_rule_off(&z->rule, t, &dst);
		snprintf(abbr, len, "%s", dst ? z->rule.dst_abbr :
		    z->rule.std_abbr);
	} else if (ty != NULL) {
		off = ty->off;
		snprintf(abbr, len, "%s", ty->abbr);
	}
	local = t + off;
	if (gmtime_r(&local, tm) == NULL) {
		local = t;
		snprintf(abbr, len, "UTC");
		if (gmtime_r(&local, tm) == NULL)
			memset(tm, 0, sizeof *tm);
	}
}
