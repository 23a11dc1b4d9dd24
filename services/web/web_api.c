/* SPDX-License-Identifier: MIT */
/*
 * The JSON API under /api/v1 (docs/api.md): one route table, and before
 * any handler runs the same checks in the same order: route, session,
 * CSRF token, level, content type, body size, JSON syntax. A handler
 * validates everything it was given before it changes anything.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "log.h"
#include "web/web_int.h"

#define API_PREFIX "/api/v1"
/* a change the state could not save was undone (state.h): 507 */
#define API_SAVE_STATUS(rc, other) ((rc) == -EIO ? 507 : (other))

struct api_req {
	struct web *w;
	struct mg_connection *c;
	const struct mg_request_info *ri;
	struct web_session s;
	json_t *body;		/* the parsed object (POST/PUT), or NULL */
	const char *tail;	/* "/<name>" after a route that takes one */
	struct origin origin;
	char extra[256];	/* headers for the reply (cookie refresh) */
};

typedef int (*api_fn)(struct api_req *r);

struct api_route {
	const char *method;
	const char *path;	/* below API_PREFIX */
	bool tail;		/* takes one more path segment */
	bool public;		/* no session needed (login only) */
	enum user_level level;	/* lowest level allowed */
	api_fn fn;
};

static int api_login(struct api_req *r);
static int api_session_get(struct api_req *r);
static int api_logout(struct api_req *r);
static int api_status(struct api_req *r);
static int api_settings_get(struct api_req *r);
static int api_settings_put(struct api_req *r);
static int api_audio(struct api_req *r);
static int api_command(struct api_req *r);
static int api_users_get(struct api_req *r);
static int api_users_post(struct api_req *r);
static int api_users_put(struct api_req *r);
static int api_users_delete(struct api_req *r);
static int api_backup(struct api_req *r);
static int api_sessions_get(struct api_req *r);
static int api_sessions_delete(struct api_req *r);
static int api_restore(struct api_req *r);
static int api_mail_test(struct api_req *r);

static const struct api_route api_routes[] = {
	{ "POST", "/session", false, true, LEVEL_USER, api_login },
	{ "GET", "/session", false, false, LEVEL_USER, api_session_get },
	{ "DELETE", "/session", false, false, LEVEL_USER, api_logout },
	{ "GET", "/status", false, false, LEVEL_USER, api_status },
	{ "GET", "/settings", false, false, LEVEL_USER, api_settings_get },
	{ "PUT", "/settings", false, false, LEVEL_USER, api_settings_put },
	{ "GET", "/audio", false, false, LEVEL_USER, api_audio },
	{ "POST", "/command", false, false, LEVEL_USER, api_command },
	{ "GET", "/users", false, false, LEVEL_ADMIN, api_users_get },
	{ "POST", "/users", false, false, LEVEL_ADMIN, api_users_post },
	{ "PUT", "/users", true, false, LEVEL_ADMIN, api_users_put },
	{ "DELETE", "/users", true, false, LEVEL_ADMIN, api_users_delete },
	{ "GET", "/sessions", false, false, LEVEL_ADMIN, api_sessions_get },
	{ "DELETE", "/sessions", true, false, LEVEL_ADMIN,
	    api_sessions_delete },
	{ "GET", "/backup", false, false, LEVEL_ADMIN, api_backup },
	{ "POST", "/restore", false, false, LEVEL_ADMIN, api_restore },
	{ "POST", "/mail/test", false, false, LEVEL_ADMIN, api_mail_test },
};
#define NROUTES (sizeof(api_routes) / sizeof(api_routes[0]))

/* ---- helpers ---- */

static int
fail(struct api_req *r, int status, const char *msg, const char *field)
{
	web_http_error(r->c, status, msg, field);
	return status;
}

static int
reply(struct api_req *r, int status, json_t *v)
{
	web_http_json(r->c, status, v, r->extra[0] ? r->extra : NULL);
	return status;
}

/* A required string member; NULL (and a 400 sent) if absent or not one. */
static const char *
body_string(struct api_req *r, const char *key, bool required)
{
	json_t *v = json_object_get(r->body, key);

	if (v == NULL && !required)
		return NULL;
	if (!json_is_string(v)) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%s must be a string", key);
		fail(r, 400, msg, key);
		return NULL;
	}
	return json_string_value(v);
}

