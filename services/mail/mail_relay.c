/* SPDX-License-Identifier: MIT */
/* TLS on connect through a local relay for libESMTP (mail_relay.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "clock.h"
#include "mail_relay.h"

#define RELAY_BUF 16384

struct relay_buf {
	char data[RELAY_BUF];
	size_t len, off;
};

struct mail_relay {
	int lfd, cfd, sfd;	/* listener, libESMTP's side, the server */
	struct sockaddr_in self;	/* where lfd listens */
	int stop[2];		/* the mail thread's "stop now" */
	SSL *ssl;
	unsigned idle_ms;
	pthread_t thread;
	bool running;
	struct relay_buf up, down;	/* to the server, to libESMTP */
};

/* the mail thread's heartbeat while it waits for the server */
struct relay_beat {
	void (*fn)(void *arg);
	void *arg;
};

#define RELAY_BEAT_MS 500	/* well inside the supervisor's hang time */

/*
 * Wait for `events` on fd until `deadline` (clock_ms); 1, 0 or -1. A
 * slow server must not look like a hung service: beat in slices.
 */
static int
relay_wait(int fd, short events, uint64_t deadline,
    const struct relay_beat *b)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t now;
	int rc = 0;

	while ((now = clock_ms()) < deadline) {
		uint64_t slice = deadline - now;

		if (slice > RELAY_BEAT_MS)
			slice = RELAY_BEAT_MS;
		rc = poll(&p, 1, (int)slice);
		if (rc > 0 || (rc < 0 && errno != EINTR))
			return rc;
		if (b->fn != NULL)
			b->fn(b->arg);
	}
	return 0;
}

/* A non-blocking TCP connection to host:port; fd or -1 (*fail). */
static int
relay_connect(const char *host, int port, unsigned timeout_ms,
    const struct relay_beat *b, enum mail_relay_fail *fail, char *reply,
    size_t replylen)
{
	struct addrinfo hints = { .ai_family = AF_INET,
		.ai_socktype = SOCK_STREAM }, *ai = NULL;
	char service[8];
	int fd, err = 0, rc;
	socklen_t len = sizeof err;

	snprintf(service, sizeof service, "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &ai)) != 0) {
		*fail = MAIL_RELAY_RESOLVE;
		snprintf(reply, replylen, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = errno;
	else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		err = errno;
	freeaddrinfo(ai);
	if (err == EINPROGRESS) {
		err = 0;
		rc = relay_wait(fd, POLLOUT, clock_ms() + timeout_ms, b);
		if (rc <= 0)
			err = rc == 0 ? ETIMEDOUT : errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
	}
	if (err == 0)
		return fd;
	*fail = fd < 0 ? MAIL_RELAY_LOCAL : MAIL_RELAY_CONNECT;
	if (err == ETIMEDOUT)
		snprintf(reply, replylen, "time-out: no answer from the "
		    "server within %u s", timeout_ms / 1000);
	else
		snprintf(reply, replylen, "connect: %s", strerror(err));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Why the handshake failed: the certificate, or anything else. */
static void
relay_tls_fail(SSL *ssl, enum mail_relay_fail *fail, char *reply,
    size_t replylen)
{
	long v = SSL_get_verify_result(ssl);
	unsigned long e = ERR_peek_last_error();

	if (v != X509_V_OK) {
		*fail = MAIL_RELAY_CERT;
		snprintf(reply, replylen, "TLS: server certificate rejected "
		    "(%s)", X509_verify_cert_error_string(v));
	} else {
		*fail = MAIL_RELAY_TLS;
		snprintf(reply, replylen, "TLS: handshake failed: %s",
		    e != 0 && ERR_reason_error_string(e) ?
		    ERR_reason_error_string(e) : "connection closed");
	}
	ERR_clear_error();
}

/* TLS over fd, checked like STARTTLS: the CA, and the name or IP. */
static SSL *
relay_tls(int fd, const char *host, SSL_CTX *ctx, unsigned timeout_ms,
    const struct relay_beat *b, enum mail_relay_fail *fail, char *reply,
    size_t replylen)
{
	uint64_t deadline = clock_ms() + timeout_ms;
	SSL *ssl = SSL_new(ctx);
	struct in_addr a;
	int rc = 0, e = 0, ok;

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		*fail = MAIL_RELAY_LOCAL;
		snprintf(reply, replylen, "TLS: out of memory");
		SSL_free(ssl);
		return NULL;
	}
	if (inet_pton(AF_INET, host, &a) == 1)
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	else
		/* SSL_set_tlsext_host_name's own cast drops the const
		 * (-Wcast-qual in clang); OpenSSL only reads the name */
		ok = SSL_set1_host(ssl, host) == 1 &&
		    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
		    TLSEXT_NAMETYPE_host_name, (void *)(uintptr_t)host) == 1;
	SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	while (ok && (rc = SSL_connect(ssl)) != 1) {
		e = SSL_get_error(ssl, rc);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    relay_wait(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
		    deadline, b) <= 0)
			break;
	}
	if (rc == 1)
		return ssl;
	if (ok && (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)) {
		*fail = MAIL_RELAY_CONNECT;
		snprintf(reply, replylen, "time-out: no TLS handshake with the "
		    "server within %u s", timeout_ms / 1000);
	} else {
		relay_tls_fail(ssl, fail, reply, replylen);
	}
	SSL_free(ssl);
	return NULL;
}

