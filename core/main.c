/* SPDX-License-Identifier: MIT */
/*
 * convergd: command line, configuration, start-up and shutdown. Signals
 * are blocked in every thread and taken here with sigtimedwait; all the
 * work happens in the supervisor and service threads.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "bus.h"
#include "caps.h"
#include "config.h"
#include "log.h"
#include "model.h"
#include "persist.h"
#include "registry.h"
#include "state.h"
#include "supervisor.h"

#define MAIN_ERRORS_MAX 16384
#define MAIN_SECTIONS_MAX 40

enum { EXIT_USAGE = 2 };

struct main_opts {
	const char *config;
	bool foreground;
	bool check_only;
};

static struct cfg_section main_schema[MAIN_SECTIONS_MAX];
static size_t main_nschema;

static void
main_usage(FILE *out)
{
	fprintf(out,
	    "usage: convergd [-f] [-c FILE] [--check-config]\n"
	    "       convergd --version | --help\n"
	    "\n"
	    "  -f, --foreground    stay in the foreground, log to stderr\n"
	    "  -c, --config FILE   configuration file (default "
	    "/etc/convergd/convergd.conf)\n"
	    "      --check-config  check the configuration, print each problem\n"
	    "                      as FILE:LINE: [section] key: reason; exit 1 "
	    "on any\n"
	    "      --version       print the version and exit\n"
	    "  -h, --help          print this help and exit\n");
}

static int
main_parse_args(int argc, char **argv, struct main_opts *o)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->config = "/etc/convergd/convergd.conf";
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":fc:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->foreground = true;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->check_only = true;
			break;
		case 'V':
			printf("convergd %s\n", CONVERGD_VERSION);
			exit(EXIT_SUCCESS);
		case 'h':
			main_usage(stdout);
			exit(EXIT_SUCCESS);
		case ':':
			fprintf(stderr, "convergd: option '%s' needs a value; "
			    "see --help\n", argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "convergd: unknown option '%s'; see "
			    "--help\n", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "convergd: unexpected argument '%s'; see "
		    "--help\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* 8 hex digits from /etc/machine-id (FNV-1a), stable per machine. */
static void
main_derive_uid(char *uid, size_t len)
{
	uint32_t h = 2166136261u;
	FILE *fp = fopen("/etc/machine-id", "re");
	int c;

	if (fp) {
		while ((c = fgetc(fp)) != EOF && c != '\n')
			h = (h ^ (uint32_t)c) * 16777619u;
		fclose(fp);
	}
	snprintf(uid, len, "%08X", h);
}

