/* SPDX-License-Identifier: MIT */
/*
 * The SNMP agent: net-snmp's embedded master agent on the service's own
 * thread (the library is not reentrant: init, requests, notifications
 * and shutdown all happen here, libraries.md §2). Communities and the
 * trap destination come from the shared state; when they change, the
 * private configuration file is rewritten and net-snmp re-reads it, with
 * no restart. It never reads /etc/snmp nor writes /var/lib/snmp: the
 * configuration and persistent folders live under [snmp] data_dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "clock.h"
#include "log.h"
#include "snmp_priv.h"

#define SNMP_APP "convergd"	/* net-snmp reads <dir>/convergd.conf */
#define SNMP_BUS_DEPTH 256
#define SNMP_BUS_BURST 64
#define SNMP_FDS_MAX 64
#define SNMP_READ_BURST 16	/* packets read per poll at most */

/* libnetsnmpmibs has no headers for its module initialisers. */
void init_vacm_vars(void);
void init_usmUser(void);
void init_snmp_mib(void);
void init_snmpEngine(void);
void init_snmpMPDStats(void);
void init_usmStats(void);
void init_ifTable(void);
void init_ifXTable(void);

static const char *const snmp_trap_choices[] = { "v1", "v2c", "inform",
	NULL };

static const struct cfg_key snmp_keys[] = {
	{ "data_dir", CFG_PATH, 0, 255, "/var/lib/convergd/snmp", NULL,
	    "private folder for net-snmp's configuration and engine state" },
	{ "sources", CFG_STRING, 1, 255, "default", NULL,
	    "networks that may use the communities: 'default' (any) or "
	    "a.b.c.d[/len], separated by commas; the setting snmp.sources, "
	    "when not empty, replaces it at run time" },
	{ "trap_version", CFG_CHOICE, 0, 0, "v2c", snmp_trap_choices,
	    "notifications to snmp.manager: v1 trap, v2c trap or v2c inform" },
	{ "auth_traps", CFG_BOOL, 0, 1, "yes", NULL,
	    "send authenticationFailure on a bad community" },
	{ "inform_timeout", CFG_INT, 1, 60, "2",
	    NULL, "seconds before an unacknowledged inform is sent again" },
	{ "inform_retries", CFG_INT, 0, 10, "3", NULL,
	    "times an inform is sent again" },
	{ "max_notify_rate", CFG_INT, 1, 1000, "20", NULL,
	    "notifications a second at most (bursts of as many); the rest "
	    "are dropped and counted" },
	{ NULL },
};

/* net-snmp's log lines go to ours, on this thread. */
static int
snmp_log_cb(int major, int minor, void *server_arg, void *client_arg)
{
	const struct snmp_log_message *m = server_arg;
	size_t n = m->msg ? strlen(m->msg) : 0;

	(void)major;
	(void)minor;
	(void)client_arg;
	while (n > 0 && m->msg[n - 1] == '\n')
		n--;
	if (m->priority <= LOG_WARNING)
		log_warnx("net-snmp: %.*s", (int)n, m->msg);
	else
		log_debug("net-snmp: %.*s", (int)n, m->msg);
	return 0;
}

static int
snmp_mkdir(const char *path, char *why, size_t whylen)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	snprintf(why, whylen, "cannot create %s: %s", tmp, strerror(errno));
	return -errno;
}

/* Managers and Administrators are the SNMPv3 users (those with a key). */
static size_t
snmp_v3_users(struct state_user_info *out)
{
	struct state_user_info all[STATE_USERS_MAX];
	size_t n = state_user_list(all, STATE_USERS_MAX), k = 0;
	uint8_t key[USMKEY_LEN];

	for (size_t i = 0; i < n; i++)
		if (all[i].level >= LEVEL_MANAGER &&
		    state_user_usm_key(all[i].name, key) == 0)
			out[k++] = all[i];
	explicit_bzero(key, sizeof key);
	return k;
}

/*
 * Destinations 2-8 from the state; a v3 inform carries its user's key
 * (a Manager or Administrator: `users`), none if it is not one of them.
 */
