/* SPDX-License-Identifier: MIT */
/*
 * The engine's scheduler (services/engine/engine_sched.c): RAMP moved by
 * the clock, the macro run queue with WAITSTATE, both driven through the
 * command interpreter as the console and the web drive them.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "check_cases.h"
#include "unit_state.h"
#include "cmd.h"
#include "cmd_harness.h"
#include "engine/engine_sched.h"
#include "model.h"
#include "state.h"

static struct engine_sched *sched;

static void
setup(void)
{
	unit_state_up("B465F991");
	sched = engine_sched_new();
	ck_assert_ptr_nonnull(sched);
}

static void
teardown(void)
{
	engine_sched_free(sched);
	unit_state_down();
}

static void
drain(struct bus_sub *sub)
{
	struct bus_msg m;

	while (bus_take(sub, &m) == 1)
		;
}

/* ---- ramps ---- */

/* The RAMP command forms (these rows lived in test_cmd.c). */
START_TEST(ramp_command_forms)
{
	struct cmd_session s;

	session(&s, LEVEL_USER);
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O"),
	    "OK> #H0 RAMP 1 O 0.00 0.00\r\n");
	/* no target: towards the limit in the rate's direction */
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O 15"),
	    "OK> #H0 RAMP 1 O 15.00 20.00\r\n");
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O -10 -30"),
	    "OK> #H0 RAMP 1 O -10.00 -30.00\r\n");
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O 0"),
	    "OK> #H0 RAMP 1 O 0.00 0.00\r\n");
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O 50.01"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O -51"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O 5 100"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O 5 1 2"), ARG_H0);
}
END_TEST

START_TEST(ramp_tick_reaches_target)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 256);
	struct cmd_session s;
	struct bus_msg m;
	int n = 0;

	session(&s, LEVEL_USER);
	run(&s, "#H0 GAIN 1 O -10 A");
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O 10 0"),
	    "OK> #H0 RAMP 1 O 10.00 0.00\r\n");
	drain(sub);
	engine_sched_ramps(sched, 1000, "engine");	/* starts the clock */
	ck_assert(gain_of('O', 0) == -10.0);
	engine_sched_ramps(sched, 1500, "engine");	/* +5 dB */
	ck_assert(fabs(gain_of('O', 0) - -5.0) < 1e-9);
	engine_sched_ramps(sched, 2500, "engine");	/* would be +5: stops at 0 */
	ck_assert(gain_of('O', 0) == 0.0);
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O"),
	    "OK> #H0 RAMP 1 O 0.00 0.00\r\n");
	engine_sched_ramps(sched, 3500, "engine");
	ck_assert(gain_of('O', 0) == 0.0);
	while (bus_take(sub, &m) == 1) {
		ck_assert_int_eq(m.u.change.what, STATE_F_GAIN);
		ck_assert_str_eq(m.u.change.origin.service, "engine");
		ck_assert_uint_eq(m.u.change.origin.session, 7);
		ck_assert_str_eq(m.u.change.origin.user, "tester");
		n++;
	}
	ck_assert_int_eq(n, 2);
	bus_unsubscribe(sub);
}
END_TEST

/* No target: a falling ramp runs to MIN; slow steps are not published. */
START_TEST(ramp_default_target_without_flooding)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 256);
	struct cmd_session s;
	struct bus_msg m;
	uint64_t t;
	int n = 0;

	session(&s, LEVEL_MANAGER);
	run(&s, "#H0 MINMAX 2 O -10 10");
	run(&s, "#H0 RAMP 2 O -1");
	drain(sub);
	/* 1 dB/s ticked every 1 ms: 0.001 dB a step, published per 0.01. */
	for (t = 0; t <= 1000; t++)
		engine_sched_ramps(sched, t, "engine");
	while (bus_take(sub, &m) == 1)
		n++;
	ck_assert(fabs(gain_of('O', 1) - -1.0) < 1e-6);
	ck_assert_int_ge(n, 90);
	ck_assert_int_le(n, 101);
	run(&s, "#H0 RAMP 2 O -50");
	engine_sched_ramps(sched, 2000, "engine");
	engine_sched_ramps(sched, 3000, "engine");
	ck_assert(gain_of('O', 1) == -10.0);
	bus_unsubscribe(sub);
}
END_TEST