static bool
relay_same(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_family == AF_INET && a->sin_port == b->sin_port &&
	    a->sin_addr.s_addr == b->sin_addr.s_addr;
}

/*
 * Is `peer` one of this process's own TCP sockets, connected to the
 * relay (`self`)? Anything less would let a local process that bound
 * the same address (a UDP port of ours, say) have the verified session.
 */
static bool
relay_peer_ours(const struct sockaddr_in *peer, const struct sockaddr_in *self)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	bool ours = false;

	while (d != NULL && !ours && (e = readdir(d)) != NULL) {
		struct sockaddr_in a, to;
		socklen_t len = sizeof a, tolen = sizeof to, tlen;
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int type = 0;

		if (end == e->d_name || *end != '\0')
			continue;
		tlen = sizeof type;
		ours = getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type,
		    &tlen) == 0 && type == SOCK_STREAM &&
		    getsockname((int)fd, (struct sockaddr *)&a, &len) == 0 &&
		    len == sizeof a && relay_same(&a, peer) &&
		    getpeername((int)fd, (struct sockaddr *)&to, &tolen) == 0 &&
		    tolen == sizeof to && relay_same(&to, self);
	}
	if (d != NULL)
		closedir(d);
	return ours;
}

/* libESMTP's connection (from this process only); 0 or -1. */
static int
relay_accept(struct mail_relay *r)
{
	uint64_t deadline = clock_ms() + r->idle_ms;
	struct pollfd p[2] = { { .fd = r->lfd, .events = POLLIN },
		{ .fd = r->stop[0], .events = POLLIN } };
	struct sockaddr_in peer;
	socklen_t len;
	uint64_t now;

	while ((now = clock_ms()) < deadline) {
		if (poll(p, 2, (int)(deadline - now)) <= 0)
			continue;	/* EINTR or the deadline */
		if (p[1].revents)
			return -1;	/* stop */
		len = sizeof peer;
		r->cfd = accept4(r->lfd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (r->cfd >= 0 && len == sizeof peer &&
		    relay_peer_ours(&peer, &r->self)) {
			close(r->lfd);	/* one connection, then no more */
			r->lfd = -1;
			return 0;
		}
		if (r->cfd >= 0)
			close(r->cfd);	/* someone else's: not for them */
		r->cfd = -1;
	}
	return -1;
}

/* What the last try on one side wants from poll. */
struct relay_wants {
	short c, s;
};

/* From the server to down (one TLS record at most). */
static bool
relay_from_server(struct mail_relay *r, struct relay_wants *w, bool *eof)
{
	int n, e;

	if (*eof || r->down.len > 0)
		return false;
	n = SSL_read(r->ssl, r->down.data, sizeof r->down.data);
	if (n > 0) {
		r->down.len = (size_t)n;
		r->down.off = 0;
		return true;
	}
	e = SSL_get_error(r->ssl, n);
	if (e == SSL_ERROR_WANT_READ)
		w->s |= POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		w->s |= POLLOUT;
	else
		*eof = true;	/* closed, or broken: nothing more comes */
	return *eof;
}

/* From libESMTP to up. */
static bool
relay_from_client(struct mail_relay *r, struct relay_wants *w, bool *eof)
{
	ssize_t n;

	if (*eof || r->up.len > 0)
		return false;
	n = recv(r->cfd, r->up.data, sizeof r->up.data, 0);
	if (n > 0) {
		r->up.len = (size_t)n;
		r->up.off = 0;
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		w->c |= POLLIN;
		return false;
	}
	*eof = true;
	return true;
}

/* up to the server; -1 = the server is gone. */
static int
relay_to_server(struct mail_relay *r, struct relay_wants *w)
{
	int n, e;

	if (r->up.len == 0)
		return 0;
	n = SSL_write(r->ssl, r->up.data + r->up.off,
	    (int)(r->up.len - r->up.off));
	if (n > 0) {
		r->up.off += (size_t)n;
		if (r->up.off == r->up.len)
			r->up.len = r->up.off = 0;
		return 1;
	}
	e = SSL_get_error(r->ssl, n);
	if (e == SSL_ERROR_WANT_READ)
		w->s |= POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		w->s |= POLLOUT;
	else
		return -1;
	return 0;
}

/* down to libESMTP; -1 = it is gone. */
static int
relay_to_client(struct mail_relay *r, struct relay_wants *w)
{
	ssize_t n;

	if (r->down.len == 0)
		return 0;
	n = send(r->cfd, r->down.data + r->down.off,
	    r->down.len - r->down.off, MSG_NOSIGNAL);
	if (n > 0) {
		r->down.off += (size_t)n;
		if (r->down.off == r->down.len)
			r->down.len = r->down.off = 0;
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		w->c |= POLLOUT;
		return 0;
	}
	return -1;
}

/* Move bytes both ways until done, stopped or idle for idle_ms. */
static void
relay_pump(struct mail_relay *r)
{
	bool c_eof = false, s_eof = false, moved;
	struct relay_wants w;
	int a, b;

	for (;;) {
		struct pollfd p[3];

		do {
			w.c = w.s = 0;
			moved = relay_from_server(r, &w, &s_eof);
			moved |= relay_from_client(r, &w, &c_eof);
			a = relay_to_server(r, &w);
			b = relay_to_client(r, &w);
			if (a < 0 || b < 0)
				return;
			moved |= a > 0 || b > 0;
		} while (moved);
		/* libESMTP hung up (after QUIT), or the server did and
		 * libESMTP has had every byte it sent */
		if ((c_eof && r->up.len == 0) || (s_eof && r->down.len == 0))
			return;
		p[0] = (struct pollfd){ .fd = r->cfd, .events = w.c };
		p[1] = (struct pollfd){ .fd = r->sfd, .events = w.s };
		p[2] = (struct pollfd){ .fd = r->stop[0], .events = POLLIN };
		if (poll(p, 3, (int)r->idle_ms) == 0 || p[2].revents)
			return;
	}
}

static void *
relay_main(void *arg)
{
	struct mail_relay *r = arg;

	if (relay_accept(r) == 0)
		relay_pump(r);
	/* libESMTP sees the end at once, whatever ended it */
	if (r->cfd >= 0)
		shutdown(r->cfd, SHUT_RDWR);
	return NULL;
}

/* Listen on 127.0.0.1, any free port; 0 or -1. */
static int
relay_listen(struct mail_relay *r, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(r->lfd, 1) < 0 ||
	    getsockname(r->lfd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	r->self = a;
	return 0;
}

int
mail_relay_start(struct mail_relay **out, const char *host, int port,
    SSL_CTX *ctx, unsigned timeout_ms, void (*beat)(void *), void *beat_arg,
    int *relay_port, enum mail_relay_fail *fail, char *reply,
    size_t replylen)
{
	const struct relay_beat b = { beat, beat_arg };
	struct mail_relay *r = calloc(1, sizeof *r);
	int err;

	*out = NULL;
	*fail = MAIL_RELAY_LOCAL;
	if (r == NULL) {
		snprintf(reply, replylen, "out of memory");
		return -1;
	}
	r->lfd = r->cfd = r->stop[0] = r->stop[1] = -1;
	/* longer than libESMTP's own time-outs: it reports them */
	r->idle_ms = timeout_ms * 2 + 1000;
	r->sfd = relay_connect(host, port, timeout_ms, &b, fail, reply,
	    replylen);
	if (r->sfd >= 0)
		r->ssl = relay_tls(r->sfd, host, ctx, timeout_ms, &b, fail,
		    reply, replylen);
	err = 0;
	if (r->ssl != NULL && (relay_listen(r, relay_port) < 0 ||
	    pipe2(r->stop, O_CLOEXEC | O_NONBLOCK) < 0))
		err = errno;
	else if (r->ssl != NULL)
		err = pthread_create(&r->thread, NULL, relay_main, r);
	if (err != 0) {
		*fail = MAIL_RELAY_LOCAL;
		snprintf(reply, replylen, "TLS relay: %s", strerror(err));
	} else if (r->ssl != NULL) {
		r->running = true;
		*fail = MAIL_RELAY_OK;
		*out = r;
		return 0;
	}
	mail_relay_stop(r);
	return -1;
}

void
mail_relay_stop(struct mail_relay *r)
{
	if (r == NULL)
		return;
	if (r->running) {
		if (write(r->stop[1], "x", 1) < 0) {
			/* full or closed: the pump ends on its idle time */
		}
		pthread_join(r->thread, NULL);
	}
	if (r->ssl != NULL) {
		SSL_shutdown(r->ssl);	/* best effort: non-blocking */
		SSL_free(r->ssl);
	}
	for (int i = 0; i < 2; i++)
		if (r->stop[i] >= 0)
			close(r->stop[i]);
	if (r->lfd >= 0)
		close(r->lfd);
	if (r->cfd >= 0)
		close(r->cfd);
	if (r->sfd >= 0)
		close(r->sfd);
	explicit_bzero(r, sizeof *r);	/* the buffers held the password */
	free(r);
}