static size_t
snmp_dests(struct snmp_map_dest *out, const struct state_user_info *users,
    size_t nusers)
{
	char v[160];
	uint8_t key[USMKEY_LEN];
	size_t n = 0;

	for (int s = SET_SNMP_TRAP2; s <= SET_SNMP_TRAP8; s++) {
		struct snmp_map_dest *d = &out[n];

		state_setting_get(s, v, sizeof v);
		if (state_snmp_trap(v, &d->t, NULL) != 0)
			continue;
		d->setting = s;
		d->key_hex[0] = '\0';
		for (size_t i = 0; (d->t.kind == TRAP_V3_INFORM ||
		    d->t.kind == TRAP_V3) && i < nusers; i++)
			if (strcmp(users[i].name, d->t.name) == 0 &&
			    state_user_usm_key(d->t.name, key) == 0)
				for (size_t b = 0; b < USMKEY_LEN; b++)
					snprintf(d->key_hex + 2 * b, 3, "%02x",
					    key[b]);
		n++;
	}
	explicit_bzero(key, sizeof key);
	return n;
}

size_t
snmp_dest_list(struct snmp_map_dest *out)
{
	struct state_user_info users[STATE_USERS_MAX];

	return snmp_dests(out, users, snmp_v3_users(users));
}

/* The configuration text for the state's settings now. */
static int
snmp_conf_make(struct snmp_agent *a, char *buf, size_t len, char *why,
    size_t whylen)
{
	struct state_user_info users[STATE_USERS_MAX];
	const char *names[STATE_USERS_MAX];
	struct snmp_map_dest dests[SNMP_MAP_DESTS];
	size_t nusers = snmp_v3_users(users);
	char ro[64], rw[64], mgr[64], port[16], sources[256];
	int err;
	struct snmp_map_conf c = {
		.ro_community = ro, .rw_community = rw, .manager = mgr,
		.sources = sources,
		.auth_traps = svc_cfg_bool(a->ctx, "auth_traps"),
	};
	const char *tv = svc_cfg_str(a->ctx, "trap_version");

	for (size_t i = 0; i < nusers; i++)
		names[i] = users[i].name;
	c.v3_users = names;
	c.nv3_users = nusers;
	c.dests = dests;
	c.ndests = snmp_dests(dests, users, nusers);

	/* the setting, changed at run time; empty: the configured default */
	state_setting_get(SET_SNMP_SOURCES, sources, sizeof sources);
	if (sources[0] == '\0')
		snprintf(sources, sizeof sources, "%s",
		    svc_cfg_str(a->ctx, "sources"));
	state_setting_get(SET_SNMP_RO_COMMUNITY, ro, sizeof ro);
	state_setting_get(SET_SNMP_RW_COMMUNITY, rw, sizeof rw);
	state_setting_get(SET_SNMP_MANAGER, mgr, sizeof mgr);
	state_setting_get(SET_SNMP_MANAGER_PORT, port, sizeof port);
	c.manager_port = atoi(port);
	c.trap = strcmp(tv, "v1") == 0 ? SNMP_MAP_TRAP_V1 :
	    strcmp(tv, "inform") == 0 ? SNMP_MAP_INFORM : SNMP_MAP_TRAP_V2C;
	err = snmp_map_conf_text(&c, buf, len, why, whylen);
	explicit_bzero(dests, sizeof dests);
	return err;
}

/* Replace a file net-snmp reads (mode 0600: it holds communities). */
static int
snmp_file_write(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	size_t len = strlen(text);
	int fd, err = 0;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	if (err == 0 && rename(tmp, path) < 0)
		err = -errno;
	if (err < 0)
		unlink(tmp);
	return err;
}

/* Bring net-snmp's configuration in line with the state. */
static int
snmp_conf_sync(struct snmp_agent *a, bool reload)
{
	char text[SNMP_MAP_CONF_MAX], why[BUS_TEXT_MAX];
	int err;

	err = snmp_conf_make(a, text, sizeof text, why, sizeof why);
	if (why[0] != '\0')
		log_warnx("%s", why);
	if (err < 0)
		return err;
	if (strcmp(text, a->conf_text) == 0)
		return 0;
	err = snmp_file_write(a->conf_file, text);
	if (err < 0) {
		log_warnx("cannot write %s: %s", a->conf_file, strerror(-err));
		return err;
	}
	memcpy(a->conf_text, text, sizeof text);
	if (reload) {
		update_config();
		snmp_usm_sync(a);
		log_info("communities, users and trap destination updated");
	}
	return 0;
}

static void
snmp_lib_stop(struct snmp_agent *a)
{
	if (!a->lib_up)
		return;
	snmp_notify_close(a);
	snmp_shutdown(SNMP_APP);
	shutdown_master_agent();
	shutdown_agent();
	a->lib_up = false;
}

