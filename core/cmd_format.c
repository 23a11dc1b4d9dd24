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

typedef bool (*cmd_fmt_fn)(struct cmd_out *o, const struct model *m,
    const struct bus_change *c);

static bool
cmd_fmt_gain(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	cmd_out(o, "GAIN");
	if (!cmd_out_chan(o, m, c->group, c->channel))
		return false;
	cmd_out(o, " %.2f A", cmd_round2(c->number));
	return true;
}

static bool
cmd_fmt_minmax(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	cmd_out(o, "MINMAX");
	if (!cmd_out_chan(o, m, c->group, c->channel))
		return false;
	cmd_out(o, " %.2f %.2f", cmd_round2(c->number),
	    cmd_round2(c->number2));
	return true;
}

static bool
cmd_fmt_mute(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	cmd_out(o, "MUTE");
	if (!cmd_out_chan(o, m, c->group, c->channel))
		return false;
	cmd_out(o, " %d", c->integer ? 1 : 0);
	return true;
}

static bool
cmd_fmt_ramp(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	cmd_out(o, "RAMP");
	if (!cmd_out_chan(o, m, c->group, c->channel))
		return false;
	cmd_out(o, " %.2f %.2f", cmd_round2(c->number),
	    cmd_round2(c->number2));
	return true;
}

static bool
cmd_fmt_label(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	char text[BUS_TEXT_MAX];

	cmd_out(o, "LABEL");
	if (!cmd_out_chan(o, m, c->group, c->channel))
		return false;
	snprintf(text, sizeof(text), "%s", c->text);
	if (text[0] != '\0')
		cmd_out(o, " %s", text);
	return true;
}

/* "<src ch> <src grp> <dst ch> <dst grp>" of a crosspoint. */
static bool
cmd_out_xp(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	return cmd_out_chan(o, m, c->group, c->channel) &&
	    cmd_out_chan(o, m, c->dst_group, c->dst_channel);
}

static bool
cmd_fmt_mtrx(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	cmd_out(o, "MTRX");
	if (!cmd_out_xp(o, m, c))
		return false;
	cmd_out(o, " %d", c->integer);
	return true;
}

static bool
cmd_fmt_mtrxlvl(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	cmd_out(o, "MTRXLVL");
	if (!cmd_out_xp(o, m, c))
		return false;
	cmd_out(o, " %.2f A", cmd_round2(c->number));
	return true;
}

static bool
cmd_fmt_mtrxclear(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	(void)m;
	(void)c;
	cmd_out(o, "MTRXCLEAR");
	return true;
}

/* The commands whose change line is "NAME <integer>". */
static const char *const cmd_fmt_int_names[] = {
	[STATE_F_PRESET] = "PRESET",
	[STATE_F_PRESET_STORED] = "PRESETSTORE",
	[STATE_F_MACRO] = "MACRO",
	[STATE_F_MACRO_DEFINED] = "MACRODEF",
	[STATE_F_SAFETY_MUTE] = "SFTYMUTE",
};

static bool
cmd_fmt_int(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	(void)m;
	cmd_out(o, "%s %d", cmd_fmt_int_names[c->what], c->integer);
	return true;
}

/* A setting with a command ("ENETADDR 10.0.0.5"); unit label: LABEL 0 U. */
static bool
cmd_fmt_setting(struct cmd_out *o, const struct model *m,
    const struct bus_change *c)
{
	const struct state_setting_info *info;
	const char *name;
	char text[BUS_TEXT_MAX], value[BUS_TEXT_MAX];

	(void)m;
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

static const cmd_fmt_fn cmd_fmt_fns[] = {
	[STATE_F_GAIN] = cmd_fmt_gain,
	[STATE_F_MINMAX] = cmd_fmt_minmax,
	[STATE_F_MUTE] = cmd_fmt_mute,
	[STATE_F_RAMP] = cmd_fmt_ramp,
	[STATE_F_LABEL] = cmd_fmt_label,
	[STATE_F_MTRX] = cmd_fmt_mtrx,
	[STATE_F_MTRXLVL] = cmd_fmt_mtrxlvl,
	[STATE_F_MTRXCLEAR] = cmd_fmt_mtrxclear,
	[STATE_F_PRESET] = cmd_fmt_int,
	[STATE_F_PRESET_STORED] = cmd_fmt_int,
	[STATE_F_MACRO] = cmd_fmt_int,
	[STATE_F_MACRO_DEFINED] = cmd_fmt_int,
	[STATE_F_SAFETY_MUTE] = cmd_fmt_int,
	[STATE_F_SETTING] = cmd_fmt_setting,
	/* users and whole-state reloads have no command line */
};

size_t
cmd_format_change(const struct bus_change *c, char *buf, size_t len)
{
	struct cmd_out o = { buf, len, 0, false };
	struct cmd_unit u;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (c->what < 0 ||
	    (size_t)c->what >= sizeof(cmd_fmt_fns) / sizeof(*cmd_fmt_fns) ||
	    cmd_fmt_fns[c->what] == NULL)
		return 0;
	cmd_local_unit(&u);
	if (u.model == NULL)
		return 0;
	cmd_out(&o, "#%c%c ", u.type, "0123456789ABCDEF"[u.id & 0xf]);
	if (!cmd_fmt_fns[c->what](&o, u.model, c) || o.full) {
		buf[0] = '\0';
		return 0;
	}
	return o.used;
}

size_t
cmd_format_reports(const struct cmd_session *s, const struct bus_meters *m,
    char *buf, size_t len)
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
	for (i = 0; s->level_report == 1 && i < s->nreports; i++) {
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
