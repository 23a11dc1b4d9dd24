/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the web service's files: HTTP reply helpers
 * (web_http.c), login sessions and lockout (web_session.c), the JSON views
 * of the state (web_json.c), the API router (web_api.c) and the WebSocket
 * clients (web_ws.c). Nothing outside services/web includes this.
 */
#ifndef CONVERGD_WEB_INT_H
#define CONVERGD_WEB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <civetweb.h>
#include <jansson.h>

#include "bus.h"
#include "service.h"
#include "state.h"

/* The descriptor (web.c); its name is the origin of the web's changes. */
extern const struct service web_service;

#define WEB_TOKEN_LEN 64	/* hex characters of a session or CSRF token */
#define WEB_COOKIE "convergd_session"

/* Limits read from [web] once per start (web.c fills them). */
struct web_limits {
	long max_body;		/* bytes of a request body */
	long session_idle_s;	/* idle time before a session expires */
	long max_sessions;
	long max_clients;	/* WebSocket clients */
	long lockout_after;	/* failed logins before a lockout */
	long lockout_delay_s;	/* first lockout; doubles after */
};
extern struct web_limits web_limits;

/* ---- web_http.c: one-buffer replies ---- */
/* Send status + headers + body in one mg_write; `extra` is CRLF lines. */
void web_http_send(struct mg_connection *c, int status, const char *mime,
    const char *extra, const void *body, size_t len);
/* JSON reply (the value is consumed: decref'd after sending). */
void web_http_json(struct mg_connection *c, int status, json_t *v,
    const char *extra);
/* {"error": msg, "field": field} with `status` (field may be NULL). */
void web_http_error(struct mg_connection *c, int status, const char *msg,
    const char *field);
/*
 * Read the request body (at most web_limits.max_body) into a fresh
 * buffer (NUL-terminated); -EFBIG if larger, -EIO on a read failure.
 */
int web_http_body(struct mg_connection *c, char **out, size_t *len);
/* Serve an embedded asset (GET/HEAD, ETag, 304); civetweb handler. */
int web_http_static(struct mg_connection *c, void *arg);
/* Constant-time compare of two NUL-terminated tokens. */
bool web_http_token_equal(const char *a, const char *b);

/* ---- web_session.c: logins, sessions, lockout ---- */
struct web_session {
	char token[WEB_TOKEN_LEN + 1];
	char csrf[WEB_TOKEN_LEN + 1];
	char user[32];
	enum user_level level;	/* the user's level now (re-read each use) */
	uint32_t id;
};

int web_session_init(void);
void web_session_fini(void);
/* New session for a checked user; -ENOSPC if the table is full. */
int web_session_create(const char *user, enum user_level level,
    struct web_session *out);
/* Find by token, refresh its idle timer; -ENOENT if none or expired. */
int web_session_find(const char *token, struct web_session *out);
/* True while `token` names a live session; does not refresh its timer. */
bool web_session_alive(const char *token);
/* Look the session cookie of a request up; -ENOENT if none. */
int web_session_from_request(struct mg_connection *c,
    struct web_session *out);
void web_session_delete(const char *token);
/* The level of user `user` (any case) now; -ENOENT if there is none. */
int web_session_user_level(const char *user, enum user_level *level);
/* Drop expired sessions (called by the service loop). */
void web_session_expire(void);
/*
 * Login throttling per client address: 0 if a login may be tried, or
 * -EBUSY with the seconds left. web_session_login_failed counts one
 * failure (and publishes EVENT_LOGIN); _login_ok clears the count.
 */
int web_session_login_allowed(const char *addr, unsigned *retry_s);
void web_session_login_failed(const char *addr, const char *user);
void web_session_login_ok(const char *addr);

/* ---- web_json.c: views of the state ---- */
json_t *web_json_status(void);
json_t *web_json_audio(void);
/* One bus message as a WebSocket push, or NULL if it has none. */
json_t *web_json_bus(const struct bus_msg *m);
const char *web_json_level_name(enum user_level level);
/* "Administrator"/"manager"/... to a level; -EINVAL if none. */
int web_json_level_parse(const char *text, enum user_level *out);
/*
 * Parse a client's JSON text like json_loadb, but refuse nesting deeper
 * than WEB_JSON_DEPTH_MAX first: jansson recurses once per level (up to
 * 2048) and civetweb's workers have 100 KiB stacks.
 */
#define WEB_JSON_DEPTH_MAX 32
json_t *web_json_load(const char *text, size_t len, size_t flags,
    json_error_t *err);

/* ---- web_api.c: /api/v1 router ---- */
int web_api_handler(struct mg_connection *c, void *arg);

/* ---- web_ws.c: /api/v1/events ---- */
int web_ws_init(void);
void web_ws_fini(void);
int web_ws_connect(const struct mg_connection *c, void *arg);
void web_ws_ready(struct mg_connection *c, void *arg);
int web_ws_data(struct mg_connection *c, int bits, char *data, size_t len,
    void *arg);
void web_ws_close(const struct mg_connection *c, void *arg);
/* Send one bus message to every client; beat() between clients. */
void web_ws_broadcast(const struct bus_msg *m, void (*beat)(void *),
    void *arg);
/* Close clients whose session ended (logout, expiry, user deleted). */
void web_ws_reap(void);
/* Send a fresh snapshot to every client (after the bus dropped some). */
void web_ws_resync_all(void (*beat)(void *), void *arg);
size_t web_ws_count(void);

#endif
