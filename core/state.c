/* SPDX-License-Identifier: MIT */
/*
 * The shared state (state.h): one static struct behind one rwlock.
 * Setters validate first (guard clauses, nothing changes on error), apply
 * under the write lock, number the change, unlock, then save (settings:
 * persist_save_now, which includes labels, limits, presets and macros;
 * gains, mutes and the matrix: persist_mark_dirty) and publish BUS_CHANGE.
 * Bus and persistence are never called with the lock held, and password
 * hashing (slow) never runs under it. The JSON file format is in
 * state_json.c and docs/state-file.md.
 */
#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "persist.h"
#include "state.h"
#include "state_priv.h"

#define MACRO_QUEUE 8		/* pending macro runs, the running one first */
#define SERVICES_MAX 32
#define RAMP_REPORT_STEP 0.01	/* smaller ramp moves are not published */
#define NOT_READY "state not initialised"

enum save_kind { SAVE_NONE, SAVE_AUDIO, SAVE_SETTINGS };

/* A ramp in progress on one gain slot (not persisted). */
struct ramp {
	bool active;
	bool started;		/* false until the first tick sets last_ms */
	double rate, target, reported;
	uint64_t last_ms;
	char group;		/* as the starter addressed it */
	int channel;
	struct origin origin;
};

struct macro_run {
	int n;
	size_t line;
	uint64_t due;
	struct origin origin;
};

/* Changes a setter collected under the lock, published after it. */
struct change_set {
	struct bus_change c[2];
	int n;
};

static struct {
	pthread_rwlock_t lock;
	_Atomic bool ready;	/* read without the lock by guard clauses */
	struct state_identity id;
	struct state_layout layout;
	uint64_t seq;
	struct state_data *d;
	struct ramp ramps[STATE_GAIN_SLOTS];
	struct macro_run runs[MACRO_QUEUE];
	size_t nruns;
	int macro_last;
	double meters[STATE_METER_SLOTS][STATE_METERS];
	uint8_t gate_bits;
	struct bus_service services[SERVICES_MAX];
	size_t nservices;
	/* state_default_password_in_use() cache: answer for this hash */
	char default_pw_hash[STATE_HASH_LEN];
	bool default_pw_result;
} st = { .lock = PTHREAD_RWLOCK_INITIALIZER };

#define RDLOCK() pthread_rwlock_rdlock(&st.lock)
#define WRLOCK() pthread_rwlock_wrlock(&st.lock)
#define UNLOCK() pthread_rwlock_unlock(&st.lock)

int
state_fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *
user_level_name(enum user_level level)
{
	static const char *const names[] = {
		[LEVEL_USER] = "User",
		[LEVEL_MANAGER] = "Manager",
		[LEVEL_ADMIN] = "Administrator",
	};

	if ((unsigned)level > LEVEL_ADMIN)
		return "Unknown";
	return names[level];
}

/* ---- layout ---- */

static const unsigned slot_caps[SLOT_KINDS] = {
	[SLOT_GAIN] = GRP_GAIN,
	[SLOT_LABEL] = GRP_LABEL,
	[SLOT_METER] = GRP_METER,
	[SLOT_SRC] = GRP_MTRX_SRC,
	[SLOT_DST] = GRP_MTRX_DST,
};

static const int slot_limits[SLOT_KINDS] = {
	STATE_GAIN_SLOTS, STATE_LABEL_SLOTS, STATE_METER_SLOTS,
	STATE_SRC_SLOTS, STATE_DST_SLOTS,
};

/* Give every storage group a base in each array it has a capability for. */
static int
layout_build(struct state_layout *l, const struct model *m)
{
	size_t i;
	int k;

	memset(l, 0, sizeof *l);
	l->model = m;
	memset(l->base, 0xff, sizeof l->base);
	for (i = 0; i < m->ngroups; i++) {
		const struct model_group *g = &m->groups[i];

		if (g->alias != 0 || g->letter < 'A' || g->letter > 'Z')
			continue;
		for (k = 0; k < SLOT_KINDS; k++) {
			if (!(g->caps & slot_caps[k]))
				continue;
			l->base[k][g->letter - 'A'] = l->used[k];
			l->used[k] += g->count;
			if (l->used[k] > slot_limits[k])
				return -E2BIG;
		}
	}
	return 0;
}

int
state_slot(const struct state_layout *l, char group, int channel,
    enum state_slot_kind kind, int *slot)
{
	const struct model_group *g, *sg;
	int idx, base;

	g = model_group(l->model, group);
	if (g == NULL || !(g->caps & slot_caps[kind]))
		return -EINVAL;
	sg = model_storage(l->model, g, channel, &idx);
	if (sg == NULL)
		return -EINVAL;
	base = l->base[kind][sg->letter - 'A'];
	if (base < 0)
		return -EINVAL;
	*slot = base + idx;
	return 0;
}

/* ---- changes: number under the lock, save and publish after it ---- */

/* A fresh change numbered next. Lock held. */
static void
change_init(struct bus_change *c, int what, const struct origin *origin)
{
	memset(c, 0, sizeof *c);
	c->seq = ++st.seq;
	c->what = what;
	if (origin != NULL)
		c->origin = *origin;
}

static struct bus_change *
change_add(struct change_set *cs, int what, const struct origin *origin)
{
	struct bus_change *c = &cs->c[cs->n++];

	change_init(c, what, origin);
	return c;
}

static void
change_addr(struct bus_change *c, char group, int channel)
{
	c->group = (char)toupper((unsigned char)group);
	c->channel = channel;
}

static struct bus_change *
change_add_chan(struct change_set *cs, int what, const struct origin *origin,
    char group, int channel)
{
	struct bus_change *c = change_add(cs, what, origin);

	change_addr(c, group, channel);
	return c;
}

static void
change_xpoint(struct bus_change *c, char src_group, int src, char dst_group,
    int dst)
{
	change_addr(c, src_group, src);
	c->dst_group = (char)toupper((unsigned char)dst_group);
	c->dst_channel = dst;
}

static void
publish_change(const struct bus_change *c)
{
	struct bus_msg msg;

	memset(&msg, 0, sizeof msg);
	msg.type = BUS_CHANGE;
	msg.u.change = *c;
	bus_publish(&msg);
}

/* Call with the lock released. */
static int
finish(const struct change_set *cs, enum save_kind save, char *why,
    size_t whylen)
{
	int err = 0, i;

	if (save == SAVE_SETTINGS && persist_save_now() < 0)
		err = state_fail(why, whylen, -EIO, "could not save settings");
	else if (save == SAVE_AUDIO)
		persist_mark_dirty();
	for (i = 0; i < cs->n; i++)
		publish_change(&cs->c[i]);
	return err;
}

/* ---- life cycle ---- */

void
state_audio_defaults(struct state_audio *a)
{
	size_t i;

	memset(a, 0, sizeof *a);
	for (i = 0; i < STATE_GAIN_SLOTS; i++) {
		a->ch[i].gain = 0.0;
		a->ch[i].min = GAIN_MIN;
		a->ch[i].max = GAIN_MAX;
	}
}

void
state_data_free_macros(struct state_data *d)
{
	size_t i;

	for (i = 0; i < STATE_MACROS; i++) {
		free(d->macros[i].lines);
		d->macros[i].lines = NULL;
		d->macros[i].count = 0;
	}
}

/*
 * DEFAULT over Telnet must not lock the integrator out: the network,
 * time and serial-port settings survive it (users do too, see
 * state_reset_defaults).
 */
static bool
setting_survives_default(const char *key)
{
	return strncmp(key, "network.", 8) == 0 ||
	    strncmp(key, "time.", 5) == 0 || strncmp(key, "serial.", 7) == 0;
}

static void
settings_defaults(struct state_data *d, bool keep_network)
{
	int s;

	for (s = 0; s < SET_COUNT; s++) {
		const struct state_setting_info *info = state_setting_info(s);

		if (keep_network && setting_survives_default(info->key))
			continue;
		snprintf(d->settings[s], sizeof d->settings[s], "%s",
		    info->def);
	}
}

