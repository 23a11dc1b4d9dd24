/* SPDX-License-Identifier: MIT */
/*
 * TLS on connect (SMTPS, port 465) for libESMTP, which can only speak
 * clear text or STARTTLS: the mail thread connects to the server and
 * completes the TLS handshake itself (same checks as STARTTLS: the CA
 * file, and a server named by IP address against the certificate's IP
 * SANs), then listens on an ephemeral 127.0.0.1 port. libESMTP connects
 * there in clear, and a helper thread pumps bytes between that one
 * connection and the TLS connection until either side closes, the mail
 * thread calls mail_relay_stop, or nothing moves for the idle time.
 * Only a connection from a socket of this process is taken.
 */
#ifndef CONVERGD_MAIL_RELAY_H
#define CONVERGD_MAIL_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct mail_relay;

/* Why mail_relay_start failed, for the failure matrix. */
enum mail_relay_fail {
	MAIL_RELAY_OK,
	MAIL_RELAY_RESOLVE,	/* host not found */
	MAIL_RELAY_CONNECT,	/* refused, unreachable, time-out */
	MAIL_RELAY_TLS,		/* handshake failed (not the certificate) */
	MAIL_RELAY_CERT,	/* the certificate was rejected */
	MAIL_RELAY_LOCAL,	/* out of memory, no socket, no thread */
};

/*
 * Connect to host:port, TLS with `ctx` (verification as described),
 * each step bounded by timeout_ms; then listen on 127.0.0.1. 0 with
 * *out and *port (the relay's), or -1 with *fail and `reply`.
 */
int mail_relay_start(struct mail_relay **out, const char *host, int port,
    SSL_CTX *ctx, unsigned timeout_ms, void (*beat)(void *), void *beat_arg,
    int *relay_port, enum mail_relay_fail *fail, char *reply,
    size_t replylen);
/* End the pump (if still running) and free everything. */
void mail_relay_stop(struct mail_relay *r);

#endif
