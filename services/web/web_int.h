/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the web service's files: HTTP reply helpers
 * (web_http.c), login sessions and lockout (web_session.c), connections
 * per client address (web_conn.c), the Host check (web_host.c), the JSON
 * views of the state (web_json.c), the API router (web_api.c), the
 * WebSocket clients (web_ws.c) and their level meters (web_meters.c).
 * Nothing outside services/web includes this.
 */
#ifndef CONVERGD_WEB_INT_H
#define CONVERGD_WEB_INT_H

#include <stdatomic.h>
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
	long max_per_address;	/* connections open from one address */
	long sessions_per_user;	/* a further login ends the user's oldest */
	long admin_sessions;	/* sessions only an Administrator may take */
	long lockout_delay_s;	/* first lockout; doubles after */
};

#define WEB_ALLOWED_HOSTS_MAX 512

struct web_sessions;	/* web_session.c */
struct web_ws;		/* web_ws.c */
struct web_conns;	/* web_conn.c */

/*
 * The service's state, one per start: the service thread reaches it
 * through svc_priv, civetweb's workers through the context's user_data
 * (web_of). Nothing of it lives in a global.
 */
struct web {
	struct web_limits limits;
	atomic_bool handlers_set;	/* civetweb listens before they are */
	int port;		/* where civetweb listens */
	int tls_port;		/* the TLS terminator's, on 127.0.0.1; 0 = none */
	int https_port;		/* where HTTPS is offered (the redirect) */
	bool https_redirect;	/* plain HTTP requests are sent to HTTPS */
	char allowed_hosts[WEB_ALLOWED_HOSTS_MAX + 1];	/* [web] list */
	struct web_sessions *sessions;
	struct web_ws *ws;
	struct web_conns *conns;
	struct bus_sub *sub;	/* the service's; web_ws narrows it */
};

/* The service state behind a civetweb connection. */
static inline struct web *
web_of(const struct mg_connection *c)
{
	return mg_get_user_data(mg_get_context(c));
}

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
/* civetweb's http_error callback: its own errors as our JSON; returns 0. */
int web_http_error_page(struct mg_connection *c, int status,
    const char *msg);
/*
 * Read the request body (at most the max_body limit) into a fresh
 * buffer (NUL-terminated); -EFBIG if larger, -EIO on a read failure.
 */
int web_http_body(struct mg_connection *c, char **out, size_t *len);
/* Serve an embedded asset (GET/HEAD, ETag, 304); civetweb handler. */
int web_http_static(struct mg_connection *c, void *arg);
/* Constant-time compare of two NUL-terminated tokens. */
bool web_http_token_equal(const char *a, const char *b);
/* Content-Type is application/json, parameters (; charset=...) allowed. */
bool web_http_is_json(const char *content_type);

/* ---- web_tls.c: HTTPS through a TLS terminator ---- */
/* The request came over TLS (through the terminator on 127.0.0.1). */
bool web_tls_request(const struct mg_connection *c);
/* "; Secure" for a cookie of an HTTPS request, else "". */
const char *web_tls_cookie_flags(const struct mg_connection *c);
/* With https_redirect, answer a plain request with a redirect to HTTPS
 * and return its status; 0 if the request goes on. */
int web_tls_redirect(struct mg_connection *c);

/* ---- web_host.c: the Host an API request may name ---- */
/*
 * The name in a Host value without port and final dot ("[::1]:80" gives
 * "::1" and *v6); -EINVAL if malformed or longer than len - 1.
 */
int web_host_name(const char *host, char *out, size_t len, bool *v6);
/*
 * 0 if `host` (NULL: none sent) is an IP literal, "localhost", one of the
 * unit's names or in allowed_hosts; else -EPERM and why.
 */
int web_host_check(const struct web *w, const char *host, char *why,
    size_t whylen);

/* ---- web_session.c: logins, sessions, lockout ---- */
struct web_session {
	char token[WEB_TOKEN_LEN + 1];
	char csrf[WEB_TOKEN_LEN + 1];
	char user[32];
	char from[48];		/* client address at login */
	enum user_level level;	/* the user's level now (re-read each use) */
	uint32_t id;
};

/* A row of the session list an Administrator sees (no tokens). */
struct web_session_info {
	uint32_t id;
	char user[32];
	char from[48];
	enum user_level level;
	uint64_t age_s;		/* since the login */
	uint64_t idle_s;	/* since the last request */
};

/* The session table of w->limits.max_sessions rows. */
int web_session_init(struct web *w);
void web_session_fini(struct web *w);
/*
 * New session for a checked user logging in from `from`. At the per-user
 * cap the user's oldest session ends; -ENOSPC if the table is full (for
 * a lower level: all but the rows kept for Administrators).
 */
int web_session_create(struct web *w, const char *user,
    enum user_level level, const char *from, struct web_session *out);