static bool
user_exists(const char *name, enum user_level *level)
{
	enum user_level lv;

	if (web_session_user_level(name, &lv) < 0)
		return false;
	if (level != NULL)
		*level = lv;
	return true;
}

/* ---- session ---- */

static json_t *
session_json(const struct api_req *r)
{
	return json_pack("{s:s, s:s, s:s, s:i}", "user", r->s.user,
	    "level", web_json_level_name(r->s.level), "csrf", r->s.csrf,
	    "idle_timeout", (int)r->w->limits.session_idle_s);
}

/* The session cookie, renewed on every request; Secure over HTTPS. */
static void
api_session_cookie(struct api_req *r)
{
	snprintf(r->extra, sizeof(r->extra), "Set-Cookie: " WEB_COOKIE
	    "=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s\r\n",
	    r->s.token, r->w->limits.session_idle_s,
	    web_tls_cookie_flags(r->c));
}

static int
api_login(struct api_req *r)
{
	const char *addr = r->ri->remote_addr, *user, *pass;
	enum user_level level;
	unsigned retry = 0;
	int rc;

	if (web_session_login_allowed(r->w, addr, &retry) < 0) {
		snprintf(r->extra, sizeof(r->extra), "Retry-After: %u\r\n",
		    retry);
		return reply(r, 429, json_pack("{s:s, s:i}", "error",
		    "too many failed logins from this address; try later",
		    "retry_after", (int)retry));
	}
	if ((user = body_string(r, "user", true)) == NULL ||
	    (pass = body_string(r, "password", true)) == NULL)
		return 400;
	if (state_user_check(user, pass, &level) < 0) {
		web_session_login_failed(r->w, addr, user);
		return fail(r, 401, "invalid user or password", NULL);
	}
	web_session_login_ok(r->w, addr);
	rc = web_session_create(r->w, user, level, addr, &r->s);
	if (rc < 0)
		return fail(r, 503, "too many sessions; log out elsewhere or "
		    "wait for one to expire", NULL);
	api_session_cookie(r);
	log_info("%s logged in from %s", r->s.user, addr);
	return reply(r, 200, session_json(r));
}

static int
api_session_get(struct api_req *r)
{
	return reply(r, 200, session_json(r));
}

static int
api_logout(struct api_req *r)
{
	web_session_delete(r->w, r->s.token);
	snprintf(r->extra, sizeof(r->extra), "Set-Cookie: " WEB_COOKIE
	    "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s\r\n",
	    web_tls_cookie_flags(r->c));
	return reply(r, 200, json_pack("{s:b}", "logged_out", 1));
}

/* ---- read-only views ---- */

static int
api_status(struct api_req *r)
{
	return reply(r, 200, web_json_status());
}

/*
 * The mail service sends it (svc_request: services never call each
 * other). It may be busy in a delivery, then runs a whole session, each
 * step at most [mail] timeout_s (<= 4 s): 20 s covers both with room.
 */
#define API_MAIL_TEST_MS 20000

static int
api_mail_test(struct api_req *r)
{
	char reason[SVC_REPLY_MAX], *args;
	int rc;

	if (body_string(r, "to", false) == NULL &&
	    json_object_get(r->body, "to") != NULL)
		return 400;
	if ((args = json_dumps(r->body, JSON_COMPACT)) == NULL)
		return fail(r, 500, "out of memory", NULL);
	rc = svc_request("mail", "test", args, reason, sizeof(reason),
	    API_MAIL_TEST_MS);
	free(args);
	if (rc == 0)
		return reply(r, 200, json_pack("{s:b, s:s}", "sent", 1,
		    "reply", reason));
	if (rc == -EINVAL)
		return fail(r, 400, reason, strncmp(reason, "to:", 3) == 0 ?
		    "to" : NULL);
	if (rc == -ENOENT || rc == -ESRCH)
		return fail(r, 503, reason, NULL);
	if (rc == -ETIMEDOUT)
		return fail(r, 504, reason, NULL);
	return fail(r, 502, reason, NULL);
}

static int
api_audio(struct api_req *r)
{
	json_t *v = web_json_audio();

	if (v == NULL)
		return fail(r, 503, "audio model not ready", NULL);
	return reply(r, 200, v);
}

/* ---- settings ---- */

static const char *const setting_type_names[] = {
	[SETTING_TEXT] = "text", [SETTING_IPV4] = "ipv4",
	[SETTING_MASK] = "mask", [SETTING_INT] = "int",
	[SETTING_BOOL] = "bool", [SETTING_HEX] = "hex",
	[SETTING_CHOICE] = "choice", [SETTING_HOSTPORT] = "hostport",
};

