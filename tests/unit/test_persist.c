/* SPDX-License-Identifier: MIT */
/*
 * Persistence: persist.c's plain file I/O (atomic writes, the .bak copy,
 * read back with a judge), and the state's use of it (state_file.c):
 * corrupt files reported and replaced by the last good copy, settings
 * durable before the setter returns, audio changes coalesced to one
 * write a second.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "model.h"
#include "persist.h"
#include "state.h"

static char dir[64];
static char path[128];
static const struct origin tester = { .flags = ORIGIN_INTERNAL,
	.user = "test", .from = "unit test" };

static void
fresh_state(void)
{
	struct state_identity id = { .model = model_get(MODEL_880),
		.uid = "12345678", .firmware = "4.4.0.2" };

	state_fini();
	ck_assert_int_eq(state_init(&id), 0);
}

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/convergd-persist-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/state.json", dir);
	bus_init();
	fresh_state();
	ck_assert_int_eq(state_file_open(path), 0);
}

static void
teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void
set_room(const char *room)
{
	char why[128];

	ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, room, &tester, why,
	    sizeof why), 0);
}

static const char *
room(void)
{
	static char buf[80];

	ck_assert_int_eq(state_setting_get(SET_LOC_ROOM, buf, sizeof buf), 0);
	return buf;
}

static bool
exists(const char *suffix)
{
	char p[160];
	struct stat st;

	snprintf(p, sizeof p, "%s%s", path, suffix);
	return stat(p, &st) == 0;
}

static void
write_file(const char *suffix, const char *text)
{
	char p[160];
	FILE *fp;

	snprintf(p, sizeof p, "%s%s", path, suffix);
	fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* ---- persist.c alone: text in, text out ---- */

