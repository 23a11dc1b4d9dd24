/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the state file loader (core/state_file.c,
 * persist.c, state_json.c): the input is written as the state file and
 * loaded as at start. A file is refused or accepted; an accepted state,
 * saved as the daemon saves it and loaded again, must be accepted and
 * serialise to the same document but for its seq (a file the daemon
 * writes must never lock it out at the next start).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz_state.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_state_dir[64], fuzz_state_path[96];

static void
fuzz_state_cleanup(void)
{
	char bak[128];

	snprintf(bak, sizeof(bak), "%s.bak", fuzz_state_path);
	(void)unlink(bak);
	(void)unlink(fuzz_state_path);
	(void)rmdir(fuzz_state_dir);
}

static void
fuzz_state_open(void)
{
	const char *tmp = getenv("TMPDIR");

	fuzz_state_init();
	log_set_level(LOG_LEVEL_ERR);	/* the loader's warnings are expected */
	snprintf(fuzz_state_dir, sizeof(fuzz_state_dir), "%.40s/fuzzstXXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(fuzz_state_dir) == NULL)
		__builtin_trap();
	snprintf(fuzz_state_path, sizeof(fuzz_state_path), "%s/state.json",
	    fuzz_state_dir);
	if (state_file_open(fuzz_state_path) != 0)
		__builtin_trap();
	atexit(fuzz_state_cleanup);
}

static void
fuzz_state_put(const void *text, size_t len)
{
	FILE *fp = fopen(fuzz_state_path, "we");

	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		__builtin_trap();
}

/* The loaded state saved and loaded again gives the same document. */
static void
fuzz_state_roundtrip(void)
{
	json_t *saved = state_to_json(), *again;
	char why[1024], *text;

	if (saved == NULL)
		abort();
	text = json_dumps(saved, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	if (text == NULL)
		abort();
	fuzz_state_put(text, strlen(text));
	free(text);
	if (state_file_load(why, sizeof(why)) != 0) {
		fprintf(stderr, "saved state refused: %s\n", why);
		abort();
	}
	again = state_to_json();
	/* loading is itself a change: seq moves on */
	if (again != NULL) {
		json_object_del(saved, "seq");
		json_object_del(again, "seq");
	}
	if (again == NULL || !json_equal(saved, again)) {
		json_dumpf(saved, stderr, JSON_COMPACT);
		fputs("\nsaved, then loaded again:\n", stderr);
		json_dumpf(again, stderr, JSON_COMPACT);
		abort();
	}
	json_decref(saved);
	json_decref(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[1024];

	if (fuzz_state_path[0] == '\0')
		fuzz_state_open();
	fuzz_state_put(data, size);
	if (state_file_load(why, sizeof(why)) == 0)
		fuzz_state_roundtrip();
	if (strnlen(why, sizeof(why)) >= sizeof(why))
		abort();
	return 0;
}
