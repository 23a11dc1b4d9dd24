/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the command interpreter: the input is split into
 * lines (as the console would after stripping CR/LF) and each runs through
 * cmd_execute; the changes they publish are formatted back into report
 * lines and the engine's scheduler runs queued macro lines and ramps,
 * so every formatter is exercised.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_state.h"
#include "cmd.h"
#include "engine/engine_sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bus_sub *fuzz_cmd_sub;
static uint64_t fuzz_cmd_now;
static struct engine_sched *fuzz_cmd_sched;

static void
fuzz_cmd_init(void)
{
	fuzz_state_init();
	fuzz_cmd_sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 64);
	fuzz_cmd_sched = engine_sched_new();
	if (fuzz_cmd_sched == NULL)
		__builtin_trap();
}

/* Format every change the last lines published. */
static void
fuzz_cmd_drain(void)
{
	struct bus_msg msg;
	char line[512];

	while (bus_take(fuzz_cmd_sub, &msg) == 1)
		(void)cmd_format_change(&msg.u.change, line, sizeof(line));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmd_session s;
	static struct cmd_reply reply;
	struct bus_meters m = { .gate_bits = 0x5a, .gate_changed = true };
	char reports[1024];
	const char *p = (const char *)data, *end = p + size, *nl;
	struct origin o = { .service = "console", .session = 1 };

	if (fuzz_cmd_sub == NULL)
		fuzz_cmd_init();
	/* The first byte picks the level, so the denials are covered too. */
	cmd_session_init(&s, size > 0 ? (enum user_level)(data[0] % 3) :
	    LEVEL_ADMIN, &o);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		cmd_execute(&s, p, (size_t)(nl - p), &reply);
		if (reply.len >= sizeof(reply.text) ||
		    strlen(reply.text) != reply.len)
			__builtin_trap();
		fuzz_cmd_now += 250;
		engine_sched_tick(fuzz_cmd_sched, fuzz_cmd_now, "engine");
		fuzz_cmd_drain();
		(void)cmd_format_reports(&s, &m, true, reports, sizeof(reports));
		p = nl + 1;
	}
	return 0;
}
