/* SPDX-License-Identifier: MIT */
/*
 * WebSocket clients of /api/v1/events (RFC 6455 framing is civetweb's).
 * A client must hold a session cookie; it gets a snapshot of the audio
 * state when it connects, when it asks ({"resync":true}) and when it or
 * the service fell behind, then one JSON message per bus message.
 * civetweb's writes block, so each client has a writer thread and a
 * bounded queue: the service thread only queues, and a client that stops
 * reading stalls its own writer, never the others or the service. A
 * queue that overflows is emptied and replaced by a snapshot. Meter
 * frames (web_meters.c) do not queue: each client has one slot that the
 * next tick's frame replaces, written after everything queued, so a
 * client that stops reading loses meter frames, never changes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "log.h"
#include "web/web_int.h"

#define WS_QUEUE_MAX 256	/* messages waiting for one client */
/*
 * The kernel's send buffer of a WebSocket (it doubles it). Autotuned it
 * grows to megabytes: a client that stops reading would take minutes of
 * stale meter frames before its writer blocked and frames were dropped.
 */
#define WS_SNDBUF (16 * 1024)

struct ws_client {
	struct mg_connection *conn;
	pthread_mutex_t lock;	/* guards everything below */
	pthread_cond_t wake;	/* work for the writer, or quit */
	pthread_t writer;
	bool ready;		/* handshake done: the writer may write */
	bool dead;		/* closed or a write failed: write no more */
	bool quit;		/* close handler: the writer must exit */
	bool writing;		/* the writer is inside mg_websocket_write */
	bool want_snapshot;	/* send a fresh snapshot next */
	bool want_close;	/* its session ended: send close 1008 */
	char *queue[WS_QUEUE_MAX];
	unsigned head, count;
	unsigned long overflows;
	unsigned refs;		/* list + broadcasts in flight (ws->lock) */
	struct web_ws *ws;	/* the list it is on */
	char user[32];
	char token[WEB_TOKEN_LEN + 1];	/* its session: closed when that ends */
	struct web_meter_sub meters;	/* what meters it asked for */
	uint64_t meter_last_ms;	/* when its last frame was made */
	bool meter_due;		/* web_ws_meters: gets this tick's frame */
	char *meter;		/* frame not yet written; a newer replaces it */
	unsigned long meter_lost;	/* frames replaced since one was sent */
};

/* The client list (struct web's): one per service start. */
struct web_ws {
	pthread_mutex_t lock;	/* the list and every client's refs */
	struct log_rate rate;
	size_t n, cap;
	struct ws_client *clients[];
};

int
web_ws_init(struct web *w)
{
	struct web_ws *ws;
	size_t cap = (size_t)w->limits.max_clients;

	ws = calloc(1, sizeof(*ws) + cap * sizeof(ws->clients[0]));
	if (ws == NULL)
		return -ENOMEM;
	pthread_mutex_init(&ws->lock, NULL);
	ws->rate = (struct log_rate)LOG_RATE_INIT(10);
	ws->cap = cap;
	w->ws = ws;
	return 0;
}

void
web_ws_fini(struct web *w)
{
	/* mg_stop ran first: every close handler has been called. */
	if (w->ws == NULL)
		return;
	pthread_mutex_destroy(&w->ws->lock);
	free(w->ws);
	w->ws = NULL;
}

size_t
web_ws_count(struct web *w)
{
	size_t n;

	pthread_mutex_lock(&w->ws->lock);
	n = w->ws->n;
	pthread_mutex_unlock(&w->ws->lock);
	return n;
}

/* Drop queued messages; the caller holds cl->lock. */
static void
client_flush_queue(struct ws_client *cl)
{
	while (cl->count > 0) {
		free(cl->queue[cl->head]);
		cl->head = (cl->head + 1) % WS_QUEUE_MAX;
		cl->count--;
	}
}

static void
client_unref(struct ws_client *cl)
{
	struct web_ws *ws = cl->ws;
	bool last;

	pthread_mutex_lock(&ws->lock);
	last = --cl->refs == 0;
	pthread_mutex_unlock(&ws->lock);
	if (last) {
		client_flush_queue(cl);
		free(cl->meter);
		pthread_cond_destroy(&cl->wake);
		pthread_mutex_destroy(&cl->lock);
		free(cl);
	}
}

