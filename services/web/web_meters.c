/* SPDX-License-Identifier: MIT */
/*
 * Level meters over the WebSocket (docs/api.md): a client's subscription
 * ({"type":"meters","on":true,"rate_hz":N,"groups":[...]}), when its next
 * frame is due, and the frame itself: one compact text per engine tick
 * with the after-gain meter (LVL's "A") of every channel in the groups it
 * asked for and the gate bits. Values come from state_meter_get, the same
 * place the console's LVL and LVLREPORT read, so both show one number.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "web/web_int.h"

#define METERS_RATE_DEFAULT 10
#define METERS_SLACK_MS 25	/* ticks arrive with this much jitter */
#define METERS_AFTER_GAIN 1	/* LVL meter "A" */

/* Groups with meters that store themselves (M is a view of I). */
static const struct model_group *
meter_group(char letter)
{
	struct state_identity id;
	const struct model_group *g;

	state_identity(&id);
	if (id.model == NULL || letter < 'A' || letter > 'Z')
		return NULL;
	g = model_group(id.model, letter);
	if (g == NULL || !(g->caps & GRP_METER) || g->alias != 0)
		return NULL;
	return g;
}

static uint32_t
meters_all_groups(void)
{
	uint32_t mask = 0;
	char c;

	for (c = 'A'; c <= 'Z'; c++)
		if (meter_group(c) != NULL)
			mask |= WEB_METER_BIT(c);
	return mask;
}

static int
meters_fail(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -EINVAL;
}

static int
meters_parse_groups(json_t *groups, uint32_t *mask, char *why, size_t whylen)
{
	size_t i;
	json_t *g;

	if (groups == NULL) {
		*mask = meters_all_groups();
		return 0;
	}
	if (!json_is_array(groups))
		return meters_fail(why, whylen, "groups must be a list");
	*mask = 0;
	json_array_foreach(groups, i, g) {
		const char *s = json_string_value(g);

		if (s == NULL || strlen(s) != 1 || meter_group(s[0]) == NULL) {
			snprintf(why, whylen, "no meters in group %.8s",
			    s ? s : "?");
			return -EINVAL;
		}
		*mask |= WEB_METER_BIT(s[0]);
	}
	return 0;
}

int
web_meters_parse(json_t *req, struct web_meter_sub *out, char *why,
    size_t whylen)
{
	json_t *on = json_object_get(req, "on");
	json_t *rate = json_object_get(req, "rate_hz");
	struct web_meter_sub s = { .on = false };
	json_int_t hz = METERS_RATE_DEFAULT;

	if (!json_is_boolean(on))
		return meters_fail(why, whylen, "on must be true or false");
	if (json_is_false(on)) {
		*out = s;
		return 0;
	}
	if (rate != NULL && !json_is_integer(rate))
		return meters_fail(why, whylen, "rate_hz must be a number");
	if (rate != NULL)
		hz = json_integer_value(rate);
	if (hz < 1 || hz > WEB_METER_RATE_MAX)
		return meters_fail(why, whylen, "rate_hz must be 1 to 20");
	if (meters_parse_groups(json_object_get(req, "groups"), &s.groups,
	    why, whylen) < 0)
		return -EINVAL;
	s.on = true;
	s.rate_hz = (unsigned)hz;
	*out = s;
	return 0;
}

char *
web_meters_ack(const struct web_meter_sub *s, const char *error)
{
	json_t *v = json_pack("{s:s, s:b}", "type", "meters_ack", "on",
	    s->on);
	json_t *groups = json_array();
	char *text, c;

	for (c = 'A'; c <= 'Z'; c++)
		if (s->groups & WEB_METER_BIT(c))
			json_array_append_new(groups, json_stringn(&c, 1));
	json_object_set_new(v, "groups", groups);
	json_object_set_new(v, "rate_hz", json_integer(s->on ? s->rate_hz :
	    0));
	if (error != NULL)
		json_object_set_new(v, "error", json_string(error));
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	return text;
}

bool
web_meters_due(const struct web_meter_sub *s, uint64_t last_ms,
    uint64_t now_ms)
{
	uint64_t interval, slack;

	if (!s->on || s->rate_hz == 0)
		return false;
	if (last_ms == 0)
		return true;
	/* a tick a little early still counts, never more than half early */
	interval = 1000 / s->rate_hz;
	slack = interval / 2 < METERS_SLACK_MS ? interval / 2 :
	    METERS_SLACK_MS;
	return now_ms - last_ms + slack >= interval;
}

/* `"I":[-23.45,...]` for one group; NULL when out of memory. */
static char *
meters_fragment(const struct model_group *g)
{
	size_t cap = 8 + (size_t)g->count * 8, used;
	char *s = malloc(cap);
	int ch;

	if (s == NULL)
		return NULL;
	used = (size_t)snprintf(s, cap, "\"%c\":[", g->letter);
	for (ch = 0; ch < g->count; ch++) {
		double db = -99.99;

		state_meter_get(g->letter, ch, METERS_AFTER_GAIN, &db);
		/* as the console prints it: never "-0.00"; within the 8
		 * bytes a value has here whatever the state holds */
		if (db > -0.005 && db < 0.005)
			db = 0.0;
		if (db < -99.99 || db > 99.99 || db != db)
			db = db > 0 ? 99.99 : -99.99;
		used += (size_t)snprintf(s + used, cap - used, "%s%.2f",
		    ch ? "," : "", db);
	}
	snprintf(s + used, cap - used, "]");
	return s;
}

void
web_meters_build(struct web_meter_frame *f, uint32_t mask)
{
	char c;

	memset(f, 0, sizeof(*f));
	for (c = 'A'; c <= 'Z'; c++) {
		const struct model_group *g;

		if (!(mask & WEB_METER_BIT(c)) || (g = meter_group(c)) == NULL)
			continue;
		f->frag[c - 'A'] = meters_fragment(g);
	}
}

void
web_meters_free(struct web_meter_frame *f)
{
	for (size_t i = 0; i < WEB_METER_GROUPS; i++) {
		free(f->frag[i]);
		f->frag[i] = NULL;
	}
}

char *
web_meters_text(const struct web_meter_frame *f, uint32_t mask,
    const struct bus_meters *m, uint64_t now_ms, unsigned long lost)
{
	size_t cap = 160, used, i;
	char *s;

	for (i = 0; i < WEB_METER_GROUPS; i++)
		if ((mask & (1u << i)) && f->frag[i] != NULL)
			cap += strlen(f->frag[i]) + 1;
	if ((s = malloc(cap)) == NULL)
		return NULL;
	used = (size_t)snprintf(s, cap, "{\"type\":\"levels\",\"tick\":%llu,"
	    "\"t\":%llu,\"lost\":%lu,\"gates\":%u,\"levels\":{",
	    (unsigned long long)m->tick, (unsigned long long)now_ms, lost,
	    (unsigned)m->gate_bits);
	for (i = 0; i < WEB_METER_GROUPS; i++) {
		if (!(mask & (1u << i)) || f->frag[i] == NULL)
			continue;
		used += (size_t)snprintf(s + used, cap - used, "%s%s",
		    s[used - 1] == '{' ? "" : ",", f->frag[i]);
	}
	snprintf(s + used, cap - used, "}}");
	return s;
}
