/* SPDX-License-Identifier: MIT */
/*
 * WebSocket clients of /api/v1/events (RFC 6455 framing is civetweb's).
 * A client must hold a session cookie; it gets a snapshot of the audio
 * state when it connects, when it asks ({"resync":true}) and when it or
 * the service fell behind, then one JSON message per bus message.
 * civetweb's writes block, so each client has a writer thread and a
 * bounded queue: the service thread only queues, and a client that stops
 * reading stalls its own writer, never the others or the service. A
 * queue that overflows is emptied and replaced by a snapshot.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "web/web_int.h"

#define WS_QUEUE_MAX 256	/* messages waiting for one client */

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
	bool last;

	pthread_mutex_lock(&ws_lock);
	last = --cl->refs == 0;
	pthread_mutex_unlock(&ws_lock);
	if (last) {
		client_flush_queue(cl);
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
		log_warnx_rl(&ws_rate, "websocket client %s stopped reading",
		    cl->user);
		return;
	}
	pthread_mutex_lock(&cl->lock);
}

/* The next piece of work, with cl->lock held; false when it must exit. */
static bool
client_next(struct ws_client *cl, char **text, bool *snapshot, bool *bye)
{
	while (!cl->quit && (cl->dead || !cl->ready ||
	    (cl->count == 0 && !cl->want_snapshot && !cl->want_close)))
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
	} else {
		*text = cl->queue[cl->head];
		cl->head = (cl->head + 1) % WS_QUEUE_MAX;
		cl->count--;
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
	pthread_mutex_init(&cl->lock, NULL);
	pthread_cond_init(&cl->wake, NULL);
	cl->conn = (struct mg_connection *)(uintptr_t)c;
	cl->refs = 1;
	snprintf(cl->user, sizeof(cl->user), "%s", s.user);
	memcpy(cl->token, s.token, sizeof(cl->token));
	pthread_mutex_lock(&ws_lock);
	if (ws_nclients >= ws_cap ||
	    pthread_create(&cl->writer, NULL, client_writer, cl) != 0) {
		pthread_mutex_unlock(&ws_lock);
		log_warnx_rl(&ws_rate, "websocket refused: %zu of %zu clients",
		    ws_nclients, ws_cap);
		pthread_cond_destroy(&cl->wake);
		pthread_mutex_destroy(&cl->lock);
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
	pthread_mutex_lock(&cl->lock);
	cl->ready = true;
	pthread_mutex_unlock(&cl->lock);
	client_post(cl, NULL, true);
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

/* Queue for every client; never blocks on a client's socket. */
static void
clients_send(const char *text, bool snapshot)
{
	struct ws_client **list;
	size_t n, i;

	n = clients_take(&list);
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
web_ws_reap(void)
{
	struct ws_client **list;
	size_t n, i;

	n = clients_take(&list);
	for (i = 0; i < n; i++) {
		struct ws_client *cl = list[i];

		if (!web_session_alive(cl->token)) {
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
	(void)beat;
	(void)arg;
	clients_send(text, false);
	free(text);
	if (needs_snapshot(m))
		clients_send(NULL, true);
}

void
web_ws_resync_all(void (*beat)(void *), void *arg)
{
	(void)beat;
	(void)arg;
	if (web_ws_count() > 0)
		clients_send(NULL, true);
}