static int hash_password(const char *password, char *out, size_t outlen);

int
state_init(const struct state_identity *id)
{
	struct state_data *d;
	char hash[STATE_HASH_LEN];
	int err;

	if (id == NULL || id->model == NULL)
		return -EINVAL;
	if (st.ready)
		return -EALREADY;
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return -ENOMEM;
	err = layout_build(&st.layout, id->model);
	if (err == 0)
		err = hash_password("converge", hash, sizeof hash);
	if (err < 0) {
		free(d);
		return err;
	}
	settings_defaults(d, false);
	state_audio_defaults(&d->audio);
	snprintf(d->users[0].name, sizeof d->users[0].name, "clearone");
	d->users[0].level = LEVEL_ADMIN;
	snprintf(d->users[0].hash, sizeof d->users[0].hash, "%s", hash);
	d->nusers = 1;
	WRLOCK();
	st.id = *id;
	st.d = d;
	st.seq = 0;
	st.ready = true;
	UNLOCK();
	return 0;
}

void
state_fini(void)
{
	struct state_data *d;

	WRLOCK();
	d = st.d;
	st.d = NULL;
	st.ready = false;
	st.nruns = 0;
	st.nservices = 0;
	st.macro_last = 0;
	st.gate_bits = 0;
	st.default_pw_hash[0] = '\0';
	memset(st.ramps, 0, sizeof st.ramps);
	memset(st.meters, 0, sizeof st.meters);
	UNLOCK();
	if (d != NULL) {
		state_data_free_macros(d);
		free(d);
	}
}

void
state_identity(struct state_identity *out)
{
	RDLOCK();
	*out = st.id;
	UNLOCK();
}

uint64_t
state_seq(void)
{
	uint64_t seq;

	RDLOCK();
	seq = st.seq;
	UNLOCK();
	return seq;
}

/* Guard for the public entry points: the state exists. */
#define CHECK_READY(why, whylen) do {					\
	if (!st.ready)							\
		return state_fail((why), (whylen), -ENODEV, NOT_READY);	\
} while (0)

/* ---- settings ---- */

static const char *const security_choices[] = { "none", "starttls", "tls",
	NULL };
static const char *const baud_choices[] = { "9600", "19200", "38400",
	"57600", "115200", NULL };

#define ADMIN LEVEL_ADMIN
#define MANAGER LEVEL_MANAGER

/*
 * Factory defaults: DHCP on, and the static address, mask, gateway and
 * name servers empty ("not configured": DHCP supplies them) rather than
 * 0.0.0.0, so an empty field never reads like a real address.
 */
static const struct state_setting_info settings[SET_COUNT] = {
	[SET_UNIT_LABEL] = { "unit.label", SETTING_TEXT, 0, STATE_LABEL_MAX,
	    "", NULL, MANAGER, false },
	[SET_NET_DHCP] = { "network.dhcp", SETTING_BOOL, 0, 1, "1", NULL,
	    ADMIN, false },
	[SET_NET_ADDR] = { "network.address", SETTING_IPV4, 0, 0, "", NULL,
	    ADMIN, false },
	[SET_NET_MASK] = { "network.mask", SETTING_MASK, 0, 0, "", NULL,
	    ADMIN, false },
	[SET_NET_GATEWAY] = { "network.gateway", SETTING_IPV4, 0, 0, "",
	    NULL, ADMIN, false },
	[SET_NET_DNS] = { "network.dns", SETTING_IPV4, 0, 0, "", NULL, ADMIN,
	    false },
	[SET_NET_DNS2] = { "network.dns2", SETTING_IPV4, 0, 0, "", NULL,
	    ADMIN, false },
	[SET_NET_DOMAIN] = { "network.domain", SETTING_TEXT, 0, 63, "", NULL,
	    ADMIN, false },
	[SET_NTP_SERVER] = { "time.ntp_server", SETTING_IPV4, 0, 0, "", NULL,
	    ADMIN, false },
	[SET_NTP_SERVER2] = { "time.ntp_server2", SETTING_IPV4, 0, 0, "",
	    NULL, ADMIN, false },
	[SET_TIMEZONE] = { "time.zone", SETTING_TEXT, 1, 63, "UTC", NULL,
	    ADMIN, false },
	[SET_NETBIOS_NAME] = { "names.netbios", SETTING_TEXT, 0, 15, "",
	    NULL, ADMIN, false },
	[SET_WINS_SERVER] = { "names.wins", SETTING_IPV4, 0, 0, "", NULL,
	    ADMIN, false },
	[SET_LOC_BLDG] = { "location.building", SETTING_TEXT, 0, 63, "", NULL,
	    MANAGER, false },
	[SET_LOC_ROOM] = { "location.room", SETTING_TEXT, 0, 63, "", NULL,
	    MANAGER, false },
	[SET_LOC_CITY] = { "location.city", SETTING_TEXT, 0, 63, "", NULL,
	    MANAGER, false },
	[SET_LOC_REGION] = { "location.region", SETTING_TEXT, 0, 63, "", NULL,
	    MANAGER, false },
	[SET_SNMP_MANAGER] = { "snmp.manager", SETTING_IPV4, 0, 0, "", NULL,
	    ADMIN, false },
	[SET_SNMP_MANAGER_PORT] = { "snmp.manager_port", SETTING_INT, 1,
	    65535, "162", NULL, ADMIN, false },
	[SET_SNMP_RO_COMMUNITY] = { "snmp.ro_community", SETTING_TEXT, 1, 31,
	    "public", NULL, ADMIN, false },
	[SET_SNMP_RW_COMMUNITY] = { "snmp.rw_community", SETTING_TEXT, 1, 31,
	    "private", NULL, ADMIN, false },
	[SET_MAIL_SERVER] = { "mail.server", SETTING_TEXT, 0, 63, "", NULL,
	    ADMIN, false },
	[SET_MAIL_PORT] = { "mail.port", SETTING_INT, 1, 65535, "25", NULL,
	    ADMIN, false },
	[SET_MAIL_SECURITY] = { "mail.security", SETTING_CHOICE, 0, 0, "none",
	    security_choices, ADMIN, false },
	[SET_MAIL_USER] = { "mail.user", SETTING_TEXT, 0, 63, "", NULL, ADMIN,
	    false },
	[SET_MAIL_PASSWORD] = { "mail.password", SETTING_TEXT, 0, 63, "",
	    NULL, ADMIN, true },
	[SET_MAIL_FROM] = { "mail.from", SETTING_TEXT, 0, 127, "", NULL,
	    ADMIN, false },
	[SET_MAIL_TO] = { "mail.to", SETTING_TEXT, 0, 127, "", NULL, ADMIN,
	    false },
	[SET_MAIL_EVENTS] = { "mail.events", SETTING_HEX, 0, 0xFFFFFFFFL,
	    "FFFFFFFF", NULL, ADMIN, false },
	[SET_LOGMASK] = { "log.mask", SETTING_HEX, 0, 0xFFFFFFFFL, "FFFFFFFF",
	    NULL, MANAGER, false },
	[SET_BAUD] = { "serial.baud", SETTING_CHOICE, 0, 0, "57600",
	    baud_choices, ADMIN, false },
	[SET_FLOW] = { "serial.flow", SETTING_BOOL, 0, 1, "0", NULL, ADMIN,
	    false },
};

const struct state_setting_info *
state_setting_info(enum state_setting s)
{
	if ((unsigned)s >= SET_COUNT)
		return NULL;
	return &settings[s];
}

int
state_setting_lookup(const char *key)
{
	int s;

	if (key == NULL)
		return -1;
	for (s = 0; s < SET_COUNT; s++)
		if (strcmp(settings[s].key, key) == 0)
			return s;
	return -1;
}

/* Every character of `v` is in `set` or alphanumeric. */
static bool
all_in(const char *v, const char *set)
{
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && strchr(set, *v) == NULL)
			return false;
	return true;
}

/* Every character of `v` is printable ASCII (blank to '~'). */
static bool
printable(const char *v)
{
	for (; *v != '\0'; v++)
		if (*v < 0x20 || *v > 0x7e)
			return false;
	return true;
}