static int
main_identity(const struct cfg *cfg, struct state_identity *id, char *why,
    size_t whylen)
{
	const char *uid = cfg_str(cfg, "unit", "uid");
	const char *mac = cfg_str(cfg, "unit", "mac");
	unsigned v;

	memset(id, 0, sizeof *id);
	id->model = model_by_name(cfg_str(cfg, "unit", "model"));
	if (!id->model) {
		snprintf(why, whylen, "[unit] model: unknown model");
		return -EINVAL;
	}
	id->device_id = (int)cfg_int(cfg, "unit", "device_id");
	if (id->device_id > id->model->max_device_id) {
		snprintf(why, whylen, "[unit] device_id: the %s allows 0 to %X",
		    id->model->name, id->model->max_device_id);
		return -EINVAL;
	}
	if (uid[0]) {
		if (strlen(uid) != 8 || strspn(uid, "0123456789abcdefABCDEF") != 8) {
			snprintf(why, whylen, "[unit] uid: must be 8 hex digits");
			return -EINVAL;
		}
		for (int i = 0; i < 8; i++)
			id->uid[i] = (char)toupper((unsigned char)uid[i]);
	} else {
		main_derive_uid(id->uid, sizeof id->uid);
	}
	if (mac[0]) {
		snprintf(id->mac, sizeof id->mac, "%s", mac);
	} else {
		/* locally administered, unicast, derived from the UID */
		sscanf(id->uid, "%8x", &v);
		snprintf(id->mac, sizeof id->mac, "02:00:%02X:%02X:%02X:%02X",
		    v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
	}
	snprintf(id->firmware, sizeof id->firmware, "%s",
	    cfg_str(cfg, "unit", "firmware"));
	id->dver = 1;
	return 0;
}

static struct cfg *
main_load_config(const char *path, int *status)
{
	char *errors = malloc(MAIN_ERRORS_MAX);
	struct cfg *cfg = NULL;
	int rc;

	if (!errors) {
		*status = EXIT_FAILURE;
		return NULL;
	}
	rc = cfg_load(path, main_schema, main_nschema, &cfg, errors,
	    MAIN_ERRORS_MAX);
	if (rc < 0) {
		fputs(errors, stderr);
		*status = rc == -EINVAL ? EXIT_FAILURE : EXIT_USAGE;
	}
	free(errors);
	return cfg;
}

/* First boot: seed runtime settings from the config, then save. */
/* Config rows that seed a state setting give its first-boot value. */
static int
main_seed_settings(const struct cfg *cfg, const struct origin *boot)
{
	const struct cfg_key *k;
	char why[160];
	int s;

	for (size_t i = 0; i < main_nschema; i++)
		for (k = main_schema[i].keys; k->key != NULL; k++) {
			if (k->seeds == NULL ||
			    (s = state_setting_lookup(k->seeds)) < 0)
				continue;
			if (state_setting_set(s, cfg_str(cfg,
			    main_schema[i].name, k->key), boot, why,
			    sizeof why) < 0) {
				log_err("[%s] %s: %s", main_schema[i].name,
				    k->key, why);
				return -EINVAL;
			}
		}
	return 0;
}

static int
main_first_boot(const struct cfg *cfg)
{
	static const struct origin boot = { .flags = ORIGIN_INTERNAL,
		.user = "convergd", .from = "first boot" };
	const char *user = cfg_str(cfg, "unit", "admin_user");
	const char *pass = cfg_str(cfg, "unit", "admin_password");
	const char *label = cfg_str(cfg, "unit", "label");
	char why[160];

	if (label[0] && state_setting_set(SET_UNIT_LABEL, label, &boot, why,
	    sizeof why) < 0) {
		log_err("[unit] label: %s", why);
		return -EINVAL;
	}
	if (strcmp(user, "clearone") != 0 || strcmp(pass, "converge") != 0) {
		if (state_user_set(user, pass, LEVEL_ADMIN, &boot, why,
		    sizeof why) < 0) {
			log_err("[unit] admin_user: %s", why);
			return -EINVAL;
		}
		if (strcasecmp(user, "clearone") != 0)
			(void)state_user_delete("clearone", &boot, why,
			    sizeof why);
	}
	if (main_seed_settings(cfg, &boot) < 0)
		return -EINVAL;
	return state_save_now();
}

static int
main_load_state(const struct cfg *cfg)
{
	const char *path = cfg_str(cfg, "unit", "state_file");
	char why[1024], dir[4096];
	char *slash;
	int rc;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
			log_warn("cannot create %s", dir);
			return -errno;
		}
	}
	/* one daemon per state file: held (by the open fd) until exit */
	if (persist_lock(path, why, sizeof why) < 0) {
		log_err("%s", why);
		return -EBUSY;
	}
	state_file_open(path);
	rc = state_file_load(why, sizeof why);
	if (rc < 0) {
		log_err("state: %s; refusing to start with reset settings "
		    "(move the files away to start from factory defaults)", why);
		return rc;
	}
	if (rc == 1) {
		log_info("state: %s does not exist; first boot with factory "
		    "settings", path);
		return main_first_boot(cfg);
	}
	/* no change could be saved: say so now, not at the first command */
	if ((rc = persist_probe(path)) < 0) {
		log_err("state: cannot write beside %s: %s; refusing to start "
		    "(no change could be saved)", path, strerror(-rc));
		return rc;
	}
	if (why[0]) {
		log_warnx("state: %s", why);
		bus_event(EVENT_ERRORS, SEVERITY_ERROR, "state file damaged: %s",
		    why);
	}
	return 0;
}

static void
main_reload(const char *path)
{
	char report[1024];
	int status = 0;
	struct cfg *cfg = main_load_config(path, &status);

	if (!cfg) {
		log_warnx("SIGHUP: %s is invalid; keeping the running "
		    "configuration", path);
		return;
	}
	supervisor_reload(cfg, report, sizeof report);
	log_info("SIGHUP: reloaded %s: %s", path, report);
	cfg_unref(cfg);
}