/* A preset recall replaces the gains: the ramp running before stops. */
START_TEST(ramp_stops_on_preset_recall)
{
	struct cmd_session s;

	session(&s, LEVEL_ADMIN);
	ck_assert_str_eq(run(&s, "#H0 PRESETSTORE 1"),
	    "OK> #H0 PRESETSTORE 1\r\n");
	run(&s, "#H0 RAMP 1 O 10");
	engine_sched_ramps(sched, 1000, "engine");
	engine_sched_ramps(sched, 1500, "engine");
	ck_assert(gain_of('O', 0) == 5.0);
	run(&s, "#H0 PRESET 1");
	ck_assert(gain_of('O', 0) == 0.0);
	engine_sched_ramps(sched, 2000, "engine");
	ck_assert(gain_of('O', 0) == 0.0);
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O"),
	    "OK> #H0 RAMP 1 O 0.00 0.00\r\n");
}
END_TEST

START_TEST(reset_stops_ramps)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_EVENT), 8);
	struct cmd_session s;
	struct bus_msg msg;

	session(&s, LEVEL_ADMIN);
	run(&s, "#H0 RAMP 2 O 10");
	ck_assert_str_eq(run(&s, "#H0 RESET"), "OK> #H0 RESET\r\n");
	ck_assert_str_eq(run(&s, "#H0 RAMP 2 O"),
	    "OK> #H0 RAMP 2 O 0.00 0.00\r\n");
	ck_assert_int_eq(bus_take(sub, &msg), 1);
	ck_assert_int_eq(msg.u.event.category, EVENT_RESET);
	ck_assert(strstr(msg.u.event.text, "tester") != NULL);
	bus_unsubscribe(sub);
}
END_TEST

/* ---- macros ---- */

START_TEST(macro_queue_runs_in_order)
{
	char line[BUS_TEXT_MAX];
	struct cmd_session s;
	struct origin o;
	int n;

	session(&s, LEVEL_MANAGER);
	run(&s, "#H0 MACRODEF 1 #H0 MUTE 1 O 1|#H0 MUTE 2 O 1");
	run(&s, "#H0 MACRODEF 2 #H0 GAIN 1 O -5 A|#H0 GAIN 2 O -5 A");
	ck_assert_str_eq(run(&s, "#H0 MACRO 2"), "OK> #H0 MACRO 2\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO 1"), "OK> #H0 MACRO 1\r\n");
	ck_assert_int_eq(state_macro_last(), 1);
	ck_assert_int_eq(engine_sched_macro_next(sched, 0, line, sizeof line,
	    &n, NULL, &o), 1);
	ck_assert_str_eq(line, "#H0 GAIN 1 O -5 A");
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(o.session, 7);
	ck_assert_int_eq(engine_sched_macro_next(sched, 0, line, sizeof line,
	    &n, NULL, &o), 1);
	ck_assert_str_eq(line, "#H0 GAIN 2 O -5 A");
	ck_assert_int_eq(engine_sched_macro_next(sched, 0, line, sizeof line,
	    &n, NULL, &o), 1);
	ck_assert_str_eq(line, "#H0 MUTE 1 O 1");
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(engine_sched_macro_next(sched, 0, line, sizeof line,
	    &n, NULL, &o), 1);
	ck_assert_str_eq(line, "#H0 MUTE 2 O 1");
	ck_assert_int_eq(engine_sched_macro_next(sched, 0, line, sizeof line,
	    &n, NULL, &o), 0);
}
END_TEST

