/* SPDX-License-Identifier: MIT */
/*
 * Private to the state_*.c files: the persisted part of the device model
 * as plain structs, the per-model slot layout, the one locked struct all
 * of them share, the change helpers, and the validators both the setters
 * and the JSON loader use (so a restored file obeys the same rules as a
 * command). From the bottom up, each file calling only those below it:
 * state_base.c: the shared struct, layout, change numbering and
 * publishing, small helpers; state_settings.c: the settings table and
 * validators; state_rules.c: the other validators; state_json.c: the
 * file format; state_file.c: when and what is saved, the file loaded;
 * state_txn.c: saving transactions; then the setters: state_settings_set.c,
 * state_users.c (users and passwords), state_audio.c (gains, mutes,
 * ramps, labels, matrix, presets, macros, meters), state_health.c (the
 * services table and the event log); state_core.c: life cycle and the
 * whole-state swap (restore, DEFAULT).
 */
#ifndef CONVERGD_STATE_PRIV_H
#define CONVERGD_STATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "bus.h"
#include "model.h"
#include "state.h"
#include "usmkey.h"

#define STATE_SETTING_LEN 128	/* longest setting value + NUL */
#define STATE_HASH_LEN 128	/* crypt(3) output + NUL */
/* Slots over all models (sums of the largest storage groups). */
#define STATE_LABEL_SLOTS 448
#define STATE_METER_SLOTS 64
#define STATE_SRC_SLOTS 48
#define STATE_DST_SLOTS 64

/* What a (group, channel) is resolved to: one array per kind. */
enum state_slot_kind {
	SLOT_GAIN,
	SLOT_LABEL,
	SLOT_METER,
	SLOT_SRC,
	SLOT_DST,
	SLOT_KINDS
};

/* Where each storage group's channels start in each kind's array. */
struct state_layout {
	const struct model *model;
	int base[SLOT_KINDS][26];	/* by letter - 'A'; -1 = none */
	int used[SLOT_KINDS];
};

struct state_chan {
	double gain, min, max;
	int mute;
};

struct state_audio {
	struct state_chan ch[STATE_GAIN_SLOTS];
	char label[STATE_LABEL_SLOTS][STATE_LABEL_MAX + 1];
	uint8_t route[STATE_SRC_SLOTS][STATE_DST_SLOTS];
	double level[STATE_SRC_SLOTS][STATE_DST_SLOTS];
	int safety_mute;
};

struct state_preset {
	bool defined;
	struct state_chan ch[STATE_GAIN_SLOTS];
	uint8_t route[STATE_SRC_SLOTS][STATE_DST_SLOTS];
	double level[STATE_SRC_SLOTS][STATE_DST_SLOTS];
};

struct state_macro {
	size_t count;			/* 0 = undefined */
	enum user_level level;		/* its definer's: the rights it runs with */
	char (*lines)[BUS_TEXT_MAX];	/* heap, `count` lines */
};

struct state_user {
	char name[32];
	enum user_level level;
	char hash[STATE_HASH_LEN];
	/* SNMPv3 USM key Ku of the password (usmkey.h); not known for a
	   password under 8 characters or one set before keys were kept */
	bool usm_known;
	uint8_t usm_key[USMKEY_LEN];
};

/* Everything that is saved in the state file. */
struct state_data {
	char settings[SET_COUNT][STATE_SETTING_LEN];
	struct state_user users[STATE_USERS_MAX];
	size_t nusers;
	struct state_audio audio;
	struct state_preset presets[STATE_PRESETS];
	struct state_macro macros[STATE_MACROS];
	struct bus_event events[STATE_EVENTS_MAX];	/* ring */
	size_t nevents, event_first;
};

#define STATE_SERVICES_MAX 32
#define STATE_NOT_READY "state not initialised"

enum state_save { SAVE_NONE, SAVE_AUDIO };

/* Changes a setter collected under the lock, published after it. */
struct change_set {
	struct bus_change c[2];
	int n;
};

/* The one shared state, behind one rwlock (state_base.c defines it). */
struct state_shared {
	pthread_rwlock_t lock;
	_Atomic bool ready;	/* read without the lock by guard clauses */
	struct state_identity id;
	struct state_layout layout;
	uint64_t seq;
	struct state_data *d;
	uint64_t gain_epoch;	/* gains replaced (recall, swap) */
	uint64_t macro_epoch;	/* macros replaced (swap) */
	int macro_last;
	int preset_last;
	double meters[STATE_METER_SLOTS][STATE_METERS];
	uint8_t gate_bits;
	struct bus_service services[STATE_SERVICES_MAX];
	size_t nservices;
	char service_detail[STATE_SERVICES_MAX][STATE_DETAIL_MAX];
	struct state_lease lease;	/* network lease, for status pages */
	/* state_default_password_in_use() cache: answer for this hash */
	char default_pw_hash[STATE_HASH_LEN];
	bool default_pw_result;
};

extern struct state_shared state_st;
/* Held by a saving transaction (state_txn.c), or by the audio save. */
extern pthread_mutex_t state_txn_lock;

#define RDLOCK() pthread_rwlock_rdlock(&state_st.lock)
#define WRLOCK() pthread_rwlock_wrlock(&state_st.lock)
#define UNLOCK() pthread_rwlock_unlock(&state_st.lock)

/* Guard for the public entry points: the state exists. */
#define CHECK_READY(why, whylen) do {					\
	if (!state_st.ready)						\
		return state_fail((why), (whylen), -ENODEV,		\
		    STATE_NOT_READY);					\
} while (0)

