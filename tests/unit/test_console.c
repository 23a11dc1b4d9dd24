/* SPDX-License-Identifier: MIT */
/*
 * The console service's reload (services/console/console.c through
 * svc_offer_config/svc_apply_offer in core/service.c): a SIGHUP that
 * moves the console to a port already in use must keep the old listener
 * and the old settings; a free port is taken and the old one let go.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "unit_state.h"
#include "config.h"
#include "model.h"
#include "state.h"
#include "supervisor.h"
#include "svc_ctx.h"
#include "console/console_priv.h"

static struct cfg_section schema[4];
static size_t nschema;
static struct svc_ctx ctx;

static void
setup(void)
{
	const struct service *list[] = { &console_service };

	unit_state_up("0000ABCD");
	nschema = supervisor_schema(list, 1, schema, 4);
	memset(&ctx, 0, sizeof(ctx));
	ctx.svc = &console_service;
	ctx.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&ctx.error_lock, NULL);
}

static void
teardown(void)
{
	svc_drop_offer(&ctx);
	cfg_unref(ctx.cfg);
	close(ctx.wake_fd);
	pthread_mutex_destroy(&ctx.error_lock);
	unit_state_down();
}

/* A listening socket on a free 127.0.0.1 port; its port in *port. */
static int
listener(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static int
free_port(void)
{
	int port, fd = listener(&port);

	close(fd);
	return port;
}

/* True if something listens on 127.0.0.1:port. */
static bool
listening(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static struct cfg *
console_cfg(int port, int max_sessions)
{
	char text[256], errors[512];
	struct cfg *cfg;

	snprintf(text, sizeof(text), "[console]\nbind = 127.0.0.1\n"
	    "port = %d\nmax_sessions = %d\n", port, max_sessions);
	ck_assert_int_eq(cfg_load_string("t.conf", text, schema, nschema,
	    &cfg, errors, sizeof(errors)), 0);
	return cfg;
}

static void
offer(struct cfg *cfg)
{
	svc_offer_config(&ctx, cfg);
	cfg_unref(cfg);
	svc_apply_offer(&ctx);
}

START_TEST(reload_to_a_busy_port_keeps_the_old_listener)
{
	char why[256] = "";
	int old = free_port(), busy, blocker = listener(&busy);

	ctx.cfg = console_cfg(old, 8);
	ck_assert_int_eq(console_service.init(&ctx, why, sizeof(why)), 0);
	ck_assert(listening(old));
	offer(console_cfg(busy, 16));
	/* the old port still answers and the old settings stay */
	ck_assert(listening(old));
	ck_assert_int_eq(svc_cfg_int(&ctx, "port"), old);
	ck_assert_int_eq(svc_cfg_int(&ctx, "max_sessions"), 8);
	console_service.stop(&ctx);
	close(blocker);
}
END_TEST

START_TEST(reload_to_a_free_port_moves_the_listener)
{
	struct console *c;
	char why[256] = "";
	int old = free_port(), next = free_port();

	ctx.cfg = console_cfg(old, 8);
	ck_assert_int_eq(console_service.init(&ctx, why, sizeof(why)), 0);
	offer(console_cfg(next, 100));
	ck_assert(listening(next));
	ck_assert(!listening(old));
	ck_assert_int_eq(svc_cfg_int(&ctx, "port"), next);
	/* the session table grew to the new limit */
	c = svc_priv(&ctx);
	ck_assert_uint_eq(c->lim.max_sessions, 100);
	ck_assert_uint_ge(c->cap, 100);
	console_service.stop(&ctx);
}
END_TEST

START_TEST(reload_on_the_same_port_keeps_its_listener)
{
	char why[256] = "";
	int port = free_port();

	/* the same port cannot be bound twice: it must not be rebound */
	ctx.cfg = console_cfg(port, 8);
	ck_assert_int_eq(console_service.init(&ctx, why, sizeof(why)), 0);
	offer(console_cfg(port, 4));
	ck_assert(listening(port));
	ck_assert_int_eq(svc_cfg_int(&ctx, "max_sessions"), 4);
	console_service.stop(&ctx);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(reload_to_a_busy_port_keeps_the_old_listener),
		CHECK_CASE(reload_to_a_free_port_moves_the_listener),
		CHECK_CASE(reload_on_the_same_port_keeps_its_listener),
	};

	return check_cases_run("console", cases,
	    sizeof cases / sizeof *cases, setup, teardown);
}
