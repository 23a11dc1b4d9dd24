/* SPDX-License-Identifier: MIT */
/*
 * The dhcp service's state machine decisions (services/dhcp/dhcp_fsm.c)
 * that need no sockets: the random wait before the first DISCOVER
 * (RFC 2131 §4.4.1) and the choice of router when one stays silent.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus.h"
#include "check_cases.h"
#include "unit_state.h"
#include "dhcp/dhcp_priv.h"
#include "model.h"
#include "state.h"

static void
setup(void)
{
	unit_state_up("0000ABCD");
}

static void
teardown(void)
{
	unit_state_down();
}

START_TEST(start_delay_is_one_to_ten_seconds_by_default)
{
	static const uint32_t rnd[] = { 0, 1, 8999, 9000, 9001, 123456789,
		UINT32_MAX };

	/* the ends of the range are reached, nothing lies outside it */
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(10000, 0), 1000);
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(10000, 9000), 10000);
	for (size_t i = 0; i < sizeof rnd / sizeof rnd[0]; i++) {
		uint64_t ms = dhcp_fsm_start_delay_ms(10000, rnd[i]);

		ck_assert(ms >= 1000 && ms <= 10000);
	}
}
END_TEST

START_TEST(start_delay_configured_short_or_zero)
{
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(0, 0), 0);
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(0, UINT32_MAX), 0);
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(500, 500), 500);
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(500, 501), 0);
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(1000, UINT32_MAX), 1000);
	ck_assert_uint_eq(dhcp_fsm_start_delay_ms(2000, 1001), 1000);
}
END_TEST

/* Without a last lease the client waits in INIT and sends nothing yet. */
START_TEST(start_without_a_lease_waits_before_discovering)
{
	struct dhcp *d = calloc(1, sizeof *d);

	d->raw_fd = d->udp_fd = d->arp_fd = -1;
	d->start_delay_ms = 10000;
	dhcp_fsm_start(d, 50000);
	ck_assert_int_eq(d->state, DHCP_S_INIT);
	ck_assert(d->deadline_ms >= 51000 && d->deadline_ms <= 60000);
	ck_assert_uint_eq(d->tries, 0);
	free(d);
}
END_TEST

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Routers in order of preference: the next after the one in use. */
START_TEST(gateway_fallback_takes_the_next_router_round)
{
	struct dhcp_lease l = { .nrouters = 3, .routers = { ip("10.0.0.1"),
	    ip("10.0.0.2"), ip("10.0.0.3") } };

	l.router = l.routers[0];
	ck_assert_uint_eq(dhcp_gw_next(&l), ip("10.0.0.2"));
	l.router = l.routers[2];
	ck_assert_uint_eq(dhcp_gw_next(&l), ip("10.0.0.1"));
	l.router = ip("10.9.9.9");	/* not listed: back to the first */
	ck_assert_uint_eq(dhcp_gw_next(&l), ip("10.0.0.1"));
}
END_TEST

/* A renewal keeps the router that answers if the server still lists it. */
START_TEST(renewal_keeps_the_router_in_use)
{
	struct dhcp_lease old = { .router = ip("10.0.0.2") };
	struct dhcp_lease l = { .nrouters = 2, .routers = { ip("10.0.0.1"),
	    ip("10.0.0.2") }, .router = ip("10.0.0.1") };
	struct dhcp_lease gone = { .nrouters = 1, .routers = { ip("10.0.0.1") },
	    .router = ip("10.0.0.1") };

	dhcp_gw_keep(&old, &l);
	ck_assert_uint_eq(l.router, ip("10.0.0.2"));
	dhcp_gw_keep(&old, &gone);
	ck_assert_uint_eq(gone.router, ip("10.0.0.1"));
}
END_TEST

/* A server's domain is kept only if the static setting would take it:
 * it goes into resolv.conf and into space-separated console replies. */
START_TEST(lease_domain_must_be_a_domain_name)
{
	struct dhcp_msg m = { .yiaddr = ip("10.0.0.5"), .mask =
	    ip("255.255.255.0"), .server_id = ip("10.0.0.1"),
	    .lease_s = 3600 };
	struct dhcp_lease l;

	m.has = DHCP_HAS(DHCP_O_MASK) | DHCP_HAS(DHCP_O_SERVER_ID) |
	    DHCP_HAS(DHCP_O_LEASE) | DHCP_HAS(DHCP_O_DOMAIN);
	snprintf(m.domain, sizeof m.domain, "ex.test");
	ck_assert(dhcp_fsm_lease_from(&m, &l));
	ck_assert_str_eq(l.domain, "ex.test");
	snprintf(m.domain, sizeof m.domain, "x OBTAINED 2001-01-01T00:00:00Z");
	ck_assert(dhcp_fsm_lease_from(&m, &l));
	ck_assert_str_eq(l.domain, "");
	ck_assert_uint_eq(l.addr, ip("10.0.0.5"));
}
END_TEST

/* An ARP from the router in use clears the missed asks; others do not. */
START_TEST(gateway_answer_clears_the_misses)
{
	struct dhcp *d = calloc(1, sizeof *d);
	struct dhcp_msg_arp a = { .op = 2, .sha = { 2, 0, 0, 0, 0, 9 } };

	d->state = DHCP_S_BOUND;
	d->lease.router = ip("10.0.0.1");
	d->gw_asked = true;
	d->gw_misses = 2;
	d->gw_failed = 1;
	a.spa = ip("10.0.0.7");
	dhcp_fsm_arp(d, &a, 1000);
	ck_assert(d->gw_asked && d->gw_misses == 2);
	a.spa = ip("10.0.0.1");
	dhcp_fsm_arp(d, &a, 1000);
	ck_assert(!d->gw_asked && d->gw_misses == 0 && d->gw_failed == 0);
	free(d);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(start_delay_is_one_to_ten_seconds_by_default),
		CHECK_CASE(start_delay_configured_short_or_zero),
		CHECK_CASE(start_without_a_lease_waits_before_discovering),
		CHECK_CASE(gateway_fallback_takes_the_next_router_round),
		CHECK_CASE(renewal_keeps_the_router_in_use),
		CHECK_CASE(gateway_answer_clears_the_misses),
		CHECK_CASE(lease_domain_must_be_a_domain_name),
	};

	return check_cases_run("dhcp_fsm", cases,
	    sizeof cases / sizeof *cases, setup, teardown);
}
