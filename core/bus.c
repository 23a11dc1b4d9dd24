/* SPDX-License-Identifier: MIT */
/*
 * Message bus. Each subscriber owns a ring of fixed-size messages, a lock
 * and an eventfd; publish copies into every matching ring under that
 * ring's lock only, dropping the ring's oldest message when it is full,
 * so a slow subscriber costs itself messages and never blocks anyone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "log.h"

#define BUS_DEPTH_MAX 65536

struct bus_sub {
	struct bus_sub *next;
	uint32_t mask;
	_Atomic uint64_t want, wake;	/* BUS_WHAT bits of changes */
	unsigned depth, head, count;
	bool armed;		/* efd written, not yet read back */
	_Atomic uint64_t dropped;
	int efd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct bus_msg *ring;
};

static pthread_rwlock_t bus_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct bus_sub *bus_subs;
static _Atomic uint64_t bus_count;

int
bus_init(void)
{
	return 0;
}

void
bus_shutdown(void)
{
	struct bus_sub *sub, *next;

	pthread_rwlock_wrlock(&bus_lock);
	for (sub = bus_subs; sub; sub = next) {
		next = sub->next;
		close(sub->efd);
		pthread_mutex_destroy(&sub->lock);
		pthread_cond_destroy(&sub->cond);
		free(sub->ring);
		free(sub);
	}
	bus_subs = NULL;
	pthread_rwlock_unlock(&bus_lock);
}

struct bus_sub *
bus_subscribe(uint32_t mask, unsigned depth)
{
	struct bus_sub *sub;
	pthread_condattr_t attr;

	if (depth == 0 || depth > BUS_DEPTH_MAX)
		return NULL;
	sub = calloc(1, sizeof *sub);
	if (!sub)
		return NULL;
	sub->ring = calloc(depth, sizeof *sub->ring);
	sub->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!sub->ring || sub->efd < 0) {
		if (sub->efd >= 0)
			close(sub->efd);
		free(sub->ring);
		free(sub);
		return NULL;
	}
	sub->mask = mask;
	sub->want = BUS_WHAT_ALL;
	sub->wake = BUS_WHAT_ALL;
	sub->depth = depth;
	pthread_mutex_init(&sub->lock, NULL);
	/* bus_wait deadlines are monotonic, immune to clock steps by NTP */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sub->cond, &attr);
	pthread_condattr_destroy(&attr);

	pthread_rwlock_wrlock(&bus_lock);
	sub->next = bus_subs;
	bus_subs = sub;
	pthread_rwlock_unlock(&bus_lock);
	return sub;
}

void
bus_unsubscribe(struct bus_sub *sub)
{
	struct bus_sub **pp;

	if (!sub)
		return;
	pthread_rwlock_wrlock(&bus_lock);
	for (pp = &bus_subs; *pp; pp = &(*pp)->next) {
		if (*pp == sub) {
			*pp = sub->next;
			break;
		}
	}
	pthread_rwlock_unlock(&bus_lock);
	close(sub->efd);
	pthread_mutex_destroy(&sub->lock);
	pthread_cond_destroy(&sub->cond);
	free(sub->ring);
	free(sub);
}

static void
bus_push(struct bus_sub *sub, const struct bus_msg *msg, bool wake)
{
	static const uint64_t one = 1;
	unsigned tail;

	pthread_mutex_lock(&sub->lock);
	if (sub->count == sub->depth) {
		/* full: the oldest message goes, and the loss is counted */
		sub->head = (sub->head + 1) % sub->depth;
		sub->count--;
		sub->dropped++;
	}
	tail = (sub->head + sub->count) % sub->depth;
	sub->ring[tail] = *msg;
	sub->count++;
	if (wake && !sub->armed) {
		sub->armed = true;
		if (write(sub->efd, &one, sizeof one) < 0) {
			/* cannot overflow: one write per empty->armed */
		}
	}
	pthread_cond_signal(&sub->cond);
	pthread_mutex_unlock(&sub->lock);
}

void
bus_sub_changes(struct bus_sub *sub, uint64_t want, uint64_t wake)
{
	atomic_store_explicit(&sub->want, want, memory_order_relaxed);
	atomic_store_explicit(&sub->wake, wake, memory_order_relaxed);
}

/* 0 = not for `sub`, 1 = queue quietly, 2 = queue and wake. */
static int
bus_wants(struct bus_sub *sub, const struct bus_msg *msg)
{
	uint64_t bit;

	if (!(sub->mask & BUS_MASK(msg->type)))
		return 0;
	/* a `what` past the masks' 64 bits is never filtered out */
	if (msg->type != BUS_CHANGE || (unsigned)msg->u.change.what >= 64)
		return 2;
	bit = BUS_WHAT((unsigned)msg->u.change.what);
	if (!(atomic_load_explicit(&sub->want, memory_order_relaxed) & bit))
		return 0;
	return (atomic_load_explicit(&sub->wake, memory_order_relaxed) &
	    bit) ? 2 : 1;
}

