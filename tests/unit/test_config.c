/* SPDX-License-Identifier: MIT */
/* Config: table-driven validation, every error reported with file:line. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_cases.h"
#include "config.h"

static const char *const colours[] = { "red", "green", NULL };

static const struct cfg_key demo_keys[] = {
	{ "enabled", CFG_BOOL, 0, 1, "yes", NULL, "" },
	{ "port", CFG_INT, 1, 65535, "2323", NULL, "" },
	{ "name", CFG_STRING, 1, 8, "unit", NULL, "" },
	{ "colour", CFG_CHOICE, 0, 0, "red", colours, "" },
	{ "server", CFG_IPV4, 0, 0, "127.0.0.1", NULL, "" },
	{ NULL },
};

static const struct cfg_section schema[] = {
	{ "unit", cfg_unit_keys },
	{ "log", cfg_log_keys },
	{ "demo", demo_keys },
};

static char errors[4096];

static int
load(const char *text, struct cfg **cfg)
{
	return cfg_load_string("test.conf", text, schema, 3, cfg, errors,
	    sizeof errors);
}

START_TEST(defaults_apply_when_keys_are_absent)
{
	struct cfg *cfg = NULL;

	ck_assert_int_eq(load("", &cfg), 0);
	ck_assert_int_eq(cfg_int(cfg, "demo", "port"), 2323);
	ck_assert(cfg_bool(cfg, "demo", "enabled"));
	ck_assert_str_eq(cfg_str(cfg, "unit", "model"), "880TA");
	ck_assert_str_eq(cfg_str(cfg, "log", "level"), "info");
	ck_assert(!cfg_is_set(cfg, "demo", "port"));
	cfg_unref(cfg);
}
END_TEST

START_TEST(values_are_parsed_by_type)
{
	struct cfg *cfg = NULL;

	ck_assert_int_eq(load("[demo]\nenabled = off\nport = 23\n"
	    "name = abc ; trailing comment\ncolour = GREEN\n"
	    "server = 10.1.2.3\n", &cfg), 0);
	ck_assert(!cfg_bool(cfg, "demo", "enabled"));
	ck_assert_int_eq(cfg_int(cfg, "demo", "port"), 23);
	ck_assert_str_eq(cfg_str(cfg, "demo", "name"), "abc");
	ck_assert_str_eq(cfg_str(cfg, "demo", "colour"), "GREEN");
	ck_assert(cfg_is_set(cfg, "demo", "port"));
	cfg_unref(cfg);
}
END_TEST

/* Each bad line and the exact message it must produce. */
static const struct {
	const char *text;
	const char *error;
} bad_configs[] = {
	{ "[demo]\nport = 0\n", "test.conf:2: [demo] port: must be from 1 to 65535\n" },
	{ "[demo]\nport = 12x\n", "test.conf:2: [demo] port: not a whole number\n" },
	{ "[demo]\nport = 99999999999999999999\n", "test.conf:2: [demo] port: not a whole number\n" },
	{ "[demo]\nenabled = maybe\n", "test.conf:2: [demo] enabled: must be yes or no\n" },
	{ "[demo]\nname = waytoolongname\n", "test.conf:2: [demo] name: length must be from 1 to 8\n" },
	{ "[demo]\ncolour = blue\n", "test.conf:2: [demo] colour: must be one of red green\n" },
	{ "[demo]\nserver = 10.1.2\n", "test.conf:2: [demo] server: not an IPv4 address (dotted quad)\n" },
	{ "[demo]\nbogus = 1\n", "test.conf:2: [demo] bogus: unknown key\n" },
	{ "\n[nosuch]\nport = 1\n", "test.conf:2: [nosuch]: unknown section\n" },
	{ "[demo]\nport = 1\nport = 2\n", "test.conf:3: [demo] port: set twice (first on line 2)\n" },
	{ "[demo]\njust words\n", "test.conf:2: expected 'key = value' or '[section]'\n" },
	{ "[demo\n", "test.conf:1: bad section header\n" },
	{ "port = 1\n", "test.conf:1: port: key outside any [section]\n" },
	{ "[unit]\nmodel = 9999\n", "test.conf:2: [unit] model: must be one of 880 880T 880TA 840T 8i TH20 VH20 SR1212 SR1212A\n" },
	{ "[log]\nlevel = loud\n", "test.conf:2: [log] level: must be one of err warn info debug\n" },
};

