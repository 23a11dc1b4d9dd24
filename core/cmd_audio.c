/* SPDX-License-Identifier: MIT */
/*
 * Audio commands of the interpreter (protocol.md §5.1): GAIN, MIN, MAX,
 * MINMAX, RAMP, MUTE, MTRX, MTRXLVL, MTRXCLEAR, LABEL, LVL, LVLREPORT,
 * LVLREPORTEN, GATE, GREPORT. A channel "*" runs the command on every
 * channel of the group, one reply line each.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd_priv.h"

#define CMD_WHY_MAX 128
#define CMD_TOKEN_MAX 8		/* a channel token ("12", "*") */

/* One channel of a per-channel command; `arg` is the command's own. */
typedef int (*cmd_chan_fn)(struct cmd_ctx *ctx, char grp, int ch,
    const char *tok, const void *arg);

/*
 * A wildcard is one command and so one save: the channels' changes are
 * one state batch. If it cannot be saved nothing changed, and the reply
 * lines written since `mark` give way to one NOT SAVED.
 */
static int
cmd_batch_end(struct cmd_ctx *ctx, size_t mark, int rc)
{
	char why[CMD_WHY_MAX];

	if (state_batch_end(why, sizeof(why)) != -EIO)
		return rc;
	ctx->reply->len = mark;
	ctx->reply->text[mark] = '\0';
	return cmd_reply_error(ctx, CMD_ERR_NOT_SAVED);
}

/* Parse "<ch> <grp>" from the first two arguments and run `fn` on each. */
static int
cmd_each_chan(struct cmd_ctx *ctx, unsigned caps, cmd_chan_fn fn,
    const void *arg)
{
	struct cmd_chan ch;
	char tok[CMD_TOKEN_MAX];
	int i, rc = 0;

	size_t mark = ctx->reply->len;

	if (ctx->nargs < 2 ||
	    !cmd_parse_chan(ctx, ctx->arg[0], ctx->arg[1], caps, &ch))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	state_batch_begin();
	for (i = ch.first; i <= ch.last; i++) {
		cmd_chan_token(ch.group, i, tok, sizeof(tok));
		if (fn(ctx, ch.group->letter, i, tok, arg) != 0)
			rc = -EINVAL;
	}
	return cmd_batch_end(ctx, mark, rc);
}

/* ---- GAIN ---- */

struct cmd_gain_arg {
	bool set, relative;
	double value;
};

static int
cmd_gain_one(struct cmd_ctx *ctx, char grp, int ch, const char *tok,
    const void *argp)
{
	const struct cmd_gain_arg *a = argp;
	char why[CMD_WHY_MAX];
	double g;
	int rc;

	if (a->set)
		rc = state_gain_set(grp, ch, a->value, a->relative,
		    &ctx->s->origin, &g, why, sizeof(why));
	else
		rc = state_gain_get(grp, ch, &g);
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "GAIN %s %c %.2f A", tok, grp, cmd_round2(g));
	return 0;
}

/* "[value [A|R]]" from argument `at` on, value in [lo, hi]. */
static bool
cmd_parse_gain_arg(const struct cmd_ctx *ctx, size_t at, double lo,
    double hi, struct cmd_gain_arg *a)
{
	if (ctx->nargs > at) {
		a->set = true;
		if (!cmd_parse_double(ctx->arg[at], &a->value) ||
		    a->value < lo || a->value > hi)
			return false;
	}
	return ctx->nargs <= at + 1 ||
	    cmd_parse_mode(ctx->arg[at + 1], &a->relative);
}

/* GAIN <ch> <grp> [value [A|R]]: no A/R means relative (§5.1). */
static int
cmd_gain(struct cmd_ctx *ctx)
{
	struct cmd_gain_arg a = { .relative = true };

	if (ctx->nargs < 2 || ctx->nargs > 4 ||
	    !cmd_parse_gain_arg(ctx, 2, GAIN_ENTRY_MIN, GAIN_ENTRY_MAX, &a))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	return cmd_each_chan(ctx, GRP_GAIN, cmd_gain_one, &a);
}

/* ---- MIN, MAX, MINMAX ---- */

enum cmd_limit { CMD_LIMIT_MIN, CMD_LIMIT_MAX, CMD_LIMIT_BOTH };

struct cmd_limit_arg {
	enum cmd_limit which;
	bool set;
	double v[2];		/* new min, new max (what applies) */
};

