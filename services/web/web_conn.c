/* SPDX-License-Identifier: MIT */
/*
 * Connections per client address. civetweb holds one worker per open
 * connection, so 200 slow or idle connections from one address would
 * hold every worker (slowloris). When more connections are open than one
 * address may hold, each new one makes us count the established
 * connections on our port by address and shut down the newest ones of an
 * address over the limit: civetweb's worker then reads EOF and lets go at
 * once. civetweb 1.15 gives no socket and no address at init_connection
 * (mg_get_request_info is NULL there), so the sockets are found by
 * scanning our own descriptors (getsockname on our port).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "web/web_int.h"

#define CONN_SCAN_MAX 4096	/* sockets looked at per scan */

/* The limiter (struct web's): one per service start. */
struct web_conns {
	pthread_mutex_t lock;
	unsigned live;		/* between init_connection and close */
	unsigned long shut;	/* connections shut for being over */
	struct log_rate rate;
};

struct conn_sock {
	uint32_t addr;		/* peer, network order */
	uint16_t pport;		/* peer port, host order */
	ino_t ino;		/* sockets made later have larger inodes */
	int fd;
};

int
web_conn_init(struct web *w)
{
	struct web_conns *cs;

	cs = calloc(1, sizeof(*cs));
	if (cs == NULL)
		return -ENOMEM;
	pthread_mutex_init(&cs->lock, NULL);
	cs->rate = (struct log_rate)LOG_RATE_INIT(10);
	w->conns = cs;
	return 0;
}

void
web_conn_fini(struct web *w)
{
	if (w->conns == NULL)
		return;
	pthread_mutex_destroy(&w->conns->lock);
	free(w->conns);
	w->conns = NULL;
}

/*
 * The socket inode behind fd, or 0 if it is no socket. Read from the
 * link's text, not fstat: the fd belongs to civetweb's threads.
 */
static ino_t
conn_inode(int fd)
{
	char path[40], link[64];
	unsigned long long ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	if (sscanf(link, "socket:[%llu]", &ino) != 1)
		return 0;
	return (ino_t)ino;
}

/* fd as an established TCP connection to local `port`; false if not. */
static bool
conn_sock_get(int fd, int port, struct conn_sock *out)
{
	struct sockaddr_in local, peer;
	socklen_t len = sizeof(local);
	struct tcp_info ti;

	if ((out->ino = conn_inode(fd)) == 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &len) < 0 ||
	    local.sin_family != AF_INET || ntohs(local.sin_port) != port)
		return false;
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
		return false;	/* the listening socket */
	/* One we shut already (FIN_WAIT) no longer counts. */
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    ti.tcpi_state != TCP_ESTABLISHED)
		return false;
	out->addr = peer.sin_addr.s_addr;
	out->pport = ntohs(peer.sin_port);
	out->fd = fd;
	return true;
}

/* Our established connections on `port` (from peer port pport, 0 any). */
static size_t
conn_scan(int port, int pport, struct conn_sock *out, size_t max)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	while (n < max && (e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end != '\0' || end == e->d_name || fd == dirfd(d))
			continue;
		if (conn_sock_get((int)fd, port, &out[n]) &&
		    (pport == 0 || out[n].pport == pport))
			n++;
	}
	closedir(d);
	return n;
}

/*
 * By address, then oldest first as far as the socket inode tells: the
 * kernel numbers sockets in per-CPU batches, so close to the order they
 * came, not exactly (which of an address's extra connections is shut
 * matters less than that the extra ones are).
 */
static int
conn_cmp(const void *a, const void *b)
{
	const struct conn_sock *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

int
web_conn_enforce(int port, long per_addr, unsigned *shut)
{
	struct conn_sock *s;
	size_t n, i, run;

	*shut = 0;
	s = calloc(CONN_SCAN_MAX, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	n = conn_scan(port, 0, s, CONN_SCAN_MAX);
	qsort(s, n, sizeof(*s), conn_cmp);
	for (i = 0, run = 0; i < n; i++) {
		struct conn_sock now;

		run = i > 0 && s[i].addr == s[i - 1].addr ? run + 1 : 1;
		/* the address's oldest per_addr stay; the newer ones go */
		if (run <= (size_t)per_addr)
			continue;
		/* civetweb may have closed it and reused the number since */
		if (conn_sock_get(s[i].fd, port, &now) && now.ino == s[i].ino &&
		    shutdown(s[i].fd, SHUT_RDWR) == 0)
			(*shut)++;
	}
	free(s);
	return 0;
}

/* civetweb's init_connection: a worker took a new connection. */
int
web_conn_open(const struct mg_connection *c, void **data)
{
	struct web *w = web_of(c);
	struct web_conns *cs = w->conns;
	unsigned shut = 0;
	unsigned long total;

	(void)data;
	pthread_mutex_lock(&cs->lock);
	cs->live++;
	/* Fewer open than one address may hold: nobody can be over. */
	if (cs->live > (unsigned)w->limits.max_per_address)
		web_conn_enforce(w->port, w->limits.max_per_address, &shut);
	total = cs->shut += shut;
	pthread_mutex_unlock(&cs->lock);
	if (shut > 0)
		log_warnx_rl(&cs->rate, "closed %u connection(s) over the limit "
		    "of %ld per address (%lu so far)", shut,
		    w->limits.max_per_address, total);
	return 0;
}

/* civetweb's connection_close (under civetweb's context lock). */
void
web_conn_close(const struct mg_connection *c)
{
	struct web_conns *cs = web_of(c)->conns;

	pthread_mutex_lock(&cs->lock);
	if (cs->live > 0)
		cs->live--;
	pthread_mutex_unlock(&cs->lock);
}

int
web_conn_sndbuf(int port, const char *peer, int pport, int bytes)
{
	struct conn_sock s[4];
	struct in_addr a;
	size_t n, i;

	if (inet_pton(AF_INET, peer, &a) != 1)
		return -EINVAL;
	n = conn_scan(port, pport, s, sizeof(s) / sizeof(s[0]));
	for (i = 0; i < n; i++)
		if (s[i].addr == a.s_addr)
			return setsockopt(s[i].fd, SOL_SOCKET, SO_SNDBUF, &bytes,
			    sizeof(bytes)) < 0 ? -errno : 0;
	return -ENOENT;
}