/* A strict dotted quad: four 0-255 numbers without leading zeros. */
static int
parse_ipv4(const char *v, uint32_t *out)
{
	uint32_t addr = 0;
	int part, digits, value;

	for (part = 0; part < 4; part++) {
		if (part > 0 && *v++ != '.')
			return -1;
		value = 0;
		for (digits = 0; isdigit((unsigned char)v[digits]); digits++)
			value = value * 10 + (v[digits] - '0');
		if (digits == 0 || digits > 3 || value > 255 ||
		    (digits > 1 && v[0] == '0'))
			return -1;
		addr = addr << 8 | (uint32_t)value;
		v += digits;
	}
	if (*v != '\0')
		return -1;
	*out = addr;
	return 0;
}

static int
check_text(const struct state_setting_info *info, const char *v,
    char *canon, size_t canonlen, char *why, size_t whylen)
{
	size_t n = strlen(v);

	if ((long)n < info->min || (long)n > info->max)
		return state_fail(why, whylen, -EINVAL,
		    "%s must be %ld to %ld characters", info->key, info->min,
		    info->max);
	if (!printable(v))
		return state_fail(why, whylen, -EINVAL,
		    "%s must be printable ASCII", info->key);
	snprintf(canon, canonlen, "%s", v);
	return 0;
}

/* An address or, for SETTING_MASK, a netmask; empty if allowed. */
static int
check_address(const struct state_setting_info *info, const char *v,
    char *canon, size_t canonlen, char *why, size_t whylen)
{
	uint32_t a;

	if (v[0] == '\0' && info->min == 0) {
		canon[0] = '\0';
		return 0;
	}
	if (parse_ipv4(v, &a) < 0)
		return state_fail(why, whylen, -EINVAL,
		    "%s: not a dotted quad", info->key);
	/* Contiguous: the inverted mask plus one is a power of two. */
	if (info->type == SETTING_MASK && (a == 0 || ((~a + 1) & ~a) != 0))
		return state_fail(why, whylen, -EINVAL,
		    "%s: not a contiguous netmask", info->key);
	/* addresses name one host: not "any", broadcast or multicast */
	if (info->type == SETTING_IPV4 &&
	    (a == 0 || a == 0xffffffffu || (a >> 28) == 0xe))
		return state_fail(why, whylen, -EINVAL,
		    "%s: not a host address", info->key);
	snprintf(canon, canonlen, "%s", v);
	return 0;
}

static int
check_int(const struct state_setting_info *info, const char *v,
    char *canon, size_t canonlen, char *why, size_t whylen)
{
	const char *p = v[0] == '-' ? v + 1 : v;
	size_t n = strlen(p), i;
	long value;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			break;
	if (n == 0 || i != n || n > 9 || (n > 1 && p[0] == '0'))
		return state_fail(why, whylen, -EINVAL,
		    "%s must be a number from %ld to %ld", info->key,
		    info->min, info->max);
	value = strtol(v, NULL, 10);
	if (value < info->min || value > info->max)
		return state_fail(why, whylen, -EINVAL,
		    "%s must be a number from %ld to %ld", info->key,
		    info->min, info->max);
	snprintf(canon, canonlen, "%ld", value);
	return 0;
}

static int
check_bool(const struct state_setting_info *info, const char *v,
    char *canon, size_t canonlen, char *why, size_t whylen)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return state_fail(why, whylen, -EINVAL, "%s must be 0 or 1",
		    info->key);
	snprintf(canon, canonlen, "%s", v);
	return 0;
}

static int
check_hex(const struct state_setting_info *info, const char *v,
    char *canon, size_t canonlen, char *why, size_t whylen)
{
	size_t n = strlen(v), i;
	unsigned long value;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)v[i]))
			break;
	if (n == 0 || n > 8 || i != n)
		return state_fail(why, whylen, -EINVAL,
		    "%s must be 1 to 8 hex digits", info->key);
	value = strtoul(v, NULL, 16);
	if (value > (unsigned long)info->max)
		return state_fail(why, whylen, -EINVAL,
		    "%s must be at most %lX", info->key,
		    (unsigned long)info->max);
	snprintf(canon, canonlen, "%08lX", value);
	return 0;
}

static int
check_choice(const struct state_setting_info *info, const char *v,
    char *canon, size_t canonlen, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; info->choices[i] != NULL; i++)
		if (strcasecmp(info->choices[i], v) == 0) {
			snprintf(canon, canonlen, "%s", info->choices[i]);
			return 0;
		}
	return state_fail(why, whylen, -EINVAL, "%s: not one of the choices",
	    info->key);
}

static int (*const type_checks[])(const struct state_setting_info *,
    const char *, char *, size_t, char *, size_t) = {
	[SETTING_TEXT] = check_text,
	[SETTING_IPV4] = check_address,
	[SETTING_MASK] = check_address,
	[SETTING_INT] = check_int,
	[SETTING_BOOL] = check_bool,
	[SETTING_HEX] = check_hex,
	[SETTING_CHOICE] = check_choice,
};

/* One mail address: local@domain, no blanks, commas or brackets. */
static bool
mail_address_ok(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	size_t i;

	if (at == NULL || at == a || at == a + n - 1 ||
	    memchr(at + 1, '@', (size_t)(a + n - at - 1)) != NULL)
		return false;
	for (i = 0; i < n; i++)
		if (a[i] <= 0x20 || a[i] > 0x7e ||
		    strchr(",<>()[]\\\";:", a[i]) != NULL)
			return false;
	return true;
}

static const char *
extra_mail_list(const char *v, bool many)
{
	const char *p = v, *comma;

	if (*v == '\0')
		return NULL;
	for (;;) {
		comma = strchr(p, ',');
		if (comma != NULL && !many)
			return "must be one mail address";
		if (!mail_address_ok(p, comma ? (size_t)(comma - p) :
		    strlen(p)))
			return "must be mail addresses (name@domain, "
			    "separated by commas)";
		if (comma == NULL)
			return NULL;
		p = comma + 1;
	}
}

/* A DNS name (RFC 1123 §2.1): dot-separated labels of 1-63 letters,
 * digits and '-', not starting or ending with '-'. Empty = not set. */
static bool
dns_name_ok(const char *v)
{
	size_t label = 0;

	if (*v == '\0')
		return true;
	if (!all_in(v, ".-"))
		return false;
	for (const char *p = v;; p++) {
		if (*p == '.' || *p == '\0') {
			/* label >= 1 below, so p[-1] and p[-label] are in v */
			if (label == 0 || label > 63 ||
			    p[-1] == '-' || p[-(long)label] == '-')
				return false;
			if (*p == '\0')
				return true;
			label = 0;
		} else {
			label++;
		}
	}
}

/*
 * Checks beyond the type, per setting; NULL = fine, else the reason.
 * NetBIOS names (RFC 1001 §14.1): no blanks or \/:*?"<>|, and no leading
 * '*' or '.'.
 */
static const char *
extra_check(enum state_setting s, const char *v)
{
	switch (s) {
	case SET_NET_DOMAIN:
	case SET_MAIL_SERVER:
		return dns_name_ok(v) ? NULL : "not a host or domain name "
		    "(labels of letters, digits and '-', separated by '.')";
	case SET_TIMEZONE:
		return all_in(v, "/_+-") ? NULL :
		    "may hold only letters, digits and / _ + -";
	case SET_NETBIOS_NAME:
		return all_in(v, "!#$%&'()-.@^_{}~") && v[0] != '.' ? NULL :
		    "not a valid NetBIOS name";
	case SET_SNMP_RO_COMMUNITY:
	case SET_SNMP_RW_COMMUNITY:
		return strchr(v, ' ') == NULL ? NULL : "may not hold blanks";
	case SET_MAIL_FROM:
		return extra_mail_list(v, false);
	case SET_MAIL_TO:
		return extra_mail_list(v, true);
	default:
		return NULL;
	}
}

