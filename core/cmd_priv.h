/* SPDX-License-Identifier: MIT */
/*
 * Private to the command interpreter (cmd.c, cmd_audio.c, cmd_unit.c):
 * the per-line context the handlers share, the command table row and the
 * reply and argument helpers. Not part of the module contract.
 */
#ifndef CONVERGD_CMD_PRIV_H
#define CONVERGD_CMD_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"
#include "model.h"
#include "state.h"

#define CMD_TOKENS_MAX (CMD_LINE_MAX / 2 + 1)	/* "a b c ..." */
#define CMD_NO_QUERY (-1)	/* the command has no query form */

/* One unit this daemon answers for (today: the local unit only). */
struct cmd_unit {
	char type;		/* device-type character, 'H' */
	int id;			/* device ID 0..15 */
	const struct model *model;
	struct state_identity ident;
};

/* Everything a handler needs for one line addressed to one unit. */
struct cmd_def;

struct cmd_ctx {
	struct cmd_session *s;
	const struct cmd_unit *unit;
	const struct model *model;
	struct cmd_reply *reply;
	const struct cmd_def *def;	/* the command being run */
	char addr[3];		/* the unit's "H0" for reply lines */
	char *const *arg;	/* arguments after the command word */
	size_t nargs;
	uint64_t now_ms;	/* the macro clock when run from a macro */
};

struct cmd_def {
	const char *name;
	int (*run)(struct cmd_ctx *ctx);
	int nquery;		/* argument count of the query form */
	enum user_level level;	/* needed for any other form */
	int setting;		/* enum state_setting, or -1 */
};

/* A channel argument: one index, or every channel for "*". */
struct cmd_chan {
	const struct model_group *group;
	int first, last;
};

/* The tables each handler file exports. */
extern const struct cmd_def cmd_audio_defs[];
extern const size_t cmd_audio_ndefs;
extern const struct cmd_def cmd_unit_defs[];
extern const size_t cmd_unit_ndefs;

/* Append "OK> #<addr> <text>\r\n"; false when the reply is full. */
bool cmd_reply_ok(struct cmd_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append the error line for `err`; always returns -EINVAL. */
int cmd_reply_error(struct cmd_ctx *ctx, enum cmd_error err);
/* Map a state_* failure (-errno) to its error line. */
int cmd_reply_errno(struct cmd_ctx *ctx, int rc);
/* NAME without arguments: run `action` and echo NAME, or the error. */
int cmd_run_action(struct cmd_ctx *ctx, const char *name,
    int (*action)(const struct origin *origin));
/* True if the session may make changes needing `level`. */
bool cmd_level_ok(const struct cmd_ctx *ctx, enum user_level level);

/* Strict numbers: [+-]digits[.digits], no exponent, hex, NaN or inf. */
bool cmd_parse_double(const char *tok, double *out);
/* Decimal integer in [min, max], optional leading '-' if min < 0. */
bool cmd_parse_int(const char *tok, long min, long max, long *out);
/* No argument, or one: an integer in [min, max] into *out. */
bool cmd_parse_opt_int(const struct cmd_ctx *ctx, long min, long max,
    long *out);
/* "A" -> false (absolute), "R" -> true (relative). */
bool cmd_parse_mode(const char *tok, bool *relative);
/* A channel token and group letter token needing `caps`. */
bool cmd_parse_chan(const struct cmd_ctx *ctx, const char *chan,
    const char *group, unsigned caps, struct cmd_chan *out);
/* The channel token for an index ("C" for processing index 2). */
void cmd_chan_token(const struct model_group *group, int index, char *buf,
    size_t len);
/* Join arguments from `from` on with single blanks; false if too long. */
bool cmd_join_args(const struct cmd_ctx *ctx, size_t from, char *buf,
    size_t len);
/* Rounds -0.004 to "0.00" instead of "-0.00". */
double cmd_round2(double v);
/* Meter token ("I", "A", "N", "G" or "1".."4") to 0..3, -1 if none. */
int cmd_meter_parse(const char *tok);
char cmd_meter_letter(int meter);

/* Whether a line is a well-formed command (used to check macro lines). */
bool cmd_line_is_command(const char *line, size_t len);
/* The level running this line needs (a query or an error: User). */
enum user_level cmd_line_level(const char *line, size_t len);
/* The command that reads and sets `setting`, NULL if there is none. */
const char *cmd_unit_setting_name(int setting);
/* A setting's value as replies show it: codes upper case, booleans 0/1. */
void cmd_unit_setting_value(enum state_setting s, const char *in, char *out,
    size_t len);
/* The local unit as the interpreter sees it. */
void cmd_local_unit(struct cmd_unit *unit);

/* The registered scheduler's calls (cmd_sched.c); -ENOTSUP without one. */
int cmd_sched_ramp_set(char group, int channel, double rate,
    bool has_target, double target, const struct origin *origin,
    char *why, size_t whylen);
int cmd_sched_ramp_get(char group, int channel, double *rate,
    double *target);
int cmd_sched_macro_start(int n, const struct origin *origin, char *why,
    size_t whylen);
void cmd_sched_macro_wait(uint64_t now_ms, unsigned delay_ms);

#endif
