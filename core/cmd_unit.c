/* SPDX-License-Identifier: MIT */
/*
 * Unit commands of the interpreter (protocol.md §5.2, §5.3): identity
 * (VER, DVER, UID, DID), settings that map onto state_setting_get/set,
 * BAUD/FLOW, SFTYMUTE, RESET, DEFAULT, presets and macros, plus our
 * extensions PRESETSTORE and MACRODEF (docs/commands.md).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "cmd_priv.h"

#define CMD_WHY_MAX 128
#define CMD_WAIT_MIN 0.5	/* WAITSTATE range, seconds */
#define CMD_WAIT_MAX 5.0

/* ---- identity (read-only) ---- */

static int
cmd_ver(struct cmd_ctx *ctx)
{
	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	cmd_reply_ok(ctx, "VER %s", ctx->unit->ident.firmware);
	return 0;
}

static int
cmd_dver(struct cmd_ctx *ctx)
{
	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	cmd_reply_ok(ctx, "DVER %u", ctx->unit->ident.dver);
	return 0;
}

static int
cmd_uid(struct cmd_ctx *ctx)
{
	char uid[sizeof(ctx->unit->ident.uid)];
	size_t i;

	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	for (i = 0; i + 1 < sizeof(uid) && ctx->unit->ident.uid[i]; i++)
		uid[i] = (char)toupper((unsigned char)ctx->unit->ident.uid[i]);
	uid[i] = '\0';
	cmd_reply_ok(ctx, "UID %s", uid);
	return 0;
}

/* DID: the device ID, one hex digit as in the address (set on the panel). */
static int
cmd_did(struct cmd_ctx *ctx)
{
	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	cmd_reply_ok(ctx, "DID %c", ctx->addr[1]);
	return 0;
}

/* ---- settings ---- */

/* A 0/1 setting's stored value ("0"/"1" or "true"/"false") as a bool. */
static bool
cmd_setting_true(const char *v)
{
	return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0;
}

void
cmd_unit_setting_value(enum state_setting s, const char *in, char *out,
    size_t len)
{
	const struct state_setting_info *info = state_setting_info(s);
	size_t i;

	if (len == 0)
		return;
	if (info != NULL && info->type == SETTING_BOOL) {
		snprintf(out, len, "%d", cmd_setting_true(in));
		return;
	}
	snprintf(out, len, "%s", in);
	/* host names keep their case, like text */
	if (info == NULL || (info->type != SETTING_TEXT &&
	    info->type != SETTING_HOSTPORT))
		for (i = 0; out[i] != '\0'; i++)
			out[i] = (char)toupper((unsigned char)out[i]);
}

/* NAME value, as a query answers and a change is reported. */
static int
cmd_setting_reply(struct cmd_ctx *ctx, const char *name, enum state_setting s)
{
	char raw[BUS_TEXT_MAX], value[BUS_TEXT_MAX];
	int rc;

	rc = state_setting_get(s, raw, sizeof(raw));
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_unit_setting_value(s, raw, value, sizeof(value));
	cmd_reply_ok(ctx, "%s%s%s", name, value[0] ? " " : "", value);
	return 0;
}

static int
cmd_setting_put(struct cmd_ctx *ctx, enum state_setting s, const char *v)
{
	char why[CMD_WHY_MAX];
	int rc;

	rc = state_setting_set(s, v, &ctx->s->origin, why, sizeof(why));
	return rc != 0 ? cmd_reply_errno(ctx, rc) : 0;
}

/*
 * NAME [value]: text settings take the rest of the line (blanks become
 * single blanks), the others one token; CLEAR empties text and addresses.
 */
static int
cmd_setting(struct cmd_ctx *ctx)
{
	const struct cmd_def *def = ctx->def;
	enum state_setting s = (enum state_setting)def->setting;
	const struct state_setting_info *info = state_setting_info(s);
	char value[CMD_LINE_MAX];
	bool text = info != NULL && info->type == SETTING_TEXT;
	/* Text and addresses may be empty ("not configured"). */
	bool clearable = text || (info != NULL && info->min == 0 &&
	    (info->type == SETTING_IPV4 || info->type == SETTING_MASK ||
	    info->type == SETTING_HOSTPORT));

	if (ctx->nargs > 0) {
		if ((!text && ctx->nargs != 1) ||
		    !cmd_join_args(ctx, 0, value, sizeof(value)) ||
		    strlen(value) >= BUS_TEXT_MAX)
			return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
		if (clearable && strcasecmp(value, "CLEAR") == 0)
			value[0] = '\0';
		if (cmd_setting_put(ctx, s, value) != 0)
			return -EINVAL;
	}
	return cmd_setting_reply(ctx, def->name, s);
}

