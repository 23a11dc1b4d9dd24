/* SPDX-License-Identifier: MIT */
/*
 * Logging: one line per message, "service: what happened: detail".
 * The service prefix comes from a thread-local name that the supervisor
 * sets; the sink never blocks (stderr in the foreground, syslog otherwise).
 */
#ifndef CONVERGD_LOG_H
#define CONVERGD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

enum log_sink { LOG_SINK_STDERR, LOG_SINK_SYSLOG };

/* Start logging to a sink at a level; safe to call again (SIGHUP). */
void log_init(enum log_sink sink, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "err", "warn", "info" or "debug"; -EINVAL otherwise. */
int log_level_parse(const char *text, enum log_level *out);
const char *log_level_name(enum log_level level);
/* Name printed before every line this thread logs (copied). */
void log_set_thread_name(const char *name);
/* Lines that could not be written because the sink was busy. */
uint64_t log_dropped(void);

/* log_warn appends strerror(errno); all preserve errno. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Rate limit for lines fed by the network: at most one line per interval;
 * the rest are counted and reported with the next line that gets through.
 */
struct log_rate {
	time_t last;
	unsigned interval_s;
	uint64_t suppressed;
};
#define LOG_RATE_INIT(seconds) { 0, (seconds), 0 }
void log_warnx_rl(struct log_rate *rate, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
