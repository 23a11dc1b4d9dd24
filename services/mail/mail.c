/* SPDX-License-Identifier: MIT */
/*
 * Email alerts. The mail thread takes events from the bus, keeps the
 * ones some recipient wants (per-recipient event mask and minimum
 * severity), coalesces floods (mail_window.h), and writes each alert as
 * a file into the persistent outbox (mail_outbox.h) before anything is
 * sent. It then delivers the outbox oldest first, one SMTP session at a
 * time (mail_smtp.h), and sorts each result by the failure matrix
 * (mail_msg_classify): sent and refused recipients are settled and the
 * file shrinks or goes; temporary failures wait 30 s doubling to 30 min;
 * a configuration error holds the outbox until the mail settings change.
 * docs/mail.md tells the whole story, including the one window in which
 * a crash can send a mail twice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <jansson.h>

#include "bus.h"
#include "clock.h"
#include "log.h"
#include "mail_msg.h"
#include "mail_outbox.h"
#include "mail_smtp.h"
#include "mail_window.h"
#include "service.h"
#include "state.h"

#define MAIL_RULES_MAX (16 + MAIL_RCPT_MAX)
#define MAIL_PASS_MS 300	/* sending time per loop pass */
#define MAIL_RING 4096		/* events a blocked session may miss */

struct mail {
	struct svc_ctx *ctx;
	struct bus_sub *sub;
	struct mail_outbox ob;
	struct mail_windows win;
	unsigned timeout_ms, retry_min_s, retry_max_s, max_queued;
	long max_age_s;
	const char *ca_file, *hostname;
	char spool_dir[4096];
	/* server-wide retry (connection-level failures) */
	uint64_t server_next_ms;
	unsigned server_backoff_s;
	/* a configuration error holds the outbox until the settings change */
	bool held;
	char held_settings[1024];
	/* status (status.json) */
	char instance[12];	/* Message-IDs of this run (random) */
	bool active;		/* enabled and a server set */
	bool status_dirty;
	time_t last_success, last_failure;
	char last_error[BUS_TEXT_MAX];
	unsigned long dropped, lost;
	uint64_t tests;		/* test mails sent (their Message-IDs) */
	struct mail_tz tz;	/* time.zone as last loaded */
	bool tz_loaded;
	char *filebuf, *msgbuf;
};

static const struct cfg_key mail_keys[] = {
	{ "ca_file", CFG_PATH, 0, 4096, "", NULL,
	    "CA certificates (PEM) for STARTTLS; empty = the system's" },
	{ "hostname", CFG_STRING, 0, 63, "", NULL,
	    "EHLO name and Message-ID domain; empty = convergd-UID" },
	{ "timeout_s", CFG_INT, 1, 4, "4", NULL,
	    "seconds per SMTP step (kept under the 5 s hang detection)" },
	{ "retry_min_s", CFG_INT, 1, 3600, "30", NULL,
	    "first wait after a temporary failure; doubles each time" },
	{ "retry_max_s", CFG_INT, 1, 86400, "1800", NULL,
	    "longest wait between attempts" },
	{ "max_age_s", CFG_INT, 1, 31536000, "604800", NULL,
	    "a mail not delivered after this long is dropped (counted)" },
	{ "max_queued", CFG_INT, 1, 100000, "1000", NULL,
	    "outbox size in mails; when full the oldest is dropped" },
	{ "window_s", CFG_INT, 1, 86400, "60", NULL,
	    "coalescing window per event category" },
	{ "burst", CFG_INT, 1, 100000, "3", NULL,
	    "mails per category and window before the rest become a digest" },
	{ NULL },
};

static void
setting(enum state_setting s, char *buf, size_t len)
{
	if (state_setting_get(s, buf, len) < 0)
		buf[0] = '\0';
}

/* ---- recipients ---- */

