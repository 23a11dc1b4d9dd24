/* SPDX-License-Identifier: MIT */
/*
 * Console benchmark: N sessions (1, 8, 64) send "#H0 GAIN 1 M -10 A"
 * to a running convergd, request/response and pipelined, and the same
 * traffic goes to a plain line-echo server (in this process, one thread,
 * the same poll loop shape) as the baseline. Prints commands/s, p50/p99
 * latency and the ratio. Client and servers share the machine.
 *
 * With -q QUERY: one session, request/response only, the command (a set)
 * against QUERY (a read of the same thing), alternating 3 times: p50/p99
 * of both and set p50 / query p50 (issue 18: at most 2).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN	64
#define WINDOW		16	/* pipelined: commands in flight */
#define MAX_SAMPLES	(8u << 20)
#define LINE_MAX_B	4096

struct bconn {
	int fd;
	char in[65536];
	size_t in_len;
	uint64_t sent_at[WINDOW];	/* FIFO of send times */
	unsigned head, inflight;
};

struct result {
	double per_s;
	double p50_us, p99_us;
	uint64_t reports;	/* bare lines: others' changes */
};

static uint32_t *samples;
static size_t nsamples;
static const char *command = "#H0 GAIN 1 M -10 A";
static volatile int echo_stop;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_console: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* ---- the baseline: a line echo server with the console's loop shape */

struct echo_conn {
	int fd;
	char line[LINE_MAX_B];
	size_t len;
};

static void
echo_input(struct echo_conn *e)
{
	char buf[4096], out[8192];
	size_t olen = 0;
	ssize_t n, i;

	if ((n = read(e->fd, buf, sizeof(buf))) <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			close(e->fd);
			e->fd = -1;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] != '\r' && buf[i] != '\n') {
			if (e->len < sizeof(e->line))
				e->line[e->len++] = buf[i];
			continue;
		}
		if (e->len == 0)
			continue;
		if (olen + e->len + 2 > sizeof(out)) {
			if (send(e->fd, out, olen, MSG_NOSIGNAL) < 0)
				return;
			olen = 0;
		}
		memcpy(out + olen, e->line, e->len);
		olen += e->len;
		out[olen++] = '\r';
		out[olen++] = '\n';
		e->len = 0;
	}
	if (olen > 0 && send(e->fd, out, olen, MSG_NOSIGNAL) < 0) {
		/* the client went away; the next read sees it */
	}
}

static void *
echo_thread(void *arg)
{
	static struct echo_conn conns[MAX_CONN + 1];
	struct pollfd pfd[MAX_CONN + 2];
	int lfd = *(int *)arg, fd, i, n = 0;

	while (!echo_stop) {
		pfd[0] = (struct pollfd){ lfd, POLLIN, 0 };
		for (i = 0; i < n; i++)
			pfd[i + 1] = (struct pollfd){ conns[i].fd, POLLIN, 0 };
		if (poll(pfd, (nfds_t)n + 1, 200) <= 0)
			continue;
		for (i = 0; i < n; i++)
			if (pfd[i + 1].revents)
				echo_input(&conns[i]);
		for (i = 0; i < n; i++)
			if (conns[i].fd < 0)
				conns[i--] = conns[--n];
		if ((pfd[0].revents & POLLIN) && n <= MAX_CONN &&
		    (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
			int on = 1;

			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
			    sizeof(on));
			conns[n].fd = fd;
			conns[n++].len = 0;
		}
	}
	for (i = 0; i < n; i++)
		close(conns[i].fd);
	return NULL;
}

static int
echo_start(pthread_t *tid, int *port)
{
	static int lfd;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lfd, 128) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) < 0)
		die("echo server");
	*port = ntohs(sin.sin_port);
	return pthread_create(tid, NULL, echo_thread, &lfd);
}

/* ---- the client */

static int
dial(const char *host, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, on = 1;

	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "bench_console: %s: not an IPv4 address\n",
		    host);
		exit(2);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return fd;
}

