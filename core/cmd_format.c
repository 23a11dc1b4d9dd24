/* SPDX-License-Identifier: MIT */
/*
 * Report lines of the interpreter (protocol.md Part 1 item 3, §3.3):
 * a change made elsewhere as the bare line a reply would have carried
 * ("#H0 GAIN 1 M -10.00 A"), and the LVL/GATE reports a session asked for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cmd_priv.h"

#define CMD_TOKEN_MAX 8

/* Bounded formatting into an output line. */
struct cmd_out {
	char *buf;
	size_t len, used;
	bool full;
};

static void
cmd_out(struct cmd_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
cmd_out(struct cmd_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->full = true;
		return;
	}
	o->used += (size_t)n;
}

/* "<ch> <grp>" for a change's channel; false if the model lacks it. */
static bool
cmd_out_chan(struct cmd_out *o, const struct model *m, char group, int ch)
{
	const struct model_group *g = model_group(m, group);
	char tok[CMD_TOKEN_MAX];

	if (g == NULL || ch < 0 || ch >= g->count)
		return false;
	cmd_chan_token(g, ch, tok, sizeof(tok));
	cmd_out(o, " %s %c", tok, g->letter);
	return true;
}

/* What a change line names after the command word. */
enum cmd_fmt_addr {
	CMD_FMT_NONE,		/* nothing ("MTRXCLEAR") */
	CMD_FMT_CHAN,		/* "<ch> <grp>" */
	CMD_FMT_XP,		/* "<src ch> <src grp> <dst ch> <dst grp>" */
};

/* The value after the address; false if the change has no line. */
typedef bool (*cmd_fmt_fn)(struct cmd_out *o, const struct bus_change *c);

static bool
cmd_fmt_db_abs(struct cmd_out *o, const struct bus_change *c)
{
	cmd_out(o, " %.2f A", cmd_round2(c->number));
	return true;
}

static bool
cmd_fmt_db_pair(struct cmd_out *o, const struct bus_change *c)
{
	cmd_out(o, " %.2f %.2f", cmd_round2(c->number),
	    cmd_round2(c->number2));
	return true;
}

static bool
cmd_fmt_bool(struct cmd_out *o, const struct bus_change *c)
{
	cmd_out(o, " %d", c->integer ? 1 : 0);
	return true;
}

static bool
cmd_fmt_int(struct cmd_out *o, const struct bus_change *c)
{
	cmd_out(o, " %d", c->integer);
	return true;
}

static bool
cmd_fmt_text(struct cmd_out *o, const struct bus_change *c)
{
	char text[BUS_TEXT_MAX];

	snprintf(text, sizeof(text), "%s", c->text);
	if (text[0] != '\0')
		cmd_out(o, " %s", text);
	return true;
}

/* A setting with a command ("ENETADDR 10.0.0.5"); unit label: LABEL 0 U. */
static bool
cmd_fmt_setting(struct cmd_out *o, const struct bus_change *c)
{
	const struct state_setting_info *info;
	const char *name;
	char text[BUS_TEXT_MAX], value[BUS_TEXT_MAX];

	if (c->integer < 0 || c->integer >= SET_COUNT)
		return false;
	info = state_setting_info((enum state_setting)c->integer);
	if (info == NULL || info->secret)
		return false;
	if (c->integer == SET_UNIT_LABEL)
		name = "LABEL 0 U";
	else if ((name = cmd_unit_setting_name(c->integer)) == NULL)
		return false;
	snprintf(text, sizeof(text), "%s", c->text);
	cmd_unit_setting_value((enum state_setting)c->integer, text, value,
	    sizeof(value));
	cmd_out(o, "%s%s%s", name, value[0] ? " " : "", value);
	return true;
}

/*
 * A DEFAULT made elsewhere is reported as its reply would be, so that
 * other sessions know to re-read; a restore or reload has no command.
 */
static bool
cmd_fmt_reloaded(struct cmd_out *o, const struct bus_change *c)
{
	if (c->integer != 1)
		return false;
	cmd_out(o, "DEFAULT");
	return true;
}

/* One row per change that has a command line; name NULL: `value` says all. */
struct cmd_fmt_row {
	const char *name;
	enum cmd_fmt_addr addr;
	cmd_fmt_fn value;
};

