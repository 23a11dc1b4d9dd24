/* SPDX-License-Identifier: MIT */
/* One SMTP session with libESMTP (mail_smtp.h). */
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* this order, or smtp_starttls_set_ctx and smtp_auth_set_context are
 * not declared (libraries.md §3) */
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "clock.h"
#include "mail_relay.h"
#include "mail_smtp.h"

struct session {
	const struct mail_server *srv;
	struct mail_outcome *o;
	char auth_reply[128];	/* the server's "535 ..." to our AUTH */
	uint64_t last_ms;	/* last bytes either way (time-outs) */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
	/* a server closing the socket must not kill the daemon */
	signal(SIGPIPE, SIG_IGN);
	auth_client_init();	/* process-wide, never undone */
}

void
mail_smtp_global_init(void)
{
	pthread_once(&global_once, global_init);
}

/*
 * libESMTP matches only DNS names; a unit configured with its server's
 * IP address needs the certificate's IP SAN checked here.
 */
static bool
cert_matches_ip(const struct mail_server *srv, SSL *ssl)
{
	struct in_addr a;
	X509 *cert;

	if (ssl == NULL || inet_pton(AF_INET, srv->host, &a) != 1)
		return false;
	cert = SSL_get0_peer_certificate(ssl);
	return cert != NULL && X509_check_ip_asc(cert, srv->host, 0) == 1;
}

static void
on_tls_event(struct session *s, int event, va_list ap)
{
	int *ok;

	switch (event) {
	case SMTP_EV_WEAK_CIPHER: {
		int bits = va_arg(ap, int);

		ok = va_arg(ap, int *);
		*ok = bits >= 128;
		break;
	}
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		(void)va_arg(ap, long);
		ok = va_arg(ap, int *);
		*ok = 0;
		s->o->cert_rejected = true;
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = 0;
		s->o->cert_rejected = true;
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE: {
		SSL *ssl;

		ok = va_arg(ap, int *);
		(void)va_arg(ap, const char *);
		ssl = va_arg(ap, SSL *);
		*ok = cert_matches_ip(s->srv, ssl);
		s->o->cert_rejected = !*ok;
		break;
	}
	case SMTP_EV_NO_CLIENT_CERTIFICATE:
	case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = 1;	/* we never present one */
		break;
	default:
		break;
	}
}

static void
on_event(smtp_session_t session, int event, void *arg, ...)
{
	struct session *s = arg;
	va_list ap;

	(void)session;
	/* a slow server must not look like a hung service */
	if (s->srv->beat != NULL)
		s->srv->beat(s->srv->beat_arg);
	va_start(ap, arg);
	on_tls_event(s, event, ap);
	va_end(ap);
}

/*
 * libESMTP goes on without AUTH when it is refused, and the server then
 * refuses MAIL FROM (530): keep the refusal of AUTH itself, which says
 * what is wrong. Only what the server sends is looked at.
 */
static void
on_monitor(const char *buf, int len, int writing, void *arg)
{
	struct session *s = arg;
	int n = 0;

	s->last_ms = clock_ms();
	if (writing != SMTP_CB_READING || len < 4 || s->auth_reply[0] ||
	    !(buf[0] == '5' && buf[1] == '3' && (buf[2] == '5' ||
	    buf[2] == '4')))
		return;
	while (n < len && buf[n] != '\r' && buf[n] != '\n')
		n++;
	snprintf(s->auth_reply, sizeof s->auth_reply, "AUTH refused: %.*s",
	    n, buf);
}

static int
on_auth(auth_client_request_t request, char **result, int fields, void *arg)
{
	const struct mail_server *srv = arg;

	for (int i = 0; i < fields; i++) {
		if (request[i].flags & AUTH_USER)
			result[i] = (char *)(uintptr_t)srv->user;
		else if (request[i].flags & AUTH_PASS)
			result[i] = (char *)(uintptr_t)srv->password;
		else
			return 0;
	}
	return 1;
}

