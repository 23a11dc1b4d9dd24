/* SPDX-License-Identifier: MIT */
/*
 * Private to state.c and state_json.c: the persisted part of the device
 * model as plain structs, the per-model slot layout, and the validators
 * both the setters and the JSON loader use (so a restored file obeys the
 * same rules as a command).
 */
#ifndef CONVERGD_STATE_PRIV_H
#define CONVERGD_STATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "model.h"
#include "state.h"

#define STATE_SETTING_LEN 128	/* longest setting value + NUL */
#define STATE_HASH_LEN 128	/* crypt(3) output + NUL */
/* Slots over all models (sums of the largest storage groups). */
#define STATE_GAIN_SLOTS 64
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
	char (*lines)[BUS_TEXT_MAX];	/* heap, `count` lines */
};

struct state_user {
	char name[32];
	enum user_level level;
	char hash[STATE_HASH_LEN];
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

/* Fill `d` with factory audio (gains 0, limits -65..20, levels 0). */
void state_audio_defaults(struct state_audio *a);
/* Free the macro lines of `d` (not `d` itself). */
void state_data_free_macros(struct state_data *d);

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
/* True if `hash` looks like crypt(3) output ("$6$salt$..."). */
bool state_hash_valid(const char *hash);
int state_macro_line_check(const char *line, char *why, size_t whylen);
/* Printf into `why` (if any) and return `err`. */
int state_fail(char *why, size_t whylen, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

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
