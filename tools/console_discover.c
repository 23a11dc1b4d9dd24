/* SPDX-License-Identifier: MIT */
/*
 * converge-console discover / set-address: CVDS v1 on UDP 3487
 * (docs/discovery.md). discover broadcasts LOCATE on every interface (or
 * asks one address, or one interface), collects the REPLYs for a while,
 * keeps one per UID and prints a table or JSON. set-address asks one
 * unit for its salt (CHALLENGE) and sends a signed SET_ADDRESS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "console_discover.h"
#include "discovery/discovery_auth.h"
#include "discovery/discovery_msg.h"

#define DISC_EXIT_OK		0
#define DISC_EXIT_REFUSED	1
#define DISC_EXIT_USAGE		2
#define DISC_EXIT_NONE		3
#define DISC_MAX_DEST		64
#define DISC_MAX_UNITS		1024
#define DISC_SENDS		3	/* LOCATE sent at 0, 1/3, 2/3 of the wait */

struct dest {
	struct sockaddr_in to;
	int ifindex;		/* > 0: broadcast out of this interface */
};

struct disc {
	int fd;
	struct dest dest[DISC_MAX_DEST];
	size_t ndest;
	int timeout_ms;
	bool json, counters;
	uint16_t port;
};

struct unit {
	struct discovery_msg m;
	struct sockaddr_in from;
};

static int
add_dest(struct disc *d, in_addr_t addr, uint16_t port, int ifindex)
{
	for (size_t i = 0; i < d->ndest; i++)
		if (d->dest[i].to.sin_addr.s_addr == addr &&
		    d->dest[i].ifindex == ifindex)
			return 0;
	if (d->ndest == DISC_MAX_DEST)
		return -ENOSPC;
	d->dest[d->ndest].to.sin_family = AF_INET;
	d->dest[d->ndest].to.sin_addr.s_addr = addr;
	d->dest[d->ndest].to.sin_port = htons(port);
	d->dest[d->ndest++].ifindex = ifindex;
	return 0;
}

/* Every interface that can broadcast, and loopback (a unit on 127.0.0.1). */
static int
dest_everywhere(struct disc *d)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
		    (i->ifa_flags & IFF_UP) && (i->ifa_flags & IFF_BROADCAST) &&
		    !(i->ifa_flags & IFF_LOOPBACK))
			add_dest(d, htonl(INADDR_BROADCAST), d->port,
			    (int)if_nametoindex(i->ifa_name));
	freeifaddrs(ifa);
	return add_dest(d, htonl(INADDR_LOOPBACK), d->port, 0);
}

/* ADDRESS[:PORT] (unicast, or a directed broadcast) or INTERFACE. */
static int
dest_parse(struct disc *d, const char *arg)
{
	char host[64];
	const char *colon = strchr(arg, ':');
	struct in_addr a;
	unsigned ifindex;
	long port = d->port;

	snprintf(host, sizeof host, "%.*s", colon ? (int)(colon - arg) :
	    (int)strlen(arg), arg);
	if (inet_pton(AF_INET, host, &a) == 1) {
		if (colon != NULL) {
			char *end;

			port = strtol(colon + 1, &end, 10);
			if (*end != '\0' || port < 1 || port > 65535)
				return -EINVAL;
		}
		return add_dest(d, a.s_addr, (uint16_t)port, 0);
	}
	if (colon == NULL && (ifindex = if_nametoindex(arg)) != 0)
		return add_dest(d, htonl(INADDR_BROADCAST), d->port,
		    (int)ifindex);
	return -EINVAL;
}

