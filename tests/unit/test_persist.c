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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "cmd.h"
#include "model.h"
#include "persist.h"
#include "state.h"

static char dir[64];
static char path[128];
static bool mounted;	/* dir is a small tmpfs (full-disk tests) */
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

	state_file_close();
	if (mounted && umount(dir) != 0)
		fprintf(stderr, "cannot unmount %s\n", dir);
	mounted = false;
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

/* ---- a full disk: nothing that could not be saved is applied ---- */

/* Put the state folder on a 1 MiB tmpfs, save once, then fill it. */
static void
full_disk(void)
{
	char filler[160], block[4096];
	int fd;

	ck_assert_int_eq(mount("tmpfs", dir, "tmpfs", 0, "size=1m"), 0);
	mounted = true;
	ck_assert_int_eq(state_save_now(), 0);
	snprintf(filler, sizeof filler, "%s/filler", dir);
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	memset(block, 'x', sizeof block);
	while (write(fd, block, sizeof block) > 0)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
}

static void
disk_freed(void)
{
	char filler[160];

	snprintf(filler, sizeof filler, "%s/filler", dir);
	ck_assert_int_eq(unlink(filler), 0);
}

/* Count what was published since the subscription (and empty it). */
static int
published(struct bus_sub *sub, int type)
{
	struct bus_msg m;
	int n = 0;

	while (bus_take(sub, &m) == 1)
		n += (int)m.type == type;
	return n;
}

START_TEST(full_disk_setting_is_undone_and_not_published)
{
	struct bus_sub *sub;
	uint64_t seq;
	char why[128];

	set_room("before");
	full_disk();
	sub = bus_subscribe(BUS_MASK(BUS_CHANGE), 16);
	seq = state_seq();
	ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, "after", &tester,
	    why, sizeof why), -EIO);
	ck_assert_str_eq(why, "not saved: No space left on device");
	ck_assert_str_eq(room(), "before");
	ck_assert_uint_eq(state_seq(), seq);
	ck_assert_int_eq(published(sub, BUS_CHANGE), 0);
	ck_assert(!exists(".tmp"));
	disk_freed();
	set_room("after");
	ck_assert_int_eq(published(sub, BUS_CHANGE), 1);
	bus_unsubscribe(sub);
}
END_TEST

START_TEST(full_disk_user_changes_are_undone)
{
	enum user_level level;
	char why[128];

	ck_assert_int_eq(state_user_set("alice", "old-secret", LEVEL_USER,
	    &tester, why, sizeof why), 0);
	full_disk();
	ck_assert_int_eq(state_user_set("bob", "secret", LEVEL_USER, &tester,
	    why, sizeof why), -EIO);
	ck_assert_int_eq(state_user_check("bob", "secret", &level), -EACCES);
	ck_assert_int_eq(state_user_set("alice", "new-secret", LEVEL_ADMIN,
	    &tester, why, sizeof why), -EIO);
	ck_assert_int_eq(state_user_check("alice", "old-secret", &level), 0);
	ck_assert_int_eq(level, LEVEL_USER);
	ck_assert_int_eq(state_user_delete("alice", &tester, why, sizeof why),
	    -EIO);
	ck_assert_int_eq(state_user_check("alice", "old-secret", &level), 0);
}
END_TEST

START_TEST(full_disk_audio_definitions_are_undone)
{
	const char *line[] = { "#H0 MUTE 1 O 1" };
	char why[128], label[32], lines[1][BUS_TEXT_MAX];
	double min, max;

	ck_assert_int_eq(state_label_set('I', 0, "Lectern", &tester, why,
	    sizeof why), 0);
	full_disk();
	ck_assert_int_eq(state_label_set('I', 0, "Podium", &tester, why,
	    sizeof why), -EIO);
	ck_assert_int_eq(state_label_get('I', 0, label, sizeof label), 0);
	ck_assert_str_eq(label, "Lectern");
	ck_assert_int_eq(state_minmax_set('O', 0, -10, 10, &tester, why,
	    sizeof why), -EIO);
	ck_assert_int_eq(state_minmax_get('O', 0, &min, &max), 0);
	ck_assert(min == GAIN_MIN && max == GAIN_MAX);
	ck_assert_int_eq(state_preset_store(2, &tester, why, sizeof why),
	    -EIO);
	ck_assert(!state_preset_defined(2));
	ck_assert_int_eq(state_macro_define(3, line, 1, LEVEL_MANAGER,
	    &tester, why,
	    sizeof why), -EIO);
	ck_assert_uint_eq(state_macro_lines(3, lines, 1), 0);
	ck_assert_int_eq(state_reset_defaults(&tester), -EIO);
	ck_assert_int_eq(state_label_get('I', 0, label, sizeof label), 0);
	ck_assert_str_eq(label, "Lectern");
}
END_TEST

START_TEST(full_disk_restore_is_undone)
{
	json_t *backup;
	char why[128];

	set_room("backed up");
	backup = state_to_json();
	set_room("current");
	full_disk();
	ck_assert_int_eq(state_from_json(backup, &tester, why, sizeof why),
	    -EIO);
	json_decref(backup);
	ck_assert_str_eq(room(), "current");
}
END_TEST

