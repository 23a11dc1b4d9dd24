/* SPDX-License-Identifier: MIT */
/*
 * The mail codec (services/mail/mail_msg.c): the message (RFC 5322
 * headers, CRLF only, UTF-8 subject as RFC 2047 words, no header
 * injection), the outbox file (round trip, bounded parser), the
 * failure matrix of libraries.md §3, and the mail.recipientN setting.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_msg.h"
#include "state.h"
#include "check_cases.h"

static char out[MAIL_MSG_MAX];

static const struct mail_unit unit = {
	.label = "Hall A", .model = "880TA", .type_id = "#H0",
	.uid = "0A1B2C3D", .address = "192.0.2.10", .host = "convergd-x",
};

static void
one_event(struct mail_alert *a, const char *text)
{
	memset(a, 0, sizeof *a);
	a->category = EVENT_LOGIN;
	a->severity = SEVERITY_WARNING;
	a->first = a->last = 1795981375;	/* 2026-11-29 19:42:55 UTC */
	a->count = 1;
	snprintf(a->text, sizeof a->text, "%s", text);
}

static void
two_rcpt(struct mail_spool *sp)
{
	memset(sp, 0, sizeof *sp);
	snprintf(sp->id, sizeof sp->id, "<1.2.0A1B2C3D@convergd-x>");
	sp->created = 1795981375;
	sp->nrcpt = 2;
	snprintf(sp->rcpt[0], sizeof sp->rcpt[0], "ops@example.org");
	snprintf(sp->rcpt[1], sizeof sp->rcpt[1], "boss@example.org");
}

static int
format(const char *text)
{
	struct mail_alert a;
	struct mail_spool sp;

	one_event(&a, text);
	two_rcpt(&sp);
	return mail_msg_format(&a, &unit, "unit@example.org", &sp,
	    1795981375, out, sizeof out);
}

START_TEST(message_has_rfc5322_headers_and_crlf_only)
{
	int n = format("console login failed for user bob from 10.0.0.9");

	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(out,
	    "Date: Sun, 29 Nov 2026 19:42:55 +0000\r\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "From: convergd #H0 <unit@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "To: ops@example.org,\r\n boss@example.org\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "Subject: [Hall A 880TA #H0] "
	    "warning: console login failed for user bob from 10.0.0.9\r\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "Message-ID: <1.2.0A1B2C3D@convergd-x>\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "http://192.0.2.10/"));
	for (int i = 0; i < n; i++)
		if (out[i] == '\n')
			ck_assert_int_eq(out[i - 1], '\r');
}
END_TEST

