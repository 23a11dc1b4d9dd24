/* SPDX-License-Identifier: MIT */
/*
 * Log sink: one write(2) per line to stderr in the foreground, syslog(3)
 * under the appliance. Each line carries the thread's service name. The
 * sink never blocks the caller for long: stderr is written with a single
 * non-retried write and a failed write is counted, not retried.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 512

static _Atomic int log_level_now = LOG_LEVEL_INFO;
static _Atomic int log_sink_now = LOG_SINK_STDERR;
static _Atomic uint64_t log_drops;
static _Thread_local char log_thread_name[24] = "convergd";

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERR] = "err",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static const int log_syslog_priority[] = {
	[LOG_LEVEL_ERR] = LOG_ERR,
	[LOG_LEVEL_WARN] = LOG_WARNING,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

void
log_init(enum log_sink sink, enum log_level level)
{
	if (sink == LOG_SINK_SYSLOG && log_sink_now != LOG_SINK_SYSLOG)
		openlog("convergd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_sink_now = sink;
	log_level_now = level;
}

void
log_set_level(enum log_level level)
{
	log_level_now = level;
}

enum log_level
log_get_level(void)
{
	return log_level_now;
}

int
log_level_parse(const char *text, enum log_level *out)
{
	for (size_t i = 0; i < sizeof log_level_names / sizeof *log_level_names;
	    i++) {
		if (strcasecmp(text, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level > LOG_LEVEL_DEBUG)
		return "?";
	return log_level_names[level];
}

void
log_set_thread_name(const char *name)
{
	snprintf(log_thread_name, sizeof log_thread_name, "%s", name);
}

uint64_t
log_dropped(void)
{
	return log_drops;
}

static void
log_emit(enum log_level level, const char *suffix, const char *fmt,
    va_list ap)
{
	char line[LOG_LINE_MAX];
	int saved = errno;
	int n;

	if ((int)level > log_level_now) {
		errno = saved;
		return;
	}
	n = snprintf(line, sizeof line, "%s: ", log_thread_name);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (suffix) {
		size_t len = strlen(line);
		snprintf(line + len, sizeof line - len, ": %s", suffix);
	}
	if (log_sink_now == LOG_SINK_SYSLOG) {
		syslog(log_syslog_priority[level], "%s", line);
	} else {
		size_t len = strlen(line);
		if (len >= sizeof line - 1)
			len = sizeof line - 2;
		line[len++] = '\n';
		if (write(STDERR_FILENO, line, len) != (ssize_t)len)
			log_drops++;
	}
	errno = saved;
}

#define LOG_FN(fn, level, with_errno)                                     \
	void fn(const char *fmt, ...)                                    \
	{                                                                \
		va_list ap;                                              \
		int saved = errno;                                       \
		char errbuf[96];                                         \
		const char *suffix = NULL;                               \
		if (with_errno)                                          \
			suffix = strerror_r(saved, errbuf, sizeof errbuf); \
		va_start(ap, fmt);                                       \
		log_emit(level, suffix, fmt, ap);                        \
		va_end(ap);                                              \
		errno = saved;                                           \
	}

LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_err, LOG_LEVEL_ERR, 0)

void
log_warnx_rl(struct log_rate *rate, const char *fmt, ...)
{
	static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
	char line[LOG_LINE_MAX];
	time_t now = time(NULL);
	uint64_t suppressed;
	va_list ap;

	pthread_mutex_lock(&rate_lock);
	if (rate->last != 0 && now - rate->last < (time_t)rate->interval_s) {
		rate->suppressed++;
		pthread_mutex_unlock(&rate_lock);
		return;
	}
	rate->last = now;
	suppressed = rate->suppressed;
	rate->suppressed = 0;
	pthread_mutex_unlock(&rate_lock);

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (suppressed)
		log_warnx("%s (%llu similar suppressed)", line,
		    (unsigned long long)suppressed);
	else
		log_warnx("%s", line);
}
