/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for what the web service reads from a client
 * (services/web/web_json.c and the state it hands bodies to): any bytes
 * go through web_json_load as an API body and as a WebSocket message.
 * What loads nests at most WEB_JSON_DEPTH_MAX deep and dumps to text that
 * loads again; an object body is then read as every handler reads one:
 * a level name, settings checked by the state's rules, and a restore
 * (POST /restore), whose result must back up and restore again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_state.h"
#include "web/web_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct origin fuzz_web_origin = { .service = "web",
	.session = 1, .user = "admin", .from = "web 127.0.0.1:40000" };

/* Nesting depth of a value; stops counting past `max`. */
static size_t
fuzz_web_depth(json_t *v, size_t max)
{
	size_t d = 0, i, sub;
	const char *key;
	json_t *m;

	if (max == 0)
		return 1;
	if (json_is_object(v)) {
		json_object_foreach(v, key, m)
			if ((sub = fuzz_web_depth(m, max - 1)) > d)
				d = sub;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if ((sub = fuzz_web_depth(m, max - 1)) > d)
				d = sub;
	} else {
		return 0;
	}
	return d + 1;
}

/* The members of a PUT /settings body and a user's "level". */
static void
fuzz_web_fields(json_t *body)
{
	char canon[256], why[160];
	enum user_level level;
	const char *key;
	json_t *v;
	int id;

	json_object_foreach(body, key, v) {
		if (!json_is_string(v))
			continue;
		if (strcmp(key, "level") == 0)
			(void)web_json_level_parse(json_string_value(v),
			    &level);
		if ((id = state_setting_lookup(key)) >= 0)
			(void)state_setting_check(id, json_string_value(v),
			    canon, sizeof(canon), why, sizeof(why));
	}
}

/* A restore that worked leaves a state whose backup restores. */
static void
fuzz_web_restore(json_t *body)
{
	char why[256];
	json_t *backup;

	if (state_from_json(body, &fuzz_web_origin, why, sizeof(why)) != 0)
		return;
	backup = state_to_json();
	if (backup == NULL ||
	    state_from_json(backup, &fuzz_web_origin, why, sizeof(why)) != 0)
		abort();
	json_decref(backup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	json_error_t err;
	json_t *body, *again;
	char *text;

	if (!ready) {
		fuzz_state_init();
		ready = true;
	}
	/* a WebSocket message: no error report, duplicates allowed */
	json_decref(web_json_load((const char *)data, size, 0, NULL));
	body = web_json_load((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &err);
	if (body == NULL)
		return 0;
	if (fuzz_web_depth(body, WEB_JSON_DEPTH_MAX + 1) > WEB_JSON_DEPTH_MAX)
		abort();
	text = json_dumps(body, JSON_ENCODE_ANY);
	if (text == NULL)
		abort();
	again = web_json_load(text, strlen(text), JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &err);
	if (again == NULL || !json_equal(body, again))
		abort();
	json_decref(again);
	free(text);
	if (json_is_object(body)) {
		fuzz_web_fields(body);
		fuzz_web_restore(body);
	}
	json_decref(body);
	return 0;
}