START_TEST(macro_wait_delays_running_macro)
{
	char line[BUS_TEXT_MAX];
	struct cmd_session s;
	struct origin o;
	int n;

	session(&s, LEVEL_MANAGER);
	run(&s, "#H0 MACRODEF 3 #H0 WAITSTATE 2.00|#H0 MUTE 1 O 0");
	run(&s, "#H0 MACRODEF 4 #H0 MUTE 3 O 0|#H0 MUTE 4 O 0");
	run(&s, "#H0 MACRO 3");
	run(&s, "#H0 MACRO 4");
	ck_assert_int_eq(engine_sched_macro_next(sched, 100, line,
	    sizeof line, &n, NULL, &o), 1);
	ck_assert_int_eq(cmd_macro_line(line, n, LEVEL_MANAGER, &o, 100), 0);
	/* Neither this macro nor the one queued behind it runs early. */
	ck_assert_int_eq(engine_sched_macro_next(sched, 2099, line,
	    sizeof line, &n, NULL, NULL), 0);
	ck_assert_int_eq(engine_sched_macro_next(sched, 2100, line,
	    sizeof line, &n, NULL, NULL), 1);
	ck_assert_str_eq(line, "#H0 MUTE 1 O 0");
	ck_assert_int_eq(engine_sched_macro_next(sched, 2100, line,
	    sizeof line, &n, NULL, NULL), 1);
	ck_assert_int_eq(n, 4);
}
END_TEST

START_TEST(macro_full_queue)
{
	struct cmd_session s;
	int i;

	session(&s, LEVEL_MANAGER);
	run(&s, "#H0 MACRODEF 10 #H0 MUTE 1 O 1");
	for (i = 0; i < ENGINE_SCHED_QUEUE; i++)
		ck_assert_str_eq(run(&s, "#H0 MACRO 10"),
		    "OK> #H0 MACRO 10\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO 10"), ARG_H0);
}
END_TEST

/*
 * A preset call recorded from a real unit (ACA's driver): an empty macro
 * in range is acknowledged, reported as the last one, and runs nothing.
 */
START_TEST(macro_empty_is_acknowledged_like_a_real_unit)
{
	char line[BUS_TEXT_MAX];
	struct cmd_session s;
	int n;

	session(&s, LEVEL_MANAGER);
	ck_assert_str_eq(run(&s, "#H* macro 1"), "OK> #H0 MACRO 1\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO"), "OK> #H0 MACRO 1\r\n");
	ck_assert_int_eq(engine_sched_macro_next(sched, 0, line, sizeof line,
	    &n, NULL, NULL), 0);
	ck_assert_str_eq(run(&s, "#H0 MACRO 256"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRO 0"), ARG_H0);
}
END_TEST

/* DEFAULT replaces the macros: the queued runs are dropped. */
START_TEST(macro_runs_dropped_by_default)
{
	char line[BUS_TEXT_MAX];
	struct cmd_session s;
	int n;

	session(&s, LEVEL_ADMIN);
	run(&s, "#H0 MACRODEF 6 #H0 MUTE 1 O 1");
	run(&s, "#H0 MACRO 6");
	ck_assert_str_eq(run(&s, "#H0 DEFAULT"), "OK> #H0 DEFAULT\r\n");
	run(&s, "#H0 MACRODEF 6 #H0 MUTE 2 O 1");
	ck_assert_int_eq(engine_sched_macro_next(sched, 0, line, sizeof line,
	    &n, NULL, NULL), 0);
}
END_TEST

START_TEST(macro_define_and_run)
{
	struct cmd_session s;

	session(&s, LEVEL_MANAGER);
	ck_assert_str_eq(run(&s,
	    "#H0 MACRODEF 5 #H0 MUTE 1 M 1 | #H0 GAIN 1 M -12 A"),
	    "OK> #H0 MACRODEF 5 #H0 MUTE 1 M 1|#H0 GAIN 1 M -12 A\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 5"),
	    "OK> #H0 MACRODEF 5 #H0 MUTE 1 M 1|#H0 GAIN 1 M -12 A\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO 5"), "OK> #H0 MACRO 5\r\n");
	/* nothing runs until the engine's tick */
	ck_assert_str_eq(run(&s, "#H0 MUTE 1 M"), "OK> #H0 MUTE 1 M 0\r\n");
	engine_sched_tick(sched, 1000, "engine");
	ck_assert_str_eq(run(&s, "#H0 MUTE 1 M"), "OK> #H0 MUTE 1 M 1\r\n");
	ck_assert_str_eq(run(&s, "#H0 GAIN 1 M"),
	    "OK> #H0 GAIN 1 M -12.00 A\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO"), "OK> #H0 MACRO 5\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 5 clear"),
	    "OK> #H0 MACRODEF 5\r\n");
	/* cleared: acknowledged, runs nothing */
	ck_assert_str_eq(run(&s, "#H0 MUTE 1 M 0"), "OK> #H0 MUTE 1 M 0\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO 5"), "OK> #H0 MACRO 5\r\n");
	engine_sched_tick(sched, 2000, "engine");
	ck_assert_str_eq(run(&s, "#H0 MUTE 1 M"), "OK> #H0 MUTE 1 M 0\r\n");
}
END_TEST

