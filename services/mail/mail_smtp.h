/* SPDX-License-Identifier: MIT */
/*
 * One SMTP session with libESMTP (libraries.md §3): one message to its
 * pending recipients, every time-out set (RFC minimums overridden), our
 * own SSL_CTX (CA file, TLS >= 1.2) and our own check of a server named
 * by IP address. Blocking; called on the mail thread only.
 */
#ifndef CONVERGD_MAIL_SMTP_H
#define CONVERGD_MAIL_SMTP_H

#include <stddef.h>

#include "mail_msg.h"

enum mail_security {
	MAIL_SEC_NONE,
	MAIL_SEC_STARTTLS,	/* required */
	MAIL_SEC_TLS,		/* TLS on connect, through mail_relay.h */
	MAIL_SEC_STARTTLS_OPTIONAL,
};

struct mail_server {
	char host[64];
	int port;
	enum mail_security security;
	char user[64];
	char password[64];
	char from[128];
	char ehlo[64];
	const char *ca_file;	/* "" = the system's CAs */
	unsigned timeout_ms;	/* per protocol step */
	void (*beat)(void *arg);	/* called at every protocol step */
	void *beat_arg;
};

/* Once per process, before the first session. */
void mail_smtp_global_init(void);
/*
 * Send `sp` to `srv`: fills `o` (for mail_msg_classify) and `reply`
 * with the server's last words or the failure's reason.
 */
void mail_smtp_send(const struct mail_server *srv,
    const struct mail_spool *sp, struct mail_outcome *o, char *reply,
    size_t replylen);

#endif
