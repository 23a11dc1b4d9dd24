/* SPDX-License-Identifier: MIT */
/*
 * The audio models (protocol.md §2.1, §4.1, §4.2): one table of channel
 * groups per model, and the lookups that turn wire tokens ("3", "c", "O")
 * into channel indexes and back. Pure tables: no state, no locks.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model.h"

#define CAP_IN		(GRP_GAIN | GRP_LABEL | GRP_METER | GRP_MTRX_SRC)
#define CAP_OUT		(GRP_GAIN | GRP_LABEL | GRP_METER | GRP_MTRX_DST)
#define CAP_PROC	(CAP_IN | GRP_MTRX_DST)

/*
 * Rows shared by the models. M and L are views of the inputs I, so they
 * carry alias 'I' and own no storage (model.h).
 */
#define G_INPUTS(n)	{ 'I', "inputs", CHAN_NUMBER, 1, (n), CAP_IN, 0 }
#define G_OUTPUTS(n)	{ 'O', "outputs", CHAN_NUMBER, 1, (n), CAP_OUT, 0 }
#define G_MICS(n)	{ 'M', "mic inputs", CHAN_NUMBER, 1, (n), CAP_IN, 'I' }
#define G_LINES(f, n)	{ 'L', "line inputs", CHAN_NUMBER, (f), (n), \
			    CAP_IN, 'I' }
#define G_AMPS		{ 'J', "amplifier outputs", CHAN_NUMBER, 1, 4, \
			    CAP_OUT, 0 }
#define G_GATING	{ 'G', "gating groups", CHAN_GATING, 1, 10, \
			    GRP_LABEL, 0 }
#define G_PROC		{ 'P', "processing", CHAN_LETTER, 'A', 8, CAP_PROC, 0 }
#define G_FADER		{ 'F', "faders", CHAN_NUMBER, 1, 4, CAP_PROC, 0 }
#define G_TELCO		{ 'T', "telco transmit", CHAN_NUMBER, 1, 1, \
			    CAP_OUT, 0 }, \
			{ 'R', "telco receive", CHAN_NUMBER, 1, 1, \
			    CAP_IN, 0 }, \
			{ 'V', "phonebook", CHAN_ZERO, 0, 1, 0, 0 }
#define G_VREF		{ 'B', "virtual references", CHAN_NUMBER, 1, 4, \
			    GRP_LABEL | GRP_METER | GRP_MTRX_DST, 0 }
/* Every model has these (expansion bus, unit, presets, macros, ...). */
#define G_COMMON \
	{ 'E', "expansion bus", CHAN_EXPBUS, 'O', 18, \
	    GRP_LABEL | GRP_MTRX_SRC | GRP_MTRX_DST, 0 }, \
	{ 'A', "expansion references", CHAN_NUMBER, 1, 8, GRP_LABEL, 0 }, \
	{ 'U', "unit", CHAN_NUMBER, 0, 3, GRP_LABEL, 0 }, \
	{ 'S', "presets", CHAN_NUMBER, 1, 32, GRP_LABEL, 0 }, \
	{ 'C', "macros", CHAN_NUMBER, 1, 255, GRP_LABEL, 0 }, \
	{ 'X', "matrix", CHAN_ZERO, 0, 1, 0, 0 }, \
	{ 'Y', "gpio", CHAN_ZERO, 0, 1, 0, 0 }, \
	{ 'D', "dictionary", CHAN_ZERO, 0, 1, 0, 0 }, \
	{ 'Q', "timed events", CHAN_ZERO, 0, 1, 0, 0 }, \
	{ 'W', "web", CHAN_ZERO, 0, 1, 0, 0 }

static const struct model_group groups_880[] = {
	G_INPUTS(12), G_OUTPUTS(12), G_MICS(8), G_GATING, G_PROC,
	G_LINES(9, 4), G_FADER, G_VREF, G_COMMON,
};

/*
 * 880T and 880TA per §4.2. The 880TA table says "no fader", but a real
 * 880TA answers "MUTE 1 F" (§4.3), so every model but TH20/VH20 has F.
 */
