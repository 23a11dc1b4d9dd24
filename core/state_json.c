/* SPDX-License-Identifier: MIT */
/*
 * The state file (docs/state-file.md): the saved part of the device
 * model as JSON, and the strict loader that checks every field into a
 * scratch copy before anything is replaced. Shape:
 *
 *   {"format": 1, "seq": N, "model": "880TA",
 *    "settings": {"network.dhcp": "1", ...},
 *    "users": [{"name", "level": "Administrator", "hash": "$6$..."}],
 *    "audio": {"channels": {"I": [{"gain","min","max","mute","label"}],
 *                           "G": [{"label"}], ...},
 *              "matrix": [{"src": "I 3", "dst": "O 1", "route", "level"}],
 *              "presets": [{"number", "channels": {...}, "matrix": [...]}],
 *              "macros": [{"number", "level": "Manager", "lines": []}],
 *              "safety_mute": 0},
 *    "events": [{"time", "category", "severity", "source", "text"}]}
 *
 * At the end, the whole state as a document (state_to_json) and a file
 * parsed into a fresh copy (state_data_parse), for state_file.c and
 * state_core.c below and above.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state_priv.h"

#define STATE_FORMAT 1

/* ---- building ---- */

static bool
group_has_channels(const struct model_group *g)
{
	return g->alias == 0 && (g->caps & (GRP_GAIN | GRP_LABEL));
}

static json_t *
chan_json(const struct state_layout *l, const struct state_chan *chans,
    const char (*labels)[STATE_LABEL_MAX + 1], const struct model_group *g,
    int i, const char *unit_label)
{
	json_t *o = json_object();
	int slot;

	if (state_slot(l, g->letter, i, SLOT_GAIN, &slot) == 0) {
		json_object_set_new(o, "gain", json_real(chans[slot].gain));
		json_object_set_new(o, "min", json_real(chans[slot].min));
		json_object_set_new(o, "max", json_real(chans[slot].max));
		json_object_set_new(o, "mute", json_integer(chans[slot].mute));
	}
	if (labels != NULL && state_slot(l, g->letter, i, SLOT_LABEL,
	    &slot) == 0)
		json_object_set_new(o, "label", json_string(g->letter == 'U' &&
		    i == 0 ? unit_label : labels[slot]));
	return o;
}

/* Channels of every storage group; labels NULL for a preset. */
static json_t *
channels_json(const struct state_layout *l, const struct state_chan *chans,
    const char (*labels)[STATE_LABEL_MAX + 1], const char *unit_label)
{
	const struct model *m = l->model;
	json_t *obj = json_object(), *arr;
	char key[2] = { 0, 0 };
	size_t gi;
	int i;

	for (gi = 0; gi < m->ngroups; gi++) {
		const struct model_group *g = &m->groups[gi];

		if (!group_has_channels(g) ||
		    (labels == NULL && !(g->caps & GRP_GAIN)))
			continue;
		arr = json_array();
		for (i = 0; i < g->count; i++)
			json_array_append_new(arr, chan_json(l, chans, labels,
			    g, i, unit_label));
		key[0] = g->letter;
		json_object_set_new(obj, key, arr);
	}
	return obj;
}

static void
xpoint_name(const struct model_group *g, int i, char *buf, size_t len)
{
	char tok[8];

	model_channel_format(g, i, tok, sizeof tok);
	snprintf(buf, len, "%c %s", g->letter, tok);
}

/* One end of a crosspoint: its group, index and array slot. */
struct xref {
	const struct model_group *g;
	int i, slot;
};

/* Every storage channel that has a slot of `kind`, in table order. */
static size_t
xref_list(const struct state_layout *l, enum state_slot_kind kind,
    struct xref *out, size_t max)
{
	const struct model *m = l->model;
	size_t gi, n = 0;
	int i, slot;

	for (gi = 0; gi < m->ngroups; gi++) {
		const struct model_group *g = &m->groups[gi];

		for (i = 0; g->alias == 0 && i < g->count && n < max; i++)
			if (state_slot(l, g->letter, i, kind, &slot) == 0)
				out[n++] = (struct xref){ g, i, slot };
	}
	return n;
}