static SSL_CTX *
tls_context(const struct mail_server *srv, char *reply, size_t replylen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		snprintf(reply, replylen, "TLS: out of memory");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (srv->ca_file[0] ? SSL_CTX_load_verify_locations(ctx,
	    srv->ca_file, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(reply, replylen, "TLS: cannot load CA file %s",
		    srv->ca_file);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Server, EHLO name, time-outs, TLS and AUTH; 0 or -1 (reply says). */
static int
setup(smtp_session_t s, const struct mail_server *srv, auth_context_t *auth,
    char *reply, size_t replylen)
{
	char server[96];
	SSL_CTX *ctx;

	snprintf(server, sizeof server, "%s:%d", srv->host, srv->port);
	smtp_set_server(s, server);
	smtp_set_hostname(s, srv->ehlo);
	for (int w = Timeout_GREETING; w <= Timeout_DATA2; w++)
		smtp_set_timeout(s, w | Timeout_OVERRIDE_RFC2822_MINIMUM,
		    (long)srv->timeout_ms);
	if (srv->security == MAIL_SEC_STARTTLS ||
	    srv->security == MAIL_SEC_STARTTLS_OPTIONAL) {
		if ((ctx = tls_context(srv, reply, replylen)) == NULL)
			return -1;
		smtp_starttls_enable(s, srv->security == MAIL_SEC_STARTTLS ?
		    Starttls_REQUIRED : Starttls_ENABLED);
		smtp_starttls_set_ctx(s, ctx);	/* the session takes a ref */
		SSL_CTX_free(ctx);
	}
	if (srv->user[0] != '\0') {
		*auth = auth_create_context();
		if (*auth == NULL)
			return -1;
		auth_set_mechanism_flags(*auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(*auth, on_auth, (void *)(uintptr_t)srv);
		smtp_auth_set_context(s, *auth);
	}
	return 0;
}

static void
status_text(char *reply, size_t replylen, const smtp_status_t *st)
{
	size_t n;

	snprintf(reply, replylen, "%d %s", st->code,
	    st->text ? st->text : "");
	n = strlen(reply);
	while (n > 0 && (reply[n - 1] == '\n' || reply[n - 1] == '\r'))
		reply[--n] = '\0';
}

/* Fill `o` and the one line that explains it best. */
static void
collect(smtp_message_t m, smtp_recipient_t *r, const struct session *ses,
    char *reply, size_t replylen)
{
	struct mail_outcome *o = ses->o;
	const smtp_status_t *rev = smtp_reverse_path_status(m);
	const smtp_status_t *msg = smtp_message_transfer_status(m);
	char buf[128];

	o->smtp_err = smtp_errno();
	o->reverse_code = rev ? rev->code : 0;
	o->message_code = msg ? msg->code : 0;
	for (size_t i = 0; i < o->nrcpt; i++) {
		const smtp_status_t *st = smtp_recipient_status(r[i]);

		o->rcpt_code[i] = st ? st->code : 0;
		if (st != NULL && st->code != 0 && (st->code < 200 ||
		    st->code >= 300))
			status_text(reply, replylen, st);
	}
	if (o->cert_rejected)
		snprintf(reply, replylen, "TLS: server certificate rejected");
	else if (o->smtp_err == SMTP_ERR_DROPPED_CONNECTION &&
	    clock_ms() - ses->last_ms >= ses->srv->timeout_ms * 9ull / 10)
		/* libESMTP reports its own time-out as a dropped connection */
		snprintf(reply, replylen, "time-out: no answer from the server "
		    "within %u s", ses->srv->timeout_ms / 1000);
	else if (o->reverse_code == 0 || !o->started)
		snprintf(reply, replylen, "%s", smtp_strerror(o->smtp_err, buf,
		    sizeof buf));
	else if (o->reverse_code >= 300 && ses->auth_reply[0])
		snprintf(reply, replylen, "%s", ses->auth_reply);
	else if (o->reverse_code >= 300)
		status_text(reply, replylen, rev);
	else if (o->message_code != 0 && reply[0] == '\0')
		status_text(reply, replylen, msg);
}

static void tls_on_connect(const struct mail_server *srv,
    const struct mail_spool *sp, struct mail_outcome *o, char *reply,
    size_t replylen);

void
mail_smtp_send(const struct mail_server *srv, const struct mail_spool *sp,
    struct mail_outcome *o, char *reply, size_t replylen)
{
	smtp_recipient_t rcpt[MAIL_RCPT_MAX];
	struct session ses = { .srv = srv, .o = o };
	auth_context_t auth = NULL;
	smtp_session_t s;
	smtp_message_t m;

	memset(o, 0, sizeof *o);
	reply[0] = '\0';
	if (srv->security == MAIL_SEC_TLS) {
		tls_on_connect(srv, sp, o, reply, replylen);
		return;
	}
	s = smtp_create_session();
	m = s ? smtp_add_message(s) : NULL;
	if (m == NULL || setup(s, srv, &auth, reply, replylen) < 0) {
		o->smtp_err = 7;
		if (reply[0] == '\0')
			snprintf(reply, replylen, "out of memory");
		goto out;
	}
	smtp_set_eventcb(s, on_event, &ses);
	smtp_set_monitorcb(s, on_monitor, &ses, 0);
	ses.last_ms = clock_ms();
	smtp_set_reverse_path(m, srv->from);
	smtp_set_message_str(m, (void *)(uintptr_t)sp->message);
	o->nrcpt = sp->nrcpt;
	for (size_t i = 0; i < sp->nrcpt; i++)
		rcpt[i] = smtp_add_recipient(m, sp->rcpt[i]);
	o->started = smtp_start_session(s);
	collect(m, rcpt, &ses, reply, replylen);
out:
	if (s != NULL)
		smtp_destroy_session(s);
	if (auth != NULL)
		auth_destroy_context(auth);
}

/*
 * TLS on connect: libESMTP talks in clear to a relay on 127.0.0.1 that
 * holds the TLS connection (mail_relay.h), checked like STARTTLS.
 * Failures before SMTP begins are sorted as libESMTP's own would be: a
 * rejected certificate or a bad CA file holds the outbox, the rest is
 * retried.
 */
static void
tls_on_connect(const struct mail_server *srv, const struct mail_spool *sp,
    struct mail_outcome *o, char *reply, size_t replylen)
{
	struct mail_server via = *srv;
	struct mail_relay *relay = NULL;
	enum mail_relay_fail fail;
	SSL_CTX *ctx = tls_context(srv, reply, replylen);
	int port = 0;

	if (ctx == NULL) {
		o->smtp_err = SMTP_ERR_INVAL;
		return;
	}
	if (mail_relay_start(&relay, srv->host, srv->port, ctx,
	    srv->timeout_ms, srv->beat, srv->beat_arg, &port, &fail, reply,
	    replylen) < 0) {
		o->cert_rejected = fail == MAIL_RELAY_CERT;
		o->smtp_err = fail == MAIL_RELAY_RESOLVE ?
		    SMTP_ERR_HOST_NOT_FOUND : SMTP_ERR_DROPPED_CONNECTION;
		SSL_CTX_free(ctx);
		return;
	}
	SSL_CTX_free(ctx);	/* the relay's SSL keeps a reference */
	snprintf(via.host, sizeof via.host, "127.0.0.1");
	via.port = port;
	via.security = MAIL_SEC_NONE;
	mail_smtp_send(&via, sp, o, reply, replylen);
	mail_relay_stop(relay);
	explicit_bzero(via.password, sizeof via.password);
}
