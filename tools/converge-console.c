/* SPDX-License-Identifier: MIT */
/*
 * converge-console: command-line companion of convergd. Logs in to a
 * unit's console (Telnet/raw TCP, protocol.md §1.1) and sends commands
 * (send), runs an interactive session (shell) or prints asynchronous
 * reports (watch). Exit: 0 ok, 1 ERROR reply, 2 usage/connect, 3 time-out
 * or login failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "console_discover.h"
#include "console_telnet.h"

#define EXIT_OK		0
#define EXIT_ERROR_REPLY 1
#define EXIT_USAGE	2
#define EXIT_TIMEOUT	3
#define QUIET_MS	60	/* a reply's lines arrive together */
#define BUF_SIZE	65536

struct opts {
	const char *user;
	const char *pass;
	int timeout_ms;
	bool gate;		/* watch: GREPORT 1 */
	bool levels;		/* watch: LVLREPORTEN 1 */
	long count;		/* watch: stop after this many reports */
	int wait_s;		/* watch: stop after this many seconds */
	bool quiet;		/* send: print nothing */
};

struct conn {
	int fd;
	char buf[BUF_SIZE];
	size_t len;
	struct console_telnet telnet;	/* the console's own codec */
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: converge-console [options] send HOST[:PORT] CMD...\n"
	    "       converge-console [options] shell HOST[:PORT]\n"
	    "       converge-console [options] watch HOST[:PORT]\n"
	    "       converge-console discover|set-address ... (docs/console.md)\n"
	    "\n"
	    "Talk to a Converge Pro unit (or convergd) on its Telnet console.\n"
	    "  send   log in, send each CMD, print the reply lines\n"
	    "  shell  interactive: lines from stdin, replies and reports out\n"
	    "  watch  print asynchronous reports until interrupted\n"
	    "\n"
	    "options:\n"
	    "  -u USER     user name (default clearone)\n"
	    "  -p PASS     password (default converge)\n"
	    "  -t SECONDS  time-out for login and each reply (default 5)\n"
	    "  -q          send: print nothing, only set the exit status\n"
	    "  -g          watch: enable gate reports (GREPORT 1)\n"
	    "  -l          watch: enable level reports (LVLREPORTEN 1)\n"
	    "  -n COUNT    watch: exit after COUNT report lines\n"
	    "  -w SECONDS  watch: exit after SECONDS\n"
	    "  -h, --help  this text\n"
	    "\n"
	    "PORT defaults to %d. Exit status: 0 ok, 1 a reply was an ERROR,\n"
	    "2 usage or connection error, 3 time-out or login failure.\n",
	    CONSOLE_DEFAULT_PORT);
}

/* Split HOST[:PORT] or [V6]:PORT; returns false if malformed. */
static bool
split_hostport(const char *arg, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char *colon, *end;

	snprintf(port, portlen, "%d", CONSOLE_DEFAULT_PORT);
	if (arg[0] == '[') {
		if ((end = strchr(arg, ']')) == NULL ||
		    (size_t)(end - arg) > hostlen)
			return false;
		snprintf(host, hostlen, "%.*s", (int)(end - arg - 1), arg + 1);
		if (end[1] == ':')
			snprintf(port, portlen, "%s", end + 2);
		else if (end[1] != '\0')
			return false;
		return host[0] != '\0' && port[0] != '\0';
	}
	colon = strchr(arg, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		snprintf(host, hostlen, "%.*s", (int)(colon - arg), arg);
		snprintf(port, portlen, "%s", colon + 1);
	} else {
		snprintf(host, hostlen, "%s", arg);
	}
	return host[0] != '\0' && port[0] != '\0';
}

