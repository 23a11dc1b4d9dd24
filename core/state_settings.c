/* SPDX-License-Identifier: MIT */
/*
 * Settings (state.h): one table row per scalar setting with its type,
 * limits, default and level, the validators a setting value must pass
 * (also used by the state file loader). The getter and setter are in
 * state_settings_set.c, above the transactions this file never calls.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state.h"
#include "state_priv.h"

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

void
state_settings_defaults(struct state_data *d, bool keep_network)
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

/* ---- settings ---- */

/* starttls: required; starttls_optional: used if the server offers it */
static const char *const security_choices[] = { "none", "starttls", "tls",
	"starttls_optional", NULL };
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
	[SET_NET_DHCP_ON] = { "network.dhcp", SETTING_BOOL, 0, 1, "1", NULL,
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
	[SET_NTP_SERVER] = { "time.ntp_server", SETTING_HOSTPORT, 0, 0, "",
	    NULL, ADMIN, false },
	[SET_NTP_SERVER2] = { "time.ntp_server2", SETTING_HOSTPORT, 0, 0, "",
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
	    "public", NULL, ADMIN, false, true },
	/* empty = no SET by community: a well-known write community is an
	   open door (v3 users or a chosen community instead) */
	[SET_SNMP_RW_COMMUNITY] = { "snmp.rw_community", SETTING_TEXT, 0, 31,
	    "", NULL, ADMIN, false, true },
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
	[SET_MAIL_ENABLED] = { "mail.enabled", SETTING_BOOL, 0, 1, "1", NULL,
	    ADMIN, false },
#define RCPT_ROW(n) [SET_MAIL_RCPT1 + n - 1] = { "mail.recipient" #n, \
	SETTING_TEXT, 0, 127, "", NULL, ADMIN, false }
	RCPT_ROW(1), RCPT_ROW(2), RCPT_ROW(3), RCPT_ROW(4), RCPT_ROW(5),
	RCPT_ROW(6), RCPT_ROW(7), RCPT_ROW(8), RCPT_ROW(9), RCPT_ROW(10),
	RCPT_ROW(11), RCPT_ROW(12), RCPT_ROW(13), RCPT_ROW(14),
	RCPT_ROW(15), RCPT_ROW(16),
#undef RCPT_ROW
	[SET_LOC_CONTACT] = { "location.contact", SETTING_TEXT, 0, 63, "",
	    NULL, MANAGER, false },
	[SET_NTP_SERVER3] = { "time.ntp_server3", SETTING_HOSTPORT, 0, 0, "",
	    NULL, ADMIN, false },
	[SET_NTP_SERVER4] = { "time.ntp_server4", SETTING_HOSTPORT, 0, 0, "",
	    NULL, ADMIN, false },
	/* more trap destinations, "host[:port] KIND NAME" (state_snmp_trap) */
#define TRAP_ROW(n) [SET_SNMP_TRAP2 + n - 2] = { "snmp.trap" #n, \
	SETTING_TEXT, 0, 127, "", NULL, ADMIN, false, true }
	TRAP_ROW(2), TRAP_ROW(3), TRAP_ROW(4), TRAP_ROW(5), TRAP_ROW(6),
	TRAP_ROW(7), TRAP_ROW(8),
#undef TRAP_ROW
	/* who may use the communities: "default" or a.b.c.d[/len], by
	   commas; empty = the snmp service's configured sources */
	[SET_SNMP_SOURCES] = { "snmp.sources", SETTING_TEXT, 0, 127, "", NULL,
	    ADMIN, false },
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
		/* a 4th digit is enough to refuse; more would overflow */
		for (digits = 0; digits < 4 &&
		    isdigit((unsigned char)v[digits]); digits++)
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
	if (!state_printable(v))
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

static bool dns_name_ok(const char *v);

/*
 * host[:port]: a dotted quad that names one host or a DNS name, then
 * optionally ':' and a port 1-65535 (tests point NTP at a high port).
 * `host` holds 121 bytes; *port is 0 without one. NULL or the problem.
 */