/* Blocking read until `text` has arrived (login dialogue). */
static void
wait_text(struct bconn *b, const char *text)
{
	size_t tlen = strlen(text), used;
	char *at;
	ssize_t n;

	while ((at = memmem(b->in, b->in_len, text, tlen)) == NULL) {
		if (b->in_len >= sizeof(b->in) - 1)
			b->in_len = 0;
		n = read(b->fd, b->in + b->in_len, sizeof(b->in) - b->in_len);
		if (n <= 0) {
			fprintf(stderr, "bench_console: login: no \"%s\"\n",
			    text);
			exit(3);
		}
		b->in_len += (size_t)n;
	}
	/* keep what follows the text */
	used = (size_t)(at - b->in) + tlen;
	memmove(b->in, b->in + used, b->in_len - used);
	b->in_len -= used;
}

static void
login(struct bconn *b, const char *user, const char *pass)
{
	char line[128];

	wait_text(b, "user: ");
	snprintf(line, sizeof(line), "%s\r", user);
	if (write(b->fd, line, strlen(line)) < 0)
		die("write");
	wait_text(b, "pass: ");
	snprintf(line, sizeof(line), "%s\r", pass);
	if (write(b->fd, line, strlen(line)) < 0)
		die("write");
	wait_text(b, "Level: ");
	wait_text(b, "\r\n");
}

static void
send_cmd(struct bconn *b)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\r", command);

	if (send(b->fd, line, (size_t)n, MSG_NOSIGNAL) != n)
		die("send");
	b->sent_at[(b->head + b->inflight) % WINDOW] = now_us();
	b->inflight++;
}

/* Consume complete lines: replies end a command, bare "#" lines are
 * reports of the other sessions' changes. */
static void
take_lines(struct bconn *b, bool console, uint64_t *done, uint64_t *reports)
{
	char *p = b->in, *end = b->in + b->in_len, *nl;
	uint64_t t = now_us();

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (console && p[0] == '#') {
			(*reports)++;
		} else if (b->inflight > 0 && (!console || p[0] == 'O')) {
			if (nsamples < MAX_SAMPLES)
				samples[nsamples++] =
				    (uint32_t)(t - b->sent_at[b->head]);
			b->head = (b->head + 1) % WINDOW;
			b->inflight--;
			(*done)++;
		}
		p = nl + 1;
	}
	b->in_len = (size_t)(end - p);
	memmove(b->in, p, b->in_len);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
run_load(struct bconn *conns, int n, unsigned window, double seconds,
    bool console, struct result *r)
{
	struct pollfd pfd[MAX_CONN];
	uint64_t done = 0, start, stop;
	ssize_t got;
	int i;

	nsamples = 0;
	r->reports = 0;
	for (i = 0; i < n; i++)
		while (conns[i].inflight < window)
			send_cmd(&conns[i]);
	start = now_us();
	stop = start + (uint64_t)(seconds * 1e6);
	while (now_us() < stop) {
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ conns[i].fd, POLLIN, 0 };
		if (poll(pfd, (nfds_t)n, 100) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			got = read(conns[i].fd, conns[i].in + conns[i].in_len,
			    sizeof(conns[i].in) - conns[i].in_len - 1);
			if (got <= 0)
				die("read");
			conns[i].in_len += (size_t)got;
			take_lines(&conns[i], console, &done, &r->reports);
			while (conns[i].inflight < window)
				send_cmd(&conns[i]);
		}
	}
	r->per_s = (double)done / ((double)(now_us() - start) / 1e6);
	qsort(samples, nsamples, sizeof(*samples), cmp_u32);
	r->p50_us = nsamples ? samples[nsamples / 2] : 0;
	r->p99_us = nsamples ? samples[nsamples * 99 / 100] : 0;
	/* let the last replies drain so the next run starts clean */
	for (i = 0; i < n; i++) {
		usleep(1000);
		conns[i].inflight = 0;
		conns[i].head = 0;
	}
}

static void
open_all(struct bconn *conns, int n, const char *host, int port,
    bool console, const char *user, const char *pass)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&conns[i], 0, sizeof(conns[i]));
		conns[i].fd = dial(host, port);
		if (console)
			login(&conns[i], user, pass);
	}
}

static void
close_all(struct bconn *conns, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(conns[i].fd);
	usleep(200000);	/* let the server notice before the next run */
}