/* Read a 0/1 setting as an int. */
static int
cmd_setting_bool(enum state_setting s)
{
	char v[16];

	if (state_setting_get(s, v, sizeof(v)) != 0)
		return 0;
	return cmd_setting_true(v);
}

/* The lease the address service holds, if DHCP is on; false if none. */
static bool
cmd_lease(struct state_lease *l)
{
	state_lease_get(l);
	return l->bound && cmd_setting_bool(SET_NET_DHCP_ON);
}

/* What the lease gave for a network setting; NULL: not leased. */
static const char *
cmd_lease_value(const struct state_lease *l, int setting)
{
	switch (setting) {
	case SET_NET_ADDR:
		return l->address;
	case SET_NET_MASK:
		return l->mask;
	case SET_NET_GATEWAY:
		return l->router;
	case SET_NET_DNS:
		return l->dns[0];
	case SET_NET_DOMAIN:
		return l->domain;
	default:
		return NULL;
	}
}

/*
 * ENETADDR, ENETSUBN, ENETGATE, ENETDNS, ENETDOMAIN: with DHCP on and a
 * lease held, a query answers the value in use (the lease's), as a real
 * unit does; a set changes the static setting and echoes it.
 */
static int
cmd_enet(struct cmd_ctx *ctx)
{
	struct state_lease l;
	const char *v;

	if (ctx->nargs > 0 || !cmd_lease(&l) ||
	    (v = cmd_lease_value(&l, ctx->def->setting)) == NULL)
		return cmd_setting(ctx);
	cmd_reply_ok(ctx, "%s%s%s", ctx->def->name, v[0] ? " " : "", v);
	return 0;
}

/* A wall-clock time as ISO 8601 UTC, "-" for none. */
static const char *
cmd_iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

/* n addresses (empty ones skipped) joined by commas, "-" for none. */
static const char *
cmd_join_addrs(const char (*a)[16], size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (a[i][0] != '\0' && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off > 0 ? "," : "", a[i]);
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
	return buf;
}

/* ENETLEASE (convergd extension): the whole lease, or NONE. */
static int
cmd_enetlease(struct cmd_ctx *ctx)
{
	struct state_lease l;
	char r[STATE_LEASE_ROUTERS * 16], d[STATE_LEASE_DNS * 16];
	char t[4][24];

	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (!cmd_lease(&l)) {
		cmd_reply_ok(ctx, "ENETLEASE NONE");
		return 0;
	}
	cmd_reply_ok(ctx, "ENETLEASE %s %s SERVER %s GATEWAY %s ROUTERS %s "
	    "DNS %s DOMAIN %s OBTAINED %s T1 %s T2 %s EXPIRES %s", l.address,
	    l.mask, l.server, l.router[0] ? l.router : "-",
	    cmd_join_addrs(l.routers, STATE_LEASE_ROUTERS, r, sizeof(r)),
	    cmd_join_addrs(l.dns, STATE_LEASE_DNS, d, sizeof(d)),
	    l.domain[0] ? l.domain : "-",
	    cmd_iso_time(l.obtained, t[0], sizeof(t[0])),
	    cmd_iso_time(l.t1, t[1], sizeof(t[1])),
	    cmd_iso_time(l.t2, t[2], sizeof(t[2])),
	    cmd_iso_time(l.expires, t[3], sizeof(t[3])));
	return 0;
}

/* FLOW [0|1|2]: DTR/DSR flow control, 2 toggles. */
static int
cmd_flow(struct cmd_ctx *ctx)
{
	long v;

	if (!cmd_parse_opt_int(ctx, 0, 2, &v))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs == 1) {
		if (v == 2)
			v = !cmd_setting_bool(SET_FLOW);
		if (cmd_setting_put(ctx, SET_FLOW, v ? "1" : "0") != 0)
			return -EINVAL;
	}
	cmd_reply_ok(ctx, "FLOW %d", cmd_setting_bool(SET_FLOW));
	return 0;
}

