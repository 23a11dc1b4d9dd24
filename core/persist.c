/* SPDX-License-Identifier: MIT */
/*
 * State file persistence. A save writes FILE.tmp, fsyncs it, keeps the
 * current good FILE as FILE.bak (hard link + rename), renames FILE.tmp
 * over FILE and fsyncs the folder, so after a crash at any point FILE or
 * FILE.bak holds a complete, acknowledged state.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "clock.h"
#include "log.h"
#include "persist.h"
#include "state.h"

#define PERSIST_FILE_MAX (16u << 20)	/* refuse to load larger files */
#define PERSIST_COALESCE_MS 1000

static pthread_mutex_t persist_lock = PTHREAD_MUTEX_INITIALIZER;
static char persist_path[PATH_MAX];
static char persist_dir[PATH_MAX];
static bool persist_ready;
static bool persist_main_good;	/* FILE is worth keeping as FILE.bak */
static _Atomic bool persist_dirty;
static uint64_t persist_last_ms;
static _Atomic unsigned long persist_count;

int
persist_init(const char *path)
{
	char tmp[PATH_MAX];

	if (strlen(path) + 5 >= sizeof persist_path)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&persist_lock);
	snprintf(persist_path, sizeof persist_path, "%s", path);
	snprintf(tmp, sizeof tmp, "%s", path);
	snprintf(persist_dir, sizeof persist_dir, "%s", dirname(tmp));
	persist_ready = true;
	persist_main_good = false;
	persist_dirty = false;
	pthread_mutex_unlock(&persist_lock);
	return 0;
}

void
persist_fini(void)
{
	pthread_mutex_lock(&persist_lock);
	persist_ready = false;
	pthread_mutex_unlock(&persist_lock);
}

/* Read a whole file (bounded); caller frees. */
static char *
persist_read(const char *path, size_t *len, int *err)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || st.st_size > PERSIST_FILE_MAX) {
		*err = st.st_size > PERSIST_FILE_MAX ? -EFBIG : -errno;
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	while (off < (size_t)st.st_size &&
	    (n = read(fd, buf + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

/* Parse and apply one file; 0, or -errno with the reason in `why`. */
static int
persist_try(const char *path, char *why, size_t whylen)
{
	static const struct origin boot = { .flags = ORIGIN_INTERNAL,
		.user = "convergd", .from = "state file" };
	json_error_t jerr;
	json_t *root;
	size_t len = 0;
	int err = 0;
	char *text = persist_read(path, &len, &err);
	char reason[200];

	if (!text) {
		snprintf(why, whylen, "%s: %s", path, strerror(-err));
		return err;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!root) {
		snprintf(why, whylen, "%s:%d:%d: not valid JSON: %s", path,
		    jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	err = state_from_json(root, &boot, reason, sizeof reason);
	json_decref(root);
	if (err < 0) {
		snprintf(why, whylen, "%s: %s", path, reason);
		return err;
	}
	return 0;
}

int
persist_load(char *why, size_t whylen)
{
	char bak[PATH_MAX + 8], main_why[400], bak_why[400];
	int rc_main, rc_bak;

	snprintf(bak, sizeof bak, "%s.bak", persist_path);
	why[0] = '\0';
	rc_main = persist_try(persist_path, main_why, sizeof main_why);
	if (rc_main == 0) {
		persist_main_good = true;
		return 0;
	}
	rc_bak = persist_try(bak, bak_why, sizeof bak_why);
	if (rc_main == -ENOENT && rc_bak == -ENOENT)
		return 1;	/* first boot */
	if (rc_bak == 0) {
		/*
		 * Keep the bad file for inspection; it is replaced by the next
		 * save. Only now: with no good copy it must stay where it is,
		 * so that every later start refuses too (never a silent reset).
		 */
		char aside[PATH_MAX + 16];

		snprintf(aside, sizeof aside, "%s.corrupt", persist_path);
		if (rc_main != -ENOENT && rename(persist_path, aside) == 0)
			log_warnx("persist: kept the unreadable file as %s", aside);
		snprintf(why, whylen, "%s; using the last good copy %s",
		    main_why, bak);
		persist_main_good = false;
		return 0;
	}
	snprintf(why, whylen, "%s; and %s", main_why, bak_why);
	return -EINVAL;
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
persist_fsync_dir(void)
{
	int fd = open(persist_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Keep the current good file as FILE.bak before it is replaced. */
static void
persist_keep_backup(void)
{
	char bak[PATH_MAX + 8], baktmp[PATH_MAX + 12];

	if (!persist_main_good)
		return;
	snprintf(bak, sizeof bak, "%s.bak", persist_path);
	snprintf(baktmp, sizeof baktmp, "%s.bak.tmp", persist_path);
	unlink(baktmp);
	if (link(persist_path, baktmp) < 0 || rename(baktmp, bak) < 0)
		log_warn("persist: cannot keep %s", bak);
}

static int
persist_save_locked(void)
{
	char tmp[PATH_MAX + 8];
	json_t *root;
	char *text;
	int fd, rc;

	root = state_to_json();
	if (!root)
		return -ENOMEM;
	text = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	snprintf(tmp, sizeof tmp, "%s.tmp", persist_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		free(text);
		log_warn("persist: cannot write %s", tmp);
		return rc;
	}
	rc = persist_write_all(fd, text, strlen(text));
	free(text);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0) {
		persist_keep_backup();
		if (rename(tmp, persist_path) < 0)
			rc = -errno;
	}
	if (rc == 0)
		rc = persist_fsync_dir();
	if (rc < 0) {
		errno = -rc;
		log_warn("persist: cannot save %s", persist_path);
		unlink(tmp);
		return rc;
	}
	persist_main_good = true;
	persist_last_ms = clock_ms();
	persist_count++;
	return 0;
}

int
persist_save_now(void)
{
	int rc = 0;

	pthread_mutex_lock(&persist_lock);
	if (persist_ready) {
		/* the snapshot includes pending audio changes too */
		persist_dirty = false;
		rc = persist_save_locked();
		if (rc < 0)
			persist_dirty = true;
	}
	pthread_mutex_unlock(&persist_lock);
	return rc;
}

void
persist_mark_dirty(void)
{
	persist_dirty = true;
}

void
persist_tick(void)
{
	if (!persist_dirty)
		return;
	pthread_mutex_lock(&persist_lock);
	if (persist_ready && persist_dirty &&
	    clock_ms() - persist_last_ms >= PERSIST_COALESCE_MS) {
		persist_dirty = false;
		if (persist_save_locked() < 0)
			persist_dirty = true;
	}
	pthread_mutex_unlock(&persist_lock);
}

int
persist_flush(void)
{
	if (!persist_dirty)
		return 0;
	return persist_save_now();
}

unsigned long
persist_writes(void)
{
	return persist_count;
}
