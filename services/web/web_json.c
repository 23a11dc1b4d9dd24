/* SPDX-License-Identifier: MIT */
/*
 * JSON views of the shared state for the web API and its WebSocket: the
 * status page (identity, network, time, services, events, warnings), the
 * audio model (groups, channels, matrix, presets, macros) and one push
 * message per bus message. Reads only through state_* and cmd_*.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "priv_clock.h"
#include "web/web_int.h"

#define STATUS_EVENTS 50	/* newest events on the status page */

/* Names of enum state_field, in order, for the push messages. */
static const char *const field_names[] = {
	[STATE_F_GAIN] = "gain",
	[STATE_F_MINMAX] = "minmax",
	[STATE_F_MUTE] = "mute",
	[STATE_F_RAMP] = "ramp",
	[STATE_F_LABEL] = "label",
	[STATE_F_MTRX] = "matrix",
	[STATE_F_MTRXLVL] = "matrix_level",
	[STATE_F_MTRXCLEAR] = "matrix_clear",
	[STATE_F_PRESET] = "preset",
	[STATE_F_PRESET_STORED] = "preset_stored",
	[STATE_F_MACRO] = "macro",
	[STATE_F_MACRO_DEFINED] = "macro_defined",
	[STATE_F_SAFETY_MUTE] = "safety_mute",
	[STATE_F_SETTING] = "setting",
	[STATE_F_USER] = "user",
	[STATE_F_RELOADED] = "reloaded",
};

static const char *const severity_names[] = {
	[SEVERITY_INFO] = "info",
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_ERROR] = "error",
};

#define NAME_OF(table, i) \
	((size_t)(i) < sizeof(table) / sizeof((table)[0]) && (table)[(i)] ? \
	    (table)[(i)] : "unknown")

/* The names are state.c's (user_level_name); ours says "unknown". */
const char *
web_json_level_name(enum user_level level)
{
	return (unsigned)level > LEVEL_ADMIN ? "unknown" :
	    user_level_name(level);
}

int
web_json_level_parse(const char *text, enum user_level *out)
{
	enum user_level i;

	for (i = LEVEL_USER; i <= LEVEL_ADMIN; i++) {
		if (strcasecmp(text, user_level_name(i)) == 0) {
			*out = i;
			return 0;
		}
	}
	/* "admin" is what people type. */
	if (strcasecmp(text, "admin") == 0) {
		*out = LEVEL_ADMIN;
		return 0;
	}
	return -EINVAL;
}

static json_t *
iso_time(time_t t)
{
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
setting_string(enum state_setting s)
{
	char buf[256];

	if (state_setting_get(s, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

static json_t *
status_identity(void)
{
	struct state_identity id;
	char addr[8];

	state_identity(&id);
	snprintf(addr, sizeof(addr), "#%c%X", id.model ? id.model->type_char :
	    '?', (unsigned)id.device_id);
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:o}",
	    "model", id.model ? id.model->name : "?",
	    "type", (char[]){ id.model ? id.model->type_char : '?', 0 },
	    "address", addr, "device_id", id.device_id, "uid", id.uid,
	    "firmware", id.firmware, "mac", id.mac,
	    "label", setting_string(SET_UNIT_LABEL));
}

static json_t *
status_services(void)
{
	struct bus_service rows[32];
	json_t *a = json_array();
	size_t n, i;

	n = state_services(rows, sizeof(rows) / sizeof(rows[0]));
	for (i = 0; i < n; i++) {
		char detail[STATE_DETAIL_MAX];
		json_t *d = NULL;

		/* what the service says about itself, if anything */
		if (state_service_detail(rows[i].name, detail,
		    sizeof(detail)) == 0 && detail[0] != '\0')
			d = json_loads(detail, 0, NULL);
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s, s:o}",
		    "name", rows[i].name,
		    "state", svc_state_name(rows[i].state),
		    "restarts", (int)rows[i].restarts,
		    "last_error", rows[i].last_error,
		    "detail", d != NULL ? d : json_null()));
	}
	return a;
}

static json_t *
event_json(const struct bus_event *e)
{
	return json_pack("{s:o, s:i, s:s, s:s, s:s}", "time", iso_time(e->when),
	    "category", (int)e->category,
	    "severity", NAME_OF(severity_names, e->severity),
	    "source", e->source, "text", e->text);
}

/* Newest first, at most STATUS_EVENTS. */
static json_t *
status_events(void)
{
	struct bus_event *ev;
	json_t *a = json_array();
	size_t n, i;

	ev = calloc(STATE_EVENTS_MAX, sizeof(*ev));
	if (ev == NULL)
		return a;
	n = state_events(ev, STATE_EVENTS_MAX);
	for (i = 0; i < n && i < STATUS_EVENTS; i++)
		json_array_append_new(a, event_json(&ev[n - 1 - i]));
	free(ev);
	return a;
}

