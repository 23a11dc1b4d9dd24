/* SPDX-License-Identifier: MIT */
/*
 * The model tables against protocol.md §2.1 and §4: device-type
 * characters, channel counts per model, and channel tokens (numbers,
 * processing letters, gating "1-4,A-F", expansion bus "O-Z,I-N").
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_cases.h"
#include "model.h"

/* One row per model: §2.1 type char, max DID, §4.2 counts (0 = none). */
static const struct {
	const char *name;
	char type;
	int max_did;
	int in, out, mic, line_first, line, proc, fader, telco, amp;
} rows[] = {
	{ "880", '1', 0xB, 12, 12, 8, 9, 4, 8, 4, 0, 0 },
	{ "880T", 'D', 0xB, 12, 13, 8, 9, 4, 8, 4, 1, 0 },
	{ "880TA", 'H', 0xB, 12, 8, 8, 9, 4, 8, 4, 1, 4 },
	{ "840T", '3', 0xB, 8, 9, 4, 5, 4, 8, 4, 1, 0 },
	{ "8i", 'A', 0xB, 12, 0, 8, 9, 4, 8, 4, 0, 0 },
	{ "TH20", '2', 0xF, 2, 2, 0, 1, 2, 0, 0, 1, 0 },
	{ "VH20", 'E', 0xF, 2, 2, 0, 1, 2, 0, 0, 1, 0 },
	{ "SR1212", 'G', 0xB, 12, 12, 8, 9, 4, 8, 4, 0, 0 },
	{ "SR1212A", 'I', 0xB, 12, 12, 8, 9, 4, 8, 4, 0, 4 },
};

static int
count_of(const struct model *m, char letter)
{
	const struct model_group *g = model_group(m, letter);

	return g ? g->count : 0;
}

START_TEST(t_model_table)
{
	const struct model *m = model_by_name(rows[_i].name);

	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->name, rows[_i].name);
	ck_assert_ptr_eq(model_get(m->id), m);
	ck_assert_int_eq(m->type_char, rows[_i].type);
	ck_assert_int_eq(m->max_device_id, rows[_i].max_did);
	ck_assert_int_eq(count_of(m, 'I'), rows[_i].in);
	ck_assert_int_eq(count_of(m, 'O'), rows[_i].out);
	ck_assert_int_eq(count_of(m, 'M'), rows[_i].mic);
	ck_assert_int_eq(count_of(m, 'L'), rows[_i].line);
	ck_assert_int_eq(model_group(m, 'L')->first, rows[_i].line_first);
	ck_assert_int_eq(count_of(m, 'P'), rows[_i].proc);
	ck_assert_int_eq(count_of(m, 'F'), rows[_i].fader);
	ck_assert_int_eq(count_of(m, 'T'), rows[_i].telco);
	ck_assert_int_eq(count_of(m, 'R'), rows[_i].telco);
	ck_assert_int_eq(count_of(m, 'J'), rows[_i].amp);
	/* Every model: expansion bus 18, unit 0-2, presets, macros. */
	ck_assert_int_eq(count_of(m, 'E'), 18);
	ck_assert_int_eq(count_of(m, 'U'), 3);
	ck_assert_int_eq(count_of(m, 'S'), 32);
	ck_assert_int_eq(count_of(m, 'C'), 255);
	ck_assert_int_eq(count_of(m, 'G'), rows[_i].mic ? 10 : 0);
}
END_TEST

START_TEST(t_model_lookup_case_insensitive)
{
	ck_assert_ptr_eq(model_by_name("880ta"), model_get(MODEL_880TA));
	ck_assert_ptr_eq(model_by_name("sr1212a"), model_get(MODEL_SR1212A));
	ck_assert_ptr_eq(model_by_name("8I"), model_get(MODEL_8I));
	ck_assert_ptr_null(model_by_name("990"));
	ck_assert_ptr_null(model_by_name(""));
	ck_assert_ptr_null(model_get(MODEL_COUNT));
	ck_assert_ptr_eq(model_group(model_get(MODEL_880), 'm'),
	    model_group(model_get(MODEL_880), 'M'));
	ck_assert_ptr_null(model_group(model_get(MODEL_880), 'K'));
}
END_TEST

