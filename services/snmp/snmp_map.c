/* SPDX-License-Identifier: MIT */
/*
 * Pure helpers of the SNMP service (snmp_map.h): configuration text,
 * notification mapping, channel rows, 0.01 dB units, rate limit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_map.h"
#include "state.h"

/* What a community may see: MIB-II system, snmp and the SNMPv3 engine and
 * statistics groups, and the unit MIB; never the VACM or USM tables. */
static const char *const map_view[] = {
	".1.3.6.1.2.1.1",	/* system */
	".1.3.6.1.2.1.2",	/* interfaces (ifTable) */
	".1.3.6.1.2.1.31",	/* ifMIB (ifXTable: 64-bit counters) */
	".1.3.6.1.2.1.11",	/* snmp (counters) */
	".1.3.6.1.6.3.10.2.1",	/* snmpEngine */
	".1.3.6.1.6.3.11.2.1",	/* snmpMPDStats */
	".1.3.6.1.6.3.15.1.1",	/* usmStats */
	".1.3.6.1.4.1.21831",	/* ClearOne: CONVERGD-MIB */
	NULL,
};

struct map_out {
	char *buf;
	size_t len, used;
	bool full;
};

static void
map_put(struct map_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used)
		o->full = true;
	else
		o->used += (size_t)n;
}

/* net-snmp's config reader splits on blanks and strips quotes and '#'. */
static bool
map_word_ok(const char *w)
{
	if (*w == '\0')
		return false;
	for (; *w; w++)
		if (*w <= ' ' || *w > '~' || strchr("\"'\\#", *w) != NULL)
			return false;
	return true;
}

/* a.b.c.d or a.b.c.d/len (len 0-32, digits only) */
static bool
map_source_ok(const char *s)
{
	char addr[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct in_addr in;

	if (n >= sizeof addr)
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &in) != 1)
		return false;
	if (slash == NULL)
		return true;
	n = strlen(slash + 1);
	return n >= 1 && n <= 2 && strspn(slash + 1, "0123456789") == n &&
	    atoi(slash + 1) <= 32;
}

/* One source of a list separated by blanks or commas, copied to `out`. */
static const char *
map_source_next(const char *p, char *out, size_t outlen, bool *bad)
{
	size_t n = 0;

	*bad = false;
	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return NULL;
	while (p[n] != '\0' && p[n] != ' ' && p[n] != ',')
		n++;
	snprintf(out, outlen, "%.*s", (int)n, p);
	*bad = n >= outlen ||
	    (strcmp(out, "default") != 0 && !map_source_ok(out));
	return p + n;
}

int
snmp_map_sources_check(const char *sources, char *why, size_t whylen)
{
	char one[32];
	const char *p = sources;
	bool bad;
	int n = 0;

	while ((p = map_source_next(p, one, sizeof one, &bad)) != NULL) {
		if (bad) {
			snprintf(why, whylen, "source \"%.*s\" is not "
			    "\"default\" or an IPv4 address or network "
			    "(a.b.c.d/len)", 20, one);
			return -EINVAL;
		}
		n++;
	}
	if (n == 0) {
		snprintf(why, whylen, "no source network");
		return -EINVAL;
	}
	return 0;
}

static void
map_community(struct map_out *o, const char *token, const char *community,
    const char *sources)
{
	char one[32];
	const char *p = sources;
	bool bad;

	while ((p = map_source_next(p, one, sizeof one, &bad)) != NULL)
		map_put(o, "%s %s %s -V cvview\n", token, community, one);
}

static void
map_sink(struct map_out *o, const struct snmp_map_conf *c)
{
	static const char *const token[] = {
		[SNMP_MAP_TRAP_V1] = "trapsink",
		[SNMP_MAP_TRAP_V2C] = "trap2sink",
	};

	if (c->trap != SNMP_MAP_INFORM)	/* informs: our own session */
		map_put(o, "%s %s:%d %s\n", token[c->trap], c->manager,
		    c->manager_port, c->ro_community);
}

/*
 * Destinations 2-8 sent as v1 or v2c traps (informs and v3 traps go out
 * on the service's own sessions, snmp_notify.c); those net-snmp could
 * not take are named in `why`.
 */
static void
map_dests(struct map_out *o, const struct snmp_map_conf *c, char *why,
    size_t whylen)
{
	for (size_t i = 0; i < c->ndests; i++) {
		const struct state_snmp_trap *t = &c->dests[i].t;

		if (t->kind != TRAP_V1 && t->kind != TRAP_V2C)
			continue;
		if (!map_word_ok(t->host) || !map_word_ok(t->name)) {
			snprintf(why, whylen, "trap destination %s:%d left out: "
			    "community not usable by net-snmp", t->host,
			    t->port);
			continue;
		}
		map_put(o, "%s %s:%d %s\n", t->kind == TRAP_V1 ? "trapsink" :
		    "trap2sink", t->host, t->port, t->name);
	}
}

