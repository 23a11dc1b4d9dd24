/* SPDX-License-Identifier: MIT */
/* The SNMP service's pure part (services/snmp/snmp_map.c). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check_cases.h"
#include "snmp/snmp_map.h"
#include "state.h"

static struct snmp_map_conf
conf(const char *ro, const char *rw, const char *mgr)
{
	struct snmp_map_conf c = {
		.ro_community = ro, .rw_community = rw, .sources = "default",
		.manager = mgr, .manager_port = 162, .trap = SNMP_MAP_TRAP_V2C,
		.auth_traps = true,
	};
	return c;
}

START_TEST(conf_has_view_ro_and_no_rw_when_empty)
{
	struct snmp_map_conf c = conf("public", "", "");
	char buf[SNMP_MAP_CONF_MAX], why[160];

	ck_assert_int_eq(snmp_map_conf_text(&c, buf, sizeof buf, why,
	    sizeof why), 0);
	ck_assert_str_eq(why, "");
	ck_assert_ptr_nonnull(strstr(buf,
	    "rocommunity public default -V cvview\n"));
	ck_assert_ptr_null(strstr(buf, "rwcommunity"));
	ck_assert_ptr_null(strstr(buf, "sink"));	/* no manager */
	ck_assert_ptr_nonnull(strstr(buf,
	    "view cvview included .1.3.6.1.4.1.21831\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	    "view cvview included .1.3.6.1.2.1.2\n"));
	/* the VACM and USM tables stay out of every view */
	ck_assert_ptr_null(strstr(buf, ".1.3.6.1.6.3.16"));
	ck_assert_ptr_null(strstr(buf, ".1.3.6.1.6.3.15.1.2"));
	ck_assert_ptr_nonnull(strstr(buf, "authtrapenable 1\n"));
	ck_assert_ptr_null(strstr(buf, "user"));
}
END_TEST

START_TEST(conf_rw_per_source_and_sinks_per_version)
{
	struct snmp_map_conf c = conf("pub", "s3cret", "192.0.2.9");
	char buf[SNMP_MAP_CONF_MAX], why[160];

	c.sources = "127.0.0.1, 10.1.0.0/16";
	c.manager_port = 1162;
	ck_assert_int_eq(snmp_map_conf_text(&c, buf, sizeof buf, why,
	    sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(buf,
	    "rocommunity pub 127.0.0.1 -V cvview\n"
	    "rocommunity pub 10.1.0.0/16 -V cvview\n"
	    "rwcommunity s3cret 127.0.0.1 -V cvview\n"
	    "rwcommunity s3cret 10.1.0.0/16 -V cvview\n"));
	ck_assert_ptr_nonnull(strstr(buf, "trap2sink 192.0.2.9:1162 pub\n"));
	c.trap = SNMP_MAP_TRAP_V1;
	snmp_map_conf_text(&c, buf, sizeof buf, why, sizeof why);
	ck_assert_ptr_nonnull(strstr(buf, "\ntrapsink 192.0.2.9:1162 pub\n"));
	/* informs go out on the service's own session (which gets its
	   authenticationFailure from the service); the sinks still get
	   net-snmp's */
	c.trap = SNMP_MAP_INFORM;
	snmp_map_conf_text(&c, buf, sizeof buf, why, sizeof why);
	ck_assert_ptr_null(strstr(buf, "sink"));
	ck_assert_ptr_null(strstr(buf, "trapsess"));
	ck_assert_ptr_nonnull(strstr(buf, "authtrapenable 1\n"));
}
END_TEST

START_TEST(conf_more_destinations_per_kind)
{
	struct snmp_map_conf c = conf("pub", "", "192.0.2.9");
	struct snmp_map_dest d[5] = {
		{ .t = { "192.0.2.10", 162, TRAP_V1, "c1" } },
		{ .t = { "nms.example", 1162, TRAP_V2C_INFORM, "c2" } },
		{ .t = { "192.0.2.11", 162, TRAP_V3_INFORM, "clearone" },
		  .key_hex = "00112233445566778899aabbccddeeff00112233" },
		{ .t = { "192.0.2.12", 162, TRAP_V3, "clearone" },
		  .key_hex = "00112233445566778899aabbccddeeff00112233" },
		{ .t = { "192.0.2.13", 1163, TRAP_V2C, "c3" } },
	};
	char buf[SNMP_MAP_CONF_MAX], why[160];

	c.dests = d;
	c.ndests = 5;
	ck_assert_int_eq(snmp_map_conf_text(&c, buf, sizeof buf, why,
	    sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(buf, "trap2sink 192.0.2.9:162 pub\n"
	    "trapsink 192.0.2.10:162 c1\n"
	    "trap2sink 192.0.2.13:1163 c3\n"));
	/* informs and v3 traps go out on the service's own sessions, so an
	   unacknowledged inform is seen for every destination */
	ck_assert_ptr_null(strstr(buf, "informsink"));
	ck_assert_ptr_null(strstr(buf, "trapsess"));
	ck_assert_ptr_null(strstr(buf, "0011223344"));
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(conf_v3_users_need_priv)
{
	static const char *const users[] = { "clearone", "tech.1" };
	struct snmp_map_conf c = conf("public", "", "");
	char buf[SNMP_MAP_CONF_MAX], why[160];

	c.v3_users = users;
	c.nv3_users = 2;
	ck_assert_int_eq(snmp_map_conf_text(&c, buf, sizeof buf, why,
	    sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(buf,
	    "rwuser clearone priv -V cvview\nrwuser tech.1 priv -V cvview\n"));
}
END_TEST

START_TEST(conf_leaves_out_communities_the_parser_would_split)
{
	struct snmp_map_conf c = conf("pub\"lic", "a#b", "192.0.2.9");
	char buf[SNMP_MAP_CONF_MAX], why[160];

	ck_assert_int_eq(snmp_map_conf_text(&c, buf, sizeof buf, why,
	    sizeof why), 0);
	ck_assert_ptr_null(strstr(buf, "community"));
	ck_assert_ptr_null(strstr(buf, "sink"));
	ck_assert_str_ne(why, "");
}
END_TEST

START_TEST(conf_short_buffer_fails)
{
	struct snmp_map_conf c = conf("public", "", "");
	char buf[64], why[160];

	ck_assert_int_eq(snmp_map_conf_text(&c, buf, sizeof buf, why,
	    sizeof why), -EINVAL);
}
END_TEST

START_TEST(sources_are_checked)
{
	char why[160];

	ck_assert_int_eq(snmp_map_sources_check("default", why, sizeof why),
	    0);
	ck_assert_int_eq(snmp_map_sources_check("10.0.0.0/8,127.0.0.1", why,
	    sizeof why), 0);
	ck_assert_int_eq(snmp_map_sources_check("", why, sizeof why),
	    -EINVAL);
	ck_assert_int_eq(snmp_map_sources_check("10.0.0.0/33", why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(snmp_map_sources_check("256.1.1.1", why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(snmp_map_sources_check("10.0.0.0/", why,
	    sizeof why), -EINVAL);
	ck_assert_int_eq(snmp_map_sources_check("host.example", why,
	    sizeof why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "host.example"));
}
END_TEST

START_TEST(notes_follow_the_bus_message)
{
	struct bus_msg m = { .type = BUS_METERS };

	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_NONE);
	m.type = BUS_EVENT;
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_EVENT);
	/* a changed setting is notified once, as a setting */
	m.u.event.category = EVENT_SETTINGS;
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_NONE);
	memset(&m, 0, sizeof m);
	m.type = BUS_SERVICE;
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_SERVICE);
	m.type = BUS_CHANGE;
	m.u.change.what = STATE_F_GAIN;
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_AUDIO);
	m.u.change.what = STATE_F_PRESET;
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_AUDIO);
	m.u.change.what = STATE_F_SETTING;
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_SETTING);
	m.u.change.what = STATE_F_USER;	/* users stay private */
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_NONE);
	m.u.change.what = STATE_F_RAMP;
	ck_assert_int_eq(snmp_map_note(&m), SNMP_MAP_NOTE_NONE);
}
END_TEST

START_TEST(rows_cover_storage_groups_once)
{
	const struct model *m = model_get(MODEL_880TA);
	const struct model_group *g;
	int ch, n = snmp_map_rows(m);

	/* I12 O8 J4 P8 F4 T1 R1; M and L are views of I */
	ck_assert_int_eq(n, 38);
	ck_assert_int_eq(snmp_map_row(m, 1, &g, &ch), 0);
	ck_assert_int_eq(g->letter, 'I');
	ck_assert_int_eq(ch, 0);
	ck_assert_int_eq(snmp_map_row(m, 13, &g, &ch), 0);
	ck_assert_int_eq(g->letter, 'O');
	ck_assert_int_eq(ch, 0);
	ck_assert_int_eq(snmp_map_row(m, n, &g, &ch), 0);
	ck_assert_int_eq(g->letter, 'R');
	ck_assert_int_eq(snmp_map_row(m, 0, &g, &ch), -ENOENT);
	ck_assert_int_eq(snmp_map_row(m, n + 1, &g, &ch), -ENOENT);
	for (int r = 1; r <= n; r++) {
		ck_assert_int_eq(snmp_map_row(m, r, &g, &ch), 0);
		ck_assert(g->caps & GRP_GAIN);
		ck_assert_int_eq(g->alias, 0);
	}
}
END_TEST

START_TEST(gain_units_round_trip)
{
	ck_assert_int_eq(snmp_map_centidb(-12.5), -1250);
	ck_assert_int_eq(snmp_map_centidb(-0.004), 0);
	ck_assert_int_eq(snmp_map_centidb(GAIN_ENTRY_MAX), 9990);
	ck_assert_int_eq(snmp_map_centidb(-7.005), -701);
	ck_assert(snmp_map_db(-1250) == -12.5);
}
END_TEST

START_TEST(bucket_limits_and_refills)
{
	struct snmp_map_bucket b;
	int n = 0;

	snmp_map_bucket_init(&b, 5, 1000);
	while (snmp_map_bucket_take(&b, 1000))
		n++;
	ck_assert_int_eq(n, 5);
	ck_assert(!snmp_map_bucket_take(&b, 1100));	/* 0.5 token */
	ck_assert(snmp_map_bucket_take(&b, 1200));	/* 1 token */
	n = 0;
	while (snmp_map_bucket_take(&b, 60000))
		n++;
	ck_assert_int_eq(n, 5);		/* never more than a burst */
	ck_assert(!snmp_map_bucket_take(&b, 50000));	/* clock went back */
}
END_TEST

int
main(void)
{
	const struct check_case cases[] = {
		CHECK_CASE(conf_has_view_ro_and_no_rw_when_empty),
		CHECK_CASE(conf_rw_per_source_and_sinks_per_version),
		CHECK_CASE(conf_more_destinations_per_kind),
		CHECK_CASE(conf_v3_users_need_priv),
		CHECK_CASE(conf_leaves_out_communities_the_parser_would_split),
		CHECK_CASE(conf_short_buffer_fails),
		CHECK_CASE(sources_are_checked),
		CHECK_CASE(notes_follow_the_bus_message),
		CHECK_CASE(rows_cover_storage_groups_once),
		CHECK_CASE(gain_units_round_trip),
		CHECK_CASE(bucket_limits_and_refills),
	};

	return check_cases_run("snmp_map", cases,
	    sizeof cases / sizeof *cases, NULL, NULL);
}