/* Group capabilities as the brief lists them. */
START_TEST(t_model_group_caps)
{
	const struct model *m = model_get(MODEL_880TA);
	const char *gain = "IOMPLFTRJ", *meter = "IOMPLFTRBJ";
	const char *label = "IOMGPELAFSCTRBJU", *src = "IMPELFR";
	const char *dst = "OPEFTBJ", *p;
	char all[] = "IOMJGPELAUFSCTRBX";
	size_t i;

	for (i = 0; all[i] != '\0'; i++) {
		const struct model_group *g = model_group(m, all[i]);

		ck_assert_msg(g != NULL, "group %c", all[i]);
		p = strchr(gain, all[i]);
		ck_assert_int_eq(!!(g->caps & GRP_GAIN), p != NULL);
		p = strchr(meter, all[i]);
		ck_assert_int_eq(!!(g->caps & GRP_METER), p != NULL);
		p = strchr(label, all[i]);
		ck_assert_int_eq(!!(g->caps & GRP_LABEL), p != NULL);
		p = strchr(src, all[i]);
		ck_assert_int_eq(!!(g->caps & GRP_MTRX_SRC), p != NULL);
		p = strchr(dst, all[i]);
		ck_assert_int_eq(!!(g->caps & GRP_MTRX_DST), p != NULL);
	}
}
END_TEST

/* Channel tokens: group, token, expected index (-1 = not a channel). */
static const struct {
	enum model_id model;
	char group;
	const char *token;
	int index;
} tokens[] = {
	{ MODEL_880, 'I', "1", 0 },
	{ MODEL_880, 'I', "12", 11 },
	{ MODEL_880, 'I', "13", -1 },	/* past the end */
	{ MODEL_880, 'I', "0", -1 },	/* numbering starts at 1 */
	{ MODEL_880, 'I', "-1", -1 },	/* no signs */
	{ MODEL_880, 'I', "", -1 },	/* empty */
	{ MODEL_880, 'I', " 1", -1 },	/* no blanks */
	{ MODEL_880, 'I', "1a", -1 },	/* trailing junk */
	{ MODEL_880, 'L', "9", 0 },	/* 880 lines are 9-12 */
	{ MODEL_880, 'L', "12", 3 },
	{ MODEL_880, 'L', "8", -1 },
	{ MODEL_840T, 'L', "5", 0 },
	{ MODEL_880, 'M', "8", 7 },
	{ MODEL_880, 'M', "9", -1 },
	{ MODEL_880, 'P', "A", 0 },	/* processing letters */
	{ MODEL_880, 'P', "c", 2 },	/* any case */
	{ MODEL_880, 'P', "H", 7 },
	{ MODEL_880, 'P', "I", -1 },
	{ MODEL_880, 'P', "1", 0 },	/* digits name the same channels */
	{ MODEL_880, 'P', "8", 7 },
	{ MODEL_880, 'P', "9", -1 },
	{ MODEL_880, 'P', "AB", -1 },
	{ MODEL_880, 'G', "1", 0 },	/* gating 1-4 then A-F */
	{ MODEL_880, 'G', "4", 3 },
	{ MODEL_880, 'G', "5", -1 },
	{ MODEL_880, 'G', "A", 4 },
	{ MODEL_880, 'G', "f", 9 },
	{ MODEL_880, 'G', "G", -1 },
	{ MODEL_880, 'E', "O", 0 },	/* expansion bus O-Z then I-N */
	{ MODEL_880, 'E', "Z", 11 },
	{ MODEL_880, 'E', "I", 12 },
	{ MODEL_880, 'E', "n", 17 },
	{ MODEL_880, 'E', "A", -1 },
	{ MODEL_880, 'E', "1", -1 },
	{ MODEL_880, 'U', "0", 0 },
	{ MODEL_880, 'U', "2", 2 },
	{ MODEL_880, 'U', "3", -1 },
	{ MODEL_880, 'X', "0", 0 },
	{ MODEL_880, 'X', "1", -1 },
	{ MODEL_880, 'C', "255", 254 },
	{ MODEL_880, 'C', "256", -1 },
	{ MODEL_880, 'C', "1000", -1 },
	{ MODEL_TH20, 'L', "1", 0 },	/* TH20 lines are 1-2 */
	{ MODEL_TH20, 'T', "1", 0 },
	{ MODEL_TH20, 'T', "2", -1 },
};