static json_t *
setting_schema(const struct state_setting_info *info, const char *value)
{
	json_t *o, *ch;
	size_t i;

	o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:b}", "key", info->key,
	    "type", setting_type_names[info->type],
	    "min", (json_int_t)info->min,
	    "max", (json_int_t)info->max,
	    "level", web_json_level_name(info->level), "secret", info->secret);
	if (info->choices != NULL) {
		ch = json_array();
		for (i = 0; info->choices[i] != NULL; i++)
			json_array_append_new(ch,
			    json_string(info->choices[i]));
		json_object_set_new(o, "choices", ch);
	}
	/* A secret only says whether it is set, never what it is. */
	if (info->secret)
		json_object_set_new(o, "is_set", json_boolean(value[0] != 0));
	return o;
}

static json_t *
settings_json(void)
{
	json_t *values = json_object(), *schema = json_array();
	char buf[256];
	int s;

	for (s = 0; s < SET_COUNT; s++) {
		const struct state_setting_info *info = state_setting_info(s);

		if (info == NULL || state_setting_get(s, buf, sizeof(buf)) < 0)
			continue;
		if (!info->secret)
			json_object_set_new(values, info->key,
			    json_string(buf));
		json_array_append_new(schema, setting_schema(info, buf));
		explicit_bzero(buf, sizeof(buf));
	}
	return json_pack("{s:o, s:o}", "settings", values, "schema", schema);
}

static int
api_settings_get(struct api_req *r)
{
	return reply(r, 200, settings_json());
}

/* JSON value to the setting's text form; -EINVAL for a wrong type. */
static int
setting_text(const struct state_setting_info *info, json_t *v, char *buf,
    size_t len)
{
	if (json_is_string(v)) {
		if (json_string_length(v) >= len)
			return -E2BIG;
		snprintf(buf, len, "%s", json_string_value(v));
		return 0;
	}
	if (json_is_boolean(v) && info->type == SETTING_BOOL) {
		snprintf(buf, len, "%d", json_is_true(v) ? 1 : 0);
		return 0;
	}
	if (json_is_integer(v) && (info->type == SETTING_INT ||
	    info->type == SETTING_BOOL)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return 0;
	}
	return -EINVAL;
}

struct setting_change {
	int id;
	char value[256];
	char old[256];
};

/* Check every key of the body; fills `out`, sends the 4xx on failure. */
static int
settings_validate(struct api_req *r, struct setting_change *out,
    size_t *count)
{
	const char *key;
	char why[160], canon[256];
	json_t *v;
	size_t n = 0;

	json_object_foreach(r->body, key, v) {
		const struct state_setting_info *info;
		int id = state_setting_lookup(key);

		if (id < 0 || n >= SET_COUNT)
			return fail(r, 400, "unknown setting", key);
		info = state_setting_info(id);
		if (r->s.level < info->level)
			return fail(r, 403, "your level may not change this "
			    "setting", key);
		if (setting_text(info, v, out[n].value,
		    sizeof(out[n].value)) < 0)
			return fail(r, 400, "wrong type for this setting", key);
		/* the state's own rules: the same as every other interface */
		if (state_setting_check(id, out[n].value, canon, sizeof(canon),
		    why, sizeof(why)) < 0)
			return fail(r, 400, why, key);
		out[n].id = id;
		n++;
	}
	if (n == 0)
		return fail(r, 400, "no settings given", NULL);
	*count = n;
	return 0;
}

static int
api_settings_put(struct api_req *r)
{
	struct setting_change *ch;
	char why[160], scratch[160];
	size_t n = 0, i, j;
	int rc;

	ch = calloc(SET_COUNT, sizeof(*ch));
	if (ch == NULL)
		return fail(r, 500, "out of memory", NULL);
	if ((rc = settings_validate(r, ch, &n)) != 0)
		goto out;
	state_batch_begin();	/* one save for the whole request */
	for (i = 0; i < n; i++) {
		why[0] = '\0';
		state_setting_get(ch[i].id, ch[i].old, sizeof(ch[i].old));
		if (strcmp(ch[i].old, ch[i].value) == 0)
			continue;
		if (state_setting_set(ch[i].id, ch[i].value, &r->origin, why,
		    sizeof(why)) == 0)
			continue;
		/* The state refused one: put back the ones already set. */
		for (j = i; j-- > 0;)
			state_setting_set(ch[j].id, ch[j].old, &r->origin,
			    scratch, sizeof(scratch));
		(void)state_batch_end(scratch, sizeof(scratch));
		rc = fail(r, 400, why[0] ? why : "invalid value",
		    state_setting_info(ch[i].id)->key);
		goto out;
	}
	if ((rc = state_batch_end(why, sizeof(why))) < 0) {
		rc = fail(r, API_SAVE_STATUS(rc, 500), why, NULL);
		goto out;
	}
	rc = reply(r, 200, settings_json());
out:
	explicit_bzero(ch, SET_COUNT * sizeof(*ch));
	free(ch);
	return rc;
}