static void
print_row(int sessions, const char *mode, const struct result *rc,
    const struct result *re)
{
	printf("%-8d %-9s | %12.0f %8.0f %8.0f %10llu | %12.0f %8.0f %8.0f | "
	    "%6.2f\n", sessions, mode, rc->per_s, rc->p50_us, rc->p99_us,
	    (unsigned long long)rc->reports, re->per_s, re->p50_us,
	    re->p99_us, re->per_s > 0 ? rc->per_s / re->per_s : 0.0);
	fflush(stdout);
}

/* -q: a set against a query at one session, three rounds each. */
static void
set_vs_query(const char *host, int port, const char *user, const char *pass,
    const char *query, double seconds)
{
	const char *set = command;
	struct bconn *b = calloc(1, sizeof(*b));
	struct result rs, rq;
	int round;

	if (b == NULL)
		die("calloc");
	printf("set \"%s\" vs query \"%s\", 1 session, req/resp, %.1f s "
	    "per run\n%-6s | %10s %8s %8s | %10s %8s %8s | %s\n", set, query,
	    seconds, "round", "set/s", "p50 us", "p99 us", "query/s",
	    "p50 us", "p99 us", "set/query p50");
	open_all(b, 1, host, port, true, user, pass);
	for (round = 1; round <= 3; round++) {
		command = set;
		run_load(b, 1, 1, seconds, true, &rs);
		command = query;
		run_load(b, 1, 1, seconds, true, &rq);
		printf("%-6d | %10.0f %8.0f %8.0f | %10.0f %8.0f %8.0f | %.2f\n",
		    round, rs.per_s, rs.p50_us, rs.p99_us, rq.per_s, rq.p50_us,
		    rq.p99_us, rq.p50_us > 0 ? rs.p50_us / rq.p50_us : 0.0);
		fflush(stdout);
	}
	close_all(b, 1);
	free(b);
	command = set;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_console [-s SECONDS] [-c COMMAND] "
	    "[-q QUERY] [-u USER] [-p PASS] HOST:PORT\n"
	    "  measures a running convergd console (e.g. started with "
	    "config/dev.conf:\n  127.0.0.1:2323) against an in-process line "
	    "echo server\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct bconn conns[MAX_CONN];
	static const int sizes[] = { 1, 8, 64 };
	const char *user = "clearone", *pass = "converge", *query = NULL;
	struct result rc, re;
	double seconds = 2.0;
	char host[64];
	int port, echo_port, ch, s, mode;
	pthread_t tid;

	while ((ch = getopt(argc, argv, "s:c:q:u:p:h")) != -1) {
		switch (ch) {
		case 's': seconds = atof(optarg); break;
		case 'c': command = optarg; break;
		case 'q': query = optarg; break;
		case 'u': user = optarg; break;
		case 'p': pass = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || sscanf(argv[optind], "%63[^:]:%d", host,
	    &port) != 2 || seconds <= 0)
		usage();
	if ((samples = malloc(MAX_SAMPLES * sizeof(*samples))) == NULL)
		die("malloc");
	if (query != NULL) {
		set_vs_query(host, port, user, pass, query, seconds);
		free(samples);
		return 0;
	}
	if (echo_start(&tid, &echo_port) != 0)
		die("echo thread");
	printf("console bench: \"%s\", %.1f s per run, window %d when "
	    "pipelined\n", command, seconds, WINDOW);
	printf("%-8s %-9s | %12s %8s %8s %10s | %12s %8s %8s | %6s\n",
	    "sessions", "mode", "convergd/s", "p50 us", "p99 us", "reports",
	    "echo/s", "p50 us", "p99 us", "ratio");
	for (s = 0; s < 3; s++) {
		for (mode = 0; mode < 2; mode++) {
			unsigned w = mode ? WINDOW : 1;

			open_all(conns, sizes[s], host, port, true, user, pass);
			run_load(conns, sizes[s], w, seconds, true, &rc);
			close_all(conns, sizes[s]);
			open_all(conns, sizes[s], "127.0.0.1", echo_port, false,
			    NULL, NULL);
			run_load(conns, sizes[s], w, seconds, false, &re);
			close_all(conns, sizes[s]);
			print_row(sizes[s], mode ? "pipelined" : "req/resp",
			    &rc, &re);
		}
	}
	echo_stop = 1;
	pthread_join(tid, NULL);
	free(samples);
	return 0;
}