/* Connect with a time-out. Returns the fd or -1 (message printed). */
static int
dial(const char *arg, int timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	struct pollfd p;
	char host[256], port[32];
	int fd = -1, rc, err = 0;
	socklen_t len = sizeof(err);

	if (!split_hostport(arg, host, sizeof(host), port, sizeof(port))) {
		fprintf(stderr, "converge-console: bad address: %s\n", arg);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "converge-console: %s: %s\n", arg,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		p = (struct pollfd){ fd, POLLOUT, 0 };
		if (errno == EINPROGRESS && poll(&p, 1, timeout_ms) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
		    err == 0)
			break;
		if (err == 0)
			err = errno == EINPROGRESS ? ETIMEDOUT : errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "converge-console: %s: %s\n", arg,
		    strerror(err ? err : ECONNREFUSED));
	return fd;
}

static int conn_send_bytes(struct conn *c, const void *data, size_t len);

/*
 * Append socket bytes minus Telnet commands and subnegotiations; the
 * options a server asks for are refused, as the console itself does.
 */
static void
conn_take(struct conn *c, const unsigned char *p, size_t n)
{
	unsigned char data[4096], reply[4096];
	struct console_telnet_out out;
	size_t room;

	console_telnet_decode(&c->telnet, p, n, data, reply, sizeof(reply),
	    &out);
	if (out.reply_len > 0 && conn_send_bytes(c, reply, out.reply_len) < 0) {
		/* the read side reports a closed connection */
	}
	room = sizeof(c->buf) - 1 - c->len;
	if (out.data_len > room)
		out.data_len = room;
	memcpy(c->buf + c->len, data, out.data_len);
	c->len += out.data_len;
	c->buf[c->len] = '\0';
}

/* Read what arrives until `deadline`: 1 data, 0 time-out, -1 closed. */
static int
conn_fill(struct conn *c, uint64_t deadline)
{
	unsigned char tmp[4096];
	struct pollfd p = { c->fd, POLLIN, 0 };
	uint64_t now = clock_ms();
	ssize_t n;

	if (now >= deadline)
		return 0;
	if (poll(&p, 1, (int)(deadline - now)) <= 0)
		return 0;
	n = recv(c->fd, tmp, sizeof(tmp), 0);
	if (n <= 0)
		return -1;
	conn_take(c, tmp, (size_t)n);
	return 1;
}

static void
conn_drop(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n + 1);
	c->len -= n;
}

/* Take one non-empty line (without its CR/LF) if a whole one is there. */
static bool
conn_line(struct conn *c, char *line, size_t len)
{
	size_t end;

	for (;;) {
		end = strcspn(c->buf, "\r\n");
		if (end == c->len)
			return false;
		snprintf(line, len, "%.*s", (int)end, c->buf);
		conn_drop(c, end + 1);
		if (end > 0)
			return true;
	}
}

static int
conn_send_bytes(struct conn *c, const void *data, size_t len)
{
	const char *text = data;
	struct pollfd p = { c->fd, POLLOUT, 0 };
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN && poll(&p, 1, 5000) == 1)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static int
conn_send(struct conn *c, const char *text)
{
	return conn_send_bytes(c, text, strlen(text));
}

/* Wait until the buffer holds `text`; consume through it. */
static int
conn_expect(struct conn *c, const char *text, const char *fail,
    int timeout_ms)
{
	uint64_t deadline = clock_ms() + (uint64_t)timeout_ms;
	char *at;
	int rc;

	for (;;) {
		if ((at = strstr(c->buf, text)) != NULL) {
			conn_drop(c, (size_t)(at - c->buf) + strlen(text));
			return 0;
		}
		if (fail != NULL && strstr(c->buf, fail) != NULL)
			return -1;
		if ((rc = conn_fill(c, deadline)) <= 0)
			return -1;
	}
}

