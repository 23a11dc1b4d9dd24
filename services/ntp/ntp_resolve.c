/* SPDX-License-Identifier: MIT */
/*
 * Non-blocking name resolution for the ntp service (ntp_resolve.h). The
 * request is shared by the service and one detached thread; whichever
 * lets go last frees it, so dropping a lookup that is still stuck in the
 * resolver is safe.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntp_resolve.h"

struct ntp_resolve {
	pthread_mutex_t lock;
	bool done;		/* the thread has finished (under lock) */
	bool dropped;		/* the service let go (under lock) */
	int rc;			/* getaddrinfo's result */
	struct sockaddr_in addr;
	char host[136], port[8];
};

static void
ntp_resolve_free(struct ntp_resolve *r)
{
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void *
ntp_resolve_thread(void *arg)
{
	struct ntp_resolve *r = arg;
	struct addrinfo hints = { .ai_family = AF_INET,
	    .ai_socktype = SOCK_DGRAM }, *ai = NULL;
	int rc = getaddrinfo(r->host, r->port, &hints, &ai);
	bool dropped;

	pthread_mutex_lock(&r->lock);
	r->rc = rc;
	if (rc == 0 && ai->ai_addrlen == sizeof r->addr)
		memcpy(&r->addr, ai->ai_addr, sizeof r->addr);
	else if (rc == 0)
		r->rc = EAI_FAMILY;
	r->done = true;
	dropped = r->dropped;
	pthread_mutex_unlock(&r->lock);
	if (ai != NULL)
		freeaddrinfo(ai);
	if (dropped)
		ntp_resolve_free(r);
	return NULL;
}

struct ntp_resolve *
ntp_resolve_start(const char *hostport, char *why, size_t whylen)
{
	struct ntp_resolve *r = calloc(1, sizeof *r);
	pthread_attr_t attr;
	pthread_t t;
	char *colon;
	int rc;

	if (r == NULL) {
		snprintf(why, whylen, "%s: out of memory", hostport);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	snprintf(r->host, sizeof r->host, "%s", hostport);
	snprintf(r->port, sizeof r->port, "123");
	if ((colon = strchr(r->host, ':')) != NULL) {
		*colon = '\0';
		snprintf(r->port, sizeof r->port, "%s", colon + 1);
	}
	r->addr.sin_family = AF_INET;
	r->addr.sin_port = htons((uint16_t)atoi(r->port));
	if (inet_pton(AF_INET, r->host, &r->addr.sin_addr) == 1) {
		r->done = true;		/* a dotted quad needs no lookup */
		return r;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, ntp_resolve_thread, r);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		snprintf(why, whylen, "%s: cannot start a lookup: %s",
		    hostport, strerror(rc));
		ntp_resolve_free(r);
		return NULL;
	}
	return r;
}

int
ntp_resolve_poll(struct ntp_resolve *r, struct sockaddr_in *out, char *why,
    size_t whylen)
{
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	if (r->done && r->rc == 0) {
		*out = r->addr;
		rc = 1;
	} else if (r->done) {
		snprintf(why, whylen, "%s: %s", r->host, gai_strerror(r->rc));
		rc = -EHOSTUNREACH;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void
ntp_resolve_drop(struct ntp_resolve *r)
{
	bool done;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	done = r->done;
	r->dropped = true;
	pthread_mutex_unlock(&r->lock);
	if (done)
		ntp_resolve_free(r);
}