int
state_setting_check(enum state_setting s, const char *value, char *canon,
    size_t canonlen, char *why, size_t whylen)
{
	const struct state_setting_info *info = state_setting_info(s);
	const char *problem;
	int err;

	if (info == NULL)
		return state_fail(why, whylen, -EINVAL, "no such setting");
	if (value == NULL)
		return state_fail(why, whylen, -EINVAL, "%s needs a value",
		    info->key);
	err = type_checks[info->type](info, value, canon, canonlen, why,
	    whylen);
	if (err < 0)
		return err;
	problem = extra_check(s, canon);
	if (problem != NULL)
		return state_fail(why, whylen, -EINVAL, "%s %s", info->key,
		    problem);
	return 0;
}

int
state_setting_get(enum state_setting s, char *buf, size_t len)
{
	if ((unsigned)s >= SET_COUNT || buf == NULL || len == 0)
		return -EINVAL;
	CHECK_READY(NULL, 0);
	RDLOCK();
	snprintf(buf, len, "%s", st.d->settings[s]);
	UNLOCK();
	return 0;
}

int
state_setting_set(enum state_setting s, const char *value,
    const struct origin *origin, char *why, size_t whylen)
{
	char canon[STATE_SETTING_LEN];
	struct change_set cs = { .n = 0 };
	struct bus_change *c;
	int err;

	CHECK_READY(why, whylen);
	err = state_setting_check(s, value, canon, sizeof canon, why, whylen);
	if (err < 0)
		return err;
	WRLOCK();
	memcpy(st.d->settings[s], canon, sizeof canon);
	c = change_add(&cs, STATE_F_SETTING, origin);
	c->integer = (int)s;
	/* Secrets stay out of bus messages; readers ask the state. */
	if (!settings[s].secret)
		snprintf(c->text, sizeof c->text, "%s", canon);
	if (s == SET_UNIT_LABEL) {
		c->group = 'U';
		c->channel = 0;
	}
	UNLOCK();
	return finish(&cs, SAVE_SETTINGS, why, whylen);
}

/* ---- users ---- */

/* A SHA-512 crypt(3) hash of `password` with a fresh random salt. */
static int
hash_password(const char *password, char *out, size_t outlen)
{
	char rnd[16], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int err = 0;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -EIO;
	if (crypt_gensalt_rn("$6$", 0, rnd, sizeof rnd, setting,
	    sizeof setting) == NULL)
		return -EINVAL;
	cd = calloc(1, sizeof *cd);
	if (cd == NULL)
		return -ENOMEM;
	h = crypt_rn(password, setting, cd, sizeof *cd);
	if (h == NULL || h[0] == '*' || strlen(h) >= outlen)
		err = -EINVAL;
	else
		snprintf(out, outlen, "%s", h);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return err;
}

/* Does `password` hash to `hash`? Compares in constant time. */
static bool
password_matches(const char *password, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof *cd);
	const char *h;
	size_t n, i;
	unsigned char diff = 0;

	if (cd == NULL)
		return false;
	h = crypt_rn(password, hash, cd, sizeof *cd);
	n = strlen(hash);
	if (h == NULL || h[0] == '*' || strlen(h) != n)
		diff = 1;
	else
		for (i = 0; i < n; i++)
			diff |= (unsigned char)(h[i] ^ hash[i]);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return diff == 0;
}

bool
state_hash_valid(const char *hash)
{
	size_t n = strlen(hash);

	return n > 3 && n < STATE_HASH_LEN && hash[0] == '$' &&
	    all_in(hash, "$./");
}

int
state_user_name_check(const char *name, char *why, size_t whylen)
{
	size_t n = name == NULL ? 0 : strlen(name);

	if (n < 1 || n > 31 || !all_in(name, "._-"))
		return state_fail(why, whylen, -EINVAL,
		    "user name must be 1 to 31 letters, digits, '.', '_' "
		    "or '-'");
	return 0;
}

static int
password_check(const char *password, char *why, size_t whylen)
{
	size_t n = strlen(password);

	if (n < 1 || n > 63 || !printable(password))
		return state_fail(why, whylen, -EINVAL,
		    "password must be 1 to 63 printable characters");
	return 0;
}

/* Index of the user called `name` (any case), or -1. Lock held. */
static int
user_find(const char *name)
{
	size_t i;

	for (i = 0; i < st.d->nusers; i++)
		if (strcasecmp(st.d->users[i].name, name) == 0)
			return (int)i;
	return -1;
}

static size_t
admin_count(void)
{
	size_t i, n = 0;

	for (i = 0; i < st.d->nusers; i++)
		n += st.d->users[i].level == LEVEL_ADMIN;
	return n;
}

/* A hash that never matches: unknown users cost as much as known ones. */
static const char dummy_hash[] =
    "$6$aaaaaaaaaaaaaaaa$J3ZuQoG0i6U6cU5bWTXc0F2mXxkbR0X5gW1Vvn3mQ5h"
    "DksDqzK5cF4k0k3m0U3QhV7ph8N6ZpY5Rc6K0d3j1a/";

int
state_user_check(const char *name, const char *password,
    enum user_level *level)
{
	char hash[STATE_HASH_LEN];
	enum user_level lv = LEVEL_USER;
	bool known;
	int i;

	if (!st.ready || name == NULL || password == NULL)
		return -EACCES;
	RDLOCK();
	i = user_find(name);
	known = i >= 0;
	if (known) {
		memcpy(hash, st.d->users[i].hash, sizeof hash);
		lv = st.d->users[i].level;
	}
	UNLOCK();
	if (!known)
		snprintf(hash, sizeof hash, "%s", dummy_hash);
	if (!password_matches(password, hash) || !known)
		return -EACCES;
	if (level != NULL)
		*level = lv;
	return 0;
}

/* Would this change leave no Administrator? Lock held. */
static bool
removes_last_admin(int i, enum user_level new_level)
{
	return i >= 0 && st.d->users[i].level == LEVEL_ADMIN &&
	    new_level != LEVEL_ADMIN && admin_count() == 1;
}

static int
user_apply(const char *name, const char *hash, enum user_level level,
    char *why, size_t whylen)
{
	int i = user_find(name);
	struct state_user *u;

	if (i < 0 && hash == NULL)
		return state_fail(why, whylen, -EINVAL,
		    "a new user needs a password");
	if (i < 0 && st.d->nusers >= STATE_USERS_MAX)
		return state_fail(why, whylen, -ENOSPC, "too many users");
	if (removes_last_admin(i, level))
		return state_fail(why, whylen, -EPERM,
		    "at least one administrator must remain");
	if (i < 0) {
		i = (int)st.d->nusers++;
		snprintf(st.d->users[i].name, sizeof st.d->users[i].name,
		    "%s", name);
	}
	u = &st.d->users[i];
	u->level = level;
	if (hash != NULL)
		snprintf(u->hash, sizeof u->hash, "%s", hash);
	return 0;
}

int
state_user_set(const char *name, const char *password,
    enum user_level level, const struct origin *origin, char *why,
    size_t whylen)
{
	char hash[STATE_HASH_LEN];
	struct change_set cs = { .n = 0 };
	int err;

	CHECK_READY(why, whylen);
	err = state_user_name_check(name, why, whylen);
	if (err == 0 && (unsigned)level > LEVEL_ADMIN)
		err = state_fail(why, whylen, -EINVAL, "no such user level");
	if (err == 0 && password != NULL)
		err = password_check(password, why, whylen);
	/* Hash before taking the lock: it takes milliseconds. */
	if (err == 0 && password != NULL &&
	    hash_password(password, hash, sizeof hash) < 0)
		err = state_fail(why, whylen, -EIO,
		    "could not hash the password");
	if (err < 0)
		return err;
	WRLOCK();
	err = user_apply(name, password ? hash : NULL, level, why, whylen);
	if (err == 0)
		snprintf(change_add(&cs, STATE_F_USER, origin)->text,
		    BUS_TEXT_MAX, "%s", name);
	UNLOCK();
	explicit_bzero(hash, sizeof hash);
	if (err < 0)
		return err;
	return finish(&cs, SAVE_SETTINGS, why, whylen);
}

