/* SPDX-License-Identifier: MIT */
/*
 * The persistent outbox (services/mail/mail_outbox.c): files survive a
 * reopen in sequence order, a cut-off .tmp write is discarded, numbers
 * are never reused, a rewrite keeps the creation time, a damaged file
 * is kept aside.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/mail_outbox.h"
#include "check_cases.h"

static char dir[64];
static char buf[MAIL_FILE_MAX];
static struct mail_outbox ob;

static void
setup(void)
{
	char why[160];

	snprintf(dir, sizeof dir, "/tmp/convergd-outbox-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(mail_outbox_open(&ob, dir, why, sizeof why), 0);
}

static void
teardown(void)
{
	char cmd[128];

	mail_outbox_close(&ob);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
reopen(void)
{
	char why[160];

	mail_outbox_close(&ob);
	ck_assert_int_eq(mail_outbox_open(&ob, dir, why, sizeof why), 0);
}

static uint64_t
put(const char *rcpt, time_t created)
{
	struct mail_spool sp = { .created = created, .nrcpt = 1,
		.message = "Subject: t\r\n\r\nx\r\n" };
	uint64_t seq = mail_outbox_next_seq(&ob);

	sp.message_len = strlen(sp.message);
	snprintf(sp.id, sizeof sp.id, "<%llu@t>", (unsigned long long)seq);
	snprintf(sp.rcpt[0], sizeof sp.rcpt[0], "%s", rcpt);
	ck_assert_int_eq(mail_outbox_put(&ob, seq, &sp), 0);
	return seq;
}

START_TEST(messages_survive_reopen_in_order)
{
	struct mail_spool sp;
	char why[160];

	for (int i = 0; i < 20; i++)
		put("a@b", 1000 + i);
	reopen();
	ck_assert_uint_eq(ob.count, 20);
	for (size_t i = 0; i < ob.count; i++)
		ck_assert_uint_eq(ob.q[i].seq, i + 1);
	ck_assert_int_eq(ob.q[3].created, 1003);
	ck_assert_int_eq(mail_outbox_read(&ob, 5, buf, sizeof buf, &sp, why,
	    sizeof why), 0);
	ck_assert_str_eq(sp.id, "<5@t>");
}
END_TEST

START_TEST(numbers_continue_after_the_highest_file)
{
	uint64_t a = put("a@b", 1), b = put("a@b", 2), c = put("a@b", 3);

	ck_assert_int_eq(mail_outbox_remove(&ob, a), 0);
	ck_assert_int_eq(mail_outbox_remove(&ob, b), 0);
	ck_assert_uint_eq(ob.count, 1);
	reopen();
	ck_assert_uint_eq(ob.count, 1);
	ck_assert_uint_eq(ob.q[0].seq, c);
	ck_assert_uint_eq(mail_outbox_next_seq(&ob), c + 1);
}
END_TEST

START_TEST(cut_off_write_is_discarded)
{
	char path[128];
	int fd;

	put("a@b", 1);
	snprintf(path, sizeof path, "%s/mail/0000000000000002.mail.tmp", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "convergd-mail 1\nid", 18), 18);
	close(fd);
	reopen();
	ck_assert_uint_eq(ob.count, 1);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_uint_eq(mail_outbox_next_seq(&ob), 3);
}
END_TEST

START_TEST(rewrite_keeps_creation_time)
{
	struct mail_spool sp;
	char why[160];
	uint64_t seq = put("a@b", 12345);

	ck_assert_int_eq(mail_outbox_read(&ob, seq, buf, sizeof buf, &sp, why,
	    sizeof why), 0);
	snprintf(sp.rcpt[0], sizeof sp.rcpt[0], "c@d");
	ck_assert_int_eq(mail_outbox_rewrite(&ob, seq, &sp), 0);
	reopen();
	ck_assert_int_eq(ob.q[0].created, 12345);
	ck_assert_int_eq(mail_outbox_read(&ob, seq, buf, sizeof buf, &sp, why,
	    sizeof why), 0);
	ck_assert_str_eq(sp.rcpt[0], "c@d");
}
END_TEST

START_TEST(damaged_file_is_kept_aside)
{
	struct mail_spool sp;
	char path[128], why[160];
	uint64_t seq = put("a@b", 1);
	int fd;

	snprintf(path, sizeof path, "%s/mail/%016llx.mail", dir,
	    (unsigned long long)seq);
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "garbage", 7), 7);
	close(fd);
	ck_assert_int_eq(mail_outbox_read(&ob, seq, buf, sizeof buf, &sp, why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(mail_outbox_quarantine(&ob, seq), 0);
	ck_assert_uint_eq(ob.count, 0);
	reopen();
	ck_assert_uint_eq(ob.count, 0);
	ck_assert_uint_eq(mail_outbox_next_seq(&ob), seq + 1);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(messages_survive_reopen_in_order),
		CHECK_CASE(numbers_continue_after_the_highest_file),
		CHECK_CASE(cut_off_write_is_discarded),
		CHECK_CASE(rewrite_keeps_creation_time),
		CHECK_CASE(damaged_file_is_kept_aside),
	};

	return check_cases_run("mail_outbox", cases,
	    sizeof cases / sizeof *cases, setup, teardown);
}
