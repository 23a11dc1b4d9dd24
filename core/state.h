/* SPDX-License-Identifier: MIT */
/*
 * The shared state: the unit's device model (identity, network, time,
 * names, SNMP, mail, users, audio, health) behind one rwlock. It is read
 * and changed only through these functions; setters validate, return 0 or
 * -errno with a reason a user can read, give every change a sequence
 * number, and publish it on the bus after the lock is released. Settings
 * are saved (state_file.c, through persist.h) before a setter returns;
 * audio values are saved at most once a second.
 */
#ifndef CONVERGD_STATE_H
#define CONVERGD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bus.h"
#include "model.h"
#include "usmkey.h"

#define STATE_LABEL_MAX 20	/* LABEL text, 1-20 chars */
#define STATE_PRESETS 32
#define STATE_MACROS 255
#define STATE_MACRO_LINES 64
#define STATE_METERS 4		/* meter positions I, A, N, G */
#define STATE_USERS_MAX 16
#define STATE_EVENTS_MAX 200	/* persisted event log */
#define STATE_GAIN_SLOTS 64	/* gain channels over all models */

#define GAIN_ENTRY_MIN (-99.9)	/* what GAIN accepts */
#define GAIN_ENTRY_MAX 99.9
#define GAIN_MIN (-65.0)	/* default channel MIN/ what it clamps to */
#define GAIN_MAX 20.0
#define MTRXLVL_ENTRY_MIN (-99.0)
#define MTRXLVL_ENTRY_MAX 99.0
#define MTRXLVL_MIN (-60.0)
#define MTRXLVL_MAX 12.0
#define RAMP_RATE_MAX 50.0

/* What changed (bus_change.what). */
enum state_field {
	STATE_F_GAIN,		/* group/channel, number = gain */
	STATE_F_MINMAX,		/* number = min, number2 = max */
	STATE_F_MUTE,		/* integer = 0/1 */
	STATE_F_RAMP,		/* number = rate, number2 = target */
	STATE_F_LABEL,		/* text */
	STATE_F_MTRX,		/* src group/channel, dst_*, integer = value */
	STATE_F_MTRXLVL,	/* ..., number = level */
	STATE_F_MTRXCLEAR,
	STATE_F_PRESET,		/* integer = preset recalled */
	STATE_F_PRESET_STORED,	/* integer = preset stored */
	STATE_F_MACRO,		/* integer = macro started */
	STATE_F_MACRO_DEFINED,	/* integer = macro defined */
	STATE_F_SAFETY_MUTE,	/* integer = 0/1 */
	STATE_F_SETTING,	/* integer = enum state_setting, text = value,
				   number = 1 if the value is new */
	STATE_F_USER,		/* text = user name (added/changed/removed) */
	STATE_F_RELOADED,	/* whole state replaced; integer = 1 for
				   DEFAULT, 0 for a restore or load */
};

/* User levels, lowest first (the console's "Level: ..." line). */
enum user_level { LEVEL_USER, LEVEL_MANAGER, LEVEL_ADMIN };
const char *user_level_name(enum user_level level); /* "Administrator" */