int
state_user_delete(const char *name, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	int i, err = 0;

	CHECK_READY(why, whylen);
	if (name == NULL)
		return state_fail(why, whylen, -EINVAL, "no user name");
	WRLOCK();
	i = user_find(name);
	if (i < 0)
		err = state_fail(why, whylen, -ENOENT, "no such user");
	else if (removes_last_admin(i, LEVEL_USER))
		err = state_fail(why, whylen, -EPERM,
		    "at least one administrator must remain");
	if (err == 0) {
		snprintf(change_add(&cs, STATE_F_USER, origin)->text,
		    BUS_TEXT_MAX, "%s", st.d->users[i].name);
		memmove(&st.d->users[i], &st.d->users[i + 1],
		    (st.d->nusers - (size_t)i - 1) * sizeof st.d->users[0]);
		st.d->nusers--;
	}
	UNLOCK();
	if (err < 0)
		return err;
	return finish(&cs, SAVE_SETTINGS, why, whylen);
}

size_t
state_user_list(struct state_user_info *out, size_t max)
{
	size_t i, n;

	if (!st.ready)
		return 0;
	RDLOCK();
	n = st.d->nusers < max ? st.d->nusers : max;
	for (i = 0; i < n; i++) {
		memcpy(out[i].name, st.d->users[i].name, sizeof out[i].name);
		out[i].level = st.d->users[i].level;
	}
	UNLOCK();
	return n;
}

/*
 * Hashing is slow, so the answer is cached against clearone's hash and
 * recomputed (outside the lock) only when that hash changes.
 */
bool
state_default_password_in_use(void)
{
	char hash[STATE_HASH_LEN];
	bool cached = false, result = false;
	int i;

	if (!st.ready)
		return false;
	RDLOCK();
	i = user_find("clearone");
	if (i >= 0) {
		memcpy(hash, st.d->users[i].hash, sizeof hash);
		cached = strcmp(hash, st.default_pw_hash) == 0;
		result = st.default_pw_result;
	}
	UNLOCK();
	if (i < 0)
		return false;
	if (cached)
		return result;
	result = password_matches("converge", hash);
	WRLOCK();
	memcpy(st.default_pw_hash, hash, sizeof hash);
	st.default_pw_result = result;
	UNLOCK();
	return result;
}

/* ---- audio: gain, limits, mute, ramp, label ---- */

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Gains are shown with two decimals; keep them on that grid. */
static double
round2(double v)
{
	return round(v * 100.0) / 100.0;
}

static int
gain_slot(char group, int channel, int *slot, char *why, size_t whylen)
{
	if (!st.ready)
		return state_fail(why, whylen, -ENODEV, NOT_READY);
	if (state_slot(&st.layout, group, channel, SLOT_GAIN, slot) < 0)
		return state_fail(why, whylen, -EINVAL,
		    "no such gain channel");
	return 0;
}

/* A copy of one gain channel's gain, limits and mute. */
static int
chan_read(char group, int channel, struct state_chan *out)
{
	int slot, err = gain_slot(group, channel, &slot, NULL, 0);

	if (err < 0)
		return err;
	RDLOCK();
	*out = st.d->audio.ch[slot];
	UNLOCK();
	return 0;
}

int
state_gain_get(char group, int channel, double *gain)
{
	struct state_chan ch;
	int err = chan_read(group, channel, &ch);

	if (err == 0)
		*gain = ch.gain;
	return err;
}

int
state_gain_set(char group, int channel, double value, bool relative,
    const struct origin *origin, double *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	struct bus_change *c;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);
	double g;

	if (err < 0)
		return err;
	if (!isfinite(value) || value < GAIN_ENTRY_MIN ||
	    value > GAIN_ENTRY_MAX)
		return state_fail(why, whylen, -EINVAL,
		    "gain must be a number from -99.9 to 99.9");
	WRLOCK();
	ch = &st.d->audio.ch[slot];
	g = round2(clamp((relative ? ch->gain : 0.0) + value, ch->min,
	    ch->max));
	ch->gain = g;
	c = change_add_chan(&cs, STATE_F_GAIN, origin, group, channel);
	c->number = g;
	UNLOCK();
	if (result != NULL)
		*result = g;
	return finish(&cs, SAVE_AUDIO, why, whylen);
}

int
state_minmax_get(char group, int channel, double *min, double *max)
{
	struct state_chan ch;
	int err = chan_read(group, channel, &ch);

	if (err == 0) {
		*min = ch.min;
		*max = ch.max;
	}
	return err;
}

int
state_minmax_set(char group, int channel, double min, double max,
    const struct origin *origin, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	struct bus_change *c;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);
	double g;

	if (err < 0)
		return err;
	if (!isfinite(min) || !isfinite(max) || min < GAIN_MIN ||
	    max > GAIN_MAX || min > max)
		return state_fail(why, whylen, -EINVAL,
		    "min and max must be from -65 to 20, min <= max");
	WRLOCK();
	ch = &st.d->audio.ch[slot];
	ch->min = round2(min);
	ch->max = round2(max);
	c = change_add_chan(&cs, STATE_F_MINMAX, origin, group, channel);
	c->number = ch->min;
	c->number2 = ch->max;
	/* The current gain must obey the new limits; say so if it moved. */
	g = clamp(ch->gain, ch->min, ch->max);
	if (g != ch->gain) {
		ch->gain = g;
		c = change_add_chan(&cs, STATE_F_GAIN, origin, group, channel);
		c->number = g;
	}
	UNLOCK();
	return finish(&cs, SAVE_SETTINGS, why, whylen);
}

int
state_mute_get(char group, int channel, int *mute)
{
	struct state_chan ch;
	int err = chan_read(group, channel, &ch);

	if (err == 0)
		*mute = ch.mute;
	return err;
}

int
state_mute_set(char group, int channel, int value,
    const struct origin *origin, int *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	struct bus_change *c;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);

	if (err < 0)
		return err;
	if (value < 0 || value > 2)
		return state_fail(why, whylen, -EINVAL,
		    "mute must be 0, 1 or 2 (toggle)");
	WRLOCK();
	ch = &st.d->audio.ch[slot];
	ch->mute = value == 2 ? !ch->mute : value;
	c = change_add_chan(&cs, STATE_F_MUTE, origin, group, channel);
	c->integer = ch->mute;
	if (result != NULL)
		*result = ch->mute;
	UNLOCK();
	return finish(&cs, SAVE_AUDIO, why, whylen);
}

/*
 * A ramp runs from the next state_ramp_tick (the engine's clock) towards
 * its target, which defaults to the limit in the rate's direction and is
 * kept inside the channel's min/max.
 */
int
state_ramp_set(char group, int channel, double rate, bool has_target,
    double target, const struct origin *origin, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_chan *ch;
	struct bus_change *c;
	struct ramp *r;
	int slot, err = gain_slot(group, channel, &slot, why, whylen);

	if (err < 0)
		return err;
	if (!isfinite(rate) || rate < -RAMP_RATE_MAX || rate > RAMP_RATE_MAX)
		return state_fail(why, whylen, -EINVAL,
		    "ramp rate must be from -50 to 50 dB/s");
	if (has_target && (!isfinite(target) || target < GAIN_ENTRY_MIN ||
	    target > GAIN_ENTRY_MAX))
		return state_fail(why, whylen, -EINVAL,
		    "ramp target must be a number from -99.9 to 99.9");
	WRLOCK();
	ch = &st.d->audio.ch[slot];
	r = &st.ramps[slot];
	memset(r, 0, sizeof *r);
	if (!has_target)
		target = rate >= 0 ? ch->max : ch->min;
	r->target = clamp(target, ch->min, ch->max);
	r->rate = rate;
	r->active = rate != 0.0;
	r->reported = ch->gain;
	r->group = (char)toupper((unsigned char)group);
	r->channel = channel;
	if (origin != NULL)
		r->origin = *origin;
	c = change_add_chan(&cs, STATE_F_RAMP, origin, group, channel);
	c->number = rate;
	c->number2 = r->target;
	UNLOCK();
	return finish(&cs, SAVE_NONE, why, whylen);
}

