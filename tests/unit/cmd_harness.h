/* SPDX-License-Identifier: MIT */
/*
 * A console session for suites that drive the command interpreter
 * (test_cmd.c, test_engine_sched.c): session 7 of user "tester"; and a
 * channel's gain as the state holds it.
 */
#ifndef CONVERGD_CMD_HARNESS_H
#define CONVERGD_CMD_HARNESS_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "cmd.h"
#include "state.h"

#define ARG_H0 "OK> #H0 ERROR ARGUMENT ERROR.\r\n"
#define DENIED_H0 "OK> #H0 ERROR ACCESS DENIED.\r\n"

static inline void
session(struct cmd_session *s, enum user_level level)
{
	struct origin o;

	memset(&o, 0, sizeof(o));
	bus_origin_set(&o, "console", 7);
	snprintf(o.user, sizeof(o.user), "tester");
	snprintf(o.from, sizeof(o.from), "console 127.0.0.1:40022");
	cmd_session_init(s, level, &o);
}

/* Run a line; the reply text (valid until the next run). */
static inline const char *
run(struct cmd_session *s, const char *line)
{
	static struct cmd_reply reply;

	cmd_execute(s, line, strlen(line), &reply);
	ck_assert_uint_eq(reply.len, strlen(reply.text));
	return reply.text;
}

static inline double
gain_of(char group, int ch)
{
	double g = NAN;

	ck_assert_int_eq(state_gain_get(group, ch, &g), 0);
	return g;
}

#endif