static int
cmd_limit_one(struct cmd_ctx *ctx, char grp, int ch, const char *tok,
    const void *argp)
{
	const struct cmd_limit_arg *a = argp;
	char why[CMD_WHY_MAX];
	double min, max, before = 0.0, after = 0.0;
	int rc;

	rc = state_minmax_get(grp, ch, &min, &max);
	if (rc == 0 && a->set)
		rc = state_gain_get(grp, ch, &before);
	if (rc == 0 && a->set) {
		if (a->which != CMD_LIMIT_MAX)
			min = a->v[0];
		if (a->which != CMD_LIMIT_MIN)
			max = a->v[1];
		rc = state_minmax_set(grp, ch, min, max, &ctx->s->origin,
		    why, sizeof(why));
		if (rc == 0)
			rc = state_minmax_get(grp, ch, &min, &max);
	}
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	if (a->which == CMD_LIMIT_MIN)
		cmd_reply_ok(ctx, "MIN %s %c %.2f", tok, grp, cmd_round2(min));
	else if (a->which == CMD_LIMIT_MAX)
		cmd_reply_ok(ctx, "MAX %s %c %.2f", tok, grp, cmd_round2(max));
	else
		cmd_reply_ok(ctx, "MINMAX %s %c %.2f %.2f", tok, grp,
		    cmd_round2(min), cmd_round2(max));
	/* The maker gets no report of its own changes: say if gain moved. */
	if (a->set && state_gain_get(grp, ch, &after) == 0 && after != before)
		cmd_reply_ok(ctx, "GAIN %s %c %.2f A", tok, grp,
		    cmd_round2(after));
	return 0;
}

static bool
cmd_parse_limit(const char *tok, double *v)
{
	return cmd_parse_double(tok, v) && *v >= GAIN_MIN && *v <= GAIN_MAX;
}

static int
cmd_limit(struct cmd_ctx *ctx, enum cmd_limit which)
{
	struct cmd_limit_arg a = { .which = which };
	size_t nvals = which == CMD_LIMIT_BOTH ? 2 : 1;

	if (ctx->nargs != 2 && ctx->nargs != 2 + nvals)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs > 2) {
		a.set = true;
		if (which == CMD_LIMIT_BOTH) {
			if (!cmd_parse_limit(ctx->arg[2], &a.v[0]) ||
			    !cmd_parse_limit(ctx->arg[3], &a.v[1]) ||
			    a.v[0] > a.v[1])
				return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
		} else if (!cmd_parse_limit(ctx->arg[2], &a.v[which])) {
			return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
		}
	}
	return cmd_each_chan(ctx, GRP_GAIN, cmd_limit_one, &a);
}

static int
cmd_min(struct cmd_ctx *ctx)
{
	return cmd_limit(ctx, CMD_LIMIT_MIN);
}

static int
cmd_max(struct cmd_ctx *ctx)
{
	return cmd_limit(ctx, CMD_LIMIT_MAX);
}

static int
cmd_minmax(struct cmd_ctx *ctx)
{
	return cmd_limit(ctx, CMD_LIMIT_BOTH);
}

/* ---- RAMP ---- */

struct cmd_ramp_arg {
	bool set, has_target;
	double rate, target;
};

static int
cmd_ramp_one(struct cmd_ctx *ctx, char grp, int ch, const char *tok,
    const void *argp)
{
	const struct cmd_ramp_arg *a = argp;
	char why[CMD_WHY_MAX];
	double rate, target;
	int rc = 0;

	if (a->set)
		rc = cmd_sched_ramp_set(grp, ch, a->rate, a->has_target,
		    a->target, &ctx->s->origin, why, sizeof(why));
	if (rc == 0)
		rc = cmd_sched_ramp_get(grp, ch, &rate, &target);
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "RAMP %s %c %.2f %.2f", tok, grp, cmd_round2(rate),
	    cmd_round2(target));
	return 0;
}

/* RAMP <ch> <grp> [rate [target]]: rate dB/s, 0 stops. */
static int
cmd_ramp(struct cmd_ctx *ctx)
{
	struct cmd_ramp_arg a = { 0 };

	if (ctx->nargs < 2 || ctx->nargs > 4)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs >= 3) {
		a.set = true;
		if (!cmd_parse_double(ctx->arg[2], &a.rate) ||
		    a.rate < -RAMP_RATE_MAX || a.rate > RAMP_RATE_MAX)
			return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	}
	if (ctx->nargs == 4) {
		a.has_target = true;
		if (!cmd_parse_double(ctx->arg[3], &a.target) ||
		    a.target < GAIN_ENTRY_MIN || a.target > GAIN_ENTRY_MAX)
			return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	}
	return cmd_each_chan(ctx, GRP_GAIN, cmd_ramp_one, &a);
}

