/* SPDX-License-Identifier: MIT */
/*
 * One Check tcase per test, named after the test, so CTest (which runs
 * each case alone through CK_RUN_CASE) reports the behaviour that failed.
 */
#ifndef CONVERGD_CHECK_CASES_H
#define CONVERGD_CHECK_CASES_H

#include <check.h>
#include <stdlib.h>

struct check_case {
	const char *name;
	const TTest *test;
	int loop_end;		/* > 0: loop test, _i from 0 to loop_end - 1 */
};

#define CHECK_CASE(fn) { #fn, fn, 0 }
#define CHECK_LOOP(fn, n) { #fn, fn, (n) }

/* Run every case of `s` (CK_RUN_CASE picks one); the runner's exit status. */
static inline int
check_suite_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline int
check_cases_run(const char *suite_name, const struct check_case *cases,
    size_t n, void (*setup)(void), void (*teardown)(void))
{
	Suite *s = suite_create(suite_name);

	for (size_t i = 0; i < n; i++) {
		TCase *tc = tcase_create(cases[i].name);

		if (setup || teardown)
			tcase_add_checked_fixture(tc, setup, teardown);
		if (cases[i].loop_end > 0)
			tcase_add_loop_test(tc, cases[i].test, 0,
			    cases[i].loop_end);
		else
			tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return check_suite_run(s);
}

#endif
