/* SPDX-License-Identifier: MIT */
/*
 * WebSocket clients of /api/v1/events (RFC 6455 framing is civetweb's).
 * A client must hold a session cookie; it gets a snapshot of the audio
 * state when it connects, when it asks ({"resync":true}) and when the
 * service's bus subscription lost messages, then one JSON message per
 * bus message. Each client has its own write lock, so a snapshot and a
 * push never interleave and a closing client is never written after free.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "web/web_int.h"

struct ws_client {
	struct mg_connection *conn;
	pthread_mutex_t wlock;	/* held while writing; guards ready/dead */
	bool ready;		/* handshake done, snapshot sent */
	bool dead;		/* closed or a write failed: write no more */
	unsigned refs;		/* list + broadcasts in flight (ws_lock) */
	char user[32];
	char token[WEB_TOKEN_LEN + 1];	/* its session: closed when that ends */
};

static pthread_mutex_t ws_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ws_client **ws_clients;
static size_t ws_nclients, ws_cap;

static struct log_rate ws_rate = LOG_RATE_INIT(10);

int
web_ws_init(void)
{
	struct ws_client **t;

	t = calloc((size_t)web_limits.max_clients, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&ws_lock);
	free(ws_clients);
	ws_clients = t;
	ws_cap = (size_t)web_limits.max_clients;
	ws_nclients = 0;
	pthread_mutex_unlock(&ws_lock);
	return 0;
}

void
web_ws_fini(void)
{
	/* mg_stop ran first: every close handler has been called. */
	pthread_mutex_lock(&ws_lock);
	free(ws_clients);
	ws_clients = NULL;
	ws_cap = ws_nclients = 0;
	pthread_mutex_unlock(&ws_lock);
}

size_t
web_ws_count(void)
{
	size_t n;

	pthread_mutex_lock(&ws_lock);
	n = ws_nclients;
	pthread_mutex_unlock(&ws_lock);
	return n;
}

static void
client_unref(struct ws_client *cl)
{
	bool last;

	pthread_mutex_lock(&ws_lock);
	last = --cl->refs == 0;
	pthread_mutex_unlock(&ws_lock);
	if (last) {
		pthread_mutex_destroy(&cl->wlock);
		free(cl);
	}
}

/* Write one text message; the caller holds cl->wlock. */
static void
client_write(struct ws_client *cl, const char *text, size_t len)
{
	if (cl->dead || !cl->ready)
		return;
	if (mg_websocket_write(cl->conn, MG_WEBSOCKET_OPCODE_TEXT, text,
	    len) <= 0) {
		cl->dead = true;
		log_warnx_rl(&ws_rate, "websocket client %s stopped reading",
		    cl->user);
	}
}

/* Send the audio snapshot; the caller holds cl->wlock. */
static void
client_snapshot(struct ws_client *cl)
{
	json_t *v = web_json_audio();
	char *text;

	if (v == NULL)
		return;
	json_object_set_new(v, "type", json_string("snapshot"));
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (text != NULL) {
		client_write(cl, text, strlen(text));
		free(text);
	}
}

/* Same-origin check: a page elsewhere cannot ride on our cookie. */
static bool
origin_ok(const struct mg_connection *c)
{
	const char *origin = mg_get_header(c, "Origin");
	const char *host = mg_get_header(c, "Host");
	const char *p;

	if (origin == NULL)
		return true;	/* not a browser */
	if (host == NULL)
		return false;
	p = strstr(origin, "://");
	return p != NULL && strcasecmp(p + 3, host) == 0;
}

int
web_ws_connect(const struct mg_connection *c, void *arg)
{
	struct web_session s;
	struct ws_client *cl;

	(void)arg;
	/* civetweb's API takes a non-const connection to read headers. */
	if (web_session_from_request((struct mg_connection *)(uintptr_t)c,
	    &s) < 0 || !origin_ok(c))
		return 1;
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return 1;
	pthread_mutex_init(&cl->wlock, NULL);
	cl->conn = (struct mg_connection *)(uintptr_t)c;
	cl->refs = 1;
	snprintf(cl->user, sizeof(cl->user), "%s", s.user);
	memcpy(cl->token, s.token, sizeof(cl->token));
	pthread_mutex_lock(&ws_lock);
	if (ws_nclients >= ws_cap) {
		pthread_mutex_unlock(&ws_lock);
		log_warnx_rl(&ws_rate, "websocket refused: %zu clients already",
		    ws_cap);
		pthread_mutex_destroy(&cl->wlock);
		free(cl);
		return 1;
	}
	ws_clients[ws_nclients++] = cl;
	pthread_mutex_unlock(&ws_lock);
	mg_set_user_connection_data(c, cl);
	return 0;
}