static const struct model_group groups_880t[] = {
	G_INPUTS(12), G_OUTPUTS(13), G_MICS(8), G_GATING, G_PROC,
	G_LINES(9, 4), G_FADER, G_TELCO, G_VREF, G_COMMON,
};

static const struct model_group groups_880ta[] = {
	G_INPUTS(12), G_OUTPUTS(8), G_MICS(8), G_AMPS, G_GATING, G_PROC,
	G_LINES(9, 4), G_FADER, G_TELCO, G_VREF, G_COMMON,
};

/* 840T: output 9 is the power amplifier; processing 1-8 per §4.2. */
static const struct model_group groups_840t[] = {
	G_INPUTS(8), G_OUTPUTS(9), G_MICS(4), G_GATING, G_PROC,
	G_LINES(5, 4), G_FADER, G_TELCO, G_VREF, G_COMMON,
};

/* 8i: an input expander without outputs of its own. */
static const struct model_group groups_8i[] = {
	G_INPUTS(12), G_MICS(8), G_GATING, G_PROC, G_LINES(9, 4), G_FADER,
	G_VREF, G_COMMON,
};

/*
 * TH20: two line inputs/outputs and the telephone hybrid. The VH20 is
 * not in the channel tables; we model it exactly like the TH20 (a
 * two-channel VoIP hybrid with one transmit/receive pair).
 */
static const struct model_group groups_th20[] = {
	G_INPUTS(2), G_OUTPUTS(2), G_LINES(1, 2), G_TELCO, G_COMMON,
};

static const struct model_group groups_sr1212[] = {
	G_INPUTS(12), G_OUTPUTS(12), G_MICS(8), G_GATING, G_PROC,
	G_LINES(9, 4), G_FADER, G_VREF, G_COMMON,
};

static const struct model_group groups_sr1212a[] = {
	G_INPUTS(12), G_OUTPUTS(12), G_MICS(8), G_AMPS, G_GATING, G_PROC,
	G_LINES(9, 4), G_FADER, G_VREF,
	{ 'V', "phonebook", CHAN_ZERO, 0, 1, 0, 0 }, G_COMMON,
};

#define NGROUPS(a) (sizeof(a) / sizeof((a)[0]))
#define MODEL_ROW(id, name, type, did, groups) \
	{ (id), (name), (type), (did), (groups), NGROUPS(groups) }

static const struct model models[MODEL_COUNT] = {
	MODEL_ROW(MODEL_880, "880", '1', 0xB, groups_880),
	MODEL_ROW(MODEL_880T, "880T", 'D', 0xB, groups_880t),
	MODEL_ROW(MODEL_880TA, "880TA", 'H', 0xB, groups_880ta),
	MODEL_ROW(MODEL_840T, "840T", '3', 0xB, groups_840t),
	MODEL_ROW(MODEL_8I, "8i", 'A', 0xB, groups_8i),
	MODEL_ROW(MODEL_TH20, "TH20", '2', 0xF, groups_th20),
	MODEL_ROW(MODEL_VH20, "VH20", 'E', 0xF, groups_th20),
	MODEL_ROW(MODEL_SR1212, "SR1212", 'G', 0xB, groups_sr1212),
	MODEL_ROW(MODEL_SR1212A, "SR1212A", 'I', 0xB, groups_sr1212a),
};

const struct model *
model_get(enum model_id id)
{
	if ((unsigned)id >= MODEL_COUNT)
		return NULL;
	return &models[id];
}

const struct model *
model_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < MODEL_COUNT; i++)
		if (strcasecmp(models[i].name, name) == 0)
			return &models[i];
	return NULL;
}

const struct model_group *
model_group(const struct model *model, char letter)
{
	size_t i;
	int up = toupper((unsigned char)letter);

	if (model == NULL)
		return NULL;
	for (i = 0; i < model->ngroups; i++)
		if (model->groups[i].letter == up)
			return &model->groups[i];
	return NULL;
}

