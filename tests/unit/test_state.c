/* SPDX-License-Identifier: MIT */
/*
 * The shared state (state.h): audio rules of protocol.md §5.1 and Part 1
 * item 7, presets, macros, settings validation, users, the JSON state
 * file (round trip and a malformed-input table), bus publication and a
 * multi-threaded stress test meant to run under ThreadSanitizer too.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "check_cases.h"
#include "cmd_harness.h"
#include "model.h"
#include "state.h"

static const struct origin console = { "console", 0, 7, "clearone",
	"console 127.0.0.1:40022" };
static char why[200];

static void
setup_model(enum model_id id)
{
	struct state_identity ident = { 0 };

	ident.model = model_get(id);
	ident.device_id = 0;
	snprintf(ident.uid, sizeof ident.uid, "0000ABCD");
	snprintf(ident.firmware, sizeof ident.firmware, "4.4.0.2");
	ck_assert_int_eq(bus_init(), 0);
	ck_assert_int_eq(state_init(&ident), 0);
	why[0] = '\0';
}

static void
setup(void)
{
	setup_model(MODEL_880TA);
}

static void
teardown(void)
{
	state_fini();
	bus_shutdown();
}

/* ---- gain, limits, mute ---- */

START_TEST(gain_absolute_clamps_to_limits)
{
	double r;

	ck_assert_int_eq(state_gain_set('O', 0, -6.5, false, &console, &r,
	    why, sizeof why), 0);
	ck_assert(r == -6.5);
	ck_assert(gain_of('O', 0) == -6.5);
	/* 30 is a valid entry but above the default max of 20. */
	ck_assert_int_eq(state_gain_set('O', 0, 30, false, &console, &r,
	    why, sizeof why), 0);
	ck_assert(r == 20.0);
	ck_assert_int_eq(state_gain_set('O', 0, -99.9, false, &console, &r,
	    why, sizeof why), 0);
	ck_assert(r == -65.0);
}
END_TEST

START_TEST(gain_entry_out_of_range_changes_nothing)
{
	static const double bad[] = { 99.91, -100.0, 1000.0, NAN, INFINITY };
	size_t i;
	uint64_t seq;

	ck_assert_int_eq(state_gain_set('I', 2, -3, false, &console, NULL,
	    why, sizeof why), 0);
	seq = state_seq();
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		ck_assert_int_eq(state_gain_set('I', 2, bad[i], false,
		    &console, NULL, why, sizeof why), -EINVAL);
		ck_assert_str_eq(why,
		    "gain must be a number from -99.9 to 99.9");
	}
	ck_assert(gain_of('I', 2) == -3.0);
	ck_assert_uint_eq(state_seq(), seq);
	/* No such channel: 880TA has 8 outputs, and no group K. */
	ck_assert_int_eq(state_gain_set('O', 8, 0, false, &console, NULL,
	    why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_gain_set('G', 0, 0, false, &console, NULL,
	    why, sizeof why), -EINVAL);
}
END_TEST

