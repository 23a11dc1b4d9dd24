/* SPDX-License-Identifier: MIT */
/* Logging: line format, levels, errno, rate limiting of network-fed lines. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_cases.h"
#include "log.h"

static int pipefd[2];
static int saved_stderr;

static void
setup(void)
{
	ck_assert_int_eq(pipe(pipefd), 0);
	saved_stderr = dup(STDERR_FILENO);
	dup2(pipefd[1], STDERR_FILENO);
	log_init(LOG_SINK_STDERR, LOG_LEVEL_INFO);
	log_set_thread_name("console");
}

/* Everything logged so far, as one string. */
static const char *
captured(void)
{
	static char buf[4096];
	ssize_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

START_TEST(line_carries_the_thread_service_name)
{
	log_info("session %d: logged in", 3);
	ck_assert_str_eq(captured(), "console: session 3: logged in\n");
}
END_TEST

START_TEST(warn_appends_strerror_and_keeps_errno)
{
	errno = ENOENT;
	log_warn("cannot open %s", "x.json");
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(captured(),
	    "console: cannot open x.json: No such file or directory\n");
}
END_TEST

START_TEST(lines_below_the_level_are_not_written)
{
	log_debug("noise");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("detail");
	ck_assert_str_eq(captured(), "console: detail\n");
}
END_TEST

START_TEST(rate_limit_lets_one_line_through_and_counts_the_rest)
{
	struct log_rate rate = LOG_RATE_INIT(3600);

	for (int i = 0; i < 5; i++)
		log_warnx_rl(&rate, "bad packet from %s", "127.0.0.1");
	ck_assert_uint_eq(rate.suppressed, 4);
	rate.last -= 3601;	/* an hour later */
	log_warnx_rl(&rate, "bad packet from %s", "127.0.0.1");
	ck_assert_str_eq(captured(), "console: bad packet from 127.0.0.1\n"
	    "console: bad packet from 127.0.0.1 (4 similar suppressed)\n");
}
END_TEST

START_TEST(level_names_parse_both_ways)
{
	enum log_level level;

	ck_assert_int_eq(log_level_parse("DEBUG", &level), 0);
	ck_assert_int_eq(level, LOG_LEVEL_DEBUG);
	ck_assert_str_eq(log_level_name(LOG_LEVEL_WARN), "warn");
	ck_assert_int_eq(log_level_parse("loud", &level), -EINVAL);
	captured();
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(line_carries_the_thread_service_name),
		CHECK_CASE(warn_appends_strerror_and_keeps_errno),
		CHECK_CASE(lines_below_the_level_are_not_written),
		CHECK_CASE(rate_limit_lets_one_line_through_and_counts_the_rest),
		CHECK_CASE(level_names_parse_both_ways),
	};

	return check_cases_run("log", cases, sizeof cases / sizeof *cases,
	    setup, NULL);
}