/* Log in per protocol.md §1.1. 0, or an exit status (reason printed). */
static int
login(struct conn *c, const struct opts *o)
{
	char text[256];
	int to = o->timeout_ms;

	if (conn_expect(c, "user: ", "Too many", to) < 0)
		goto refused;
	snprintf(text, sizeof(text), "%s\r\n", o->user);
	if (conn_send(c, text) < 0 || conn_expect(c, "pass: ", NULL, to) < 0)
		goto refused;
	snprintf(text, sizeof(text), "%s\r\n", o->pass);
	if (conn_send(c, text) < 0)
		goto refused;
	/* success is one block ending with the "Level: ..." line */
	if (conn_expect(c, "Authenticated.", "Invalid", to) < 0 ||
	    conn_expect(c, "Level: ", NULL, to) < 0 ||
	    conn_expect(c, "\r\n", NULL, to) < 0)
		goto refused;
	return 0;
refused:
	if (strstr(c->buf, "Invalid") != NULL)
		fprintf(stderr, "converge-console: login failed: invalid "
		    "user/password\n");
	else if (strstr(c->buf, "Too many") != NULL)
		fprintf(stderr, "converge-console: refused: %.*s\n",
		    (int)strcspn(strstr(c->buf, "Too many"), "\r\n"),
		    strstr(c->buf, "Too many"));
	else
		fprintf(stderr, "converge-console: login timed out or the "
		    "connection closed\n");
	return EXIT_TIMEOUT;
}

/*
 * The reply to one command: every command gives at least one "OK>" line,
 * and the unit sends a reply's lines together, so after the first one
 * we take what follows within a short quiet gap. Bare "#" lines are
 * reports from elsewhere and are not part of the reply.
 */
static int
send_one(struct conn *c, const char *cmd, const struct opts *o)
{
	char line[8192];
	uint64_t limit = clock_ms() + (uint64_t)o->timeout_ms;
	uint64_t deadline = limit;
	bool got = false, error = false, fresh;
	int rc;

	snprintf(line, sizeof(line), "%s\r\n", cmd);
	if (conn_send(c, line) < 0) {
		fprintf(stderr, "converge-console: send: %s\n",
		    strerror(errno));
		return EXIT_USAGE;
	}
	for (;;) {
		fresh = false;
		while (conn_line(c, line, sizeof(line))) {
			if (strncmp(line, "OK>", 3) != 0)
				continue;
			got = fresh = true;
			if (strstr(line, " ERROR ") != NULL)
				error = true;
			if (!o->quiet)
				printf("%s\n", line);
		}
		/* only our reply lines extend the wait; reports from other
		 * sessions must not keep us here past -t */
		if (fresh)
			deadline = clock_ms() + QUIET_MS;
		if (deadline > limit)
			deadline = limit;
		rc = conn_fill(c, deadline);
		if (rc < 0 && !got) {
			fprintf(stderr, "converge-console: connection "
			    "closed\n");
			return EXIT_USAGE;
		}
		if (rc <= 0)
			break;
	}
	fflush(stdout);
	if (!got) {
		fprintf(stderr, "converge-console: no reply to \"%s\"\n", cmd);
		return EXIT_TIMEOUT;
	}
	return error ? EXIT_ERROR_REPLY : EXIT_OK;
}

static int
cmd_send(struct conn *c, int argc, char **argv, const struct opts *o)
{
	int i, rc, worst = EXIT_OK;

	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		rc = send_one(c, argv[i], o);
		if (rc > worst)
			worst = rc;
		if (rc >= EXIT_USAGE)
			break;
	}
	return worst;
}

/* Print every complete line in the buffer; returns how many. */
static long
print_lines(struct conn *c, bool reports_only)
{
	char line[8192];
	long n = 0;

	while (conn_line(c, line, sizeof(line))) {
		if (reports_only && line[0] != '#')
			continue;
		printf("%s\n", line);
		n++;
	}
	fflush(stdout);
	return n;
}

