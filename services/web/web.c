/* SPDX-License-Identifier: MIT */
/*
 * The web service (TCP 80): civetweb serves the embedded page, the JSON
 * API (web_api.c) and the WebSocket (web_ws.c) on its own worker threads;
 * this service's thread starts and stops civetweb, beats, expires
 * sessions and forwards bus messages to the WebSocket clients. Plain
 * HTTP on IPv4 only: the system civetweb's TLS crashes (libraries.md §1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus.h"
#include "clock.h"
#include "log.h"
#include "service.h"
#include "web/web_int.h"

#define WEB_BUS_DEPTH 1024	/* messages queued for the WebSocket fan-out */
#define WEB_DRAIN_MAX 256	/* bus messages per loop pass */

static const struct cfg_key web_keys[] = {
	{ "max_clients", CFG_INT, 1, 512, "16", NULL,
	    "WebSocket clients at once (each holds a civetweb worker)" },
	{ "http_workers", CFG_INT, 2, 128, "8", NULL,
	    "worker threads for plain HTTP requests, on top of max_clients" },
	{ "max_body", CFG_INT, 1024, 16777216, "1048576", NULL,
	    "largest request body in bytes (restore files included)" },
	{ "session_idle", CFG_INT, 60, 86400, "900", NULL,
	    "seconds without a request before a login session expires" },
	{ "max_sessions", CFG_INT, 1, 1024, "32", NULL,
	    "login sessions at once" },
	{ "sessions_per_user", CFG_INT, 1, 1024, "4", NULL,
	    "login sessions of one user; a further login ends its oldest" },
	{ "admin_sessions", CFG_INT, 0, 1024, "2", NULL,
	    "of max_sessions, kept for Administrator logins" },
	{ "lockout_after", CFG_INT, 1, 100, "3", NULL,
	    "failed logins from one address before it is locked out" },
	{ "lockout_delay", CFG_INT, 1, 300, "2", NULL,
	    "first lockout in seconds; doubles with each failure, up to 300" },
	{ "request_timeout_ms", CFG_INT, 500, 60000, "5000", NULL,
	    "time civetweb gives a client to send a request (ms)" },
	{ "max_per_address", CFG_INT, 1, 1024, "10", NULL,
	    "connections open at once from one client address; the newest "
	    "over it are closed (each holds a worker)" },
	{ "listen_backlog", CFG_INT, 16, 65535, "1024", NULL,
	    "connections the kernel queues before civetweb accepts them" },
	{ "allowed_hosts", CFG_STRING, 0, WEB_ALLOWED_HOSTS_MAX, "", NULL,
	    "names the API answers in Host besides IP addresses, localhost "
	    "and the unit's own names (comma-separated)" },
	{ "tls_port", CFG_INT, 0, 65535, "0", NULL,
	    "port on 127.0.0.1 where the TLS terminator passes HTTPS "
	    "requests (0 = none)" },
	{ "https_port", CFG_INT, 1, 65535, "443", NULL,
	    "port HTTPS is offered on (https_redirect's target)" },
	{ "https_redirect", CFG_BOOL, 0, 0, "no", NULL,
	    "send plain HTTP requests to HTTPS" },
	{ NULL },
};

struct web_priv {
	struct web w;		/* civetweb's user_data: what handlers see */
	struct mg_context *mg;
	struct bus_sub *sub;
	uint64_t dropped;	/* bus_sub_dropped last seen */
	char listen[64];	/* civetweb's "addr:port[,127.0.0.1:tls]" */
	char poke_addr[16];	/* where to connect to wake civetweb's master */
	uint64_t reaped_ms;	/* last session/WebSocket clean-up */
};

static pthread_once_t web_lib_once = PTHREAD_ONCE_INIT;

static void
web_lib_init(void)
{
	/* Returns the features initialised: 0 for the default set. */
	mg_init_library(0);
}

/* civetweb threads log under our name. */
static void *
web_thread_init(const struct mg_context *mg, int type)
{
	(void)mg;
	(void)type;
	log_set_thread_name("web");
	return NULL;
}

static int
web_log_message(const struct mg_connection *c, const char *msg)
{
	static struct log_rate rate = LOG_RATE_INIT(10);

	(void)c;
	log_warnx_rl(&rate, "civetweb: %s", msg);
	return 1;
}

static void
web_read_limits(struct svc_ctx *ctx, struct web_limits *l)
{
	l->max_clients = svc_cfg_int(ctx, "max_clients");
	l->max_body = svc_cfg_int(ctx, "max_body");
	l->session_idle_s = svc_cfg_int(ctx, "session_idle");
	l->max_sessions = svc_cfg_int(ctx, "max_sessions");
	l->lockout_after = svc_cfg_int(ctx, "lockout_after");
	l->max_per_address = svc_cfg_int(ctx, "max_per_address");
	l->sessions_per_user = svc_cfg_int(ctx, "sessions_per_user");
	l->admin_sessions = svc_cfg_int(ctx, "admin_sessions");
	l->lockout_delay_s = svc_cfg_int(ctx, "lockout_delay");
}