/* A fresh change numbered next. Lock held. */
void state_change_init(struct bus_change *c, int what,
    const struct origin *origin);
void state_change_addr(struct bus_change *c, char group, int channel);
struct bus_change *state_change_add(struct change_set *cs, int what,
    const struct origin *origin);
struct bus_change *state_change_add_chan(struct change_set *cs, int what,
    const struct origin *origin, char group, int channel);
void state_publish_change(const struct bus_change *c);
/* Save as `save` asks and publish `cs`; call with the lock released. */
int state_finish(const struct change_set *cs, enum state_save save,
    char *why, size_t whylen);

/* Every character of `v` is printable ASCII (blank to '~'). */
bool state_printable(const char *v);
/* Every character of `v` is in `set` or alphanumeric. */
bool state_all_in(const char *v, const char *set);
/* Settings back to factory values (all, or all but network/time/serial). */
void state_settings_defaults(struct state_data *d, bool keep_network);
/* The first-boot user list: clearone/converge as Administrator. */
int state_users_defaults(struct state_data *d);

/* Fill `d` with factory audio (gains 0, limits -65..20, levels 0). */
void state_audio_defaults(struct state_audio *a);
/* Free the macro lines of `d` (not `d` itself). */
void state_data_free_macros(struct state_data *d);
/* Free `d` and its macro lines (NULL is fine). */
void state_data_free(struct state_data *d);
/* Put `d` in place of the saved part; the old one is returned. Lock held. */
struct state_data *state_data_swap(struct state_data *d);
/* Parse and check `root` into a fresh copy; NULL with `why`. */
struct state_data *state_data_parse(const json_t *root, uint64_t *seq,
    char *why, size_t whylen);

/* Give every storage group of `m` its slots; -E2BIG if they overflow. */
int state_layout_build(struct state_layout *l, const struct model *m);
/* Slot of (group, channel) for `kind`; -EINVAL if it has none. */
int state_slot(const struct state_layout *l, char group, int channel,
    enum state_slot_kind kind, int *slot);

/* A resolved matrix crosspoint and what the routing rules need. */
struct state_xpoint {
	int src, dst;		/* SLOT_SRC / SLOT_DST slots */
	bool mic;		/* source is a mic: routes 0, 3, 4, 5 */
	bool self;		/* processing channel to itself: reads 6 */
};

int state_xpoint(const struct state_layout *l, char src_group, int src,
    char dst_group, int dst, struct state_xpoint *x);

/* 0 if `text` is a storable label (after CLEAR handling); else -EINVAL. */
int state_label_check(const char *text, char *why, size_t whylen);
int state_user_name_check(const char *name, char *why, size_t whylen);
/* True if `hash` is what this daemon makes: SHA-512 crypt, 5000 rounds. */
bool state_hash_valid(const char *hash);
int state_macro_line_check(const char *line, char *why, size_t whylen);
/* Printf into `why` (if any) and return `err`. */
int state_fail(char *why, size_t whylen, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- transactions (state_txn.c) ---- */
enum state_undo_kind {
	UNDO_SETTING,	/* index = setting, text = old value */
	UNDO_LABEL,	/* index = label slot, text = old label */
	UNDO_CHAN,	/* index = gain slot, ch = old gain and limits */
	UNDO_USERS,	/* users = the old list */
	UNDO_PRESET,	/* index = preset - 1, preset = the old one */
	UNDO_MACRO,	/* index = macro - 1, macro = the old lines */
	UNDO_DATA,	/* data = the whole old state (DEFAULT, restore) */
};

struct state_users_copy {
	struct state_user users[STATE_USERS_MAX];
	size_t n;
};

struct state_undo {
	enum state_undo_kind kind;
	int index;
	union {
		char text[STATE_SETTING_LEN];
		struct state_chan ch;
		struct state_users_copy *users;	/* heap */
		struct state_preset *preset;	/* heap */
		struct state_macro macro;	/* old lines (heap) */
		struct state_data *data;	/* heap */
	} u;
};

/* Open (or nest into) this thread's transaction; before the lock. */
void state_txn_begin(void);
/* Record how to undo a change about to be applied. Lock held. */
int state_txn_undo(const struct state_undo *u);
/*
 * Close one level: queue `cs` (unless err < 0); the outermost level saves
 * and publishes, or undoes all and returns -EIO. Returns err if < 0.
 */
int state_txn_end(const struct change_set *cs, int err, char *why,
    size_t whylen);
/*
 * For the coalesced audio save: take the transaction lock if it is free
 * (so no unsaved setting change is written), release it after. In
 * state_base.c, so that state_file.c need not call up into state_txn.c.
 */
bool state_txn_try(void);
void state_txn_release(void);

/* Note an audio change; state_save_tick writes it within a second. */
void state_save_mark(void);
/* Replace the state with a validated file (no save: it came from disk). */
int state_json_load(const json_t *root, const struct origin *origin,
    char *why, size_t whylen);

/* Build the JSON document of `d` (called with the state lock held). */
json_t *state_json_build(const struct state_data *d,
    const struct state_layout *l, uint64_t seq);
/*
 * Parse and validate `root` into `out` (zeroed by the caller, macros
 * freed by the caller on error). No locks, no side effects.
 */
int state_json_parse(const json_t *root, const struct state_layout *l,
    struct state_data *out, uint64_t *seq, char *why, size_t whylen);

#endif