/* Live sessions, oldest first, into out[max]; returns the count. */
size_t web_session_list(struct web *w, struct web_session_info *out,
    size_t max);
/* End session `id` (an Administrator's action); -ENOENT if none. */
int web_session_end(struct web *w, uint32_t id);
/* Find by token, refresh its idle timer; -ENOENT if none or expired. */
int web_session_find(struct web *w, const char *token,
    struct web_session *out);
/* True while `token` names a live session; does not refresh its timer. */
bool web_session_alive(struct web *w, const char *token);
/* Look the session cookie of a request up; -ENOENT if none. */
int web_session_from_request(struct mg_connection *c,
    struct web_session *out);
void web_session_delete(struct web *w, const char *token);
/* The level of user `user` (any case) now; -ENOENT if there is none. */
int web_session_user_level(const char *user, enum user_level *level);
/* Drop expired sessions and deleted users' (the service loop calls it). */
void web_session_expire(struct web *w);
/*
 * Login throttling per client address: 0 if a login may be tried, or
 * -EBUSY with the seconds left. web_session_login_failed counts one
 * failure (and publishes EVENT_LOGIN); _login_ok clears the count.
 */
int web_session_login_allowed(struct web *w, const char *addr,
    unsigned *retry_s);
void web_session_login_failed(struct web *w, const char *addr,
    const char *user);
void web_session_login_ok(struct web *w, const char *addr);

/* ---- web_conn.c: connections per client address ---- */
int web_conn_init(struct web *w);
void web_conn_fini(struct web *w);
/*
 * Shut down the newest established connections to local `port` of every
 * address that has more than `per_addr` open (the oldest stay); *shut
 * gets the count. -ENOMEM if it could not look.
 */
int web_conn_enforce(int port, long per_addr, unsigned *shut);
/*
 * Set SO_SNDBUF of our connection on `port` from peer:pport (the caller
 * is the worker that owns it); -ENOENT if there is none.
 */
int web_conn_sndbuf(int port, const char *peer, int pport, int bytes);
/* civetweb's init_connection and connection_close callbacks. */
int web_conn_open(const struct mg_connection *c, void **data);
void web_conn_close(const struct mg_connection *c);

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
/* The client list of w->limits.max_clients rows. */
int web_ws_init(struct web *w);
void web_ws_fini(struct web *w);
int web_ws_connect(const struct mg_connection *c, void *arg);
void web_ws_ready(struct mg_connection *c, void *arg);
int web_ws_data(struct mg_connection *c, int bits, char *data, size_t len,
    void *arg);
void web_ws_close(const struct mg_connection *c, void *arg);
/* Send one bus message to every client; beat() between clients. */
void web_ws_broadcast(struct web *w, const struct bus_msg *m);
/* `n` clients now listen: changes wake the web thread only if n > 0. */
void web_ws_listeners(struct web *w, size_t n);
/* Close clients whose session ended (logout, expiry, user deleted). */
void web_ws_reap(struct web *w);
/* Send a fresh snapshot to every client (after the bus dropped some). */
void web_ws_resync_all(struct web *w);
size_t web_ws_count(struct web *w);
/* Queue a meter frame for every subscribed client that is due one. */
void web_ws_meters(struct web *w, const struct bus_meters *m);

/* ---- web_meters.c: level meter subscriptions and frames ---- */
#define WEB_METER_RATE_MAX 20	/* frames a second a client may ask for */
#define WEB_METER_GROUPS 26	/* one bit per group letter A-Z */
#define WEB_METER_BIT(letter) (1u << ((letter) - 'A'))

struct web_meter_sub {
	bool on;
	unsigned rate_hz;	/* 1 to WEB_METER_RATE_MAX */
	uint32_t groups;	/* WEB_METER_BIT of each group */
};

/* One tick's meters, one JSON fragment per group ("I":[...]). */
struct web_meter_frame {
	char *frag[WEB_METER_GROUPS];
};

/*
 * A client's {"type":"meters",...} request; -EINVAL and why if it is
 * malformed (then nothing changes). No "groups": every group with meters.
 */
int web_meters_parse(json_t *req, struct web_meter_sub *out, char *why,
    size_t whylen);
/* The reply to a request: what the client now gets (malloc'd text). */
char *web_meters_ack(const struct web_meter_sub *s, const char *error);
/* True if a client that got its last frame at last_ms is due one now. */
bool web_meters_due(const struct web_meter_sub *s, uint64_t last_ms,
    uint64_t now_ms);
/* Read the meters of the groups in mask from the state (once per tick). */
void web_meters_build(struct web_meter_frame *f, uint32_t mask);
void web_meters_free(struct web_meter_frame *f);
/* One client's frame (malloc'd text): its groups of f, lost = dropped. */
char *web_meters_text(const struct web_meter_frame *f, uint32_t mask,
    const struct bus_meters *m, uint64_t now_ms, unsigned long lost);

#endif
