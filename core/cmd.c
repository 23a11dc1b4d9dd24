/* SPDX-License-Identifier: MIT */
/*
 * The Converge Pro command interpreter's front end (protocol.md Part 1,
 * §2, §3): checks and splits a line, matches its #<type><id> address
 * against the units we answer for, dispatches to the command tables of
 * cmd_audio.c and cmd_unit.c, and runs macro lines for the scheduler.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "cmd.h"
#include "cmd_priv.h"
#include "log.h"

/* Room for a ±999.99 style number token. */
#define CMD_NUMBER_MAX 24

static const char *const cmd_error_texts[] = {
	[CMD_ERR_ARGUMENT] = "ARGUMENT ERROR",
	[CMD_ERR_UNKNOWN] = "UNKNOWN COMMAND",
	[CMD_ERR_ACCESS] = "ACCESS DENIED",
	[CMD_ERR_DEVICE] = "DEVICE NOT FOUND",
	[CMD_ERR_SYNTAX] = "SYNTAX ERROR",
	[CMD_ERR_NOT_SAVED] = "NOT SAVED",
};

const char *
cmd_error_text(enum cmd_error err)
{
	if ((unsigned)err >= sizeof(cmd_error_texts) / sizeof(*cmd_error_texts))
		return "ARGUMENT ERROR";
	return cmd_error_texts[err];
}

void
cmd_session_init(struct cmd_session *s, enum user_level level,
    const struct origin *origin)
{
	memset(s, 0, sizeof(*s));
	s->level = level;
	if (origin != NULL)
		s->origin = *origin;
}

/* ---- reply lines ---- */

/* Append raw bytes; a line that does not fit whole is left out. */
static bool
cmd_reply_put(struct cmd_reply *r, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(r->text) - r->len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->text + r->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		r->text[r->len] = '\0';
		return false;
	}
	r->len += (size_t)n;
	return true;
}

bool
cmd_reply_ok(struct cmd_ctx *ctx, const char *fmt, ...)
{
	struct cmd_reply *r = ctx->reply;
	size_t start = r->len, room;
	va_list ap;
	int n;

	if (!cmd_reply_put(r, "OK> #%s ", ctx->addr))
		return false;
	room = sizeof(r->text) - r->len;
	va_start(ap, fmt);
	n = vsnprintf(r->text + r->len, room, fmt, ap);
	va_end(ap);
	/* +2 for the CRLF: the line goes in whole or not at all. */
	if (n < 0 || (size_t)n + 2 >= room) {
		r->len = start;
		r->text[start] = '\0';
		return false;
	}
	r->len += (size_t)n;
	return cmd_reply_put(r, "\r\n");
}

int
cmd_reply_error(struct cmd_ctx *ctx, enum cmd_error err)
{
	ctx->reply->error = true;
	cmd_reply_put(ctx->reply, "OK> #%s ERROR %s.\r\n", ctx->addr,
	    cmd_error_text(err));
	return -EINVAL;
}

int
cmd_reply_errno(struct cmd_ctx *ctx, int rc)
{
	if (rc == -EACCES || rc == -EPERM)
		return cmd_reply_error(ctx, CMD_ERR_ACCESS);
	/* the state undid a change it could not save (state.h) */
	if (rc == -EIO)
		return cmd_reply_error(ctx, CMD_ERR_NOT_SAVED);
	return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
}

int
cmd_run_action(struct cmd_ctx *ctx, const char *name,
    int (*action)(const struct origin *origin))
{
	int rc;

	if (ctx->nargs != 0)
		return cmd_reply_error(ctx, CMD_ERR_ARGUMENT);
	rc = action(&ctx->s->origin);
	if (rc != 0)
		return cmd_reply_errno(ctx, rc);
	cmd_reply_ok(ctx, "%s", name);
	return 0;
}

/* An error line without a unit address (not a command, too long). */
static void
cmd_reply_bare_error(struct cmd_reply *r, enum cmd_error err)
{
	r->error = true;
	cmd_reply_put(r, "OK> ERROR %s.\r\n", cmd_error_text(err));
}

bool
cmd_level_ok(const struct cmd_ctx *ctx, enum user_level level)
{
	return ctx->s->level >= level;
}

/* ---- argument parsing ---- */