static json_t *
status_warnings(void)
{
	json_t *a = json_array();
	char reason[BUS_TEXT_MAX], text[BUS_TEXT_MAX + 128];

	if (state_save_problem(reason, sizeof reason)) {
		snprintf(text, sizeof text, "Settings cannot be saved: %s. "
		    "Changes are refused until the unit can write its state "
		    "file again.", reason);
		json_array_append_new(a, json_pack("{s:s, s:s}", "code",
		    "not_saved", "text", text));
	}
	if (state_default_password_in_use())
		json_array_append_new(a, json_pack("{s:s, s:s}", "code",
		    "default_password", "text", "The factory login clearone / "
		    "converge still works: change its password or delete it."));
	return a;
}

/* The time client's last outcome (core/priv_clock.h); null if none runs. */
static json_t *
status_ntp(void)
{
	struct priv_clock_status st;

	priv_clock_status_get(&st);
	if (!st.known)
		return json_null();
	return json_pack("{s:b, s:s, s:f, s:f, s:i, s:o, s:s}",
	    "synced", st.synced, "server", st.server,
	    "offset_ms", st.offset_ms, "delay_ms", st.delay_ms,
	    "stratum", st.stratum, "last_sync", st.last_sync ?
	    iso_time(st.last_sync) : json_null(), "last_error", st.last_error);
}

/* The non-empty addresses of `list` as a JSON array. */
static json_t *
status_addr_list(const char (*list)[16], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		if (list[i][0] != '\0')
			json_array_append_new(a, json_string(list[i]));
	return a;
}

/* A lease time, null when the lease has none (0). */
static json_t *
status_lease_time(time_t t)
{
	return t ? iso_time(t) : json_null();
}

/* The DHCP lease (network.lease), null while none is held. */
static json_t *
status_lease(void)
{
	struct state_lease l;

	state_lease_get(&l);
	if (!l.bound)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, "
	    "s:o, s:I, s:I}",
	    "server", l.server, "address", l.address, "mask", l.mask,
	    "router", l.router, "routers", status_addr_list(l.routers,
	    STATE_LEASE_ROUTERS), "dns", status_addr_list(l.dns,
	    STATE_LEASE_DNS), "domain", l.domain,
	    "obtained", status_lease_time(l.obtained),
	    "t1", status_lease_time(l.t1), "t2", status_lease_time(l.t2),
	    "expires", status_lease_time(l.expires),
	    "received", (json_int_t)l.received,
	    "ignored", (json_int_t)l.ignored);
}

/*
 * The mail outbox at a glance (docs/mail.md), taken from what the mail
 * service publishes as its detail; null while it publishes nothing.
 */
static json_t *
status_mail(void)
{
	static const char *const keys[] = { "queued", "last_success",
		"last_failure", "last_error", "dropped" };
	char detail[STATE_DETAIL_MAX];
	json_t *d, *out;

	if (state_service_detail("mail", detail, sizeof(detail)) < 0 ||
	    (d = json_loads(detail, 0, NULL)) == NULL)
		return json_null();
	out = json_object();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(d, keys[i]);

		json_object_set(out, keys[i], v != NULL ? v : json_null());
	}
	json_decref(d);
	return out;
}

json_t *
web_json_status(void)
{
	char dhcp[8];
	bool is_dhcp;
	json_t *st;

	is_dhcp = state_setting_get(SET_NET_DHCP_ON, dhcp, sizeof(dhcp)) == 0 &&
	    strcmp(dhcp, "1") == 0;
	st = json_pack("{s:I, s:o, s:{s:s, s:o, s:o, s:o, s:o, s:o, s:o},"
	    " s:{s:o, s:o, s:o, s:o}, s:o, s:o, s:o, s:o}",
	    "seq", (json_int_t)state_seq(),
	    "identity", status_identity(),
	    "network", "mode", is_dhcp ? "dhcp" : "static",
	    "address", setting_string(SET_NET_ADDR),
	    "mask", setting_string(SET_NET_MASK),
	    "gateway", setting_string(SET_NET_GATEWAY),
	    "dns", setting_string(SET_NET_DNS),
	    "domain", setting_string(SET_NET_DOMAIN),
	    "lease", status_lease(),
	    "time", "now", iso_time(time(NULL)),
	    "ntp_server", setting_string(SET_NTP_SERVER),
	    "ntp_server2", setting_string(SET_NTP_SERVER2),
	    "timezone", setting_string(SET_TIMEZONE),
	    "services", status_services(),
	    "events", status_events(),
	    "warnings", status_warnings(),
	    "ntp", status_ntp());
	if (st != NULL)
		json_object_set_new(st, "mail", status_mail());
	return st;
}

