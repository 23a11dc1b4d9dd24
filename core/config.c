/* SPDX-License-Identifier: MIT */
/*
 * Config validation. inih does the INI syntax; a counting line reader
 * gives every key its line number, and each value is checked against its
 * table row. Every problem is reported, not just the first, as
 * "FILE:LINE: [section] key: reason".
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "config.h"

struct cfg_value {
	bool set;
	int line;
	long integer;
	char *text;	/* canonical text of the value (strings, defaults) */
};

struct cfg_sec {
	const struct cfg_section *schema;
	size_t nkeys;
	struct cfg_value *values;
	int line;	/* where [section] was seen, 0 if absent */
};

struct cfg {
	_Atomic int refs;
	char *path;
	size_t nsecs;
	struct cfg_sec *secs;
};

struct cfg_parse {
	struct cfg *cfg;
	const char *name;
	char *errors;
	size_t errlen, erroff;
	int nerrors;
	int line;
	/* reader over a FILE or a string */
	FILE *fp;
	const char *text;
};

static const char *const cfg_bool_true[] = { "yes", "true", "on", "1", NULL };
static const char *const cfg_bool_false[] = { "no", "false", "off", "0", NULL };

static void __attribute__((format(printf, 3, 4)))
cfg_error(struct cfg_parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	p->nerrors++;
	if (p->erroff >= p->errlen)
		return;
	n = snprintf(p->errors + p->erroff, p->errlen - p->erroff, "%s:%d: ",
	    p->name, line);
	if (n > 0)
		p->erroff += (size_t)n;
	if (p->erroff >= p->errlen) {
		p->erroff = p->errlen;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(p->errors + p->erroff, p->errlen - p->erroff, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->erroff += (size_t)n;
	if (p->erroff < p->errlen - 1) {
		p->errors[p->erroff++] = '\n';
		p->errors[p->erroff] = '\0';
	} else {
		p->erroff = p->errlen;
	}
}

static bool
cfg_in_list(const char *const *list, const char *value)
{
	for (; list && *list; list++)
		if (strcasecmp(*list, value) == 0)
			return true;
	return false;
}

/* Check `text` against `key`; fill `v` or return a reason. */
static const char *
cfg_validate(const struct cfg_key *key, const char *text,
    struct cfg_value *v, char *why, size_t whylen)
{
	char *end;
	long n;
	size_t len = strlen(text);
	struct in_addr addr;

	switch (key->type) {
	case CFG_INT:
		errno = 0;
		n = strtol(text, &end, 10);
		if (*text == '\0' || *end != '\0' || errno == ERANGE)
			return "not a whole number";
		if (n < key->min || n > key->max) {
			snprintf(why, whylen, "must be from %ld to %ld", key->min,
			    key->max);
			return why;
		}
		v->integer = n;
		return NULL;
	case CFG_BOOL:
		if (cfg_in_list(cfg_bool_true, text))
			v->integer = 1;
		else if (cfg_in_list(cfg_bool_false, text))
			v->integer = 0;
		else
			return "must be yes or no";
		return NULL;
	case CFG_CHOICE:
		if (!cfg_in_list(key->choices, text)) {
			size_t off = (size_t)snprintf(why, whylen, "must be one of");
			for (const char *const *c = key->choices; *c; c++)
				if (off < whylen)
					off += (size_t)snprintf(why + off,
					    whylen - off, " %s", *c);
			return why;
		}
		return NULL;
	case CFG_IPV4:
		if (inet_pton(AF_INET, text, &addr) != 1)
			return "not an IPv4 address (dotted quad)";
		return NULL;
	case CFG_STRING:
	case CFG_PATH:
		if ((long)len < key->min || (long)len > key->max) {
			snprintf(why, whylen, "length must be from %ld to %ld",
			    key->min, key->max);
			return why;
		}
		for (const char *c = text; *c; c++)
			if (!isprint((unsigned char)*c))
				return "contains a control character";
		return NULL;
	}
	return "unknown type";
}

static struct cfg_sec *
cfg_find_sec(const struct cfg *cfg, const char *section)
{
	for (size_t i = 0; i < cfg->nsecs; i++)
		if (strcasecmp(cfg->secs[i].schema->name, section) == 0)
			return &cfg->secs[i];
	return NULL;
}

static ssize_t
cfg_find_key(const struct cfg_sec *sec, const char *key)
{
	for (size_t i = 0; i < sec->nkeys; i++)
		if (strcasecmp(sec->schema->keys[i].key, key) == 0)
			return (ssize_t)i;
	return -1;
}

static int
cfg_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfg_parse *p = user;
	struct cfg_sec *sec;
	struct cfg_value *v;
	const char *reason;
	char why[160];
	ssize_t k;

	sec = cfg_find_sec(p->cfg, section);
	if (!sec) {
		/* unknown headers were reported by cfg_check_syntax */
		if (*section == '\0')
			cfg_error(p, p->line, "%s: key outside any [section]",
			    name);
		return 1;
	}
	if (!name) /* a [section] header (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	k = cfg_find_key(sec, name);
	if (k < 0) {
		cfg_error(p, p->line, "[%s] %s: unknown key", section, name);
		return 1;
	}
	v = &sec->values[k];
	if (v->set) {
		cfg_error(p, p->line, "[%s] %s: set twice (first on line %d)",
		    section, name, v->line);
		return 1;
	}
	reason = cfg_validate(&sec->schema->keys[k], value, v, why, sizeof why);
	if (reason) {
		cfg_error(p, p->line, "[%s] %s: %s", section, name, reason);
		return 1;
	}
	free(v->text);
	v->text = strdup(value);
	v->set = true;
	v->line = p->line;
	return 1;
}

/* Flags lines that inih would only count as its first error. */
static void
cfg_check_syntax(struct cfg_parse *p, const char *line)
{
	const char *s = line;
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		char name[64];

		if (s[len - 1] != ']' || len - 2 >= sizeof name) {
			cfg_error(p, p->line, "bad section header");
			return;
		}
		memcpy(name, s + 1, len - 2);
		name[len - 2] = '\0';
		if (!cfg_find_sec(p->cfg, name))
			cfg_error(p, p->line, "[%s]: unknown section", name);
		return;
	}
	if (!memchr(s, '=', len) && !memchr(s, ':', len))
		cfg_error(p, p->line, "expected 'key = value' or '[section]'");
}

static char *
cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parse *p = stream;

	if (p->fp) {
		if (!fgets(str, num, p->fp))
			return NULL;
	} else {
		size_t n = 0;

		if (*p->text == '\0')
			return NULL;
		while (p->text[n] && p->text[n] != '\n' && n + 2 < (size_t)num)
			n++;
		if (p->text[n] == '\n')
			n++;
		memcpy(str, p->text, n);
		str[n] = '\0';
		p->text += n;
	}
	p->line++;
	cfg_check_syntax(p, str);
	return str;
}