static const char *
parse_hostport(const char *v, char *host, long *port)
{
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	uint32_t a;

	*port = 0;
	if (n == 0 || n > 120)
		return "not host or host:port";
	memcpy(host, v, n);
	host[n] = '\0';
	if (colon != NULL) {
		const char *p = colon + 1;
		size_t d = strspn(p, "0123456789");

		if (d == 0 || d > 5 || p[d] != '\0' || p[0] == '0' ||
		    (*port = strtol(p, NULL, 10)) > 65535)
			return "port must be 1 to 65535";
	}
	if (parse_ipv4(host, &a) == 0) {
		if (a == 0 || a == 0xffffffffu || (a >> 28) == 0xe)
			return "not a host address";
	} else if (strspn(host, "0123456789.") == n || !dns_name_ok(host)) {
		/* all digits and dots but no dotted quad: a typo, not a name */
		return "not a host name or address";
	}
	return NULL;
}

static int
check_hostport(const struct state_setting_info *info, const char *v,
    char *canon, size_t canonlen, char *why, size_t whylen)
{
	char host[121];
	const char *problem;
	long port;

	if (v[0] == '\0') {
		canon[0] = '\0';
		return 0;
	}
	problem = parse_hostport(v, host, &port);
	if (problem != NULL)
		return state_fail(why, whylen, -EINVAL, "%s: %s", info->key,
		    problem);
	if (port != 0)
		snprintf(canon, canonlen, "%s:%ld", host, port);
	else
		snprintf(canon, canonlen, "%s", host);
	return 0;
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
	[SETTING_HOSTPORT] = check_hostport,
};

/* One mail address: local@domain, no blanks, commas or brackets. */
static bool
email_address_ok(const char *a, size_t n)
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
		if (!email_address_ok(p, comma ? (size_t)(comma - p) :
		    strlen(p)))
			return "must be mail addresses (name@domain, "
			    "separated by commas)";
		if (comma == NULL)
			return NULL;
		p = comma + 1;
	}
}

static const char *const severity_names[] = { "info", "warning", "error",
	NULL };

/*
 * Split `value` into at most three blank-separated words in `buf` (a
 * setting's size): their count, or -EINVAL for a fourth word.
 */
static int
split_words(const char *value, char buf[STATE_SETTING_LEN], char *word[3])
{
	char *save = NULL;
	int n = 0;

	if (strlen(value) >= STATE_SETTING_LEN)
		return -EINVAL;
	snprintf(buf, STATE_SETTING_LEN, "%s", value);
	for (char *w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (n == 3)
			return -EINVAL;
		word[n++] = w;
	}
	return n;
}

static const char *const trap_kinds[] = { [TRAP_V1] = "v1-trap",
	[TRAP_V2C] = "v2c-trap", [TRAP_V2C_INFORM] = "v2c-inform",
	[TRAP_V3_INFORM] = "v3-inform", [TRAP_V3] = "v3-trap", NULL };

int
state_snmp_trap(const char *value, struct state_snmp_trap *t,
    const char **why)
{
	char buf[STATE_SETTING_LEN], *word[3];
	const char *problem = NULL, *dummy;
	long port;
	int n;
	size_t i;

	if (why == NULL)
		why = &dummy;
	*why = "must be \"host[:port] KIND NAME\" (KIND v1-trap, v2c-trap, "
	    "v2c-inform, v3-inform or v3-trap; NAME a community or, for v3, "
	    "a user)";
	if ((n = split_words(value, buf, word)) <= 0)
		return n == 0 ? 1 : n;
	if (n != 3)
		return -EINVAL;
	for (i = 0; trap_kinds[i] != NULL; i++)
		if (strcmp(word[1], trap_kinds[i]) == 0)
			break;
	if (trap_kinds[i] == NULL)
		return -EINVAL;
	problem = parse_hostport(word[0], t->host, &port);
	if (problem != NULL) {
		*why = problem;
		return -EINVAL;
	}
	if (strlen(word[2]) >= sizeof t->name ||
	    strpbrk(word[2], "\"'\\#") != NULL) {
		*why = "name must be 1 to 31 characters, no quotes, '\\' or '#'";
		return -EINVAL;
	}
	t->port = port != 0 ? (int)port : 162;
	t->kind = (enum state_trap_kind)i;
	snprintf(t->name, sizeof t->name, "%s", word[2]);
	*why = NULL;
	return 0;
}

