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
};

#define CHECK_CASE(fn) { #fn, fn }

static inline int
check_cases_run(const char *suite_name, const struct check_case *cases,
    size_t n, void (*setup)(void), void (*teardown)(void))
{
	Suite *s = suite_create(suite_name);
	SRunner *sr;
	int failed;

	for (size_t i = 0; i < n; i++) {
		TCase *tc = tcase_create(cases[i].name);

		if (setup || teardown)
			tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
