/* SPDX-License-Identifier: MIT */
/*
 * Privileged network changes over rtnetlink (libmnl): link up, IPv4
 * address add/replace/delete, default route, and the resolver file.
 * One request per socket, acknowledged (NLM_F_ACK), so an error from
 * the kernel comes back as -errno to the caller.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "priv_net.h"

/* Send one request and wait for its acknowledgement. */
static int
priv_net_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned portid, seq = (unsigned)time(NULL);
	ssize_t n;
	int rc;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return rc;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return rc;
	}
	rc = 0;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof buf)) > 0) {
		/* MNL_CB_STOP on the ACK; an error sets errno */
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (rc <= MNL_CB_STOP)
			break;
	}
	rc = rc < 0 || n < 0 ? -errno : 0;
	mnl_socket_close(nl);
	return rc;
}

int
priv_net_link_info(const char *ifname, int *ifindex, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd, rc = 0;

	if (strlen(ifname) >= sizeof ifr.ifr_name)
		return -ENODEV;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		rc = -errno;
	else
		*ifindex = ifr.ifr_ifindex;
	if (rc == 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		rc = -errno;
	else if (rc == 0 && ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		rc = -EPROTONOSUPPORT;	/* Ethernet addresses only */
	else if (rc == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return rc;
}

int
priv_net_link_up(int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return priv_net_talk(nlh);
}

static struct nlmsghdr *
priv_net_addr_msg(char *buf, int type, unsigned flags, int ifindex,
    uint32_t addr, unsigned prefix)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
	return nlh;
}

int
priv_net_addr_set(int ifindex, uint32_t addr, unsigned prefix,
    uint32_t lifetime_s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;

	if (prefix > 32)
		return -EINVAL;
	nlh = priv_net_addr_msg(buf, RTM_NEWADDR, NLM_F_CREATE |
	    NLM_F_REPLACE, ifindex, addr, prefix);
	if (prefix < 31)
		mnl_attr_put_u32(nlh, IFA_BROADCAST, addr | ~mask);
	if (lifetime_s != 0) {
		struct ifa_cacheinfo ci = { .ifa_prefered = lifetime_s,
		    .ifa_valid = lifetime_s };

		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof ci, &ci);
	}
	return priv_net_talk(nlh);
}

int
priv_net_addr_del(int ifindex, uint32_t addr, unsigned prefix)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return priv_net_talk(priv_net_addr_msg(buf, RTM_DELADDR, 0, ifindex,
	    addr, prefix));
}

static struct nlmsghdr *
priv_net_route_msg(char *buf, int type, unsigned flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;		/* 0.0.0.0/0 */
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;	/* installed by a daemon */
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nlh;
}

int
priv_net_route_default(int ifindex, uint32_t gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = priv_net_route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE |
	    NLM_F_REPLACE, ifindex);
	mnl_attr_put_u32(nlh, RTA_GATEWAY, gw);
	return priv_net_talk(nlh);
}

int
priv_net_route_default_del(int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int rc;

	nlh = priv_net_route_msg(buf, RTM_DELROUTE, 0, ifindex);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_protocol = 0;
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_scope =
	    RT_SCOPE_NOWHERE;
	rc = priv_net_talk(nlh);
	return rc == -ESRCH ? 0 : rc;
}

int
priv_net_resolv_write(const char *path, const uint32_t *dns, size_t n,
    const char *domain)
{
	char tmp[4096], a[INET_ADDRSTRLEN];
	FILE *f;
	int rc = 0;

	if (path == NULL || path[0] == '\0')
		return 0;
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		return -ENAMETOOLONG;
	if ((f = fopen(tmp, "we")) == NULL)
		return -errno;
	fprintf(f, "# written by convergd\n");
	if (domain != NULL && domain[0] != '\0')
		fprintf(f, "search %s\n", domain);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "nameserver %s\n", inet_ntop(AF_INET, &dns[i], a,
		    sizeof a));
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

int
priv_net_prefix(uint32_t mask)
{
	uint32_t m = ntohl(mask);
	int n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	/* contiguous: nothing set after the first zero bit */
	if (n < 32 && (m << n) != 0)
		return -EINVAL;
	return n;
}