START_TEST(t_model_channel_tokens)
{
	const struct model *m = model_get(tokens[_i].model);
	const struct model_group *g = model_group(m, tokens[_i].group);

	ck_assert_ptr_nonnull(g);
	ck_assert_msg(model_channel_parse(g, tokens[_i].token) ==
	    tokens[_i].index, "%s %c \"%s\" should be %d", m->name,
	    tokens[_i].group, tokens[_i].token, tokens[_i].index);
}
END_TEST

/* Formatting gives the canonical token: letters for P, G, E. */
START_TEST(t_model_channel_format_canonical)
{
	static const struct {
		char group;
		int index;
		const char *token;
	} formats[] = {
		{ 'P', 2, "C" }, { 'G', 3, "4" }, { 'G', 4, "A" },
		{ 'E', 11, "Z" }, { 'E', 12, "I" }, { 'L', 0, "9" },
		{ 'U', 0, "0" }, { 'I', 12, "" },
	};
	const struct model *m = model_get(MODEL_880);
	char buf[8];
	size_t i;

	for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		model_channel_format(model_group(m, formats[i].group),
		    formats[i].index, buf, sizeof buf);
		ck_assert_msg(strcmp(buf, formats[i].token) == 0,
		    "%c %d gave \"%s\", want \"%s\"", formats[i].group,
		    formats[i].index, buf, formats[i].token);
	}
}
END_TEST

/* Parse(format(i)) == i for every channel of every group and model. */
START_TEST(t_model_format_parse_round_trip)
{
	char buf[8];
	size_t mi, gi;
	int i;

	for (mi = 0; mi < MODEL_COUNT; mi++) {
		const struct model *m = model_get(mi);

		for (gi = 0; gi < m->ngroups; gi++) {
			const struct model_group *g = &m->groups[gi];

			for (i = 0; i < g->count; i++) {
				model_channel_format(g, i, buf, sizeof buf);
				ck_assert_int_eq(model_channel_parse(g, buf),
				    i);
			}
		}
	}
}
END_TEST

/* M and L are views of I: mic 3 is input 3, line 9 is input 9. */
START_TEST(t_model_mic_and_line_alias_inputs)
{
	const struct model *m = model_get(MODEL_880);
	const struct model_group *st;
	int idx = -1;

	st = model_storage(m, model_group(m, 'M'), 2, &idx);
	ck_assert_ptr_eq(st, model_group(m, 'I'));
	ck_assert_int_eq(idx, 2);
	st = model_storage(m, model_group(m, 'L'), 0, &idx);
	ck_assert_ptr_eq(st, model_group(m, 'I'));
	ck_assert_int_eq(idx, 8);
	st = model_storage(m, model_group(m, 'O'), 4, &idx);
	ck_assert_ptr_eq(st, model_group(m, 'O'));
	ck_assert_int_eq(idx, 4);
	ck_assert_ptr_null(model_storage(m, model_group(m, 'M'), 8, &idx));
	m = model_get(MODEL_840T);
	st = model_storage(m, model_group(m, 'L'), 3, &idx);
	ck_assert_int_eq(idx, 7);	/* 840T line 8 = input 8 */
}
END_TEST

static Suite *
model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc;

	tc = tcase_create("model_tables_match_protocol");
	tcase_add_loop_test(tc, t_model_table, 0,
	    (int)(sizeof rows / sizeof rows[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("model_lookup_is_case_insensitive");
	tcase_add_test(tc, t_model_lookup_case_insensitive);
	suite_add_tcase(s, tc);
	tc = tcase_create("model_group_capabilities");
	tcase_add_test(tc, t_model_group_caps);
	suite_add_tcase(s, tc);
	tc = tcase_create("model_channel_tokens_parse");
	tcase_add_loop_test(tc, t_model_channel_tokens, 0,
	    (int)(sizeof tokens / sizeof tokens[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("model_channel_format_is_canonical");
	tcase_add_test(tc, t_model_channel_format_canonical);
	tcase_add_test(tc, t_model_format_parse_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("model_mic_and_line_alias_inputs");
	tcase_add_test(tc, t_model_mic_and_line_alias_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_suite_run(model_suite());
}
