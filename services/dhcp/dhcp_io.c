/* SPDX-License-Identifier: MIT */
/*
 * The dhcp service's sockets. Before it has an address a client can
 * neither receive a unicast OFFER nor send from 0.0.0.0 through the IP
 * stack, so it talks through a packet socket (AF_PACKET, IPv4 frames to
 * UDP port 68, filtered in the kernel) and builds the IPv4/UDP headers
 * itself; renewals go unicast through a UDP socket on port 68 bound to
 * the interface. A second packet socket carries the RFC 5227 ARP probe.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp_priv.h"

/* Kernel filter: IPv4/UDP, first fragment, destination port 68. */
static struct sock_filter dhcp_io_bpf[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 6),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DHCP_MSG_CLIENT_PORT, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static int
dhcp_io_packet_socket(struct dhcp *d, uint16_t proto)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
	    .sll_protocol = htons(proto), .sll_ifindex = d->ifindex };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(proto));

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int
dhcp_io_open_raw(struct dhcp *d)
{
	struct sock_fprog prog = { sizeof dhcp_io_bpf / sizeof dhcp_io_bpf[0],
	    dhcp_io_bpf };
	int on = 1, fd = dhcp_io_packet_socket(d, ETH_P_IP);

	if (fd < 0)
		return fd;
	/* AUXDATA says when a local sender left the UDP sum to hardware */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof prog) < 0 || setsockopt(fd, SOL_PACKET, PACKET_AUXDATA,
	    &on, sizeof on) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	d->raw_fd = fd;
	return 0;
}

static int
dhcp_io_open_udp(struct dhcp *d)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons(DHCP_MSG_CLIENT_PORT) };
	int on = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, d->ifname,
	    (socklen_t)strlen(d->ifname)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	d->udp_fd = fd;
	return 0;
}

int
dhcp_io_open(struct dhcp *d, char *why, size_t whylen)
{
	int rc;

	if ((rc = dhcp_io_open_raw(d)) < 0) {
		snprintf(why, whylen, "packet socket on %s: %s", d->ifname,
		    strerror(-rc));
		return rc;
	}
	if ((rc = dhcp_io_open_udp(d)) < 0) {
		snprintf(why, whylen, "udp port 68 on %s: %s", d->ifname,
		    strerror(-rc));
		dhcp_io_close(d);
		return rc;
	}
	return 0;
}

void
dhcp_io_close(struct dhcp *d)
{
	if (d->raw_fd >= 0)
		close(d->raw_fd);
	if (d->udp_fd >= 0)
		close(d->udp_fd);
	d->raw_fd = d->udp_fd = -1;
	dhcp_io_arp_close(d);
}

static int
dhcp_io_link_send(struct dhcp *d, int fd, uint16_t proto, const void *buf,
    size_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
	    .sll_protocol = htons(proto), .sll_ifindex = d->ifindex,
	    .sll_halen = 6, .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff } };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
		return -errno;
	return 0;
}

int
dhcp_io_broadcast(struct dhcp *d, const struct dhcp_msg *m, uint32_t src)
{
	uint8_t payload[DHCP_MSG_MAX], frame[DHCP_MSG_FRAME_MAX];
	struct dhcp_msg_frame f = { .src = src, .dst = INADDR_BROADCAST,
	    .sport = DHCP_MSG_CLIENT_PORT, .dport = DHCP_MSG_SERVER_PORT,
	    .payload = payload };
	int n = dhcp_msg_encode(m, payload, sizeof payload);

	if (n < 0)
		return n;
	f.len = (size_t)n;
	if ((n = dhcp_msg_frame_build(&f, frame, sizeof frame)) < 0)
		return n;
	return dhcp_io_link_send(d, d->raw_fd, ETH_P_IP, frame, (size_t)n);
}

int
dhcp_io_unicast(struct dhcp *d, const struct dhcp_msg *m, uint32_t to)
{
	uint8_t payload[DHCP_MSG_MAX];
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons(DHCP_MSG_SERVER_PORT), .sin_addr.s_addr = to };
	int n = dhcp_msg_encode(m, payload, sizeof payload);

	if (n < 0)
		return n;
	if (sendto(d->udp_fd, payload, (size_t)n, 0, (struct sockaddr *)&sa,
	    sizeof sa) < 0)
		return -errno;
	return 0;
}