/* ---- MUTE ---- */

static int
cmd_mute_one(struct cmd_ctx *ctx, char grp, int ch, const char *tok,
    const void *argp)
{
	const long *value = argp;
	char why[CMD_WHY_MAX];
	int rc, m;

	if (*value >= 0)
		rc = state_mute_set(grp, ch, (int)*value, &ctx->s->origin, &m,
		    why, sizeof(why));
	else
		rc = state_mute_get(grp, ch, &m);
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "MUTE %s %c %d", tok, grp, m);
	return 0;
}

/* MUTE <ch> <grp> [0|1|2]: 2 toggles; the reply has the new state. */
static int
cmd_mute(struct cmd_ctx *ctx)
{
	long value = -1;

	if (ctx->nargs < 2 || ctx->nargs > 3)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs == 3 && !cmd_parse_int(ctx->arg[2], 0, 2, &value))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	return cmd_each_chan(ctx, GRP_GAIN, cmd_mute_one, &value);
}

/* ---- MTRX, MTRXLVL, MTRXCLEAR ---- */

struct cmd_xp {
	struct cmd_chan src, dst;
};

/* The four address arguments of a crosspoint. */
static bool
cmd_parse_xp(const struct cmd_ctx *ctx, struct cmd_xp *xp)
{
	return ctx->nargs >= 4 &&
	    cmd_parse_chan(ctx, ctx->arg[0], ctx->arg[1], GRP_MTRX_SRC,
		&xp->src) &&
	    cmd_parse_chan(ctx, ctx->arg[2], ctx->arg[3], GRP_MTRX_DST,
		&xp->dst);
}

typedef int (*cmd_xp_fn)(struct cmd_ctx *ctx, const struct cmd_xp *xp,
    int s, int d, const char *addr, const void *arg);

/* Run `fn` on every crosspoint the (maybe wildcard) address names. */
static int
cmd_each_xp(struct cmd_ctx *ctx, const struct cmd_xp *xp, cmd_xp_fn fn,
    const void *arg)
{
	char st[CMD_TOKEN_MAX], dt[CMD_TOKEN_MAX], addr[4 * CMD_TOKEN_MAX];
	size_t mark = ctx->reply->len;
	int s, d, rc = 0;

	state_batch_begin();
	for (s = xp->src.first; s <= xp->src.last; s++) {
		cmd_chan_token(xp->src.group, s, st, sizeof(st));
		for (d = xp->dst.first; d <= xp->dst.last; d++) {
			cmd_chan_token(xp->dst.group, d, dt, sizeof(dt));
			snprintf(addr, sizeof(addr), "%s %c %s %c", st,
			    xp->src.group->letter, dt, xp->dst.group->letter);
			if (fn(ctx, xp, s, d, addr, arg) != 0)
				rc = -EINVAL;
		}
	}
	return cmd_batch_end(ctx, mark, rc);
}

static int
cmd_mtrx_one(struct cmd_ctx *ctx, const struct cmd_xp *xp, int s, int d,
    const char *addr, const void *argp)
{
	const long *value = argp;
	char sg = xp->src.group->letter, dg = xp->dst.group->letter;
	char why[CMD_WHY_MAX];
	int rc, v;

	if (*value >= 0)
		rc = state_mtrx_set(sg, s, dg, d, (int)*value,
		    &ctx->s->origin, &v, why, sizeof(why));
	else
		rc = state_mtrx_get(sg, s, dg, d, &v);
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "MTRX %s %d", addr, v);
	return 0;
}

/*
 * MTRX <src ch> <src grp> <dst ch> <dst grp> [0-6]. Which values a
 * source takes (mics 0/3/4/5, others 0/1/2; 6 is only ever reported)
 * is the state's rule (state_audio.c), so the web page and SNMP obey the
 * same one.
 */
static int
cmd_mtrx(struct cmd_ctx *ctx)
{
	struct cmd_xp xp;
	long value = -1;

	if (ctx->nargs < 4 || ctx->nargs > 5 || !cmd_parse_xp(ctx, &xp))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs == 5 && !cmd_parse_int(ctx->arg[4], 0, 6, &value))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	return cmd_each_xp(ctx, &xp, cmd_mtrx_one, &value);
}

