/* SPDX-License-Identifier: MIT */
/*
 * Non-blocking name resolution for the ntp service (ntp_resolve.h): the
 * request and its buffers live on the heap, because glibc's resolver
 * thread writes into them until it is done, whatever the service does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntp_resolve.h"

struct ntp_resolve {
	struct gaicb cb;
	struct addrinfo hints;
	char host[136], port[8];
	struct sockaddr_in numeric;
	bool is_numeric;
};

struct ntp_resolve *
ntp_resolve_start(const char *hostport, char *why, size_t whylen)
{
	struct ntp_resolve *r = calloc(1, sizeof *r);
	struct gaicb *list[1];
	char *colon;
	int rc;

	if (r == NULL) {
		snprintf(why, whylen, "%s: out of memory", hostport);
		return NULL;
	}
	snprintf(r->host, sizeof r->host, "%s", hostport);
	snprintf(r->port, sizeof r->port, "123");
	if ((colon = strchr(r->host, ':')) != NULL) {
		*colon = '\0';
		snprintf(r->port, sizeof r->port, "%s", colon + 1);
	}
	r->numeric.sin_family = AF_INET;
	r->numeric.sin_port = htons((uint16_t)atoi(r->port));
	if (inet_pton(AF_INET, r->host, &r->numeric.sin_addr) == 1) {
		r->is_numeric = true;
		return r;
	}
	r->hints.ai_family = AF_INET;
	r->hints.ai_socktype = SOCK_DGRAM;
	r->cb.ar_name = r->host;
	r->cb.ar_service = r->port;
	r->cb.ar_request = &r->hints;
	list[0] = &r->cb;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		snprintf(why, whylen, "%s: %s", hostport, gai_strerror(rc));
		free(r);
		return NULL;
	}
	return r;
}

int
ntp_resolve_poll(struct ntp_resolve *r, struct sockaddr_in *out, char *why,
    size_t whylen)
{
	int rc;

	if (r->is_numeric) {
		*out = r->numeric;
		return 1;
	}
	rc = gai_error(&r->cb);
	if (rc == EAI_INPROGRESS)
		return 0;
	if (rc != 0 || r->cb.ar_result == NULL ||
	    r->cb.ar_result->ai_addrlen != sizeof *out) {
		snprintf(why, whylen, "%s: %s", r->host, rc ? gai_strerror(rc) :
		    "no IPv4 address");
		return -EHOSTUNREACH;
	}
	memcpy(out, r->cb.ar_result->ai_addr, sizeof *out);
	return 1;
}

bool
ntp_resolve_drop(struct ntp_resolve *r)
{
	if (r == NULL)
		return true;
	if (!r->is_numeric) {
		(void)gai_cancel(&r->cb);
		if (gai_error(&r->cb) == EAI_INPROGRESS)
			return false;
		if (r->cb.ar_result != NULL)
			freeaddrinfo(r->cb.ar_result);
	}
	free(r);
	return true;
}
