/* SPDX-License-Identifier: MIT */
/*
 * Message bus: publish/subscribe between service threads. Messages are
 * one tagged union of fixed-size structs (no length field to trust).
 * Every subscriber has a bounded ring: publishing never blocks; when a
 * ring is full its oldest message is dropped and counted.
 */
#ifndef CONVERGD_BUS_H
#define CONVERGD_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define BUS_NAME_MAX 24
#define BUS_TEXT_MAX 160

enum bus_type {
	BUS_SERVICE,	/* a service changed state (supervisor) */
	BUS_CHANGE,	/* the shared state changed (state.h) */
	BUS_EVENT,	/* something a user should hear about */
	BUS_METERS,	/* engine updated meters/gates (no state seq) */
	BUS_TYPE_COUNT
};
#define BUS_MASK(type) (1u << (type))
#define BUS_MASK_ALL ((1u << BUS_TYPE_COUNT) - 1)

/*
 * Who caused a change: the service (its descriptor's name, so core needs
 * no list of services), the session inside it, the user and the place.
 * The flags are the little core itself must know about an origin.
 */
enum origin_flag {
	ORIGIN_INTERNAL = 1u << 0,	/* the daemon itself: start-up, load */
	ORIGIN_MACRO = 1u << 1,		/* a line run by a macro */
};

struct origin {
	char service[BUS_NAME_MAX];	/* "console", "web", ...; "" internal */
	unsigned flags;			/* enum origin_flag bits */
	uint32_t session;	/* unique per connection; 0 = none */
	char user[32];		/* who */
	char from[48];		/* where: "console 127.0.0.1:40022" */
};

/* Service states as the supervisor tracks them. */
enum svc_state {
	SVC_STOPPED,
	SVC_STARTING,
	SVC_RUNNING,
	SVC_BACKOFF,
	SVC_FAILED,
	SVC_STOPPING,
};

struct bus_service {
	char name[BUS_NAME_MAX];
	enum svc_state state;
	unsigned restarts;
	char last_error[BUS_TEXT_MAX];
};

/*
 * One change to the device model. `what` is a state field (enum
 * state_field in state.h); `group`/`channel`/`dst_*` address audio
 * objects (channel indexes are model indexes, see model.h); the value
 * fields that matter depend on `what`.
 */
struct bus_change {
	uint64_t seq;
	int what;
	char group;
	int channel;
	char dst_group;
	int dst_channel;
	double number;		/* gain, level, min */
	double number2;		/* max */
	int integer;		/* mute, matrix value, preset, macro, ... */
	char text[BUS_TEXT_MAX]; /* labels, addresses, strings */
	struct origin origin;
};

/* Event categories follow the unit's LOGMASK bits where one exists. */
enum event_category {
	EVENT_RESET = 0,
	EVENT_ERRORS = 1,
	EVENT_PASSWORD = 2,
	EVENT_SYSTEM = 6,
	EVENT_DEFAULT = 9,
	EVENT_SAFETY_MUTE = 12,
	EVENT_MACRO = 13,
	EVENT_PRESET = 14,
	EVENT_CLIPPING = 15,
	/* ours, above the unit's bits */
	EVENT_SERVICE = 24,
	EVENT_SETTINGS = 25,
	EVENT_NETWORK = 26,
	EVENT_TIME = 27,
	EVENT_NAME = 28,
	EVENT_SNMP_AUTH = 29,
	EVENT_EMAIL = 30,
	EVENT_LOGIN = 31,
};

enum event_severity { SEVERITY_INFO, SEVERITY_WARNING, SEVERITY_ERROR };

struct bus_event {
	enum event_category category;
	enum event_severity severity;
	time_t when;
	char source[BUS_NAME_MAX];
	char text[BUS_TEXT_MAX];
	struct origin origin;	/* who caused it; all zero = the unit */
};

struct bus_meters {
	uint64_t tick;
	uint8_t gate_bits;	/* mics 1-8, bit 0 = mic 1 */
	bool gate_changed;
};

struct bus_msg {
	enum bus_type type;
	union {
		struct bus_service service;
		struct bus_change change;
		struct bus_event event;
		struct bus_meters meters;
	} u;
};

struct bus_sub;

/* Create the process-wide bus; bus_shutdown wakes and frees subscribers. */
int bus_init(void);
void bus_shutdown(void);

/* Subscribe to the types in `mask` with a ring of `depth` messages. */
struct bus_sub *bus_subscribe(uint32_t mask, unsigned depth);
void bus_unsubscribe(struct bus_sub *sub);

/*
 * Narrow a BUS_CHANGE subscription by `what` (BUS_WHAT(STATE_F_...)):
 * only changes in `want` are queued, and of those only the ones in
 * `wake` make the fd readable; the others wait in order for the next
 * wake-up (a later change in `wake`, another type or the poll timeout).
 * Until called every change is wanted and wakes. A gain set would
 * otherwise wake every service thread on a 2-CPU unit: that was most of
 * the cost of a console set. Any thread may call it at any time.
 */
#define BUS_WHAT(what) (UINT64_C(1) << (what))
#define BUS_WHAT_ALL (~UINT64_C(0))
void bus_sub_changes(struct bus_sub *sub, uint64_t want, uint64_t wake);

/* Copy `msg` to every interested subscriber; never blocks. */
void bus_publish(const struct bus_msg *msg);

/* Publish a user event (text is formatted and truncated to fit). */
void bus_event(enum event_category category, enum event_severity severity,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* bus_event caused by `o` (a session, a manager); NULL = the unit. */
void bus_event_by(const struct origin *o, enum event_category category,
    enum event_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Take the oldest message; 1 = got one, 0 = none within timeout_ms. */
int bus_wait(struct bus_sub *sub, struct bus_msg *out, int timeout_ms);
/* Non-blocking bus_wait. */
int bus_take(struct bus_sub *sub, struct bus_msg *out);
/* An fd that polls readable while messages are queued (for poll loops). */
int bus_sub_fd(const struct bus_sub *sub);
/* Messages this subscriber lost because it fell behind. */
uint64_t bus_sub_dropped(const struct bus_sub *sub);
/* Messages published since start (all types). */
uint64_t bus_published(void);

const char *svc_state_name(enum svc_state state);

/* Set who a change comes from: a service's name and a session in it. */
void bus_origin_set(struct origin *o, const char *service, uint32_t session);
/* Short name of an origin for people: "macro", "internal" or the service. */
const char *bus_origin_name(const struct origin *o);
/*
 * An origin for people, e.g. "console session 3, user admin,
 * 127.0.0.1:40022"; "the unit itself" when internal or unset.
 */
void bus_origin_describe(const struct origin *o, char *buf, size_t len);
/* True if both name the same live session (a macro or internal never). */
bool bus_origin_same_session(const struct origin *a, const struct origin *b);

#endif