START_TEST(macro_waitstate_delays_the_rest)
{
	struct cmd_session s;

	session(&s, LEVEL_MANAGER);
	run(&s, "#H0 MACRODEF 9 #H0 MUTE 1 M 1|#H0 WAITSTATE 1.50|"
	    "#H0 MUTE 2 M 1");
	ck_assert_str_eq(run(&s, "#H0 MACRO 9"), "OK> #H0 MACRO 9\r\n");
	engine_sched_tick(sched, 10000, "engine");
	ck_assert_str_eq(run(&s, "#H0 MUTE 1 M"), "OK> #H0 MUTE 1 M 1\r\n");
	ck_assert_str_eq(run(&s, "#H0 MUTE 2 M"), "OK> #H0 MUTE 2 M 0\r\n");
	engine_sched_tick(sched, 11499, "engine");
	ck_assert_str_eq(run(&s, "#H0 MUTE 2 M"), "OK> #H0 MUTE 2 M 0\r\n");
	engine_sched_tick(sched, 11500, "engine");
	ck_assert_str_eq(run(&s, "#H0 MUTE 2 M"), "OK> #H0 MUTE 2 M 1\r\n");
}
END_TEST

/* A macro that starts itself runs a bounded number of lines per tick. */
START_TEST(macro_tick_is_bounded)
{
	struct cmd_session s;

	session(&s, LEVEL_MANAGER);
	run(&s, "#H0 MACRODEF 7 #H0 GAIN 1 M -1 R|#H0 MACRO 7");
	run(&s, "#H0 MACRO 7");
	engine_sched_tick(sched, 5, "engine");
	/* 64 lines = 32 passes of two lines */
	ck_assert_str_eq(run(&s, "#H0 GAIN 1 M"),
	    "OK> #H0 GAIN 1 M -32.00 A\r\n");
	engine_sched_tick(sched, 6, "engine");
	ck_assert_str_eq(run(&s, "#H0 GAIN 1 M"),
	    "OK> #H0 GAIN 1 M -64.00 A\r\n");
}
END_TEST

/* Macro lines run with full rights, stamped with the starter's name. */
/*
 * Issue 9's escalation: a Manager's macro that defines a macro holding
 * an Administrator line must not get it defined, nor run.
 */
START_TEST(macro_never_runs_above_its_definer)
{
	static char lines[STATE_MACRO_LINES][BUS_TEXT_MAX];
	struct cmd_session s;
	char dhcp[64];

	session(&s, LEVEL_MANAGER);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 22 #H0 MACRODEF 23 #H0 "
	    "ENETDHCP 0"), "OK> #H0 MACRODEF 22 #H0 MACRODEF 23 #H0 "
	    "ENETDHCP 0\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO 22"), "OK> #H0 MACRO 22\r\n");
	engine_sched_tick(sched, 100, "engine");
	ck_assert_uint_eq(state_macro_lines(23, lines, STATE_MACRO_LINES), 0);
	/* the outer macro is there: only the inner definition was refused */
	ck_assert_uint_eq(state_macro_lines(22, lines, STATE_MACRO_LINES), 1);
	ck_assert_str_eq(run(&s, "#H0 MACRO 23"), "OK> #H0 MACRO 23\r\n");
	engine_sched_tick(sched, 200, "engine");
	ck_assert_int_eq(state_setting_get(SET_NET_DHCP_ON, dhcp, sizeof dhcp),
	    0);
	ck_assert_str_eq(dhcp, "1");
}
END_TEST

