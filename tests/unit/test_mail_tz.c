/* SPDX-License-Identifier: MIT */
/*
 * Local time in the unit's time.zone (services/mail/mail_tz.c): POSIX
 * TZ rules (north and south), TZif files (transitions, then the
 * footer's rule), the loader's fallbacks, and the mail body, all with
 * the process's TZ set to something else (it must not matter).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail/mail_msg.h"
#include "mail/mail_tz.h"
#include "check_cases.h"

static const char *
local(const struct mail_tz *z, time_t t)
{
	static char buf[64];
	char abbr[MAIL_TZ_ABBR_MAX];
	struct tm tm;
	size_t n;

	mail_tz_local(z, t, &tm, abbr, sizeof abbr);
	n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S ", &tm);
	snprintf(buf + n, sizeof buf - n, "%s", abbr);
	return buf;
}

START_TEST(posix_rule_switches_at_the_transitions)
{
	struct mail_tz z;

	memset(&z, 0, sizeof z);
	ck_assert_int_eq(mail_tz_rule_parse("CET-1CEST,M3.5.0,M10.5.0/3",
	    &z.rule), 0);
	ck_assert_str_eq(local(&z, 1774745999), "2026-03-29 01:59:59 CET");
	ck_assert_str_eq(local(&z, 1774746000), "2026-03-29 03:00:00 CEST");
	ck_assert_str_eq(local(&z, 1792889999), "2026-10-25 02:59:59 CEST");
	ck_assert_str_eq(local(&z, 1792890000), "2026-10-25 02:00:00 CET");
	ck_assert_int_eq(mail_tz_rule_parse("AEST-10AEDT,M10.1.0,M4.1.0/3",
	    &z.rule), 0);
	ck_assert_str_eq(local(&z, 1767225600), "2026-01-01 11:00:00 AEDT");
	ck_assert_str_eq(local(&z, 1784000000), "2026-07-14 13:33:20 AEST");
	ck_assert_int_eq(mail_tz_rule_parse("<+0530>-5:30", &z.rule), 0);
	ck_assert_str_eq(local(&z, 0), "1970-01-01 05:30:00 +0530");
}
END_TEST

START_TEST(posix_rule_refuses_garbage)
{
	struct mail_tz_rule r;

	ck_assert_int_eq(mail_tz_rule_parse("", &r), -EINVAL);
	ck_assert_int_eq(mail_tz_rule_parse("Europe/Berlin", &r), -EINVAL);
	ck_assert_int_eq(mail_tz_rule_parse("CET-1CEST,M13.5.0,M10.5.0",
	    &r), -EINVAL);
	ck_assert_int_eq(mail_tz_rule_parse("CET-1CEST,M3.5.0", &r),
	    -EINVAL);
	ck_assert_int_eq(mail_tz_rule_parse("CET-1x", &r), -EINVAL);
	/* offsets out of range are refused, never wrapped or overflowed */
	ck_assert_int_eq(mail_tz_rule_parse("UTC999", &r), -EINVAL);
	ck_assert_int_eq(mail_tz_rule_parse("UTC9999999999999999999", &r),
	    -EINVAL);
	ck_assert_int_eq(mail_tz_rule_parse("UTC1:99", &r), -EINVAL);
}
END_TEST

static size_t
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

static size_t
header(uint8_t *p, uint32_t ntime, uint32_t ntype, uint32_t nchar)
{
	memset(p, 0, 44);
	memcpy(p, "TZif2", 5);
	be32(p + 32, ntime);
	be32(p + 36, ntype);
	be32(p + 40, nchar);
	return 44;
}

/* +1 h "AAA" until 1e9, then one transition to +2 h "BBB", then the
 * footer's "XXX-5" after it. */
static size_t
tzif(uint8_t *b)
{
	static const uint8_t v1[] = { 0, 0, 0, 0, 0, 0, 'U', 'T', 'C', 0 };
	static const uint8_t types[] = { 0, 0, 0x0e, 0x10, 0, 0,
		0, 0, 0x1c, 0x20, 1, 4, 'A', 'A', 'A', 0, 'B', 'B', 'B', 0 };
	size_t n = header(b, 0, 1, 4);

	memcpy(b + n, v1, sizeof v1);
	n += sizeof v1;
	n += header(b + n, 1, 2, 8);
	n += be32(b + n, 0);
	n += be32(b + n, 1000000000);
	b[n++] = 1;
	memcpy(b + n, types, sizeof types);
	n += sizeof types;
	memcpy(b + n, "\nXXX-5\n", 7);
	return n + 7;
}