/* mail.to (mask mail.events, any severity) plus mail.recipient1-16. */
static size_t
mail_rules(struct state_mail_recipient *r, size_t max)
{
	char to[256], events[16], *save = NULL;
	size_t n = 0;
	uint32_t mask;

	setting(SET_MAIL_EVENTS, events, sizeof events);
	mask = (uint32_t)strtoul(events, NULL, 16);
	setting(SET_MAIL_TO, to, sizeof to);
	for (char *a = strtok_r(to, ",", &save); a != NULL && n < max;
	    a = strtok_r(NULL, ",", &save)) {
		snprintf(r[n].address, sizeof r[n].address, "%s", a);
		r[n].mask = mask;
		r[n++].min = SEVERITY_INFO;
	}
	for (int s = SET_MAIL_RCPT1; s <= SET_MAIL_RCPT16 && n < max; s++) {
		char v[256];

		setting(s, v, sizeof v);
		if (state_mail_recipient(v, &r[n]) == 0)
			n++;
	}
	return n;
}

/* The distinct recipients that want (category, severity). */
static size_t
mail_wanted(enum event_category c, enum event_severity sev,
    struct mail_spool *sp)
{
	struct state_mail_recipient r[MAIL_RULES_MAX];
	size_t n = mail_rules(r, MAIL_RULES_MAX), i, j;

	sp->nrcpt = 0;
	for (i = 0; i < n && sp->nrcpt < MAIL_RCPT_MAX; i++) {
		if (!(r[i].mask & (1u << ((unsigned)c & 31))) || sev < r[i].min)
			continue;
		for (j = 0; j < sp->nrcpt; j++)
			if (strcasecmp(sp->rcpt[j], r[i].address) == 0)
				break;
		if (j == sp->nrcpt)	/* both STATE_MAIL_ADDR_MAX */
			memcpy(sp->rcpt[sp->nrcpt++], r[i].address,
			    sizeof sp->rcpt[0]);
	}
	return sp->nrcpt;
}

static bool
mail_active(void)
{
	char on[4], server[64];

	setting(SET_MAIL_ENABLED, on, sizeof on);
	setting(SET_MAIL_SERVER, server, sizeof server);
	return strcmp(on, "1") == 0 && server[0] != '\0';
}

/* ---- status ---- */

