/* SPDX-License-Identifier: MIT */
/*
 * The dhcp service's lease helpers (services/dhcp/dhcp_lease.c): static
 * mode's checks of the network.* settings, the lease file kept for
 * INIT-REBOOT, and what the status page is shown.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "check_cases.h"
#include "unit_state.h"
#include "dhcp/dhcp_priv.h"
#include "model.h"
#include "state.h"

static const struct origin web = { "web", 0, 1, "clearone", "test" };
static char why[200];

static void
setup(void)
{
	unit_state_up("0000ABCD");
	why[0] = '\0';
}

static void
teardown(void)
{
	unit_state_down();
}

/* Set the static settings ("" leaves one empty). */
static void
net(const char *addr, const char *mask, const char *gw)
{
	ck_assert_int_eq(state_setting_set(SET_NET_ADDR, addr, &web, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_NET_MASK, mask, &web, why,
	    sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_NET_GATEWAY, gw, &web, why,
	    sizeof why), 0);
}

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

START_TEST(static_accepts_a_host_with_gateway_dns_and_domain)
{
	struct dhcp_lease l;

	net("10.77.0.20", "255.255.255.0", "10.77.0.1");
	ck_assert_int_eq(state_setting_set(SET_NET_DNS2, "10.77.0.54", &web,
	    why, sizeof why), 0);
	ck_assert_int_eq(state_setting_set(SET_NET_DOMAIN, "ex.test", &web,
	    why, sizeof why), 0);
	ck_assert_int_eq(dhcp_lease_static(&l, why, sizeof why), 0);
	ck_assert_uint_eq(l.addr, ip("10.77.0.20"));
	ck_assert_uint_eq(l.mask, ip("255.255.255.0"));
	ck_assert_uint_eq(l.router, ip("10.77.0.1"));
	/* only the second DNS server set: it is the first one written */
	ck_assert_uint_eq(l.ndns, 1);
	ck_assert_uint_eq(l.dns[0], ip("10.77.0.54"));
	ck_assert_str_eq(l.domain, "ex.test");
}
END_TEST

/* Static set-ups that cannot work, and the reason a user reads. */
static const struct {
	const char *addr, *mask, *gw, *why;
} static_bad[] = {
	{ "10.77.0.0", "255.255.255.0", "",
	    "network.address is the subnet's network address" },
	{ "10.77.1.255", "255.255.254.0", "",
	    "network.address is the subnet's broadcast address" },
	{ "10.77.0.20", "255.255.255.0", "10.77.1.1",
	    "network.gateway is not another address inside the subnet" },
	{ "10.77.0.20", "255.255.255.0", "10.77.0.20",
	    "network.gateway is not another address inside the subnet" },
	{ "10.77.0.20", "", "",
	    "network.address and network.mask must be set" },
};

START_TEST(static_refusal_table)
{
	struct dhcp_lease l;

	net(static_bad[_i].addr, static_bad[_i].mask, static_bad[_i].gw);
	ck_assert_int_eq(dhcp_lease_static(&l, why, sizeof why), -EINVAL);
	ck_assert_str_eq(why, static_bad[_i].why);
}
END_TEST

START_TEST(static_allows_both_addresses_of_a_slash_31)
{
	struct dhcp_lease l;

	net("10.77.0.0", "255.255.255.254", "10.77.0.1");
	ck_assert_int_eq(dhcp_lease_static(&l, why, sizeof why), 0);
	net("10.77.0.1", "255.255.255.254", "10.77.0.0");
	ck_assert_int_eq(dhcp_lease_static(&l, why, sizeof why), 0);
}
END_TEST

START_TEST(static_refused_with_factory_settings)
{
	struct dhcp_lease l;

	/* the factory defaults: address and mask empty */
	ck_assert_int_eq(dhcp_lease_static(&l, why, sizeof why), -EINVAL);
	ck_assert_str_eq(why, "network.address and network.mask must be set");
}
END_TEST

START_TEST(lease_file_keeps_the_address_for_init_reboot)
{
	char dir[] = "/tmp/dhcp-lease-XXXXXX";
	struct dhcp *d = calloc(1, sizeof *d);
	struct dhcp_lease back;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(d->lease_file, sizeof d->lease_file, "%s/lease", dir);
	ck_assert_int_eq(dhcp_lease_load(d, &back), -ENOENT);
	d->lease.addr = ip("10.77.0.130");
	d->lease.mask = ip("255.255.255.0");
	d->lease.router = ip("10.77.0.1");
	d->lease.server = ip("10.77.0.1");
	d->lease.lease_s = 120;
	ck_assert_int_eq(dhcp_lease_save(d), 0);
	ck_assert_int_eq(dhcp_lease_load(d, &back), 0);
	ck_assert_uint_eq(back.addr, ip("10.77.0.130"));
	ck_assert_uint_eq(back.mask, ip("255.255.255.0"));
	ck_assert_uint_eq(back.router, ip("10.77.0.1"));
	/* no lease: the file goes, so INIT-REBOOT asks for nothing */
	d->lease.addr = 0;
	ck_assert_int_eq(dhcp_lease_save(d), 0);
	ck_assert_int_eq(access(d->lease_file, F_OK), -1);
	ck_assert_int_eq(dhcp_lease_load(d, &back), -ENOENT);
	rmdir(dir);
	free(d);
}
END_TEST