/* Scalar settings: one table row each (see state_setting_info). */
enum state_setting {
	SET_UNIT_LABEL,		/* LABEL 0 U */
	SET_NET_DHCP_ON,	/* ENETDHCP 0/1 */
	SET_NET_ADDR,		/* ENETADDR */
	SET_NET_MASK,		/* ENETSUBN */
	SET_NET_GATEWAY,	/* ENETGATE */
	SET_NET_DNS,		/* ENETDNS */
	SET_NET_DNS2,
	SET_NET_DOMAIN,		/* ENETDOMAIN */
	SET_NTP_SERVER,		/* NTPSRV */
	SET_NTP_SERVER2,
	SET_TIMEZONE,
	SET_NETBIOS_NAME,
	SET_WINS_SERVER,
	SET_LOC_BLDG,		/* LOCBLDG ... */
	SET_LOC_ROOM,
	SET_LOC_CITY,
	SET_LOC_REGION,
	SET_SNMP_MANAGER,	/* SNMPMNGRIP: first trap destination */
	SET_SNMP_MANAGER_PORT,	/* SNMPMNGRPORT 1-65535 */
	SET_SNMP_RO_COMMUNITY,
	SET_SNMP_RW_COMMUNITY,
	SET_MAIL_SERVER,
	SET_MAIL_PORT,
	SET_MAIL_SECURITY,	/* none, starttls, tls */
	SET_MAIL_USER,
	SET_MAIL_PASSWORD,
	SET_MAIL_FROM,
	SET_MAIL_TO,		/* comma-separated recipients */
	SET_MAIL_EVENTS,	/* event mask, hex */
	SET_LOGMASK,		/* LOGMASK, hex, 8 digits */
	SET_BAUD,		/* 9600 ... 115200 */
	SET_FLOW,		/* 0/1 */
	SET_MAIL_ENABLED,	/* 0/1: mail alerts on */
	SET_MAIL_RCPT1,		/* "address [MASK [severity]]", see */
	SET_MAIL_RCPT16 = SET_MAIL_RCPT1 + 15,	/* state_mail_recipient */
	SET_LOC_CONTACT,	/* who looks after the unit (SNMP sysContact) */
	SET_NTP_SERVER3,	/* host[:port], like time.ntp_server */
	SET_NTP_SERVER4,
	SET_SNMP_TRAP2,		/* "host[:port] KIND NAME", see */
	SET_SNMP_TRAP8 = SET_SNMP_TRAP2 + 6,	/* state_snmp_trap */
	SET_SNMP_SOURCES,	/* networks allowed to query; "" = config */
	SET_COUNT
};

enum setting_type {
	SETTING_TEXT,	/* printable, length min..max, may be empty if min 0 */
	SETTING_IPV4,	/* dotted quad, or empty if min 0 */
	SETTING_MASK,	/* contiguous netmask */
	SETTING_INT,	/* decimal in min..max */
	SETTING_BOOL,	/* 0/1 */
	SETTING_HEX,	/* hex digits, value <= max */
	SETTING_CHOICE,	/* one of choices */
	SETTING_HOSTPORT, /* host name or dotted quad, optional :port; or empty */
};

struct state_setting_info {
	const char *key;	/* JSON / API name: "network.address" */
	enum setting_type type;
	long min, max;
	const char *def;	/* factory default */
	const char *const *choices;
	enum user_level level;	/* needed to change it */
	bool secret;		/* never shown (mail password) */
	/* shown to Administrators, but its value never goes into events
	 * (and so into mails): SNMP communities */
	bool not_in_events;
};

const struct state_setting_info *state_setting_info(enum state_setting s);
/* The setting named `key`, or -1. */
int state_setting_lookup(const char *key);

/*
 * Parse a mail.recipientN value, "address [MASK [severity]]" (hex event
 * mask, default FFFFFFFF; severity info|warning|error, default info).
 * 0 = a recipient, 1 = empty (none), -EINVAL = malformed.
 */
#define STATE_MAIL_ADDR_MAX 128
struct state_mail_recipient {
	char address[STATE_MAIL_ADDR_MAX];
	uint32_t mask;		/* event categories, 1u << category */
	enum event_severity min;
};
int state_mail_recipient(const char *value, struct state_mail_recipient *r);

/*
 * Parse a snmp.trapN value (N = 2..8), "host[:port] KIND NAME": host a
 * dotted quad or DNS name, port default 162, KIND v1-trap, v2c-trap,
 * v2c-inform (NAME a community: no blanks), v3-inform or v3-trap (NAME a unit
 * account, a Manager or Administrator). 0 = a destination, 1 = empty
 * (none), -EINVAL = malformed (`why`, if not NULL, says what).
 */