void
web_ws_ready(struct mg_connection *c, void *arg)
{
	struct ws_client *cl = mg_get_user_connection_data(c);

	(void)arg;
	if (cl == NULL)
		return;
	pthread_mutex_lock(&cl->wlock);
	cl->ready = true;
	client_snapshot(cl);
	pthread_mutex_unlock(&cl->wlock);
}

int
web_ws_data(struct mg_connection *c, int bits, char *data, size_t len,
    void *arg)
{
	struct ws_client *cl = mg_get_user_connection_data(c);
	int op = bits & 0x0f;
	json_t *v;

	(void)arg;
	if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) {
		/* Echo the close so browsers see a clean 1000, not 1006. */
		mg_websocket_write(c, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE,
		    data, len > 2 ? 2 : len);
		return 0;
	}
	if (cl != NULL && cl->dead)
		return 0;	/* its session ended or a write failed: close */
	if (op != MG_WEBSOCKET_OPCODE_TEXT || cl == NULL || len > 256)
		return 1;
	v = json_loadb(data, len, 0, NULL);
	if (json_is_true(json_object_get(v, "resync"))) {
		pthread_mutex_lock(&cl->wlock);
		client_snapshot(cl);
		pthread_mutex_unlock(&cl->wlock);
	}
	json_decref(v);
	return 1;
}

void
web_ws_close(const struct mg_connection *c, void *arg)
{
	struct ws_client *cl = mg_get_user_connection_data(c);
	size_t i;

	(void)arg;
	if (cl == NULL)
		return;
	pthread_mutex_lock(&ws_lock);
	for (i = 0; i < ws_nclients; i++) {
		if (ws_clients[i] == cl) {
			ws_clients[i] = ws_clients[--ws_nclients];
			break;
		}
	}
	pthread_mutex_unlock(&ws_lock);
	/* Waits for a write in flight; civetweb frees conn after we return. */
	pthread_mutex_lock(&cl->wlock);
	cl->dead = true;
	cl->conn = NULL;
	pthread_mutex_unlock(&cl->wlock);
	mg_set_user_connection_data(c, NULL);
	client_unref(cl);
}

/* Referenced copies of the client list, so writes run without ws_lock. */
static size_t
clients_take(struct ws_client ***out)
{
	struct ws_client **list;
	size_t n, i;

	pthread_mutex_lock(&ws_lock);
	n = ws_nclients;
	list = n ? calloc(n, sizeof(*list)) : NULL;
	if (list == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		list[i] = ws_clients[i];
		list[i]->refs++;
	}
	pthread_mutex_unlock(&ws_lock);
	*out = list;
	return n;
}

static void
clients_send(const char *text, bool snapshot, void (*beat)(void *),
    void *arg)
{
	struct ws_client **list;
	size_t n, i;

	n = clients_take(&list);
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&list[i]->wlock);
		if (snapshot)
			client_snapshot(list[i]);
		else
			client_write(list[i], text, strlen(text));
		pthread_mutex_unlock(&list[i]->wlock);
		client_unref(list[i]);
		/* A slow client may take a write time-out: stay alive. */
		if (beat != NULL)
			beat(arg);
	}
	free(list);
}

void
web_ws_reap(void)
{
	/* 1008 "policy violation": the session behind it is gone. */
	static const char bye[] = { 0x03, (char)0xf0 };
	struct ws_client **list;
	size_t n, i;

	n = clients_take(&list);
	for (i = 0; i < n; i++) {
		struct ws_client *cl = list[i];

		if (!web_session_alive(cl->token)) {
			pthread_mutex_lock(&cl->wlock);
			if (!cl->dead && cl->ready)
				mg_websocket_write(cl->conn,
				    MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, bye,
				    sizeof(bye));
			cl->dead = true;
			pthread_mutex_unlock(&cl->wlock);
		}
		client_unref(cl);
	}
	free(list);
}

/* Changes that replace many values at once: send a snapshot after. */
static bool
needs_snapshot(const struct bus_msg *m)
{
	if (m->type != BUS_CHANGE)
		return false;
	return m->u.change.what == STATE_F_PRESET ||
	    m->u.change.what == STATE_F_MTRXCLEAR ||
	    m->u.change.what == STATE_F_RELOADED;
}

void
web_ws_broadcast(const struct bus_msg *m, void (*beat)(void *), void *arg)
{
	json_t *v;
	char *text;

	if (web_ws_count() == 0)
		return;
	v = web_json_bus(m);
	if (v == NULL)
		return;
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (text == NULL)
		return;
	clients_send(text, false, beat, arg);
	free(text);
	if (needs_snapshot(m))
		clients_send(NULL, true, beat, arg);
}

void
web_ws_resync_all(void (*beat)(void *), void *arg)
{
	if (web_ws_count() > 0)
		clients_send(NULL, true, beat, arg);
}