static json_t *
channel_json(const struct model_group *g, int i)
{
	char tok[8], label[STATE_LABEL_MAX + 1];
	double gain, min, max;
	int mute;
	json_t *ch;

	model_channel_format(g, i, tok, sizeof(tok));
	ch = json_pack("{s:i, s:s}", "index", i, "channel", tok);
	if ((g->caps & GRP_GAIN) && state_gain_get(g->letter, i, &gain) == 0 &&
	    state_minmax_get(g->letter, i, &min, &max) == 0 &&
	    state_mute_get(g->letter, i, &mute) == 0) {
		json_object_set_new(ch, "gain", json_real(gain));
		json_object_set_new(ch, "min", json_real(min));
		json_object_set_new(ch, "max", json_real(max));
		json_object_set_new(ch, "mute", json_boolean(mute));
	}
	if ((g->caps & GRP_LABEL) &&
	    state_label_get(g->letter, i, label, sizeof(label)) == 0)
		json_object_set_new(ch, "label", json_string(label));
	return ch;
}

/* Channel strips: groups with gain that store themselves (M, L are views). */
static json_t *
audio_groups(const struct model *m)
{
	json_t *a = json_array();
	size_t gi;
	int i;

	for (gi = 0; gi < m->ngroups; gi++) {
		const struct model_group *g = &m->groups[gi];
		json_t *chans;

		if (!(g->caps & GRP_GAIN) || g->alias != 0)
			continue;
		chans = json_array();
		for (i = 0; i < g->count; i++)
			json_array_append_new(chans, channel_json(g, i));
		/* meters: it can be asked for over the WebSocket */
		json_array_append_new(a, json_pack("{s:s#, s:s, s:o, s:b}",
		    "group", &g->letter, 1, "name", g->name,
		    "channels", chans, "meters", (g->caps & GRP_METER) != 0));
	}
	return a;
}

/* Matrix ends: the model's own groups (the expansion bus 'E' is left out). */
static json_t *
matrix_ends(const struct model *m, unsigned cap)
{
	const struct model_group *mics = model_group(m, 'M');
	json_t *a = json_array();
	char tok[8];
	size_t gi;
	int i;

	for (gi = 0; gi < m->ngroups; gi++) {
		const struct model_group *g = &m->groups[gi];

		if (!(g->caps & cap) || g->alias != 0 || g->letter == 'E')
			continue;
		for (i = 0; i < g->count; i++) {
			json_t *end;

			model_channel_format(g, i, tok, sizeof(tok));
			end = json_pack("{s:s#, s:i, s:s}", "group", &g->letter,
			    1, "index", i, "channel", tok);
			/* Mics route as 3/4/5, not 1 (protocol.md §5.1). */
			if (cap == GRP_MTRX_SRC)
				json_object_set_new(end, "mic", json_boolean(
				    g->letter == 'I' && mics != NULL &&
				    i < mics->count));
			json_array_append_new(a, end);
		}
	}
	return a;
}

static char
end_group(json_t *end, int *index)
{
	*index = (int)json_integer_value(json_object_get(end, "index"));
	return json_string_value(json_object_get(end, "group"))[0];
}

static json_t *
audio_matrix(const struct model *m)
{
	json_t *src = matrix_ends(m, GRP_MTRX_SRC);
	json_t *dst = matrix_ends(m, GRP_MTRX_DST);
	json_t *rows = json_array();
	size_t si, di;

	for (si = 0; si < json_array_size(src); si++) {
		json_t *row = json_array();
		int sidx, didx, v;
		char sg, dg;

		sg = end_group(json_array_get(src, si), &sidx);
		for (di = 0; di < json_array_size(dst); di++) {
			dg = end_group(json_array_get(dst, di), &didx);
			if (state_mtrx_get(sg, sidx, dg, didx, &v) < 0)
				v = -1;	/* crosspoint that does not exist */
			json_array_append_new(row, json_integer(v));
		}
		json_array_append_new(rows, row);
	}
	return json_pack("{s:o, s:o, s:o}", "sources", src,
	    "destinations", dst, "routes", rows);
}

static json_t *
audio_presets(void)
{
	json_t *a = json_array();
	int n;

	for (n = 1; n <= STATE_PRESETS; n++)
		if (state_preset_defined(n))
			json_array_append_new(a, json_integer(n));
	return a;
}

static json_t *
audio_macros(void)
{
	char line[1][BUS_TEXT_MAX];
	json_t *a = json_array();
	int n;

	/* Only whether a macro has lines matters: copy at most one. */
	for (n = 1; n <= STATE_MACROS; n++)
		if (state_macro_lines(n, line, 1) > 0)
			json_array_append_new(a, json_integer(n));
	return a;
}