static struct cfg *
cfg_new(const char *path, const struct cfg_section *sections, size_t n)
{
	struct cfg *cfg = calloc(1, sizeof *cfg);

	if (!cfg)
		return NULL;
	cfg->refs = 1;
	cfg->path = strdup(path);
	cfg->secs = calloc(n, sizeof *cfg->secs);
	cfg->nsecs = n;
	if (!cfg->path || !cfg->secs) {
		cfg_unref(cfg);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct cfg_sec *sec = &cfg->secs[i];

		sec->schema = &sections[i];
		while (sections[i].keys[sec->nkeys].key)
			sec->nkeys++;
		sec->values = calloc(sec->nkeys + 1, sizeof *sec->values);
		if (!sec->values) {
			cfg_unref(cfg);
			return NULL;
		}
	}
	return cfg;
}

/* Keys not in the file take their defaults (validated like any value). */
static void
cfg_apply_defaults(struct cfg_parse *p)
{
	char why[160];

	for (size_t i = 0; i < p->cfg->nsecs; i++) {
		struct cfg_sec *sec = &p->cfg->secs[i];

		for (size_t k = 0; k < sec->nkeys; k++) {
			const struct cfg_key *key = &sec->schema->keys[k];
			struct cfg_value *v = &sec->values[k];

			if (v->set)
				continue;
			if (cfg_validate(key, key->def, v, why, sizeof why)) {
				cfg_error(p, 0, "[%s] %s: bad built-in default",
				    sec->schema->name, key->key);
				continue;
			}
			v->text = strdup(key->def);
		}
	}
}

static int
cfg_parse_common(struct cfg_parse *p, struct cfg **out)
{
	int rc;

	rc = ini_parse_stream(cfg_reader, p, cfg_handler, p);
	if (rc == -2)
		cfg_error(p, p->line, "out of memory");
	cfg_apply_defaults(p);
	if (p->nerrors) {
		cfg_unref(p->cfg);
		return -EINVAL;
	}
	*out = p->cfg;
	return 0;
}

int
cfg_load(const char *path, const struct cfg_section *sections,
    size_t nsections, struct cfg **out, char *errors, size_t errlen)
{
	struct cfg_parse p = { .name = path, .errors = errors, .errlen = errlen };
	int rc;

	if (errlen)
		errors[0] = '\0';
	p.fp = fopen(path, "re");
	if (!p.fp) {
		rc = -errno;
		snprintf(errors, errlen, "%s: cannot read: %s\n", path,
		    strerror(-rc));
		return rc;
	}
	p.cfg = cfg_new(path, sections, nsections);
	if (!p.cfg) {
		fclose(p.fp);
		return -ENOMEM;
	}
	rc = cfg_parse_common(&p, out);
	fclose(p.fp);
	return rc;
}

int
cfg_load_string(const char *name, const char *text,
    const struct cfg_section *sections, size_t nsections, struct cfg **out,
    char *errors, size_t errlen)
{
	struct cfg_parse p = { .name = name, .errors = errors,
		.errlen = errlen, .text = text };

	if (errlen)
		errors[0] = '\0';
	p.cfg = cfg_new(name, sections, nsections);
	if (!p.cfg)
		return -ENOMEM;
	return cfg_parse_common(&p, out);
}

