/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the INI configuration loader (core/config.c)
 * against the daemon's whole schema (every service's section, as main()
 * builds it): any text loads or is refused with its reasons within the
 * error buffer; what loads answers every key of its schema with a value
 * in the row's limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "registry.h"
#include "supervisor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CONFIG_SECTIONS 40

static struct cfg_section fuzz_config_schema[FUZZ_CONFIG_SECTIONS];
static size_t fuzz_config_n;

/* Every value of a loaded config, read as its row says; abort if odd. */
static void
fuzz_config_check(const struct cfg *cfg)
{
	const struct cfg_section *sec;
	const struct cfg_key *k;
	const char *s;
	long v;
	size_t i;

	for (i = 0; i < fuzz_config_n; i++) {
		sec = &fuzz_config_schema[i];
		for (k = sec->keys; k->key != NULL; k++) {
			(void)cfg_is_set(cfg, sec->name, k->key);
			switch (k->type) {
			case CFG_INT:
				v = cfg_int(cfg, sec->name, k->key);
				if (v < k->min || v > k->max)
					abort();
				break;
			case CFG_BOOL:
				(void)cfg_bool(cfg, sec->name, k->key);
				break;
			default:
				s = cfg_str(cfg, sec->name, k->key);
				if (s == NULL || (k->type == CFG_STRING &&
				    (long)strlen(s) > k->max))
					abort();
				break;
			}
		}
		if (!cfg_section_equal(cfg, cfg, sec->name))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char errors[4096];
	struct cfg *cfg = NULL;
	char *text;
	int rc;

	if (fuzz_config_n == 0)
		fuzz_config_n = supervisor_schema(registry_services,
		    registry_count, fuzz_config_schema, FUZZ_CONFIG_SECTIONS);
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = cfg_load_string("fuzz.conf", text, fuzz_config_schema,
	    fuzz_config_n, &cfg, errors, sizeof(errors));
	if (strnlen(errors, sizeof(errors)) >= sizeof(errors))
		abort();
	if (rc == 0) {
		if (cfg == NULL)
			abort();
		fuzz_config_check(cfg);
	}
	cfg_unref(cfg);
	free(text);
	return 0;
}