enum state_trap_kind { TRAP_V1, TRAP_V2C, TRAP_V2C_INFORM, TRAP_V3_INFORM,
	TRAP_V3 };
struct state_snmp_trap {
	char host[121];
	int port;
	enum state_trap_kind kind;
	char name[32];		/* community or user */
};
int state_snmp_trap(const char *value, struct state_snmp_trap *t,
    const char **why);

/* Identity fixed at start-up (from [unit] config and the machine). */
struct state_identity {
	const struct model *model;
	int device_id;		/* 0..model->max_device_id */
	char uid[9];		/* 8 hex digits */
	char firmware[16];	/* "4.4.0.2" */
	unsigned dver;		/* command dictionary version */
	char mac[18];		/* "02:00:00:12:34:56" */
};

/* Create the state with factory defaults for `id` (no file read). */
int state_init(const struct state_identity *id);
void state_fini(void);
void state_identity(struct state_identity *out);
/* Current sequence number (last change). */
uint64_t state_seq(void);

/* ---- settings ---- */
int state_setting_get(enum state_setting s, char *buf, size_t len);
/*
 * Validate and set. `why` names the problem ("not a dotted quad").
 * Saved before returning; if it could not be saved nothing changed and
 * the result is -EIO, "not saved: REASON" (so for every saving setter:
 * users, labels, limits, presets, macros, DEFAULT, restore).
 */
int state_setting_set(enum state_setting s, const char *value,
    const struct origin *origin, char *why, size_t whylen);
/*
 * The same validation without changing anything (so an API can check a
 * whole request first); the canonical form ("0A" -> "0000000A") goes to
 * `canon`. 0, or -EINVAL with `why`.
 */
int state_setting_check(enum state_setting s, const char *value,
    char *canon, size_t canonlen, char *why, size_t whylen);

/* ---- users ---- */
/* 0 and the level if name/password match; -EACCES otherwise. */
int state_user_check(const char *name, const char *password,
    enum user_level *level);
/*
 * The stored crypt(3) hash of `name` and its level, for a protocol that
 * proves knowledge of the password by a MAC keyed with the hash
 * (a signed request); -ENOENT for an unknown user.
 */
int state_user_hash(const char *name, char *hash, size_t len,
    enum user_level *level);
/* Add or change a user; password NULL keeps the old one. */
int state_user_set(const char *name, const char *password,
    enum user_level level, const struct origin *origin, char *why,
    size_t whylen);
int state_user_delete(const char *name, const struct origin *origin,
    char *why, size_t whylen);
struct state_user_info {
	char name[32];
	enum user_level level;
};
size_t state_user_list(struct state_user_info *out, size_t max);
/*
 * The SNMPv3 USM key (RFC 3414 Ku, SHA-1) of `name`'s password: 0,
 * -ENOENT (no such user) or -ENODATA (not known: the password is
 * shorter than 8 characters or was set before keys were kept; setting
 * the password again makes it).
 */
int state_user_usm_key(const char *name, uint8_t key[USMKEY_LEN]);
/* True while the first-boot clearone/converge login still works. */
bool state_default_password_in_use(void);

/* ---- audio (group letters and channel indexes per model.h) ---- */
int state_gain_get(char group, int channel, double *gain);
/* Absolute or relative; clamps to the channel's min/max. */
int state_gain_set(char group, int channel, double value, bool relative,
    const struct origin *origin, double *result, char *why, size_t whylen);
int state_minmax_get(char group, int channel, double *min, double *max);
int state_minmax_set(char group, int channel, double min, double max,
    const struct origin *origin, char *why, size_t whylen);
int state_mute_get(char group, int channel, int *mute);
/* value 0 off, 1 on, 2 toggle; *result = new state. */
int state_mute_set(char group, int channel, int value,
    const struct origin *origin, int *result, char *why, size_t whylen);