static int
disc_open(struct disc *d)
{
	struct sockaddr_in any = { .sin_family = AF_INET };
	int on = 1;

	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || setsockopt(d->fd, SOL_SOCKET, SO_BROADCAST, &on,
	    sizeof on) < 0 || bind(d->fd, (struct sockaddr *)&any,
	    sizeof any) < 0) {
		fprintf(stderr, "converge-console: udp socket: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
send_one(struct disc *d, const struct dest *t, const uint8_t *buf,
    size_t len)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} c;
	struct in_pktinfo pi = { .ipi_ifindex = t->ifindex };
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr mh = { .msg_name = (void *)(uintptr_t)&t->to,
	    .msg_namelen = sizeof t->to, .msg_iov = &iov, .msg_iovlen = 1 };
	char a[INET_ADDRSTRLEN];

	if (t->ifindex > 0) {
		/* this interface, whatever the routes say */
		memset(&c, 0, sizeof c);
		mh.msg_control = c.buf;
		mh.msg_controllen = sizeof c.buf;
		CMSG_FIRSTHDR(&mh)->cmsg_level = IPPROTO_IP;
		CMSG_FIRSTHDR(&mh)->cmsg_type = IP_PKTINFO;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &pi, sizeof pi);
	}
	/* loopback may have nobody listening: not worth a word */
	if (sendmsg(d->fd, &mh, 0) < 0 && t->ifindex > 0)
		fprintf(stderr, "converge-console: send to %s (interface %d): "
		    "%s\n", inet_ntop(AF_INET, &t->to.sin_addr, a, sizeof a),
		    t->ifindex, strerror(errno));
}

/*
 * Send `buf` to every destination DISC_SENDS times over the time-out and
 * hand each answer of type `want` with our xid to `take` (which returns
 * true to stop). Returns the number of answers taken.
 */
static int
exchange(struct disc *d, const uint8_t *buf, size_t len, uint32_t xid,
    int want, bool (*take)(void *, const struct discovery_msg *,
    const struct sockaddr_in *), void *arg)
{
	uint64_t start = clock_ms(), deadline = start + (uint64_t)d->timeout_ms;
	int sends = 0, taken = 0;

	for (;;) {
		uint64_t now = clock_ms(), next = start + (uint64_t)sends *
		    (uint64_t)d->timeout_ms / DISC_SENDS;
		struct pollfd p = { d->fd, POLLIN, 0 };
		uint8_t in[DISCOVERY_MSG_MAX + 1];
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		struct discovery_msg m;
		ssize_t n;

		if (now >= deadline)
			return taken;
		if (sends < DISC_SENDS && now >= next) {
			for (size_t i = 0; i < d->ndest; i++)
				send_one(d, &d->dest[i], buf, len);
			sends++;
			continue;
		}
		next = sends < DISC_SENDS ? next : deadline;
		if (poll(&p, 1, (int)((next < deadline ? next : deadline) -
		    now)) <= 0)
			continue;
		n = recvfrom(d->fd, in, sizeof in, 0, (struct sockaddr *)&from,
		    &fl);
		if (n <= 0 || discovery_msg_parse(in, (size_t)n, &m) != 0 ||
		    m.type != want || m.xid != xid)
			continue;
		taken++;
		if (take(arg, &m, &from))
			return taken;
	}
}

struct found {
	struct unit *units;
	size_t n;
};

/* Keep the first REPLY of each UID. */
static bool
take_reply(void *arg, const struct discovery_msg *m,
    const struct sockaddr_in *from)
{
	struct found *f = arg;

	for (size_t i = 0; i < f->n; i++)
		if (memcmp(f->units[i].m.uid, m->uid, 4) == 0)
			return false;
	if (f->n < DISC_MAX_UNITS) {
		f->units[f->n].m = *m;
		f->units[f->n++].from = *from;
	}
	return false;
}

static int
by_address(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;
	uint32_t ax = ntohl(x->m.address), ay = ntohl(y->m.address);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	return memcmp(x->m.uid, y->m.uid, 4);
}