static int
cmd_mtrxlvl_one(struct cmd_ctx *ctx, const struct cmd_xp *xp, int s,
    int d, const char *addr, const void *argp)
{
	const struct cmd_gain_arg *a = argp;
	char sg = xp->src.group->letter, dg = xp->dst.group->letter;
	char why[CMD_WHY_MAX];
	double lvl;
	int rc;

	if (a->set)
		rc = state_mtrxlvl_set(sg, s, dg, d, a->value, a->relative,
		    &ctx->s->origin, &lvl, why, sizeof(why));
	else
		rc = state_mtrxlvl_get(sg, s, dg, d, &lvl);
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "MTRXLVL %s %.2f A", addr, cmd_round2(lvl));
	return 0;
}

/* MTRXLVL <crosspoint> [dB [A|R]]: like GAIN, no A/R is relative. */
static int
cmd_mtrxlvl(struct cmd_ctx *ctx)
{
	struct cmd_gain_arg a = { .relative = true };
	struct cmd_xp xp;

	if (ctx->nargs < 4 || ctx->nargs > 6 || !cmd_parse_xp(ctx, &xp) ||
	    !cmd_parse_gain_arg(ctx, 4, MTRXLVL_ENTRY_MIN, MTRXLVL_ENTRY_MAX,
	    &a))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	return cmd_each_xp(ctx, &xp, cmd_mtrxlvl_one, &a);
}

/* MTRXCLEAR: every crosspoint off; there is no query form. */
static int
cmd_mtrxclear(struct cmd_ctx *ctx)
{
	return cmd_run_action(ctx, "MTRXCLEAR", state_mtrx_clear);
}

/* ---- LABEL ---- */

static int
cmd_label_one(struct cmd_ctx *ctx, char grp, int ch, const char *tok,
    const void *argp)
{
	const char *text = argp;
	char why[CMD_WHY_MAX], label[STATE_LABEL_MAX + 1];
	int rc = 0;

	if (text != NULL)
		rc = state_label_set(grp, ch, text, &ctx->s->origin, why,
		    sizeof(why));
	if (rc == 0)
		rc = state_label_get(grp, ch, label, sizeof(label));
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "LABEL %s %c%s%s", tok, grp, label[0] ? " " : "",
	    label);
	return 0;
}

/* LABEL 0 U [text]: the unit label, a setting rather than a channel. */
static int
cmd_label_unit(struct cmd_ctx *ctx, const char *text)
{
	char why[CMD_WHY_MAX], label[BUS_TEXT_MAX];
	int rc = 0;

	if (text != NULL)
		rc = state_setting_set(SET_UNIT_LABEL,
		    strcasecmp(text, "CLEAR") == 0 ? "" : text,
		    &ctx->s->origin, why, sizeof(why));
	if (rc == 0)
		rc = state_setting_get(SET_UNIT_LABEL, label, sizeof(label));
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "LABEL 0 U%s%s", label[0] ? " " : "", label);
	return 0;
}

/* LABEL <ch> <grp> [text]: text keeps its case; CLEAR erases. */
static int
cmd_label(struct cmd_ctx *ctx)
{
	char text[CMD_LINE_MAX];

	if (ctx->nargs < 2)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs > 2 && !cmd_join_args(ctx, 2, text, sizeof(text)))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (strcasecmp(ctx->arg[1], "U") == 0 &&
	    strcmp(ctx->arg[0], "0") == 0)
		return cmd_label_unit(ctx, ctx->nargs > 2 ? text : NULL);
	return cmd_each_chan(ctx, GRP_LABEL, cmd_label_one,
	    ctx->nargs > 2 ? text : NULL);
}

/* ---- LVL, LVLREPORT, LVLREPORTEN, GATE, GREPORT ---- */

static int
cmd_lvl_one(struct cmd_ctx *ctx, char grp, int ch, const char *tok,
    const void *argp)
{
	const int *meter = argp;
	double db;
	int rc;

	rc = state_meter_get(grp, ch, *meter, &db);
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "LVL %s %c %c %.2f", tok, grp,
	    cmd_meter_letter(*meter), cmd_round2(db));
	return 0;
}

