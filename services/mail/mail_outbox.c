/* SPDX-License-Identifier: MIT */
/* The persistent outbox (mail_outbox.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_outbox.h"

static void
name_of(char *buf, size_t len, uint64_t seq, const char *suffix)
{
	snprintf(buf, len, "%016" PRIx64 ".mail%s", seq, suffix);
}

/* mkdir that accepts an existing folder. */
static int
make_dir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

enum file_kind { FILE_MAIL, FILE_TMP, FILE_BAD };

/* SEQ and kind from "0000000000000001.mail[.tmp|.bad]"; -1 if not ours. */
static int
parse_name(const char *name, uint64_t *seq)
{
	static const char *const suffix[] = { ".mail", ".mail.tmp",
		".mail.bad" };
	char *end;

	if (strlen(name) < 21 || name[16] != '.')
		return -1;
	*seq = strtoull(name, &end, 16);
	if (end != name + 16)
		return -1;
	for (int k = FILE_MAIL; k <= FILE_BAD; k++)
		if (strcmp(end, suffix[k]) == 0)
			return k;
	return -1;
}

static int
queue_add(struct mail_outbox *ob, uint64_t seq, time_t created)
{
	struct mail_queued *q;
	size_t i;

	if (ob->count == ob->cap) {
		size_t cap = ob->cap ? ob->cap * 2 : 64;

		q = realloc(ob->q, cap * sizeof *q);
		if (q == NULL)
			return -ENOMEM;
		ob->q = q;
		ob->cap = cap;
	}
	/* keep seq order (a scan finds files in any order) */
	for (i = ob->count; i > 0 && ob->q[i - 1].seq > seq; i--)
		ob->q[i] = ob->q[i - 1];
	ob->q[i] = (struct mail_queued){ .seq = seq, .created = created };
	ob->count++;
	return 0;
}

static int
scan(struct mail_outbox *ob)
{
	DIR *d = fdopendir(dup(ob->dirfd));
	struct dirent *e;
	struct stat st;
	uint64_t seq;
	int err = 0, kind;

	if (d == NULL)
		return -errno;
	while (err == 0 && (e = readdir(d)) != NULL) {
		if ((kind = parse_name(e->d_name, &seq)) < 0)
			continue;
		if (seq >= ob->next_seq)
			ob->next_seq = seq + 1;
		if (kind == FILE_TMP)	/* a write cut off: never acknowledged */
			unlinkat(ob->dirfd, e->d_name, 0);
		else if (kind == FILE_MAIL &&
		    fstatat(ob->dirfd, e->d_name, &st, 0) == 0)
			err = queue_add(ob, seq, st.st_mtime);
	}
	closedir(d);
	return err;
}

int
mail_outbox_open(struct mail_outbox *ob, const char *spool_dir, char *why,
    size_t whylen)
{
	char path[4200];
	int err;

	memset(ob, 0, sizeof *ob);
	ob->dirfd = -1;
	ob->next_seq = 1;
	snprintf(path, sizeof path, "%s/mail", spool_dir);
	if ((err = make_dir(spool_dir)) < 0 || (err = make_dir(path)) < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(-err));
		return err;
	}
	ob->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ob->dirfd < 0 || (err = scan(ob)) < 0) {
		err = ob->dirfd < 0 ? -errno : err;
		snprintf(why, whylen, "%s: %s", path, strerror(-err));
		mail_outbox_close(ob);
		return err;
	}
	return 0;
}

void
mail_outbox_close(struct mail_outbox *ob)
{
	if (ob->dirfd >= 0)
		close(ob->dirfd);
	ob->dirfd = -1;
	free(ob->q);
	ob->q = NULL;
	ob->count = ob->cap = 0;
}

uint64_t
mail_outbox_next_seq(struct mail_outbox *ob)
{
	return ob->next_seq++;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* FILE.tmp, fsync, rename over FILE, fsync the folder. */
static int
write_atomic(struct mail_outbox *ob, uint64_t seq,
    const struct mail_spool *sp)
{
	char name[64], tmp[64], *buf;
	int fd, n, err;

	buf = malloc(MAIL_FILE_MAX);
	if (buf == NULL)
		return -ENOMEM;
	n = mail_msg_spool_encode(sp, buf, MAIL_FILE_MAX);
	name_of(name, sizeof name, seq, "");
	name_of(tmp, sizeof tmp, seq, ".tmp");
	fd = n < 0 ? -1 : openat(ob->dirfd, tmp, O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0600);
	err = n < 0 ? n : fd < 0 ? -errno : 0;
	if (err == 0) {
		/* mtime = creation: the age limit survives rewrites */
		struct timespec t[2] = { { sp->created, 0 },
			{ sp->created, 0 } };

		err = write_all(fd, buf, (size_t)n);
		if (err == 0 && futimens(fd, t) < 0)
			err = -errno;
		if (err == 0 && fsync(fd) < 0)
			err = -errno;
		close(fd);
		if (err == 0 && renameat(ob->dirfd, tmp, ob->dirfd, name) < 0)
			err = -errno;
		if (err == 0 && fsync(ob->dirfd) < 0)
			err = -errno;
		if (err < 0)
			unlinkat(ob->dirfd, tmp, 0);
	}
	free(buf);
	return err;
}

int
mail_outbox_put(struct mail_outbox *ob, uint64_t seq,
    const struct mail_spool *sp)
{
	int err = write_atomic(ob, seq, sp);

	return err < 0 ? err : queue_add(ob, seq, sp->created);
}

int
mail_outbox_rewrite(struct mail_outbox *ob, uint64_t seq,
    const struct mail_spool *sp)
{
	return write_atomic(ob, seq, sp);
}

int
mail_outbox_read(struct mail_outbox *ob, uint64_t seq, char *buf,
    size_t len, struct mail_spool *sp, char *why, size_t whylen)
{
	char name[64];
	ssize_t n;
	size_t got = 0;
	int fd;

	name_of(name, sizeof name, seq, "");
	fd = openat(ob->dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
		return -errno;
	}
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return mail_msg_spool_parse(buf, got, sp, why, whylen);
}

static void
forget(struct mail_outbox *ob, uint64_t seq)
{
	for (size_t i = 0; i < ob->count; i++)
		if (ob->q[i].seq == seq) {
			memmove(&ob->q[i], &ob->q[i + 1],
			    (ob->count - i - 1) * sizeof *ob->q);
			ob->count--;
			return;
		}
}

int
mail_outbox_remove(struct mail_outbox *ob, uint64_t seq)
{
	char name[64];
	int err = 0;

	name_of(name, sizeof name, seq, "");
	if (unlinkat(ob->dirfd, name, 0) < 0 && errno != ENOENT)
		err = -errno;
	else if (fsync(ob->dirfd) < 0)
		err = -errno;
	forget(ob, seq);
	return err;
}

int
mail_outbox_quarantine(struct mail_outbox *ob, uint64_t seq)
{
	char name[64], bad[64];
	int err = 0;

	name_of(name, sizeof name, seq, "");
	name_of(bad, sizeof bad, seq, ".bad");
	if (renameat(ob->dirfd, name, ob->dirfd, bad) < 0)
		err = -errno;
	forget(ob, seq);
	return err;
}

struct mail_queued *
mail_outbox_find(struct mail_outbox *ob, uint64_t seq)
{
	for (size_t i = 0; i < ob->count; i++)
		if (ob->q[i].seq == seq)
			return &ob->q[i];
	return NULL;
}