static const char *
ip(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void
print_table(const struct found *f)
{
	char a[INET_ADDRSTRLEN], k[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	printf("%-8s  %-17s  %-7s %-3s  %-15s  %-15s  %-15s  %-6s  %-7s  "
	    "%-5s  %-10s  %s\n", "UID", "MAC", "MODEL", "DEV", "ADDRESS",
	    "NETMASK", "GATEWAY", "MODE", "CONSOLE", "WEB", "FIRMWARE",
	    "LABEL");
	for (size_t i = 0; i < f->n; i++) {
		const struct discovery_msg *m = &f->units[i].m;

		printf("%02X%02X%02X%02X  %02x:%02x:%02x:%02x:%02x:%02x  "
		    "%-7s %c%-2X  %-15s  %-15s  %-15s  %-6s  %-7u  %-5u  "
		    "%-10s  %s\n", m->uid[0], m->uid[1], m->uid[2], m->uid[3],
		    m->mac[0], m->mac[1], m->mac[2], m->mac[3], m->mac[4],
		    m->mac[5], m->model, m->dev_type, m->dev_id,
		    ip(m->address, a), ip(m->netmask, k), ip(m->gateway, g),
		    m->dhcp ? "dhcp" : "static", m->console_port, m->web_port,
		    m->firmware, m->label);
	}
}

/* A JSON string: texts are printable ASCII, so only " and \ need care. */
static void
json_str(const char *key, const char *s, const char *sep)
{
	printf("\"%s\": \"", key);
	for (; *s != '\0'; s++)
		printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	printf("\"%s", sep);
}

static void
print_json_unit(const struct unit *u)
{
	const struct discovery_msg *m = &u->m;
	char b[32], a[INET_ADDRSTRLEN];

	printf("  {");
	snprintf(b, sizeof b, "%02X%02X%02X%02X", m->uid[0], m->uid[1],
	    m->uid[2], m->uid[3]);
	json_str("uid", b, ", ");
	snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m->mac[0],
	    m->mac[1], m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
	json_str("mac", b, ", ");
	json_str("model", m->model, ", ");
	snprintf(b, sizeof b, "%c", m->dev_type);
	json_str("device_type", b, ", ");
	printf("\"device_id\": %u, ", m->dev_id);
	json_str("firmware", m->firmware, ", ");
	json_str("label", m->label, ", ");
	json_str("netbios", m->netbios, ", ");
	json_str("address", ip(m->address, a), ", ");
	json_str("netmask", ip(m->netmask, a), ", ");
	json_str("gateway", ip(m->gateway, a), ", ");
	printf("\"dhcp\": %s, \"console_port\": %u, \"web_port\": %u, "
	    "\"protocol\": %d, ", m->dhcp ? "true" : "false", m->console_port,
	    m->web_port, DISCOVERY_MSG_VERSION);
	snprintf(b, sizeof b, "%s:%u", ip(u->from.sin_addr.s_addr, a),
	    ntohs(u->from.sin_port));
	json_str("from", b, "");
	if (m->present & DISCOVERY_BIT(DISCOVERY_T_COUNTERS)) {
		printf(", \"counters\": {");
		for (int i = 0; i < DISCOVERY_MSG_COUNTERS; i++)
			printf("%s\"%s\": %u", i ? ", " : "",
			    discovery_msg_counter_name(i), m->counters[i]);
		printf("}");
	}
	printf("}");
}

static int
discover(struct disc *d)
{
	struct discovery_msg req = { .type = DISCOVERY_LOCATE };
	struct found f = { calloc(DISC_MAX_UNITS, sizeof(struct unit)), 0 };
	uint8_t buf[DISCOVERY_MSG_MAX];
	int n;

	if (f.units == NULL || getrandom(&req.xid, sizeof req.xid, 0) < 0)
		return DISC_EXIT_USAGE;
	req.flags = d->counters ? DISCOVERY_MSG_WANT_COUNTERS : 0;
	if ((n = discovery_msg_encode(&req, buf, sizeof buf)) < 0)
		return DISC_EXIT_USAGE;
	exchange(d, buf, (size_t)n, req.xid, DISCOVERY_REPLY, take_reply, &f);
	qsort(f.units, f.n, sizeof *f.units, by_address);
	if (d->json) {
		printf("[\n");
		for (size_t i = 0; i < f.n; i++) {
			print_json_unit(&f.units[i]);
			printf(i + 1 < f.n ? ",\n" : "\n");
		}
		printf("]\n");
	} else if (f.n > 0) {
		print_table(&f);
	}
	if (f.n == 0)
		fprintf(stderr, "converge-console: no unit answered within "
		    "%d ms\n", d->timeout_ms);
	free(f.units);
	return f.n > 0 ? DISC_EXIT_OK : DISC_EXIT_NONE;
}

struct challenge {
	struct discovery_msg reply;
	uint64_t at_ms;		/* when it came: the unit's clock goes on */
};

static bool
take_first(void *arg, const struct discovery_msg *m,
    const struct sockaddr_in *from)
{
	struct challenge *c = arg;

	(void)from;
	c->reply = *m;
	c->at_ms = clock_ms();
	return true;
}

/* UNIT: 8 hex digits (UID) or a MAC address; into req's target. */
static int
parse_unit(const char *s, struct discovery_msg *req)
{
	unsigned v[6];
	char end;

	if (strlen(s) == 8 && sscanf(s, "%2x%2x%2x%2x%c", &v[0], &v[1], &v[2],
	    &v[3], &end) == 4) {
		for (int i = 0; i < 4; i++)
			req->target_uid[i] = (uint8_t)v[i];
		req->present |= DISCOVERY_BIT(DISCOVERY_T_TARGET_UID);
		return 0;
	}
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
	    &v[4], &v[5], &end) == 6) {
		for (int i = 0; i < 6; i++)
			req->target_mac[i] = (uint8_t)v[i];
		req->present |= DISCOVERY_BIT(DISCOVERY_T_TARGET_MAC);
		return 0;
	}
	return -EINVAL;
}