START_TEST(lease_file_with_garbage_is_no_lease)
{
	char path[] = "/tmp/dhcp-lease-XXXXXX";
	struct dhcp *d = calloc(1, sizeof *d);
	struct dhcp_lease back;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "address=10.77.0\nserver=x\n", 25), 25);
	close(fd);
	snprintf(d->lease_file, sizeof d->lease_file, "%s", path);
	ck_assert_int_eq(dhcp_lease_load(d, &back), -ENOENT);
	unlink(path);
	free(d);
}
END_TEST

START_TEST(publish_shows_the_lease_and_what_was_ignored)
{
	struct dhcp *d = calloc(1, sizeof *d);
	struct state_lease s;

	d->lease.addr = ip("10.77.0.130");
	d->lease.mask = ip("255.255.255.0");
	d->lease.server = ip("10.77.0.1");
	d->lease.router = ip("10.77.0.1");
	d->lease.obtained = 1000;
	d->lease.lease_s = 120;
	d->counters[DHCP_C_RECEIVED] = 4;
	d->counters[DHCP_C_MALFORMED] = 2;
	d->counters[DHCP_C_NOT_OURS] = 3;
	d->counters[DHCP_C_OTHER_SERVER] = 1;
	dhcp_lease_publish(d);
	state_lease_get(&s);
	ck_assert(s.bound);
	ck_assert_str_eq(s.address, "10.77.0.130");
	ck_assert_str_eq(s.mask, "255.255.255.0");
	ck_assert_int_eq(s.expires, 1120);
	ck_assert_uint_eq(s.received, 4);
	ck_assert_uint_eq(s.ignored, 6);
	d->lease.addr = 0;
	dhcp_lease_publish(d);
	state_lease_get(&s);
	ck_assert(!s.bound);
	free(d);
}
END_TEST

START_TEST(publish_shows_routers_dns_domain_t1_t2)
{
	struct dhcp *d = calloc(1, sizeof *d);
	struct state_lease s;

	d->lease.addr = ip("10.77.0.130");
	d->lease.mask = ip("255.255.255.0");
	d->lease.nrouters = 2;
	d->lease.routers[0] = ip("10.77.0.9");
	d->lease.routers[1] = ip("10.77.0.1");
	d->lease.router = ip("10.77.0.1");
	d->lease.ndns = 2;
	d->lease.dns[0] = ip("10.77.0.53");
	d->lease.dns[1] = ip("10.77.0.54");
	snprintf(d->lease.domain, sizeof d->lease.domain, "ex.test");
	d->lease.obtained = 1000;
	d->lease.lease_s = 120;
	d->lease.t1_s = 60;
	d->lease.t2_s = 105;
	dhcp_lease_publish(d);
	state_lease_get(&s);
	ck_assert_str_eq(s.router, "10.77.0.1");
	ck_assert_str_eq(s.routers[0], "10.77.0.9");
	ck_assert_str_eq(s.routers[1], "10.77.0.1");
	ck_assert_str_eq(s.routers[2], "");
	ck_assert_str_eq(s.dns[0], "10.77.0.53");
	ck_assert_str_eq(s.dns[1], "10.77.0.54");
	ck_assert_str_eq(s.domain, "ex.test");
	ck_assert_int_eq(s.t1, 1060);
	ck_assert_int_eq(s.t2, 1105);
	ck_assert_int_eq(s.expires, 1120);
	free(d);
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(static_accepts_a_host_with_gateway_dns_and_domain),
		CHECK_LOOP(static_refusal_table,
		    (int)(sizeof static_bad / sizeof static_bad[0])),
		CHECK_CASE(static_allows_both_addresses_of_a_slash_31),
		CHECK_CASE(static_refused_with_factory_settings),
		CHECK_CASE(lease_file_keeps_the_address_for_init_reboot),
		CHECK_CASE(lease_file_with_garbage_is_no_lease),
		CHECK_CASE(publish_shows_the_lease_and_what_was_ignored),
		CHECK_CASE(publish_shows_routers_dns_domain_t1_t2),
	};

	return check_cases_run("dhcp_lease", cases,
	    sizeof cases / sizeof *cases, setup, teardown);
}