START_TEST(body_says_where_the_event_came_from)
{
	struct mail_alert a;
	struct mail_spool sp;

	one_event(&a, "setting location.room changed");
	two_rcpt(&sp);
	snprintf(a.from, sizeof a.from, "console session 3, user admin, "
	    "127.0.0.1:40000\r\nBcc: x@y");
	ck_assert_int_gt(mail_msg_format(&a, &unit, "u@example.org", &sp,
	    1795981375, out, sizeof out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\r\nFrom:      console session 3, "
	    "user admin, 127.0.0.1:40000  Bcc: x@y\r\n"));
	a.from[0] = '\0';
	ck_assert_int_gt(mail_msg_format(&a, &unit, "u@example.org", &sp,
	    1795981375, out, sizeof out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\r\nFrom:      the unit itself"));
}
END_TEST

START_TEST(utf8_subject_is_encoded_and_controls_are_blanked)
{
	char *subject, *end;

	ck_assert_int_gt(format("login failed for zo\xc3\xab\r\nBcc: x@y"), 0);
	subject = strstr(out, "Subject: ");
	ck_assert_ptr_nonnull(subject);
	ck_assert_ptr_nonnull(strstr(subject, "=?UTF-8?B?"));
	end = strstr(subject, "\r\nMessage-ID:");
	ck_assert_ptr_nonnull(end);
	/* every subject line is ASCII: encoded words or their fold */
	for (char *p = subject; p < end; p++)
		ck_assert_int_lt((unsigned char)*p, 0x80);
	/* the CR LF of the text did not start a header */
	ck_assert_ptr_null(strstr(out, "\r\nBcc:"));
	ck_assert_ptr_nonnull(strstr(out, "zo\xc3\xab  Bcc: x@y\r\n"));
}
END_TEST

START_TEST(digest_states_count_and_samples)
{
	struct mail_alert a;
	struct mail_spool sp;

	one_event(&a, "web login failed");
	a.count = 1000;
	a.nsamples = 1;
	snprintf(a.samples[0], sizeof a.samples[0], "web login failed");
	a.sample_count[0] = 1000;
	two_rcpt(&sp);
	ck_assert_int_gt(mail_msg_format(&a, &unit, "u@example.org", &sp,
	    a.first, out, sizeof out), 0);
	ck_assert_ptr_nonnull(strstr(out, "] warning: 1000 login events\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "X-Convergd-Count: 1000\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "  1000 x web login failed\r\n"));
}
END_TEST

START_TEST(message_too_long_is_refused)
{
	struct mail_alert a;
	struct mail_spool sp;

	one_event(&a, "x");
	two_rcpt(&sp);
	ck_assert_int_eq(mail_msg_format(&a, &unit, "u@example.org", &sp,
	    a.first, out, 100), -ENOSPC);
}
END_TEST

/* found by fuzz/mail: gmtime_r fails past year 2^31 */
START_TEST(dates_out_of_range_are_formatted)
{
	struct mail_alert a;
	struct mail_spool sp;

	one_event(&a, "x");
	a.first = a.last = (time_t)179598131795981375LL;
	two_rcpt(&sp);
	ck_assert_int_gt(mail_msg_format(&a, &unit, "u@example.org", &sp,
	    a.first, out, sizeof out), 0);
	ck_assert_ptr_nonnull(strstr(out, "Date: Thu, 01 Jan 1970 "));
	ck_assert_ptr_nonnull(strstr(out, "When:      unknown time"));
}
END_TEST

START_TEST(spool_file_round_trip)
{
	static char file[MAIL_FILE_MAX];
	struct mail_spool sp, back;
	char why[80];
	int n;

	two_rcpt(&sp);
	sp.message = "Subject: x\r\n\r\nbody\r\n";
	sp.message_len = strlen(sp.message);
	n = mail_msg_spool_encode(&sp, file, sizeof file);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(mail_msg_spool_parse(file, (size_t)n, &back, why,
	    sizeof why), 0);
	ck_assert_str_eq(back.id, sp.id);
	ck_assert_int_eq(back.created, sp.created);
	ck_assert_uint_eq(back.nrcpt, 2);
	ck_assert_str_eq(back.rcpt[1], "boss@example.org");
	ck_assert_uint_eq(back.message_len, sp.message_len);
	ck_assert_int_eq(memcmp(back.message, sp.message, sp.message_len), 0);
}
END_TEST

START_TEST(spool_parser_refuses_damaged_files)
{
	static const char *const bad[] = {
		"",
		"convergd-mail 2\nid <a>\nto a@b\n\nx",
		"convergd-mail 1\nid <a>\nto a@b\n",		/* no message */
		"convergd-mail 1\nid <a>\n\nmessage",		/* no rcpt */
		"convergd-mail 1\nto a@b\n\nmessage",		/* no id */
		"convergd-mail 1\nid <a>\nto a b\n\nmessage",	/* blank */
		"convergd-mail 1\nid <a>\nfrom a@b\nto a@b\n\nm", /* key */
		"convergd-mail 1\nid <a>\nto a@b",		/* cut off */
		"convergd-mail 1\nid <a>\ncreated 12x\nto a@b\n\nm",
	};
	struct mail_spool sp;
	char why[80];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(mail_msg_spool_parse(bad[i], strlen(bad[i]), &sp,
		    why, sizeof why) == -EINVAL, "case %zu accepted", i);
}
END_TEST

static enum mail_fate
classify(int started, int err, int rev, int msg, int r0, int r1,
    enum mail_rcpt_fate *f)
{
	struct mail_outcome o = { .started = started, .smtp_err = err,
		.reverse_code = rev, .message_code = msg, .nrcpt = 2,
		.rcpt_code = { r0, r1 } };

	return mail_msg_classify(&o, f);
}

START_TEST(failure_matrix)
{
	enum mail_rcpt_fate f[2];

	ck_assert_int_eq(classify(1, 0, 250, 250, 250, 250, f),
	    MAIL_FATE_DONE);
	ck_assert_int_eq(f[0], MAIL_RCPT_SENT);
	/* connection refused, no greeting: retry */
	ck_assert_int_eq(classify(0, -111, 0, 0, 0, 0, f), MAIL_FATE_RETRY);
	ck_assert_int_eq(classify(1, 3, 0, 0, 0, 0, f), MAIL_FATE_RETRY);
	/* bad port, STARTTLS not offered, 530/535: configuration */
	ck_assert_int_eq(classify(0, 17, 0, 0, 0, 0, f), MAIL_FATE_CONFIG);
	ck_assert_int_eq(classify(1, 8, 0, 0, 0, 0, f), MAIL_FATE_CONFIG);
	ck_assert_int_eq(classify(1, 0, 530, 0, 0, 0, f), MAIL_FATE_CONFIG);
	/* 550 one recipient, other sent: done, one refused */
	ck_assert_int_eq(classify(1, 0, 250, 250, 250, 550, f),
	    MAIL_FATE_DONE);
	ck_assert_int_eq(f[1], MAIL_RCPT_REFUSED);
	/* 451 one recipient: partial, that one again */
	ck_assert_int_eq(classify(1, 0, 250, 250, 451, 250, f),
	    MAIL_FATE_PARTIAL);
	ck_assert_int_eq(f[0], MAIL_RCPT_RETRY);
	ck_assert_int_eq(f[1], MAIL_RCPT_SENT);
	/* accepted recipients but the data refused: rejected */
	ck_assert_int_eq(classify(1, 0, 250, 554, 250, 250, f),
	    MAIL_FATE_REJECTED);
	/* both 550 (DATA then 503): done, nothing to send */
	ck_assert_int_eq(classify(1, 0, 250, 503, 550, 550, f),
	    MAIL_FATE_DONE);
	/* accepted but the connection dropped during data: retry */
	ck_assert_int_eq(classify(1, 3, 250, 0, 250, 250, f),
	    MAIL_FATE_RETRY);
}
END_TEST

START_TEST(cert_rejection_is_configuration)
{
	struct mail_outcome o = { .started = 1, .smtp_err = 3,
		.cert_rejected = true };
	enum mail_rcpt_fate f[1];

	ck_assert_int_eq(mail_msg_classify(&o, f), MAIL_FATE_CONFIG);
}
END_TEST

START_TEST(recipient_setting)
{
	struct state_mail_recipient r;
	char canon[128], why[160];

	ck_assert_int_eq(state_mail_recipient("ops@example.org", &r), 0);
	ck_assert_uint_eq(r.mask, 0xFFFFFFFFu);
	ck_assert_int_eq(r.min, SEVERITY_INFO);
	ck_assert_int_eq(state_mail_recipient("a@b.c 80000000 Error", &r), 0);
	ck_assert_uint_eq(r.mask, 0x80000000u);
	ck_assert_int_eq(r.min, SEVERITY_ERROR);
	ck_assert_int_eq(state_mail_recipient("", &r), 1);
	ck_assert_int_eq(state_mail_recipient("not-an-address", &r), -EINVAL);
	ck_assert_int_eq(state_mail_recipient("a@b 1FFFFFFFF", &r), -EINVAL);
	ck_assert_int_eq(state_mail_recipient("a@b FF loud", &r), -EINVAL);
	ck_assert_int_eq(state_mail_recipient("a@b FF info x", &r), -EINVAL);
	ck_assert_int_eq(state_setting_check(SET_MAIL_RCPT1 + 15,
	    "a@b,c@d", canon, sizeof canon, why, sizeof why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "mail.recipient16"));
	ck_assert_int_eq(state_setting_lookup("mail.recipient16"),
	    SET_MAIL_RCPT16);
	ck_assert_int_eq(state_setting_lookup("mail.recipient17"), -1);
	ck_assert_int_eq(state_setting_check(SET_MAIL_SECURITY,
	    "STARTTLS_optional", canon, sizeof canon, why, sizeof why), 0);
	ck_assert_str_eq(canon, "starttls_optional");
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(message_has_rfc5322_headers_and_crlf_only),
		CHECK_CASE(utf8_subject_is_encoded_and_controls_are_blanked),
		CHECK_CASE(body_says_where_the_event_came_from),
		CHECK_CASE(digest_states_count_and_samples),
		CHECK_CASE(message_too_long_is_refused),
		CHECK_CASE(dates_out_of_range_are_formatted),
		CHECK_CASE(spool_file_round_trip),
		CHECK_CASE(spool_parser_refuses_damaged_files),
		CHECK_CASE(failure_matrix),
		CHECK_CASE(cert_rejection_is_configuration),
		CHECK_CASE(recipient_setting),
	};

	setenv("TZ", "UTC", 1);
	return check_cases_run("mail_msg", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