/* ---- SFTYMUTE, RESET, DEFAULT ---- */

/* SFTYMUTE [0|1|2]: mutes every output; 2 toggles. */
static int
cmd_sftymute(struct cmd_ctx *ctx)
{
	int rc, result;
	long v;

	if (!cmd_parse_opt_int(ctx, 0, 2, &v))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	result = state_safety_mute_get();
	if (ctx->nargs == 1) {
		/* 2 toggles inside state, under its lock: no lost toggles */
		rc = state_safety_mute_set((int)v, &ctx->s->origin, &result);
		if (rc != 0)
			return cmd_reply_errno(ctx, rc);
	}
	cmd_reply_ok(ctx, "SFTYMUTE %d", result ? 1 : 0);
	return 0;
}

/* Stop every running ramp: a reset leaves no audio moving. */
static void
cmd_stop_ramps(const struct cmd_ctx *ctx)
{
	const struct model *m = ctx->model;
	char why[CMD_WHY_MAX];
	double rate, target;
	size_t g;
	int ch;

	for (g = 0; g < m->ngroups; g++) {
		const struct model_group *grp = &m->groups[g];

		if (!(grp->caps & GRP_GAIN))
			continue;
		for (ch = 0; ch < grp->count; ch++)
			if (cmd_sched_ramp_get(grp->letter, ch, &rate,
			    &target) == 0 && rate != 0.0)
				(void)cmd_sched_ramp_set(grp->letter, ch, 0.0,
				    false, 0.0, &ctx->s->origin, why,
				    sizeof(why));
	}
}

/*
 * RESET: there is no DSP to reboot. We acknowledge, stop ramps and tell
 * everyone (event log, mail, traps) through a RESET event.
 */
static int
cmd_reset(struct cmd_ctx *ctx)
{
	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	cmd_stop_ramps(ctx);
	bus_event(EVENT_RESET, SEVERITY_WARNING, "reset requested by %s (%s)",
	    ctx->s->origin.user[0] ? ctx->s->origin.user : "unknown",
	    ctx->s->origin.from[0] ? ctx->s->origin.from : "local");
	cmd_reply_ok(ctx, "RESET");
	return 0;
}

/* DEFAULT: factory settings for everything but the identity. */
static int
cmd_default(struct cmd_ctx *ctx)
{
	return cmd_run_action(ctx, "DEFAULT", state_reset_defaults);
}

/* ---- presets and macros ---- */

typedef int (*cmd_preset_fn)(int n, const struct origin *origin,
    char *why, size_t whylen);

/* NAME <1-32>: run `op` on one preset; the reply echoes the number. */
static int
cmd_preset_op(struct cmd_ctx *ctx, const char *name, cmd_preset_fn op)
{
	char why[CMD_WHY_MAX];
	long n;
	int rc;

	if (ctx->nargs != 1 ||
	    !cmd_parse_int(ctx->arg[0], 1, STATE_PRESETS, &n))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	rc = op((int)n, &ctx->s->origin, why, sizeof(why));
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "%s %ld", name, n);
	return 0;
}

/*
 * PRESET <1-32>: recall a stored preset (an empty one is acknowledged and
 * changes nothing); no value reports the last one recalled (0: none).
 */
static int
cmd_preset(struct cmd_ctx *ctx)
{
	if (ctx->nargs == 0) {
		cmd_reply_ok(ctx, "PRESET %d", state_preset_last());
		return 0;
	}
	return cmd_preset_op(ctx, "PRESET", state_preset_recall);
}

/* PRESETSTORE <1-32>: our extension, snapshot the audio into a preset. */
static int
cmd_presetstore(struct cmd_ctx *ctx)
{
	return cmd_preset_op(ctx, "PRESETSTORE", state_preset_store);
}

/*
 * MACRO [1-255]: run one (an empty one is acknowledged and runs nothing);
 * no value reports the last one run (0: none).
 */