/* Each part's fini accepts a part that was never made. */
static void
web_free(struct web_priv *p)
{
	web_conn_fini(&p->w);
	web_ws_fini(&p->w);
	web_session_fini(&p->w);
	if (p->sub != NULL)
		bus_unsubscribe(p->sub);
	free(p);
}

static int
web_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct web_priv *p;
	const char *bind;
	int rc;

	pthread_once(&web_lib_once, web_lib_init);
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	web_read_limits(ctx, &p->w.limits);
	snprintf(p->w.allowed_hosts, sizeof(p->w.allowed_hosts), "%s",
	    svc_cfg_str(ctx, "allowed_hosts"));
	bind = svc_cfg_str(ctx, "bind");
	p->w.port = (int)svc_cfg_int(ctx, "port");
	if (p->w.port == 0)
		p->w.port = 80;
	p->w.tls_port = (int)svc_cfg_int(ctx, "tls_port");
	p->w.https_port = (int)svc_cfg_int(ctx, "https_port");
	p->w.https_redirect = svc_cfg_bool(ctx, "https_redirect");
	snprintf(p->listen, sizeof(p->listen), "%s:%d", bind, p->w.port);
	if (p->w.tls_port != 0)
		snprintf(p->listen + strlen(p->listen), sizeof(p->listen) -
		    strlen(p->listen), ",127.0.0.1:%d", p->w.tls_port);
	snprintf(p->poke_addr, sizeof(p->poke_addr), "%s",
	    strcmp(bind, "0.0.0.0") == 0 ? "127.0.0.1" : bind);
	if ((rc = web_session_init(&p->w)) < 0 ||
	    (rc = web_ws_init(&p->w)) < 0 || (rc = web_conn_init(&p->w)) < 0) {
		snprintf(why, whylen, "out of memory");
		web_free(p);
		return rc;
	}
	p->sub = bus_subscribe(BUS_MASK(BUS_CHANGE) | BUS_MASK(BUS_SERVICE) |
	    BUS_MASK(BUS_EVENT) | BUS_MASK(BUS_METERS), WEB_BUS_DEPTH);
	if (p->sub == NULL) {
		snprintf(why, whylen, "cannot subscribe to the bus");
		web_free(p);
		return -ENOMEM;
	}
	p->w.sub = p->sub;
	web_ws_listeners(&p->w, 0);
	svc_set_priv(ctx, p);
	return 0;
}

/*
 * civetweb listens (and its workers take requests) before our handlers
 * can be set on its context; a request in that window would get a 404.
 * begin_request runs before the handler lookup, so it holds the worker
 * until they are set (a few ms at start-up, bounded). It also sends
 * plain HTTP to HTTPS ([web] https_redirect) before any handler runs.
 */
static int
web_begin_request(struct mg_connection *c)
{
	struct web *w = web_of(c);
	uint64_t deadline = clock_ms() + 2000;

	while (!atomic_load(&w->handlers_set) && clock_ms() < deadline)
		usleep(1000);
	return web_tls_redirect(c);
}

static const struct mg_callbacks web_callbacks = {
	.begin_request = web_begin_request,
	.log_message = web_log_message,
	.init_thread = web_thread_init,
	/* the per-address connection limit (web_conn.c) */
	.init_connection = web_conn_open,
	.connection_close = web_conn_close,
	.http_error = web_http_error_page,
};

