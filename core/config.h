/* SPDX-License-Identifier: MIT */
/*
 * Deployment configuration: an INI file (inih does the syntax) validated
 * against table rows, one row per key. Every error is reported as
 * "FILE:LINE: [section] key: reason"; unknown sections and keys are errors.
 * A parsed config is immutable and reference counted, so a SIGHUP reload
 * can swap it while services still read the old one.
 */
#ifndef CONVERGD_CONFIG_H
#define CONVERGD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum cfg_type {
	CFG_INT,	/* decimal integer in [min, max] */
	CFG_BOOL,	/* yes/no, true/false, on/off, 1/0 */
	CFG_STRING,	/* length in [min, max] */
	CFG_CHOICE,	/* one of `choices` (case-insensitive) */
	CFG_IPV4,	/* dotted quad */
	CFG_PATH,	/* absolute or relative path, length <= max */
};

/* One configuration key: its type, limits and default (as text). */
struct cfg_key {
	const char *key;
	enum cfg_type type;
	long min, max;
	const char *def;
	const char *const *choices;	/* CFG_CHOICE: NULL-terminated */
	const char *help;		/* one line, for --help-config */
	/*
	 * The state setting ("serial.baud") this row gives its first-boot
	 * value: the state owns it after that. NULL for most rows.
	 */
	const char *seeds;
};

/* A section: a name and its rows (terminated by a row with key NULL). */
struct cfg_section {
	const char *name;
	const struct cfg_key *keys;
};

struct cfg;

/*
 * Parse `path` against `sections`. On success *out holds a config with a
 * reference for the caller. Every problem is written to `errors` (one per
 * line, "FILE:LINE: [section] key: reason") and the call returns -EINVAL;
 * an unreadable file returns -errno with the reason in `errors`.
 */
int cfg_load(const char *path, const struct cfg_section *sections,
    size_t nsections, struct cfg **out, char *errors, size_t errlen);
/* Same, from a string (tests); `name` stands in for the file name. */
int cfg_load_string(const char *name, const char *text,
    const struct cfg_section *sections, size_t nsections, struct cfg **out,
    char *errors, size_t errlen);

struct cfg *cfg_ref(struct cfg *cfg);
void cfg_unref(struct cfg *cfg);

/* Typed values; asking for a key not in the schema aborts (a bug). */
long cfg_int(const struct cfg *cfg, const char *section, const char *key);
bool cfg_bool(const struct cfg *cfg, const char *section, const char *key);
const char *cfg_str(const struct cfg *cfg, const char *section,
    const char *key);
/* True if the key was written in the file (not defaulted). */
bool cfg_is_set(const struct cfg *cfg, const char *section, const char *key);
/* True if every key of `section` has the same value in both configs. */
bool cfg_section_equal(const struct cfg *a, const struct cfg *b,
    const char *section);
const char *cfg_path(const struct cfg *cfg);

/* Core sections that exist whatever services are built. */
extern const struct cfg_key cfg_unit_keys[];
extern const struct cfg_key cfg_log_keys[];
extern const struct cfg_key cfg_network_keys[];

#endif