static int
cmd_macro(struct cmd_ctx *ctx)
{
	char why[CMD_WHY_MAX];
	long n;
	int rc;

	if (ctx->nargs > 1 || (ctx->nargs == 1 &&
	    !cmd_parse_int(ctx->arg[0], 1, STATE_MACROS, &n)))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs == 0) {
		cmd_reply_ok(ctx, "MACRO %d", state_macro_last());
		return 0;
	}
	rc = cmd_sched_macro_start((int)n, &ctx->s->origin, why, sizeof(why));
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "MACRO %ld", n);
	return 0;
}

/* The lines of macro n joined with '|' (the MACRODEF query form). */
static int
cmd_macrodef_reply(struct cmd_ctx *ctx, int n)
{
	char (*lines)[BUS_TEXT_MAX];
	char *out;
	size_t count, i, used = 0, cap = CMD_REPLY_MAX;

	lines = calloc(STATE_MACRO_LINES, sizeof(*lines));
	out = malloc(cap);
	if (lines == NULL || out == NULL) {
		free(lines);
		free(out);
		return cmd_reply_errno(ctx, -ENOMEM);
	}
	count = state_macro_lines(n, lines, STATE_MACRO_LINES);
	out[0] = '\0';
	for (i = 0; i < count && i < STATE_MACRO_LINES; i++) {
		int k = snprintf(out + used, cap - used, "%s%s",
		    i ? "|" : " ", lines[i]);

		if (k < 0 || (size_t)k >= cap - used)
			break;
		used += (size_t)k;
	}
	cmd_reply_ok(ctx, "MACRODEF %d%s", n, out);
	free(lines);
	free(out);
	return 0;
}