/* The reason is kept while saves fail; one event per change, not per try. */
START_TEST(save_problem_is_reported_once_per_change)
{
	struct bus_sub *sub = bus_subscribe(BUS_MASK(BUS_EVENT), 16);
	char problem[128], why[128];
	struct bus_msg m;

	ck_assert(!state_save_problem(problem, sizeof problem));
	full_disk();
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(state_setting_set(SET_LOC_ROOM, "x", &tester,
		    why, sizeof why), -EIO);
	ck_assert(state_save_problem(problem, sizeof problem));
	ck_assert_str_eq(problem, "No space left on device");
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.u.event.severity, SEVERITY_ERROR);
	ck_assert_str_eq(m.u.event.text,
	    "settings cannot be saved: No space left on device");
	ck_assert_int_eq(bus_take(sub, &m), 0);
	disk_freed();
	set_room("y");
	ck_assert(!state_save_problem(problem, sizeof problem));
	ck_assert_int_eq(bus_take(sub, &m), 1);
	ck_assert_int_eq(m.u.event.severity, SEVERITY_INFO);
	ck_assert_int_eq(bus_take(sub, &m), 0);
	bus_unsubscribe(sub);
}
END_TEST

/* One command, one save: a wildcard LABEL is a single write. */
START_TEST(wildcard_label_is_one_save)
{
	struct cmd_session s;
	struct cmd_reply reply;
	struct origin o = { .service = "console", .session = 1 };
	unsigned long before;
	char label[32];

	cmd_session_init(&s, LEVEL_ADMIN, &o);
	before = persist_writes();
	cmd_execute(&s, "#** LABEL * C x", 15, &reply);
	ck_assert_msg(!reply.error, "%s", reply.text);
	ck_assert_uint_eq(persist_writes(), before + 1);
	ck_assert_int_eq(state_label_get('C', 7, label, sizeof label), 0);
	ck_assert_str_eq(label, "x");
}
END_TEST

/* A wildcard that cannot be saved changes no channel and says so once. */
START_TEST(wildcard_label_on_full_disk_changes_nothing)
{
	struct cmd_session s;
	struct cmd_reply reply;
	struct origin o = { .service = "console", .session = 1 };
	char label[32];

	cmd_session_init(&s, LEVEL_ADMIN, &o);
	full_disk();
	cmd_execute(&s, "#** LABEL * C y", 15, &reply);
	/* one line, where an ARGUMENT ERROR would be */
	ck_assert_str_eq(reply.text, "OK> #10 ERROR NOT SAVED.\r\n");
	ck_assert_int_eq(state_label_get('C', 0, label, sizeof label), 0);
	ck_assert_str_eq(label, "");
	cmd_execute(&s, "#** LOCROOM z", 13, &reply);
	ck_assert_str_eq(reply.text, "OK> #10 ERROR NOT SAVED.\r\n");
}
END_TEST

/* Saving setters, batches, gains and the coalesced save at once (TSan). */
static void *
saver(void *arg)
{
	long id = (long)arg;
	char why[128], v[32];
	double g;

	for (int i = 0; i < 40; i++) {
		snprintf(v, sizeof v, "t%ld-%d", id, i);
		switch ((id + i) % 4) {
		case 0:
			(void)state_setting_set(SET_LOC_ROOM, v, &tester, why,
			    sizeof why);
			break;
		case 1:
			state_batch_begin();
			(void)state_label_set('I', 0, v, &tester, why,
			    sizeof why);
			(void)state_label_set('I', 1, v, &tester, why,
			    sizeof why);
			(void)state_batch_end(why, sizeof why);
			break;
		case 2:
			(void)state_gain_set('O', 0, -(double)i, false,
			    &tester, &g, why, sizeof why);
			break;
		default:
			state_save_tick();
			break;
		}
	}
	return NULL;
}

START_TEST(saves_from_many_threads_stay_consistent)
{
	pthread_t t[4];
	char why[256], a[32], b[32];

	for (long i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, saver,
		    (void *)i), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(state_save_flush(), 0);
	snprintf(a, sizeof a, "%s", room());
	fresh_state();
	ck_assert_int_eq(state_file_load(why, sizeof why), 0);
	ck_assert_str_eq(room(), a);
	/* a batch is all or nothing: both labels from the same batch */
	ck_assert_int_eq(state_label_get('I', 0, a, sizeof a), 0);
	ck_assert_int_eq(state_label_get('I', 1, b, sizeof b), 0);
	ck_assert_str_eq(a, b);
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
		CHECK_CASE(full_disk_setting_is_undone_and_not_published),
		CHECK_CASE(full_disk_user_changes_are_undone),
		CHECK_CASE(full_disk_audio_definitions_are_undone),
		CHECK_CASE(full_disk_restore_is_undone),
		CHECK_CASE(save_problem_is_reported_once_per_change),
		CHECK_CASE(wildcard_label_is_one_save),
		CHECK_CASE(wildcard_label_on_full_disk_changes_nothing),
		CHECK_CASE(saves_from_many_threads_stay_consistent),
	};

	return check_cases_run("persist", cases, sizeof cases / sizeof *cases,
	    setup, teardown);
}