/* Wait for signals until asked to stop; returns the exit status. */
static int
main_loop(const sigset_t *signals, const char *path)
{
	struct timespec tick = { 0, 200 * 1000000L };

	for (;;) {
		int sig = sigtimedwait(signals, NULL, &tick);

		if (supervisor_health() < 0)
			return EXIT_FAILURE;
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: stopping", strsignal(sig));
			return EXIT_SUCCESS;
		}
		if (sig == SIGHUP)
			main_reload(path);
	}
}

/*
 * Not root (the packaged unit's convergd user with ambient capabilities):
 * keep only what the enabled services need, before any thread starts. A
 * service enabled later by SIGHUP gets what is left (restart for more).
 */
static int
main_drop_caps(const struct cfg *cfg)
{
	uint64_t keep, had;
	int rc;

	if (geteuid() == 0)
		return 0;
	keep = caps_needed(registry_services, registry_count, cfg);
	if ((rc = caps_limit(keep, &had)) < 0) {
		log_err("cannot drop capabilities: %s", strerror(-rc));
		return rc;
	}
	if (had != (had & keep))
		log_info("capabilities: kept %#llx, dropped %#llx (not needed "
		    "by the enabled services)", (unsigned long long)(had & keep),
		    (unsigned long long)(had & ~keep));
	return 0;
}

static void
main_signals(sigset_t *set)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	sigaction(SIGPIPE, &ign, NULL);
	/* a shell's `&` leaves SIGINT ignored, and sigwait misses ignored signals */
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	/* before any thread exists, so every thread inherits the mask */
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

int
main(int argc, char **argv)
{
	struct main_opts o = { 0 };
	struct state_identity id;
	struct cfg *cfg;
	sigset_t signals;
	enum log_level level;
	const char *target;
	char why[256];
	int status = EXIT_SUCCESS;

	if (main_parse_args(argc, argv, &o) < 0)
		return EXIT_USAGE;
	main_nschema = supervisor_schema(registry_services, registry_count,
	    main_schema, MAIN_SECTIONS_MAX);
	cfg = main_load_config(o.config, &status);
	if (cfg && main_identity(cfg, &id, why, sizeof why) < 0) {
		fprintf(stderr, "%s: %s\n", o.config, why);
		status = EXIT_FAILURE;
	}
	if (o.check_only || status != EXIT_SUCCESS) {
		if (status == EXIT_SUCCESS)
			printf("%s: ok\n", o.config);
		cfg_unref(cfg);
		return status;
	}

	target = cfg_str(cfg, "log", "target");
	log_level_parse(cfg_str(cfg, "log", "level"), &level);
	log_init(strcmp(target, "syslog") == 0 ||
	    (strcmp(target, "auto") == 0 && !o.foreground) ?
	    LOG_SINK_SYSLOG : LOG_SINK_STDERR, level);
	log_set_thread_name("main");
	if (main_drop_caps(cfg) < 0) {
		cfg_unref(cfg);
		return EXIT_FAILURE;
	}
	main_signals(&signals);
	bus_init();
	if (state_init(&id) < 0 || main_load_state(cfg) < 0) {
		cfg_unref(cfg);
		return EXIT_FAILURE;
	}
	log_info("convergd %s starting: model %s, device #%c%X, config %s",
	    CONVERGD_VERSION, id.model->name, id.model->type_char,
	    id.device_id, o.config);
	if (supervisor_start(registry_services, registry_count, cfg, NULL) < 0) {
		log_err("cannot start the supervisor");
		return EXIT_FAILURE;
	}
	bus_event(EVENT_SYSTEM, SEVERITY_INFO, "unit started");
	sd_notify(0, "READY=1\nSTATUS=running");

	status = main_loop(&signals, o.config);

	sd_notify(0, "STOPPING=1");
	bus_event(EVENT_SYSTEM, SEVERITY_INFO, "unit stopping");
	if (supervisor_stop() < 0)
		status = EXIT_FAILURE;
	if (state_save_flush() < 0)
		status = EXIT_FAILURE;
	if (status == EXIT_SUCCESS) {
		state_file_close();
		state_fini();
		bus_shutdown();
		cfg_unref(cfg);
	}
	log_info("stopped (exit %d)", status);
	return status;
}