static void
snmp_lib_settings(struct snmp_agent *a)
{
	char ports[64];

	snprintf(ports, sizeof ports, "udp:%s:%ld",
	    svc_cfg_str(a->ctx, "bind"), svc_cfg_int(a->ctx, "port"));
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
	    snmp_log_cb, NULL);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_ROLE, 0);	/* master */
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_PORTS, ports);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_DONT_LOG_TCPWRAPPERS_CONNECTS, 1);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_CONFIGURATION_DIR, a->conf_dir);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_PERSISTENT_DIR, a->persist_dir);
	/* no MIB directory either (conf/snmp.conf says "mibs :") */
	netsnmp_set_mib_directory("");
}

static int
snmp_lib_start(struct snmp_agent *a, char *why, size_t whylen)
{
	int err;

	snmp_lib_settings(a);
	{
		/* no SMUX peer socket (TCP 199): nothing of ours uses it */
		char no_smux[] = "-smux";

		add_to_init_list(no_smux);
	}
	if (init_agent(SNMP_APP) != 0) {
		snprintf(why, whylen, "net-snmp init_agent failed");
		return -EIO;
	}
	a->lib_up = true;
	init_vacm_vars();
	init_usmUser();
	init_snmp_mib();
	init_snmpEngine();
	init_snmpMPDStats();
	init_usmStats();
	/* interface counters: the host's interfaces, as net-snmp reads them */
	init_ifTable();
	init_ifXTable();
	err = snmp_mib_register(a);
	if (err < 0) {
		snprintf(why, whylen, "cannot register the MIB: %s",
		    strerror(-err));
		return err;
	}
	init_snmp(SNMP_APP);
	if (init_master_agent() != 0) {
		snprintf(why, whylen, "cannot listen on udp %s:%ld (in use?)",
		    svc_cfg_str(a->ctx, "bind"), svc_cfg_int(a->ctx, "port"));
		return -EADDRINUSE;
	}
	return 0;
}

/* coldStart the first time in this process, warmStart after a restart. */
static void
snmp_start_trap(struct snmp_agent *a)
{
	size_t n = state_services(a->services, SNMP_SERVICES_MAX);
	unsigned restarts = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(a->services[i].name, svc_name(a->ctx)) == 0)
			restarts = a->services[i].restarts;
	snmp_notify_start(a, restarts > 0);
}

static int
snmp_paths(struct snmp_agent *a, char *why, size_t whylen)
{
	const char *dir = svc_cfg_str(a->ctx, "data_dir");
	char lib_conf[PATH_MAX];
	int err;

	/* the config key is at most 255 characters: these always fit */
	snprintf(a->conf_dir, sizeof a->conf_dir, "%s/conf", dir);
	snprintf(a->persist_dir, sizeof a->persist_dir, "%s/persist", dir);
	snprintf(a->conf_file, sizeof a->conf_file, "%s/conf/" SNMP_APP
	    ".conf", dir);
	err = snmp_mkdir(a->conf_dir, why, whylen);
	if (err == 0)
		err = snmp_mkdir(a->persist_dir, why, whylen);
	/* the library's own file: load no MIB text (Debian ships none) */
	snprintf(lib_conf, sizeof lib_conf, "%s/snmp.conf", a->conf_dir);
	if (err == 0 && snmp_file_write(lib_conf, "mibs :\n") < 0) {
		snprintf(why, whylen, "cannot write %s", lib_conf);
		err = -EIO;
	}
	return err;
}

/*
 * The agent's health in the status (GET /api/v1/status, Status page):
 * packets in, bad community names, packets that were no valid SNMP
 * message, and when the last one came. Put only when it changed.
 */