START_TEST(gain_relative_move_respects_max)
{
	double r;

	ck_assert_int_eq(state_minmax_set('P', 0, -20, 6, &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_gain_set('P', 0, 4, true, &console, &r, why,
	    sizeof why), 0);
	ck_assert(r == 4.0);
	ck_assert_int_eq(state_gain_set('P', 0, 4, true, &console, &r, why,
	    sizeof why), 0);
	ck_assert(r == 6.0);
	ck_assert_int_eq(state_gain_set('P', 0, -50, true, &console, &r, why,
	    sizeof why), 0);
	ck_assert(r == -20.0);
	ck_assert_int_eq(state_gain_set('P', 0, 0.1, true, &console, &r, why,
	    sizeof why), 0);
	ck_assert(fabs(r - -19.9) < 1e-9);
}
END_TEST

START_TEST(minmax_reclamps_current_gain)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 16);
	struct bus_msg m;
	double mn, mx;

	ck_assert_int_eq(state_gain_set('O', 1, 10, false, &console, NULL,
	    why, sizeof why), 0);
	while (bus_take(sub, &m) == 1)
		;
	ck_assert_int_eq(state_minmax_set('O', 1, -30, 5, &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_minmax_get('O', 1, &mn, &mx), 0);
	ck_assert(mn == -30.0 && mx == 5.0);
	ck_assert(gain_of('O', 1) == 5.0);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.u.change.what, STATE_F_MINMAX);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.u.change.what, STATE_F_GAIN);
	ck_assert(m.u.change.number == 5.0);
	ck_assert_int_eq(m.u.change.group, 'O');
	ck_assert_int_eq(m.u.change.channel, 1);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(minmax_rejects_bad_limits)
{
	static const double rows[][2] = {
		{ -66, 0 },	/* min below -65 */
		{ 0, 21 },	/* max above 20 */
		{ 5, -5 },	/* min > max */
		{ NAN, 0 },
	};
	double mn, mx;
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		ck_assert_int_eq(state_minmax_set('O', 0, rows[i][0],
		    rows[i][1], &console, why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_minmax_get('O', 0, &mn, &mx), 0);
	ck_assert(mn == -65.0 && mx == 20.0);
}
END_TEST

START_TEST(mute_toggle_flips_state)
{
	int r, v;

	ck_assert_int_eq(state_mute_set('M', 0, 2, &console, &r, why,
	    sizeof why), 0);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(state_mute_set('M', 0, 2, &console, &r, why,
	    sizeof why), 0);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(state_mute_set('M', 0, 1, &console, &r, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_mute_set('M', 0, 3, &console, &r, why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(state_mute_get('M', 0, &v), 0);
	ck_assert_int_eq(v, 1);
}
END_TEST

/* M 3 is I 3 and L 9 is I 9: one value seen through both names. */
START_TEST(mic_and_line_alias_inputs)
{
	char buf[32];

	ck_assert_int_eq(state_gain_set('M', 2, -12, false, &console, NULL,
	    why, sizeof why), 0);
	ck_assert(gain_of('I', 2) == -12.0);
	ck_assert_int_eq(state_gain_set('i', 8, 3, false, &console, NULL,
	    why, sizeof why), 0);
	ck_assert(gain_of('L', 0) == 3.0);
	ck_assert_int_eq(state_label_set('L', 0, "Lectern", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_label_get('I', 8, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "Lectern");
}
END_TEST

/* ---- ramps: the helpers a scheduler calls ---- */

START_TEST(ramp_begin_and_gain_step)
{
	struct bus_sub *sub;
	struct state_ramp r;
	struct bus_msg m;

	ck_assert_int_eq(state_gain_set('O', 0, -10, false, &console, NULL,
	    why, sizeof why), 0);
	sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 16);
	ck_assert_int_eq(state_ramp_begin('O', 0, 10, false, 0, &console, &r,
	    why, sizeof why), 0);
	ck_assert(r.target == 20.0);	/* no target: the limit */
	ck_assert_int_eq(state_ramp_begin('O', 0, 10, true, 0, &console, &r,
	    why, sizeof why), 0);
	ck_assert(r.target == 0.0 && r.reported == -10.0);
	while (bus_take(sub, &m) == 1)
		ck_assert_int_eq(m.u.change.what, STATE_F_RAMP);
	ck_assert_int_eq(state_gain_step(&r, 5.0, &console), 0);
	ck_assert(gain_of('O', 0) == -5.0);
	ck_assert_int_eq(state_gain_step(&r, 0.001, &console), 0);
	ck_assert_int_eq(state_gain_step(&r, 9.0, &console), 1); /* at 0 */
	ck_assert(gain_of('O', 0) == 0.0);
	/* published: -5, then 0; the 0.001 step was too small */
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert(m.u.change.number == -5.0);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert(m.u.change.number == 0.0);
	ck_assert_int_eq(bus_take(sub, &m), 0);
	ck_assert_int_eq(state_ramp_begin('O', 0, 51, false, 0, &console, &r,
	    why, sizeof why), -EINVAL);
	bus_unsubscribe(sub);
}
END_TEST

/* A preset recall replaces the gains: a ramp started before is over. */
START_TEST(gain_step_refuses_after_recall)
{
	struct state_ramp r;
	uint64_t epoch = state_gain_epoch();

	ck_assert_int_eq(state_preset_store(1, &console, why, sizeof why), 0);
	ck_assert_int_eq(state_ramp_begin('O', 0, 10, false, 0, &console, &r,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_preset_recall(1, &console, why, sizeof why), 0);
	ck_assert_uint_gt(state_gain_epoch(), epoch);
	ck_assert_int_eq(state_gain_step(&r, 5.0, &console), -ESTALE);
	ck_assert(gain_of('O', 0) == 0.0);
}
END_TEST

/* ---- labels ---- */

START_TEST(label_rules_and_clear)
{
	char buf[32];

	ck_assert_int_eq(state_label_set('P', 2, "Program Mix", &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_label_get('P', 2, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "Program Mix");
	ck_assert_int_eq(state_label_set('P', 2, "123456789012345678901",
	    &console, why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_label_set('P', 2, "", &console, why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(state_label_set('P', 2, "tab\there", &console, why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(state_label_get('P', 2, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "Program Mix");
	ck_assert_int_eq(state_label_set('P', 2, "clear", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_label_get('P', 2, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	/* Labels exist on G, S, C; not on X (matrix). */
	ck_assert_int_eq(state_label_set('C', 254, "Night", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_label_set('X', 0, "x", &console, why,
	    sizeof why), -EINVAL);
}
END_TEST

START_TEST(unit_label_is_the_setting)
{
	char buf[32];

	ck_assert_int_eq(state_label_set('U', 0, "Boardroom", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_setting_get(SET_UNIT_LABEL, buf, sizeof buf),
	    0);
	ck_assert_str_eq(buf, "Boardroom");
	ck_assert_int_eq(state_setting_set(SET_UNIT_LABEL, "Lobby", &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_label_get('U', 0, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "Lobby");
}
END_TEST

/* A changed setting is a settings event naming who changed it; the
 * daemon's own writes, an unchanged value and a secret's value are not
 * in events. */
START_TEST(setting_change_is_an_event_with_its_origin)
{
	static const struct origin boot = { .flags = ORIGIN_INTERNAL };
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_EVENT), 16);
	struct bus_msg m;
	char by[160];

	ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, "Studio", &boot,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, "Lab", &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, "Lab", &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_MAIL_PASSWORD, "s3cret",
	    &console, why, sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_SNMP_RW_COMMUNITY, "wr1te",
	    &console, why, sizeof why), 0);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.u.event.category, EVENT_SETTINGS);
	ck_assert_str_eq(m.u.event.text,
	    "setting location.room changed to \"Lab\"");
	bus_origin_describe(&m.u.event.origin, by, sizeof by);
	ck_assert_str_eq(by, "console session 7, user clearone, "
	    "127.0.0.1:40022");
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_str_eq(m.u.event.text, "setting mail.password changed");
	/* a community goes to Administrators, never into mails */
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_str_eq(m.u.event.text, "setting snmp.rw_community changed");
	ck_assert_int_eq(bus_take(sub, &m), 0);
	bus_unsubscribe(sub);
}
END_TEST

/* ---- matrix ---- */

START_TEST(matrix_mic_source_rules)
{
	static const int ok[] = { 0, 3, 4, 5 }, bad[] = { 1, 2, 6, -1, 7 };
	size_t i;
	int r, v;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_int_eq(state_mtrx_set('M', 0, 'O', 0, ok[i],
		    &console, &r, why, sizeof why), 0);
		ck_assert_int_eq(r, ok[i]);
	}
	ck_assert_int_eq(state_mtrx_set('M', 0, 'O', 0, 4, &console, &r,
	    why, sizeof why), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_int_eq(state_mtrx_set('M', 0, 'O', 0, bad[i],
		    &console, &r, why, sizeof why), -EINVAL);
	/* I 1 is mic 1 on the 880TA: the same rules through I. */
	ck_assert_int_eq(state_mtrx_set('I', 0, 'O', 0, 1, &console, &r,
	    why, sizeof why), -EINVAL);
	ck_assert_str_eq(why, "a mic route must be 0, 3, 4 or 5");
	ck_assert_int_eq(state_mtrx_get('I', 0, 'O', 0, &v), 0);
	ck_assert_int_eq(v, 4);
}
END_TEST

START_TEST(matrix_non_mic_source_rules)
{
	static const int bad[] = { 3, 4, 5, 6 };
	size_t i;
	int r;

	/* L 9 = I 9, a line input: 0/1/2 only. */
	ck_assert_int_eq(state_mtrx_set('L', 0, 'O', 2, 1, &console, &r,
	    why, sizeof why), 0);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(state_mtrx_set('I', 8, 'O', 2, 2, &console, &r,
	    why, sizeof why), 0);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(state_mtrx_set('I', 8, 'O', 2, 2, &console, &r,
	    why, sizeof why), 0);
	ck_assert_int_eq(r, 1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_int_eq(state_mtrx_set('I', 8, 'O', 2, bad[i],
		    &console, &r, why, sizeof why), -EINVAL);
	/* Sources and destinations by group capability. */
	ck_assert_int_eq(state_mtrx_set('O', 0, 'O', 1, 1, &console, &r,
	    why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_mtrx_set('E', 0, 'J', 3, 1, &console, &r,
	    why, sizeof why), 0);
}
END_TEST

START_TEST(matrix_self_route_prohibited)
{
	int r, v;

	ck_assert_int_eq(state_mtrx_get('P', 3, 'P', 3, &v), 0);
	ck_assert_int_eq(v, 6);
	ck_assert_int_eq(state_mtrx_set('P', 3, 'P', 3, 1, &console, &r,
	    why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_mtrx_set('P', 3, 'P', 3, 0, &console, &r,
	    why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_mtrx_set('P', 3, 'P', 4, 1, &console, &r,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_mtrx_get('P', 3, 'P', 4, &v), 0);
	ck_assert_int_eq(v, 1);
}
END_TEST

START_TEST(mtrxlvl_clamps_and_moves_relative)
{
	double r;

	ck_assert_int_eq(state_mtrxlvl_set('I', 9, 'O', 0, 50, false,
	    &console, &r, why, sizeof why), 0);
	ck_assert(r == 12.0);
	ck_assert_int_eq(state_mtrxlvl_set('I', 9, 'O', 0, -3, true,
	    &console, &r, why, sizeof why), 0);
	ck_assert(r == 9.0);
	ck_assert_int_eq(state_mtrxlvl_set('I', 9, 'O', 0, -99, true,
	    &console, &r, why, sizeof why), 0);
	ck_assert(r == -60.0);
	ck_assert_int_eq(state_mtrxlvl_set('I', 9, 'O', 0, -99.5, false,
	    &console, &r, why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_mtrxlvl_get('I', 9, 'O', 0, &r), 0);
	ck_assert(r == -60.0);
}
END_TEST

START_TEST(mtrx_clear_keeps_levels)
{
	double lv;
	int r, v;

	ck_assert_int_eq(state_mtrx_set('P', 0, 'O', 0, 1, &console, &r,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_mtrxlvl_set('P', 0, 'O', 0, -6, false,
	    &console, NULL, why, sizeof why), 0);
	ck_assert_int_eq(state_mtrx_clear(&console), 0);
	ck_assert_int_eq(state_mtrx_get('P', 0, 'O', 0, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(state_mtrxlvl_get('P', 0, 'O', 0, &lv), 0);
	ck_assert(lv == -6.0);
}
END_TEST

START_TEST(safety_mute_toggles)
{
	int r;

	ck_assert_int_eq(state_safety_mute_get(), 0);
	ck_assert_int_eq(state_safety_mute_set(2, &console, &r), 0);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(state_safety_mute_set(2, &console, &r), 0);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(state_safety_mute_set(3, &console, &r), -EINVAL);
	ck_assert_int_eq(state_safety_mute_get(), 0);
}
END_TEST

/* ---- presets ---- */

START_TEST(preset_store_and_recall)
{
	struct bus_sub *sub;
	struct bus_msg m;
	int v, n = 0;

	ck_assert(!state_preset_defined(5));
	ck_assert_int_eq(state_gain_set('O', 0, -7, false, &console, NULL,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_mute_set('O', 0, 1, &console, NULL, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_mtrx_set('P', 0, 'O', 0, 1, &console, NULL,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_preset_store(5, &console, why, sizeof why), 0);
	ck_assert(state_preset_defined(5));
	ck_assert_int_eq(state_gain_set('O', 0, 3, false, &console, NULL,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_mute_set('O', 0, 0, &console, NULL, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_mtrx_clear(&console), 0);
	sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 64);
	ck_assert_int_eq(state_preset_recall(5, &console, why, sizeof why), 0);
	ck_assert(gain_of('O', 0) == -7.0);
	ck_assert_int_eq(state_mute_get('O', 0, &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(state_mtrx_get('P', 0, 'O', 0, &v), 0);
	ck_assert_int_eq(v, 1);
	while (bus_take(sub, &m) == 1) {
		ck_assert_int_eq(m.u.change.what, STATE_F_PRESET);
		ck_assert_int_eq(m.u.change.integer, 5);
		n++;
	}
	ck_assert_int_eq(n, 1);
	bus_unsubscribe(sub);
}
END_TEST

/* Like a real unit: acknowledged, nothing changes, an event says so. */
START_TEST(preset_recall_empty_is_acknowledged)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_EVENT) |
	    BUS_MASK(BUS_CHANGE), 8);
	uint64_t seq = state_seq();
	struct bus_msg m;
	double gain;

	ck_assert_int_eq(state_gain_get('M', 1, &gain), 0);
	ck_assert_int_eq(state_preset_recall(9, &console, why, sizeof why),
	    0);
	ck_assert_int_eq(state_preset_last(), 9);
	ck_assert_uint_eq(state_seq(), seq);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.type, BUS_EVENT);
	ck_assert_int_eq(m.u.event.category, EVENT_PRESET);
	ck_assert_str_eq(m.u.event.text, "preset 9 is empty: nothing recalled");
	ck_assert_int_eq(bus_take(sub, &m), 0);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(preset_recall_out_of_range_is_refused)
{
	uint64_t seq = state_seq();

	ck_assert_int_eq(state_preset_recall(33, &console, why, sizeof why),
	    -EINVAL);
	ck_assert_int_eq(state_preset_store(0, &console, why, sizeof why),
	    -EINVAL);
	ck_assert_uint_eq(state_seq(), seq);
}
END_TEST

/* ---- macros ---- */

START_TEST(macro_started_and_lines)
{
	const char *two[] = { "#H0 MUTE 1 O 1", "#H0 MUTE 2 O 1" };
	char line[BUS_TEXT_MAX], big[BUS_TEXT_MAX + 1];
	const char *one[] = { big };
	enum user_level level = LEVEL_ADMIN;
	uint64_t epoch = 0;

	/* empty: acknowledged and announced (1), nothing to run */
	ck_assert_int_eq(state_macro_started(10, &console, &epoch, why,
	    sizeof why), 1);
	ck_assert_int_eq(state_macro_last(), 10);
	ck_assert_int_eq(state_macro_line(10, 0, epoch, line,
	    sizeof line, NULL), 0);
	ck_assert_int_eq(state_macro_started(256, &console, &epoch, why,
	    sizeof why), -EINVAL);
	memset(big, 'A', BUS_TEXT_MAX);
	big[BUS_TEXT_MAX] = '\0';
	ck_assert_int_eq(state_macro_define(10, one, 1, LEVEL_MANAGER,
	    &console, why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_macro_define(10, two, 2, LEVEL_MANAGER,
	    &console, why, sizeof why), 0);
	ck_assert_int_eq(state_macro_started(10, &console, &epoch, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_macro_last(), 10);
	ck_assert_int_eq(state_macro_line(10, 1, epoch, line,
	    sizeof line, &level), 1);
	ck_assert_str_eq(line, "#H0 MUTE 2 O 1");
	ck_assert_int_eq(level, LEVEL_MANAGER);
	ck_assert_int_eq(state_macro_line(10, 2, epoch, line,
	    sizeof line, NULL), 0);
	/* DEFAULT replaces the macros: a run started before is over */
	ck_assert_int_eq(state_reset_defaults(&console), 0);
	ck_assert_int_eq(state_macro_line(10, 0, epoch, line,
	    sizeof line, NULL), -ESTALE);
}
END_TEST

/* ---- settings ---- */

static const struct {
	enum state_setting s;
	const char *value;
	int err;
	const char *stored;	/* canonical form, if accepted */
} set_rows[] = {
	{ SET_NET_ADDR, "192.168.1.10", 0, "192.168.1.10" },
	{ SET_NET_ADDR, "", 0, "" },			/* not configured */
	{ SET_NET_ADDR, "192.168.1", -EINVAL, NULL },	/* three parts */
	{ SET_NET_ADDR, "192.168.01.1", -EINVAL, NULL },	/* leading 0 */
	{ SET_NET_ADDR, "256.1.1.1", -EINVAL, NULL },
	{ SET_NET_ADDR, "1.2.3.4 ", -EINVAL, NULL },	/* trailing blank */
	{ SET_NET_ADDR, "1.2.3.4.5", -EINVAL, NULL },
	{ SET_NET_MASK, "255.255.255.0", 0, "255.255.255.0" },
	{ SET_NET_MASK, "255.255.255.255", 0, "255.255.255.255" },
	{ SET_NET_MASK, "255.255.0.255", -EINVAL, NULL },	/* holes */
	{ SET_NET_MASK, "0.0.0.0", -EINVAL, NULL },
	{ SET_NET_DHCP_ON, "0", 0, "0" },
	{ SET_NET_DHCP_ON, "2", -EINVAL, NULL },
	{ SET_NET_DHCP_ON, "yes", -EINVAL, NULL },
	{ SET_NET_DOMAIN, "av.example.com", 0, "av.example.com" },
	{ SET_NET_DOMAIN, "av example", -EINVAL, NULL },
	{ SET_NET_DOMAIN, "..", -EINVAL, NULL },		/* empty labels */
	{ SET_NET_DOMAIN, "av..example.com", -EINVAL, NULL },
	{ SET_NET_DOMAIN, ".example.com", -EINVAL, NULL },
	{ SET_NET_DOMAIN, "-av.example.com", -EINVAL, NULL },
	{ SET_NET_DOMAIN, "av-.example.com", -EINVAL, NULL },
	{ SET_NET_DOMAIN, "a-v.example", 0, "a-v.example" },
	{ SET_NET_DOMAIN, "", 0, "" },			/* not set */
	{ SET_MAIL_SERVER, "192.168.1.25", 0, "192.168.1.25" },
	{ SET_MAIL_SERVER, "mail.example.com", 0, "mail.example.com" },
	{ SET_NTP_SERVER, "0.0.0.0", -EINVAL, NULL },	/* not a host */
	{ SET_NTP_SERVER, "255.255.255.255", -EINVAL, NULL },
	{ SET_NTP_SERVER, "224.0.1.1", -EINVAL, NULL },	/* multicast */
	{ SET_NTP_SERVER, "pool.ntp.org", 0, "pool.ntp.org" },
	{ SET_NTP_SERVER, "127.0.0.1:11123", 0, "127.0.0.1:11123" },
	{ SET_NTP_SERVER2, "ntp.example.com:123", 0, "ntp.example.com:123" },
	{ SET_NTP_SERVER3, "10.0.0.3", 0, "10.0.0.3" },
	{ SET_NTP_SERVER4, "", 0, "" },			/* not set */
	{ SET_NTP_SERVER, "127.0.0.1:0", -EINVAL, NULL },	/* port 1-65535 */
	{ SET_NTP_SERVER, "127.0.0.1:65536", -EINVAL, NULL },
	{ SET_NTP_SERVER, "127.0.0.1:0123", -EINVAL, NULL },
	{ SET_NTP_SERVER, "127.0.0.1:", -EINVAL, NULL },
	{ SET_NTP_SERVER, ":123", -EINVAL, NULL },
	{ SET_NTP_SERVER, "10.0.0", -EINVAL, NULL },	/* digits: no quad */
	{ SET_NTP_SERVER, "ntp example", -EINVAL, NULL },
	{ SET_NTP_SERVER, "0.0.0.0:123", -EINVAL, NULL },
	{ SET_NTP_SERVER4, "a:1:2", -EINVAL, NULL },
	{ SET_SNMP_MANAGER, "127.0.0.1", 0, "127.0.0.1" },	/* dev traps */
	{ SET_SNMP_MANAGER_PORT, "1162", 0, "1162" },
	{ SET_SNMP_MANAGER_PORT, "0", -EINVAL, NULL },
	{ SET_SNMP_MANAGER_PORT, "65536", -EINVAL, NULL },
	{ SET_SNMP_MANAGER_PORT, "0162", -EINVAL, NULL },
	{ SET_SNMP_MANAGER_PORT, "abc", -EINVAL, NULL },
	{ SET_SNMP_RO_COMMUNITY, "", -EINVAL, NULL },	/* 1-31 chars */
	{ SET_SNMP_RO_COMMUNITY, "pub lic", -EINVAL, NULL },
	{ SET_SNMP_RW_COMMUNITY, "s3cret", 0, "s3cret" },
	{ SET_SNMP_RW_COMMUNITY, "", 0, "" },	/* empty = no SET */
	{ SET_SNMP_RW_COMMUNITY, "pri vate", -EINVAL, NULL },
	{ SET_LOC_CONTACT, "noc@example.com", 0, "noc@example.com" },
	{ SET_LOGMASK, "ff", 0, "000000FF" },
	{ SET_LOGMASK, "FFFFFFFF", 0, "FFFFFFFF" },
	{ SET_LOGMASK, "123456789", -EINVAL, NULL },
	{ SET_LOGMASK, "GG", -EINVAL, NULL },
	{ SET_MAIL_SECURITY, "STARTTLS", 0, "starttls" },
	{ SET_MAIL_SECURITY, "ssl", -EINVAL, NULL },
	{ SET_MAIL_TO, "a@b.example,c@d.example", 0,
	    "a@b.example,c@d.example" },
	{ SET_MAIL_TO, "a@b.example, c@d.example", -EINVAL, NULL },
	{ SET_MAIL_TO, "nobody", -EINVAL, NULL },
	{ SET_MAIL_FROM, "unit@av.example", 0, "unit@av.example" },
	{ SET_MAIL_FROM, "a@b.example,c@d.example", -EINVAL, NULL },
	{ SET_MAIL_PORT, "587", 0, "587" },
	{ SET_BAUD, "115200", 0, "115200" },
	{ SET_BAUD, "1200", -EINVAL, NULL },
	{ SET_FLOW, "1", 0, "1" },
	{ SET_LOC_ROOM, "123456789012345678901234567890123456789012345678901"
	    "234567890123", 0,
	    "123456789012345678901234567890123456789012345678901234567890123" },
	{ SET_LOC_ROOM, "123456789012345678901234567890123456789012345678901"
	    "2345678901234", -EINVAL, NULL },		/* 64 characters */
	{ SET_LOC_ROOM, "Room\x01", -EINVAL, NULL },
	{ SET_NETBIOS_NAME, "CONVERGE-01", 0, "CONVERGE-01" },
	{ SET_NETBIOS_NAME, "has space", -EINVAL, NULL },
	{ SET_NETBIOS_NAME, "SIXTEEN-CHARS-XX", -EINVAL, NULL },
	{ SET_TIMEZONE, "Europe/Berlin", 0, "Europe/Berlin" },
	{ SET_TIMEZONE, "", -EINVAL, NULL },
	{ SET_UNIT_LABEL, "123456789012345678901", -EINVAL, NULL },
	{ SET_MAIL_EVENTS, "0", 0, "00000000" },
	{ SET_SNMP_TRAP2, "127.0.0.1:1162 v2c-trap public", 0,
	    "127.0.0.1:1162 v2c-trap public" },
	{ SET_SNMP_TRAP2 + 1, "nms.example.com v3-inform clearone", 0,
	    "nms.example.com v3-inform clearone" },
	{ SET_SNMP_TRAP8, "10.0.0.9 v1-trap public", 0,
	    "10.0.0.9 v1-trap public" },
	{ SET_SNMP_TRAP2 + 2, "", 0, "" },			/* none */
	{ SET_SNMP_TRAP2, "127.0.0.1 v3-trap clearone", 0,
	    "127.0.0.1 v3-trap clearone" },
	{ SET_SNMP_TRAP2, "127.0.0.1 v3-tarp public", -EINVAL, NULL },
	{ SET_SNMP_SOURCES, "", 0, "" },		/* the config's */
	{ SET_SNMP_SOURCES, "127.0.0.1, 10.0.0.0/8 default", 0,
	    "127.0.0.1, 10.0.0.0/8 default" },
	{ SET_SNMP_SOURCES, "10.0.0.0/33", -EINVAL, NULL },
	{ SET_SNMP_SOURCES, "10.0.0.0/", -EINVAL, NULL },
	{ SET_SNMP_SOURCES, "10.0.0/8", -EINVAL, NULL },
	{ SET_SNMP_SOURCES, "any", -EINVAL, NULL },
	{ SET_SNMP_SOURCES, "10.0.0.0/8x", -EINVAL, NULL },
	{ SET_SNMP_TRAP2, "127.0.0.1 v2c-trap", -EINVAL, NULL },
	{ SET_SNMP_TRAP2, "127.0.0.1 v2c-trap a b", -EINVAL, NULL },
	{ SET_SNMP_TRAP2, "127.0.0.1:0 v2c-trap public", -EINVAL, NULL },
	{ SET_SNMP_TRAP2, "224.0.0.1 v2c-trap public", -EINVAL, NULL },
	{ SET_SNMP_TRAP2, "127.0.0.1 v2c-trap pub\"lic", -EINVAL, NULL },
	{ SET_SNMP_TRAP2, "127.0.0.1 v2c-inform "
	    "12345678901234567890123456789012", -EINVAL, NULL },	/* 32 */
};

START_TEST(setting_validation_table)
{
	char before[160], after[160];
	int err;

	ck_assert_int_eq(state_setting_get(set_rows[_i].s, before,
	    sizeof before), 0);
	why[0] = '\0';
	err = state_setting_set(set_rows[_i].s, set_rows[_i].value, &console,
	    why, sizeof why);
	ck_assert_msg(err == set_rows[_i].err, "%s=\"%s\": %d (%s)",
	    state_setting_info(set_rows[_i].s)->key, set_rows[_i].value, err,
	    why);
	ck_assert_int_eq(state_setting_get(set_rows[_i].s, after,
	    sizeof after), 0);
	if (err == 0)
		ck_assert_str_eq(after, set_rows[_i].stored);
	else {
		ck_assert_str_eq(after, before);
		ck_assert_msg(why[0] != '\0', "no reason given");
	}
}
END_TEST

/* found by fuzz/cmd: a long number in a dotted quad overflowed an int */
START_TEST(ipv4_long_number_refused_without_overflow)
{
	char canon[64];

	ck_assert_int_eq(state_setting_check(SET_NET_ADDR,
	    "1666666666666666666666666666666.02.55.255255", canon,
	    sizeof canon, why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_setting_check(SET_NET_GATEWAY,
	    "10.0.0.99999999999", canon, sizeof canon, why, sizeof why),
	    -EINVAL);
	ck_assert_int_eq(state_setting_check(SET_NET_ADDR, "10.0.0.255",
	    canon, sizeof canon, why, sizeof why), 0);
	ck_assert_str_eq(canon, "10.0.0.255");
}
END_TEST

START_TEST(snmp_trap_destination_parsed)
{
	struct state_snmp_trap t;
	const char *problem;

	ck_assert_int_eq(state_snmp_trap("10.1.2.3 v2c-inform nms", &t,
	    &problem), 0);
	ck_assert_str_eq(t.host, "10.1.2.3");
	ck_assert_int_eq(t.port, 162);			/* the default */
	ck_assert_int_eq(t.kind, TRAP_V2C_INFORM);
	ck_assert_str_eq(t.name, "nms");
	ck_assert_ptr_null(problem);
	ck_assert_int_eq(state_snmp_trap("nms.example:2162 v3-inform "
	    "clearone", &t, NULL), 0);
	ck_assert_str_eq(t.host, "nms.example");
	ck_assert_int_eq(t.port, 2162);
	ck_assert_int_eq(t.kind, TRAP_V3_INFORM);
	ck_assert_int_eq(state_snmp_trap("10.0.0.2 v3-trap tech", &t, NULL),
	    0);
	ck_assert_int_eq(t.kind, TRAP_V3);
	ck_assert_int_eq(t.port, 162);
	ck_assert_int_eq(state_snmp_trap("", &t, NULL), 1);
	ck_assert_int_eq(state_snmp_trap("10.1.2.3:99999 v1-trap x", &t,
	    &problem), -EINVAL);
	ck_assert_str_eq(problem, "port must be 1 to 65535");
}
END_TEST

START_TEST(setting_table_keys_defaults_levels)
{
	char buf[160];
	int s;

	for (s = 0; s < SET_COUNT; s++) {
		const struct state_setting_info *info = state_setting_info(s);

		ck_assert_ptr_nonnull(info);
		ck_assert_int_eq(state_setting_lookup(info->key), s);
		ck_assert_int_eq(state_setting_get(s, buf, sizeof buf), 0);
		ck_assert_str_eq(buf, info->def);
	}
	ck_assert_int_eq(state_setting_lookup("network.bogus"), -1);
	ck_assert_int_eq(state_setting_info(SET_NET_ADDR)->level, LEVEL_ADMIN);
	ck_assert_int_eq(state_setting_info(SET_LOC_ROOM)->level,
	    LEVEL_MANAGER);
	ck_assert_int_eq(state_setting_info(SET_LOGMASK)->level,
	    LEVEL_MANAGER);
	ck_assert(state_setting_info(SET_MAIL_PASSWORD)->secret);
	ck_assert_str_eq(state_setting_info(SET_NET_DHCP_ON)->def, "1");
	ck_assert_str_eq(state_setting_info(SET_BAUD)->def, "57600");
	ck_assert_str_eq(state_setting_info(SET_SNMP_MANAGER_PORT)->def,
	    "162");
	ck_assert_str_eq(state_setting_info(SET_SNMP_RO_COMMUNITY)->def,
	    "public");
	ck_assert_str_eq(state_setting_info(SET_SNMP_RW_COMMUNITY)->def, "");
	ck_assert_str_eq(state_setting_info(SET_LOC_CONTACT)->def, "");
	ck_assert_int_eq(state_setting_lookup("location.contact"),
	    SET_LOC_CONTACT);
	ck_assert_str_eq(state_setting_info(SET_MAIL_PORT)->def, "25");
}
END_TEST

/* ---- users ---- */

START_TEST(users_default_clearone_admin)
{
	struct state_user_info list[STATE_USERS_MAX];
	enum user_level lv = LEVEL_USER;

	ck_assert_uint_eq(state_user_list(list, STATE_USERS_MAX), 1);
	ck_assert_str_eq(list[0].name, "clearone");
	ck_assert_int_eq(list[0].level, LEVEL_ADMIN);
	ck_assert_int_eq(state_user_check("clearone", "converge", &lv), 0);
	ck_assert_int_eq(lv, LEVEL_ADMIN);
	/* Names ignore case; passwords do not. */
	ck_assert_int_eq(state_user_check("ClearOne", "converge", &lv), 0);
	ck_assert_int_eq(state_user_check("clearone", "Converge", &lv),
	    -EACCES);
	ck_assert(state_default_password_in_use());
	ck_assert_int_eq(state_user_set("clearone", "n3w-Secret", LEVEL_ADMIN,
	    &console, why, sizeof why), 0);
	ck_assert(!state_default_password_in_use());
	ck_assert_str_eq(user_level_name(LEVEL_ADMIN), "Administrator");
}
END_TEST

START_TEST(users_add_check_wrong_password)
{
	enum user_level lv = LEVEL_ADMIN;

	ck_assert_int_eq(state_user_set("tech.1", "pa55word", LEVEL_MANAGER,
	    &console, why, sizeof why), 0);
	ck_assert_int_eq(state_user_check("tech.1", "pa55word", &lv), 0);
	ck_assert_int_eq(lv, LEVEL_MANAGER);
	ck_assert_int_eq(state_user_check("tech.1", "wrong", &lv), -EACCES);
	ck_assert_int_eq(state_user_check("nobody", "pa55word", &lv),
	    -EACCES);
	/* Level change keeps the password. */
	ck_assert_int_eq(state_user_set("TECH.1", NULL, LEVEL_USER, &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_user_check("tech.1", "pa55word", &lv), 0);
	ck_assert_int_eq(lv, LEVEL_USER);
	/* Bad names and passwords. */
	ck_assert_int_eq(state_user_set("bad name", "x", LEVEL_USER, &console,
	    why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_user_set("ok", "", LEVEL_USER, &console, why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(state_user_set("new", NULL, LEVEL_USER, &console,
	    why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_user_delete("tech.1", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_user_check("tech.1", "pa55word", &lv),
	    -EACCES);
}
END_TEST

START_TEST(users_last_admin_protected)
{
	ck_assert_int_eq(state_user_delete("clearone", &console, why,
	    sizeof why), -EPERM);
	ck_assert_str_eq(why, "at least one administrator must remain");
	ck_assert_int_eq(state_user_set("clearone", NULL, LEVEL_MANAGER,
	    &console, why, sizeof why), -EPERM);
	ck_assert_int_eq(state_user_set("admin2", "pw", LEVEL_ADMIN,
	    &console, why, sizeof why), 0);
	ck_assert_int_eq(state_user_delete("clearone", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_user_set("ADMIN2", NULL, LEVEL_USER, &console,
	    why, sizeof why), -EPERM);
}
END_TEST

START_TEST(users_usm_key_follows_the_password)
{
	uint8_t key[USMKEY_LEN], want[USMKEY_LEN];
	json_t *root, *u;

	/* the factory user has the key of "converge" */
	ck_assert_int_eq(usmkey_derive("converge", want), 0);
	ck_assert_int_eq(state_user_usm_key("clearone", key), 0);
	ck_assert(memcmp(key, want, sizeof key) == 0);
	ck_assert_int_eq(state_user_set("tech", "maplesyrup", LEVEL_MANAGER,
	    &console, why, sizeof why), 0);
	ck_assert_int_eq(state_user_usm_key("TECH", key), 0);
	usmkey_derive("maplesyrup", want);
	ck_assert(memcmp(key, want, sizeof key) == 0);
	/* a level change keeps it; a short password has none */
	ck_assert_int_eq(state_user_set("tech", NULL, LEVEL_ADMIN, &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_user_usm_key("tech", key), 0);
	ck_assert_int_eq(state_user_set("tech", "short", LEVEL_ADMIN, &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_user_usm_key("tech", key), -ENODATA);
	ck_assert_int_eq(state_user_usm_key("nobody", key), -ENOENT);
	/* saved and loaded; a file without it (older builds) loads as unknown */
	root = state_to_json();
	u = json_array_get(json_object_get(root, "users"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(u, "usm_key")),
	    "218c36e6cd0cb579bc68ee2625f386cdc673beba");
	ck_assert_ptr_null(json_object_get(json_array_get(
	    json_object_get(root, "users"), 1), "usm_key"));
	json_object_set_new(u, "usm_key", json_string("xyz"));
	ck_assert_int_eq(state_from_json(root, &console, why, sizeof why),
	    -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "usm_key"));
	ck_assert_int_eq(state_user_usm_key("clearone", key), 0);
	json_object_del(u, "usm_key");
	ck_assert_int_eq(state_from_json(root, &console, why, sizeof why), 0);
	ck_assert_int_eq(state_user_usm_key("clearone", key), -ENODATA);
	json_decref(root);
}
END_TEST

START_TEST(users_hash_is_not_the_password)
{
	json_t *root = state_to_json();
	const char *hash;
	char *text;
	json_t *u;

	ck_assert_int_eq(state_user_set("tech", "plain-text-pw", LEVEL_USER,
	    &console, why, sizeof why), 0);
	json_decref(root);
	root = state_to_json();
	u = json_array_get(json_object_get(root, "users"), 1);
	hash = json_string_value(json_object_get(u, "hash"));
	ck_assert_ptr_nonnull(hash);
	ck_assert(strncmp(hash, "$6$", 3) == 0 || strncmp(hash, "$y$", 3) == 0);
	ck_assert_ptr_null(strstr(hash, "plain-text-pw"));
	text = json_dumps(root, 0);
	ck_assert_ptr_null(strstr(text, "plain-text-pw"));
	free(text);
	json_decref(root);
}
END_TEST

/* ---- JSON ---- */

static void
program_some_state(void)
{
	const char *lines[] = { "#H0 MUTE 1 O 1" };

	ck_assert_int_eq(state_gain_set('I', 3, -4.25, false, &console, NULL,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_minmax_set('O', 7, -40, 10, &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_label_set('E', 12, "Bus I", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_label_set('U', 0, "Board Room", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_mtrx_set('M', 1, 'P', 0, 4, &console, NULL,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_mtrxlvl_set('E', 0, 'J', 1, -8, false,
	    &console, NULL, why, sizeof why), 0);
	ck_assert_int_eq(state_preset_store(3, &console, why, sizeof why), 0);
	ck_assert_int_eq(state_macro_define(12, lines, 1, LEVEL_MANAGER,
	    &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_NET_MASK, "255.255.0.0",
	    &console, why, sizeof why), 0);
	ck_assert_int_eq(state_user_set("tech", "pw", LEVEL_MANAGER, &console,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_safety_mute_set(1, &console, NULL), 0);
}

START_TEST(json_event_after_2038_loads_again)
{
	struct bus_event ev = { EVENT_SYSTEM, SEVERITY_INFO,
		(time_t)1 << 31, "main", "unit started" };
	json_t *a;

	state_event_put(&ev);
	a = state_to_json();
	ck_assert_msg(state_from_json(a, &console, why, sizeof why) == 0,
	    "%s", why);
	json_decref(a);
}
END_TEST

START_TEST(json_round_trip)
{
	json_t *a, *b;
	enum user_level lv;
	struct bus_event ev = { EVENT_PRESET, SEVERITY_INFO, 1700000000,
		"console", "preset 3 run" };
	uint64_t seq;

	program_some_state();
	state_event_put(&ev);
	a = state_to_json();
	seq = state_seq();
	state_fini();
	setup();
	ck_assert_int_eq(state_from_json(a, &console, why, sizeof why), 0);
	ck_assert_uint_eq(state_seq(), seq + 1);
	b = state_to_json();
	json_object_del(a, "seq");
	json_object_del(b, "seq");
	ck_assert_msg(json_equal(a, b), "round trip differs");
	ck_assert(gain_of('M', 3) == -4.25);
	ck_assert_int_eq(state_user_check("tech", "pw", &lv), 0);
	ck_assert_int_eq(lv, LEVEL_MANAGER);
	ck_assert_int_eq(state_safety_mute_get(), 1);
	json_decref(a);
	json_decref(b);
}
END_TEST

/*
 * A restored file with seq INT64_MAX: counting on from it wrapped the
 * saved seq negative, and the next start refused the state file.
 */
START_TEST(json_huge_seq_is_lowered_and_saves_reload)
{
	json_t *a, *b;
	const json_int_t max = (json_int_t)1 << 52;

	a = state_to_json();
	json_object_set_new(a, "seq", json_integer(INT64_MAX));
	ck_assert_int_eq(state_from_json(a, &console, why, sizeof why), 0);
	ck_assert_uint_eq(state_seq(), (uint64_t)max + 1);
	ck_assert_int_eq(state_safety_mute_set(1, &console, NULL), 0);
	b = state_to_json();
	ck_assert(json_integer_value(json_object_get(b, "seq")) == max + 2);
	/* what was saved is a file the next start accepts */
	ck_assert_int_eq(state_from_json(b, &console, why, sizeof why), 0);
	ck_assert_uint_eq(state_seq(), (uint64_t)max + 3);
	json_decref(a);
	json_decref(b);
}
END_TEST

/*
 * Malformed state files: each row changes one field of a valid document
 * (path with '/' steps, new JSON value or NULL to delete) and names what
 * `why` must contain.
 */
static const struct {
	const char *path;
	const char *value;
	const char *why;
} bad_json[] = {
	/* only format 1 exists */
	{ "format", "2", "state: format must be" },
	{ "extra", "1", "state: unknown field \"extra\"" },
	{ "model", "\"880\"", "model: this unit is a 880TA" },
	{ "seq", "-1", "seq: must be" },
	{ "settings/network.mask", "\"255.0.255.0\"",
	    "settings.network.mask: not a contiguous netmask" },
	{ "settings/network.address", "\"10.0.0.256\"",
	    "settings.network.address: not a dotted quad" },
	{ "settings/bogus.key", "\"x\"", "settings.bogus.key: unknown" },
	/* a number where a string belongs */
	{ "settings/mail.port", "25", "settings.mail.port: must be a string" },
	{ "settings/serial.baud", "\"12345\"", "settings.serial.baud" },
	{ "settings", "[]", "settings: must be an object" },
	{ "users", "[]", "users: must be an array" },
	{ "users/0/level", "\"Manager\"",
	    "users: at least one Administrator" },
	{ "users/0/level", "\"Root\"", "users[0]: level" },
	{ "users/0/hash", "\"converge\"", "users[0]: hash" },
	/* a yescrypt cost that makes every login check take seconds */
	{ "users/0/hash", "\"$y$jFT$abcdefghijklmnopqrstuv$"
	    "0123456789012345678901234567890123456789012\"",
	    "users[0]: hash: not a SHA-512 crypt hash" },
	/* SHA-512 crypt, but 999999999 rounds instead of our 5000 */
	{ "users/0/hash", "\"$6$rounds=999999999$saltsalt$"
	    "FfQ4eTjBQvWkGAlnVgw3zqR7EmKhHRpKdH.Tah3RTwK3zbbfUkuTUV5WVb0ex/"
	    "U3G3G1jSIbQ3gQc9NpNrN9K0\"", "users[0]: hash" },
	{ "users/0/hash", "\"$1$saltsalt$abcdefghijklmnopqrstuv\"",
	    "users[0]: hash" },
	{ "users/0/extra", "1", "users[0]: unknown field" },
	{ "users/0/name", "\"bad name\"", "users[0]: name" },
	{ "audio", NULL, "audio: missing" },
	{ "audio/channels/I/0/gain", "50", "audio.channels.I[0]: gain" },
	{ "audio/channels/I/0/gain", "\"0\"",
	    "audio.channels.I[0]: gain must be a number" },
	{ "audio/channels/I/0/min", "-70", "audio.channels.I[0]: min" },
	{ "audio/channels/I/0/mute", "2", "audio.channels.I[0]: mute" },
	{ "audio/channels/I/0/label", "\"123456789012345678901\"",
	    "audio.channels.I[0]: label" },
	/* 11 inputs on a 12-input model */
	{ "audio/channels/I/11", NULL,
	    "audio.channels.I: must be an array of 12 channels" },
	{ "audio/channels/O", NULL, "audio.channels.O: must be an array" },
	{ "audio/channels/K", "[]", "audio.channels: no channel group \"K\"" },
	{ "audio/channels/U/0/label", "\"Other\"",
	    "audio.channels.U[0].label: must equal settings.unit.label" },
	{ "audio/matrix",
	    "[{\"src\":\"P A\",\"dst\":\"P A\",\"route\":1,\"level\":0}]",
	    "audio.matrix[0]: route 1 not allowed" },
	{ "audio/matrix",
	    "[{\"src\":\"M 1\",\"dst\":\"O 1\",\"route\":1,\"level\":0}]",
	    "audio.matrix[0]: route 1 not allowed" },
	{ "audio/matrix",
	    "[{\"src\":\"I 1\",\"dst\":\"Q 1\",\"route\":0,\"level\":0}]",
	    "audio.matrix[0]: no crosspoint" },
	{ "audio/matrix",
	    "[{\"src\":\"I 9\",\"dst\":\"O 1\",\"route\":1,\"level\":13}]",
	    "audio.matrix[0]: level" },
	{ "audio/matrix",
	    "[{\"src\":\"I 9\",\"dst\":\"O 1\",\"route\":1,\"level\":0},"
	    "{\"src\":\"L 9\",\"dst\":\"O 1\",\"route\":1,\"level\":0}]",
	    "audio.matrix[1]: crosspoint listed twice" },
	{ "audio/presets", "[{\"number\":33}]", "audio.presets[0]: number" },
	{ "audio/macros", "[{\"number\":1,\"lines\":[]}]",
	    "audio.macros[0]: lines" },
	{ "audio/macros", "[{\"number\":1,\"lines\":[\"a\\nb\"]}]",
	    "audio.macros[0].lines[0]" },
	/* a macro must not gain rights through a crafted backup */
	{ "audio/macros",
	    "[{\"number\":1,\"level\":\"Root\",\"lines\":[\"#H0 MACRO\"]}]",
	    "audio.macros[0]: level: not User, Manager or Administrator" },
	{ "audio/macros",
	    "[{\"number\":1,\"level\":2,\"lines\":[\"#H0 MACRO\"]}]",
	    "audio.macros[0]: level must be a string" },
	{ "audio/safety_mute", "3", "audio: safety_mute" },
	{ "events", "[{\"time\":1}]", "events[0]: category" },
};

/* Follow `path` in `root`; return the parent and put the last step. */
static json_t *
walk(json_t *root, const char *path, char *last)
{
	char buf[128], *step, *next;
	json_t *cur = root;

	snprintf(buf, sizeof buf, "%s", path);
	step = buf;
	while ((next = strchr(step, '/')) != NULL) {
		*next = '\0';
		cur = json_is_array(cur) ? json_array_get(cur, atoi(step)) :
		    json_object_get(cur, step);
		ck_assert_msg(cur != NULL, "bad test path %s", path);
		step = next + 1;
	}
	strcpy(last, step);
	return cur;
}

static void
mutate(json_t *root, const char *path, const char *value)
{
	char last[64];
	json_t *parent = walk(root, path, last), *v = NULL;

	if (value != NULL) {
		v = json_loads(value, JSON_DECODE_ANY, NULL);
		ck_assert_msg(v != NULL, "bad test value %s", value);
	}
	if (json_is_array(parent) && v == NULL)
		json_array_remove(parent, (size_t)atoi(last));
	else if (json_is_array(parent))
		json_array_set_new(parent, (size_t)atoi(last), v);
	else if (v == NULL)
		json_object_del(parent, last);
	else
		json_object_set_new(parent, last, v);
}

START_TEST(json_malformed_changes_nothing)
{
	json_t *doc, *before, *after;
	uint64_t seq;
	int err;

	program_some_state();
	before = state_to_json();
	doc = json_deep_copy(before);
	mutate(doc, bad_json[_i].path, bad_json[_i].value);
	seq = state_seq();
	why[0] = '\0';
	err = state_from_json(doc, &console, why, sizeof why);
	ck_assert_msg(err == -EINVAL, "row %d accepted", _i);
	ck_assert_msg(strstr(why, bad_json[_i].why) != NULL,
	    "row %d: why \"%s\", wanted \"%s\"", _i, why, bad_json[_i].why);
	ck_assert_uint_eq(state_seq(), seq);
	after = state_to_json();
	ck_assert_msg(json_equal(before, after), "row %d changed state", _i);
	json_decref(doc);
	json_decref(before);
	json_decref(after);
}
END_TEST

/* Backups carry the definer's level; older files get Manager, not more. */
START_TEST(json_macro_level_round_trips_and_defaults_to_manager)
{
	const char *lines[] = { "#H0 ENETDHCP 0" };
	enum user_level level = LEVEL_USER;
	char line[BUS_TEXT_MAX];
	json_t *doc, *macro;
	uint64_t epoch;

	ck_assert_int_eq(state_macro_define(4, lines, 1, LEVEL_ADMIN,
	    &console, why, sizeof why), 0);
	doc = state_to_json();
	macro = json_array_get(json_object_get(json_object_get(doc, "audio"),
	    "macros"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(macro, "level")),
	    "Administrator");
	ck_assert_int_eq(state_from_json(doc, &console, why, sizeof why), 0);
	ck_assert_int_eq(state_macro_started(4, &console, &epoch, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_macro_line(4, 0, epoch, line, sizeof line,
	    &level), 1);
	ck_assert_int_eq(level, LEVEL_ADMIN);
	/* the same file from before macros had a level */
	json_object_del(macro, "level");
	ck_assert_int_eq(state_from_json(doc, &console, why, sizeof why), 0);
	ck_assert_int_eq(state_macro_started(4, &console, &epoch, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_macro_line(4, 0, epoch, line, sizeof line,
	    &level), 1);
	ck_assert_int_eq(level, LEVEL_MANAGER);
	json_decref(doc);
}
END_TEST

START_TEST(json_root_must_be_object)
{
	json_t *v = json_integer(1);

	ck_assert_int_eq(state_from_json(v, &console, why, sizeof why),
	    -EINVAL);
	ck_assert_str_eq(why, "state: must be an object");
	json_decref(v);
}
END_TEST

/* Every model lays out, serialises and loads its own file back. */
START_TEST(every_model_round_trips)
{
	const struct model *m = model_get(_i);
	const struct model_group *in = model_group(m, 'I');
	json_t *a, *b;

	state_fini();
	bus_shutdown();
	setup_model(_i);
	ck_assert_int_eq(state_gain_set('I', in->count - 1, -2, false,
	    &console, NULL, why, sizeof why), 0);
	ck_assert_int_eq(state_gain_set('I', in->count, -2, false, &console,
	    NULL, why, sizeof why), -EINVAL);
	ck_assert_int_eq(state_label_set('E', 17, "Bus N", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_mtrx_set('E', 0, 'E', 1, 1, &console, NULL,
	    why, sizeof why), 0);
	a = state_to_json();
	ck_assert_str_eq(json_string_value(json_object_get(a, "model")),
	    m->name);
	ck_assert_int_eq(state_from_json(a, &console, why, sizeof why), 0);
	b = state_to_json();
	json_object_del(a, "seq");
	json_object_del(b, "seq");
	ck_assert_msg(json_equal(a, b), "%s round trip differs", m->name);
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(services_table_replaces_by_name)
{
	struct bus_service row = { "web", SVC_RUNNING, 0, "" }, out[4];

	state_service_put(&row);
	row.state = SVC_BACKOFF;
	row.restarts = 2;
	state_service_put(&row);
	snprintf(row.name, sizeof row.name, "snmp");
	state_service_put(&row);
	ck_assert_uint_eq(state_services(out, 4), 2);
	ck_assert_str_eq(out[0].name, "web");
	ck_assert_int_eq(out[0].state, SVC_BACKOFF);
	ck_assert_uint_eq(out[0].restarts, 2);
	ck_assert_str_eq(out[1].name, "snmp");
}
END_TEST

/* ---- bus, defaults, meters, events ---- */

START_TEST(bus_change_has_increasing_seq)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 16);
	struct bus_msg m;
	uint64_t s0 = state_seq();

	ck_assert_int_eq(bus_take(sub, &m), 0);
	ck_assert_int_eq(state_gain_set('O', 2, -1, false, &console, NULL,
	    why, sizeof why), 0);
	/* After the setter returned: published, numbered, visible. */
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.type, BUS_CHANGE);
	ck_assert_int_eq(m.u.change.what, STATE_F_GAIN);
	ck_assert_uint_eq(m.u.change.seq, s0 + 1);
	ck_assert_uint_eq(m.u.change.seq, state_seq());
	ck_assert_str_eq(m.u.change.origin.service, "console");
	ck_assert_str_eq(m.u.change.origin.from, "console 127.0.0.1:40022");
	ck_assert_int_eq(state_mute_set('O', 2, 1, &console, NULL, why,
	    sizeof why), 0);
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_uint_eq(m.u.change.seq, s0 + 2);
	/* A refused change publishes nothing. */
	ck_assert_int_eq(state_mute_set('O', 2, 9, &console, NULL, why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(bus_take(sub, &m), 0);
	bus_unsubscribe(sub);
}
END_TEST

/* A subscriber thread reads the state when the message arrives. */
struct watcher {
	struct bus_sub *sub;
	uint64_t seq;
	double gain;
	int got;
};

static void *
watch(void *arg)
{
	struct watcher *w = arg;
	struct bus_msg m;

	w->got = bus_wait(w->sub, &m, 5000);
	if (w->got == 1) {
		w->seq = m.u.change.seq;
		state_gain_get('O', 3, &w->gain);
	}
	return NULL;
}

START_TEST(bus_change_seen_after_setter_returned)
{
	struct watcher w = { 0 };
	pthread_t t;

	w.sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 16);
	ck_assert_int_eq(pthread_create(&t, NULL, watch, &w), 0);
	ck_assert_int_eq(state_gain_set('O', 3, -17.5, false, &console, NULL,
	    why, sizeof why), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.got, 1);
	ck_assert(w.gain == -17.5);
	ck_assert_uint_eq(w.seq, state_seq());
	bus_unsubscribe(w.sub);
}
END_TEST

START_TEST(reset_defaults_keeps_network_and_users)
{
	char buf[64];
	double g;

	program_some_state();
	ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, "R1", &console, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_reset_defaults(&console), 0);
	ck_assert_int_eq(state_setting_get(SET_NET_MASK, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "255.255.0.0");
	ck_assert_int_eq(state_user_check("tech", "pw", NULL), 0);
	ck_assert_int_eq(state_setting_get(SET_LOC_ROOM, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(state_gain_get('I', 3, &g), 0);
	ck_assert(g == 0.0);
	ck_assert(!state_preset_defined(3));
	ck_assert_int_eq(state_safety_mute_get(), 0);
}
END_TEST

START_TEST(meters_are_live_values)
{
	uint64_t seq = state_seq();
	double db;

	ck_assert_int_eq(state_meter_put('M', 0, 0, -23.5), 0);
	ck_assert_int_eq(state_meter_get('I', 0, 0, &db), 0);
	ck_assert(db == -23.5);
	ck_assert_int_eq(state_meter_put('B', 3, 3, 99.99), 0);
	ck_assert_int_eq(state_meter_put('O', 0, 4, 0), -EINVAL);
	ck_assert_int_eq(state_meter_put('O', 0, 0, 100), -EINVAL);
	ck_assert_int_eq(state_meter_put('G', 0, 0, 0), -EINVAL);
	state_gate_put(0x81);
	ck_assert_uint_eq(state_gate_bits(), 0x81);
	ck_assert_uint_eq(state_seq(), seq);
}
END_TEST

START_TEST(events_ring_is_bounded)
{
	struct bus_event ev = { EVENT_SYSTEM, SEVERITY_INFO, 0, "test", "" };
	struct bus_event *out = calloc(STATE_EVENTS_MAX, sizeof *out);
	size_t n;
	int i;

	for (i = 0; i < STATE_EVENTS_MAX + 5; i++) {
		snprintf(ev.text, sizeof ev.text, "event %d", i);
		state_event_put(&ev);
	}
	n = state_events(out, STATE_EVENTS_MAX);
	ck_assert_uint_eq(n, STATE_EVENTS_MAX);
	ck_assert_str_eq(out[0].text, "event 5");
	ck_assert_str_eq(out[n - 1].text, "event 204");
	free(out);
}
END_TEST

/* ---- threads ---- */

#define THREADS 4
#define ROUNDS 2000

struct worker {
	int id;
	unsigned changes;	/* successful setters */
};

static void
one_round(struct worker *w, int i)
{
	double g;
	int v;
	char buf[64];

	switch ((w->id + i) % 6) {
	case 0:
		w->changes += state_gain_set('O', i % 8, 0.5, true, &console,
		    NULL, NULL, 0) == 0;
		break;
	case 1:
		w->changes += state_mute_set('M', i % 8, 2, &console, NULL,
		    NULL, 0) == 0;
		break;
	case 2:
		w->changes += state_mtrx_set('L', i % 4, 'O', i % 8, 2,
		    &console, NULL, NULL, 0) == 0;
		break;
	case 3:
		ck_assert_int_eq(state_gain_get('O', i % 8, &g), 0);
		ck_assert(g >= -65.0 && g <= 20.0);
		ck_assert_int_eq(state_mute_get('I', i % 8, &v), 0);
		break;
	case 4:
		w->changes += state_label_set('P', i % 8, "Mix", &console,
		    NULL, 0) == 0;
		state_label_get('P', i % 8, buf, sizeof buf);
		break;
	default:
		state_meter_put('I', i % 12, i % 4, -10.0);
		state_setting_get(SET_LOGMASK, buf, sizeof buf);
		(void)state_seq();
		break;
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < ROUNDS; i++)
		one_round(w, i);
	return NULL;
}

START_TEST(threads_mixed_get_set)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	unsigned total = 0;
	uint64_t seq0 = state_seq();
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ i, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += w[i].changes;
	}
	/* Every successful setter got exactly one sequence number. */
	ck_assert_uint_eq(state_seq() - seq0, total);
	ck_assert_uint_gt(total, 0);
}
END_TEST

/* ---- suite ---- */

#define NROWS(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* Each case has its own fixture: a fresh 880TA state and bus. */
int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(gain_absolute_clamps_to_limits),
		CHECK_CASE(gain_entry_out_of_range_changes_nothing),
		CHECK_CASE(gain_relative_move_respects_max),
		CHECK_CASE(minmax_reclamps_current_gain),
		CHECK_CASE(minmax_rejects_bad_limits),
		CHECK_CASE(mute_toggle_flips_state),
		CHECK_CASE(mic_and_line_alias_inputs),
		CHECK_CASE(ramp_begin_and_gain_step),
		CHECK_CASE(gain_step_refuses_after_recall),
		CHECK_CASE(label_rules_and_clear),
		CHECK_CASE(unit_label_is_the_setting),
		CHECK_CASE(setting_change_is_an_event_with_its_origin),
		CHECK_CASE(matrix_mic_source_rules),
		CHECK_CASE(matrix_non_mic_source_rules),
		CHECK_CASE(matrix_self_route_prohibited),
		CHECK_CASE(mtrxlvl_clamps_and_moves_relative),
		CHECK_CASE(mtrx_clear_keeps_levels),
		CHECK_CASE(safety_mute_toggles),
		CHECK_CASE(preset_store_and_recall),
		CHECK_CASE(preset_recall_empty_is_acknowledged),
		CHECK_CASE(preset_recall_out_of_range_is_refused),
		CHECK_CASE(macro_started_and_lines),
		CHECK_LOOP(setting_validation_table, NROWS(set_rows)),
		CHECK_CASE(ipv4_long_number_refused_without_overflow),
		CHECK_CASE(snmp_trap_destination_parsed),
		CHECK_CASE(setting_table_keys_defaults_levels),
		CHECK_CASE(users_default_clearone_admin),
		CHECK_CASE(users_add_check_wrong_password),
		CHECK_CASE(users_usm_key_follows_the_password),
		CHECK_CASE(users_last_admin_protected),
		CHECK_CASE(users_hash_is_not_the_password),
		CHECK_CASE(json_round_trip),
		CHECK_CASE(json_event_after_2038_loads_again),
		CHECK_CASE(json_huge_seq_is_lowered_and_saves_reload),
		CHECK_LOOP(json_malformed_changes_nothing, NROWS(bad_json)),
		CHECK_CASE(json_macro_level_round_trips_and_defaults_to_manager),
		CHECK_CASE(json_root_must_be_object),
		CHECK_LOOP(every_model_round_trips, MODEL_COUNT),
		CHECK_CASE(services_table_replaces_by_name),
		CHECK_CASE(bus_change_has_increasing_seq),
		CHECK_CASE(bus_change_seen_after_setter_returned),
		CHECK_CASE(reset_defaults_keeps_network_and_users),
		CHECK_CASE(meters_are_live_values),
		CHECK_CASE(events_ring_is_bounded),
		CHECK_CASE(threads_mixed_get_set),
	};

	return check_cases_run("state", cases, sizeof cases / sizeof *cases,
	    setup, teardown);
}
