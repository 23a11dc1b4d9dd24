/* SPDX-License-Identifier: MIT */
/*
 * The mail service's pure codec: an alert (one event or a digest of
 * many) to an RFC 5322 message (CRLF, UTF-8), the outbox file format
 * (bytes to struct and back, on a bounded reader), and the failure
 * matrix of libraries.md §3 (SMTP result codes to what to do). No
 * sockets, files, locks, logging or clock here.
 */
#ifndef CONVERGD_MAIL_MSG_H
#define CONVERGD_MAIL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bus.h"
#include "mail_tz.h"
#include "state.h"

#define MAIL_MSG_MAX 16384	/* one message, headers and body */
#define MAIL_RCPT_MAX 48	/* recipients of one message */
#define MAIL_SAMPLES 10		/* distinct texts a digest lists */
#define MAIL_ID_MAX 128		/* Message-ID with its brackets */
#define MAIL_FILE_MAX (MAIL_MSG_MAX + MAIL_RCPT_MAX * 140 + 512)

/* The unit as a mail names it. */
struct mail_unit {
	char label[32];		/* unit.label, may be empty */
	char model[16];		/* "880TA" */
	char type_id[8];	/* "#H0" */
	char uid[12];
	char address[48];	/* network.address; empty = not set */
	char host[64];		/* right-hand side of the Message-ID */
	char instance[12];	/* random per start: IDs never repeat */
	const struct mail_tz *tz;	/* time.zone; NULL = UTC */
};

/* What one mail is about: one event, or `count` of them (a digest). */
struct mail_alert {
	enum event_category category;
	enum event_severity severity;	/* the highest one seen */
	time_t first, last;
	unsigned count;
	char text[BUS_TEXT_MAX];	/* the first event's text */
	char from[BUS_TEXT_MAX];	/* who caused it (bus_origin_describe) */
	size_t nsamples;		/* distinct texts, digest only */
	char samples[MAIL_SAMPLES][BUS_TEXT_MAX];
	unsigned sample_count[MAIL_SAMPLES];
};

/* The outbox file: envelope, then the message as it goes on the wire. */
struct mail_spool {
	char id[MAIL_ID_MAX];
	time_t created;
	size_t nrcpt;		/* recipients not yet done */
	char rcpt[MAIL_RCPT_MAX][STATE_MAIL_ADDR_MAX];
	const char *message;	/* points into the parsed buffer */
	size_t message_len;
};

const char *mail_msg_category_name(enum event_category c);
const char *mail_msg_severity_name(enum event_severity s);

/* "<created.seq.instance.uid@host>" */
void mail_msg_id(char *buf, size_t len, time_t created, uint64_t seq,
    const struct mail_unit *u);

/*
 * The whole message (headers + body, CRLF, 8bit UTF-8) for `a` from
 * `from` to the spool's recipients, dated `now`. Returns its length or
 * -ENOSPC.
 */
int mail_msg_format(const struct mail_alert *a, const struct mail_unit *u,
    const char *from, const struct mail_spool *sp, time_t now, char *out,
    size_t len);

/* The outbox file for `sp` (with its message); length or -ENOSPC. */
int mail_msg_spool_encode(const struct mail_spool *sp, char *out,
    size_t len);
/*
 * Parse an outbox file held in buf[0..len); sp->message points into
 * buf. 0, or -EINVAL with a reason.
 */
int mail_msg_spool_parse(const char *buf, size_t len, struct mail_spool *sp,
    char *why, size_t whylen);

/* ---- the failure matrix ---- */

/* One SMTP attempt as libESMTP reported it. */
struct mail_outcome {
	int started;		/* smtp_start_session() result */
	int smtp_err;		/* smtp_errno() */
	bool cert_rejected;	/* our certificate check said no */
	int reverse_code;	/* MAIL FROM reply */
	int message_code;	/* reply after the data */
	size_t nrcpt;
	int rcpt_code[MAIL_RCPT_MAX];
};

enum mail_fate {
	MAIL_FATE_DONE,		/* every recipient settled (sent or refused) */
	MAIL_FATE_PARTIAL,	/* some settled, some to retry (e.g. 451) */
	MAIL_FATE_RETRY,	/* nothing settled: server down, time-out */
	MAIL_FATE_CONFIG,	/* our settings are wrong: hold, do not retry */
	MAIL_FATE_REJECTED,	/* the server refused the message (5xx) */
};

enum mail_rcpt_fate { MAIL_RCPT_SENT, MAIL_RCPT_REFUSED, MAIL_RCPT_RETRY };

/* Classify `o`; per-recipient results go to `rcpt` (o->nrcpt entries). */
enum mail_fate mail_msg_classify(const struct mail_outcome *o,
    enum mail_rcpt_fate *rcpt);

#endif