/* Split "cmd|cmd|..." in place; every piece must be a command line. */
static bool
cmd_macro_split(char *text, const char **lines, size_t *count)
{
	char *p = text, *bar, *end;
	size_t n = 0;

	for (;;) {
		bar = strchr(p, '|');
		if (bar != NULL)
			*bar = '\0';
		while (*p == ' ')
			p++;
		end = p + strlen(p);
		while (end > p && end[-1] == ' ')
			*--end = '\0';
		if (n == STATE_MACRO_LINES || strlen(p) >= BUS_TEXT_MAX ||
		    !cmd_line_is_command(p, strlen(p)))
			return false;
		lines[n++] = p;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	*count = n;
	return true;
}

/* MACRODEF <n> [cmd|cmd|...|CLEAR]: our extension to define a macro. */
static int
cmd_macrodef(struct cmd_ctx *ctx)
{
	const char *lines[STATE_MACRO_LINES];
	char text[CMD_LINE_MAX], why[CMD_WHY_MAX];
	size_t count = 0;
	long n;
	int rc;

	if (ctx->nargs < 1 ||
	    !cmd_parse_int(ctx->arg[0], 1, STATE_MACROS, &n))
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if (ctx->nargs > 1) {
		if (!cmd_join_args(ctx, 1, text, sizeof(text)))
			return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
		if (strcasecmp(text, "CLEAR") != 0 &&
		    !cmd_macro_split(text, lines, &count))
			return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
		/*
		 * a macro runs with its definer's level: a line above it
		 * is refused now rather than failing at every run
		 */
		for (size_t i = 0; i < count; i++)
			if (cmd_line_level(lines[i], strlen(lines[i])) >
			    ctx->s->level)
				return cmd_reply_error(ctx, CMD_ERR_ACCESS);
		rc = state_macro_define((int)n, lines, count, ctx->s->level,
		    &ctx->s->origin, why, sizeof(why));
		if (rc != 0)
			return cmd_reply_errno(ctx, rc);
	}
	return cmd_macrodef_reply(ctx, (int)n);
}

/*
 * WAITSTATE <0.50-5.00>: delays the rest of the macro it is part of;
 * typed at a console it is accepted and has no effect.
 */
static int
cmd_waitstate(struct cmd_ctx *ctx)
{
	double s;

	if (ctx->nargs != 1 || !cmd_parse_double(ctx->arg[0], &s) ||
	    s < CMD_WAIT_MIN || s > CMD_WAIT_MAX)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	if ((ctx->s->origin.flags & ORIGIN_MACRO))
		cmd_sched_macro_wait(ctx->now_ms != 0 ? ctx->now_ms : clock_ms(),
		    (unsigned)lround(s * 1000.0));
	cmd_reply_ok(ctx, "WAITSTATE %.2f", s);
	return 0;
}

const struct cmd_def cmd_unit_defs[] = {
	{ "VER", cmd_ver, 0, LEVEL_USER, -1 },
	{ "DVER", cmd_dver, 0, LEVEL_USER, -1 },
	{ "UID", cmd_uid, 0, LEVEL_USER, -1 },
	{ "DID", cmd_did, 0, LEVEL_USER, -1 },
	{ "BAUD", cmd_setting, 0, LEVEL_ADMIN, SET_BAUD },
	{ "FLOW", cmd_flow, 0, LEVEL_ADMIN, SET_FLOW },
	{ "SFTYMUTE", cmd_sftymute, 0, LEVEL_MANAGER, -1 },
	{ "RESET", cmd_reset, CMD_NO_QUERY, LEVEL_ADMIN, -1 },
	{ "DEFAULT", cmd_default, CMD_NO_QUERY, LEVEL_ADMIN, -1 },
	{ "PRESET", cmd_preset, 0, LEVEL_MANAGER, -1 },
	{ "PRESETSTORE", cmd_presetstore, 0, LEVEL_MANAGER, -1 },
	{ "MACRO", cmd_macro, 0, LEVEL_MANAGER, -1 },
	{ "MACRODEF", cmd_macrodef, 1, LEVEL_MANAGER, -1 },
	{ "WAITSTATE", cmd_waitstate, CMD_NO_QUERY, LEVEL_USER, -1 },
	{ "ENETADDR", cmd_enet, 0, LEVEL_ADMIN, SET_NET_ADDR },
	{ "ENETSUBN", cmd_enet, 0, LEVEL_ADMIN, SET_NET_MASK },
	{ "ENETGATE", cmd_enet, 0, LEVEL_ADMIN, SET_NET_GATEWAY },
	{ "ENETDHCP", cmd_setting, 0, LEVEL_ADMIN, SET_NET_DHCP_ON },
	{ "ENETDNS", cmd_enet, 0, LEVEL_ADMIN, SET_NET_DNS },
	{ "ENETDOMAIN", cmd_enet, 0, LEVEL_ADMIN, SET_NET_DOMAIN },
	/* convergd extension: the whole DHCP lease */
	{ "ENETLEASE", cmd_enetlease, 0, LEVEL_USER, -1 },
	{ "SNMPMNGRIP", cmd_setting, 0, LEVEL_ADMIN, SET_SNMP_MANAGER },
	{ "SNMPMNGRPORT", cmd_setting, 0, LEVEL_ADMIN,
	    SET_SNMP_MANAGER_PORT },
	{ "NTPSRV", cmd_setting, 0, LEVEL_ADMIN, SET_NTP_SERVER },
	/* convergd extensions: the unit's NetBIOS name and WINS server */
	{ "NETBIOSNAME", cmd_setting, 0, LEVEL_ADMIN, SET_NETBIOS_NAME },
	{ "WINSSRV", cmd_setting, 0, LEVEL_ADMIN, SET_WINS_SERVER },
	{ "LOGMASK", cmd_setting, 0, LEVEL_MANAGER, SET_LOGMASK },
	{ "LOCBLDG", cmd_setting, 0, LEVEL_MANAGER, SET_LOC_BLDG },
	{ "LOCROOM", cmd_setting, 0, LEVEL_MANAGER, SET_LOC_ROOM },
	{ "LOCCITY", cmd_setting, 0, LEVEL_MANAGER, SET_LOC_CITY },
	{ "LOCREGION", cmd_setting, 0, LEVEL_MANAGER, SET_LOC_REGION },
};
const size_t cmd_unit_ndefs = sizeof(cmd_unit_defs) /
    sizeof(cmd_unit_defs[0]);

const char *
cmd_unit_setting_name(int setting)
{
	size_t i;

	for (i = 0; i < cmd_unit_ndefs; i++)
		if (cmd_unit_defs[i].setting == setting)
			return cmd_unit_defs[i].name;
	return NULL;
}