/* Queue one message (takes ownership of text) or ask for a snapshot. */
static void
client_post(struct ws_client *cl, char *text, bool snapshot)
{
	pthread_mutex_lock(&cl->lock);
	if (cl->dead) {
		free(text);
	} else if (snapshot) {
		free(text);
		/* a snapshot supersedes everything queued before it */
		client_flush_queue(cl);
		cl->want_snapshot = true;
	} else if (cl->count == WS_QUEUE_MAX) {
		/* it fell behind: what it has is stale, resync it */
		free(text);
		client_flush_queue(cl);
		cl->want_snapshot = true;
		cl->overflows++;
	} else {
		cl->queue[(cl->head + cl->count) % WS_QUEUE_MAX] = text;
		cl->count++;
	}
	pthread_cond_signal(&cl->wake);
	pthread_mutex_unlock(&cl->lock);
}

static char *
client_snapshot_text(void)
{
	json_t *v = web_json_audio();
	char *text;

	if (v == NULL)
		return NULL;
	json_object_set_new(v, "type", json_string("snapshot"));
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	return text;
}

/*
 * Write one frame; called by the writer with cl->lock held and `writing`
 * set, so the close handler waits for it before civetweb frees conn.
 */
static void
client_write(struct ws_client *cl, int opcode, const char *data, size_t len)
{
	struct mg_connection *conn = cl->conn;

	pthread_mutex_unlock(&cl->lock);
	if (mg_websocket_write(conn, opcode, data, len) <= 0) {
		pthread_mutex_lock(&cl->lock);
		cl->dead = true;
		log_warnx_rl(&cl->ws->rate,
		    "websocket client %s stopped reading", cl->user);
		return;
	}
	pthread_mutex_lock(&cl->lock);
}

/* The next piece of work, with cl->lock held; false when it must exit. */
static bool
client_next(struct ws_client *cl, char **text, bool *snapshot, bool *bye)
{
	while (!cl->quit && (cl->dead || !cl->ready ||
	    (cl->count == 0 && !cl->want_snapshot && !cl->want_close &&
	    cl->meter == NULL)))
		pthread_cond_wait(&cl->wake, &cl->lock);
	if (cl->quit)
		return false;
	*text = NULL;
	*snapshot = *bye = false;
	if (cl->want_close) {
		cl->want_close = false;
		*bye = true;
	} else if (cl->want_snapshot) {
		cl->want_snapshot = false;
		*snapshot = true;
	} else if (cl->count > 0) {
		*text = cl->queue[cl->head];
		cl->head = (cl->head + 1) % WS_QUEUE_MAX;
		cl->count--;
	} else {
		*text = cl->meter;
		cl->meter = NULL;
		cl->meter_lost = 0;
	}
	return true;
}