static json_t *
xpoint_json(const struct xref *s, const struct xref *d, int route,
    double level)
{
	json_t *o = json_object();
	char name[16];

	xpoint_name(s->g, s->i, name, sizeof name);
	json_object_set_new(o, "src", json_string(name));
	xpoint_name(d->g, d->i, name, sizeof name);
	json_object_set_new(o, "dst", json_string(name));
	json_object_set_new(o, "route", json_integer(route));
	json_object_set_new(o, "level", json_real(level));
	return o;
}

/* Crosspoints that differ from the default (off, 0 dB). */
static json_t *
matrix_json(const struct state_layout *l,
    const uint8_t (*route)[STATE_DST_SLOTS],
    const double (*level)[STATE_DST_SLOTS])
{
	struct xref src[STATE_SRC_SLOTS], dst[STATE_DST_SLOTS];
	size_t ns = xref_list(l, SLOT_SRC, src, STATE_SRC_SLOTS);
	size_t nd = xref_list(l, SLOT_DST, dst, STATE_DST_SLOTS);
	json_t *arr = json_array();
	size_t a, b;

	for (a = 0; a < ns; a++)
		for (b = 0; b < nd; b++) {
			int s = src[a].slot, d = dst[b].slot;

			if (route[s][d] != 0 || level[s][d] != 0.0)
				json_array_append_new(arr, xpoint_json(&src[a],
				    &dst[b], route[s][d], level[s][d]));
		}
	return arr;
}

