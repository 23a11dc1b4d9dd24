/* SPDX-License-Identifier: MIT */
/*
 * The command interpreter (protocol.md Part 1, §2-§5) against the real
 * device model: tables of {model, level, line, exact reply bytes} run in
 * order on one state, plus change/report formatting and macros.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "check_cases.h"
#include "cmd.h"
#include "cmd_harness.h"
#include "model.h"
#include "state.h"

#define U LEVEL_USER
#define M LEVEL_MANAGER
#define A LEVEL_ADMIN
#define SYNTAX "OK> ERROR SYNTAX ERROR.\r\n"

struct row {
	enum model_id model;
	enum user_level level;
	const char *in;
	const char *out;	/* the whole reply, byte for byte */
};

static enum model_id current_model;

static void
init_model(enum model_id id)
{
	struct state_identity ident;

	memset(&ident, 0, sizeof(ident));
	ident.model = model_get(id);
	ident.device_id = 0;
	/* lower case on purpose: UID must answer in upper case */
	snprintf(ident.uid, sizeof(ident.uid), "b465f991");
	snprintf(ident.firmware, sizeof(ident.firmware), "4.4.0.2");
	ident.dver = 12;
	snprintf(ident.mac, sizeof(ident.mac), "02:00:00:12:34:56");
	state_fini();
	ck_assert_int_eq(state_init(&ident), 0);
	current_model = id;
}

static void
setup(void)
{
	ck_assert_int_eq(bus_init(), 0);
	init_model(MODEL_880TA);
}

static void
teardown(void)
{
	state_fini();
	bus_shutdown();
}

/* Rows run in order on one state; a new model starts a fresh state. */
static void
run_rows(const struct row *rows, size_t n)
{
	struct cmd_session s;
	struct cmd_reply reply;
	size_t i;

	session(&s, U);
	for (i = 0; i < n; i++) {
		if (rows[i].model != current_model) {
			init_model(rows[i].model);
			session(&s, U);
		}
		s.level = rows[i].level;
		cmd_execute(&s, rows[i].in, strlen(rows[i].in), &reply);
		ck_assert_msg(strcmp(reply.text, rows[i].out) == 0,
		    "row %zu \"%s\": got \"%s\", want \"%s\"", i, rows[i].in,
		    reply.text, rows[i].out);
		ck_assert_uint_eq(reply.len, strlen(rows[i].out));
		ck_assert_int_eq(reply.error,
		    strstr(rows[i].out, " ERROR ") != NULL);
	}
}

#define RUN_ROWS(rows) run_rows((rows), sizeof(rows) / sizeof((rows)[0]))

/* ---- GAIN, MIN, MAX, MINMAX, RAMP ---- */

static const struct row gain_rows[] = {
	{ MODEL_880TA, U, "#H0 GAIN 1 M", "OK> #H0 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 M -10 A",
	    "OK> #H0 GAIN 1 M -10.00 A\r\n" },
	/* R is relative */
	{ MODEL_880TA, U, "#H0 GAIN 1 M 3 R", "OK> #H0 GAIN 1 M -7.00 A\r\n" },
	/* no A/R is relative too (§5.1) */
	{ MODEL_880TA, U, "#H0 GAIN 1 M 2", "OK> #H0 GAIN 1 M -5.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 M -5.5 a",
	    "OK> #H0 GAIN 1 M -5.50 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 M +.5 A", "OK> #H0 GAIN 1 M 0.50 A\r\n" },
	/* rounding never prints "-0.00" */
	{ MODEL_880TA, U, "#H0 GAIN 1 M -0.001 A",
	    "OK> #H0 GAIN 1 M 0.00 A\r\n" },
	/* entry range -99.9..99.9, clamped to the channel's -65..20 */
	{ MODEL_880TA, U, "#H0 GAIN 1 M 99.9 A",
	    "OK> #H0 GAIN 1 M 20.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 M -99.90 A",
	    "OK> #H0 GAIN 1 M -65.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 M 100 A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M -99.91 A", ARG_H0 },
	/* numbers are strict: no words, exponents, hex, NaN, inf */
	{ MODEL_880TA, U, "#H0 GAIN 1 M abc A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M 1e1 A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M 0x10 A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M nan A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M inf A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M . A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M 1. A", "OK> #H0 GAIN 1 M 1.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 M 5 X", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 M 1 A extra", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN", ARG_H0 },
	/* the last refused lines left the gain alone */
	{ MODEL_880TA, U, "#H0 GAIN 1 M", "OK> #H0 GAIN 1 M 1.00 A\r\n" },
	/* processing channels: letters, digits accepted, replies in letters */
	{ MODEL_880TA, U, "#H0 GAIN A P -3.25 A",
	    "OK> #H0 GAIN A P -3.25 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 P", "OK> #H0 GAIN A P -3.25 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN c p", "OK> #H0 GAIN C P 0.00 A\r\n" },
	/* line 9 is input 9 */
	{ MODEL_880TA, U, "#H0 GAIN 9 L -6 A", "OK> #H0 GAIN 9 L -6.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 9 I", "OK> #H0 GAIN 9 I -6.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 J 3 A", "OK> #H0 GAIN 1 J 3.00 A\r\n" },
	/* groups without gain, unknown groups, bad channel tokens */
	{ MODEL_880TA, U, "#H0 GAIN 1 G", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 Q", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 1 MM", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN 0 M", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GAIN -1 M", ARG_H0 },
	/* channel "*": every channel, one line each */
	{ MODEL_880TA, U, "#H0 GAIN * O -20 A",
	    "OK> #H0 GAIN 1 O -20.00 A\r\n"
	    "OK> #H0 GAIN 2 O -20.00 A\r\n"
	    "OK> #H0 GAIN 3 O -20.00 A\r\n"
	    "OK> #H0 GAIN 4 O -20.00 A\r\n"
	    "OK> #H0 GAIN 5 O -20.00 A\r\n"
	    "OK> #H0 GAIN 6 O -20.00 A\r\n"
	    "OK> #H0 GAIN 7 O -20.00 A\r\n"
	    "OK> #H0 GAIN 8 O -20.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN * J",
	    "OK> #H0 GAIN 1 J 3.00 A\r\n"
	    "OK> #H0 GAIN 2 J 0.00 A\r\n"
	    "OK> #H0 GAIN 3 J 0.00 A\r\n"
	    "OK> #H0 GAIN 4 J 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN * X", ARG_H0 },
};

