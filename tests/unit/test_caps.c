/* SPDX-License-Identifier: MIT */
/*
 * core/caps.c: which capabilities the enabled services need, and that
 * caps_limit really takes the others away (each test runs in a process
 * of its own, so the drops end with it).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "check_cases.h"
#include "supervisor.h"

static const struct cfg_key no_keys[] = { { NULL } };
static const struct service clock_svc = { .name = "clock", .keys = no_keys,
	.default_enabled = true, .caps = SVC_CAP(CAP_SYS_TIME) };
static const struct service addr_svc = { .name = "addr", .keys = no_keys,
	.default_enabled = false, .caps = SVC_CAP(CAP_NET_ADMIN) };
static const struct service page_svc = { .name = "page", .keys = no_keys,
	.default_port = 80, .default_enabled = true };
static const struct service *const svcs[] = { &clock_svc, &addr_svc,
	&page_svc };
#define NSVCS (sizeof svcs / sizeof *svcs)

static uint64_t
needed(const char *text)
{
	struct cfg_section schema[12];
	struct cfg *cfg = NULL;
	char errors[512];
	size_t n = supervisor_schema(svcs, NSVCS, schema, 12);
	uint64_t need;

	ck_assert_int_eq(cfg_load_string("t.conf", text, schema, n, &cfg,
	    errors, sizeof errors), 0);
	need = caps_needed(svcs, NSVCS, cfg);
	cfg_unref(cfg);
	return need;
}

START_TEST(only_enabled_services_count)
{
	ck_assert_uint_eq(needed("[page]\nport = 8080\n"),
	    SVC_CAP(CAP_SYS_TIME));
	ck_assert_uint_eq(needed("[page]\nport = 8080\n[clock]\nenabled = no\n"
	    "[addr]\nenabled = yes\n"), SVC_CAP(CAP_NET_ADMIN));
}
END_TEST

START_TEST(a_port_below_1024_needs_bind_service)
{
	ck_assert_uint_eq(needed("[clock]\nenabled = no\n"),
	    SVC_CAP(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(needed("[clock]\nenabled = no\n[page]\nport = 1024\n"),
	    0);
	/* port 0 is the service's default (80 here) */
	ck_assert_uint_eq(needed("[clock]\nenabled = no\n[page]\nport = 0\n"),
	    SVC_CAP(CAP_NET_BIND_SERVICE));
	ck_assert_uint_eq(needed("[clock]\nenabled = no\n[page]\nport = 80\n"
	    "enabled = no\n"), 0);
}
END_TEST

static uint64_t
effective(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	ck_assert_int_eq(syscall(SYS_capget, &h, d), 0);
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

START_TEST(limit_keeps_only_what_is_asked)
{
	uint64_t keep = SVC_CAP(CAP_NET_BIND_SERVICE), had;

	ck_assert_int_eq(caps_limit(keep, &had), 0);
	ck_assert_uint_eq(effective(), had & keep);
	ck_assert_uint_eq(effective() & SVC_CAP(CAP_SYS_TIME), 0);
}
END_TEST

/*
 * What a dropped capability means: without CAP_DAC_OVERRIDE even root
 * cannot read its own file of mode 0000.
 */
START_TEST(a_dropped_capability_is_gone)
{
	char path[] = "/tmp/convergd-caps-XXXXXX";
	int fd = mkstemp(path), err;
	uint64_t had;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(chmod(path, 0), 0);
	ck_assert_int_eq(caps_limit(0, &had), 0);
	fd = open(path, O_RDONLY);
	err = errno;
	unlink(path);
	ck_assert_int_lt(fd, 0);
	ck_assert_int_eq(err, EACCES);
	ck_assert_uint_eq(effective(), 0);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(only_enabled_services_count),
		CHECK_CASE(a_port_below_1024_needs_bind_service),
		CHECK_CASE(limit_keeps_only_what_is_asked),
		CHECK_CASE(a_dropped_capability_is_gone),
	};

	return check_cases_run("caps", cases, sizeof cases / sizeof *cases,
	    NULL, NULL);
}