/* ---- commands ---- */

static json_t *
reply_lines(const struct cmd_reply *rep)
{
	json_t *a = json_array();
	const char *p = rep->text, *end = rep->text + rep->len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl > p)
			json_array_append_new(a, json_stringn(p,
			    (size_t)(nl - p - (nl[-1] == '\r'))));
		p = nl + 1;
	}
	return a;
}

static int
api_command(struct api_req *r)
{
	struct cmd_session cs;
	struct cmd_reply *rep;
	const char *line;
	size_t len, i;
	int rc;

	if ((line = body_string(r, "command", true)) == NULL)
		return 400;
	len = strlen(line);
	if (len == 0 || len > CMD_LINE_MAX)
		return fail(r, 400, "command must be 1-512 characters",
		    "command");
	for (i = 0; i < len; i++)
		if (line[i] == '\r' || line[i] == '\n' || line[i] == '\0')
			return fail(r, 400, "one command line, without CR or "
			    "LF", "command");
	rep = calloc(1, sizeof(*rep));
	if (rep == NULL)
		return fail(r, 500, "out of memory", NULL);
	cmd_session_init(&cs, r->s.level, &r->origin);
	cmd_execute(&cs, line, len, rep);
	rc = reply(r, 200, json_pack("{s:o, s:b}", "reply", reply_lines(rep),
	    "error", rep->error));
	free(rep);
	return rc;
}

/* ---- users ---- */

static int
api_users_get(struct api_req *r)
{
	struct state_user_info users[STATE_USERS_MAX];
	json_t *a = json_array();
	size_t n, i;

	n = state_user_list(users, STATE_USERS_MAX);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name",
		    users[i].name, "level",
		    web_json_level_name(users[i].level)));
	return reply(r, 200, json_pack("{s:o, s:b}", "users", a,
	    "default_password_in_use", state_default_password_in_use()));
}

/* Level from the body: *has false if absent; -1 if wrong (400 sent). */
static int
body_level(struct api_req *r, enum user_level *level, bool *has)
{
	json_t *v = json_object_get(r->body, "level");

	*has = v != NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) ||
	    web_json_level_parse(json_string_value(v), level) < 0) {
		fail(r, 400, "level must be Administrator, Manager or User",
		    "level");
		return -1;
	}
	return 0;
}

static int
user_apply(struct api_req *r, const char *name, const char *pass,
    enum user_level level, int status)
{
	char why[160] = "";

	int rc = state_user_set(name, pass, level, &r->origin, why,
	    sizeof(why));

	if (rc == -EIO)
		return fail(r, API_SAVE_STATUS(rc, 400), why, NULL);
	if (rc < 0)
		return fail(r, 400, why[0] ? why : "refused", pass && why[0] &&
		    strstr(why, "password") ? "password" : "name");
	return reply(r, status, json_pack("{s:s, s:s}", "name", name,
	    "level", web_json_level_name(level)));
}

static int
api_users_post(struct api_req *r)
{
	const char *name, *pass;
	enum user_level level;
	bool has;

	if ((name = body_string(r, "name", true)) == NULL ||
	    (pass = body_string(r, "password", true)) == NULL)
		return 400;
	if (body_level(r, &level, &has) < 0)
		return 400;
	if (!has)
		return fail(r, 400, "level is required", "level");
	if (user_exists(name, NULL))
		return fail(r, 409, "user already exists", "name");
	return user_apply(r, name, pass, level, 201);
}