static const struct row limit_rows[] = {
	{ MODEL_880TA, M, "#H0 MAX 2 M 6", "OK> #H0 MAX 2 M 6.00\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 2 M 5 A", "OK> #H0 GAIN 2 M 5.00 A\r\n" },
	/* a relative move stops at MAX ... */
	{ MODEL_880TA, U, "#H0 GAIN 2 M 3 R", "OK> #H0 GAIN 2 M 6.00 A\r\n" },
	{ MODEL_880TA, M, "#H0 MIN 2 M -10", "OK> #H0 MIN 2 M -10.00\r\n" },
	/* ... and at MIN */
	{ MODEL_880TA, U, "#H0 GAIN 2 M -30 R",
	    "OK> #H0 GAIN 2 M -10.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 2 M -30",
	    "OK> #H0 GAIN 2 M -10.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MINMAX 2 M",
	    "OK> #H0 MINMAX 2 M -10.00 6.00\r\n" },
	{ MODEL_880TA, M, "#H0 MINMAX 2 M -20 10",
	    "OK> #H0 MINMAX 2 M -20.00 10.00\r\n" },
	{ MODEL_880TA, M, "#H0 MINMAX 2 M 10 -20", ARG_H0 },
	{ MODEL_880TA, M, "#H0 MINMAX 2 M -20", ARG_H0 },
	{ MODEL_880TA, M, "#H0 MIN 2 M -65.01", ARG_H0 },
	{ MODEL_880TA, M, "#H0 MAX 2 M 20.01", ARG_H0 },
	/* MIN above the current MAX is refused by the state */
	{ MODEL_880TA, M, "#H0 MIN 2 M 15", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MIN 2 M", "OK> #H0 MIN 2 M -20.00\r\n" },
	{ MODEL_880TA, U, "#H0 MAX 2 M", "OK> #H0 MAX 2 M 10.00\r\n" },
	/* a new MIN pulls the gain up with it */
	{ MODEL_880TA, U, "#H0 GAIN 3 M -40 A",
	    "OK> #H0 GAIN 3 M -40.00 A\r\n" },
	{ MODEL_880TA, M, "#H0 MIN 3 M -30",
	    "OK> #H0 MIN 3 M -30.00\r\nOK> #H0 GAIN 3 M -30.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 3 M", "OK> #H0 GAIN 3 M -30.00 A\r\n" },
	{ MODEL_880TA, M, "#H0 MINMAX 3 M -60 -35",
	    "OK> #H0 MINMAX 3 M -60.00 -35.00\r\n"
	    "OK> #H0 GAIN 3 M -35.00 A\r\n" },
	/* a gain already inside the new limits is not repeated */
	{ MODEL_880TA, M, "#H0 MAX 3 M -20", "OK> #H0 MAX 3 M -20.00\r\n" },
	{ MODEL_880TA, M, "#H0 MAX 1 G 6", ARG_H0 },
	/* RAMP: idle ramps show rate 0 and the gain */
	{ MODEL_880TA, U, "#H0 RAMP 1 O", "OK> #H0 RAMP 1 O 0.00 0.00\r\n" },
	/* setting a ramp needs a scheduler: test_engine_sched.c */
};

/* ---- MUTE, SFTYMUTE ---- */

static const struct row mute_rows[] = {
	{ MODEL_880TA, U, "#H0 MUTE 1 M", "OK> #H0 MUTE 1 M 0\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 M 1", "OK> #H0 MUTE 1 M 1\r\n" },
	/* 2 toggles; the reply carries the new state */
	{ MODEL_880TA, U, "#H0 MUTE 1 M 2", "OK> #H0 MUTE 1 M 0\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 M 2", "OK> #H0 MUTE 1 M 1\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 M 3", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MUTE 1 M -1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MUTE 1 M 1.0", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MUTE 1 M on", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MUTE 1 M 1 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 mute 1 m", "OK> #H0 MUTE 1 M 1\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 I", "OK> #H0 MUTE 1 I 1\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE D P 0", "OK> #H0 MUTE D P 0\r\n" },
	/* a real 880TA answers fader 1 (§4.3) */
	{ MODEL_880TA, U, "#H0 MUTE 1 F 1", "OK> #H0 MUTE 1 F 1\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 T 1", "OK> #H0 MUTE 1 T 1\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 E 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MUTE * J 1",
	    "OK> #H0 MUTE 1 J 1\r\n"
	    "OK> #H0 MUTE 2 J 1\r\n"
	    "OK> #H0 MUTE 3 J 1\r\n"
	    "OK> #H0 MUTE 4 J 1\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE * P 2",
	    "OK> #H0 MUTE A P 1\r\n"
	    "OK> #H0 MUTE B P 1\r\n"
	    "OK> #H0 MUTE C P 1\r\n"
	    "OK> #H0 MUTE D P 1\r\n"
	    "OK> #H0 MUTE E P 1\r\n"
	    "OK> #H0 MUTE F P 1\r\n"
	    "OK> #H0 MUTE G P 1\r\n"
	    "OK> #H0 MUTE H P 1\r\n" },
	{ MODEL_880TA, U, "#H0 SFTYMUTE", "OK> #H0 SFTYMUTE 0\r\n" },
	{ MODEL_880TA, M, "#H0 SFTYMUTE 1", "OK> #H0 SFTYMUTE 1\r\n" },
	{ MODEL_880TA, M, "#H0 SFTYMUTE 2", "OK> #H0 SFTYMUTE 0\r\n" },
	{ MODEL_880TA, M, "#H0 SFTYMUTE 3", ARG_H0 },
	{ MODEL_880TA, U, "#H0 SFTYMUTE 1", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 SFTYMUTE", "OK> #H0 SFTYMUTE 0\r\n" },
};

/* ---- MTRX, MTRXLVL, MTRXCLEAR ---- */

static const struct row matrix_rows[] = {
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O", "OK> #H0 MTRX 1 M 1 O 0\r\n" },
	/* mics: 3 non-gated, 4 gated, 5 pre-AEC; never 1 or 2 */
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 3", "OK> #H0 MTRX 1 M 1 O 3\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 4", "OK> #H0 MTRX 1 M 1 O 4\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 5", "OK> #H0 MTRX 1 M 1 O 5\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 2", ARG_H0 },
	/* 6 (routing prohibited) is only ever reported */
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 6", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 7", ARG_H0 },
	/* input 3 is mic 3: the mic rules apply */
	{ MODEL_880TA, U, "#H0 MTRX 3 I 1 O 1", ARG_H0 },
	/* other sources: 1 on, 2 toggle; never 3-5 */
	{ MODEL_880TA, U, "#H0 MTRX 9 L 1 O 1", "OK> #H0 MTRX 9 L 1 O 1\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 9 L 1 O 2", "OK> #H0 MTRX 9 L 1 O 0\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 9 L 1 O 2", "OK> #H0 MTRX 9 L 1 O 1\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 9 L 1 O 3", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRX 10 I 2 O 1",
	    "OK> #H0 MTRX 10 I 2 O 1\r\n" },
	/* a processing channel to itself is always 6 */
	{ MODEL_880TA, U, "#H0 MTRX A P A P", "OK> #H0 MTRX A P A P 6\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX A P A P 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 mtrx a p 2 p 1", "OK> #H0 MTRX A P B P 1\r\n" },
	/* outputs are no source, mics no destination, 880TA has 8 outputs */
	{ MODEL_880TA, U, "#H0 MTRX 1 O 1 M 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 9 O", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O 1 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRX 1 M * O",
	    "OK> #H0 MTRX 1 M 1 O 5\r\n"
	    "OK> #H0 MTRX 1 M 2 O 0\r\n"
	    "OK> #H0 MTRX 1 M 3 O 0\r\n"
	    "OK> #H0 MTRX 1 M 4 O 0\r\n"
	    "OK> #H0 MTRX 1 M 5 O 0\r\n"
	    "OK> #H0 MTRX 1 M 6 O 0\r\n"
	    "OK> #H0 MTRX 1 M 7 O 0\r\n"
	    "OK> #H0 MTRX 1 M 8 O 0\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX * L 1 O",
	    "OK> #H0 MTRX 9 L 1 O 1\r\n"
	    "OK> #H0 MTRX 10 L 1 O 0\r\n"
	    "OK> #H0 MTRX 11 L 1 O 0\r\n"
	    "OK> #H0 MTRX 12 L 1 O 0\r\n" },
	/* MTRXLVL: entry -99..99, kept in -60..12, no A/R is relative */
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O",
	    "OK> #H0 MTRXLVL 1 M 1 O 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O -6 A",
	    "OK> #H0 MTRXLVL 1 M 1 O -6.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O 3 R",
	    "OK> #H0 MTRXLVL 1 M 1 O -3.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O 2",
	    "OK> #H0 MTRXLVL 1 M 1 O -1.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O 20 A",
	    "OK> #H0 MTRXLVL 1 M 1 O 12.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O -99 A",
	    "OK> #H0 MTRXLVL 1 M 1 O -60.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O -99.01 A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O 99.5 A", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRXLVL 1 M 1 O 1 B", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRXCLEAR 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 MTRXCLEAR", "OK> #H0 MTRXCLEAR\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 9 L 1 O", "OK> #H0 MTRX 9 L 1 O 0\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 1 M 1 O", "OK> #H0 MTRX 1 M 1 O 0\r\n" },
};

/* ---- LABEL, LVL, LVLREPORT(EN), GATE, GREPORT ---- */

static const struct row label_meter_rows[] = {
	{ MODEL_880TA, U, "#H0 LABEL 1 M", "OK> #H0 LABEL 1 M\r\n" },
	/* labels keep their case (docs/commands.md) */
	{ MODEL_880TA, M, "#H0 LABEL 1 M Podium  Mic",
	    "OK> #H0 LABEL 1 M Podium Mic\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL 1 I", "OK> #H0 LABEL 1 I Podium Mic\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL 1 M clear", "OK> #H0 LABEL 1 M\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL 2 M ABCDEFGHIJKLMNOPQRST",
	    "OK> #H0 LABEL 2 M ABCDEFGHIJKLMNOPQRST\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL 2 M ABCDEFGHIJKLMNOPQRSTU", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LABEL 2 M X", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 LABEL 2 M",
	    "OK> #H0 LABEL 2 M ABCDEFGHIJKLMNOPQRST\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL 0 U Board Room",
	    "OK> #H0 LABEL 0 U Board Room\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL 0 u", "OK> #H0 LABEL 0 U Board Room\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL 0 U CLEAR", "OK> #H0 LABEL 0 U\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL 2 G Table",
	    "OK> #H0 LABEL 2 G Table\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL b p Lectern",
	    "OK> #H0 LABEL B P Lectern\r\n" },
	{ MODEL_880TA, M, "#H0 LABEL o e Bus Out",
	    "OK> #H0 LABEL O E Bus Out\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL N E", "OK> #H0 LABEL N E\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL A E", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LABEL 8 A", "OK> #H0 LABEL 8 A\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL 9 A", ARG_H0 },
	{ MODEL_880TA, M, "#H0 LABEL 1", ARG_H0 },
	/* meters (all 0 until the engine writes them) */
	{ MODEL_880TA, U, "#H0 LVL 1 I I", "OK> #H0 LVL 1 I I 0.00\r\n" },
	{ MODEL_880TA, U, "#H0 LVL 1 B 4", "OK> #H0 LVL 1 B G 0.00\r\n" },
	{ MODEL_880TA, U, "#H0 lvl a p n", "OK> #H0 LVL A P N 0.00\r\n" },
	{ MODEL_880TA, U, "#H0 LVL 1 I 5", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LVL 1 I X", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LVL 1 I", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LVL 1 I I 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LVL 1 G I", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LVLREPORT 1 I I",
	    "OK> #H0 LVLREPORT 1 I I 0\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORT 1 I I 1",
	    "OK> #H0 LVLREPORT 1 I I 1\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORT 1 I 2 1",
	    "OK> #H0 LVLREPORT 1 I A 1\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORT 1 I I 0",
	    "OK> #H0 LVLREPORT 1 I I 0\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORT 1 I A",
	    "OK> #H0 LVLREPORT 1 I A 1\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORT 1 I I 2", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LVLREPORTEN", "OK> #H0 LVLREPORTEN 0\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORTEN 1", "OK> #H0 LVLREPORTEN 1\r\n" },
	/* 2: off and forget the list */
	{ MODEL_880TA, U, "#H0 LVLREPORTEN 2", "OK> #H0 LVLREPORTEN 0\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORT 1 I A",
	    "OK> #H0 LVLREPORT 1 I A 0\r\n" },
	{ MODEL_880TA, U, "#H0 LVLREPORTEN 3", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GATE", "OK> #H0 GATE 00\r\n" },
	{ MODEL_880TA, U, "#H0 GATE 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GREPORT", "OK> #H0 GREPORT 0\r\n" },
	{ MODEL_880TA, U, "#H0 GREPORT 1", "OK> #H0 GREPORT 1\r\n" },
	{ MODEL_880TA, U, "#H0 GREPORT 2", ARG_H0 },
	{ MODEL_880TA, U, "#H0 GREPORT", "OK> #H0 GREPORT 1\r\n" },
};

/* ---- identity and settings ---- */

static const struct row settings_rows[] = {
	{ MODEL_880TA, U, "#H0 VER", "OK> #H0 VER 4.4.0.2\r\n" },
	{ MODEL_880TA, U, "#H0 DVER", "OK> #H0 DVER 12\r\n" },
	{ MODEL_880TA, U, "#H0 UID", "OK> #H0 UID B465F991\r\n" },
	/* XAPX00 sends two blanks before CR */
	{ MODEL_880TA, U, "#H0 UID  ", "OK> #H0 UID B465F991\r\n" },
	{ MODEL_880TA, U, "#H0 DID", "OK> #H0 DID 0\r\n" },
	{ MODEL_880TA, A, "#H0 VER 5", ARG_H0 },
	{ MODEL_880TA, A, "#H0 DID 1", ARG_H0 },
	{ MODEL_880TA, U, "#H0 ENETADDR", "OK> #H0 ENETADDR\r\n" },
	{ MODEL_880TA, A, "#H0 ENETADDR 10.0.0.5",
	    "OK> #H0 ENETADDR 10.0.0.5\r\n" },
	{ MODEL_880TA, A, "#H0 ENETADDR 10.0.0.256", ARG_H0 },
	{ MODEL_880TA, A, "#H0 ENETADDR 10.0.0", ARG_H0 },
	{ MODEL_880TA, A, "#H0 ENETADDR 10.0.0.6 x", ARG_H0 },
	{ MODEL_880TA, U, "#H0 ENETADDR", "OK> #H0 ENETADDR 10.0.0.5\r\n" },
	{ MODEL_880TA, A, "#H0 ENETSUBN 255.255.255.0",
	    "OK> #H0 ENETSUBN 255.255.255.0\r\n" },
	{ MODEL_880TA, A, "#H0 ENETSUBN 255.0.255.0", ARG_H0 },
	{ MODEL_880TA, A, "#H0 ENETGATE 10.0.0.1",
	    "OK> #H0 ENETGATE 10.0.0.1\r\n" },
	{ MODEL_880TA, U, "#H0 ENETDHCP", "OK> #H0 ENETDHCP 1\r\n" },
	{ MODEL_880TA, A, "#H0 ENETDHCP 0", "OK> #H0 ENETDHCP 0\r\n" },
	{ MODEL_880TA, A, "#H0 ENETDHCP 2", ARG_H0 },
	{ MODEL_880TA, A, "#H0 ENETDNS 10.0.0.2",
	    "OK> #H0 ENETDNS 10.0.0.2\r\n" },
	/* addresses may be emptied again, codes may not */
	{ MODEL_880TA, A, "#H0 ENETDNS clear", "OK> #H0 ENETDNS\r\n" },
	{ MODEL_880TA, A, "#H0 SNMPMNGRPORT CLEAR", ARG_H0 },
	/* free text keeps its case */
	{ MODEL_880TA, A, "#H0 ENETDOMAIN Example.com",
	    "OK> #H0 ENETDOMAIN Example.com\r\n" },
	{ MODEL_880TA, A, "#H0 ENETDOMAIN bad_name", ARG_H0 },
	{ MODEL_880TA, A, "#H0 SNMPMNGRIP 127.0.0.1",
	    "OK> #H0 SNMPMNGRIP 127.0.0.1\r\n" },
	{ MODEL_880TA, U, "#H0 SNMPMNGRPORT", "OK> #H0 SNMPMNGRPORT 162\r\n" },
	{ MODEL_880TA, A, "#H0 SNMPMNGRPORT 1162",
	    "OK> #H0 SNMPMNGRPORT 1162\r\n" },
	{ MODEL_880TA, A, "#H0 SNMPMNGRPORT 0", ARG_H0 },
	{ MODEL_880TA, A, "#H0 SNMPMNGRPORT 65536", ARG_H0 },
	{ MODEL_880TA, A, "#H0 NTPSRV 10.0.0.3",
	    "OK> #H0 NTPSRV 10.0.0.3\r\n" },
	{ MODEL_880TA, A, "#H0 NTPSRV pool.ntp.org",
	    "OK> #H0 NTPSRV pool.ntp.org\r\n" },
	{ MODEL_880TA, A, "#H0 NTPSRV 127.0.0.1:11123",
	    "OK> #H0 NTPSRV 127.0.0.1:11123\r\n" },
	{ MODEL_880TA, A, "#H0 NTPSRV 10.0.0.3:0", ARG_H0 },
	{ MODEL_880TA, A, "#H0 NTPSRV pool_ntp.org", ARG_H0 },
	{ MODEL_880TA, A, "#H0 NTPSRV CLEAR", "OK> #H0 NTPSRV\r\n" },
	/* convergd extensions: NetBIOS name and WINS server */
	{ MODEL_880TA, A, "#H0 NETBIOSNAME ROOM-101",
	    "OK> #H0 NETBIOSNAME ROOM-101\r\n" },
	{ MODEL_880TA, U, "#H0 NETBIOSNAME", "OK> #H0 NETBIOSNAME ROOM-101\r\n" },
	{ MODEL_880TA, A, "#H0 NETBIOSNAME SIXTEEN-CHARS-XX", ARG_H0 },
	{ MODEL_880TA, A, "#H0 NETBIOSNAME BAD*NAME", ARG_H0 },
	{ MODEL_880TA, M, "#H0 NETBIOSNAME LAB", DENIED_H0 },
	{ MODEL_880TA, A, "#H0 WINSSRV 10.0.0.9", "OK> #H0 WINSSRV 10.0.0.9\r\n" },
	{ MODEL_880TA, A, "#H0 WINSSRV 224.0.0.1", ARG_H0 },
	{ MODEL_880TA, A, "#H0 WINSSRV CLEAR", "OK> #H0 WINSSRV\r\n" },
	{ MODEL_880TA, U, "#H0 LOGMASK", "OK> #H0 LOGMASK FFFFFFFF\r\n" },
	{ MODEL_880TA, M, "#H0 LOGMASK 1f", "OK> #H0 LOGMASK 0000001F\r\n" },
	{ MODEL_880TA, M, "#H0 LOGMASK 123456789", ARG_H0 },
	{ MODEL_880TA, M, "#H0 LOGMASK xyz", ARG_H0 },
	{ MODEL_880TA, M, "#H0 LOCROOM Board  Room",
	    "OK> #H0 LOCROOM Board Room\r\n" },
	{ MODEL_880TA, M, "#H0 LOCBLDG HQ", "OK> #H0 LOCBLDG HQ\r\n" },
	{ MODEL_880TA, M, "#H0 LOCCITY Salt Lake City",
	    "OK> #H0 LOCCITY Salt Lake City\r\n" },
	{ MODEL_880TA, M, "#H0 LOCREGION UT", "OK> #H0 LOCREGION UT\r\n" },
	{ MODEL_880TA, M, "#H0 LOCBLDG clear", "OK> #H0 LOCBLDG\r\n" },
	{ MODEL_880TA, U, "#H0 BAUD", "OK> #H0 BAUD 57600\r\n" },
	{ MODEL_880TA, A, "#H0 BAUD 9600", "OK> #H0 BAUD 9600\r\n" },
	{ MODEL_880TA, A, "#H0 BAUD 12345", ARG_H0 },
	{ MODEL_880TA, A, "#H0 BAUD 09600", ARG_H0 },	/* one error line */
	{ MODEL_880TA, A, "#H0 BAUD 115200", "OK> #H0 BAUD 115200\r\n" },
	{ MODEL_880TA, U, "#H0 FLOW", "OK> #H0 FLOW 0\r\n" },
	{ MODEL_880TA, A, "#H0 FLOW 1", "OK> #H0 FLOW 1\r\n" },
	{ MODEL_880TA, A, "#H0 FLOW 2", "OK> #H0 FLOW 0\r\n" },
	{ MODEL_880TA, A, "#H0 FLOW 3", ARG_H0 },
	{ MODEL_880TA, A, "#H0 RESET 1", ARG_H0 },
	{ MODEL_880TA, A, "#H0 RESET", "OK> #H0 RESET\r\n" },
	{ MODEL_880TA, A, "#H0 DEFAULT now", ARG_H0 },
	{ MODEL_880TA, A, "#H0 DEFAULT", "OK> #H0 DEFAULT\r\n" },
	/* DEFAULT forgets the location but keeps the network */
	{ MODEL_880TA, U, "#H0 LOCROOM", "OK> #H0 LOCROOM\r\n" },
	{ MODEL_880TA, U, "#H0 ENETADDR", "OK> #H0 ENETADDR 10.0.0.5\r\n" },
};

/* ---- access levels ---- */

static const struct row access_rows[] = {
	/* User: audio control and every query */
	{ MODEL_880TA, U, "#H0 GAIN 1 M -10 A",
	    "OK> #H0 GAIN 1 M -10.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 M 1", "OK> #H0 MUTE 1 M 1\r\n" },
	{ MODEL_880TA, U, "#H0 MTRX 9 L 1 O 1", "OK> #H0 MTRX 9 L 1 O 1\r\n" },
	{ MODEL_880TA, U, "#H0 MIN 1 M -20", DENIED_H0 },
	/* refused: nothing changed */
	{ MODEL_880TA, U, "#H0 MIN 1 M", "OK> #H0 MIN 1 M -65.00\r\n" },
	{ MODEL_880TA, U, "#H0 MINMAX 1 M -20 0", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 PRESETSTORE 1", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 PRESET 1", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 MACRO 1", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 MACRO", "OK> #H0 MACRO 0\r\n" },
	{ MODEL_880TA, U, "#H0 MACRODEF 1 #H0 VER", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 MACRODEF 1", "OK> #H0 MACRODEF 1\r\n" },
	{ MODEL_880TA, U, "#H0 LOCROOM Lab", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 LOCROOM", "OK> #H0 LOCROOM\r\n" },
	{ MODEL_880TA, U, "#H0 LOGMASK 0", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 ENETADDR 10.0.0.9", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 RESET", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 DEFAULT", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 BAUD 9600", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 FLOW 1", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 WAITSTATE 1.00", "OK> #H0 WAITSTATE 1.00\r\n" },
	/* Manager: presets, macros, labels, location, LOGMASK */
	{ MODEL_880TA, M, "#H0 LOCROOM Lab", "OK> #H0 LOCROOM Lab\r\n" },
	{ MODEL_880TA, M, "#H0 LOGMASK 0", "OK> #H0 LOGMASK 00000000\r\n" },
	{ MODEL_880TA, M, "#H0 MINMAX 1 M -20 0",
	    "OK> #H0 MINMAX 1 M -20.00 0.00\r\n" },
	{ MODEL_880TA, M, "#H0 PRESETSTORE 2", "OK> #H0 PRESETSTORE 2\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 M 0", "OK> #H0 MUTE 1 M 0\r\n" },
	{ MODEL_880TA, M, "#H0 PRESET 2", "OK> #H0 PRESET 2\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 M", "OK> #H0 MUTE 1 M 1\r\n" },
	{ MODEL_880TA, M, "#H0 PRESET", "OK> #H0 PRESET 2\r\n" },
	/* an empty preset is acknowledged like a real unit, changes nothing */
	{ MODEL_880TA, M, "#H* preset 3", "OK> #H0 PRESET 3\r\n" },
	{ MODEL_880TA, U, "#H0 MUTE 1 M", "OK> #H0 MUTE 1 M 1\r\n" },
	{ MODEL_880TA, M, "#H0 PRESET", "OK> #H0 PRESET 3\r\n" },
	{ MODEL_880TA, M, "#H0 PRESET 33", ARG_H0 },
	{ MODEL_880TA, M, "#H0 PRESET 0", ARG_H0 },
	{ MODEL_880TA, M, "#H0 PRESETSTORE 0", ARG_H0 },
	/* ... but not the network, SNMP, NTP, serial, RESET, DEFAULT */
	{ MODEL_880TA, M, "#H0 ENETADDR 10.0.0.9", DENIED_H0 },
	{ MODEL_880TA, M, "#H0 ENETDHCP 0", DENIED_H0 },
	{ MODEL_880TA, M, "#H0 SNMPMNGRPORT 1000", DENIED_H0 },
	{ MODEL_880TA, M, "#H0 NTPSRV 10.1.1.1", DENIED_H0 },
	{ MODEL_880TA, M, "#H0 BAUD 9600", DENIED_H0 },
	{ MODEL_880TA, M, "#H0 RESET", DENIED_H0 },
	{ MODEL_880TA, M, "#H0 DEFAULT", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 ENETADDR", "OK> #H0 ENETADDR\r\n" },
	/* Administrator: everything */
	{ MODEL_880TA, A, "#H0 ENETADDR 10.0.0.9",
	    "OK> #H0 ENETADDR 10.0.0.9\r\n" },
	{ MODEL_880TA, A, "#H0 LABEL 1 O Left", "OK> #H0 LABEL 1 O Left\r\n" },
	/* a denial on a wildcard channel changes no channel */
	{ MODEL_880TA, U, "#H0 MAX * J 0", DENIED_H0 },
	{ MODEL_880TA, U, "#H0 MAX 4 J", "OK> #H0 MAX 4 J 20.00\r\n" },
};

/* ---- addressing, malformed lines, blanks ---- */

static const struct row malformed_rows[] = {
	/* not a command at all: PepperDash's heartbeat, words, bare '#' */
	{ MODEL_880TA, U, "VER", SYNTAX },
	{ MODEL_880TA, U, "hello world", SYNTAX },
	{ MODEL_880TA, U, "#", SYNTAX },
	{ MODEL_880TA, U, "#H", SYNTAX },
	{ MODEL_880TA, U, "#H0", SYNTAX },
	{ MODEL_880TA, U, "#H0VER", SYNTAX },
	{ MODEL_880TA, U, "#H00 VER", SYNTAX },
	{ MODEL_880TA, U, "# H0 VER", SYNTAX },
	{ MODEL_880TA, U, "OK> #H0 VER 4.4.0.2", SYNTAX },
	/* control characters and bytes above 0x7e */
	{ MODEL_880TA, U, "#H0 VER\x01", SYNTAX },
	{ MODEL_880TA, U, "#H0 VER\x7f", SYNTAX },
	{ MODEL_880TA, U, "#H0 \xc3\xa9", SYNTAX },
	{ MODEL_880TA, U, "#H0 VER\r", SYNTAX },
	/* blank lines get no reply at all */
	{ MODEL_880TA, U, "", "" },
	{ MODEL_880TA, U, "  \t ", "" },
	{ MODEL_880TA, U, "#H0 FOO", "OK> #H0 ERROR UNKNOWN COMMAND.\r\n" },
	{ MODEL_880TA, U, "#** startAudio",
	    "OK> #H0 ERROR UNKNOWN COMMAND.\r\n" },
	/* a specific address that is not this unit, echoed in upper case */
	{ MODEL_880TA, U, "#H1 VER", "OK> #H1 ERROR DEVICE NOT FOUND.\r\n" },
	{ MODEL_880TA, U, "#h1 ver", "OK> #H1 ERROR DEVICE NOT FOUND.\r\n" },
	{ MODEL_880TA, U, "#D0 VER", "OK> #D0 ERROR DEVICE NOT FOUND.\r\n" },
	{ MODEL_880TA, U, "#HZ VER", "OK> #HZ ERROR DEVICE NOT FOUND.\r\n" },
	{ MODEL_880TA, U, "#*1 VER", "OK> #*1 ERROR DEVICE NOT FOUND.\r\n" },
	{ MODEL_880TA, U, "#X* VER", "OK> #X* ERROR DEVICE NOT FOUND.\r\n" },
	{ MODEL_880TA, U, "#D0 FOO", "OK> #D0 ERROR DEVICE NOT FOUND.\r\n" },
	/* wildcards answer with the real type and ID */
	{ MODEL_880TA, U, "#** VER", "OK> #H0 VER 4.4.0.2\r\n" },
	{ MODEL_880TA, U, "#H* VER", "OK> #H0 VER 4.4.0.2\r\n" },
	{ MODEL_880TA, U, "#*0 VER", "OK> #H0 VER 4.4.0.2\r\n" },
	{ MODEL_880TA, U, "#h* macro", "OK> #H0 MACRO 0\r\n" },
	/* case, extra blanks and tabs */
	{ MODEL_880TA, U, "#h0 ver", "OK> #H0 VER 4.4.0.2\r\n" },
	{ MODEL_880TA, U, "   #H0    VER   ", "OK> #H0 VER 4.4.0.2\r\n" },
	{ MODEL_880TA, U, "\t#H0\tVER\t", "OK> #H0 VER 4.4.0.2\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN\t1  m\t\t-3 a  ",
	    "OK> #H0 GAIN 1 M -3.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 Gain 1 M", "OK> #H0 GAIN 1 M -3.00 A\r\n" },
};

/* ---- every model's channel limits (§4.2 as model.c reads it) ---- */

static const struct row model_rows[] = {
	/* 880: device type 1 */
	{ MODEL_880, U, "#** DID",
	    "OK> #10 DID 0\r\n" },
	{ MODEL_880, U, "#10 GAIN 1 I",
	    "OK> #10 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 12 I",
	    "OK> #10 GAIN 12 I 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 13 I",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN 1 O",
	    "OK> #10 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 12 O",
	    "OK> #10 GAIN 12 O 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 13 O",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN 1 M",
	    "OK> #10 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 8 M",
	    "OK> #10 GAIN 8 M 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 9 M",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN A P",
	    "OK> #10 GAIN A P 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN H P",
	    "OK> #10 GAIN H P 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN I P",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN 9 L",
	    "OK> #10 GAIN 9 L 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 12 L",
	    "OK> #10 GAIN 12 L 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 13 L",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN 1 F",
	    "OK> #10 GAIN 1 F 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 4 F",
	    "OK> #10 GAIN 4 F 0.00 A\r\n" },
	{ MODEL_880, U, "#10 GAIN 5 F",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN 8 L",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 LABEL 1 G",
	    "OK> #10 LABEL 1 G\r\n" },
	{ MODEL_880, U, "#10 LABEL F G",
	    "OK> #10 LABEL F G\r\n" },
	{ MODEL_880, U, "#10 LABEL G G",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 LABEL 1 B",
	    "OK> #10 LABEL 1 B\r\n" },
	{ MODEL_880, U, "#10 LABEL 4 B",
	    "OK> #10 LABEL 4 B\r\n" },
	{ MODEL_880, U, "#10 LABEL 5 B",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN 1 T",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880, U, "#10 GAIN 1 J",
	    "OK> #10 ERROR ARGUMENT ERROR.\r\n" },
	/* 880T: device type D */
	{ MODEL_880T, U, "#** DID",
	    "OK> #D0 DID 0\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 1 I",
	    "OK> #D0 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 12 I",
	    "OK> #D0 GAIN 12 I 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 13 I",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 1 O",
	    "OK> #D0 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 13 O",
	    "OK> #D0 GAIN 13 O 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 14 O",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 1 M",
	    "OK> #D0 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 8 M",
	    "OK> #D0 GAIN 8 M 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 9 M",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN A P",
	    "OK> #D0 GAIN A P 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN H P",
	    "OK> #D0 GAIN H P 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN I P",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 9 L",
	    "OK> #D0 GAIN 9 L 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 12 L",
	    "OK> #D0 GAIN 12 L 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 13 L",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 1 F",
	    "OK> #D0 GAIN 1 F 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 4 F",
	    "OK> #D0 GAIN 4 F 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 5 F",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 1 T",
	    "OK> #D0 GAIN 1 T 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 2 T",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 1 R",
	    "OK> #D0 GAIN 1 R 0.00 A\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 2 R",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 LABEL 1 G",
	    "OK> #D0 LABEL 1 G\r\n" },
	{ MODEL_880T, U, "#D0 LABEL F G",
	    "OK> #D0 LABEL F G\r\n" },
	{ MODEL_880T, U, "#D0 LABEL G G",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 LABEL 1 B",
	    "OK> #D0 LABEL 1 B\r\n" },
	{ MODEL_880T, U, "#D0 LABEL 4 B",
	    "OK> #D0 LABEL 4 B\r\n" },
	{ MODEL_880T, U, "#D0 LABEL 5 B",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880T, U, "#D0 GAIN 1 J",
	    "OK> #D0 ERROR ARGUMENT ERROR.\r\n" },
	/* 880TA: device type H */
	{ MODEL_880TA, U, "#** DID",
	    "OK> #H0 DID 0\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 I",
	    "OK> #H0 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 12 I",
	    "OK> #H0 GAIN 12 I 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 13 I",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 O",
	    "OK> #H0 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 8 O",
	    "OK> #H0 GAIN 8 O 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 9 O",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 M",
	    "OK> #H0 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 8 M",
	    "OK> #H0 GAIN 8 M 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 9 M",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 J",
	    "OK> #H0 GAIN 1 J 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 4 J",
	    "OK> #H0 GAIN 4 J 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 5 J",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN A P",
	    "OK> #H0 GAIN A P 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN H P",
	    "OK> #H0 GAIN H P 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN I P",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 9 L",
	    "OK> #H0 GAIN 9 L 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 12 L",
	    "OK> #H0 GAIN 12 L 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 13 L",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 F",
	    "OK> #H0 GAIN 1 F 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 4 F",
	    "OK> #H0 GAIN 4 F 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 5 F",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 T",
	    "OK> #H0 GAIN 1 T 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 2 T",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 1 R",
	    "OK> #H0 GAIN 1 R 0.00 A\r\n" },
	{ MODEL_880TA, U, "#H0 GAIN 2 R",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL 1 G",
	    "OK> #H0 LABEL 1 G\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL F G",
	    "OK> #H0 LABEL F G\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL G G",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL 1 B",
	    "OK> #H0 LABEL 1 B\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL 4 B",
	    "OK> #H0 LABEL 4 B\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL 5 B",
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n" },
	/* 840T: device type 3 */
	{ MODEL_840T, U, "#** DID",
	    "OK> #30 DID 0\r\n" },
	{ MODEL_840T, U, "#30 GAIN 1 I",
	    "OK> #30 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 8 I",
	    "OK> #30 GAIN 8 I 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 9 I",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 1 O",
	    "OK> #30 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 9 O",
	    "OK> #30 GAIN 9 O 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 10 O",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 1 M",
	    "OK> #30 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 4 M",
	    "OK> #30 GAIN 4 M 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 5 M",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN A P",
	    "OK> #30 GAIN A P 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN H P",
	    "OK> #30 GAIN H P 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN I P",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 5 L",
	    "OK> #30 GAIN 5 L 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 8 L",
	    "OK> #30 GAIN 8 L 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 9 L",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 1 F",
	    "OK> #30 GAIN 1 F 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 4 F",
	    "OK> #30 GAIN 4 F 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 5 F",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 1 T",
	    "OK> #30 GAIN 1 T 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 2 T",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 1 R",
	    "OK> #30 GAIN 1 R 0.00 A\r\n" },
	{ MODEL_840T, U, "#30 GAIN 2 R",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 4 L",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 LABEL 1 G",
	    "OK> #30 LABEL 1 G\r\n" },
	{ MODEL_840T, U, "#30 LABEL F G",
	    "OK> #30 LABEL F G\r\n" },
	{ MODEL_840T, U, "#30 LABEL G G",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 LABEL 1 B",
	    "OK> #30 LABEL 1 B\r\n" },
	{ MODEL_840T, U, "#30 LABEL 4 B",
	    "OK> #30 LABEL 4 B\r\n" },
	{ MODEL_840T, U, "#30 LABEL 5 B",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_840T, U, "#30 GAIN 1 J",
	    "OK> #30 ERROR ARGUMENT ERROR.\r\n" },
	/* 8I: device type A */
	{ MODEL_8I, U, "#** DID",
	    "OK> #A0 DID 0\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 1 I",
	    "OK> #A0 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 12 I",
	    "OK> #A0 GAIN 12 I 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 13 I",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 1 M",
	    "OK> #A0 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 8 M",
	    "OK> #A0 GAIN 8 M 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 9 M",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 GAIN A P",
	    "OK> #A0 GAIN A P 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN H P",
	    "OK> #A0 GAIN H P 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN I P",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 9 L",
	    "OK> #A0 GAIN 9 L 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 12 L",
	    "OK> #A0 GAIN 12 L 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 13 L",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 1 F",
	    "OK> #A0 GAIN 1 F 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 4 F",
	    "OK> #A0 GAIN 4 F 0.00 A\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 5 F",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 LABEL 1 G",
	    "OK> #A0 LABEL 1 G\r\n" },
	{ MODEL_8I, U, "#A0 LABEL F G",
	    "OK> #A0 LABEL F G\r\n" },
	{ MODEL_8I, U, "#A0 LABEL G G",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 LABEL 1 B",
	    "OK> #A0 LABEL 1 B\r\n" },
	{ MODEL_8I, U, "#A0 LABEL 4 B",
	    "OK> #A0 LABEL 4 B\r\n" },
	{ MODEL_8I, U, "#A0 LABEL 5 B",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 1 O",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_8I, U, "#A0 GAIN 1 T",
	    "OK> #A0 ERROR ARGUMENT ERROR.\r\n" },
	/* TH20: device type 2 */
	{ MODEL_TH20, U, "#** DID",
	    "OK> #20 DID 0\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 I",
	    "OK> #20 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 2 I",
	    "OK> #20 GAIN 2 I 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 3 I",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 O",
	    "OK> #20 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 2 O",
	    "OK> #20 GAIN 2 O 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 3 O",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 L",
	    "OK> #20 GAIN 1 L 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 2 L",
	    "OK> #20 GAIN 2 L 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 3 L",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 T",
	    "OK> #20 GAIN 1 T 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 2 T",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 R",
	    "OK> #20 GAIN 1 R 0.00 A\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 2 R",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 M",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 P",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_TH20, U, "#20 GAIN 1 F",
	    "OK> #20 ERROR ARGUMENT ERROR.\r\n" },
	/* VH20: device type E */
	{ MODEL_VH20, U, "#** DID",
	    "OK> #E0 DID 0\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 I",
	    "OK> #E0 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 2 I",
	    "OK> #E0 GAIN 2 I 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 3 I",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 O",
	    "OK> #E0 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 2 O",
	    "OK> #E0 GAIN 2 O 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 3 O",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 L",
	    "OK> #E0 GAIN 1 L 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 2 L",
	    "OK> #E0 GAIN 2 L 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 3 L",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 T",
	    "OK> #E0 GAIN 1 T 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 2 T",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 R",
	    "OK> #E0 GAIN 1 R 0.00 A\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 2 R",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 M",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 P",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_VH20, U, "#E0 GAIN 1 F",
	    "OK> #E0 ERROR ARGUMENT ERROR.\r\n" },
	/* SR1212: device type G */
	{ MODEL_SR1212, U, "#** DID",
	    "OK> #G0 DID 0\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 1 I",
	    "OK> #G0 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 12 I",
	    "OK> #G0 GAIN 12 I 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 13 I",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 1 O",
	    "OK> #G0 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 12 O",
	    "OK> #G0 GAIN 12 O 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 13 O",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 1 M",
	    "OK> #G0 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 8 M",
	    "OK> #G0 GAIN 8 M 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 9 M",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN A P",
	    "OK> #G0 GAIN A P 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN H P",
	    "OK> #G0 GAIN H P 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN I P",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 9 L",
	    "OK> #G0 GAIN 9 L 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 12 L",
	    "OK> #G0 GAIN 12 L 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 13 L",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 1 F",
	    "OK> #G0 GAIN 1 F 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 4 F",
	    "OK> #G0 GAIN 4 F 0.00 A\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 5 F",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 LABEL 1 G",
	    "OK> #G0 LABEL 1 G\r\n" },
	{ MODEL_SR1212, U, "#G0 LABEL F G",
	    "OK> #G0 LABEL F G\r\n" },
	{ MODEL_SR1212, U, "#G0 LABEL G G",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 LABEL 1 B",
	    "OK> #G0 LABEL 1 B\r\n" },
	{ MODEL_SR1212, U, "#G0 LABEL 4 B",
	    "OK> #G0 LABEL 4 B\r\n" },
	{ MODEL_SR1212, U, "#G0 LABEL 5 B",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 1 J",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212, U, "#G0 GAIN 1 T",
	    "OK> #G0 ERROR ARGUMENT ERROR.\r\n" },
	/* SR1212A: device type I */
	{ MODEL_SR1212A, U, "#** DID",
	    "OK> #I0 DID 0\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 1 I",
	    "OK> #I0 GAIN 1 I 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 12 I",
	    "OK> #I0 GAIN 12 I 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 13 I",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 1 O",
	    "OK> #I0 GAIN 1 O 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 12 O",
	    "OK> #I0 GAIN 12 O 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 13 O",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 1 M",
	    "OK> #I0 GAIN 1 M 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 8 M",
	    "OK> #I0 GAIN 8 M 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 9 M",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 1 J",
	    "OK> #I0 GAIN 1 J 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 4 J",
	    "OK> #I0 GAIN 4 J 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 5 J",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN A P",
	    "OK> #I0 GAIN A P 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN H P",
	    "OK> #I0 GAIN H P 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN I P",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 9 L",
	    "OK> #I0 GAIN 9 L 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 12 L",
	    "OK> #I0 GAIN 12 L 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 13 L",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 1 F",
	    "OK> #I0 GAIN 1 F 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 4 F",
	    "OK> #I0 GAIN 4 F 0.00 A\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 5 F",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 LABEL 1 G",
	    "OK> #I0 LABEL 1 G\r\n" },
	{ MODEL_SR1212A, U, "#I0 LABEL F G",
	    "OK> #I0 LABEL F G\r\n" },
	{ MODEL_SR1212A, U, "#I0 LABEL G G",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 LABEL 1 B",
	    "OK> #I0 LABEL 1 B\r\n" },
	{ MODEL_SR1212A, U, "#I0 LABEL 4 B",
	    "OK> #I0 LABEL 4 B\r\n" },
	{ MODEL_SR1212A, U, "#I0 LABEL 5 B",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	{ MODEL_SR1212A, U, "#I0 GAIN 1 T",
	    "OK> #I0 ERROR ARGUMENT ERROR.\r\n" },
	/* expansion bus and references exist on every model */
	{ MODEL_880TA, U, "#H0 LABEL O E", "OK> #H0 LABEL O E\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL Z E", "OK> #H0 LABEL Z E\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL I E", "OK> #H0 LABEL I E\r\n" },
	{ MODEL_880TA, U, "#H0 LABEL H E", ARG_H0 },
	{ MODEL_880TA, U, "#H0 LABEL 1 A", "OK> #H0 LABEL 1 A\r\n" },
};

START_TEST(gain_forms)
{
	RUN_ROWS(gain_rows);
}
END_TEST

START_TEST(gain_relative_move_respects_min_max)
{
	RUN_ROWS(limit_rows);
}
END_TEST

START_TEST(mute_forms)
{
	RUN_ROWS(mute_rows);
}
END_TEST

START_TEST(matrix_rules)
{
	RUN_ROWS(matrix_rows);
}
END_TEST

START_TEST(label_and_meter_commands)
{
	RUN_ROWS(label_meter_rows);
}
END_TEST

START_TEST(settings_commands)
{
	RUN_ROWS(settings_rows);
}
END_TEST

START_TEST(access_levels)
{
	RUN_ROWS(access_rows);
}
END_TEST

START_TEST(malformed_input)
{
	RUN_ROWS(malformed_rows);
}
END_TEST

START_TEST(model_channel_limits)
{
	RUN_ROWS(model_rows);
}
END_TEST

/* ---- input bounds that a C string table cannot hold ---- */

START_TEST(line_length_limit)
{
	struct cmd_session s;
	char line[CMD_LINE_MAX + 2];
	size_t n;

	session(&s, M);
	/* exactly CMD_LINE_MAX bytes is still a line */
	memset(line, ' ', sizeof(line));
	memcpy(line, "#H0 VER", 7);
	line[CMD_LINE_MAX] = '\0';
	ck_assert_str_eq(run(&s, line), "OK> #H0 VER 4.4.0.2\r\n");
	/* one more is an argument error, with the unit's address ... */
	line[CMD_LINE_MAX] = 'x';
	line[CMD_LINE_MAX + 1] = '\0';
	ck_assert_str_eq(run(&s, line), ARG_H0);
	/* ... or without one if the line does not address this unit */
	memcpy(line, "#H5", 3);
	ck_assert_str_eq(run(&s, line), "OK> ERROR ARGUMENT ERROR.\r\n");
	memset(line, 'z', sizeof(line) - 1);
	ck_assert_str_eq(run(&s, line), "OK> ERROR ARGUMENT ERROR.\r\n");
	/* a line of exactly CMD_LINE_MAX with a 498-character label */
	n = (size_t)snprintf(line, sizeof(line), "#H0 LABEL 1 M ");
	memset(line + n, 'q', CMD_LINE_MAX - n);
	line[CMD_LINE_MAX] = '\0';
	ck_assert_str_eq(run(&s, line), ARG_H0);
}
END_TEST

/* A transport that kept only the head of a long line answers by it. */
START_TEST(dropped_long_line_answers_by_its_head)
{
	struct cmd_reply r;

	cmd_reply_too_long("#H0 LOCROOM xxxxxxxx", 20, &r);
	ck_assert_str_eq(r.text, ARG_H0);
	ck_assert_uint_eq(r.len, strlen(ARG_H0));
	ck_assert(r.error);
	cmd_reply_too_long("\t #** VER yyyy", 15, &r);
	ck_assert_str_eq(r.text, ARG_H0);
	cmd_reply_too_long("#H5 VER yyyy", 12, &r);
	ck_assert_str_eq(r.text, "OK> ERROR ARGUMENT ERROR.\r\n");
	cmd_reply_too_long("zzzzzzzzzzzz", 12, &r);
	ck_assert_str_eq(r.text, "OK> ERROR ARGUMENT ERROR.\r\n");
	cmd_reply_too_long(NULL, 12, &r);
	ck_assert_str_eq(r.text, "OK> ERROR ARGUMENT ERROR.\r\n");
}
END_TEST

START_TEST(nul_byte_is_syntax_error)
{
	static const char line[] = "#H0 VER\0 1";
	struct cmd_session s;
	struct cmd_reply r;

	session(&s, U);
	cmd_execute(&s, line, sizeof(line) - 1, &r);
	ck_assert_str_eq(r.text, SYNTAX);
	ck_assert(r.error);
	/* NULL with a length is treated as an empty line */
	cmd_execute(&s, NULL, 5, &r);
	ck_assert_uint_eq(r.len, 0);
}
END_TEST

/* Random lines from the command alphabet: a reply always, never a crash. */
START_TEST(random_lines_always_answered)
{
	static const char *const words[] = { "#H0", "#**", "#h*", "GAIN",
		"MUTE", "MTRX", "MTRXLVL", "LABEL", "LVL", "LVLREPORT",
		"MACRODEF", "MACRO", "PRESET", "*", "1", "9", "A", "M", "O",
		"P", "I", "J", "-99.9", "99.9", "2", "R", "|", "#H0 VER|",
		"1e3", "-", ".", "CLEAR", "\t", "ENETADDR", "WAITSTATE" };
	struct cmd_session s;
	struct cmd_reply r;
	char line[CMD_LINE_MAX + 64] = "";
	unsigned seed = 20261125u;
	size_t n, used;
	int i, k;

	printf("random_lines_always_answered: seed %u\n", seed);
	srand(seed);
	session(&s, A);
	for (i = 0; i < 3000; i++) {
		used = 0;
		line[0] = '\0';
		n = (size_t)(rand() % 12);
		for (k = 0; k < (int)n; k++) {
			const char *w = words[rand() %
			    (int)(sizeof(words) / sizeof(words[0]))];
			used += (size_t)snprintf(line + used,
			    sizeof(line) - used, "%s ", w);
		}
		cmd_execute(&s, line, used, &r);
		ck_assert_uint_eq(r.len, strlen(r.text));
		ck_assert_msg(strspn(line, " \t") == used || r.len > 0,
		    "no reply to \"%.*s\"", (int)used, line);
		if (r.len > 0)
			ck_assert(memcmp(r.text, "OK> ", 4) == 0 &&
			    memcmp(r.text + r.len - 2, "\r\n", 2) == 0);
	}
}
END_TEST

/* ---- cmd_format_change ---- */

static struct bus_change
change(int what, char group, int channel)
{
	struct bus_change c;

	memset(&c, 0, sizeof(c));
	c.what = what;
	c.group = group;
	c.channel = channel;
	return c;
}

static const char *
fmt(const struct bus_change *c)
{
	static char buf[256];
	size_t n = cmd_format_change(c, buf, sizeof(buf));

	ck_assert_uint_eq(n, strlen(buf));
	return buf;
}

START_TEST(format_change_audio_lines)
{
	struct bus_change c;

	c = change(STATE_F_GAIN, 'M', 0);
	c.number = -10.0;
	ck_assert_str_eq(fmt(&c), "#H0 GAIN 1 M -10.00 A");
	c = change(STATE_F_GAIN, 'P', 3);
	c.number = -0.001;
	ck_assert_str_eq(fmt(&c), "#H0 GAIN D P 0.00 A");
	c = change(STATE_F_MUTE, 'M', 1);
	c.integer = 1;
	ck_assert_str_eq(fmt(&c), "#H0 MUTE 2 M 1");
	c = change(STATE_F_MINMAX, 'O', 7);
	c.number = -30;
	c.number2 = 6.5;
	ck_assert_str_eq(fmt(&c), "#H0 MINMAX 8 O -30.00 6.50");
	c = change(STATE_F_RAMP, 'J', 3);
	c.number = -15;
	c.number2 = -65;
	ck_assert_str_eq(fmt(&c), "#H0 RAMP 4 J -15.00 -65.00");
	c = change(STATE_F_LABEL, 'L', 0);
	snprintf(c.text, sizeof(c.text), "Lectern");
	ck_assert_str_eq(fmt(&c), "#H0 LABEL 9 L Lectern");
	c = change(STATE_F_LABEL, 'G', 5);
	ck_assert_str_eq(fmt(&c), "#H0 LABEL B G");
	c = change(STATE_F_MTRX, 'M', 0);
	c.dst_group = 'P';
	c.dst_channel = 0;
	c.integer = 3;
	ck_assert_str_eq(fmt(&c), "#H0 MTRX 1 M A P 3");
	c.dst_group = 'O';
	ck_assert_str_eq(fmt(&c), "#H0 MTRX 1 M 1 O 3");
	c = change(STATE_F_MTRXLVL, 'E', 12);
	c.dst_group = 'E';
	c.dst_channel = 0;
	c.number = -6;
	ck_assert_str_eq(fmt(&c), "#H0 MTRXLVL I E O E -6.00 A");
	c = change(STATE_F_MTRXCLEAR, 0, 0);
	ck_assert_str_eq(fmt(&c), "#H0 MTRXCLEAR");
}
END_TEST

START_TEST(format_change_unit_lines)
{
	struct bus_change c;

	c = change(STATE_F_PRESET, 0, 0);
	c.integer = 3;
	ck_assert_str_eq(fmt(&c), "#H0 PRESET 3");
	c.what = STATE_F_PRESET_STORED;
	ck_assert_str_eq(fmt(&c), "#H0 PRESETSTORE 3");
	c.what = STATE_F_MACRO;
	c.integer = 5;
	ck_assert_str_eq(fmt(&c), "#H0 MACRO 5");
	c.what = STATE_F_MACRO_DEFINED;
	ck_assert_str_eq(fmt(&c), "#H0 MACRODEF 5");
	c.what = STATE_F_SAFETY_MUTE;
	c.integer = 1;
	ck_assert_str_eq(fmt(&c), "#H0 SFTYMUTE 1");
	c = change(STATE_F_SETTING, 0, 0);
	c.integer = SET_NET_ADDR;
	snprintf(c.text, sizeof(c.text), "10.0.0.5");
	ck_assert_str_eq(fmt(&c), "#H0 ENETADDR 10.0.0.5");
	c.integer = SET_LOC_ROOM;
	snprintf(c.text, sizeof(c.text), "BOARD");
	ck_assert_str_eq(fmt(&c), "#H0 LOCROOM BOARD");
	c.integer = SET_LOGMASK;
	snprintf(c.text, sizeof(c.text), "0000001f");
	ck_assert_str_eq(fmt(&c), "#H0 LOGMASK 0000001F");
	c.integer = SET_NET_DHCP_ON;
	snprintf(c.text, sizeof(c.text), "0");
	ck_assert_str_eq(fmt(&c), "#H0 ENETDHCP 0");
	c.integer = SET_UNIT_LABEL;
	snprintf(c.text, sizeof(c.text), "Lobby");
	ck_assert_str_eq(fmt(&c), "#H0 LABEL 0 U Lobby");
	c.integer = SET_LOC_CITY;
	c.text[0] = '\0';
	ck_assert_str_eq(fmt(&c), "#H0 LOCCITY");
}
END_TEST

/* A DEFAULT made elsewhere reaches other sessions as its reply would. */
START_TEST(format_change_default_is_reported)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 8);
	struct bus_change c;
	struct bus_msg msg;

	c = change(STATE_F_RELOADED, 0, 0);
	c.integer = 1;
	ck_assert_str_eq(fmt(&c), "#H0 DEFAULT");
	/* state_reset_defaults publishes its change so marked */
	ck_assert_ptr_nonnull(sub);
	ck_assert_int_eq(state_reset_defaults(&c.origin), 0);
	ck_assert_int_eq(bus_take(sub, &msg), 1);
	ck_assert_int_eq(msg.u.change.what, STATE_F_RELOADED);
	ck_assert_str_eq(fmt(&msg.u.change), "#H0 DEFAULT");
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(format_change_without_a_line)
{
	struct bus_change c;
	char small[8];

	/* secrets, settings without a command, users, reloads, junk */
	c = change(STATE_F_SETTING, 0, 0);
	c.integer = SET_MAIL_PASSWORD;
	ck_assert_str_eq(fmt(&c), "");
	c.integer = SET_MAIL_SERVER;
	ck_assert_str_eq(fmt(&c), "");
	c.integer = SET_COUNT;
	ck_assert_str_eq(fmt(&c), "");
	c.integer = -1;
	ck_assert_str_eq(fmt(&c), "");
	c = change(STATE_F_USER, 0, 0);
	ck_assert_str_eq(fmt(&c), "");
	c = change(STATE_F_RELOADED, 0, 0);	/* a restore */
	ck_assert_str_eq(fmt(&c), "");
	c = change(999, 0, 0);
	ck_assert_str_eq(fmt(&c), "");
	c = change(-1, 0, 0);
	ck_assert_str_eq(fmt(&c), "");
	/* a channel the model does not have */
	c = change(STATE_F_GAIN, 'M', 8);
	ck_assert_str_eq(fmt(&c), "");
	c = change(STATE_F_GAIN, 'K', 0);
	ck_assert_str_eq(fmt(&c), "");
	/* too small a buffer: nothing rather than half a line */
	c = change(STATE_F_GAIN, 'M', 0);
	ck_assert_uint_eq(cmd_format_change(&c, small, sizeof(small)), 0);
	ck_assert_str_eq(small, "");
	ck_assert_uint_eq(cmd_format_change(&c, small, 0), 0);
}
END_TEST

/* The change a command publishes formats as its reply minus "OK> ". */
START_TEST(format_change_matches_reply)
{
	static const char *const lines[] = {
		"#H0 GAIN 3 m -12.5 a", "#H0 MUTE c p 1", "#H0 MTRX 9 l b p 1",
		"#H0 MTRXLVL 1 M 2 O -4 A", "#H0 LABEL 1 O Front Left",
		"#H0 MINMAX 1 O -40 10", "#H0 ENETGATE 10.0.0.1",
		"#H0 LOCREGION West", "#H0 LABEL 0 U Lobby", "#H0 SFTYMUTE 1",
		"#H0 PRESETSTORE 4", "#H0 MTRXCLEAR", "#H0 LOGMASK abc",
	};
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 8);
	struct cmd_session s;
	struct bus_msg msg;
	char want[256], got[256];
	const char *reply;
	size_t i;

	session(&s, A);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		reply = run(&s, lines[i]);
		ck_assert_msg(strncmp(reply, "OK> ", 4) == 0, "%s", reply);
		snprintf(want, sizeof(want), "%.*s", (int)strlen(reply) - 6,
		    reply + 4);
		ck_assert_int_eq(bus_take(sub, &msg), 1);
		ck_assert_uint_gt(cmd_format_change(&msg.u.change, got,
		    sizeof(got)), 0);
		ck_assert_str_eq(got, want);
		/* stamped with the session's origin */
		ck_assert_str_eq(msg.u.change.origin.service, "console");
		ck_assert_uint_eq(msg.u.change.origin.session, 7);
	}
	bus_unsubscribe(sub);
}
END_TEST

/* ---- cmd_format_reports ---- */

START_TEST(format_reports_level_and_gate_lines)
{
	struct bus_meters m = { .tick = 1, .gate_bits = 0x0f,
		.gate_changed = true };
	struct cmd_session s;
	char buf[512];

	session(&s, U);
	run(&s, "#H0 LVLREPORT 1 I I 1");
	run(&s, "#H0 LVLREPORT C P G 1");
	ck_assert_int_eq(state_meter_put('I', 0, 0, -23.5), 0);
	ck_assert_int_eq(state_meter_put('P', 2, 3, -40.25), 0);
	/* listed but not enabled: nothing */
	ck_assert_uint_eq(cmd_format_reports(&s, &m, true, buf, sizeof(buf)), 0);
	run(&s, "#H0 LVLREPORTEN 1");
	ck_assert_uint_eq(cmd_format_reports(&s, &m, true, buf, sizeof(buf)),
	    strlen(buf));
	ck_assert_str_eq(buf, "#H0 LVL 1 I I -23.50\r\n"
	    "#H0 LVL C P G -40.25\r\n");
	run(&s, "#H0 GREPORT 1");
	cmd_format_reports(&s, &m, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "#H0 LVL 1 I I -23.50\r\n"
	    "#H0 LVL C P G -40.25\r\n#H0 GATE 0F\r\n");
	/* a tick between two level reports: the gate change only */
	cmd_format_reports(&s, &m, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, "#H0 GATE 0F\r\n");
	/* the gate line only when the gates changed */
	m.gate_changed = false;
	cmd_format_reports(&s, &m, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "#H0 LVL 1 I I -23.50\r\n"
	    "#H0 LVL C P G -40.25\r\n");
	run(&s, "#H0 LVLREPORTEN 0");
	m.gate_changed = true;
	m.gate_bits = 0xa5;
	cmd_format_reports(&s, &m, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "#H0 GATE A5\r\n");
}
END_TEST

START_TEST(format_reports_whole_lines_only)
{
	struct bus_meters m = { .gate_bits = 1, .gate_changed = true };
	struct cmd_session s;
	char buf[30];

	session(&s, U);
	run(&s, "#H0 LVLREPORT * M I 1");
	run(&s, "#H0 LVLREPORTEN 1");
	run(&s, "#H0 GREPORT 1");
	/* 20 bytes a line: one fits in 30, the second would not */
	ck_assert_uint_eq(cmd_format_reports(&s, &m, true, buf, sizeof(buf)),
	    20);
	ck_assert_str_eq(buf, "#H0 LVL 1 M I 0.00\r\n");
	ck_assert_uint_eq(cmd_format_reports(&s, &m, true, buf, 5), 0);
	ck_assert_uint_eq(cmd_format_reports(&s, &m, true, buf, 0), 0);
}
END_TEST

START_TEST(lvlreport_list_is_bounded)
{
	struct cmd_session s;
	const char *r;

	session(&s, U);
	/* 12 inputs x 3 meters = 36 > CMD_REPORTS_MAX (32) */
	run(&s, "#H0 LVLREPORT * I I 1");
	run(&s, "#H0 LVLREPORT * I A 1");
	ck_assert_uint_eq(s.nreports, 24);
	r = run(&s, "#H0 LVLREPORT * I N 1");
	ck_assert_uint_eq(s.nreports, CMD_REPORTS_MAX);
	ck_assert(strstr(r, "OK> #H0 LVLREPORT 8 I N 1\r\n"
	    "OK> #H0 ERROR ARGUMENT ERROR.\r\n") != NULL);
}
END_TEST

/* ---- macros ---- */

START_TEST(macrodef_refuses_non_commands)
{
	struct cmd_session s;

	session(&s, M);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 5 VER"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 5 #H0 VER||#H0 VER"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 5 #H0 VER|"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 5 #H0"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 0 #H0 VER"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 256 #H0 VER"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF x #H0 VER"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF"), ARG_H0);
	/* none of it defined anything */
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 5"), "OK> #H0 MACRODEF 5\r\n");
	ck_assert_str_eq(run(&s, "#H0 MACRO 256"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRO 0"), ARG_H0);
}
END_TEST

START_TEST(waitstate_range)
{
	struct cmd_session s;

	session(&s, U);
	ck_assert_str_eq(run(&s, "#H0 WAITSTATE 0.50"),
	    "OK> #H0 WAITSTATE 0.50\r\n");
	ck_assert_str_eq(run(&s, "#H0 WAITSTATE 5"),
	    "OK> #H0 WAITSTATE 5.00\r\n");
	ck_assert_str_eq(run(&s, "#H0 WAITSTATE 0.49"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 WAITSTATE 5.01"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 WAITSTATE"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 WAITSTATE 1 2"), ARG_H0);
}
END_TEST

START_TEST(macro_cannot_hold_lines_above_the_definers_level)
{
	struct cmd_session s;

	session(&s, M);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 4 #H0 MUTE 1 M 1|"
	    "#H0 ENETDHCP 0"), DENIED_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 4"), "OK> #H0 MACRODEF 4\r\n");
	/* queries and the Manager's own commands are fine */
	ck_assert_str_eq(run(&s, "#H0 MACRODEF 4 #H0 ENETDHCP|#H0 MUTE 1 M 1"),
	    "OK> #H0 MACRODEF 4 #H0 ENETDHCP|#H0 MUTE 1 M 1\r\n");
}
END_TEST

/* Core alone schedules nothing: RAMP and MACRO are refused, not lost. */
START_TEST(ramp_and_macro_without_a_scheduler)
{
	struct cmd_session s;

	session(&s, M);
	run(&s, "#H0 MACRODEF 5 #H0 MUTE 1 M 1");
	ck_assert_str_eq(run(&s, "#H0 MACRO 5"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 MACRO"), "OK> #H0 MACRO 0\r\n");
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O 10"), ARG_H0);
	ck_assert_str_eq(run(&s, "#H0 RAMP 1 O"),
	    "OK> #H0 RAMP 1 O 0.00 0.00\r\n");
	/* a WAITSTATE typed at a console is accepted and does nothing */
	ck_assert_str_eq(run(&s, "#H0 WAITSTATE 1"),
	    "OK> #H0 WAITSTATE 1.00\r\n");
}
END_TEST

/* A lease as the address service publishes it. */
static void
put_lease(void)
{
	struct state_lease l = { .bound = true, .server = "10.77.0.1",
	    .address = "10.77.0.120", .mask = "255.255.255.0",
	    .router = "10.77.0.2", .routers = { "10.77.0.1", "10.77.0.2" },
	    .dns = { "10.77.0.53", "10.77.0.54" }, .domain = "Ex.test",
	    .obtained = 1800000000, .t1 = 1800000050, .t2 = 1800000087,
	    .expires = 1800000100 };

	state_lease_put(&l);
}

START_TEST(enet_queries_answer_the_lease)
{
	struct cmd_session s;

	session(&s, A);
	ck_assert_str_eq(run(&s, "#H0 ENETADDR 10.0.0.5"),
	    "OK> #H0 ENETADDR 10.0.0.5\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETLEASE"),
	    "OK> #H0 ENETLEASE NONE\r\n");
	put_lease();
	ck_assert_str_eq(run(&s, "#H0 ENETADDR"),
	    "OK> #H0 ENETADDR 10.77.0.120\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETSUBN"),
	    "OK> #H0 ENETSUBN 255.255.255.0\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETGATE"),
	    "OK> #H0 ENETGATE 10.77.0.2\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETDNS"),
	    "OK> #H0 ENETDNS 10.77.0.53\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETDOMAIN"),
	    "OK> #H0 ENETDOMAIN Ex.test\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETLEASE"), "OK> #H0 ENETLEASE "
	    "10.77.0.120 255.255.255.0 SERVER 10.77.0.1 GATEWAY 10.77.0.2 "
	    "ROUTERS 10.77.0.1,10.77.0.2 DNS 10.77.0.53,10.77.0.54 DOMAIN "
	    "Ex.test OBTAINED 2027-01-15T08:00:00Z T1 2027-01-15T08:00:50Z "
	    "T2 2027-01-15T08:01:27Z EXPIRES 2027-01-15T08:01:40Z\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETLEASE 1"), ARG_H0);
	/* a set changes the static setting and says so */
	ck_assert_str_eq(run(&s, "#H0 ENETADDR 10.0.0.6"),
	    "OK> #H0 ENETADDR 10.0.0.6\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETADDR"),
	    "OK> #H0 ENETADDR 10.77.0.120\r\n");
	/* static mode: the settings, not a lease */
	ck_assert_str_eq(run(&s, "#H0 ENETDHCP 0"), "OK> #H0 ENETDHCP 0\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETADDR"),
	    "OK> #H0 ENETADDR 10.0.0.6\r\n");
	ck_assert_str_eq(run(&s, "#H0 ENETLEASE"),
	    "OK> #H0 ENETLEASE NONE\r\n");
}
END_TEST

START_TEST(error_texts)
{
	ck_assert_str_eq(cmd_error_text(CMD_ERR_ARGUMENT), "ARGUMENT ERROR");
	ck_assert_str_eq(cmd_error_text(CMD_ERR_UNKNOWN), "UNKNOWN COMMAND");
	ck_assert_str_eq(cmd_error_text(CMD_ERR_ACCESS), "ACCESS DENIED");
	ck_assert_str_eq(cmd_error_text(CMD_ERR_DEVICE), "DEVICE NOT FOUND");
	ck_assert_str_eq(cmd_error_text(CMD_ERR_SYNTAX), "SYNTAX ERROR");
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(gain_forms),
		CHECK_CASE(gain_relative_move_respects_min_max),
		CHECK_CASE(mute_forms),
		CHECK_CASE(matrix_rules),
		CHECK_CASE(label_and_meter_commands),
		CHECK_CASE(settings_commands),
		CHECK_CASE(access_levels),
		CHECK_CASE(malformed_input),
		CHECK_CASE(model_channel_limits),
		CHECK_CASE(line_length_limit),
		CHECK_CASE(dropped_long_line_answers_by_its_head),
		CHECK_CASE(nul_byte_is_syntax_error),
		CHECK_CASE(random_lines_always_answered),
		CHECK_CASE(format_change_audio_lines),
		CHECK_CASE(format_change_unit_lines),
		CHECK_CASE(format_change_default_is_reported),
		CHECK_CASE(format_change_without_a_line),
		CHECK_CASE(format_change_matches_reply),
		CHECK_CASE(format_reports_level_and_gate_lines),
		CHECK_CASE(format_reports_whole_lines_only),
		CHECK_CASE(lvlreport_list_is_bounded),
		CHECK_CASE(macrodef_refuses_non_commands),
		CHECK_CASE(waitstate_range),
		CHECK_CASE(macro_cannot_hold_lines_above_the_definers_level),
		CHECK_CASE(ramp_and_macro_without_a_scheduler),
		CHECK_CASE(enet_queries_answer_the_lease),
		CHECK_CASE(error_texts),
	};

	return check_cases_run("cmd", cases, sizeof cases / sizeof *cases,
	    setup, teardown);
}