static void *
client_writer(void *arg)
{
	/* 1008 "policy violation": the session behind it is gone. */
	static const char bye_frame[] = { 0x03, (char)0xf0 };
	struct ws_client *cl = arg;
	char *text;
	bool snapshot, bye;

	log_set_thread_name("web");
	pthread_mutex_lock(&cl->lock);
	while (client_next(cl, &text, &snapshot, &bye)) {
		cl->writing = true;
		if (bye) {
			client_write(cl, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE,
			    bye_frame, sizeof(bye_frame));
			cl->dead = true;
		} else {
			if (snapshot) {
				pthread_mutex_unlock(&cl->lock);
				text = client_snapshot_text();
				pthread_mutex_lock(&cl->lock);
			}
			if (text != NULL && !cl->dead)
				client_write(cl, MG_WEBSOCKET_OPCODE_TEXT, text,
				    strlen(text));
			free(text);
		}
		cl->writing = false;
		pthread_cond_broadcast(&cl->wake);
	}
	pthread_mutex_unlock(&cl->lock);
	return NULL;
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

/*
 * Changes are only pushed to WebSocket clients: with none, a change
 * (every console gain set) need not wake the web thread. A new client
 * starts from a snapshot, so nothing it needs is lost. Under ws->lock.
 */
void
web_ws_listeners(struct web *w, size_t n)
{
	uint64_t want = n > 0 ? BUS_WHAT_ALL : 0;

	bus_sub_changes(w->sub, want, want);
}

int
web_ws_connect(const struct mg_connection *c, void *arg)
{
	struct web *w = web_of(c);
	struct web_ws *ws = w->ws;
	struct web_session s;
	struct ws_client *cl;
	char why[160];

	(void)arg;
	/* civetweb's API takes a non-const connection to read headers. */
	if (web_session_from_request((struct mg_connection *)(uintptr_t)c,
	    &s) < 0 || !origin_ok(c) ||
	    web_host_check(w, mg_get_header(c, "Host"), why, sizeof(why)) < 0)
		return 1;
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return 1;
	pthread_mutex_init(&cl->lock, NULL);
	pthread_cond_init(&cl->wake, NULL);
	cl->conn = (struct mg_connection *)(uintptr_t)c;
	cl->refs = 1;
	cl->ws = ws;
	snprintf(cl->user, sizeof(cl->user), "%s", s.user);
	memcpy(cl->token, s.token, sizeof(cl->token));
	pthread_mutex_lock(&ws->lock);
	if (ws->n >= ws->cap ||
	    pthread_create(&cl->writer, NULL, client_writer, cl) != 0) {
		pthread_mutex_unlock(&ws->lock);
		log_warnx_rl(&ws->rate, "websocket refused: %zu of %zu clients",
		    ws->n, ws->cap);
		pthread_cond_destroy(&cl->wake);
		pthread_mutex_destroy(&cl->lock);
		free(cl);
		return 1;
	}
	ws->clients[ws->n++] = cl;
	web_ws_listeners(w, ws->n);
	pthread_mutex_unlock(&ws->lock);
	mg_set_user_connection_data(c, cl);
	return 0;
}

void
web_ws_ready(struct mg_connection *c, void *arg)
{
	struct ws_client *cl = mg_get_user_connection_data(c);
	const struct mg_request_info *ri;

	(void)arg;
	if (cl == NULL)
		return;
	ri = mg_get_request_info(c);
	/* the port it came in on: the web port, or tls_port behind the
	 * TLS terminator */
	if (ri != NULL && web_conn_sndbuf(ri->server_port, ri->remote_addr,
	    ri->remote_port, WS_SNDBUF) < 0)
		log_warnx_rl(&cl->ws->rate, "websocket %s: send buffer not set",
		    ri->remote_addr);
	pthread_mutex_lock(&cl->lock);
	cl->ready = true;
	pthread_mutex_unlock(&cl->lock);
	client_post(cl, NULL, true);
}

/* {"type":"meters",...}: change what it gets, answer what it now gets. */
static void
client_meters_request(struct ws_client *cl, json_t *req)
{
	struct web_meter_sub sub;
	char why[96];
	bool ok = web_meters_parse(req, &sub, why, sizeof(why)) == 0;

	pthread_mutex_lock(&cl->lock);
	if (ok) {
		cl->meters = sub;
		if (!sub.on) {
			free(cl->meter);
			cl->meter = NULL;
		}
	} else {
		sub = cl->meters;
	}
	pthread_mutex_unlock(&cl->lock);
	/* the answer queues like a change: it is never dropped */
	client_post(cl, web_meters_ack(&sub, ok ? NULL : why), false);
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
	if (cl != NULL) {
		bool dead;

		pthread_mutex_lock(&cl->lock);
		dead = cl->dead;
		pthread_mutex_unlock(&cl->lock);
		if (dead)
			return 0; /* its session ended or a write failed: close */
	}
	if (op != MG_WEBSOCKET_OPCODE_TEXT || cl == NULL || len > 256)
		return 1;
	v = web_json_load(data, len, 0, NULL);
	if (json_is_true(json_object_get(v, "resync")))
		client_post(cl, NULL, true);
	else if (json_is_string(json_object_get(v, "type")) &&
	    strcmp(json_string_value(json_object_get(v, "type")), "meters") ==
	    0)
		client_meters_request(cl, v);
	json_decref(v);
	return 1;
}

void
web_ws_close(const struct mg_connection *c, void *arg)
{
	struct ws_client *cl = mg_get_user_connection_data(c);
	struct web_ws *ws;
	size_t i;

	(void)arg;
	if (cl == NULL)
		return;
	ws = cl->ws;
	pthread_mutex_lock(&ws->lock);
	for (i = 0; i < ws->n; i++) {
		if (ws->clients[i] == cl) {
			ws->clients[i] = ws->clients[--ws->n];
			break;
		}
	}
	web_ws_listeners(web_of(c), ws->n);
	pthread_mutex_unlock(&ws->lock);
	/* civetweb frees conn after we return: the writer must be done */
	pthread_mutex_lock(&cl->lock);
	cl->dead = true;
	cl->quit = true;
	pthread_cond_broadcast(&cl->wake);
	pthread_mutex_unlock(&cl->lock);
	pthread_join(cl->writer, NULL);
	cl->conn = NULL;
	mg_set_user_connection_data(c, NULL);
	client_unref(cl);
}

/* Referenced copies of the client list, so writes run without its lock. */
static size_t
clients_take(struct web_ws *ws, struct ws_client ***out)
{
	struct ws_client **list;
	size_t n, i;

	pthread_mutex_lock(&ws->lock);
	n = ws->n;
	list = n ? calloc(n, sizeof(*list)) : NULL;
	if (list == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		list[i] = ws->clients[i];
		list[i]->refs++;
	}
	pthread_mutex_unlock(&ws->lock);
	*out = list;
	return n;
}

/* Queue for every client; never blocks on a client's socket. */
static void
clients_send(struct web_ws *ws, const char *text, bool snapshot)
{
	struct ws_client **list;
	size_t n, i;

	n = clients_take(ws, &list);
	for (i = 0; i < n; i++) {
		char *copy = NULL;

		if (!snapshot && (copy = strdup(text)) == NULL)
			snapshot = true;	/* out of memory: resync later */
		client_post(list[i], copy, snapshot);
		client_unref(list[i]);
	}
	free(list);
}

void
web_ws_reap(struct web *w)
{
	struct ws_client **list;
	size_t n, i;

	n = clients_take(w->ws, &list);
	for (i = 0; i < n; i++) {
		struct ws_client *cl = list[i];

		if (!web_session_alive(w, cl->token)) {
			pthread_mutex_lock(&cl->lock);
			if (!cl->dead && cl->ready)
				cl->want_close = true;
			else
				cl->dead = true;
			pthread_cond_signal(&cl->wake);
			pthread_mutex_unlock(&cl->lock);
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
web_ws_broadcast(struct web *w, const struct bus_msg *m)
{
	json_t *v;
	char *text;

	if (web_ws_count(w) == 0)
		return;
	v = web_json_bus(m);
	if (v == NULL)
		return;
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (text == NULL)
		return;
	clients_send(w->ws, text, false);
	free(text);
	if (needs_snapshot(m))
		clients_send(w->ws, NULL, true);
}

void
web_ws_resync_all(struct web *w)
{
	if (web_ws_count(w) > 0)
		clients_send(w->ws, NULL, true);
}

/* Mark the clients due a frame this tick; the union of their groups. */
static uint32_t
meters_mark_due(struct ws_client **list, size_t n, uint64_t now)
{
	uint32_t mask = 0;

	for (size_t i = 0; i < n; i++) {
		struct ws_client *cl = list[i];

		pthread_mutex_lock(&cl->lock);
		cl->meter_due = !cl->dead && cl->ready &&
		    web_meters_due(&cl->meters, cl->meter_last_ms, now);
		if (cl->meter_due)
			mask |= cl->meters.groups;
		pthread_mutex_unlock(&cl->lock);
	}
	return mask;
}

/* Replace the client's unsent frame (if any) with this tick's. */
static void
meters_post(struct ws_client *cl, const struct web_meter_frame *f,
    const struct bus_meters *m, uint64_t now)
{
	char *text;

	pthread_mutex_lock(&cl->lock);
	if (cl->meter_due && cl->meters.on) {
		cl->meter_due = false;
		cl->meter_last_ms = now;
		if (cl->meter != NULL) {
			free(cl->meter);
			cl->meter = NULL;
			cl->meter_lost++;
		}
		text = web_meters_text(f, cl->meters.groups, m, now,
		    cl->meter_lost);
		cl->meter = text;
		pthread_cond_signal(&cl->wake);
	}
	pthread_mutex_unlock(&cl->lock);
}

void
web_ws_meters(struct web *w, const struct bus_meters *m)
{
	struct web_meter_frame f;
	struct ws_client **list;
	uint64_t now = clock_ms();
	uint32_t mask;
	size_t n, i;

	n = clients_take(w->ws, &list);
	mask = meters_mark_due(list, n, now);
	/* nobody is due: the state is not even read */
	if (mask != 0) {
		web_meters_build(&f, mask);
		for (i = 0; i < n; i++)
			meters_post(list[i], &f, m, now);
		web_meters_free(&f);
	}
	for (i = 0; i < n; i++)
		client_unref(list[i]);
	free(list);
}
