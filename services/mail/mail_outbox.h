/* SPDX-License-Identifier: MIT */
/*
 * The persistent outbox: one file per message in SPOOL/mail/, named by
 * a sequence number (so the folder's order is the order of the events),
 * each written atomically (FILE.tmp, fsync, rename, fsync of the
 * folder). A file exists from before the first attempt until the server
 * accepted (or refused for good) every recipient; recipients settled
 * earlier are taken out by an atomic rewrite. Leftover .tmp files were
 * never acknowledged and are removed at open.
 */
#ifndef CONVERGD_MAIL_OUTBOX_H
#define CONVERGD_MAIL_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mail_msg.h"

/* One queued message, as the sender schedules it. */
struct mail_queued {
	uint64_t seq;
	time_t created;
	uint64_t next_ms;	/* not before (monotonic ms); 0 = now */
	unsigned backoff_s;	/* last wait, doubled on each failure */
};

struct mail_outbox {
	int dirfd;
	uint64_t next_seq;
	size_t count, cap;
	struct mail_queued *q;	/* oldest first */
};

/*
 * Open (create) SPOOL/mail and index what is there. 0, or -errno with a
 * reason.
 */
int mail_outbox_open(struct mail_outbox *ob, const char *spool_dir,
    char *why, size_t whylen);
void mail_outbox_close(struct mail_outbox *ob);
/* The number the next message gets (its Message-ID uses it). */
uint64_t mail_outbox_next_seq(struct mail_outbox *ob);
/* Store `sp` as message `seq` (durable when this returns 0). */
int mail_outbox_put(struct mail_outbox *ob, uint64_t seq,
    const struct mail_spool *sp);
/* Read message `seq` into buf (MAIL_FILE_MAX) and parse it. */
int mail_outbox_read(struct mail_outbox *ob, uint64_t seq, char *buf,
    size_t len, struct mail_spool *sp, char *why, size_t whylen);
/* Replace message `seq` (fewer recipients), atomically. */
int mail_outbox_rewrite(struct mail_outbox *ob, uint64_t seq,
    const struct mail_spool *sp);
/* Remove message `seq` for good (durable when this returns). */
int mail_outbox_remove(struct mail_outbox *ob, uint64_t seq);
/* Keep an unreadable file as SEQ.bad and forget it. */
int mail_outbox_quarantine(struct mail_outbox *ob, uint64_t seq);
/* The queue entry of `seq`, or NULL. */
struct mail_queued *mail_outbox_find(struct mail_outbox *ob, uint64_t seq);

#endif