int
snmp_map_conf_text(const struct snmp_map_conf *c, char *buf, size_t len,
    char *why, size_t whylen)
{
	struct map_out o = { buf, len, 0, false };
	bool ro_ok = map_word_ok(c->ro_community);
	int err;

	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (why && whylen)
		why[0] = '\0';
	err = snmp_map_sources_check(c->sources, why, whylen);
	if (err < 0)
		return err;
	map_put(&o, "# written by convergd's snmp service; "
	    "changes are overwritten\n");
	for (size_t i = 0; map_view[i] != NULL; i++)
		map_put(&o, "view cvview included %s\n", map_view[i]);
	if (ro_ok)
		map_community(&o, "rocommunity", c->ro_community, c->sources);
	else
		snprintf(why, whylen, "read community not usable by net-snmp "
		    "(blank, quote, '\\' or '#'): reading by community is off");
	if (map_word_ok(c->rw_community))
		map_community(&o, "rwcommunity", c->rw_community, c->sources);
	else if (c->rw_community[0] != '\0')
		snprintf(why, whylen, "write community not usable by "
		    "net-snmp (blank, quote, '\\' or '#'): no SET by "
		    "community");
	for (size_t i = 0; i < c->nv3_users; i++)
		if (map_word_ok(c->v3_users[i]))
			map_put(&o, "rwuser %s priv -V cvview\n",
			    c->v3_users[i]);
	/* to the sinks; the service sends it to its own sessions */
	map_put(&o, "authtrapenable %d\n", c->auth_traps ? 1 : 2);
	if (c->manager[0] != '\0' && map_word_ok(c->manager) && ro_ok)
		map_sink(&o, c);
	map_dests(&o, c, why, whylen);
	return o.full ? -EINVAL : 0;
}

enum snmp_map_note
snmp_map_note(const struct bus_msg *m)
{
	switch (m->type) {
	case BUS_EVENT:
		/* a changed setting already has its own notification */
		return m->u.event.category == EVENT_SETTINGS ?
		    SNMP_MAP_NOTE_NONE : SNMP_MAP_NOTE_EVENT;
	case BUS_SERVICE:
		return SNMP_MAP_NOTE_SERVICE;
	case BUS_CHANGE:
		break;
	default:
		return SNMP_MAP_NOTE_NONE;
	}
	switch (m->u.change.what) {
	case STATE_F_GAIN:
	case STATE_F_MINMAX:
	case STATE_F_MUTE:
	case STATE_F_LABEL:
	case STATE_F_MTRX:
	case STATE_F_MTRXLVL:
	case STATE_F_MTRXCLEAR:
	case STATE_F_PRESET:
	case STATE_F_SAFETY_MUTE:
		return SNMP_MAP_NOTE_AUDIO;
	case STATE_F_SETTING:
		return SNMP_MAP_NOTE_SETTING;
	default:	/* ramps end in gain changes; users stay private */
		return SNMP_MAP_NOTE_NONE;
	}
}

static bool
map_row_group(const struct model_group *g)
{
	return (g->caps & GRP_GAIN) && g->alias == 0;
}

int
snmp_map_rows(const struct model *m)
{
	int n = 0;

	for (size_t i = 0; i < m->ngroups; i++)
		if (map_row_group(&m->groups[i]))
			n += m->groups[i].count;
	return n;
}

int
snmp_map_row(const struct model *m, int row,
    const struct model_group **group, int *channel)
{
	if (row < 1)
		return -ENOENT;
	row--;
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct model_group *g = &m->groups[i];

		if (!map_row_group(g))
			continue;
		if (row < g->count) {
			*group = g;
			*channel = row;
			return 0;
		}
		row -= g->count;
	}
	return -ENOENT;
}

long
snmp_map_centidb(double db)
{
	return lround(db * 100.0);
}

double
snmp_map_db(long centidb)
{
	return (double)centidb / 100.0;
}

void
snmp_map_bucket_init(struct snmp_map_bucket *b, unsigned rate,
    uint64_t now_ms)
{
	b->rate = rate;
	b->tokens = rate;
	b->last_ms = now_ms;
}

bool
snmp_map_bucket_take(struct snmp_map_bucket *b, uint64_t now_ms)
{
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * b->rate / 1000.0;
		if (b->tokens > b->rate)
			b->tokens = b->rate;
		b->last_ms = now_ms;
	}
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}