bool
cmd_parse_double(const char *tok, double *out)
{
	const char *p = tok;
	size_t digits = 0;
	char *end;
	double v;

	if (strlen(tok) > CMD_NUMBER_MAX)
		return false;
	if (*p == '+' || *p == '-')
		p++;
	/* Only [digits][.digits]: strtod takes "nan", "1e9" and "0x1p3". */
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (*p != '\0' || digits == 0)
		return false;
	errno = 0;
	v = strtod(tok, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool
cmd_parse_int(const char *tok, long min, long max, long *out)
{
	const char *p = tok;
	char *end;
	long v;

	if (*p == '-')
		p++;
	if (*p == '\0' || strlen(p) > 9)
		return false;
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	v = strtol(tok, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
cmd_parse_opt_int(const struct cmd_ctx *ctx, long min, long max, long *out)
{
	return ctx->nargs == 0 ||
	    (ctx->nargs == 1 && cmd_parse_int(ctx->arg[0], min, max, out));
}

bool
cmd_parse_mode(const char *tok, bool *relative)
{
	if (strcasecmp(tok, "A") == 0)
		*relative = false;
	else if (strcasecmp(tok, "R") == 0)
		*relative = true;
	else
		return false;
	return true;
}

bool
cmd_parse_chan(const struct cmd_ctx *ctx, const char *chan,
    const char *group, unsigned caps, struct cmd_chan *out)
{
	const struct model_group *g;
	int idx;

	if (strlen(group) != 1)
		return false;
	g = model_group(ctx->model, group[0]);
	if (g == NULL || (g->caps & caps) != caps || g->count <= 0)
		return false;
	out->group = g;
	if (strcmp(chan, "*") == 0) {
		out->first = 0;
		out->last = g->count - 1;
		return true;
	}
	idx = model_channel_parse(g, chan);
	if (idx < 0 || idx >= g->count)
		return false;
	out->first = out->last = idx;
	return true;
}

void
cmd_chan_token(const struct model_group *group, int index, char *buf,
    size_t len)
{
	size_t i;

	model_channel_format(group, index, buf, len);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

bool
cmd_join_args(const struct cmd_ctx *ctx, size_t from, char *buf, size_t len)
{
	size_t i, used = 0, n;

	if (len == 0)
		return false;
	buf[0] = '\0';
	for (i = from; i < ctx->nargs; i++) {
		n = strlen(ctx->arg[i]);
		if (used + n + (i > from) + 1 > len)
			return false;
		if (i > from)
			buf[used++] = ' ';
		memcpy(buf + used, ctx->arg[i], n + 1);
		used += n;
	}
	return true;
}

double
cmd_round2(double v)
{
	/* printf would write "-0.00" for a tiny negative. */
	if (v > -0.005 && v < 0.005)
		return 0.0;
	return v;
}

static const char cmd_meter_letters[STATE_METERS] = { 'I', 'A', 'N', 'G' };

int
cmd_meter_parse(const char *tok)
{
	int i;

	if (strlen(tok) != 1)
		return -1;
	for (i = 0; i < STATE_METERS; i++)
		if (toupper((unsigned char)tok[0]) == cmd_meter_letters[i] ||
		    tok[0] == '1' + i)
			return i;
	return -1;
}

char
cmd_meter_letter(int meter)
{
	if (meter < 0 || meter >= STATE_METERS)
		return '?';
	return cmd_meter_letters[meter];
}

/* ---- lines and addresses ---- */

static bool
cmd_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
cmd_is_printable(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c != '\t' && (c < 0x20 || c >= 0x7f))
			return false;
	}
	return true;
}

/* Split in place on blanks and tabs; false if there are too many. */
static bool
cmd_split(char *buf, char **tok, size_t max, size_t *ntok)
{
	char *p = buf;
	size_t n = 0;

	for (;;) {
		while (cmd_is_blank(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n == max)
			return false;
		tok[n++] = p;
		while (*p != '\0' && !cmd_is_blank(*p))
			p++;
	}
	*ntok = n;
	return true;
}

/* "#H0" -> type 'H', id '0' (either may be '*'). */
static bool
cmd_parse_addr(const char *tok, char *type, char *id)
{
	if (tok[0] != '#' || tok[1] == '\0' || tok[2] == '\0' ||
	    tok[3] != '\0')
		return false;
	*type = (char)toupper((unsigned char)tok[1]);
	*id = (char)toupper((unsigned char)tok[2]);
	return true;
}

static int
cmd_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Does an address select a unit? Kept separate from the line parser so
 * that several units (an expansion bus behind one daemon) can be added
 * by growing cmd_units() only.
 */
static bool
cmd_addr_match(char type, char id, const struct cmd_unit *u)
{
	if (type != '*' && type != u->type)
		return false;
	return id == '*' || cmd_hex_value(id) == u->id;
}

void
cmd_local_unit(struct cmd_unit *unit)
{
	memset(unit, 0, sizeof(*unit));
	state_identity(&unit->ident);
	unit->model = unit->ident.model;
	if (unit->model != NULL)
		unit->type = (char)toupper(
		    (unsigned char)unit->model->type_char);
	unit->id = unit->ident.device_id;
}

/* The units this daemon answers for; today only itself. */
static size_t
cmd_units(struct cmd_unit *out, size_t max)
{
	if (max == 0)
		return 0;
	cmd_local_unit(&out[0]);
	return out[0].model != NULL ? 1 : 0;
}

bool
cmd_line_is_command(const char *line, size_t len)
{
	char buf[CMD_LINE_MAX + 1];
	char *tok[CMD_TOKENS_MAX];
	size_t ntok;
	char type, id;

	if (len > CMD_LINE_MAX || !cmd_is_printable(line, len))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (!cmd_split(buf, tok, CMD_TOKENS_MAX, &ntok) || ntok < 2)
		return false;
	return cmd_parse_addr(tok[0], &type, &id);
}

/* a failing macro line is worth hearing about, once a minute */
static struct log_rate cmd_macro_rate = LOG_RATE_INIT(60);

/* ---- dispatch ---- */

static const struct cmd_def *
cmd_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_audio_ndefs; i++)
		if (strcasecmp(cmd_audio_defs[i].name, name) == 0)
			return &cmd_audio_defs[i];
	for (i = 0; i < cmd_unit_ndefs; i++)
		if (strcasecmp(cmd_unit_defs[i].name, name) == 0)
			return &cmd_unit_defs[i];
	return NULL;
}

/* The level a change needs: the command's, or the setting's if higher. */
static enum user_level
cmd_def_level(const struct cmd_def *def)
{
	const struct state_setting_info *info;
	enum user_level level = def->level;

	if (def->setting >= 0) {
		info = state_setting_info((enum state_setting)def->setting);
		if (info != NULL && info->level > level)
			level = info->level;
	}
	return level;
}

enum user_level
cmd_line_level(const char *line, size_t len)
{
	char buf[CMD_LINE_MAX + 1];
	char *tok[CMD_TOKENS_MAX];
	const struct cmd_def *def;
	size_t ntok;

	if (len > CMD_LINE_MAX)
		return LEVEL_ADMIN;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (!cmd_split(buf, tok, CMD_TOKENS_MAX, &ntok) || ntok < 2 ||
	    (def = cmd_lookup(tok[1])) == NULL ||
	    (int)(ntok - 2) == def->nquery)
		return LEVEL_USER;	/* an error or a query when it runs */
	return cmd_def_level(def);
}

static void
cmd_ctx_init(struct cmd_ctx *ctx, struct cmd_session *s,
    const struct cmd_unit *u, struct cmd_reply *reply, uint64_t now_ms)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->s = s;
	ctx->unit = u;
	ctx->model = u->model;
	ctx->reply = reply;
	ctx->now_ms = now_ms;
	ctx->addr[0] = u->type;
	ctx->addr[1] = "0123456789ABCDEF"[u->id & 0xf];
	ctx->addr[2] = '\0';
}

static void
cmd_run_unit(struct cmd_session *s, const struct cmd_unit *u,
    char *const *tok, size_t ntok, struct cmd_reply *reply, uint64_t now_ms)
{
	const struct cmd_def *def;
	struct cmd_ctx ctx;

	cmd_ctx_init(&ctx, s, u, reply, now_ms);
	def = cmd_lookup(tok[1]);
	if (def == NULL) {
		cmd_reply_error(&ctx, CMD_ERR_UNKNOWN);
		return;
	}
	ctx.def = def;
	ctx.arg = tok + 2;
	ctx.nargs = ntok - 2;
	/* Any form but the query changes something: check before acting. */
	if ((int)ctx.nargs != def->nquery &&
	    !cmd_level_ok(&ctx, cmd_def_level(def))) {
		cmd_reply_error(&ctx, CMD_ERR_ACCESS);
		return;
	}
	def->run(&ctx);
}

/* A line over CMD_LINE_MAX: answer as its address would, if it has one. */
static void
cmd_too_long(const char *line, size_t len, struct cmd_reply *reply)
{
	struct cmd_unit units[1];
	struct cmd_ctx ctx;
	char addr[4];
	char type, id;
	size_t i = 0, n, k, matched = 0;

	while (i < len && cmd_is_blank(line[i]))
		i++;
	if (len - i > 3 && cmd_is_blank(line[i + 3]) &&
	    cmd_is_printable(line + i, 3)) {
		memcpy(addr, line + i, 3);
		addr[3] = '\0';
		if (cmd_parse_addr(addr, &type, &id)) {
			n = cmd_units(units, 1);
			for (k = 0; k < n; k++) {
				if (!cmd_addr_match(type, id, &units[k]))
					continue;
				cmd_ctx_init(&ctx, NULL, &units[k], reply, 0);
				cmd_reply_error(&ctx, CMD_ERR_ARGUMENT);
				matched++;
			}
		}
	}
	if (matched == 0)
		cmd_reply_bare_error(reply, CMD_ERR_ARGUMENT);
}

static void
cmd_run_line(struct cmd_session *s, const char *line, size_t len,
    struct cmd_reply *reply, uint64_t now_ms)
{
	char buf[CMD_LINE_MAX + 1];
	char *tok[CMD_TOKENS_MAX];
	struct cmd_unit units[1];
	size_t ntok, n, k, matched = 0;
	char type, id;

	reply->len = 0;
	reply->text[0] = '\0';
	reply->error = false;
	if (line == NULL)
		len = 0;
	for (k = 0; k < len && cmd_is_blank(line[k]); k++)
		;
	if (k == len)
		return;		/* blank lines get no reply */
	if (len > CMD_LINE_MAX) {
		cmd_too_long(line, len, reply);
		return;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (!cmd_is_printable(line, len) ||
	    !cmd_split(buf, tok, CMD_TOKENS_MAX, &ntok) || ntok < 2 ||
	    !cmd_parse_addr(tok[0], &type, &id)) {
		cmd_reply_bare_error(reply, CMD_ERR_SYNTAX);
		return;
	}
	n = cmd_units(units, sizeof(units) / sizeof(*units));
	for (k = 0; k < n; k++) {
		if (!cmd_addr_match(type, id, &units[k]))
			continue;
		cmd_run_unit(s, &units[k], tok, ntok, reply, now_ms);
		matched++;
	}
	if (matched == 0) {
		reply->error = true;
		cmd_reply_put(reply, "OK> #%c%c ERROR %s.\r\n", type, id,
		    cmd_error_text(CMD_ERR_DEVICE));
	}
}

void
cmd_execute(struct cmd_session *s, const char *line, size_t len,
    struct cmd_reply *reply)
{
	cmd_run_line(s, line, len, reply, 0);
}

void
cmd_reply_too_long(const char *head, size_t len, struct cmd_reply *reply)
{
	reply->len = 0;
	reply->text[0] = '\0';
	reply->error = false;
	cmd_too_long(head != NULL ? head : "", head != NULL ? len : 0,
	    reply);
}

/* ---- macros ---- */

int
cmd_macro_line(const char *line, int macro, enum user_level level,
    const struct origin *starter, uint64_t now_ms)
{
	static _Thread_local struct cmd_reply reply;
	struct cmd_session s;
	struct origin o;

	/*
	 * A macro runs with its definer's rights, never more (a Manager's
	 * macro cannot change network settings, nor define a macro that
	 * could); the starter's name stays on its changes.
	 */
	memset(&o, 0, sizeof(o));
	o.flags = ORIGIN_MACRO;
	memcpy(o.service, starter->service, sizeof(o.service));
	o.service[sizeof(o.service) - 1] = '\0';
	memcpy(o.user, starter->user, sizeof(o.user));
	memcpy(o.from, starter->from, sizeof(o.from));
	o.user[sizeof(o.user) - 1] = '\0';
	o.from[sizeof(o.from) - 1] = '\0';
	cmd_session_init(&s, level, &o);
	cmd_run_line(&s, line, strlen(line), &reply, now_ms != 0 ? now_ms : 1);
	if (!reply.error)
		return 0;
	log_warnx_rl(&cmd_macro_rate, "cmd: macro %d line \"%s\" failed",
	    macro, line);
	return -EINVAL;
}