static void
snmp_health_put(struct snmp_agent *a)
{
	uint32_t in = snmp_get_statistic(STAT_SNMPINPKTS);
	char text[sizeof a->detail], when[32] = "";
	struct tm tm;

	if (in != a->in_pkts_seen) {
		a->in_pkts_seen = in;
		a->last_request = time(NULL);
	}
	if (a->last_request != 0 && gmtime_r(&a->last_request, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof text, "{\"requests\":%u,\"bad_community\":%u,"
	    "\"bad_pdu\":%u,\"last_request\":\"%s\"}", in,
	    snmp_get_statistic(STAT_SNMPINBADCOMMUNITYNAMES),
	    snmp_get_statistic(STAT_SNMPINASNPARSEERRS) +
	    snmp_get_statistic(STAT_SNMPINBADVERSIONS), when);
	/* not kept until the supervisor has our row: put it again */
	if (strcmp(text, a->detail) != 0 &&
	    state_service_detail_put(svc_name(a->ctx), text) == 0)
		memcpy(a->detail, text, sizeof text);
}

static void
snmp_free(struct snmp_agent *a)
{
	snmp_lib_stop(a);
	if (a->sub != NULL)
		bus_unsubscribe(a->sub);
	free(a);
}

/*
 * Audio changes only become notifications: with no destination set they
 * do not wake this thread (a gain set stays cheap), yet still queue in
 * order, so one that follows a new destination is sent to it.
 */
static void
snmp_sub_filter(struct snmp_agent *a)
{
	char dest[80];
	bool any;
	int s;

	state_setting_get(SET_SNMP_MANAGER, dest, sizeof dest);
	any = dest[0] != '\0';
	for (s = SET_SNMP_TRAP2; !any && s <= SET_SNMP_TRAP8; s++) {
		state_setting_get(s, dest, sizeof dest);
		any = dest[0] != '\0';
	}
	bus_sub_changes(a->sub, BUS_WHAT_ALL, any ? BUS_WHAT_ALL :
	    BUS_WHAT(STATE_F_SETTING) | BUS_WHAT(STATE_F_USER) |
	    BUS_WHAT(STATE_F_RELOADED));
}

static int
snmp_init(struct svc_ctx *ctx, char *why, size_t whylen)
{
	struct snmp_agent *a = calloc(1, sizeof *a);
	int err;

	if (a == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	a->ctx = ctx;
	state_identity(&a->id);
	snmp_map_bucket_init(&a->bucket,
	    (unsigned)svc_cfg_int(ctx, "max_notify_rate"), clock_ms());
	err = snmp_map_sources_check(svc_cfg_str(ctx, "sources"), why,
	    whylen);
	if (err == 0)
		err = snmp_paths(a, why, whylen);
	if (err == 0 && snmp_conf_sync(a, false) < 0) {
		snprintf(why, whylen, "cannot write %s", a->conf_file);
		err = -EIO;
	}
	if (err == 0) {
		a->sub = bus_subscribe(BUS_MASK(BUS_CHANGE) |
		    BUS_MASK(BUS_EVENT) | BUS_MASK(BUS_SERVICE),
		    SNMP_BUS_DEPTH);
		err = a->sub ? snmp_lib_start(a, why, whylen) : -ENOMEM;
	}
	if (err < 0) {
		snmp_free(a);
		return err;
	}
	svc_set_priv(ctx, a);
	snmp_usm_sync(a);
	snmp_notify_open(a);
	snmp_sub_filter(a);
	a->bad_seen = snmp_get_statistic(STAT_SNMPINBADCOMMUNITYNAMES);
	a->in_pkts_seen = snmp_get_statistic(STAT_SNMPINPKTS);
	snmp_health_put(a);
	snmp_start_trap(a);
	log_info("agent on udp %s:%ld", svc_cfg_str(ctx, "bind"),
	    svc_cfg_int(ctx, "port"));
	return 0;
}

static bool
snmp_conf_setting(int s)
{
	return s == SET_SNMP_MANAGER || s == SET_SNMP_MANAGER_PORT ||
	    s == SET_SNMP_RO_COMMUNITY || s == SET_SNMP_RW_COMMUNITY ||
	    s == SET_SNMP_SOURCES ||
	    (s >= SET_SNMP_TRAP2 && s <= SET_SNMP_TRAP8);
}

/* What a burst of bus messages asks to remake, done once per run of them. */
struct snmp_remake {
	bool conf, usm;
};

static void
snmp_remake_now(struct snmp_agent *a, struct snmp_remake *r)
{
	if (!r->conf && !r->usm)
		return;
	snmp_conf_sync(a, true);
	if (r->usm)
		snmp_usm_sync(a);
	snmp_notify_open(a);	/* destinations, and v3 ones' keys */
	snmp_sub_filter(a);	/* audio changes wake us with a destination */
	r->conf = r->usm = false;
}

/* The bus; true if net-snmp's configuration or sessions were remade. */
static bool
snmp_drain(struct snmp_agent *a)
{
	struct snmp_remake r = { false, false };
	struct bus_msg m;
	bool remade = false;

	for (int i = 0; i < SNMP_BUS_BURST && bus_take(a->sub, &m) == 1; i++) {
		bool reloaded = m.type == BUS_CHANGE &&
		    m.u.change.what == STATE_F_RELOADED;

		if (reloaded || (m.type == BUS_CHANGE &&
		    m.u.change.what == STATE_F_SETTING &&
		    snmp_conf_setting(m.u.change.integer)))
			r.conf = remade = true;
		/* a new password is a new key even when the text is the same */
		if (reloaded || (m.type == BUS_CHANGE &&
		    m.u.change.what == STATE_F_USER))
			r.usm = remade = true;
		if (snmp_map_note(&m) == SNMP_MAP_NOTE_NONE)
			continue;
		/* new destinations first: this notification goes there */
		snmp_remake_now(a, &r);
		if (snmp_map_bucket_take(&a->bucket, clock_ms()))
			snmp_mib_notify(a, &m);
		else
			a->notes_dropped++;
	}
	snmp_remake_now(a, &r);
	return remade;
}

/* net-snmp's sockets and its next timeout (informs, alarms) as pollfds. */
static nfds_t
snmp_fds(struct pollfd *fds, nfds_t max, int *timeout_ms)
{
	netsnmp_large_fd_set set;
	struct timeval tv = { 1, 0 };
	int numfds = 0, block = 1;
	nfds_t n = 0;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	snmp_select_info2(&numfds, &set, &tv, &block);
	for (int fd = 0; fd < numfds && n < max; fd++)
		if (NETSNMP_LARGE_FD_ISSET(fd, &set))
			fds[n++] = (struct pollfd){ fd, POLLIN, 0 };
	netsnmp_large_fd_set_cleanup(&set);
	*timeout_ms = block ? 1000 :
	    (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
	return n;
}

/*
 * Read what poll found ready, then net-snmp's timeouts and alarms: what
 * agent_check_and_process(0) does, without its own select_info and
 * select (a second look at the same sockets, two calls per packet).
 * Packets queued meanwhile are read in the same pass (a burst of
 * requests costs one poll, not one per packet).
 */
static void
snmp_serve(struct pollfd *fds, nfds_t n)
{
	netsnmp_large_fd_set set;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	for (int pass = 0; pass < SNMP_READ_BURST; pass++) {
		bool any = false;

		NETSNMP_LARGE_FD_ZERO(&set);
		for (nfds_t i = 0; i < n; i++)
			if (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) {
				NETSNMP_LARGE_FD_SET(fds[i].fd, &set);
				any = true;
			}
		if (!any)
			break;
		snmp_read2(&set);
		/* once more, without waiting: what came meanwhile */
		if (poll(fds, n, 0) <= 0)
			break;
	}
	netsnmp_large_fd_set_cleanup(&set);
	snmp_timeout();		/* informs due again or given up */
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
}

static int
snmp_run(struct svc_ctx *ctx)
{
	struct snmp_agent *a = svc_priv(ctx);
	struct pollfd fds[SNMP_FDS_MAX + 1];
	int timeout, rc;
	nfds_t n;

	while (!svc_should_stop(ctx)) {
		n = snmp_fds(fds, SNMP_FDS_MAX, &timeout);
		fds[n++] = (struct pollfd){ bus_sub_fd(a->sub), POLLIN, 0 };
		rc = svc_poll(ctx, fds, n, timeout);
		if (rc < 0) {
			svc_set_error(ctx, "poll: %s", strerror(-rc));
			return rc;
		}
		/* changes first: a request that came after a new password
		   or community is answered with it. Sessions remade: what
		   poll saw of their sockets is stale (POLLNVAL when gone) */
		if (snmp_drain(a))
			poll(fds, n - 1, 0);
		snmp_serve(fds, n - 1);
		snmp_notify_auth_check(a);
		snmp_health_put(a);
		svc_beat(ctx);
	}
	return 0;
}

static void
snmp_stop(struct svc_ctx *ctx)
{
	struct snmp_agent *a = svc_priv(ctx);

	if (a == NULL)
		return;
	snmp_free(a);
	svc_set_priv(ctx, NULL);
}

const struct service snmp_service = {
	.name = "snmp",
	.summary = "SNMP agent (v1/v2c/v3) and notifications (net-snmp)",
	.keys = snmp_keys,
	.default_port = 161,
	.default_enabled = false,
	.init = snmp_init,
	.run = snmp_run,
	.stop = snmp_stop,
};