struct cfg *
cfg_ref(struct cfg *cfg)
{
	if (cfg)
		cfg->refs++;
	return cfg;
}

void
cfg_unref(struct cfg *cfg)
{
	if (!cfg || --cfg->refs > 0)
		return;
	for (size_t i = 0; cfg->secs && i < cfg->nsecs; i++) {
		struct cfg_sec *sec = &cfg->secs[i];

		for (size_t k = 0; sec->values && k < sec->nkeys; k++)
			free(sec->values[k].text);
		free(sec->values);
	}
	free(cfg->secs);
	free(cfg->path);
	free(cfg);
}

static const struct cfg_value *
cfg_value(const struct cfg *cfg, const char *section, const char *key)
{
	struct cfg_sec *sec = cfg_find_sec(cfg, section);
	ssize_t k = sec ? cfg_find_key(sec, key) : -1;

	if (k < 0) {
		fprintf(stderr, "convergd: bug: no config key [%s] %s\n",
		    section, key);
		abort();
	}
	return &sec->values[k];
}

long
cfg_int(const struct cfg *cfg, const char *section, const char *key)
{
	return cfg_value(cfg, section, key)->integer;
}

bool
cfg_bool(const struct cfg *cfg, const char *section, const char *key)
{
	return cfg_value(cfg, section, key)->integer != 0;
}

const char *
cfg_str(const struct cfg *cfg, const char *section, const char *key)
{
	const char *text = cfg_value(cfg, section, key)->text;

	return text ? text : "";
}

bool
cfg_is_set(const struct cfg *cfg, const char *section, const char *key)
{
	return cfg_value(cfg, section, key)->set;
}

bool
cfg_section_equal(const struct cfg *a, const struct cfg *b,
    const char *section)
{
	struct cfg_sec *sa = cfg_find_sec(a, section);
	struct cfg_sec *sb = cfg_find_sec(b, section);

	if (!sa || !sb || sa->nkeys != sb->nkeys)
		return false;
	for (size_t k = 0; k < sa->nkeys; k++) {
		const char *ta = sa->values[k].text, *tb = sb->values[k].text;

		if (strcmp(ta ? ta : "", tb ? tb : "") != 0)
			return false;
	}
	return true;
}

const char *
cfg_path(const struct cfg *cfg)
{
	return cfg->path;
}

static const char *const cfg_model_names[] = { "880", "880T", "880TA",
	"840T", "8i", "TH20", "VH20", "SR1212", "SR1212A", NULL };
static const char *const cfg_log_levels[] = { "err", "warn", "info", "debug",
	NULL };
static const char *const cfg_log_targets[] = { "auto", "stderr", "syslog",
	NULL };

const struct cfg_key cfg_unit_keys[] = {
	{ "model", CFG_CHOICE, 0, 0, "880TA", cfg_model_names,
	    "audio model: 880, 880T, 880TA, 840T, 8i, TH20, VH20, SR1212, SR1212A" },
	{ "device_id", CFG_INT, 0, 15, "0", NULL,
	    "device ID (DID) 0-15; limited further by the model (0-B or 0-F)" },
	{ "label", CFG_STRING, 0, 20, "", NULL,
	    "unit label on first boot (LABEL 0 U); empty = model name" },
	{ "uid", CFG_STRING, 0, 8, "", NULL,
	    "unit UID, 8 hex digits; empty = derived from /etc/machine-id" },
	{ "firmware", CFG_STRING, 1, 15, "4.4.0.2", NULL,
	    "firmware version reported by VER and the banner" },
	{ "mac", CFG_STRING, 0, 17, "", NULL,
	    "MAC address to report; empty = derived from the UID (locally administered)" },
	{ "state_file", CFG_PATH, 1, 4096, "/var/lib/convergd/state.json", NULL,
	    "runtime settings and audio state (JSON, written atomically)" },
	{ "spool_dir", CFG_PATH, 1, 4096, "/var/lib/convergd/spool", NULL,
	    "outbox and other queued work" },
	{ "admin_user", CFG_STRING, 1, 31, "clearone", NULL,
	    "first-boot Administrator user name" },
	{ "admin_password", CFG_STRING, 1, 63, "converge", NULL,
	    "first-boot Administrator password (stored only as a hash)" },
	{ NULL },
};

/* The unit's network, shared by the services that address the unit. */
const struct cfg_key cfg_network_keys[] = {
	{ "interface", CFG_STRING, 0, 15, "", NULL,
	    "the unit's network interface; empty = never change the host's" },
	{ "resolv_conf", CFG_PATH, 0, 4096, "/etc/resolv.conf", NULL,
	    "where DNS servers and domain are written; empty = nowhere" },
	{ NULL },
};

const struct cfg_key cfg_log_keys[] = {
	{ "level", CFG_CHOICE, 0, 0, "info", cfg_log_levels,
	    "err, warn, info or debug" },
	{ "target", CFG_CHOICE, 0, 0, "auto", cfg_log_targets,
	    "auto (stderr with -f, syslog otherwise), stderr or syslog" },
	{ NULL },
};