int
state_ramp_get(char group, int channel, double *rate, double *target)
{
	int slot, err = gain_slot(group, channel, &slot, NULL, 0);

	if (err < 0)
		return err;
	RDLOCK();
	*rate = st.ramps[slot].active ? st.ramps[slot].rate : 0.0;
	*target = st.ramps[slot].active ? st.ramps[slot].target :
	    st.d->audio.ch[slot].gain;
	UNLOCK();
	return 0;
}

/* Move one ramp to `now`; true if the gain should be published. */
static bool
ramp_step(struct ramp *r, struct state_chan *ch, uint64_t now)
{
	double g, end = r->target;
	bool up = r->rate > 0;

	if (!r->started) {
		r->started = true;
		r->last_ms = now;
		return false;
	}
	if (now <= r->last_ms)
		return false;
	g = ch->gain + r->rate * (double)(now - r->last_ms) / 1000.0;
	r->last_ms = now;
	if (up ? g >= end || ch->gain >= end : g <= end || ch->gain <= end) {
		g = up ? fmax(ch->gain, end) : fmin(ch->gain, end);
		r->active = false;
	}
	ch->gain = clamp(g, ch->min, ch->max);
	if (ch->gain == ch->min || ch->gain == ch->max)
		r->active = false;
	if (!r->active)
		return ch->gain != r->reported;
	return fabs(ch->gain - r->reported) >= RAMP_REPORT_STEP;
}

void
state_ramp_tick(uint64_t now_ms, const char *by)
{
	struct bus_change out[STATE_GAIN_SLOTS];
	struct origin o;
	size_t n = 0, i;
	int slot;

	if (!st.ready)
		return;
	WRLOCK();
	for (slot = 0; slot < st.layout.used[SLOT_GAIN]; slot++) {
		struct ramp *r = &st.ramps[slot];
		struct state_chan *ch = &st.d->audio.ch[slot];

		if (!r->active || !ramp_step(r, ch, now_ms))
			continue;
		r->reported = ch->gain;
		o = r->origin;
		/* the ticking service moves it; session/user stay the starter's */
		bus_origin_set(&o, by, r->origin.session);
		change_init(&out[n], STATE_F_GAIN, &o);
		change_addr(&out[n], r->group, r->channel);
		out[n].number = ch->gain;
		n++;
	}
	UNLOCK();
	if (n > 0)
		persist_mark_dirty();
	for (i = 0; i < n; i++)
		publish_change(&out[i]);
}

/* LABEL 0 U is the unit label setting (SET_UNIT_LABEL). */
static bool
is_unit_label(char group, int channel)
{
	return toupper((unsigned char)group) == 'U' && channel == 0;
}

int
state_label_check(const char *text, char *why, size_t whylen)
{
	size_t n = text == NULL ? 0 : strlen(text);

	if (n > STATE_LABEL_MAX || (n > 0 && !printable(text)))
		return state_fail(why, whylen, -EINVAL,
		    "label must be 1 to 20 printable characters");
	return 0;
}

int
state_label_get(char group, int channel, char *buf, size_t len)
{
	int slot;

	if (!st.ready)
		return -ENODEV;
	if (state_slot(&st.layout, group, channel, SLOT_LABEL, &slot) < 0)
		return -EINVAL;
	if (is_unit_label(group, channel))
		return state_setting_get(SET_UNIT_LABEL, buf, len);
	RDLOCK();
	snprintf(buf, len, "%s", st.d->audio.label[slot]);
	UNLOCK();
	return 0;
}

int
state_label_set(char group, int channel, const char *text,
    const struct origin *origin, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct bus_change *c;
	int slot;

	CHECK_READY(why, whylen);
	if (state_slot(&st.layout, group, channel, SLOT_LABEL, &slot) < 0)
		return state_fail(why, whylen, -EINVAL, "no such channel");
	if (text == NULL || text[0] == '\0' ||
	    state_label_check(text, why, whylen) < 0)
		return state_fail(why, whylen, -EINVAL,
		    "label must be 1 to 20 printable characters");
	if (strcasecmp(text, "CLEAR") == 0)
		text = "";
	if (is_unit_label(group, channel))
		return state_setting_set(SET_UNIT_LABEL, text, origin, why,
		    whylen);
	WRLOCK();
	snprintf(st.d->audio.label[slot], sizeof st.d->audio.label[slot], "%s",
	    text);
	c = change_add_chan(&cs, STATE_F_LABEL, origin, group, channel);
	snprintf(c->text, sizeof c->text, "%s", text);
	UNLOCK();
	return finish(&cs, SAVE_SETTINGS, why, whylen);
}

/* ---- matrix ---- */

int
state_xpoint(const struct state_layout *l, char sg, int s, char dg, int d,
    struct state_xpoint *x)
{
	const struct model *m = l->model;
	const struct model_group *src, *mics;
	int s_idx, d_idx;

	if (state_slot(l, sg, s, SLOT_SRC, &x->src) < 0 ||
	    state_slot(l, dg, d, SLOT_DST, &x->dst) < 0)
		return -EINVAL;
	src = model_group(m, sg);
	mics = model_group(m, 'M');
	model_storage(m, src, s, &s_idx);
	model_storage(m, model_group(m, dg), d, &d_idx);
	/* Mic inputs are M, or the inputs I that the model's M covers. */
	x->mic = src->letter == 'M' || (src->letter == 'I' && mics != NULL &&
	    s_idx < mics->count);
	x->self = src->letter == 'P' && toupper((unsigned char)dg) == 'P' &&
	    s_idx == d_idx;
	return 0;
}

static int
xpoint_resolve(char sg, int s, char dg, int d, struct state_xpoint *x,
    char *why, size_t whylen)
{
	if (!st.ready)
		return state_fail(why, whylen, -ENODEV, NOT_READY);
	if (state_xpoint(&st.layout, sg, s, dg, d, x) < 0)
		return state_fail(why, whylen, -EINVAL,
		    "no such matrix crosspoint");
	return 0;
}

int
state_mtrx_get(char src_group, int src, char dst_group, int dst, int *value)
{
	struct state_xpoint x;
	int err = xpoint_resolve(src_group, src, dst_group, dst, &x, NULL, 0);

	if (err < 0)
		return err;
	if (x.self) {
		*value = 6;
		return 0;
	}
	RDLOCK();
	*value = st.d->audio.route[x.src][x.dst];
	UNLOCK();
	return 0;
}

/* The value a request leaves (toggle resolved); -1 if not allowed. */
static int
mtrx_new_value(const struct state_xpoint *x, int value, int old)
{
	if (x->self || value < 0 || value > 5)
		return -1;
	if (x->mic)
		return value == 0 || value >= 3 ? value : -1;
	if (value == 2)
		return old ? 0 : 1;
	return value <= 1 ? value : -1;
}

static int
mtrx_refuse(const struct state_xpoint *x, char *why, size_t whylen)
{
	if (x->self)
		return state_fail(why, whylen, -EINVAL,
		    "a processing channel cannot be routed to itself");
	return state_fail(why, whylen, -EINVAL, x->mic ?
	    "a mic route must be 0, 3, 4 or 5" :
	    "a route must be 0, 1 or 2 (toggle)");
}

int
state_mtrx_set(char src_group, int src, char dst_group, int dst, int value,
    const struct origin *origin, int *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct bus_change *c;
	struct state_xpoint x;
	int v, err;

	err = xpoint_resolve(src_group, src, dst_group, dst, &x, why, whylen);
	if (err < 0)
		return err;
	/* Toggle needs the old value, so the check runs under the lock. */
	WRLOCK();
	v = mtrx_new_value(&x, value, st.d->audio.route[x.src][x.dst]);
	if (v >= 0) {
		st.d->audio.route[x.src][x.dst] = (uint8_t)v;
		c = change_add(&cs, STATE_F_MTRX, origin);
		change_xpoint(c, src_group, src, dst_group, dst);
		c->integer = v;
	}
	UNLOCK();
	if (v < 0)
		return mtrx_refuse(&x, why, whylen);
	if (result != NULL)
		*result = v;
	return finish(&cs, SAVE_AUDIO, why, whylen);
}

