/* SPDX-License-Identifier: MIT */
/*
 * host[:port] to an IPv4 address without blocking the service's loop: a
 * dotted quad at once, a name by getaddrinfo on a short-lived detached
 * thread (a dead DNS server would otherwise hold the loop past the
 * supervisor's 5 s heartbeat limit). Not glibc's getaddrinfo_a: its
 * helper thread is invisible to ThreadSanitizer, which then crashes.
 */
#ifndef CONVERGD_NTP_RESOLVE_H
#define CONVERGD_NTP_RESOLVE_H

#include <netinet/in.h>
#include <stddef.h>

struct ntp_resolve;

/* Start; NULL with a reason if it cannot even begin. Port default 123. */
struct ntp_resolve *ntp_resolve_start(const char *hostport, char *why,
    size_t whylen);
/* 1: *out holds the address; 0: still running; -errno with a reason. */
int ntp_resolve_poll(struct ntp_resolve *r, struct sockaddr_in *out,
    char *why, size_t whylen);
/* Forget it: freed now, or by its thread when the lookup returns. */
void ntp_resolve_drop(struct ntp_resolve *r);

#endif