static json_t *
mail_time(time_t t)
{
	char buf[32];
	struct tm tm;

	if (t == 0)
		return json_null();
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* The status with last_error cut to `cut` bytes (whole characters). */
static json_t *
mail_status_json(const struct mail *m, size_t cut)
{
	char err[sizeof m->last_error];

	snprintf(err, sizeof err, "%.*s", (int)cut, m->last_error);
	for (size_t n = strlen(err); n > 0 && (err[n - 1] & 0x80); )
		err[--n] = '\0';	/* no half UTF-8 sequence */
	return json_pack("{s:I, s:o, s:o, s:s, s:I, s:I, s:b, s:b}",
	    "queued", (json_int_t)m->ob.count,
	    "last_success", mail_time(m->last_success),
	    "last_failure", mail_time(m->last_failure),
	    "last_error", err, "dropped", (json_int_t)m->dropped,
	    "lost_events", (json_int_t)m->lost, "held", m->held,
	    "active", m->active);
}

/*
 * The status goes to the services table (services[].detail and "mail"
 * in GET /api/v1/status; a detail is short, so last_error may be cut)
 * and, whole, to SPOOL/mail/status.json, replaced by rename (readers
 * never see half), which can be read without logging in.
 */
static void
mail_status_write(struct mail *m)
{
	char path[4200], tmp[4210], *text = NULL;
	json_t *j;

	if (!m->status_dirty)
		return;
	m->status_dirty = false;
	for (size_t cut = 160; text == NULL || strlen(text) >=
	    STATE_DETAIL_MAX; cut /= 2) {
		free(text);
		j = mail_status_json(m, cut);
		text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (text == NULL || cut == 0)
			break;
	}
	if (text != NULL && strlen(text) < STATE_DETAIL_MAX)
		state_service_detail_put(svc_name(m->ctx), text);
	free(text);
	j = mail_status_json(m, sizeof m->last_error);
	snprintf(path, sizeof path, "%s/mail/status.json", m->spool_dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (j != NULL && json_dump_file(j, tmp, JSON_COMPACT) == 0)
		rename(tmp, path);
	else if (j != NULL)
		unlink(tmp);	/* a full spool: no half file left behind */
	json_decref(j);
}

static void
mail_failed(struct mail *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mail_failed(struct mail *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->last_error, sizeof m->last_error, fmt, ap);
	va_end(ap);
	m->last_failure = time(NULL);
	m->status_dirty = true;
	log_warnx("%s", m->last_error);
}

/* ---- into the outbox ---- */

/* time.zone, read again only when the setting changed (mail_tz.h). */
static const struct mail_tz *
mail_zone(struct mail *m)
{
	char name[64];
	int err;

	setting(SET_TIMEZONE, name, sizeof name);
	if (m->tz_loaded && strcmp(name, m->tz.name) == 0)
		return &m->tz;
	mail_tz_free(&m->tz);
	err = mail_tz_load(&m->tz, NULL, name);
	if (err < 0)
		log_warnx("time.zone %s: %s; mails show UTC as local time",
		    name, strerror(-err));
	m->tz_loaded = true;
	return &m->tz;
}

static void
mail_unit(struct mail *m, struct mail_unit *u)
{
	struct state_identity id;

	memset(u, 0, sizeof *u);
	u->tz = mail_zone(m);
	state_identity(&id);
	setting(SET_UNIT_LABEL, u->label, sizeof u->label);
	setting(SET_NET_ADDR, u->address, sizeof u->address);
	snprintf(u->model, sizeof u->model, "%s", id.model ? id.model->name :
	    "?");
	snprintf(u->type_id, sizeof u->type_id, "#%c%X", id.model ?
	    id.model->type_char : '?', (unsigned)id.device_id);
	snprintf(u->uid, sizeof u->uid, "%s", id.uid);
	memcpy(u->instance, m->instance, sizeof u->instance);
	if (m->hostname[0])
		snprintf(u->host, sizeof u->host, "%s", m->hostname);
	else
		snprintf(u->host, sizeof u->host, "convergd-%s", id.uid);
}

static void
mail_from(const struct mail_unit *u, char *buf, size_t len)
{
	setting(SET_MAIL_FROM, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "convergd@%s", u->host);
}

static void
mail_drop_oldest(struct mail *m)
{
	uint64_t seq = m->ob.q[0].seq;

	mail_outbox_remove(&m->ob, seq);
	m->dropped++;
	m->status_dirty = true;
	bus_event(EVENT_EMAIL, SEVERITY_WARNING, "mail outbox full: oldest "
	    "mail dropped (%lu dropped so far)", m->dropped);
}

/* Format `a` for whoever wants it and store it durably. */
static void
mail_queue(struct mail *m, const struct mail_alert *a)
{
	struct mail_spool sp;
	struct mail_unit u;
	char from[128];
	uint64_t seq;
	int n, err;

	memset(&sp, 0, sizeof sp);
	if (mail_wanted(a->category, a->severity, &sp) == 0)
		return;
	mail_unit(m, &u);
	mail_from(&u, from, sizeof from);
	while (m->ob.count >= m->max_queued)
		mail_drop_oldest(m);
	seq = mail_outbox_next_seq(&m->ob);
	sp.created = time(NULL);
	mail_msg_id(sp.id, sizeof sp.id, sp.created, seq, &u);
	n = mail_msg_format(a, &u, from, &sp, sp.created, m->msgbuf,
	    MAIL_MSG_MAX);
	if (n < 0) {
		mail_failed(m, "alert too long to format");
		return;
	}
	sp.message = m->msgbuf;
	sp.message_len = (size_t)n;
	err = mail_outbox_put(&m->ob, seq, &sp);
	if (err < 0)
		mail_failed(m, "outbox: %s", strerror(-err));
	m->status_dirty = true;
}

static void
mail_take_events(struct mail *m)
{
	struct mail_alert a;
	struct bus_msg msg;
	uint64_t lost = bus_sub_dropped(m->sub);

	if (lost != m->lost) {
		log_warnx("%llu events lost (outbox busy)",
		    (unsigned long long)(lost - m->lost));
		m->lost = lost;
		m->status_dirty = true;
	}
	while (bus_take(m->sub, &msg) == 1) {
		const struct bus_event *ev = &msg.u.event;
		struct mail_spool sp;

		/* our own failures are never mailed (no loops) */
		if (msg.type != BUS_EVENT || ev->category == EVENT_EMAIL ||
		    !mail_active() ||
		    mail_wanted(ev->category, ev->severity, &sp) == 0)
			continue;
		if (mail_window_event(&m->win, ev, time(NULL), &a) == 1)
			mail_queue(m, &a);
	}
	while (mail_window_tick(&m->win, time(NULL), &a) == 1)
		mail_queue(m, &a);
}

/* ---- out of the outbox ---- */

static unsigned
mail_backoff(const struct mail *m, unsigned last)
{
	unsigned next = last == 0 ? m->retry_min_s : last * 2;

	return next > m->retry_max_s ? m->retry_max_s : next;
}

static void
mail_beat(void *arg)
{
	svc_beat(arg);
}

static void
mail_server(struct mail *m, struct mail_server *srv)
{
	static const char *const sec[] = { "none", "starttls", "tls",
		"starttls_optional" };
	struct mail_unit u;
	char port[8], security[24];

	memset(srv, 0, sizeof *srv);
	setting(SET_MAIL_SERVER, srv->host, sizeof srv->host);
	setting(SET_MAIL_PORT, port, sizeof port);
	srv->port = atoi(port);
	setting(SET_MAIL_SECURITY, security, sizeof security);
	for (size_t i = 0; i < sizeof sec / sizeof *sec; i++)
		if (strcmp(security, sec[i]) == 0)
			srv->security = (enum mail_security)i;
	setting(SET_MAIL_USER, srv->user, sizeof srv->user);
	setting(SET_MAIL_PASSWORD, srv->password, sizeof srv->password);
	mail_unit(m, &u);
	mail_from(&u, srv->from, sizeof srv->from);
	snprintf(srv->ehlo, sizeof srv->ehlo, "%s", u.host);
	srv->ca_file = m->ca_file;
	srv->timeout_ms = m->timeout_ms;
	srv->beat = mail_beat;
	srv->beat_arg = m->ctx;
}

/* Every mail.* setting in one string: a change lifts a hold. */
static void
mail_settings_snapshot(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int s = 0; s < SET_COUNT && used + 130 < len; s++)
		if (strncmp(state_setting_info(s)->key, "mail.", 5) == 0) {
			setting(s, buf + used, len - used);
			used += strlen(buf + used);
			buf[used++] = '\n';
			buf[used] = '\0';
		}
}

static void
mail_hold(struct mail *m, const char *reply)
{
	m->held = true;
	mail_settings_snapshot(m->held_settings, sizeof m->held_settings);
	mail_failed(m, "not sent, check the mail settings: %s", reply);
	bus_event(EVENT_EMAIL, SEVERITY_ERROR, "mail not sent, outbox held "
	    "until the mail settings change: %s", reply);
}

static void
mail_wait(struct mail *m, struct mail_queued *q, bool whole_server)
{
	uint64_t now = clock_ms();

	if (whole_server) {
		m->server_backoff_s = mail_backoff(m, m->server_backoff_s);
		m->server_next_ms = now + m->server_backoff_s * 1000ull;
	} else {
		q->backoff_s = mail_backoff(m, q->backoff_s);
		q->next_ms = now + q->backoff_s * 1000ull;
	}
}

/* Settle recipients: drop sent and refused ones from `sp`. */
static size_t
mail_settle_rcpts(struct mail_spool *sp, const enum mail_rcpt_fate *f,
    const char *reply, bool *sent, bool *refused)
{
	size_t i, keep = 0;

	for (i = 0; i < sp->nrcpt; i++) {
		if (f[i] == MAIL_RCPT_SENT)
			*sent = true;
		if (f[i] == MAIL_RCPT_REFUSED) {
			*refused = true;
			bus_event(EVENT_EMAIL, SEVERITY_ERROR, "mail %s to %s "
			    "refused: %s", sp->id, sp->rcpt[i], reply);
		}
		if (f[i] == MAIL_RCPT_RETRY && keep != i)
			memcpy(sp->rcpt[keep], sp->rcpt[i], sizeof sp->rcpt[0]);
		keep += f[i] == MAIL_RCPT_RETRY;
	}
	sp->nrcpt = keep;
	return keep;
}

/* Act on one attempt's result; false = stop sending for now. */
static bool
mail_result(struct mail *m, uint64_t seq, struct mail_spool *sp,
    const struct mail_outcome *o, const char *reply)
{
	enum mail_rcpt_fate f[MAIL_RCPT_MAX];
	enum mail_fate fate = mail_msg_classify(o, f);
	bool sent = false, refused = false;
	int err;

	if (fate == MAIL_FATE_CONFIG) {
		mail_hold(m, reply);
		return false;
	}
	if (fate == MAIL_FATE_REJECTED)
		bus_event(EVENT_EMAIL, SEVERITY_ERROR, "mail %s refused by the "
		    "server: %s", sp->id, reply);
	if (fate == MAIL_FATE_RETRY) {
		mail_failed(m, "will retry: %s", reply);
		mail_wait(m, mail_outbox_find(&m->ob, seq),
		    o->reverse_code < 200 || o->reverse_code >= 300);
		return o->reverse_code >= 200 && o->reverse_code < 300;
	}
	m->server_backoff_s = 0;
	if (mail_settle_rcpts(sp, f, reply, &sent, &refused) == 0)
		err = mail_outbox_remove(&m->ob, seq);
	else
		err = mail_outbox_rewrite(&m->ob, seq, sp);
	if (mail_outbox_find(&m->ob, seq) != NULL)
		mail_wait(m, mail_outbox_find(&m->ob, seq), false);
	if (sent)
		m->last_success = time(NULL);
	if (fate != MAIL_FATE_DONE || !sent || refused)
		mail_failed(m, "%s", reply);
	if (err < 0)	/* the settled recipients may get it again */
		mail_failed(m, "outbox: cannot record the delivery of %s: %s",
		    sp->id, strerror(-err));
	m->status_dirty = true;
	return true;
}

/* Read, age-check and send message `seq`; false = stop for now. */
static bool
mail_send_one(struct mail *m, uint64_t seq)
{
	struct mail_server srv;
	struct mail_outcome o;
	struct mail_spool sp;
	char why[BUS_TEXT_MAX], reply[BUS_TEXT_MAX];

	if (mail_outbox_read(&m->ob, seq, m->filebuf, MAIL_FILE_MAX, &sp,
	    why, sizeof why) < 0) {
		mail_outbox_quarantine(&m->ob, seq);
		bus_event(EVENT_EMAIL, SEVERITY_ERROR, "unreadable outbox "
		    "file %llu kept aside: %s", (unsigned long long)seq, why);
		return true;
	}
	if (time(NULL) - sp.created > m->max_age_s) {
		mail_outbox_remove(&m->ob, seq);
		m->dropped++;
		bus_event(EVENT_EMAIL, SEVERITY_WARNING, "mail %s dropped: not "
		    "delivered within %ld s", sp.id, m->max_age_s);
		m->status_dirty = true;
		return true;
	}
	mail_server(m, &srv);
	mail_smtp_send(&srv, &sp, &o, reply, sizeof reply);
	explicit_bzero(srv.password, sizeof srv.password);
	return mail_result(m, seq, &sp, &o, reply);
}

/* Lift a hold once the mail settings changed; true = still held. */
static bool
mail_still_held(struct mail *m)
{
	char now_settings[sizeof m->held_settings];

	if (!m->held)
		return false;
	mail_settings_snapshot(now_settings, sizeof now_settings);
	if (strcmp(now_settings, m->held_settings) == 0)
		return true;
	m->held = false;	/* settings changed: try again */
	m->server_next_ms = 0;
	m->status_dirty = true;
	return false;
}

/* The oldest mail after `last` that is due now; 0 = none. */
static uint64_t
mail_next_due(const struct mail *m, uint64_t last)
{
	for (size_t i = 0; i < m->ob.count; i++)
		if (m->ob.q[i].seq > last && m->ob.q[i].next_ms <= clock_ms())
			return m->ob.q[i].seq;
	return 0;
}

/* Oldest due mail first, for at most MAIL_PASS_MS; true = more due. */
static bool
mail_deliver(struct mail *m)
{
	uint64_t start = clock_ms(), last = 0, seq;

	if (mail_still_held(m) || !mail_active() ||
	    clock_ms() < m->server_next_ms)
		return false;
	while ((seq = mail_next_due(m, last)) != 0) {
		if (clock_ms() - start >= MAIL_PASS_MS ||
		    svc_should_stop(m->ctx))
			return true;
		if (!mail_send_one(m, seq))
			return false;
		last = seq;
		svc_beat(m->ctx);
	}
	return false;
}

/* ---- the test mail (an action, svc_request) ---- */

/* `to` from the args, else every configured address; 0 or -EINVAL. */
static int
mail_test_rcpts(const char *args, struct mail_spool *sp, char *reply,
    size_t len)
{
	struct state_mail_recipient r[MAIL_RULES_MAX];
	json_t *j = json_loads(args, 0, NULL), *to = json_object_get(j, "to");
	size_t n;

	sp->nrcpt = 0;
	if (to != NULL) {
		if (!json_is_string(to) || strchr(json_string_value(to), ' ') ||
		    state_mail_recipient(json_string_value(to), r) < 0) {
			snprintf(reply, len, "to: not a mail address");
			json_decref(j);
			return -EINVAL;
		}
		memcpy(sp->rcpt[sp->nrcpt++], r[0].address, sizeof sp->rcpt[0]);
		json_decref(j);
		return 0;
	}
	json_decref(j);
	n = mail_rules(r, MAIL_RULES_MAX);
	for (size_t i = 0; i < n && sp->nrcpt < MAIL_RCPT_MAX; i++) {
		size_t k = 0;

		while (k < sp->nrcpt && strcasecmp(sp->rcpt[k], r[i].address))
			k++;
		if (k == sp->nrcpt)
			memcpy(sp->rcpt[sp->nrcpt++], r[i].address,
			    sizeof sp->rcpt[0]);
	}
	if (sp->nrcpt == 0)
		snprintf(reply, len, "no recipient: set mail.to or a "
		    "mail.recipientN, or give one");
	return sp->nrcpt ? 0 : -EINVAL;
}

/*
 * "test": one mail now, through the normal SMTP path but not the
 * outbox (a probe: never retried, not in the status). args: JSON, an
 * optional "to". 0 and the server's final reply; -EIO and the reason
 * it failed; -EINVAL and what is missing.
 */
static int
mail_test(struct svc_ctx *ctx, const char *args, char *reply, size_t len)
{
	static const struct mail_alert test = { .category = EVENT_EMAIL,
		.severity = SEVERITY_INFO, .count = 1,
		.text = "Test mail: this unit can send its alerts." };
	struct mail *m = svc_priv(ctx);
	enum mail_rcpt_fate f[MAIL_RCPT_MAX];
	struct mail_alert a = test;
	struct mail_server srv;
	struct mail_outcome o;
	struct mail_spool sp;
	struct mail_unit u;
	int n;

	memset(&sp, 0, sizeof sp);
	mail_server(m, &srv);
	if (srv.host[0] == '\0') {
		snprintf(reply, len, "no mail server set (mail.server)");
		return -EINVAL;
	}
	if (mail_test_rcpts(args, &sp, reply, len) < 0)
		return -EINVAL;
	mail_unit(m, &u);
	a.first = a.last = sp.created = time(NULL);
	/* the top half of the numbers is never an outbox sequence */
	mail_msg_id(sp.id, sizeof sp.id, sp.created, (1ull << 63) |
	    ++m->tests, &u);
	n = mail_msg_format(&a, &u, srv.from, &sp, sp.created, m->msgbuf,
	    MAIL_MSG_MAX);
	sp.message = m->msgbuf;
	sp.message_len = n > 0 ? (size_t)n : 0;
	mail_smtp_send(&srv, &sp, &o, reply, len);
	explicit_bzero(srv.password, sizeof srv.password);
	n = mail_msg_classify(&o, f) == MAIL_FATE_DONE ? 0 : -EIO;
	for (size_t i = 0; i < sp.nrcpt && n == 0; i++)
		if (f[i] != MAIL_RCPT_SENT)
			n = -EIO;
	log_info("test mail to %s%s: %s", sp.rcpt[0], sp.nrcpt > 1 ?
	    " and others" : "", reply);
	return n;
}

static const struct svc_action mail_actions[] = {
	{ "test", mail_test },
	{ NULL },
};

/* ---- the service ---- */

static void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	if (m->sub != NULL)
		bus_unsubscribe(m->sub);
	mail_outbox_close(&m->ob);
	mail_tz_free(&m->tz);
	free(m->filebuf);
	free(m->msgbuf);
	free(m);
}