/* A decimal token of 1-3 digits without sign or blanks; -1 otherwise. */
static int
parse_small_number(const char *token)
{
	size_t i, n = strlen(token);
	int v = 0;

	if (n == 0 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)token[i]))
			return -1;
		v = v * 10 + (token[i] - '0');
	}
	return v;
}

/* A single letter token, upper-cased; 0 if the token is not one letter. */
static int
parse_letter(const char *token)
{
	if (token[0] == '\0' || token[1] != '\0' ||
	    !isalpha((unsigned char)token[0]))
		return 0;
	return toupper((unsigned char)token[0]);
}

static int
parse_number_style(const struct model_group *g, const char *token)
{
	int v = parse_small_number(token);

	if (v < g->first || v >= g->first + g->count)
		return -1;
	return v - g->first;
}

static int
parse_letter_style(const struct model_group *g, const char *token)
{
	int c = parse_letter(token);
	int v;

	if (c != 0) {
		if (c < g->first || c >= g->first + g->count)
			return -1;
		return c - g->first;
	}
	/* protocol.md Part 1 item 6: digits name the same channels. */
	v = parse_small_number(token);
	if (v < 1 || v > g->count)
		return -1;
	return v - 1;
}

static int
parse_gating_style(const struct model_group *g, const char *token)
{
	int c = parse_letter(token);
	int v;

	if (c != 0)
		v = (c >= 'A' && c <= 'F') ? 4 + (c - 'A') : -1;
	else {
		v = parse_small_number(token);
		v = (v >= 1 && v <= 4) ? v - 1 : -1;
	}
	return v < g->count ? v : -1;
}

static int
parse_expbus_style(const struct model_group *g, const char *token)
{
	int c = parse_letter(token);
	int v = -1;

	if (c >= 'O' && c <= 'Z')
		v = c - 'O';
	else if (c >= 'I' && c <= 'N')
		v = 12 + (c - 'I');
	return v < g->count ? v : -1;
}

static int
parse_zero_style(const struct model_group *g, const char *token)
{
	(void)g;
	return strcmp(token, "0") == 0 ? 0 : -1;
}

static int (*const parsers[])(const struct model_group *, const char *) = {
	[CHAN_NUMBER] = parse_number_style,
	[CHAN_LETTER] = parse_letter_style,
	[CHAN_GATING] = parse_gating_style,
	[CHAN_ZERO] = parse_zero_style,
	[CHAN_EXPBUS] = parse_expbus_style,
};

int
model_channel_parse(const struct model_group *group, const char *token)
{
	if (group == NULL || token == NULL ||
	    (size_t)group->style >= NGROUPS(parsers))
		return -1;
	return parsers[group->style](group, token);
}

void
model_channel_format(const struct model_group *group, int index, char *buf,
    size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	if (group == NULL || index < 0 || index >= group->count)
		return;
	switch (group->style) {
	case CHAN_NUMBER:
		snprintf(buf, len, "%d", group->first + index);
		break;
	case CHAN_LETTER:
		snprintf(buf, len, "%c", group->first + index);
		break;
	case CHAN_GATING:
		snprintf(buf, len, "%c", index < 4 ? '1' + index :
		    'A' + (index - 4));
		break;
	case CHAN_EXPBUS:
		snprintf(buf, len, "%c", index < 12 ? 'O' + index :
		    'I' + (index - 12));
		break;
	case CHAN_ZERO:
		snprintf(buf, len, "0");
		break;
	}
}

const struct model_group *
model_storage(const struct model *model, const struct model_group *group,
    int index, int *storage_index)
{
	const struct model_group *st;

	if (model == NULL || group == NULL || index < 0 ||
	    index >= group->count)
		return NULL;
	if (group->alias == 0) {
		*storage_index = index;
		return group;
	}
	/* Aliased groups number their channels like the inputs. */
	st = model_group(model, group->alias);
	if (st == NULL || group->first + index - 1 >= st->count)
		return NULL;
	*storage_index = group->first + index - 1;
	return st;
}