static json_t *
presets_json(const struct state_data *d, const struct state_layout *l)
{
	json_t *arr = json_array(), *o;
	int n;

	for (n = 1; n <= STATE_PRESETS; n++) {
		const struct state_preset *p = &d->presets[n - 1];

		if (!p->defined)
			continue;
		o = json_object();
		json_object_set_new(o, "number", json_integer(n));
		json_object_set_new(o, "channels", channels_json(l, p->ch,
		    NULL, NULL));
		json_object_set_new(o, "matrix", matrix_json(l,
		    (const uint8_t (*)[STATE_DST_SLOTS])p->route,
		    (const double (*)[STATE_DST_SLOTS])p->level));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
macros_json(const struct state_data *d)
{
	json_t *arr = json_array(), *o, *lines;
	size_t i;
	int n;

	for (n = 1; n <= STATE_MACROS; n++) {
		const struct state_macro *m = &d->macros[n - 1];

		if (m->count == 0)
			continue;
		lines = json_array();
		for (i = 0; i < m->count; i++)
			json_array_append_new(lines, json_string(m->lines[i]));
		o = json_object();
		json_object_set_new(o, "number", json_integer(n));
		json_object_set_new(o, "level",
		    json_string(user_level_name(m->level)));
		json_object_set_new(o, "lines", lines);
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
audio_json(const struct state_data *d, const struct state_layout *l)
{
	json_t *o = json_object();

	json_object_set_new(o, "channels", channels_json(l, d->audio.ch,
	    (const char (*)[STATE_LABEL_MAX + 1])d->audio.label,
	    d->settings[SET_UNIT_LABEL]));
	json_object_set_new(o, "matrix", matrix_json(l,
	    (const uint8_t (*)[STATE_DST_SLOTS])d->audio.route,
	    (const double (*)[STATE_DST_SLOTS])d->audio.level));
	json_object_set_new(o, "presets", presets_json(d, l));
	json_object_set_new(o, "macros", macros_json(d));
	json_object_set_new(o, "safety_mute",
	    json_integer(d->audio.safety_mute));
	return o;
}

static json_t *
users_json(const struct state_data *d)
{
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; i < d->nusers; i++) {
		o = json_object();
		json_object_set_new(o, "name", json_string(d->users[i].name));
		json_object_set_new(o, "level",
		    json_string(user_level_name(d->users[i].level)));
		json_object_set_new(o, "hash", json_string(d->users[i].hash));
		if (d->users[i].usm_known) {
			char hex[2 * USMKEY_LEN + 1];

			for (size_t k = 0; k < USMKEY_LEN; k++)
				snprintf(hex + 2 * k, 3, "%02x",
				    d->users[i].usm_key[k]);
			json_object_set_new(o, "usm_key", json_string(hex));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
events_json(const struct state_data *d)
{
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; i < d->nevents; i++) {
		const struct bus_event *ev =
		    &d->events[(d->event_first + i) % STATE_EVENTS_MAX];

		o = json_object();
		json_object_set_new(o, "time", json_integer(ev->when));
		json_object_set_new(o, "category", json_integer(ev->category));
		json_object_set_new(o, "severity", json_integer(ev->severity));
		json_object_set_new(o, "source", json_string(ev->source));
		json_object_set_new(o, "text", json_string(ev->text));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
state_json_build(const struct state_data *d, const struct state_layout *l,
    uint64_t seq)
{
	json_t *root = json_object(), *set = json_object();
	int s;

	for (s = 0; s < SET_COUNT; s++)
		json_object_set_new(set, state_setting_info(s)->key,
		    json_string(d->settings[s]));
	json_object_set_new(root, "format", json_integer(STATE_FORMAT));
	json_object_set_new(root, "seq", json_integer((json_int_t)seq));
	json_object_set_new(root, "model", json_string(l->model->name));
	json_object_set_new(root, "settings", set);
	json_object_set_new(root, "users", users_json(d));
	json_object_set_new(root, "audio", audio_json(d, l));
	json_object_set_new(root, "events", events_json(d));
	return root;
}

/* ---- parsing: every error names its path ---- */

struct jctx {
	const struct state_layout *l;
	char *why;
	size_t whylen;
};

static int
jfail(struct jctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
jfail(struct jctx *c, const char *path, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return state_fail(c->why, c->whylen, -EINVAL, "%s: %s", path, msg);
}

/* Jansson's iterators take non-const objects but do not change them. */
static json_t *
unconst(const json_t *j)
{
	union {
		const json_t *c;
		json_t *m;
	} u = { .c = j };

	return u.m;
}

/* `obj` is an object whose keys are all in `keys` (NULL-terminated). */
static int
only_keys(struct jctx *c, const json_t *obj, const char *path,
    const char *const *keys)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(obj))
		return jfail(c, path, "must be an object");
	json_object_foreach(unconst(obj), key, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (keys[i] == NULL)
			return jfail(c, path, "unknown field \"%s\"", key);
	}
	return 0;
}

static int
get_number(struct jctx *c, const json_t *obj, const char *key,
    const char *path, double lo, double hi, double *out)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		return jfail(c, path, "%s must be a number", key);
	*out = json_number_value(v);
	if (!isfinite(*out) || *out < lo || *out > hi)
		return jfail(c, path, "%s must be from %g to %g", key, lo, hi);
	return 0;
}

static int
get_int(struct jctx *c, const json_t *obj, const char *key, const char *path,
    long lo, long hi, long *out)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return jfail(c, path, "%s must be an integer from %ld to %ld",
		    key, lo, hi);
	*out = (long)json_integer_value(v);
	return 0;
}

static int
get_string(struct jctx *c, const json_t *obj, const char *key,
    const char *path, size_t max, const char **out)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return jfail(c, path, "%s must be a string", key);
	*out = json_string_value(v);
	if (strlen(*out) > max)
		return jfail(c, path, "%s is longer than %zu characters", key,
		    max);
	return 0;
}

/* Missing settings take their factory value (files from older builds). */
static int
parse_settings(struct jctx *c, const json_t *obj, struct state_data *d)
{
	char canon[STATE_SETTING_LEN], reason[160];
	const char *key;
	json_t *v;
	int s;

	if (!json_is_object(obj))
		return jfail(c, "settings", "must be an object");
	for (s = 0; s < SET_COUNT; s++)
		snprintf(d->settings[s], sizeof d->settings[s], "%s",
		    state_setting_info(s)->def);
	json_object_foreach(unconst(obj), key, v) {
		s = state_setting_lookup(key);
		if (s < 0)
			return state_fail(c->why, c->whylen, -EINVAL,
			    "settings.%s: unknown setting", key);
		if (!json_is_string(v))
			return state_fail(c->why, c->whylen, -EINVAL,
			    "settings.%s: must be a string", key);
		if (state_setting_check(s, json_string_value(v), canon,
		    sizeof canon, reason, sizeof reason) < 0)
			return state_fail(c->why, c->whylen, -EINVAL,
			    "settings.%s", reason);
		memcpy(d->settings[s], canon, sizeof canon);
	}
	return 0;
}

static int
parse_level(const char *name, enum user_level *out)
{
	int lv;

	for (lv = LEVEL_USER; lv <= LEVEL_ADMIN; lv++)
		if (strcmp(user_level_name(lv), name) == 0) {
			*out = lv;
			return 0;
		}
	return -1;
}

static int
parse_user(struct jctx *c, const json_t *o, const char *path,
    struct state_data *d)
{
	static const char *const keys[] = { "name", "level", "hash",
		"usm_key", NULL };
	struct state_user *u = &d->users[d->nusers];
	const char *name, *level, *hash, *key = NULL;
	size_t i;
	int err;

	if ((err = only_keys(c, o, path, keys)) < 0 ||
	    (err = get_string(c, o, "name", path, 31, &name)) < 0 ||
	    (err = get_string(c, o, "level", path, 31, &level)) < 0 ||
	    (err = get_string(c, o, "hash", path, STATE_HASH_LEN - 1,
	    &hash)) < 0)
		return err;
	if (state_user_name_check(name, NULL, 0) < 0)
		return jfail(c, path, "name: not a valid user name");
	for (i = 0; i < d->nusers; i++)
		if (strcasecmp(d->users[i].name, name) == 0)
			return jfail(c, path, "name: user listed twice");
	if (parse_level(level, &u->level) < 0)
		return jfail(c, path, "level: not User, Manager or "
		    "Administrator");
	if (!state_hash_valid(hash))
		return jfail(c, path, "hash: not a SHA-512 crypt hash "
		    "($6$) of the default cost, as this unit makes them");
	/* optional: files from older builds have no SNMPv3 key */
	if (json_object_get(o, "usm_key") != NULL &&
	    ((err = get_string(c, o, "usm_key", path, 2 * USMKEY_LEN,
	    &key)) < 0))
		return err;
	if (key != NULL && (strlen(key) != 2 * USMKEY_LEN ||
	    strspn(key, "0123456789abcdef") != 2 * USMKEY_LEN))
		return jfail(c, path, "usm_key: not 40 lower-case hex digits");
	u->usm_known = key != NULL;
	for (size_t k = 0; key != NULL && k < USMKEY_LEN; k++) {
		unsigned b;

		sscanf(key + 2 * k, "%2x", &b);
		u->usm_key[k] = (uint8_t)b;
	}
	snprintf(u->name, sizeof u->name, "%s", name);
	snprintf(u->hash, sizeof u->hash, "%s", hash);
	d->nusers++;
	return 0;
}

static int
parse_users(struct jctx *c, const json_t *arr, struct state_data *d)
{
	char path[32];
	size_t i, admins = 0;
	int err;

	if (!json_is_array(arr) || json_array_size(arr) < 1 ||
	    json_array_size(arr) > STATE_USERS_MAX)
		return jfail(c, "users", "must be an array of 1 to %d users",
		    STATE_USERS_MAX);
	for (i = 0; i < json_array_size(arr); i++) {
		snprintf(path, sizeof path, "users[%zu]", i);
		err = parse_user(c, json_array_get(arr, i), path, d);
		if (err < 0)
			return err;
		admins += d->users[i].level == LEVEL_ADMIN;
	}
	if (admins == 0)
		return jfail(c, "users", "at least one Administrator needed");
	return 0;
}

/* One channel object; `label` NULL in presets (no labels there). */
static int
parse_chan(struct jctx *c, const json_t *o, const char *path,
    struct state_chan *ch, char *label)
{
	static const char *const all_keys[] = { "gain", "min", "max", "mute",
		"label", NULL };
	static const char *const gain_keys[] = { "gain", "min", "max", "mute",
		NULL };
	static const char *const label_keys[] = { "label", NULL };
	bool gain = ch != NULL, lab = label != NULL;
	const char *text;
	long mute;
	int err;

	err = only_keys(c, o, path, gain && lab ? all_keys : gain ?
	    gain_keys : label_keys);
	if (err == 0 && gain && (
	    (err = get_number(c, o, "min", path, GAIN_MIN, GAIN_MAX,
	    &ch->min)) < 0 ||
	    (err = get_number(c, o, "max", path, ch->min, GAIN_MAX,
	    &ch->max)) < 0 ||
	    (err = get_number(c, o, "gain", path, ch->min, ch->max,
	    &ch->gain)) < 0 ||
	    (err = get_int(c, o, "mute", path, 0, 1, &mute)) < 0))
		return err;
	if (err < 0)
		return err;
	if (gain)
		ch->mute = (int)mute;
	if (!lab)
		return 0;
	if ((err = get_string(c, o, "label", path, STATE_LABEL_MAX,
	    &text)) < 0)
		return err;
	if (state_label_check(text, NULL, 0) < 0)
		return jfail(c, path, "label must be printable ASCII");
	snprintf(label, STATE_LABEL_MAX + 1, "%s", text);
	return 0;
}

/*
 * A channel map ("I": [...], ...): exactly the model's storage groups
 * with exactly its channel counts. `labels` NULL for a preset.
 */
static int
parse_channels(struct jctx *c, const json_t *obj, const char *path,
    struct state_chan *chans, char (*labels)[STATE_LABEL_MAX + 1])
{
	const struct model *m = c->l->model;
	const struct model_group *g;
	const char *key;
	char sub[96];
	json_t *arr;
	int i, gs, ls, err;

	if (!json_is_object(obj))
		return jfail(c, path, "must be an object");
	json_object_foreach(unconst(obj), key, arr) {
		g = strlen(key) == 1 ? model_group(m, key[0]) : NULL;
		if (g == NULL || g->letter != key[0] ||
		    !group_has_channels(g) ||
		    (labels == NULL && !(g->caps & GRP_GAIN)))
			return jfail(c, path, "no channel group \"%s\" on "
			    "the %s", key, m->name);
	}
	for (gs = 0; gs < (int)m->ngroups; gs++) {
		g = &m->groups[gs];
		if (!group_has_channels(g) ||
		    (labels == NULL && !(g->caps & GRP_GAIN)))
			continue;
		snprintf(sub, sizeof sub, "%s.%c", path, g->letter);
		arr = json_object_get(obj, (char[]){ g->letter, '\0' });
		if (!json_is_array(arr) ||
		    json_array_size(arr) != (size_t)g->count)
			return jfail(c, sub, "must be an array of %d channels",
			    g->count);
		for (i = 0; i < g->count; i++) {
			struct state_chan *ch = NULL;
			char *lab = NULL;

			snprintf(sub, sizeof sub, "%s.%c[%d]", path, g->letter,
			    i);
			if (state_slot(c->l, g->letter, i, SLOT_GAIN, &ls) == 0)
				ch = &chans[ls];
			if (labels != NULL && state_slot(c->l, g->letter, i,
			    SLOT_LABEL, &ls) == 0)
				lab = labels[ls];
			err = parse_chan(c, json_array_get(arr, i), sub, ch,
			    lab);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* "I 3" -> group and index of a matrix end. */
static int
parse_end(struct jctx *c, const char *text, char *group, int *index)
{
	const struct model_group *g;

	if (strlen(text) < 3 || text[1] != ' ')
		return -1;
	g = model_group(c->l->model, text[0]);
	if (g == NULL)
		return -1;
	*group = g->letter;
	*index = model_channel_parse(g, text + 2);
	return *index < 0 ? -1 : 0;
}

/* Stored route values: non-mic 0/1, mic 0/3/4/5, self-route only 0. */
static bool
route_storable(const struct state_xpoint *x, long route)
{
	if (x->self)
		return route == 0;
	if (x->mic)
		return route == 0 || (route >= 3 && route <= 5);
	return route == 0 || route == 1;
}

static int
parse_xpoint(struct jctx *c, const json_t *o, const char *path,
    uint8_t (*route)[STATE_DST_SLOTS], double (*level)[STATE_DST_SLOTS],
    bool (*seen)[STATE_DST_SLOTS])
{
	static const char *const keys[] = { "src", "dst", "route", "level",
		NULL };
	struct state_xpoint x;
	const char *src, *dst;
	char sg, dg;
	int s, d, err;
	long r;
	double lv;

	if ((err = only_keys(c, o, path, keys)) < 0 ||
	    (err = get_string(c, o, "src", path, 8, &src)) < 0 ||
	    (err = get_string(c, o, "dst", path, 8, &dst)) < 0 ||
	    (err = get_int(c, o, "route", path, 0, 5, &r)) < 0 ||
	    (err = get_number(c, o, "level", path, MTRXLVL_MIN, MTRXLVL_MAX,
	    &lv)) < 0)
		return err;
	if (parse_end(c, src, &sg, &s) < 0 || parse_end(c, dst, &dg, &d) < 0 ||
	    state_xpoint(c->l, sg, s, dg, d, &x) < 0)
		return jfail(c, path, "no crosspoint %s -> %s on the %s", src,
		    dst, c->l->model->name);
	if (!route_storable(&x, r))
		return jfail(c, path, "route %ld not allowed for %s", r, src);
	if (seen[x.src][x.dst])
		return jfail(c, path, "crosspoint listed twice");
	seen[x.src][x.dst] = true;
	route[x.src][x.dst] = (uint8_t)r;
	level[x.src][x.dst] = lv;
	return 0;
}

static int
parse_matrix(struct jctx *c, const json_t *arr, const char *path,
    uint8_t (*route)[STATE_DST_SLOTS], double (*level)[STATE_DST_SLOTS])
{
	bool (*mark)[STATE_DST_SLOTS];
	char sub[96];
	size_t i;
	int err = 0;

	if (!json_is_array(arr))
		return jfail(c, path, "must be an array");
	mark = calloc(STATE_SRC_SLOTS, sizeof *mark);
	if (mark == NULL)
		return jfail(c, path, "out of memory");
	for (i = 0; err == 0 && i < json_array_size(arr); i++) {
		snprintf(sub, sizeof sub, "%s[%zu]", path, i);
		err = parse_xpoint(c, json_array_get(arr, i), sub, route, level,
		    mark);
	}
	free(mark);
	return err;
}

static int
parse_preset(struct jctx *c, const json_t *o, const char *path,
    struct state_data *d)
{
	static const char *const keys[] = { "number", "channels", "matrix",
		NULL };
	struct state_preset *p;
	char sub[96];
	long n;
	int err;

	if ((err = only_keys(c, o, path, keys)) < 0 ||
	    (err = get_int(c, o, "number", path, 1, STATE_PRESETS, &n)) < 0)
		return err;
	p = &d->presets[n - 1];
	if (p->defined)
		return jfail(c, path, "preset %ld listed twice", n);
	p->defined = true;
	for (err = 0; err < STATE_GAIN_SLOTS; err++)
		p->ch[err] = (struct state_chan){ 0.0, GAIN_MIN, GAIN_MAX, 0 };
	snprintf(sub, sizeof sub, "%s.channels", path);
	err = parse_channels(c, json_object_get(o, "channels"), sub, p->ch,
	    NULL);
	if (err < 0)
		return err;
	snprintf(sub, sizeof sub, "%s.matrix", path);
	return parse_matrix(c, json_object_get(o, "matrix"), sub, p->route,
	    p->level);
}

static int
parse_macro(struct jctx *c, const json_t *o, const char *path,
    struct state_data *d)
{
	static const char *const keys[] = { "number", "level", "lines", NULL };
	struct state_macro *m;
	const json_t *lines;
	const char *text, *level;
	char sub[96];
	size_t i, count;
	long n;
	int err;

	if ((err = only_keys(c, o, path, keys)) < 0 ||
	    (err = get_int(c, o, "number", path, 1, STATE_MACROS, &n)) < 0)
		return err;
	m = &d->macros[n - 1];
	lines = json_object_get(o, "lines");
	count = json_array_size(lines);
	if (m->count != 0)
		return jfail(c, path, "macro %ld listed twice", n);
	/*
	 * Files from before macros carried their definer's level get the
	 * least that could define one: a macro must never gain rights.
	 */
	m->level = LEVEL_MANAGER;
	if (json_object_get(o, "level") != NULL &&
	    ((err = get_string(c, o, "level", path, 31, &level)) < 0 ||
	    parse_level(level, &m->level) < 0))
		return err < 0 ? err : jfail(c, path, "level: not User, "
		    "Manager or Administrator");
	if (!json_is_array(lines) || count < 1 || count > STATE_MACRO_LINES)
		return jfail(c, path, "lines must be an array of 1 to %d lines",
		    STATE_MACRO_LINES);
	m->lines = calloc(count, sizeof *m->lines);
	if (m->lines == NULL)
		return jfail(c, path, "out of memory");
	m->count = count;
	for (i = 0; i < count; i++) {
		text = json_string_value(json_array_get(lines, i));
		snprintf(sub, sizeof sub, "%s.lines[%zu]", path, i);
		if (text == NULL || state_macro_line_check(text, NULL, 0) < 0)
			return jfail(c, sub, "must be 1 to %d printable "
			    "characters", BUS_TEXT_MAX - 1);
		snprintf(m->lines[i], sizeof m->lines[i], "%s", text);
	}
	return 0;
}

/* An optional array of items (absent = empty). */
static int
parse_list(struct jctx *c, const json_t *arr, const char *path,
    struct state_data *d, int (*fn)(struct jctx *, const json_t *,
    const char *, struct state_data *))
{
	char sub[48];
	size_t i;
	int err;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return jfail(c, path, "must be an array");
	for (i = 0; i < json_array_size(arr); i++) {
		snprintf(sub, sizeof sub, "%s[%zu]", path, i);
		err = fn(c, json_array_get(arr, i), sub, d);
		if (err < 0)
			return err;
	}
	return 0;
}

static int
parse_audio(struct jctx *c, const json_t *o, struct state_data *d)
{
	static const char *const keys[] = { "channels", "matrix", "presets",
		"macros", "safety_mute", NULL };
	const json_t *mtrx = json_object_get(o, "matrix");
	struct state_audio *a;
	long safety = 0;
	int err;

	if ((err = only_keys(c, o, "audio", keys)) < 0)
		return err;
	if ((err = parse_list(c, json_object_get(o, "presets"),
	    "audio.presets", d, parse_preset)) < 0 ||
	    (err = parse_list(c, json_object_get(o, "macros"),
	    "audio.macros", d, parse_macro)) < 0)
		return err;
	a = &d->audio;
	state_audio_defaults(a);
	if ((err = parse_channels(c, json_object_get(o, "channels"),
	    "audio.channels", a->ch, a->label)) < 0)
		return err;
	if (mtrx != NULL && (err = parse_matrix(c, mtrx, "audio.matrix",
	    a->route, a->level)) < 0)
		return err;
	if (json_object_get(o, "safety_mute") != NULL &&
	    (err = get_int(c, o, "safety_mute", "audio", 0, 1, &safety)) < 0)
		return err;
	a->safety_mute = (int)safety;
	return 0;
}

static int
parse_event(struct jctx *c, const json_t *o, const char *path,
    struct state_data *d)
{
	static const char *const keys[] = { "time", "category", "severity",
		"source", "text", NULL };
	struct bus_event *ev;
	const char *source, *text;
	long when, cat, sev;
	int err;

	if (d->nevents >= STATE_EVENTS_MAX)
		return jfail(c, "events", "more than %d events",
		    STATE_EVENTS_MAX);
	if ((err = only_keys(c, o, path, keys)) < 0 ||
	    (err = get_int(c, o, "time", path, 0, LONG_MAX, &when)) < 0 ||
	    (err = get_int(c, o, "category", path, 0, 31, &cat)) < 0 ||
	    (err = get_int(c, o, "severity", path, SEVERITY_INFO,
	    SEVERITY_ERROR, &sev)) < 0 ||
	    (err = get_string(c, o, "source", path, BUS_NAME_MAX - 1,
	    &source)) < 0 ||
	    (err = get_string(c, o, "text", path, BUS_TEXT_MAX - 1,
	    &text)) < 0)
		return err;
	ev = &d->events[d->nevents++];
	ev->when = (time_t)when;
	ev->category = (enum event_category)cat;
	ev->severity = (enum event_severity)sev;
	snprintf(ev->source, sizeof ev->source, "%s", source);
	snprintf(ev->text, sizeof ev->text, "%s", text);
	return 0;
}

/* The unit label is LABEL 0 U and settings."unit.label": one value. */
static int
check_unit_label(struct jctx *c, const struct state_data *d)
{
	int slot;

	if (state_slot(c->l, 'U', 0, SLOT_LABEL, &slot) < 0)
		return 0;
	if (strcmp(d->audio.label[slot], d->settings[SET_UNIT_LABEL]) != 0)
		return jfail(c, "audio.channels.U[0].label",
		    "must equal settings.unit.label");
	return 0;
}

/*
 * Highest sequence number taken from a file; a higher one (a hand-made
 * backup) is lowered to it. Changes count on from it and are written as
 * JSON integers: from INT64_MAX they wrapped negative and the next start
 * refused the file, and the web page's JavaScript is exact only to 2^53.
 * Lowering, not refusing: a unit that counted past it must still start.
 */
#define STATE_SEQ_FILE_MAX ((json_int_t)1 << 52)

static int
parse_head(struct jctx *c, const json_t *root, uint64_t *seq)
{
	static const char *const keys[] = { "format", "seq", "model",
		"settings", "users", "audio", "events", NULL };
	const json_t *v;
	long format;
	int err;

	if ((err = only_keys(c, root, "state", keys)) < 0 ||
	    (err = get_int(c, root, "format", "state", STATE_FORMAT,
	    STATE_FORMAT, &format)) < 0)
		return err;
	v = json_object_get(root, "seq");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0))
		return jfail(c, "seq", "must be a whole number");
	*seq = v ? (uint64_t)json_integer_value(v) : 0;
	if (*seq > (uint64_t)STATE_SEQ_FILE_MAX)
		*seq = (uint64_t)STATE_SEQ_FILE_MAX;
	v = json_object_get(root, "model");
	if (v != NULL && (!json_is_string(v) ||
	    strcasecmp(json_string_value(v), c->l->model->name) != 0))
		return jfail(c, "model", "this unit is a %s",
		    c->l->model->name);
	return 0;
}

int
state_json_parse(const json_t *root, const struct state_layout *l,
    struct state_data *out, uint64_t *seq, char *why, size_t whylen)
{
	struct jctx c = { l, why, whylen };
	int err;

	if ((err = parse_head(&c, root, seq)) < 0 ||
	    (err = parse_settings(&c, json_object_get(root, "settings"),
	    out)) < 0 ||
	    (err = parse_users(&c, json_object_get(root, "users"), out)) < 0)
		return err;
	if (json_object_get(root, "audio") == NULL)
		return jfail(&c, "audio", "missing");
	if ((err = parse_audio(&c, json_object_get(root, "audio"), out)) < 0 ||
	    (err = check_unit_label(&c, out)) < 0 ||
	    (err = parse_list(&c, json_object_get(root, "events"), "events",
	    out, parse_event)) < 0)
		return err;
	return 0;
}

/* ---- the whole state ---- */

json_t *
state_to_json(void)
{
	json_t *root;

	if (!state_st.ready)
		return NULL;
	RDLOCK();
	root = state_json_build(state_st.d, &state_st.layout, state_st.seq);
	UNLOCK();
	return root;
}

/* Parse and check `root` into a fresh copy; NULL with `why`. */
struct state_data *
state_data_parse(const json_t *root, uint64_t *seq, char *why, size_t whylen)
{
	struct state_data *d = calloc(1, sizeof *d);
	int err;

	if (d == NULL) {
		state_fail(why, whylen, -ENOMEM, "out of memory");
		return NULL;
	}
	err = state_json_parse(root, &state_st.layout, d, seq, why, whylen);
	if (err < 0) {
		state_data_free(d);
		return NULL;
	}
	return d;
}