int state_label_get(char group, int channel, char *buf, size_t len);
/* "CLEAR" erases; 1-20 printable characters otherwise. */
int state_label_set(char group, int channel, const char *text,
    const struct origin *origin, char *why, size_t whylen);

int state_mtrx_get(char src_group, int src, char dst_group, int dst,
    int *value);
/* value 0-5 per protocol.md §5.1 rules (2 toggles); *result = new value. */
int state_mtrx_set(char src_group, int src, char dst_group, int dst,
    int value, const struct origin *origin, int *result, char *why,
    size_t whylen);
int state_mtrxlvl_get(char src_group, int src, char dst_group, int dst,
    double *level);
int state_mtrxlvl_set(char src_group, int src, char dst_group, int dst,
    double value, bool relative, const struct origin *origin,
    double *result, char *why, size_t whylen);
int state_mtrx_clear(const struct origin *origin);

int state_safety_mute_get(void);
int state_safety_mute_set(int value, const struct origin *origin,
    int *result);

/* Presets 1-32: snapshots of gains, mutes, min/max and the matrix. */
int state_preset_store(int n, const struct origin *origin, char *why,
    size_t whylen);
/*
 * Recall preset n. An empty preset in range is acknowledged and changes
 * nothing (like a real unit): 0, with an event saying it was empty.
 */
int state_preset_recall(int n, const struct origin *origin, char *why,
    size_t whylen);
bool state_preset_defined(int n);
/* Last preset recalled (0 = none yet). */
int state_preset_last(void);

/*
 * Macros 1-255: lists of command lines, run by a scheduler with the
 * rights of `level`, the level of the user who defined them (a macro
 * never carries more rights than its definer).
 */
int state_macro_define(int n, const char *const *lines, size_t count,
    enum user_level level, const struct origin *origin, char *why,
    size_t whylen);
size_t state_macro_lines(int n, char lines[][BUS_TEXT_MAX], size_t max);
/* Last macro started (0 = none yet). */
int state_macro_last(void);

/*
 * ---- for the scheduler that moves gains and runs macros over time ----
 * The state keeps only what is saved; the scheduler (a service) keeps
 * the ramps and the macro queue and calls these. An epoch tells it that
 * the gains or macros were replaced (preset recall, restore, DEFAULT):
 * what it started before is over.
 */
struct state_ramp {
	int slot;		/* gain channel; aliases share one */
	char group;		/* as the starter addressed it */
	int channel;
	double rate, target;	/* dB/s; target inside the limits */
	double reported;	/* the gain last published */
	uint64_t epoch;
	struct origin origin;	/* who started it */
};
/*
 * Check a RAMP request and announce it (STATE_F_RAMP); fill `r` with
 * the target (the limit in the rate's direction if !has_target, kept
 * inside the channel's min/max) and the gain now. Rate 0 stops a ramp.
 */
int state_ramp_begin(char group, int channel, double rate, bool has_target,
    double target, const struct origin *origin, struct state_ramp *r,
    char *why, size_t whylen);
/*
 * Move r's gain by `delta` dB towards r->target, within the limits, as
 * `origin`. Publishes when the gain moved 0.01 dB or more from
 * r->reported, or at the end. 1 = the ramp is over (target or a limit
 * reached), 0 = it goes on, -ESTALE = the gains were replaced since.
 */
int state_gain_step(struct state_ramp *r, double delta,
    const struct origin *origin);
/* The gain channel index of (group, channel); aliases share one. */
int state_gain_slot(char group, int channel, int *slot);
/* Gains replaced this many times (a ramp from an older epoch is over). */
uint64_t state_gain_epoch(void);
/*
 * Macro n is starting: remember it as the last one, announce it
 * (STATE_F_MACRO) and give the epoch for state_macro_line. 0 = run it;
 * 1 = it is empty (acknowledged like a real unit, an event says so).
 */
int state_macro_started(int n, const struct origin *origin, uint64_t *epoch,
    char *why, size_t whylen);