static int
api_users_put(struct api_req *r)
{
	const char *name = r->tail + 1, *pass = NULL;
	enum user_level level, old;
	bool has;

	if (!user_exists(name, &old))
		return fail(r, 404, "no such user", "name");
	if (json_object_get(r->body, "password") != NULL &&
	    (pass = body_string(r, "password", true)) == NULL)
		return 400;
	if (body_level(r, &level, &has) < 0)
		return 400;
	if (!has)
		level = old;
	if (pass == NULL && !has)
		return fail(r, 400, "give a password, a level or both", NULL);
	return user_apply(r, name, pass, level, 200);
}

static int
api_users_delete(struct api_req *r)
{
	const char *name = r->tail + 1;
	char why[160] = "";
	int rc;

	if (!user_exists(name, NULL))
		return fail(r, 404, "no such user", "name");
	if ((rc = state_user_delete(name, &r->origin, why, sizeof(why))) < 0)
		return fail(r, API_SAVE_STATUS(rc, 409), why[0] ? why :
		    "refused", rc == -EIO ? NULL : "name");
	/* its sessions end now, not at the next periodic sweep */
	web_session_expire(r->w);
	return reply(r, 200, json_pack("{s:s}", "deleted", name));
}

/* ---- web sessions (Administrator) ---- */

static int
api_sessions_get(struct api_req *r)
{
	struct web_session_info *list;
	json_t *a = json_array();
	size_t n, i;

	list = calloc((size_t)r->w->limits.max_sessions, sizeof(*list));
	if (list == NULL || a == NULL) {
		free(list);
		json_decref(a);
		return fail(r, 500, "out of memory", NULL);
	}
	n = web_session_list(r->w, list, (size_t)r->w->limits.max_sessions);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:I, "
		    "s:I, s:b}", "id", (json_int_t)list[i].id, "user",
		    list[i].user, "level", web_json_level_name(list[i].level),
		    "from", list[i].from, "age_s", (json_int_t)list[i].age_s,
		    "idle_s", (json_int_t)list[i].idle_s, "current",
		    list[i].id == r->s.id));
	free(list);
	return reply(r, 200, json_pack("{s:o, s:i, s:i, s:i}", "sessions", a,
	    "max_sessions", (int)r->w->limits.max_sessions,
	    "sessions_per_user", (int)r->w->limits.sessions_per_user,
	    "admin_sessions", (int)r->w->limits.admin_sessions));
}

static int
api_sessions_delete(struct api_req *r)
{
	const char *text = r->tail + 1;
	char *end;
	unsigned long id;

	errno = 0;
	id = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno != 0 ||
	    id > UINT32_MAX)
		return fail(r, 400, "the session id is a number", "id");
	if (web_session_end(r->w, (uint32_t)id) < 0)
		return fail(r, 404, "no such session", "id");
	log_info("%s ended web session %lu", r->s.user, id);
	return reply(r, 200, json_pack("{s:I}", "ended", (json_int_t)id));
}

/* ---- backup and restore ---- */

static int
api_backup(struct api_req *r)
{
	struct state_identity id;
	json_t *v = state_to_json();

	if (v == NULL)
		return fail(r, 500, "could not serialise the state", NULL);
	state_identity(&id);
	snprintf(r->extra, sizeof(r->extra), "Content-Disposition: attachment;"
	    " filename=\"convergd-%s.json\"\r\n", id.uid);
	return reply(r, 200, v);
}

static int
api_restore(struct api_req *r)
{
	char why[256] = "", field[128] = "";
	const char *colon;
	int rc = state_from_json(r->body, &r->origin, why, sizeof(why));

	if (rc == -EIO)
		return fail(r, API_SAVE_STATUS(rc, 500), why, NULL);
	if (rc < 0) {
		/* The reason starts with the field ("audio.gain[3]: "). */
		colon = strstr(why, ": ");
		if (colon != NULL && (size_t)(colon - why) < sizeof(field) &&
		    memchr(why, ' ', (size_t)(colon - why)) == NULL)
			snprintf(field, sizeof(field), "%.*s",
			    (int)(colon - why), why);
		return fail(r, 400, why[0] ? why : "invalid backup",
		    field[0] ? field : NULL);
	}
	return reply(r, 200, json_pack("{s:b, s:I}", "restored", 1,
	    "seq", (json_int_t)state_seq()));
}

/* ---- router ---- */

