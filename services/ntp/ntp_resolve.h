/* SPDX-License-Identifier: MIT */
/*
 * host[:port] to an IPv4 address without blocking the service's loop: a
 * dotted quad at once, a name through glibc's getaddrinfo_a (a dead DNS
 * server would otherwise hold the thread past the supervisor's 5 s
 * heartbeat limit).
 */
#ifndef CONVERGD_NTP_RESOLVE_H
#define CONVERGD_NTP_RESOLVE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct ntp_resolve;

/* Start; NULL with a reason if it cannot even begin. Port default 123. */
struct ntp_resolve *ntp_resolve_start(const char *hostport, char *why,
    size_t whylen);
/* 1: *out holds the address; 0: still running; -errno with a reason. */
int ntp_resolve_poll(struct ntp_resolve *r, struct sockaddr_in *out,
    char *why, size_t whylen);
/*
 * Cancel and free. False if glibc is still working on it: keep the
 * pointer and call again later (it must not be freed under glibc).
 */
bool ntp_resolve_drop(struct ntp_resolve *r);

#endif
