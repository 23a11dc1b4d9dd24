/* SPDX-License-Identifier: MIT */
/*
 * Local time in the unit's time.zone without the process's TZ: the
 * C library keeps one zone for the whole process, and changing it
 * (setenv + tzset) while other threads call localtime is not safe. So
 * the mail thread reads the zone's TZif file (RFC 8536) itself, or takes
 * the setting as a POSIX TZ string ("EST5EDT"), and converts by hand.
 * Parsing is pure (a buffer in, a struct out); only mail_tz_load opens
 * a file.
 */
#ifndef CONVERGD_MAIL_TZ_H
#define CONVERGD_MAIL_TZ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MAIL_TZ_DIR "/usr/share/zoneinfo"
#define MAIL_TZ_FILE_MAX (256 * 1024)
#define MAIL_TZ_TRANS_MAX 4096
#define MAIL_TZ_TYPES_MAX 256
#define MAIL_TZ_ABBR_MAX 16

/* One POSIX rule day: Jn, n or Mm.w.d, and the local time it applies. */
struct mail_tz_day {
	char kind;		/* 'J', 'n' or 'M' */
	int n, m, w, d;
	long secs;		/* time of day, default 02:00 */
};

/* A POSIX TZ string: standard time, and optional yearly daylight time. */
struct mail_tz_rule {
	int set;		/* 0 = none (then the TZif types rule) */
	long std_off, dst_off;	/* seconds east of UTC */
	int has_dst;
	char std_abbr[MAIL_TZ_ABBR_MAX], dst_abbr[MAIL_TZ_ABBR_MAX];
	struct mail_tz_day start, end;
};

struct mail_tz_type {
	long off;		/* seconds east of UTC */
	int dst;
	char abbr[MAIL_TZ_ABBR_MAX];
};

struct mail_tz {
	char name[64];		/* as loaded: the setting's value */
	size_t ntrans, ntypes;
	int64_t *trans;		/* transition times (UTC), ascending */
	uint8_t *idx;		/* type after each transition */
	struct mail_tz_type types[MAIL_TZ_TYPES_MAX];
	struct mail_tz_rule rule;	/* TZif footer, or the setting */
};

/* Parse a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"); 0 or -EINVAL. */
int mail_tz_rule_parse(const char *s, struct mail_tz_rule *r);
/* Parse a TZif file held in buf[0..len); 0 or -EINVAL. */
int mail_tz_parse(const uint8_t *buf, size_t len, struct mail_tz *z);
/*
 * `name` from MAIL_TZ_DIR under `dir` (NULL = MAIL_TZ_DIR), else as a
 * POSIX TZ string; on failure UTC and -ENOENT/-EINVAL. Free with
 * mail_tz_free.
 */
int mail_tz_load(struct mail_tz *z, const char *dir, const char *name);
void mail_tz_free(struct mail_tz *z);
/* `t` in zone `z` (NULL = UTC): broken down, with its abbreviation. */
void mail_tz_local(const struct mail_tz *z, time_t t, struct tm *tm,
    char *abbr, size_t len);

#endif