/* The UDP checksum a local sender left to the hardware is not there yet. */
static bool
dhcp_io_csum_pending(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_PACKET &&
		    c->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(c), sizeof aux);
			return aux.tp_status & TP_STATUS_CSUMNOTREADY;
		}
	return false;
}

/* One frame to the FSM; refusals counted, never acted on. */
static void
dhcp_io_frame(struct dhcp *d, uint8_t *buf, size_t n, bool trunc,
    bool csum_pending, uint64_t now)
{
	struct dhcp_msg_frame f;
	struct dhcp_msg m;
	int rc;

	if (csum_pending && n >= 28 && (buf[0] & 0x0f) == 5)
		buf[26] = buf[27] = 0;	/* sum not computed: skip its check */
	rc = trunc ? -EBADMSG : dhcp_msg_frame_parse(buf, n, &f);
	if (rc == -ENOENT || (rc == 0 && (f.dport != DHCP_MSG_CLIENT_PORT ||
	    f.sport != DHCP_MSG_SERVER_PORT)))
		return;			/* someone else's UDP */
	if (rc == 0 && (rc = dhcp_msg_parse(f.payload, f.len, &m)) == 0 &&
	    m.op != 2)
		return;			/* a client's request, not a reply */
	if (rc < 0) {
		d->counters[DHCP_C_MALFORMED]++;
		log_warnx_rl(&d->rate_log, "ignored a malformed DHCP frame "
		    "of %zu bytes", n);
		return;
	}
	dhcp_fsm_packet(d, &m, now);
}

void
dhcp_io_read(struct dhcp *d, uint64_t now)
{
	/* counters reach the status page once per burst */
	for (int i = 0; i < 64; i++) {
		uint8_t buf[DHCP_MSG_FRAME_MAX + 1];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} c;
		struct sockaddr_ll from;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr mh = { .msg_name = &from, .msg_namelen =
		    sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = c.b, .msg_controllen = sizeof c.b };
		ssize_t n = recvmsg(d->raw_fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			break;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;	/* our own broadcast */
		dhcp_io_frame(d, buf, (size_t)n, (mh.msg_flags & MSG_TRUNC) ||
		    (size_t)n > DHCP_MSG_FRAME_MAX, dhcp_io_csum_pending(&mh),
		    now);
	}
	dhcp_lease_publish(d);
}

void
dhcp_io_udp_drain(struct dhcp *d)
{
	uint8_t buf[DHCP_MSG_MAX];

	for (int i = 0; i < 64; i++)
		if (recv(d->udp_fd, buf, sizeof buf, MSG_DONTWAIT) < 0)
			return;
}

int
dhcp_io_arp_open(struct dhcp *d)
{
	int fd;

	if (d->arp_fd >= 0)
		return 0;
	if ((fd = dhcp_io_packet_socket(d, ETH_P_ARP)) < 0)
		return fd;
	d->arp_fd = fd;
	return 0;
}

void
dhcp_io_arp_close(struct dhcp *d)
{
	if (d->arp_fd >= 0)
		close(d->arp_fd);
	d->arp_fd = -1;
}

int
dhcp_io_arp_send(struct dhcp *d, uint32_t spa, uint32_t tpa)
{
	struct dhcp_msg_arp a = { .op = 1, .spa = spa, .tpa = tpa };
	uint8_t buf[DHCP_MSG_ARP_LEN];
	int n;

	memcpy(a.sha, d->mac, 6);
	if ((n = dhcp_msg_arp_build(&a, buf, sizeof buf)) < 0)
		return n;
	return dhcp_io_link_send(d, d->arp_fd, ETH_P_ARP, buf, (size_t)n);
}

void
dhcp_io_arp_read(struct dhcp *d, uint64_t now)
{
	for (int i = 0; i < 64 && d->arp_fd >= 0; i++) {
		uint8_t buf[64];
		struct sockaddr_ll from;
		socklen_t fl = sizeof from;
		struct dhcp_msg_arp a;
		ssize_t n = recvfrom(d->arp_fd, buf, sizeof buf, MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    dhcp_msg_arp_parse(buf, (size_t)n, &a) != 0)
			continue;
		dhcp_fsm_arp(d, &a, now);
	}
}