/*
 * Line i of macro n and the level it runs at: 1 = copied, 0 = no such
 * line (the macro was shortened or cleared while running), -ESTALE =
 * macros replaced since `epoch`.
 */
int state_macro_line(int n, size_t i, uint64_t epoch, char *buf,
    size_t len, enum user_level *level);

/* Meters (dB, -99.99..99.99) and gate bits; written by the engine. */
int state_meter_get(char group, int channel, int meter, double *db);
int state_meter_put(char group, int channel, int meter, double db);
uint8_t state_gate_bits(void);
void state_gate_put(uint8_t bits);

/* ---- health ---- */
void state_service_put(const struct bus_service *row);
size_t state_services(struct bus_service *out, size_t max);
/*
 * A running service's own status for status pages: one JSON object as
 * text (cut to STATE_DETAIL_MAX - 1 bytes: keep it small), replacing the
 * last one; -ENOENT if the supervisor has no row named `service`.
 */
#define STATE_DETAIL_MAX 384
int state_service_detail_put(const char *service, const char *json);
/* The text `service` last put ("" if none); -ENOENT without a row. */
int state_service_detail(const char *service, char *buf, size_t len);
/* Append to the bounded, persisted event log. */
void state_event_put(const struct bus_event *ev);
size_t state_events(struct bus_event *out, size_t max);

/*
 * The network lease the address service holds now (not saved: it is
 * the service's to renew), for status pages; counters of datagrams it
 * ignored (malformed, not for this unit, from another server).
 */
#define STATE_LEASE_ROUTERS 4
#define STATE_LEASE_DNS 2
struct state_lease {
	bool bound;
	char server[16], address[16], mask[16];
	char router[16];		/* the default route's, of `routers` */
	char routers[STATE_LEASE_ROUTERS][16];	/* as offered; "" = none */
	char dns[STATE_LEASE_DNS][16], domain[256];
	time_t obtained, expires, t1, t2;	/* wall clock; 0 = none */
	uint64_t received, ignored;
};
void state_lease_put(const struct state_lease *lease);
void state_lease_get(struct state_lease *out);

/* ---- whole state ---- */
/* Serialise settings, users, audio and the event log (caller decrefs). */
json_t *state_to_json(void);
/*
 * Validate all of `root` first, then replace the state with it and save
 * (a restore); on any error nothing changes and `why` names the field
 * ("audio.gain[3]: ...") or says "not saved: REASON" (-EIO).
 */
int state_from_json(const json_t *root, const struct origin *origin,
    char *why, size_t whylen);
/* Factory defaults for everything but identity (DEFAULT command). */
int state_reset_defaults(const struct origin *origin);

/*
 * One save for many changes (a wildcard command): between begin and end
 * this thread's saving setters apply and queue their changes; end saves
 * once and publishes them all, or undoes them all and returns -EIO
 * ("not saved: REASON"). Other threads' saving setters wait meanwhile.
 */
void state_batch_begin(void);
int state_batch_end(char *why, size_t whylen);

/* ---- the state file (state_file.c) ---- */
/* Save to `path` from now on; until called, saves are no-ops (tests). */
int state_file_open(const char *path);
void state_file_close(void);
/*
 * Load the state file. 0 = loaded, 1 = no file yet (first boot: keep
 * defaults). A corrupt file is reported with its path and the .bak copy
 * used (0 with `why` set); if no good copy exists, -EINVAL.
 */
int state_file_load(char *why, size_t whylen);
/*
 * Save everything now; 0 or -errno. Setters that save return -EIO with
 * "not saved: REASON" and change nothing when it fails.
 */
int state_save_now(void);
/* Write pending audio changes if at least 1 s passed since the last. */
void state_save_tick(void);
/* Write anything pending (shutdown). */
int state_save_flush(void);
/*
 * True while saves fail; the reason ("No space left on device") goes to
 * `buf`. For status pages: "settings cannot be saved: REASON".
 */
bool state_save_problem(char *buf, size_t len);

#endif
