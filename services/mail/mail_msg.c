/* SPDX-License-Identifier: MIT */
/* The mail codec (mail_msg.h): messages, outbox files, failure matrix. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail_msg.h"

#define SPOOL_MAGIC "convergd-mail 1\n"
#define SPOOL_LINE_MAX 200

static const char *const category_names[32] = {
	[EVENT_RESET] = "reset", [EVENT_ERRORS] = "errors",
	[EVENT_PASSWORD] = "password", [EVENT_SYSTEM] = "system",
	[EVENT_DEFAULT] = "defaults", [EVENT_SAFETY_MUTE] = "safety mute",
	[EVENT_MACRO] = "macro", [EVENT_PRESET] = "preset",
	[EVENT_CLIPPING] = "clipping", [EVENT_SERVICE] = "service",
	[EVENT_SETTINGS] = "settings", [EVENT_NETWORK] = "network",
	[EVENT_TIME] = "time", [EVENT_NAME] = "name",
	[EVENT_SNMP_AUTH] = "SNMP authentication", [EVENT_EMAIL] = "mail",
	[EVENT_LOGIN] = "login",
};

const char *
mail_msg_category_name(enum event_category c)
{
	if ((unsigned)c >= 32 || category_names[c] == NULL)
		return "event";
	return category_names[c];
}

const char *
mail_msg_severity_name(enum event_severity s)
{
	static const char *const names[] = { "info", "warning", "error" };

	return (unsigned)s < 3 ? names[s] : "info";
}

void
mail_msg_id(char *buf, size_t len, time_t created, uint64_t seq,
    const struct mail_unit *u)
{
	snprintf(buf, len, "<%lld.%" PRIu64 ".%s.%s@%s>", (long long)created,
	    seq, u->instance[0] ? u->instance : "0", u->uid[0] ? u->uid : "0",
	    u->host[0] ? u->host : "convergd");
}

/* An appender that remembers running out of room. */
struct out {
	char *p;
	size_t len, used;
	bool full;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used)
		o->full = true;
	else
		o->used += (size_t)n;
}

/* Length of the UTF-8 sequence at s (1-4), or 0 if it is not valid. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
	    (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Event texts come from users (names, addresses): keep valid UTF-8,
 * turn control characters (a CR/LF would forge headers) into blanks and
 * broken bytes into '?'.
 */
static void
clean(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, n;

	while (*s != '\0' && o + 5 < len) {
		n = utf8_len(s);
		if (n == 0) {
			dst[o++] = '?';
			s++;
		} else if (n == 1) {
			dst[o++] = *s < 0x20 || *s == 0x7f ? ' ' : (char)*s;
			s++;
		} else {
			memcpy(dst + o, s, n);
			o += n;
			s += n;
		}
	}
	dst[o] = '\0';
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
put_b64(struct out *o, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;

		v |= i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0;
		v |= i + 2 < n ? s[i + 2] : 0;
		put(o, "%c%c%c%c", b64[v >> 18], b64[(v >> 12) & 63],
		    i + 1 < n ? b64[(v >> 6) & 63] : '=',
		    i + 2 < n ? b64[v & 63] : '=');
	}
}

/*
 * An unstructured header (RFC 5322 §2.2.1): plain if ASCII, otherwise
 * RFC 2047 encoded words of at most 45 bytes (no character split), one
 * per folded line.
 */
static void
put_header_text(struct out *o, const char *name, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t i, chunk, n;
	bool ascii = true;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 0x80)
			ascii = false;
	if (ascii) {
		put(o, "%s: %s\r\n", name, value);
		return;
	}
	put(o, "%s:", name);
	for (i = 0; s[i] != '\0'; i += chunk) {
		for (chunk = 0; s[i + chunk] != '\0'; chunk += n) {
			n = utf8_len(s + i + chunk);
			n = n == 0 ? 1 : n;
			if (chunk + n > 45)
				break;
		}
		put(o, "%s=?UTF-8?B?", i == 0 ? " " : "\r\n ");
		put_b64(o, s + i, chunk);
		put(o, "?=");
	}
	put(o, "\r\n");
}

