/* SPDX-License-Identifier: MIT */
/*
 * Crash-safe file I/O (persist.h). A write goes to PATH.tmp, is fsynced,
 * the current PATH is kept as PATH.bak (hard link + rename), PATH.tmp is
 * renamed over PATH and the folder fsynced, so after a crash at any
 * point PATH or PATH.bak holds a complete, acknowledged document.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"

#define PERSIST_FILE_MAX (16u << 20)	/* refuse to read larger files */

static _Atomic unsigned long persist_count;

int
persist_read(const char *path, char **text, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size > PERSIST_FILE_MAX) {
		err = st.st_size > PERSIST_FILE_MAX ? -EFBIG : -errno;
		close(fd);
		return err;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size &&
	    (n = read(fd, buf + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	buf[off] = '\0';
	*text = buf;
	*len = off;
	return 0;
}

/* Read one file and ask `accept`; the reason starts with the path. */
static int
persist_try(const char *path, persist_accept_fn accept, void *arg,
    char *why, size_t whylen)
{
	char reason[400] = "";
	size_t len = 0;
	char *text;
	int err = persist_read(path, &text, &len);

	if (err < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(-err));
		return err;
	}
	err = accept(path, text, len, arg, reason, sizeof reason);
	free(text);
	if (err < 0)
		snprintf(why, whylen, "%s", reason);
	return err < 0 ? err : 0;
}

int
persist_load(const char *path, persist_accept_fn accept, void *arg,
    char *why, size_t whylen)
{
	char bak[PATH_MAX + 8], aside[PATH_MAX + 16];
	char main_why[500], bak_why[500];
	int rc_main, rc_bak;

	snprintf(bak, sizeof bak, "%s.bak", path);
	why[0] = '\0';
	rc_main = persist_try(path, accept, arg, main_why, sizeof main_why);
	if (rc_main == 0)
		return 0;
	rc_bak = persist_try(bak, accept, arg, bak_why, sizeof bak_why);
	if (rc_main == -ENOENT && rc_bak == -ENOENT)
		return 1;	/* first boot */
	if (rc_bak < 0) {
		snprintf(why, whylen, "%s; and %s", main_why, bak_why);
		return -EINVAL;
	}
	/*
	 * Keep the bad file for inspection; the next save replaces it. Only
	 * now: with no good copy it must stay where it is, so that every
	 * later start refuses too (never a silent reset).
	 */
	snprintf(aside, sizeof aside, "%s.corrupt", path);
	if (rc_main != -ENOENT && rename(path, aside) == 0)
		log_warnx("persist: kept the unreadable file as %s", aside);
	snprintf(why, whylen, "%s; using the last good copy %s", main_why,
	    bak);
	return 0;
}

static int
persist_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
persist_fsync_dir(const char *path)
{
	char tmp[PATH_MAX];
	int fd, rc = 0;

	snprintf(tmp, sizeof tmp, "%s", path);
	fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Keep the current file as PATH.bak before it is replaced. */
static void
persist_keep_backup(const char *path)
{
	char bak[PATH_MAX + 8], baktmp[PATH_MAX + 12];

	snprintf(bak, sizeof bak, "%s.bak", path);
	snprintf(baktmp, sizeof baktmp, "%s.bak.tmp", path);
	unlink(baktmp);
	if (link(path, baktmp) < 0) {
		/* nothing to keep on the first save, or after a .corrupt */
		if (errno != ENOENT)
			log_warn("persist: cannot keep %s", bak);
		return;
	}
	if (rename(baktmp, bak) < 0)
		log_warn("persist: cannot keep %s", bak);
}

int
persist_write(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX + 8];
	int fd, rc;

	if (strlen(path) + 5 >= PATH_MAX)
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = persist_write_all(fd, text, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0) {
		persist_keep_backup(path);
		if (rename(tmp, path) < 0)
			rc = -errno;
	}
	if (rc == 0)
		rc = persist_fsync_dir(path);
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	persist_count++;
	return 0;
}

int
persist_probe(const char *path)
{
	char tmp[PATH_MAX + 8];
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(tmp);
	return 0;
}

/* The PID written in a lock file (0 if unreadable). */
static long
persist_lock_owner(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int
persist_lock(const char *path, char *why, size_t whylen)
{
	char lock[PATH_MAX + 8], pid[24];
	int fd, err;

	snprintf(lock, sizeof lock, "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		snprintf(why, whylen, "cannot open %s: %s", lock,
		    strerror(errno));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (err == -EBUSY)
			snprintf(why, whylen, "state file %s is in use by PID "
			    "%ld", path, persist_lock_owner(fd));
		else
			snprintf(why, whylen, "cannot lock %s: %s", lock,
			    strerror(-err));
		close(fd);
		return err;
	}
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 ||
	    pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
		log_warn("persist: cannot write the PID to %s", lock);
	return fd;
}

unsigned long
persist_writes(void)
{
	return persist_count;
}