START_TEST(bad_values_are_reported_with_file_line_and_key)
{
	struct cfg *cfg = NULL;

	ck_assert_int_eq(load(bad_configs[_i].text, &cfg), -EINVAL);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(errors, bad_configs[_i].error);
}
END_TEST

START_TEST(every_error_is_reported_not_just_the_first)
{
	struct cfg *cfg = NULL;

	ck_assert_int_eq(load("[demo]\nport = 0\nenabled = maybe\nx = 1\n",
	    &cfg), -EINVAL);
	ck_assert_str_eq(errors,
	    "test.conf:2: [demo] port: must be from 1 to 65535\n"
	    "test.conf:3: [demo] enabled: must be yes or no\n"
	    "test.conf:4: [demo] x: unknown key\n");
}
END_TEST

START_TEST(unreadable_file_names_the_path)
{
	struct cfg *cfg = NULL;
	int rc = cfg_load("/nonexistent/convergd.conf", schema, 3, &cfg,
	    errors, sizeof errors);

	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_str_eq(errors, "/nonexistent/convergd.conf: cannot read: "
	    "No such file or directory\n");
}
END_TEST

START_TEST(file_and_string_parse_the_same)
{
	char path[] = "/tmp/convergd-cfg-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "[demo]\nport = 4242\n";
	struct cfg *cfg = NULL;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(cfg_load(path, schema, 3, &cfg, errors, sizeof errors),
	    0);
	unlink(path);
	ck_assert_int_eq(cfg_int(cfg, "demo", "port"), 4242);
	ck_assert_str_eq(cfg_path(cfg), path);
	cfg_unref(cfg);
}
END_TEST

START_TEST(section_equality_detects_changed_values)
{
	struct cfg *a = NULL, *b = NULL, *c = NULL;

	ck_assert_int_eq(load("[demo]\nport = 10\n", &a), 0);
	ck_assert_int_eq(load("[demo]\nport = 10\n", &b), 0);
	ck_assert_int_eq(load("[demo]\nport = 11\n", &c), 0);
	ck_assert(cfg_section_equal(a, b, "demo"));
	ck_assert(!cfg_section_equal(a, c, "demo"));
	ck_assert(cfg_section_equal(a, c, "log"));
	cfg_unref(a);
	cfg_unref(b);
	cfg_unref(c);
}
END_TEST

START_TEST(references_keep_config_alive)
{
	struct cfg *cfg = NULL, *ref;

	ck_assert_int_eq(load("[demo]\nname = kept\n", &cfg), 0);
	ref = cfg_ref(cfg);
	cfg_unref(cfg);
	ck_assert_str_eq(cfg_str(ref, "demo", "name"), "kept");
	cfg_unref(ref);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(defaults_apply_when_keys_are_absent),
		CHECK_CASE(values_are_parsed_by_type),
		CHECK_CASE(every_error_is_reported_not_just_the_first),
		CHECK_CASE(unreadable_file_names_the_path),
		CHECK_CASE(file_and_string_parse_the_same),
		CHECK_CASE(section_equality_detects_changed_values),
		CHECK_CASE(references_keep_config_alive),
	};
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("bad_values_are_reported_with_file_line_and_key");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, bad_values_are_reported_with_file_line_and_key,
	    0, sizeof bad_configs / sizeof *bad_configs);
	suite_add_tcase(s, tc);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		tc = tcase_create(cases[i].name);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