START_TEST(tzif_transitions_then_footer)
{
	uint8_t b[256];
	size_t n = tzif(b);
	struct mail_tz z;

	ck_assert_int_eq(mail_tz_parse(b, n, &z), 0);
	ck_assert_str_eq(local(&z, 0), "1970-01-01 01:00:00 AAA");
	ck_assert_str_eq(local(&z, 999999999), "2001-09-09 02:46:39 AAA");
	ck_assert_str_eq(local(&z, 1000000000), "2001-09-09 06:46:40 XXX");
	mail_tz_free(&z);
	/* without the footer the last type goes on */
	memcpy(b + n - 7, "\n\n", 2);
	ck_assert_int_eq(mail_tz_parse(b, n - 5, &z), 0);
	ck_assert_str_eq(local(&z, 1000000000), "2001-09-09 03:46:40 BBB");
	mail_tz_free(&z);
	/* every cut of the file is refused, never read past */
	for (size_t cut = 0; cut < n - 5; cut++)
		ck_assert_int_eq(mail_tz_parse(b, cut, &z), -EINVAL);
	b[44 + 10 + 44 + 8] = 7;	/* a type that does not exist */
	ck_assert_int_eq(mail_tz_parse(b, n - 5, &z), -EINVAL);
}
END_TEST

START_TEST(load_by_name_file_or_rule_else_utc)
{
	char dir[] = "/tmp/convergd-tz-XXXXXX", path[64];
	uint8_t b[256];
	size_t n = tzif(b);
	struct mail_tz z;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/Test_Zone", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	fclose(f);
	ck_assert_int_eq(mail_tz_load(&z, dir, "Test_Zone"), 0);
	ck_assert_str_eq(local(&z, 0), "1970-01-01 01:00:00 AAA");
	mail_tz_free(&z);
	ck_assert_int_eq(mail_tz_load(&z, dir, "EST5"), 0);
	ck_assert_str_eq(local(&z, 0), "1969-12-31 19:00:00 EST");
	mail_tz_free(&z);
	ck_assert_int_eq(mail_tz_load(&z, dir, "No_Such"), -ENOENT);
	ck_assert_str_eq(local(&z, 0), "1970-01-01 00:00:00 UTC");
	mail_tz_free(&z);
	ck_assert_int_lt(mail_tz_load(&z, dir, path), 0);	/* absolute */
	ck_assert_str_eq(local(&z, 0), "1970-01-01 00:00:00 UTC");
	mail_tz_free(&z);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The system's zone files (tzdata): before and after their footers. */
START_TEST(system_zone_berlin)
{
	struct mail_tz z;

	ck_assert_int_eq(mail_tz_load(&z, NULL, "Europe/Berlin"), 0);
	ck_assert_str_eq(local(&z, 646783200), "1990-07-01 00:00:00 CEST");
	ck_assert_str_eq(local(&z, 1795981375), "2026-11-29 20:42:55 CET");
	ck_assert_str_eq(local(&z, 1784000000), "2026-07-14 05:33:20 CEST");
	mail_tz_free(&z);
}
END_TEST

START_TEST(mail_body_uses_the_unit_zone)
{
	static char out[MAIL_MSG_MAX];
	struct mail_unit u = { .label = "Hall A", .model = "880TA",
		.type_id = "#H0", .uid = "0A1B2C3D", .host = "x" };
	struct mail_alert a = { .category = EVENT_LOGIN, .count = 1,
		.first = 1795981375, .last = 1795981375, .text = "t" };
	struct mail_spool sp = { .id = "<1@x>", .nrcpt = 1,
		.rcpt = { "ops@example.org" } };
	struct mail_tz z;

	memset(&z, 0, sizeof z);
	ck_assert_int_eq(mail_tz_rule_parse("CET-1CEST,M3.5.0,M10.5.0/3",
	    &z.rule), 0);
	u.tz = &z;
	ck_assert_int_gt(mail_msg_format(&a, &u, "u@example.org", &sp,
	    1795981375, out, sizeof out), 0);
	ck_assert_ptr_nonnull(strstr(out, "When:      2026-11-29 19:42:55 "
	    "UTC (local 2026-11-29 20:42:55 CET)\r\n"));
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(posix_rule_switches_at_the_transitions),
		CHECK_CASE(posix_rule_refuses_garbage),
		CHECK_CASE(tzif_transitions_then_footer),
		CHECK_CASE(load_by_name_file_or_rule_else_utc),
		CHECK_CASE(system_zone_berlin),
		CHECK_CASE(mail_body_uses_the_unit_zone),
	};

	/* the process's zone is something else: it must not be used */
	setenv("TZ", "HST10", 1);
	return check_cases_run("mail_tz", cases, sizeof cases / sizeof *cases,
	    NULL, NULL);
}