/* Start civetweb: one worker per WebSocket client plus the HTTP workers. */
static int
web_start(struct svc_ctx *ctx, struct web_priv *p)
{
	char threads[16], timeout[16], backlog[16], errtext[256] = "";
	unsigned code = 0;
	struct mg_init_data init;
	struct mg_error_data err = { &code, errtext, sizeof(errtext) };
	const char *opts[] = {
		"listening_ports", p->listen,
		"num_threads", threads,
		"tcp_nodelay", "1",
		"enable_keep_alive", "yes",
		/*
		 * A worker sees mg_stop only when its poll returns: idle
		 * keep-alive and WebSocket waits of 1 s (the WebSocket one
		 * pings the client) keep stop under the 2 s budget.
		 */
		"keep_alive_timeout_ms", "1000",
		"request_timeout_ms", timeout,
		"listen_backlog", backlog,
		"websocket_timeout_ms", "1000",
		"enable_websocket_ping_pong", "yes",
		"enable_directory_listing", "no",
		/* CORS off: civetweb would answer preflights with "*" */
		"access_control_allow_origin", "",
		"access_control_allow_methods", "",
		"access_control_allow_headers", "",
		"authentication_domain", "convergd",
		NULL,
	};

	snprintf(threads, sizeof(threads), "%ld", p->w.limits.max_clients +
	    svc_cfg_int(ctx, "http_workers"));
	snprintf(timeout, sizeof(timeout), "%ld",
	    svc_cfg_int(ctx, "request_timeout_ms"));
	snprintf(backlog, sizeof(backlog), "%ld",
	    svc_cfg_int(ctx, "listen_backlog"));
	init.callbacks = &web_callbacks;
	init.user_data = &p->w;
	init.configuration_options = opts;
	p->mg = mg_start2(&init, &err);
	if (p->mg == NULL) {
		svc_set_error(ctx, "cannot listen on %s: %s", p->listen,
		    errtext[0] ? errtext : "civetweb failed to start");
		return -EADDRINUSE;
	}
	mg_set_websocket_handler(p->mg, "/api/v1/events", web_ws_connect,
	    web_ws_ready, web_ws_data, web_ws_close, NULL);
	mg_set_request_handler(p->mg, "/api", web_api_handler, NULL);
	mg_set_request_handler(p->mg, "/", web_http_static, NULL);
	atomic_store(&p->w.handlers_set, true);
	log_info("listening on http://%s (%s worker threads)", p->listen,
	    threads);
	return 0;
}

static void
web_drain_bus(struct web_priv *p)
{
	struct bus_msg m;
	uint64_t dropped;
	int n = 0;

	while (n++ < WEB_DRAIN_MAX && bus_take(p->sub, &m) == 1) {
		if (m.type == BUS_METERS)
			web_ws_meters(&p->w, &m.u.meters);
		else
			web_ws_broadcast(&p->w, &m);
	}
	/* We fell behind: what the clients hold may be stale. */
	dropped = bus_sub_dropped(p->sub);
	if (dropped != p->dropped) {
		log_warnx("bus dropped %llu messages; resyncing websockets",
		    (unsigned long long)(dropped - p->dropped));
		p->dropped = dropped;
		web_ws_resync_all(&p->w);
	}
}

static int
web_run(struct svc_ctx *ctx)
{
	struct web_priv *p = svc_priv(ctx);
	struct pollfd pfd;
	int rc;

	if ((rc = web_start(ctx, p)) < 0)
		return rc;
	svc_beat(ctx);	/* serving now: the status page may say "running" */
	p->dropped = bus_sub_dropped(p->sub);
	while (!svc_should_stop(ctx)) {
		pfd.fd = bus_sub_fd(p->sub);
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = svc_poll(ctx, &pfd, 1, 1000);
		if (rc < 0) {
			svc_set_error(ctx, "poll: %s", strerror(-rc));
			return rc;
		}
		web_drain_bus(p);
		if (clock_ms() - p->reaped_ms >= 500) {
			web_session_expire(&p->w);
			web_ws_reap(&p->w);
			p->reaped_ms = clock_ms();
		}
		svc_beat(ctx);
	}
	return 0;
}

/*
 * civetweb's master thread polls its listening socket for up to 2 s
 * before it sees the stop flag; a connection to it wakes it at once.
 */
static void *
web_poke(void *arg)
{
	struct web_priv *p = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int i, fd;

	sin.sin_port = htons((uint16_t)p->w.port);
	if (inet_pton(AF_INET, p->poke_addr, &sin.sin_addr) != 1)
		return NULL;
	for (i = 0; i < 3; i++) {
		usleep(50 * 1000);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
		    errno == ECONNREFUSED) {
			close(fd);
			break;	/* listener already closed: stopped */
		}
		close(fd);
	}
	return NULL;
}

static void
web_stop(struct svc_ctx *ctx)
{
	struct web_priv *p = svc_priv(ctx);
	pthread_t poker;
	bool poking;
	uint64_t t0;

	if (p == NULL)
		return;
	if (p->mg != NULL) {
		t0 = clock_ms();
		poking = pthread_create(&poker, NULL, web_poke, p) == 0;
		mg_stop(p->mg);
		if (poking)
			pthread_join(poker, NULL);
		log_info("stopped in %llu ms",
		    (unsigned long long)(clock_ms() - t0));
		p->mg = NULL;
	}
	web_free(p);
	svc_set_priv(ctx, NULL);
}

const struct service web_service = {
	.name = "web",
	.summary = "web page, JSON API and WebSocket push (HTTP, IPv4)",
	.keys = web_keys,
	.default_port = 80,
	.default_enabled = true,
	.init = web_init,
	.run = web_run,
	.stop = web_stop,
};