/* The route for path+method; *known tells 405 from 404. */
static const struct api_route *
route_find(const char *method, const char *path, const char **tail,
    bool *known)
{
	size_t i, plen;

	*known = false;
	for (i = 0; i < NROUTES; i++) {
		const struct api_route *rt = &api_routes[i];

		plen = strlen(rt->path);
		if (strncmp(path, rt->path, plen) != 0)
			continue;
		if (rt->tail ? !(path[plen] == '/' && path[plen + 1] != '\0' &&
		    strchr(path + plen + 1, '/') == NULL) : path[plen] != '\0')
			continue;
		*known = true;
		if (strcmp(rt->method, method) == 0) {
			*tail = path + plen;
			return rt;
		}
	}
	return NULL;
}

static int
check_session(struct api_req *r, const struct api_route *rt)
{
	const char *token;

	if (rt->public)
		return 0;
	if (web_session_from_request(r->c, &r->s) < 0)
		return fail(r, 401, "not logged in (or the session expired)",
		    NULL);
	/* Every state change but the login carries the CSRF token. */
	if (strcmp(rt->method, "GET") != 0) {
		token = mg_get_header(r->c, "X-CSRF-Token");
		if (token == NULL || !web_http_token_equal(token, r->s.csrf))
			return fail(r, 403, "missing or wrong CSRF token",
			    "X-CSRF-Token");
	}
	if (r->s.level < rt->level) {
		char msg[64];

		snprintf(msg, sizeof(msg), "needs the %s level",
		    web_json_level_name(rt->level));
		return fail(r, 403, msg, NULL);
	}
	api_session_cookie(r);
	return 0;
}

static int
read_json_body(struct api_req *r)
{
	const char *ct = mg_get_header(r->c, "Content-Type");
	json_error_t jerr;
	char *text, msg[200];
	size_t len;
	int rc;

	if (!web_http_is_json(ct))
		return fail(r, 415, "send the body as application/json",
		    "Content-Type");
	rc = web_http_body(r->c, &text, &len);
	if (rc == -EFBIG) {
		snprintf(msg, sizeof(msg), "body larger than %ld bytes",
		    r->w->limits.max_body);
		return fail(r, 413, msg, NULL);
	}
	if (rc < 0)
		return fail(r, 400, "could not read the body", NULL);
	r->body = web_json_load(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (r->body == NULL) {
		snprintf(msg, sizeof(msg), "malformed JSON: %s (line %d, "
		    "column %d)", jerr.text, jerr.line, jerr.column);
		return fail(r, 400, msg, NULL);
	}
	if (!json_is_object(r->body))
		return fail(r, 400, "the body must be a JSON object", NULL);
	return 0;
}

int
web_api_handler(struct mg_connection *c, void *arg)
{
	struct api_req r = { .w = web_of(c), .c = c };
	const struct api_route *rt;
	const char *path;
	char why[160];
	bool known;
	int rc;

	(void)arg;
	r.ri = mg_get_request_info(c);
	/* DNS rebinding: a foreign name pointed at the unit. */
	if (web_host_check(r.w, mg_get_header(c, "Host"), why, sizeof(why)) < 0)
		return fail(&r, 421, why, "Host");
	if (strcmp(r.ri->request_method, "OPTIONS") == 0)
		return fail(&r, 405, "no OPTIONS: the API is same-origin only, "
		    "cross-origin (CORS) requests are refused", NULL);
	path = r.ri->local_uri ? r.ri->local_uri : "";
	if (strncmp(path, API_PREFIX, strlen(API_PREFIX)) != 0)
		return fail(&r, 404, "no such endpoint", NULL);
	path += strlen(API_PREFIX);
	rt = route_find(r.ri->request_method, path, &r.tail, &known);
	if (rt == NULL)
		return known ? fail(&r, 405, "method not allowed here", NULL) :
		    fail(&r, 404, "no such endpoint", NULL);
	if ((rc = check_session(&r, rt)) != 0)
		return rc;
	if ((strcmp(rt->method, "POST") == 0 || strcmp(rt->method, "PUT") ==
	    0) && (rc = read_json_body(&r)) != 0)
		goto out;
	bus_origin_set(&r.origin, web_service.name, r.s.id);
	snprintf(r.origin.user, sizeof(r.origin.user), "%s", r.s.user);
	snprintf(r.origin.from, sizeof(r.origin.from), "web %.24s:%d",
	    r.ri->remote_addr, r.ri->remote_port & 0xffff);
	rc = rt->fn(&r);
out:
	json_decref(r.body);
	explicit_bzero(&r.s, sizeof(r.s));
	return rc;
}