int
state_mtrxlvl_get(char src_group, int src, char dst_group, int dst,
    double *level)
{
	struct state_xpoint x;
	int err = xpoint_resolve(src_group, src, dst_group, dst, &x, NULL, 0);

	if (err < 0)
		return err;
	RDLOCK();
	*level = st.d->audio.level[x.src][x.dst];
	UNLOCK();
	return 0;
}

int
state_mtrxlvl_set(char src_group, int src, char dst_group, int dst,
    double value, bool relative, const struct origin *origin,
    double *result, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct bus_change *c;
	struct state_xpoint x;
	double *lv, v;
	int err;

	err = xpoint_resolve(src_group, src, dst_group, dst, &x, why, whylen);
	if (err < 0)
		return err;
	if (x.self)
		return mtrx_refuse(&x, why, whylen);
	if (!isfinite(value) || value < MTRXLVL_ENTRY_MIN ||
	    value > MTRXLVL_ENTRY_MAX)
		return state_fail(why, whylen, -EINVAL,
		    "matrix level must be a number from -99 to 99");
	WRLOCK();
	lv = &st.d->audio.level[x.src][x.dst];
	v = round2(clamp((relative ? *lv : 0.0) + value, MTRXLVL_MIN,
	    MTRXLVL_MAX));
	*lv = v;
	c = change_add(&cs, STATE_F_MTRXLVL, origin);
	change_xpoint(c, src_group, src, dst_group, dst);
	c->number = v;
	UNLOCK();
	if (result != NULL)
		*result = v;
	return finish(&cs, SAVE_AUDIO, why, whylen);
}

int
state_mtrx_clear(const struct origin *origin)
{
	struct change_set cs = { .n = 0 };

	CHECK_READY(NULL, 0);
	WRLOCK();
	/* Routes off; the levels stay for when a route comes back. */
	memset(st.d->audio.route, 0, sizeof st.d->audio.route);
	change_add(&cs, STATE_F_MTRXCLEAR, origin);
	UNLOCK();
	return finish(&cs, SAVE_AUDIO, NULL, 0);
}

int
state_safety_mute_get(void)
{
	int v;

	if (!st.ready)
		return 0;
	RDLOCK();
	v = st.d->audio.safety_mute;
	UNLOCK();
	return v;
}

int
state_safety_mute_set(int value, const struct origin *origin, int *result)
{
	struct change_set cs = { .n = 0 };
	int v;

	CHECK_READY(NULL, 0);
	if (value < 0 || value > 2)
		return -EINVAL;
	WRLOCK();
	v = value == 2 ? !st.d->audio.safety_mute : value;
	st.d->audio.safety_mute = v;
	change_add(&cs, STATE_F_SAFETY_MUTE, origin)->integer = v;
	UNLOCK();
	if (result != NULL)
		*result = v;
	return finish(&cs, SAVE_AUDIO, NULL, 0);
}

/* ---- presets ---- */

/* Presets and macros are numbered 1 to `max`. */
static int
numbered(const char *what, int n, int max, char *why, size_t whylen)
{
	if (!st.ready)
		return state_fail(why, whylen, -ENODEV, NOT_READY);
	if (n < 1 || n > max)
		return state_fail(why, whylen, -EINVAL, "%s must be 1 to %d",
		    what, max);
	return 0;
}

static int
preset_number(int n, char *why, size_t whylen)
{
	return numbered("preset", n, STATE_PRESETS, why, whylen);
}

int
state_preset_store(int n, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_preset *p;
	int err = preset_number(n, why, whylen);

	if (err < 0)
		return err;
	WRLOCK();
	p = &st.d->presets[n - 1];
	p->defined = true;
	memcpy(p->ch, st.d->audio.ch, sizeof p->ch);
	memcpy(p->route, st.d->audio.route, sizeof p->route);
	memcpy(p->level, st.d->audio.level, sizeof p->level);
	change_add(&cs, STATE_F_PRESET_STORED, origin)->integer = n;
	UNLOCK();
	return finish(&cs, SAVE_SETTINGS, why, whylen);
}

/* One STATE_F_PRESET, not one change per channel: consumers resync. */
int
state_preset_recall(int n, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_preset *p;
	int err = preset_number(n, why, whylen);

	if (err < 0)
		return err;
	WRLOCK();
	p = &st.d->presets[n - 1];
	if (p->defined) {
		memcpy(st.d->audio.ch, p->ch, sizeof p->ch);
		memcpy(st.d->audio.route, p->route, sizeof p->route);
		memcpy(st.d->audio.level, p->level, sizeof p->level);
		memset(st.ramps, 0, sizeof st.ramps);
		change_add(&cs, STATE_F_PRESET, origin)->integer = n;
	}
	UNLOCK();
	if (cs.n == 0)
		return state_fail(why, whylen, -ENOENT,
		    "preset %d is not defined", n);
	return finish(&cs, SAVE_AUDIO, why, whylen);
}

bool
state_preset_defined(int n)
{
	bool defined;

	if (!st.ready || n < 1 || n > STATE_PRESETS)
		return false;
	RDLOCK();
	defined = st.d->presets[n - 1].defined;
	UNLOCK();
	return defined;
}

/* ---- macros ---- */

int
state_macro_line_check(const char *line, char *why, size_t whylen)
{
	size_t n = line == NULL ? 0 : strlen(line);

	if (n == 0 || n >= BUS_TEXT_MAX || !printable(line))
		return state_fail(why, whylen, -EINVAL,
		    "macro lines must be 1 to %d printable characters",
		    BUS_TEXT_MAX - 1);
	return 0;
}

static int
macro_number(int n, char *why, size_t whylen)
{
	return numbered("macro", n, STATE_MACROS, why, whylen);
}

/* Zero lines undefines the macro. */
int
state_macro_define(int n, const char *const *lines, size_t count,
    const struct origin *origin, char *why, size_t whylen)
{
	struct change_set cs = { .n = 0 };
	char (*copy)[BUS_TEXT_MAX] = NULL, (*old)[BUS_TEXT_MAX];
	size_t i;
	int err = macro_number(n, why, whylen);

	if (err == 0 && count > STATE_MACRO_LINES)
		err = state_fail(why, whylen, -EINVAL,
		    "a macro has at most %d lines", STATE_MACRO_LINES);
	for (i = 0; err == 0 && i < count; i++)
		err = state_macro_line_check(lines[i], why, whylen);
	if (err == 0 && count > 0 && (copy = calloc(count, sizeof *copy)) ==
	    NULL)
		err = -ENOMEM;
	if (err < 0)
		return err;
	for (i = 0; i < count; i++)
		snprintf(copy[i], sizeof copy[i], "%s", lines[i]);
	WRLOCK();
	old = st.d->macros[n - 1].lines;
	st.d->macros[n - 1].lines = copy;
	st.d->macros[n - 1].count = count;
	change_add(&cs, STATE_F_MACRO_DEFINED, origin)->integer = n;
	UNLOCK();
	free(old);
	return finish(&cs, SAVE_SETTINGS, why, whylen);
}

size_t
state_macro_lines(int n, char lines[][BUS_TEXT_MAX], size_t max)
{
	const struct state_macro *m;
	size_t i, count;

	if (macro_number(n, NULL, 0) < 0)
		return 0;
	RDLOCK();
	m = &st.d->macros[n - 1];
	count = m->count < max ? m->count : max;
	for (i = 0; i < count; i++)
		memcpy(lines[i], m->lines[i], BUS_TEXT_MAX);
	UNLOCK();
	return count;
}

int
state_macro_start(int n, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct macro_run *run;
	int err = macro_number(n, why, whylen);

	if (err < 0)
		return err;
	WRLOCK();
	if (st.d->macros[n - 1].count == 0)
		err = state_fail(why, whylen, -ENOENT,
		    "macro %d is not defined", n);
	else if (st.nruns >= MACRO_QUEUE)
		err = state_fail(why, whylen, -EBUSY,
		    "too many macros waiting to run");
	if (err == 0) {
		run = &st.runs[st.nruns++];
		memset(run, 0, sizeof *run);
		run->n = n;
		if (origin != NULL)
			run->origin = *origin;
		st.macro_last = n;
		change_add(&cs, STATE_F_MACRO, origin)->integer = n;
	}
	UNLOCK();
	if (err < 0)
		return err;
	return finish(&cs, SAVE_NONE, why, whylen);
}