static const struct cmd_fmt_row cmd_fmt_rows[] = {
	[STATE_F_GAIN] = { "GAIN", CMD_FMT_CHAN, cmd_fmt_db_abs },
	[STATE_F_MINMAX] = { "MINMAX", CMD_FMT_CHAN, cmd_fmt_db_pair },
	[STATE_F_MUTE] = { "MUTE", CMD_FMT_CHAN, cmd_fmt_bool },
	[STATE_F_RAMP] = { "RAMP", CMD_FMT_CHAN, cmd_fmt_db_pair },
	[STATE_F_LABEL] = { "LABEL", CMD_FMT_CHAN, cmd_fmt_text },
	[STATE_F_MTRX] = { "MTRX", CMD_FMT_XP, cmd_fmt_int },
	[STATE_F_MTRXLVL] = { "MTRXLVL", CMD_FMT_XP, cmd_fmt_db_abs },
	[STATE_F_MTRXCLEAR] = { "MTRXCLEAR", CMD_FMT_NONE, NULL },
	[STATE_F_PRESET] = { "PRESET", CMD_FMT_NONE, cmd_fmt_int },
	[STATE_F_PRESET_STORED] = { "PRESETSTORE", CMD_FMT_NONE,
	    cmd_fmt_int },
	[STATE_F_MACRO] = { "MACRO", CMD_FMT_NONE, cmd_fmt_int },
	[STATE_F_MACRO_DEFINED] = { "MACRODEF", CMD_FMT_NONE, cmd_fmt_int },
	[STATE_F_SAFETY_MUTE] = { "SFTYMUTE", CMD_FMT_NONE, cmd_fmt_int },
	[STATE_F_SETTING] = { NULL, CMD_FMT_NONE, cmd_fmt_setting },
	[STATE_F_RELOADED] = { NULL, CMD_FMT_NONE, cmd_fmt_reloaded },
	/* users have no command line */
};

/* Name, address and value of a change; false if it has no line. */
static bool
cmd_fmt_line(struct cmd_out *o, const struct model *m,
    const struct cmd_fmt_row *row, const struct bus_change *c)
{
	if (row->name != NULL)
		cmd_out(o, "%s", row->name);
	if (row->addr == CMD_FMT_CHAN &&
	    !cmd_out_chan(o, m, c->group, c->channel))
		return false;
	if (row->addr == CMD_FMT_XP &&
	    !(cmd_out_chan(o, m, c->group, c->channel) &&
	    cmd_out_chan(o, m, c->dst_group, c->dst_channel)))
		return false;
	return row->value == NULL || row->value(o, c);
}

size_t
cmd_format_change(const struct bus_change *c, char *buf, size_t len)
{
	struct cmd_out o = { buf, len, 0, false };
	struct cmd_unit u;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (c->what < 0 ||
	    (size_t)c->what >= sizeof(cmd_fmt_rows) / sizeof(*cmd_fmt_rows) ||
	    (cmd_fmt_rows[c->what].name == NULL &&
	    cmd_fmt_rows[c->what].value == NULL))
		return 0;
	cmd_local_unit(&u);
	if (u.model == NULL)
		return 0;
	cmd_out(&o, "#%c%c ", u.type, "0123456789ABCDEF"[u.id & 0xf]);
	if (!cmd_fmt_line(&o, u.model, &cmd_fmt_rows[c->what], c) || o.full) {
		buf[0] = '\0';
		return 0;
	}
	return o.used;
}

size_t
cmd_format_reports(const struct cmd_session *s, const struct bus_meters *m,
    bool levels, char *buf, size_t len)
{
	struct cmd_out o = { buf, len, 0, false };
	const struct cmd_report_entry *e;
	struct cmd_unit u;
	size_t i, good;
	char addr[3];
	double db;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	cmd_local_unit(&u);
	if (u.model == NULL)
		return 0;
	addr[0] = u.type;
	addr[1] = "0123456789ABCDEF"[u.id & 0xf];
	addr[2] = '\0';
	for (i = 0; levels && s->level_report == 1 && i < s->nreports; i++) {
		e = &s->reports[i];
		if (state_meter_get(e->group, e->channel, e->meter, &db) != 0)
			continue;
		good = o.used;
		cmd_out(&o, "#%s LVL", addr);
		if (!cmd_out_chan(&o, u.model, e->group, e->channel)) {
			o.used = good;
			continue;
		}
		cmd_out(&o, " %c %.2f\r\n", cmd_meter_letter(e->meter),
		    cmd_round2(db));
		if (o.full) {
			/* Only whole lines: drop the one that did not fit. */
			o.used = good;
			break;
		}
	}
	if (s->gate_report && m != NULL && m->gate_changed) {
		good = o.used;
		cmd_out(&o, "#%s GATE %02X\r\n", addr, (unsigned)m->gate_bits);
		if (o.full)
			o.used = good;
	}
	buf[o.used] = '\0';
	return o.used;
}