static void
put_date(struct out *o, time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
		"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)	/* a year past int: no date */
		gmtime_r(&(time_t){ 0 }, &tm);
	put(o, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* UTC, and the local time in the unit's zone (never the process's). */
static void
put_when(struct out *o, const char *what, time_t t,
    const struct mail_unit *u)
{
	char utc[32], local[48], abbr[MAIL_TZ_ABBR_MAX];
	struct tm tm;
	size_t n;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(utc, sizeof utc, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(utc, sizeof utc, "unknown time");
	mail_tz_local(u->tz, t, &tm, abbr, sizeof abbr);
	n = strftime(local, sizeof local, "%Y-%m-%d %H:%M:%S ", &tm);
	if (n == 0)
		snprintf(local, sizeof local, "unknown");
	else
		snprintf(local + n, sizeof local - n, "%s", abbr);
	put(o, "%-10s %s (local %s)\r\n", what, utc, local);
}

static void
put_subject(struct out *o, const struct mail_alert *a,
    const struct mail_unit *u)
{
	char text[BUS_TEXT_MAX * 2], subject[BUS_TEXT_MAX * 3];

	clean(text, sizeof text, a->text);
	if (a->count > 1)
		snprintf(text, sizeof text, "%u %s events", a->count,
		    mail_msg_category_name(a->category));
	snprintf(subject, sizeof subject, "[%s%s%s %s] %s: %s",
	    u->label, u->label[0] ? " " : "", u->model, u->type_id,
	    mail_msg_severity_name(a->severity), text);
	put_header_text(o, "Subject", subject);
}

static void
put_headers(struct out *o, const struct mail_alert *a,
    const struct mail_unit *u, const char *from,
    const struct mail_spool *sp, time_t now)
{
	put_date(o, now);
	put(o, "From: convergd %s <%s>\r\n", u->type_id, from);
	for (size_t i = 0; i < sp->nrcpt; i++)
		put(o, "%s%s%s", i == 0 ? "To: " : " ", sp->rcpt[i],
		    i + 1 < sp->nrcpt ? ",\r\n" : "\r\n");
	put_subject(o, a, u);
	put(o, "Message-ID: %s\r\n", sp->id);
	put(o, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Convergd-Event: %s\r\nX-Convergd-Count: %u\r\n\r\n",
	    mail_msg_category_name(a->category), a->count);
}

static void
put_body(struct out *o, const struct mail_alert *a,
    const struct mail_unit *u)
{
	char text[BUS_TEXT_MAX * 2];

	clean(text, sizeof text, a->text);
	if (a->count <= 1) {
		put(o, "%s\r\n\r\n", text);
		put_when(o, "When:", a->first, u);
	} else {
		put(o, "%u %s events (%s at most) between the times below; "
		    "the first was:\r\n%s\r\n\r\n", a->count,
		    mail_msg_category_name(a->category),
		    mail_msg_severity_name(a->severity), text);
		put_when(o, "First:", a->first, u);
		put_when(o, "Last:", a->last, u);
	}
	clean(text, sizeof text, a->from[0] ? a->from : "the unit itself");
	put(o, "%-10s %s\r\n", a->count > 1 ? "First by:" : "From:", text);
	put(o, "%-10s %s (%s)\r\n", "Event:",
	    mail_msg_category_name(a->category),
	    mail_msg_severity_name(a->severity));
	put(o, "%-10s %s%s%s %s, UID %s\r\n", "Unit:", u->label,
	    u->label[0] ? ", " : "", u->model, u->type_id, u->uid);
	put(o, "%-10s %s\r\n", "Address:", u->address[0] ? u->address :
	    "not set (DHCP)");
	if (u->address[0])
		put(o, "%-10s http://%s/\r\n", "Web page:", u->address);
	for (size_t i = 0; i < a->nsamples && i < MAIL_SAMPLES; i++) {
		clean(text, sizeof text, a->samples[i]);
		put(o, "%s%6u x %s\r\n", i == 0 ? "\r\nEvents seen:\r\n" : "",
		    a->sample_count[i], text);
	}
}

int
mail_msg_format(const struct mail_alert *a, const struct mail_unit *u,
    const char *from, const struct mail_spool *sp, time_t now, char *out,
    size_t len)
{
	struct out o = { out, len, 0, len == 0 };

	put_headers(&o, a, u, from, sp, now);
	put_body(&o, a, u);
	put(&o, "\r\n-- \r\nconvergd alert mail; change recipients and "
	    "events on the unit's Settings page.\r\n");
	return o.full ? -ENOSPC : (int)o.used;
}

int
mail_msg_spool_encode(const struct mail_spool *sp, char *out, size_t len)
{
	struct out o = { out, len, 0, len == 0 };

	put(&o, "%sid %s\ncreated %lld\n", SPOOL_MAGIC, sp->id,
	    (long long)sp->created);
	for (size_t i = 0; i < sp->nrcpt; i++)
		put(&o, "to %s\n", sp->rcpt[i]);
	put(&o, "\n");
	if (o.full || o.len - o.used <= sp->message_len)
		return -ENOSPC;
	memcpy(out + o.used, sp->message, sp->message_len);
	o.used += sp->message_len;
	out[o.used] = '\0';
	return (int)o.used;
}

static int
fail(char *why, size_t whylen, const char *reason)
{
	snprintf(why, whylen, "%s", reason);
	return -EINVAL;
}

/* One envelope line "key value" (value printable, no blanks). */
static int
spool_line(struct mail_spool *sp, const char *line, size_t n)
{
	char key[16], value[SPOOL_LINE_MAX];
	const char *sp_at = memchr(line, ' ', n);
	size_t k, v;

	if (sp_at == NULL || (k = (size_t)(sp_at - line)) >= sizeof key ||
	    (v = n - k - 1) == 0 || v >= sizeof value)
		return -1;
	memcpy(key, line, k);
	key[k] = '\0';
	memcpy(value, sp_at + 1, v);
	value[v] = '\0';
	for (size_t i = 0; i < v; i++)
		if (value[i] <= 0x20 || value[i] > 0x7e)
			return -1;
	if (strcmp(key, "id") == 0 && v < sizeof sp->id && sp->id[0] == '\0')
		memcpy(sp->id, value, v + 1);
	else if (strcmp(key, "created") == 0 && v <= 18 &&
	    strspn(value, "0123456789") == v)
		sp->created = (time_t)strtoll(value, NULL, 10);
	else if (strcmp(key, "to") == 0 && sp->nrcpt < MAIL_RCPT_MAX &&
	    v < sizeof sp->rcpt[0])
		memcpy(sp->rcpt[sp->nrcpt++], value, v + 1);
	else
		return -1;
	return 0;
}

int
mail_msg_spool_parse(const char *buf, size_t len, struct mail_spool *sp,
    char *why, size_t whylen)
{
	size_t pos = strlen(SPOOL_MAGIC), n;
	const char *nl;

	memset(sp, 0, sizeof *sp);
	if (len < pos || memcmp(buf, SPOOL_MAGIC, pos) != 0)
		return fail(why, whylen, "not an outbox file");
	for (;;) {
		nl = memchr(buf + pos, '\n', len - pos);
		if (nl == NULL || (n = (size_t)(nl - buf) - pos) >=
		    SPOOL_LINE_MAX)
			return fail(why, whylen, "envelope line too long or "
			    "cut off");
		if (n == 0)
			break;
		if (spool_line(sp, buf + pos, n) < 0)
			return fail(why, whylen, "bad envelope line");
		pos += n + 1;
	}
	pos++;
	if (sp->id[0] == '\0' || sp->nrcpt == 0 || pos >= len ||
	    len - pos > MAIL_MSG_MAX)
		return fail(why, whylen, "no id, recipient or message");
	sp->message = buf + pos;
	sp->message_len = len - pos;
	return 0;
}

static bool
is2xx(int code)
{
	return code >= 200 && code < 300;
}

/* Session-level results: nothing reached a recipient. */
static int
classify_session(const struct mail_outcome *o)
{
	if (o->cert_rejected)
		return MAIL_FATE_CONFIG;
	if (!o->started)	/* refused (-errno), host unknown, bad port */
		return o->smtp_err == 17 || o->smtp_err == 7 ?
		    MAIL_FATE_CONFIG : MAIL_FATE_RETRY;
	if (o->smtp_err == 8)	/* STARTTLS required, not offered */
		return MAIL_FATE_CONFIG;
	if (o->reverse_code == 0)	/* dropped, time-out, no greeting */
		return MAIL_FATE_RETRY;
	if (o->reverse_code >= 500)	/* 530 auth / sender refused */
		return MAIL_FATE_CONFIG;
	if (!is2xx(o->reverse_code))
		return MAIL_FATE_RETRY;
	return -1;
}

enum mail_fate
mail_msg_classify(const struct mail_outcome *o, enum mail_rcpt_fate *rcpt)
{
	size_t i, settled = 0, sent = 0, dropped = 0;
	int fate = classify_session(o);

	for (i = 0; i < o->nrcpt; i++)
		rcpt[i] = MAIL_RCPT_RETRY;
	if (fate >= 0)
		return (enum mail_fate)fate;
	for (i = 0; i < o->nrcpt; i++) {
		int c = o->rcpt_code[i];

		if (c >= 500) {
			rcpt[i] = MAIL_RCPT_REFUSED;
			settled++;
		} else if (is2xx(c) && is2xx(o->message_code)) {
			rcpt[i] = MAIL_RCPT_SENT;
			settled++;
			sent++;
		} else if (is2xx(c) && o->message_code >= 500) {
			rcpt[i] = MAIL_RCPT_REFUSED;
			settled++;
			dropped++;
		}
	}
	if (dropped > 0)
		return MAIL_FATE_REJECTED;
	if (settled == o->nrcpt)
		return MAIL_FATE_DONE;
	return settled > 0 ? MAIL_FATE_PARTIAL : MAIL_FATE_RETRY;
}