void
bus_publish(const struct bus_msg *msg)
{
	struct bus_sub *sub;
	int w;

	if ((unsigned)msg->type >= BUS_TYPE_COUNT)
		return;
	bus_count++;
	pthread_rwlock_rdlock(&bus_lock);
	for (sub = bus_subs; sub; sub = sub->next)
		if ((w = bus_wants(sub, msg)) > 0)
			bus_push(sub, msg, w == 2);
	pthread_rwlock_unlock(&bus_lock);
}

static void
bus_event_v(const struct origin *o, enum event_category category,
    enum event_severity severity, const char *fmt, va_list ap)
{
	struct bus_msg msg;

	memset(&msg, 0, sizeof msg);
	msg.type = BUS_EVENT;
	msg.u.event.category = category;
	msg.u.event.severity = severity;
	msg.u.event.when = time(NULL);
	vsnprintf(msg.u.event.text, sizeof msg.u.event.text, fmt, ap);
	if (o != NULL)
		msg.u.event.origin = *o;
	bus_publish(&msg);
}

void
bus_event(enum event_category category, enum event_severity severity,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bus_event_v(NULL, category, severity, fmt, ap);
	va_end(ap);
}

void
bus_event_by(const struct origin *o, enum event_category category,
    enum event_severity severity, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bus_event_v(o, category, severity, fmt, ap);
	va_end(ap);
}

/* Pop under sub->lock; resets the eventfd once the ring is empty. */
static int
bus_pop_locked(struct bus_sub *sub, struct bus_msg *out)
{
	uint64_t drain;

	if (sub->count == 0)
		return 0;
	*out = sub->ring[sub->head];
	sub->head = (sub->head + 1) % sub->depth;
	if (--sub->count == 0 && sub->armed) {
		sub->armed = false;
		if (read(sub->efd, &drain, sizeof drain) < 0) {
			/* EAGAIN: nothing to drain */
		}
	}
	return 1;
}

int
bus_take(struct bus_sub *sub, struct bus_msg *out)
{
	int got;

	pthread_mutex_lock(&sub->lock);
	got = bus_pop_locked(sub, out);
	pthread_mutex_unlock(&sub->lock);
	return got;
}

int
bus_wait(struct bus_sub *sub, struct bus_msg *out, int timeout_ms)
{
	struct timespec deadline;
	int got;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sub->lock);
	while (sub->count == 0) {
		if (pthread_cond_timedwait(&sub->cond, &sub->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	}
	got = bus_pop_locked(sub, out);
	pthread_mutex_unlock(&sub->lock);
	return got;
}

int
bus_sub_fd(const struct bus_sub *sub)
{
	return sub->efd;
}

uint64_t
bus_sub_dropped(const struct bus_sub *sub)
{
	return sub->dropped;
}

uint64_t
bus_published(void)
{
	return bus_count;
}

const char *
svc_state_name(enum svc_state state)
{
	static const char *const names[] = {
		[SVC_STOPPED] = "stopped",
		[SVC_STARTING] = "starting",
		[SVC_RUNNING] = "running",
		[SVC_BACKOFF] = "backing off",
		[SVC_FAILED] = "failed",
		[SVC_STOPPING] = "stopping",
	};

	if ((unsigned)state >= sizeof names / sizeof *names)
		return "unknown";
	return names[state];
}

void
bus_origin_set(struct origin *o, const char *service, uint32_t session)
{
	snprintf(o->service, sizeof o->service, "%s", service);
	o->session = session;
}

const char *
bus_origin_name(const struct origin *o)
{
	if (o->flags & ORIGIN_MACRO)
		return "macro";
	if ((o->flags & ORIGIN_INTERNAL) || o->service[0] == '\0')
		return "internal";
	return o->service;
}

void
bus_origin_describe(const struct origin *o, char *buf, size_t len)
{
	/* o->from is "<kind> <address>", e.g. "serial /dev/ttyS0" */
	const char *sp = memchr(o->from, ' ', strnlen(o->from,
	    sizeof o->from));
	int kind = sp ? (int)(sp - o->from) : (int)strnlen(o->from,
	    sizeof o->from);
	int n;

	if ((o->flags & ORIGIN_INTERNAL) ||
	    (o->service[0] == '\0' && o->from[0] == '\0')) {
		snprintf(buf, len, "the unit itself");
		return;
	}
	n = snprintf(buf, len, "%s%.*s", o->flags & ORIGIN_MACRO ?
	    "macro started from " : "", kind ? kind : BUS_NAME_MAX,
	    kind ? o->from : o->service);
	if (o->session != 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " session %u",
		    (unsigned)o->session);
	if (o->user[0] != '\0' && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", user %.*s",
		    (int)sizeof o->user, o->user);
	if (sp != NULL && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", %.*s",
		    (int)(sizeof o->from - (size_t)(sp + 1 - o->from)), sp + 1);
}

bool
bus_origin_same_session(const struct origin *a, const struct origin *b)
{
	if (((a->flags | b->flags) & (ORIGIN_MACRO | ORIGIN_INTERNAL)) != 0)
		return false;
	return a->session != 0 && a->session == b->session &&
	    strcmp(a->service, b->service) == 0;
}