/* LVL <ch> <grp> <meter>: read-only. */
static int
cmd_lvl(struct cmd_ctx *ctx)
{
	int meter;

	if (ctx->nargs != 3 || (meter = cmd_meter_parse(ctx->arg[2])) < 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	return cmd_each_chan(ctx, GRP_METER, cmd_lvl_one, &meter);
}

struct cmd_lvlreport_arg {
	int meter;
	long value;		/* -1 query, 0 remove, 1 add */
};

static size_t
cmd_report_find(const struct cmd_session *s, char grp, int ch, int meter)
{
	size_t i;

	for (i = 0; i < s->nreports; i++)
		if (s->reports[i].group == grp &&
		    s->reports[i].channel == ch && s->reports[i].meter == meter)
			return i;
	return s->nreports;
}

static int
cmd_lvlreport_one(struct cmd_ctx *ctx, char grp, int ch, const char *tok,
    const void *argp)
{
	const struct cmd_lvlreport_arg *a = argp;
	struct cmd_session *s = ctx->s;
	size_t i = cmd_report_find(s, grp, ch, a->meter);

	if (a->value == 1 && i == s->nreports) {
		if (s->nreports == CMD_REPORTS_MAX)
			return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
		s->reports[s->nreports].group = grp;
		s->reports[s->nreports].channel = ch;
		s->reports[s->nreports].meter = a->meter;
		s->nreports++;
	} else if (a->value == 0 && i < s->nreports) {
		memmove(&s->reports[i], &s->reports[i + 1],
		    (s->nreports - i - 1) * sizeof(s->reports[0]));
		s->nreports--;
	}
	cmd_reply_ok(ctx, "LVLREPORT %s %c %c %d", tok, grp,
	    cmd_meter_letter(a->meter),
	    cmd_report_find(s, grp, ch, a->meter) < s->nreports);
	return 0;
}

/* LVLREPORT <ch> <grp> <meter> [0|1]: this session's report list. */
static int
cmd_lvlreport(struct cmd_ctx *ctx)
{
	struct cmd_lvlreport_arg a = { .value = -1 };

	if (ctx->nargs < 3 || ctx->nargs > 4 ||
	    (a.meter = cmd_meter_parse(ctx->arg[2])) < 0 ||
	    (ctx->nargs == 4 && !cmd_parse_int(ctx->arg[3], 0, 1, &a.value)))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	return cmd_each_chan(ctx, GRP_METER, cmd_lvlreport_one, &a);
}

/* LVLREPORTEN [0|1|2]: off, on, off and forget the list. */
static int
cmd_lvlreporten(struct cmd_ctx *ctx)
{
	long v;

	if (!cmd_parse_opt_int(ctx, 0, 2, &v))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs == 1) {
		ctx->s->level_report = v == 1;
		if (v == 2)
			ctx->s->nreports = 0;
	}
	cmd_reply_ok(ctx, "LVLREPORTEN %d", ctx->s->level_report);
	return 0;
}

/* GATE: read-only bitmap, bit 0 = mic 1. */
static int
cmd_gate(struct cmd_ctx *ctx)
{
	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	cmd_reply_ok(ctx, "GATE %02X", (unsigned)state_gate_bits());
	return 0;
}

/* GREPORT [0|1]: gate reports for this session. */
static int
cmd_greport(struct cmd_ctx *ctx)
{
	long v;

	if (!cmd_parse_opt_int(ctx, 0, 1, &v))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs == 1)
		ctx->s->gate_report = v == 1;
	cmd_reply_ok(ctx, "GREPORT %d", ctx->s->gate_report ? 1 : 0);
	return 0;
}

/*
 * name, handler, argument count of the query form, level for any other
 * form (protocol.md Part 1; docs/commands.md "Access levels").
 */
const struct cmd_def cmd_audio_defs[] = {
	{ "GAIN", cmd_gain, 2, LEVEL_USER, -1 },
	{ "MIN", cmd_min, 2, LEVEL_MANAGER, -1 },
	{ "MAX", cmd_max, 2, LEVEL_MANAGER, -1 },
	{ "MINMAX", cmd_minmax, 2, LEVEL_MANAGER, -1 },
	{ "RAMP", cmd_ramp, 2, LEVEL_USER, -1 },
	{ "MUTE", cmd_mute, 2, LEVEL_USER, -1 },
	{ "MTRX", cmd_mtrx, 4, LEVEL_USER, -1 },
	{ "MTRXLVL", cmd_mtrxlvl, 4, LEVEL_USER, -1 },
	{ "MTRXCLEAR", cmd_mtrxclear, CMD_NO_QUERY, LEVEL_USER, -1 },
	{ "LABEL", cmd_label, 2, LEVEL_MANAGER, -1 },
	{ "LVL", cmd_lvl, 3, LEVEL_USER, -1 },
	{ "LVLREPORT", cmd_lvlreport, 3, LEVEL_USER, -1 },
	{ "LVLREPORTEN", cmd_lvlreporten, 0, LEVEL_USER, -1 },
	{ "GATE", cmd_gate, 0, LEVEL_USER, -1 },
	{ "GREPORT", cmd_greport, 0, LEVEL_USER, -1 },
};
const size_t cmd_audio_ndefs = sizeof(cmd_audio_defs) /
    sizeof(cmd_audio_defs[0]);