int
state_macro_last(void)
{
	int n;

	if (!st.ready)
		return 0;
	RDLOCK();
	n = st.macro_last;
	UNLOCK();
	return n;
}

/* Drop the running macro; the next one starts at once. Lock held. */
static void
macro_pop(void)
{
	memmove(&st.runs[0], &st.runs[1], (st.nruns - 1) * sizeof st.runs[0]);
	st.nruns--;
}

int
state_macro_next(uint64_t now_ms, char *line, size_t len, int *macro,
    struct origin *origin)
{
	const struct state_macro *m;
	struct macro_run *run;
	int got = 0;

	if (!st.ready)
		return 0;
	WRLOCK();
	while (st.nruns > 0 && got == 0) {
		run = &st.runs[0];
		if (now_ms < run->due)
			break;
		m = &st.d->macros[run->n - 1];
		/* Redefined shorter (or undefined) while running: done. */
		if (run->line >= m->count) {
			macro_pop();
			continue;
		}
		snprintf(line, len, "%s", m->lines[run->line++]);
		if (macro != NULL)
			*macro = run->n;
		if (origin != NULL)
			*origin = run->origin;
		got = 1;
		/*
		 * A finished run is dropped on the next call, so a wait
		 * after its last line still holds the macros behind it.
		 */
	}
	UNLOCK();
	return got;
}

void
state_macro_wait(uint64_t now_ms, unsigned delay_ms)
{
	if (!st.ready)
		return;
	WRLOCK();
	if (st.nruns > 0)
		st.runs[0].due = now_ms + delay_ms;
	UNLOCK();
}

/* ---- meters, gates (live values: no sequence number, not saved) ---- */

static int
meter_slot(char group, int channel, int meter, int *slot)
{
	if (!st.ready)
		return -ENODEV;
	if (meter < 0 || meter >= STATE_METERS)
		return -EINVAL;
	return state_slot(&st.layout, group, channel, SLOT_METER, slot);
}

int
state_meter_get(char group, int channel, int meter, double *db)
{
	int slot, err = meter_slot(group, channel, meter, &slot);

	if (err < 0)
		return err;
	RDLOCK();
	*db = st.meters[slot][meter];
	UNLOCK();
	return 0;
}

int
state_meter_put(char group, int channel, int meter, double db)
{
	int slot, err = meter_slot(group, channel, meter, &slot);

	if (err < 0)
		return err;
	if (!isfinite(db) || db < -99.99 || db > 99.99)
		return -EINVAL;
	WRLOCK();
	st.meters[slot][meter] = db;
	UNLOCK();
	return 0;
}

uint8_t
state_gate_bits(void)
{
	uint8_t bits;

	RDLOCK();
	bits = st.gate_bits;
	UNLOCK();
	return bits;
}

void
state_gate_put(uint8_t bits)
{
	WRLOCK();
	st.gate_bits = bits;
	UNLOCK();
}

/* ---- health ---- */

void
state_service_put(const struct bus_service *row)
{
	size_t i;

	WRLOCK();
	for (i = 0; i < st.nservices; i++)
		if (strcmp(st.services[i].name, row->name) == 0)
			break;
	if (i < SERVICES_MAX) {
		st.services[i] = *row;
		st.services[i].name[BUS_NAME_MAX - 1] = '\0';
		if (i == st.nservices)
			st.nservices++;
	}
	UNLOCK();
}

size_t
state_services(struct bus_service *out, size_t max)
{
	size_t n;

	RDLOCK();
	n = st.nservices < max ? st.nservices : max;
	memcpy(out, st.services, n * sizeof *out);
	UNLOCK();
	return n;
}

/* Printable ASCII only, so the state file is always valid JSON text. */
static void
ascii_only(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			s[i] = '?';
	s[len - 1] = '\0';
}

/* The oldest event is overwritten when the log is full. */
void
state_event_put(const struct bus_event *ev)
{
	struct bus_event e = *ev;
	struct state_data *d;
	bool saved = false;

	ascii_only(e.source, sizeof e.source);
	ascii_only(e.text, sizeof e.text);
	WRLOCK();
	d = st.d;
	if (d != NULL) {
		d->events[(d->event_first + d->nevents) % STATE_EVENTS_MAX] =
		    e;
		if (d->nevents < STATE_EVENTS_MAX)
			d->nevents++;
		else
			d->event_first = (d->event_first + 1) %
			    STATE_EVENTS_MAX;
		saved = true;
	}
	UNLOCK();
	if (saved)
		persist_mark_dirty();
}

/* Oldest first. */
size_t
state_events(struct bus_event *out, size_t max)
{
	size_t i, n = 0, skip;

	RDLOCK();
	if (st.d != NULL) {
		n = st.d->nevents < max ? st.d->nevents : max;
		/* If `out` is short, give the newest `n`. */
		skip = st.d->nevents - n;
		for (i = 0; i < n; i++)
			out[i] = st.d->events[(st.d->event_first + skip + i) %
			    STATE_EVENTS_MAX];
	}
	UNLOCK();
	return n;
}

/* ---- whole state ---- */

json_t *
state_to_json(void)
{
	json_t *root;

	if (!st.ready)
		return NULL;
	RDLOCK();
	root = state_json_build(st.d, &st.layout, st.seq);
	UNLOCK();
	return root;
}

/* Replace the saved part with `d`; the old macros go back in `d`. */
static void
data_swap(struct state_data *d)
{
	struct state_macro macros[STATE_MACROS];

	memcpy(macros, st.d->macros, sizeof macros);
	*st.d = *d;
	memcpy(d->macros, macros, sizeof macros);
	memset(st.ramps, 0, sizeof st.ramps);
	st.nruns = 0;
}

/*
 * The caller saves the result: persist_load calls this with the file
 * it has just read (and its own lock held, so no persist_* here).
 */
int
state_from_json(const json_t *root, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	struct state_data *d;
	uint64_t seq = 0;
	int err;

	CHECK_READY(why, whylen);
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return state_fail(why, whylen, -ENOMEM, "out of memory");
	err = state_json_parse(root, &st.layout, d, &seq, why, whylen);
	if (err == 0) {
		WRLOCK();
		data_swap(d);
		/* Numbers keep growing across restarts and restores. */
		if (seq > st.seq)
			st.seq = seq;
		change_add(&cs, STATE_F_RELOADED, origin);
		UNLOCK();
	}
	state_data_free_macros(d);
	free(d);
	if (err < 0)
		return err;
	return finish(&cs, SAVE_NONE, why, whylen);
}

/*
 * DEFAULT: audio, presets, macros, names, location, SNMP, mail and the
 * event mask go back to factory values. Users and the network, time and
 * serial settings stay, so a DEFAULT over Telnet cannot lock the
 * integrator out of the unit.
 */
int
state_reset_defaults(const struct origin *origin)
{
	struct change_set cs = { .n = 0 };
	struct state_data *d;

	CHECK_READY(NULL, 0);
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return -ENOMEM;
	WRLOCK();
	memcpy(d->settings, st.d->settings, sizeof d->settings);
	settings_defaults(d, true);
	memcpy(d->users, st.d->users, sizeof d->users);
	d->nusers = st.d->nusers;
	state_audio_defaults(&d->audio);
	memcpy(d->events, st.d->events, sizeof d->events);
	d->nevents = st.d->nevents;
	d->event_first = st.d->event_first;
	data_swap(d);
	/* the console reports it as "#H0 DEFAULT" (a restore has no line) */
	change_add(&cs, STATE_F_RELOADED, origin)->integer = 1;
	UNLOCK();
	state_data_free_macros(d);
	free(d);
	return finish(&cs, SAVE_SETTINGS, NULL, 0);
}