/* "dhcp" or ADDRESS NETMASK [GATEWAY] into req. */
static int
parse_settings(int argc, char **argv, struct discovery_msg *req)
{
	uint32_t *fields[] = { &req->address, &req->netmask, &req->gateway };
	const int tlvs[] = { DISCOVERY_T_ADDRESS, DISCOVERY_T_NETMASK,
	    DISCOVERY_T_GATEWAY };

	req->present |= DISCOVERY_BIT(DISCOVERY_T_DHCP);
	if (argc == 1 && strcmp(argv[0], "dhcp") == 0) {
		req->dhcp = 1;
		return 0;
	}
	if (argc < 2 || argc > 3)
		return -EINVAL;
	for (int i = 0; i < argc; i++) {
		if (inet_pton(AF_INET, argv[i], fields[i]) != 1)
			return -EINVAL;
		req->present |= DISCOVERY_BIT(tlvs[i]);
	}
	return 0;
}

/* CHALLENGE, then SET_ADDRESS signed with crypt(pass, salt). */
static int
set_address(struct disc *d, struct discovery_msg *req, const char *pass)
{
	struct discovery_msg ch = { .type = DISCOVERY_CHALLENGE };
	struct challenge c = { 0 };
	char key[DISCOVERY_AUTH_KEY_MAX];
	uint8_t buf[DISCOVERY_MSG_MAX];
	int n;

	ch.present = req->present & (DISCOVERY_BIT(DISCOVERY_T_TARGET_UID) |
	    DISCOVERY_BIT(DISCOVERY_T_TARGET_MAC) |
	    DISCOVERY_BIT(DISCOVERY_T_USER));
	memcpy(ch.target_uid, req->target_uid, 4);
	memcpy(ch.target_mac, req->target_mac, 6);
	memcpy(ch.user, req->user, sizeof ch.user);
	if (getrandom(&ch.xid, sizeof ch.xid, 0) < 0 ||
	    getrandom(req->nonce, sizeof req->nonce, 0) < 0 ||
	    (n = discovery_msg_encode(&ch, buf, sizeof buf)) < 0)
		return DISC_EXIT_USAGE;
	if (exchange(d, buf, (size_t)n, ch.xid, DISCOVERY_CHALLENGE_REPLY,
	    take_first, &c) == 0) {
		fprintf(stderr, "converge-console: the unit did not answer\n");
		return DISC_EXIT_NONE;
	}
	if (discovery_auth_key(pass, c.reply.salt, key, sizeof key) < 0) {
		fprintf(stderr, "converge-console: unusable salt\n");
		return DISC_EXIT_REFUSED;
	}
	req->xid = ch.xid + 1;
	req->timestamp = c.reply.unit_time + (clock_ms() - c.at_ms) / 1000;
	req->present |= DISCOVERY_BIT(DISCOVERY_T_NONCE) |
	    DISCOVERY_BIT(DISCOVERY_T_TIMESTAMP) |
	    DISCOVERY_BIT(DISCOVERY_T_AUTH);
	if ((n = discovery_msg_encode(req, buf, sizeof buf)) < 0)
		return DISC_EXIT_USAGE;
	discovery_auth_mac(key, buf, req->auth_off, buf + req->auth_off + 2);
	explicit_bzero(key, sizeof key);
	memset(&c, 0, sizeof c);
	if (exchange(d, buf, (size_t)n, req->xid, DISCOVERY_SET_RESULT,
	    take_first, &c) == 0) {
		fprintf(stderr, "converge-console: no answer to set-address\n");
		return DISC_EXIT_NONE;
	}
	printf("%02X%02X%02X%02X: %s%s%s\n", c.reply.uid[0], c.reply.uid[1],
	    c.reply.uid[2], c.reply.uid[3],
	    discovery_msg_status_name(c.reply.status),
	    c.reply.reason[0] ? ": " : "", c.reply.reason);
	return c.reply.status == DISCOVERY_OK ? DISC_EXIT_OK :
	    DISC_EXIT_REFUSED;
}