START_TEST(write_then_read_round_trip_keeps_bak)
{
	char *text = NULL;
	size_t len = 0;
	unsigned long before = persist_writes();

	ck_assert_int_eq(persist_write(path, "one", 3), 0);
	ck_assert_int_eq(persist_write(path, "two!", 4), 0);
	ck_assert_uint_eq(persist_writes(), before + 2);
	ck_assert_int_eq(persist_read(path, &text, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_str_eq(text, "two!");
	free(text);
	ck_assert_int_eq(persist_read(path, &text, &len), 0);
	free(text);
	ck_assert(!exists(".tmp"));
	ck_assert(exists(".bak"));
	ck_assert_int_eq(persist_write("/nonexistent-dir/x", "a", 1), -ENOENT);
}
END_TEST

/* A judge that accepts only "good". */
static int
only_good(const char *p, const char *text, size_t len, void *arg, char *why,
    size_t whylen)
{
	(void)len;
	*(int *)arg += 1;
	if (strcmp(text, "good") == 0)
		return 0;
	snprintf(why, whylen, "%s: not good", p);
	return -EINVAL;
}

START_TEST(load_falls_back_to_bak_and_keeps_the_bad_file)
{
	char why[512];
	int calls = 0;

	ck_assert_int_eq(persist_load(path, only_good, &calls, why,
	    sizeof why), 1);
	ck_assert_int_eq(persist_write(path, "good", 4), 0);
	ck_assert_int_eq(persist_write(path, "bad", 3), 0);
	ck_assert_int_eq(persist_load(path, only_good, &calls, why,
	    sizeof why), 0);
	ck_assert_int_eq(calls, 2);
	ck_assert_msg(strstr(why, "not good; using the last good copy"),
	    "%s", why);
	ck_assert(exists(".corrupt"));
}
END_TEST

/* ---- the state file ---- */

START_TEST(missing_file_means_first_boot)
{
	char why[256];

	ck_assert_int_eq(state_file_load(why, sizeof why), 1);
}
END_TEST

START_TEST(setting_is_on_disk_when_the_setter_returns)
{
	char why[256];

	set_room("Board Room");
	/* no explicit save: the setter itself made it durable */
	fresh_state();
	ck_assert_str_eq(room(), "");
	ck_assert_int_eq(state_file_load(why, sizeof why), 0);
	ck_assert_str_eq(why, "");
	ck_assert_str_eq(room(), "Board Room");
}
END_TEST

START_TEST(save_leaves_no_temp_file_and_keeps_previous_as_bak)
{
	char why[256];

	set_room("first");
	set_room("second");
	ck_assert(!exists(".tmp"));
	ck_assert(exists(".bak"));
	/* the .bak is the state before the last save */
	write_file("", "{ truncated");
	fresh_state();
	ck_assert_int_eq(state_file_load(why, sizeof why), 0);
	ck_assert_str_eq(room(), "first");
}
END_TEST

START_TEST(corrupt_file_is_reported_and_last_good_copy_used)
{
	char why[512], expect[256];

	set_room("good");
	set_room("better");
	write_file("", "{\"format\": 1, \"settings\": ");	/* half written */
	fresh_state();
	ck_assert_int_eq(state_file_load(why, sizeof why), 0);
	snprintf(expect, sizeof expect, "%s:1:", path);
	ck_assert_msg(strncmp(why, expect, strlen(expect)) == 0, "why: %s", why);
	ck_assert_msg(strstr(why, "using the last good copy") != NULL, "%s", why);
	ck_assert_str_eq(room(), "good");
	/* the bad file is kept aside for inspection */
	ck_assert(exists(".corrupt"));
}
END_TEST

START_TEST(invalid_content_is_as_bad_as_invalid_json)
{
	char why[512];

	set_room("good");
	set_room("better");
	write_file("", "{\"format\": 1, \"settings\": 7}");
	fresh_state();
	ck_assert_int_eq(state_file_load(why, sizeof why), 0);
	ck_assert_str_eq(room(), "good");
	ck_assert(strstr(why, path) != NULL);
}
END_TEST

START_TEST(no_good_copy_refuses_to_load)
{
	char why[512];

	write_file("", "garbage");
	write_file(".bak", "more garbage");
	ck_assert_int_eq(state_file_load(why, sizeof why), -EINVAL);
	ck_assert_msg(strstr(why, "state.json:") && strstr(why, "state.json.bak:"),
	    "why: %s", why);
	/* a second try must refuse too: the bad file stays where it was */
	fresh_state();
	ck_assert_int_eq(state_file_load(why, sizeof why), -EINVAL);
	ck_assert(!exists(".corrupt"));
}
END_TEST

START_TEST(damaged_file_without_backup_is_refused_at_every_start)
{
	char why[512];

	write_file("", "garbage");
	ck_assert_int_eq(state_file_load(why, sizeof why), -EINVAL);
	fresh_state();
	/* not "first boot": that would silently reset the settings */
	ck_assert_int_eq(state_file_load(why, sizeof why), -EINVAL);
	ck_assert(exists(""));
}
END_TEST

START_TEST(audio_changes_are_coalesced_to_one_write_a_second)
{
	unsigned long before;
	double result;
	char why[128];

	ck_assert_int_eq(state_save_now(), 0);
	before = persist_writes();
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(state_gain_set('M', 0, -(double)i / 10, false,
		    &tester, &result, why, sizeof why), 0);
		state_save_tick();
	}
	ck_assert_uint_eq(persist_writes(), before);	/* within the second */
	usleep(1050000);
	state_save_tick();
	ck_assert_uint_eq(persist_writes(), before + 1);
	state_save_tick();
	ck_assert_uint_eq(persist_writes(), before + 1);	/* nothing new */
}
END_TEST

START_TEST(flush_writes_pending_audio_changes)
{
	double gain, result;
	char why[256];

	ck_assert_int_eq(state_save_now(), 0);
	ck_assert_int_eq(state_gain_set('M', 1, -12.5, false, &tester, &result,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_save_flush(), 0);
	fresh_state();
	ck_assert_int_eq(state_file_load(why, sizeof why), 0);
	ck_assert_int_eq(state_gain_get('M', 1, &gain), 0);
	ck_assert_double_eq_tol(gain, -12.5, 0.001);
}
END_TEST

START_TEST(unwritable_folder_is_an_error_not_a_crash)
{
	char why[128];

	ck_assert_int_eq(state_file_open("/nonexistent-dir/state.json"), 0);
	ck_assert_int_lt(state_save_now(), 0);
	ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, "x", &tester, why,
	    sizeof why), -EIO);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(write_then_read_round_trip_keeps_bak),
		CHECK_CASE(load_falls_back_to_bak_and_keeps_the_bad_file),
		CHECK_CASE(missing_file_means_first_boot),
		CHECK_CASE(setting_is_on_disk_when_the_setter_returns),
		CHECK_CASE(save_leaves_no_temp_file_and_keeps_previous_as_bak),
		CHECK_CASE(corrupt_file_is_reported_and_last_good_copy_used),
		CHECK_CASE(invalid_content_is_as_bad_as_invalid_json),
		CHECK_CASE(no_good_copy_refuses_to_load),
		CHECK_CASE(damaged_file_without_backup_is_refused_at_every_start),
		CHECK_CASE(audio_changes_are_coalesced_to_one_write_a_second),
		CHECK_CASE(flush_writes_pending_audio_changes),
		CHECK_CASE(unwritable_folder_is_an_error_not_a_crash),
	};

	return check_cases_run("persist", cases, sizeof cases / sizeof *cases,
	    setup, teardown);
}