int
state_mail_recipient(const char *value, struct state_mail_recipient *r)
{
	char buf[STATE_SETTING_LEN], *word[3], *end;
	size_t i;
	int n;

	if ((n = split_words(value, buf, word)) <= 0)
		return n == 0 ? 1 : n;
	if (!email_address_ok(word[0], strlen(word[0])) ||
	    strlen(word[0]) >= sizeof r->address)
		return -EINVAL;
	snprintf(r->address, sizeof r->address, "%s", word[0]);
	r->mask = 0xFFFFFFFFu;
	r->min = SEVERITY_INFO;
	if (n > 1) {
		if (strlen(word[1]) > 8 || !isxdigit((unsigned char)*word[1]))
			return -EINVAL;
		r->mask = (uint32_t)strtoul(word[1], &end, 16);
		if (*end != '\0')
			return -EINVAL;
	}
	if (n > 2) {
		for (i = 0; severity_names[i] != NULL; i++)
			if (strcasecmp(word[2], severity_names[i]) == 0)
				break;
		if (severity_names[i] == NULL)
			return -EINVAL;
		r->min = (enum event_severity)i;
	}
	return 0;
}

/* "default" or a.b.c.d or a.b.c.d/len (len 0-32, digits only) */
static bool
source_ok(const char *w, size_t n)
{
	char addr[16];
	const char *slash = memchr(w, '/', n);
	size_t alen = slash ? (size_t)(slash - w) : n, plen;
	uint32_t ip;

	if (n == 7 && strncmp(w, "default", 7) == 0)
		return true;
	if (alen >= sizeof addr)
		return false;
	memcpy(addr, w, alen);
	addr[alen] = '\0';
	if (parse_ipv4(addr, &ip) < 0)
		return false;
	if (slash == NULL)
		return true;
	plen = n - alen - 1;
	return plen >= 1 && plen <= 2 && strspn(slash + 1, "0123456789") >=
	    plen && atoi(slash + 1) <= 32;
}

/* snmp.sources: empty, or sources separated by commas and blanks. */
static const char *
extra_sources(const char *v)
{
	while (*v != '\0') {
		size_t n;

		v += strspn(v, ", ");
		n = strcspn(v, ", ");
		if (n > 0 && !source_ok(v, n))
			return "must be \"default\" or IPv4 addresses or "
			    "networks (a.b.c.d/len), separated by commas";
		v += n;
	}
	return NULL;
}

/* A DNS name (RFC 1123 §2.1): dot-separated labels of 1-63 letters,
 * digits and '-', not starting or ending with '-'. Empty = not set. */
static bool
dns_name_ok(const char *v)
{
	size_t label = 0;

	if (*v == '\0')
		return true;
	if (!state_all_in(v, ".-"))
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
		return state_all_in(v, "/_+-") ? NULL :
		    "may hold only letters, digits and / _ + -";
	case SET_NETBIOS_NAME:
		return state_all_in(v, "!#$%&'()-.@^_{}~") && v[0] != '.' ?
		    NULL : "not a valid NetBIOS name";
	case SET_SNMP_RO_COMMUNITY:
	case SET_SNMP_RW_COMMUNITY:
		return strchr(v, ' ') == NULL ? NULL : "may not hold blanks";
	case SET_SNMP_SOURCES:
		return extra_sources(v);
	case SET_MAIL_FROM:
		return extra_mail_list(v, false);
	case SET_MAIL_TO:
		return extra_mail_list(v, true);
	default:
		if (s >= SET_MAIL_RCPT1 && s <= SET_MAIL_RCPT16) {
			struct state_mail_recipient r;

			return state_mail_recipient(v, &r) >= 0 ? NULL :
			    "must be \"address [MASK [severity]]\" (hex event "
			    "mask, severity info, warning or error)";
		}
		if (s >= SET_SNMP_TRAP2 && s <= SET_SNMP_TRAP8) {
			struct state_snmp_trap t;
			const char *problem;

			return state_snmp_trap(v, &t, &problem) >= 0 ? NULL :
			    problem;
		}
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