static int
cmd_shell(struct conn *c, const struct opts *o)
{
	struct pollfd p[2] = {
		{ STDIN_FILENO, POLLIN, 0 }, { c->fd, POLLIN, 0 },
	};
	char in[4096];
	uint64_t quiet_until = 0;
	ssize_t n;

	while (!interrupted) {
		if (quiet_until != 0) {
			/* stdin ended: wait for the last replies, then quit */
			if (conn_fill(c, quiet_until) <= 0)
				break;
			print_lines(c, false);
			quiet_until = clock_ms() + 300;
			continue;
		}
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			return EXIT_USAGE;
		if (p[1].revents & (POLLIN | POLLHUP)) {
			if (conn_fill(c, clock_ms() + 1) < 0) {
				print_lines(c, false);
				fprintf(stderr, "converge-console: connection "
				    "closed\n");
				return EXIT_OK;
			}
			print_lines(c, false);
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			n = read(STDIN_FILENO, in, sizeof(in) - 1);
			if (n <= 0) {
				quiet_until = clock_ms() +
				    (uint64_t)o->timeout_ms;
				continue;
			}
			in[n] = '\0';
			/* the unit wants CR line ends; LF is fine too */
			if (conn_send(c, in) < 0)
				return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static int
cmd_watch(struct conn *c, const struct opts *o)
{
	uint64_t end = o->wait_s > 0 ?
	    clock_ms() + (uint64_t)o->wait_s * 1000u : UINT64_MAX;
	long seen = 0;
	int rc;

	if (o->gate && conn_send(c, "#** GREPORT 1\r\n") < 0)
		return EXIT_USAGE;
	if (o->levels && conn_send(c, "#** LVLREPORTEN 1\r\n") < 0)
		return EXIT_USAGE;
	while (!interrupted && (o->count <= 0 || seen < o->count)) {
		if (clock_ms() >= end)
			return o->count > 0 ? EXIT_TIMEOUT : EXIT_OK;
		rc = conn_fill(c, end < clock_ms() + 1000 ? end :
		    clock_ms() + 1000);
		if (rc < 0) {
			fprintf(stderr, "converge-console: connection "
			    "closed\n");
			return EXIT_USAGE;
		}
		seen += print_lines(c, true);
	}
	return EXIT_OK;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	char *end;

	while ((ch = getopt_long(argc, argv, "+u:p:t:qgln:w:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'u': o->user = optarg; break;
		case 'p': o->pass = optarg; break;
		case 'q': o->quiet = true; break;
		case 'g': o->gate = true; break;
		case 'l': o->levels = true; break;
		case 't':
		case 'n':
		case 'w': {
			long v = strtol(optarg, &end, 10);

			if (*end != '\0' || v <= 0 || v > 86400) {
				fprintf(stderr, "converge-console: -%c: bad "
				    "number %s\n", ch, optarg);
				return EXIT_USAGE;
			}
			if (ch == 't')
				o->timeout_ms = (int)v * 1000;
			else if (ch == 'n')
				o->count = v;
			else
				o->wait_s = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { "clearone", "converge", 5000, false, false, 0, 0,
	    false };
	static struct conn c;
	const char *verb, *target;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if ((rc = console_discover_main(argc - optind, argv + optind, o.user,
	    o.pass)) >= 0)
		return rc;
	if (argc - optind < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	verb = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;
	/* options may follow the verb too; 0 resets GNU getopt */
	optind = 0;
	if ((rc = parse_opts(argc + 1, argv - 1, &o)) != 0)
		return rc;
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 1 || (strcmp(verb, "send") != 0 &&
	    strcmp(verb, "shell") != 0 && strcmp(verb, "watch") != 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	target = argv[0];
	console_telnet_init(&c.telnet);
	if ((c.fd = dial(target, o.timeout_ms)) < 0)
		return EXIT_USAGE;
	if ((rc = login(&c, &o)) != 0)
		return rc;
	if (strcmp(verb, "send") == 0)
		rc = cmd_send(&c, argc - 1, argv + 1, &o);
	else if (strcmp(verb, "shell") == 0)
		rc = cmd_shell(&c, &o);
	else
		rc = cmd_watch(&c, &o);
	close(c.fd);
	return rc;
}
