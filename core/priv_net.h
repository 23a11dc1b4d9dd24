/* SPDX-License-Identifier: MIT */
/*
 * Privileged network changes: the only code that changes the host's
 * links, IPv4 addresses and routes (rtnetlink through libmnl), and that
 * writes the resolver file. Every call opens its own netlink socket and
 * waits for the kernel's answer, so any thread may call it. Addresses
 * are in network byte order; functions return 0 or -errno.
 */
#ifndef CONVERGD_PRIV_NET_H
#define CONVERGD_PRIV_NET_H

#include <stddef.h>
#include <stdint.h>

/* The interface's index and Ethernet address. */
int priv_net_link_info(const char *ifname, int *ifindex, uint8_t mac[6]);
/* Bring the link up (IFF_UP). */
int priv_net_link_up(int ifindex);
/*
 * Add or replace addr/prefix (broadcast derived) on the interface with
 * a valid lifetime of `lifetime_s` (0 = forever), so a lease the daemon
 * cannot end (a crash) still ends in the kernel.
 */
int priv_net_addr_set(int ifindex, uint32_t addr, unsigned prefix,
    uint32_t lifetime_s);
/* Remove addr/prefix; -EADDRNOTAVAIL if it is not there. */
int priv_net_addr_del(int ifindex, uint32_t addr, unsigned prefix);
/* Replace the main table's default route with one via `gw`. */
int priv_net_route_default(int ifindex, uint32_t gw);
/* Remove the default route through this interface; 0 if there was none. */
int priv_net_route_default_del(int ifindex);
/*
 * Write a resolv.conf (nameservers, search domain) to `path` atomically
 * (temporary file, rename). Nothing is written for an empty path.
 */
int priv_net_resolv_write(const char *path, const uint32_t *dns, size_t n,
    const char *domain);
/* Prefix length of a contiguous netmask; -EINVAL if not contiguous. */
int priv_net_prefix(uint32_t mask);

#endif
