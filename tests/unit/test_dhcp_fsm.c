/* SPDX-License-Identifier: MIT */
/*
 * The dhcp service's state machine decisions (services/dhcp/dhcp_fsm.c)
 * that need no sockets: the random wait before the first DISCOVER
 * (RFC 2131 §4.4.1).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus.h"
#include "check_cases.h"
#include "dhcp/dhcp_priv.h"
#include "model.h"
#include "state.h"

static void
setup(void)
{
	struct state_identity ident = { 0 };

	ident.model = model_get(MODEL_880TA);
	snprintf(ident.uid, sizeof ident.uid, "0000ABCD");
	snprintf(ident.firmware, sizeof ident.firmware, "4.4.0.2");
	ck_assert_int_eq(bus_init(), 0);
	ck_assert_int_eq(state_init(&ident), 0);
}

static void
teardown(void)
{
	state_fini();
	bus_shutdown();
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

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(start_delay_is_one_to_ten_seconds_by_default),
		CHECK_CASE(start_delay_configured_short_or_zero),
		CHECK_CASE(start_without_a_lease_waits_before_discovering),
	};

	return check_cases_run("dhcp_fsm", cases,
	    sizeof cases / sizeof *cases, setup, teardown);
}