json_t *
web_json_audio(void)
{
	struct state_identity id;
	json_int_t seq;

	/* The sequence first: a change racing this read is re-applied. */
	seq = (json_int_t)state_seq();
	state_identity(&id);
	if (id.model == NULL)
		return NULL;
	return json_pack("{s:I, s:s, s:s#, s:i, s:o, s:o, s:o, s:o, s:i,"
	    " s:b}", "seq", seq, "model", id.model->name,
	    "type", &id.model->type_char, 1, "device_id", id.device_id,
	    "groups", audio_groups(id.model), "matrix", audio_matrix(id.model),
	    "presets", audio_presets(), "macros", audio_macros(),
	    "last_macro", state_macro_last(),
	    "safety_mute", state_safety_mute_get() == 1);
}

/* Resolve an addressed channel (M 2) to where the page shows it (I 2). */
static void
change_address(json_t *o, const char *gkey, const char *ikey, char group,
    int channel)
{
	struct state_identity id;
	const struct model_group *g, *st;
	int idx = channel;
	char tok[8];

	state_identity(&id);
	g = id.model ? model_group(id.model, group) : NULL;
	if (g == NULL)
		return;
	st = model_storage(id.model, g, channel, &idx);
	if (st == NULL)
		st = g;
	model_channel_format(st, idx, tok, sizeof(tok));
	json_object_set_new(o, gkey, json_stringn(&st->letter, 1));
	json_object_set_new(o, ikey, json_integer(idx));
	json_object_set_new(o, ikey[0] == 'i' ? "channel" : "dst_channel",
	    json_string(tok));
}

static json_t *
change_json(const struct bus_change *c)
{
	char line[BUS_TEXT_MAX + 64];
	json_t *o;

	if (cmd_format_change(c, line, sizeof(line)) == 0)
		line[0] = '\0';
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "type", "change",
	    "seq", (json_int_t)c->seq, "what", NAME_OF(field_names, c->what),
	    "line", line, "origin", bus_origin_name(&c->origin),
	    "user", c->origin.user);
	if (o == NULL)
		return NULL;
	if (c->group != 0)
		change_address(o, "group", "index", c->group, c->channel);
	if (c->dst_group != 0)
		change_address(o, "dst_group", "dst_index", c->dst_group,
		    c->dst_channel);
	json_object_set_new(o, "number", json_real(c->number));
	json_object_set_new(o, "number2", json_real(c->number2));
	json_object_set_new(o, "integer", json_integer(c->integer));
	json_object_set_new(o, "text", json_string(c->text));
	return o;
}

json_t *
web_json_bus(const struct bus_msg *m)
{
	switch (m->type) {
	case BUS_CHANGE:
		return change_json(&m->u.change);
	case BUS_SERVICE:
		return json_pack("{s:s, s:s, s:s, s:i, s:s}", "type", "service",
		    "name", m->u.service.name,
		    "state", svc_state_name(m->u.service.state),
		    "restarts", (int)m->u.service.restarts,
		    "last_error", m->u.service.last_error);
	case BUS_EVENT: {
		json_t *o = event_json(&m->u.event);

		if (o != NULL)
			json_object_set_new(o, "type", json_string("event"));
		return o;
	}
	default:
		return NULL;
	}
}

/*
 * How deep text nests, counting brackets outside strings; stops at the
 * first byte past `max` and reports where it is (1-based line/column).
 */
static size_t
json_depth(const char *text, size_t len, size_t max, int *line, int *col)
{
	size_t i, depth = 0;
	bool in_string = false, escaped = false;

	*line = 1;
	*col = 0;
	for (i = 0; i < len; i++) {
		char ch = text[i];

		(*col)++;
		if (ch == '\n') {
			(*line)++;
			*col = 0;
		}
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (ch == '\\')
				escaped = true;
			else if (ch == '"')
				in_string = false;
		} else if (ch == '"') {
			in_string = true;
		} else if (ch == '[' || ch == '{') {
			if (++depth > max)
				return depth;
		} else if ((ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

json_t *
web_json_load(const char *text, size_t len, size_t flags, json_error_t *err)
{
	int line, col;

	if (json_depth(text, len, WEB_JSON_DEPTH_MAX, &line, &col) != 0) {
		if (err != NULL) {
			memset(err, 0, sizeof(*err));
			err->line = line;
			err->column = col;
			err->position = col;
			snprintf(err->text, sizeof(err->text),
			    "nested deeper than %d levels", WEB_JSON_DEPTH_MAX);
		}
		return NULL;
	}
	return json_loadb(text, len, flags, err);
}
