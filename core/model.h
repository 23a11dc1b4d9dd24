/* SPDX-License-Identifier: MIT */
/*
 * The audio models a unit can be (protocol.md §2.1, §4): device-type
 * character, and per channel group its letter and channel numbering.
 * Pure tables and lookups: no state, no locks.
 */
#ifndef CONVERGD_MODEL_H
#define CONVERGD_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum model_id {
	MODEL_880,
	MODEL_880T,
	MODEL_880TA,
	MODEL_840T,
	MODEL_8I,
	MODEL_TH20,
	MODEL_VH20,
	MODEL_SR1212,
	MODEL_SR1212A,
	MODEL_COUNT
};

/* How a group's channels are written on the wire. */
enum chan_style {
	CHAN_NUMBER,	/* first..first+count-1 ("9".."12" for 880 L) */
	CHAN_LETTER,	/* letters from `first` ('A'..'H' for P); digits 1..count accepted too */
	CHAN_GATING,	/* "1".."4" then "A".."F" (gating groups) */
	CHAN_ZERO,	/* the single channel "0" (unit, matrix, ...) */
	CHAN_EXPBUS,	/* "O".."Z" then "I".."N" (expansion-bus audio) */
};

/* Capabilities of a group. */
#define GRP_GAIN	0x01	/* GAIN/MIN/MAX/MINMAX/RAMP/MUTE */
#define GRP_LABEL	0x02	/* LABEL */
#define GRP_METER	0x04	/* LVL/LVLREPORT */
#define GRP_MTRX_SRC	0x08	/* matrix source */
#define GRP_MTRX_DST	0x10	/* matrix destination */

struct model_group {
	char letter;		/* 'I', 'O', 'M', ... */
	const char *name;	/* "mic inputs" */
	enum chan_style style;
	int first;		/* first number, or first letter for CHAN_LETTER */
	int count;
	unsigned caps;		/* GRP_* */
	/*
	 * Storage group: 'M' and 'L' are views of the inputs 'I' (mic 3 is
	 * input 3, line 9 is input 9), so alias = 'I' and the channel index
	 * in the storage group is (number - 1). 0 = the group stores itself.
	 */
	char alias;
};

struct model {
	enum model_id id;
	const char *name;	/* "880TA" */
	char type_char;		/* 'H' */
	int max_device_id;	/* highest DID (0xB or 0xF) */
	const struct model_group *groups;
	size_t ngroups;
};

const struct model *model_get(enum model_id id);
/* Look a model up by name ("880ta", "SR1212A"), case-insensitively. */
const struct model *model_by_name(const char *name);
/* The group with this letter (case-insensitive), or NULL. */
const struct model_group *model_group(const struct model *model, char letter);
/*
 * Channel token ("3", "c", "12") to an index 0..count-1 in the group;
 * -1 if the token is not a channel of the group. "*" is the caller's job.
 */
int model_channel_parse(const struct model_group *group, const char *token);
/* Index to the canonical token ("C" for P index 2); buf >= 4 bytes. */
void model_channel_format(const struct model_group *group, int index,
    char *buf, size_t len);
/*
 * Resolve a (group, index) to its storage group and index (M 2 -> I 2).
 * Returns the storage group, never NULL for a valid input.
 */
const struct model_group *model_storage(const struct model *model,
    const struct model_group *group, int index, int *storage_index);

#endif