static void
mail_config(struct mail *m, struct svc_ctx *ctx)
{
	m->ctx = ctx;
	m->ca_file = svc_cfg_str(ctx, "ca_file");
	m->hostname = svc_cfg_str(ctx, "hostname");
	m->timeout_ms = (unsigned)svc_cfg_int(ctx, "timeout_s") * 1000u;
	m->retry_min_s = (unsigned)svc_cfg_int(ctx, "retry_min_s");
	m->retry_max_s = (unsigned)svc_cfg_int(ctx, "retry_max_s");
	m->max_age_s = svc_cfg_int(ctx, "max_age_s");
	m->max_queued = (unsigned)svc_cfg_int(ctx, "max_queued");
	mail_window_init(&m->win, (unsigned)svc_cfg_int(ctx, "window_s"),
	    (unsigned)svc_cfg_int(ctx, "burst"));
	snprintf(m->spool_dir, sizeof m->spool_dir, "%s",
	    cfg_str(svc_cfg(ctx), "unit", "spool_dir"));
}

/* The outbox numbers restart when it is empty: the ID must not. */
static void
mail_instance(struct mail *m)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof r, 0) != sizeof r)
		r = (uint32_t)clock_ms() ^ (uint32_t)time(NULL);
	snprintf(m->instance, sizeof m->instance, "%08x", r);
}

