/* SPDX-License-Identifier: MIT */
/*
 * The Converge Pro command interpreter (protocol.md Part 1, §2-§5),
 * independent of the transport: the console, the serial port, the web
 * API and macros all run lines through cmd_execute. Replies are CRLF
 * lines in the canonical upper-case forms of §3.
 */
#ifndef CONVERGD_CMD_H
#define CONVERGD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "state.h"

#define CMD_LINE_MAX 512	/* longest command line accepted */
#define CMD_REPLY_MAX 16384	/* room for every reply line of one command */
#define CMD_REPORTS_MAX 32	/* LVLREPORT entries per session */

struct cmd_report_entry {
	char group;
	int channel;
	int meter;		/* 0..STATE_METERS-1 */
};

/* Per-session interpreter state (one per console connection, etc.). */
struct cmd_session {
	enum user_level level;
	struct origin origin;		/* stamped on every change it makes */
	bool gate_report;		/* GREPORT 1 */
	int level_report;		/* LVLREPORTEN 0/1 */
	struct cmd_report_entry reports[CMD_REPORTS_MAX];
	size_t nreports;
};

/* Reply text of one command: CRLF-terminated lines. */
struct cmd_reply {
	char text[CMD_REPLY_MAX];
	size_t len;
	bool error;		/* at least one ERROR line */
};

/* Stable error reasons (the text inside "ERROR <REASON>."). */
enum cmd_error {
	CMD_ERR_ARGUMENT,	/* ARGUMENT ERROR */
	CMD_ERR_UNKNOWN,	/* UNKNOWN COMMAND */
	CMD_ERR_ACCESS,		/* ACCESS DENIED */
	CMD_ERR_DEVICE,		/* DEVICE NOT FOUND */
	CMD_ERR_SYNTAX,		/* SYNTAX ERROR (not a command at all) */
	CMD_ERR_NOT_SAVED,	/* NOT SAVED (could not be made durable:
				   nothing changed; the reason is logged) */
};

void cmd_session_init(struct cmd_session *s, enum user_level level,
    const struct origin *origin);
/*
 * Run one line (without its CR/LF). Blank lines produce no reply; all
 * other input produces at least one line in `reply`, never silence.
 */
void cmd_execute(struct cmd_session *s, const char *line, size_t len,
    struct cmd_reply *reply);
/*
 * The reply to a line too long to keep, from its first `len` bytes: an
 * ARGUMENT ERROR with this unit's address if the head names it, else a
 * bare one (a transport that drops long lines still answers as §3 says).
 */
void cmd_reply_too_long(const char *head, size_t len,
    struct cmd_reply *reply);
/*
 * A change made elsewhere as a bare report line without CRLF
 * ("#H0 GAIN 1 M -10.00 A"); returns its length, 0 if it has no line.
 */
size_t cmd_format_change(const struct bus_change *c, char *buf, size_t len);
/*
 * LVL and GATE report lines (CRLF-terminated) this session asked for,
 * after a meter tick; LVL lines only when `levels` (the console reports
 * levels less often than meters tick, gate changes at once). Returns the
 * bytes written.
 */
size_t cmd_format_reports(const struct cmd_session *s,
    const struct bus_meters *m, bool levels, char *buf, size_t len);
/*
 * Run one line of macro `macro`, started by `starter`, at `now_ms` (the
 * scheduler's clock): with the rights of `level` (the macro's definer's,
 * never more), the starter's name on its changes. 0, or -EINVAL if the
 * line answered an ERROR (a line above `level` answers one).
 */
int cmd_macro_line(const char *line, int macro, enum user_level level,
    const struct origin *starter, uint64_t now_ms);

/*
 * What runs over time (RAMP, MACRO, WAITSTATE) is kept by a scheduler
 * that a service registers here; core names none. Without one, RAMP
 * and MACRO answer ARGUMENT ERROR and a RAMP query shows no ramp.
 */
struct cmd_scheduler {
	void *arg;
	int (*ramp_set)(void *arg, char group, int channel, double rate,
	    bool has_target, double target, const struct origin *origin,
	    char *why, size_t whylen);
	/* rate 0 and the gain when no ramp runs */
	int (*ramp_get)(void *arg, char group, int channel, double *rate,
	    double *target);
	int (*macro_start)(void *arg, int n, const struct origin *origin,
	    char *why, size_t whylen);
	/* delay the running macro (WAITSTATE inside a macro) */
	void (*macro_wait)(void *arg, uint64_t now_ms, unsigned delay_ms);
};
/*
 * Register `s` (NULL: none). The pointer is kept; unregistering waits
 * for calls in progress, so the scheduler may be freed after.
 */
void cmd_sched_register(const struct cmd_scheduler *s);
const char *cmd_error_text(enum cmd_error err);

#endif