static void
disc_usage(void)
{
	fprintf(stderr,
	    "usage: converge-console discover [--timeout MS] [--json] "
	    "[--counters] [--port PORT]\n"
	    "           [ADDRESS[:PORT]|INTERFACE]\n"
	    "       converge-console [-u USER] [-p PASS] set-address "
	    "[--timeout MS] [--port PORT]\n"
	    "           [--via ADDRESS[:PORT]|INTERFACE] UNIT "
	    "(dhcp | ADDRESS NETMASK [GATEWAY])\n"
	    "UNIT is a UID (8 hex digits) or a MAC address. Without ADDRESS or\n"
	    "INTERFACE (--via), every interface is broadcast on and 127.0.0.1\n"
	    "asked. Exit: 0 found/done, 1 refused, 2 usage, 3 no answer.\n");
}

struct disc_args {
	const char *via, *user, *pass;
};

static int
parse_disc_opts(int argc, char **argv, struct disc *d, struct disc_args *a)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "counters", no_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'P' },
		{ "via", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	long v;
	char *end;

	optind = 0;	/* GNU getopt: start over, argv[0] is the verb */
	while ((ch = getopt_long(argc, argv, "+u:p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': d->json = true; break;
		case 'c': d->counters = true; break;
		case 'v': a->via = optarg; break;
		case 'u': a->user = optarg; break;
		case 'p': a->pass = optarg; break;
		case 'T':
		case 'P':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > (ch == 'T' ? 600000 :
			    65535))
				return -EINVAL;
			if (ch == 'T')
				d->timeout_ms = (int)v;
			else
				d->port = (uint16_t)v;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static int
run_verb(struct disc *d, struct disc_args *a, bool discovering, int argc,
    char **argv)
{
	struct discovery_msg req = { .type = DISCOVERY_SET_ADDRESS };
	const char *where = discovering ? (argc > 0 ? argv[0] : NULL) : a->via;

	if ((discovering && argc > 1) || (!discovering && (argc < 2 ||
	    parse_unit(argv[0], &req) < 0 ||
	    parse_settings(argc - 1, argv + 1, &req) < 0 ||
	    strlen(a->user) >= sizeof req.user))) {
		disc_usage();
		return DISC_EXIT_USAGE;
	}
	if ((where != NULL ? dest_parse(d, where) : dest_everywhere(d)) < 0) {
		fprintf(stderr, "converge-console: not an address or an "
		    "interface: %s\n", where ? where : "(all)");
		return DISC_EXIT_USAGE;
	}
	if (disc_open(d) < 0)
		return DISC_EXIT_USAGE;
	if (discovering)
		return discover(d);
	snprintf(req.user, sizeof req.user, "%s", a->user);
	req.present |= DISCOVERY_BIT(DISCOVERY_T_USER);
	return set_address(d, &req, a->pass);
}

int
console_discover_main(int argc, char **argv, const char *user,
    const char *pass)
{
	struct disc d = { .fd = -1, .timeout_ms = 1000,
	    .port = DISCOVERY_MSG_PORT };
	struct disc_args a = { NULL, user, pass };
	bool discovering;
	int rc;

	if (argc < 1 || (strcmp(argv[0], "discover") != 0 &&
	    strcmp(argv[0], "set-address") != 0))
		return -1;
	discovering = strcmp(argv[0], "discover") == 0;
	if (parse_disc_opts(argc, argv, &d, &a) < 0) {
		disc_usage();
		return DISC_EXIT_USAGE;
	}
	rc = run_verb(&d, &a, discovering, argc - optind, argv + optind);
	if (d.fd >= 0)
		close(d.fd);
	return rc;
}