static int
mail_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct mail *m = calloc(1, sizeof *m);
	int err;

	if (m == NULL || (m->filebuf = malloc(MAIL_FILE_MAX)) == NULL ||
	    (m->msgbuf = malloc(MAIL_MSG_MAX)) == NULL) {
		mail_free(m);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	m->ob.dirfd = -1;
	mail_config(m, ctx);
	mail_instance(m);
	err = mail_outbox_open(&m->ob, m->spool_dir, why, whylen);
	if (err == 0 && m->ca_file[0] != '\0' && access(m->ca_file, R_OK) < 0) {
		err = -errno;
		snprintf(why, whylen, "ca_file %s: %s", m->ca_file,
		    strerror(errno));
	}
	if (err == 0 && (m->sub = bus_subscribe(BUS_MASK(BUS_EVENT),
	    MAIL_RING)) == NULL) {
		snprintf(why, whylen, "cannot subscribe to the bus");
		err = -ENOMEM;
	}
	if (err < 0) {
		mail_free(m);
		return err;
	}
	mail_smtp_global_init();
	m->status_dirty = true;
	if (m->ob.count > 0)
		log_info("%zu mails waiting in the outbox", m->ob.count);
	svc_set_priv(ctx, m);
	return 0;
}

static int
mail_run(struct svc_ctx *ctx)
{
	struct mail *m = svc_priv(ctx);
	struct pollfd pfd = { .fd = bus_sub_fd(m->sub), .events = POLLIN };
	bool more = false;

	while (!svc_should_stop(ctx)) {
		/* mails still due: only look at the bus, then go on */
		int rc = svc_poll(ctx, &pfd, 1, more ? 0 : 1000);

		if (rc < 0)
			return rc;
		if (mail_active() != m->active) {
			m->active = !m->active;
			m->status_dirty = true;
		}
		mail_take_events(m);
		more = mail_deliver(m);
		mail_status_write(m);
		svc_beat(ctx);
	}
	return 0;
}

static void
mail_stop(struct svc_ctx *ctx)
{
	struct mail *m = svc_priv(ctx);
	struct mail_alert a;

	/* events already published still count; digests still counting go
	 * to the outbox, sent after the restart */
	if (m != NULL)
		mail_take_events(m);
	while (m != NULL && mail_window_flush(&m->win, &a) == 1)
		mail_queue(m, &a);
	if (m != NULL)
		mail_status_write(m);
	mail_free(m);
	svc_set_priv(ctx, NULL);
}

const struct service mail_service = {
	.name = "mail",
	.summary = "email alerts through a persistent outbox (SMTP)",
	.keys = mail_keys,
	.default_port = 0,
	.default_enabled = true,
	.init = mail_init,
	.run = mail_run,
	.stop = mail_stop,
	.actions = mail_actions,
};