/* The level is read per line: a Manager's macro cannot run SNMPMNGRIP. */
START_TEST(macro_line_above_level_fails_at_run_time)
{
	const char *lines[] = { "#H0 SNMPMNGRIP 127.0.0.9", "#H0 MUTE 1 O 1" };
	struct cmd_session s;
	char value[64];

	ck_assert_int_eq(state_macro_define(9, lines, 2, LEVEL_MANAGER, NULL,
	    NULL, 0), 0);
	session(&s, LEVEL_ADMIN);	/* the starter's level does not count */
	ck_assert_str_eq(run(&s, "#H0 MACRO 9"), "OK> #H0 MACRO 9\r\n");
	engine_sched_tick(sched, 100, "engine");
	ck_assert_int_eq(state_setting_get(SET_SNMP_MANAGER, value,
	    sizeof value), 0);
	ck_assert_str_eq(value, "");
	/* the allowed line still ran */
	ck_assert_str_eq(run(&s, "#H0 MUTE 1 O"), "OK> #H0 MUTE 1 O 1\r\n");
}
END_TEST

START_TEST(macro_of_an_administrator_runs_with_starter_origin)
{
	struct bus_sub *sub;
	struct cmd_session s, admin;
	struct bus_msg msg;

	session(&admin, LEVEL_ADMIN);
	run(&admin, "#H0 MACRODEF 3 #H0 ENETADDR 10.1.1.1");
	session(&s, LEVEL_MANAGER);
	ck_assert_str_eq(run(&s, "#H0 ENETADDR 10.1.1.1"), DENIED_H0);
	run(&s, "#H0 MACRO 3");
	sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 8);
	engine_sched_tick(sched, 100, "engine");
	ck_assert_str_eq(run(&s, "#H0 ENETADDR"),
	    "OK> #H0 ENETADDR 10.1.1.1\r\n");
	ck_assert_int_eq(bus_take(sub, &msg), 1);
	ck_assert_int_eq(msg.u.change.what, STATE_F_SETTING);
	ck_assert_uint_eq(msg.u.change.origin.flags & ORIGIN_MACRO, ORIGIN_MACRO);
	ck_assert_str_eq(msg.u.change.origin.user, "tester");
	ck_assert_str_eq(msg.u.change.origin.from, "console 127.0.0.1:40022");
	bus_unsubscribe(sub);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(ramp_command_forms),
		CHECK_CASE(ramp_tick_reaches_target),
		CHECK_CASE(ramp_default_target_without_flooding),
		CHECK_CASE(ramp_stops_on_preset_recall),
		CHECK_CASE(reset_stops_ramps),
		CHECK_CASE(macro_queue_runs_in_order),
		CHECK_CASE(macro_wait_delays_running_macro),
		CHECK_CASE(macro_full_queue),
		CHECK_CASE(macro_empty_is_acknowledged_like_a_real_unit),
		CHECK_CASE(macro_never_runs_above_its_definer),
		CHECK_CASE(macro_line_above_level_fails_at_run_time),
		CHECK_CASE(macro_runs_dropped_by_default),
		CHECK_CASE(macro_define_and_run),
		CHECK_CASE(macro_waitstate_delays_the_rest),
		CHECK_CASE(macro_tick_is_bounded),
		CHECK_CASE(macro_of_an_administrator_runs_with_starter_origin),
	};

	return check_cases_run("engine_sched", cases,
	    sizeof cases / sizeof *cases, setup, teardown);
}
