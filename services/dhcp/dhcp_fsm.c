/* SPDX-License-Identifier: MIT */
/*
 * The RFC 2131 client state machine (§4.4, figure 5): two switches, one
 * on the state's time-out and one on a reply, with one small function
 * per state. Retransmissions back off per §4.1 (4 s doubling to 64 s,
 * each +-1 s at random); renewal and rebinding retry at half the time
 * left, at least 60 s apart (§4.4.5). An ACKed address is probed with
 * ARP first (RFC 5227 §2.1) and declined if another host answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "dhcp_priv.h"
#include "priv_net.h"
#include "state.h"

#define DHCP_REQUEST_TRIES	4	/* REQUESTING, then INIT again */
#define DHCP_REBOOT_TRIES	2	/* INIT-REBOOT, then INIT */
#define DHCP_RENEW_MIN_MS	60000u	/* §4.4.5 */
#define DHCP_PROBES		3	/* RFC 5227 PROBE_NUM */
#define DHCP_LEASE_MIN_S	4	/* shorter leases are refused */
#define DHCP_LINK_WAIT_MS	100	/* link down: DISCOVER again soon, */
#define DHCP_LINK_WAIT_MAX_MS	3000	/* ... for this long, then back off */
#define DHCP_START_DELAY_MIN_MS	1000	/* §4.4.1: one to ten seconds */

static uint32_t
dhcp_random(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
		v = (uint32_t)clock();	/* never blocks at boot */
	return v;
}

/* §4.1: base * 2^tries up to the cap, randomised by -1..+1 s. */
static uint64_t
dhcp_backoff_ms(const struct dhcp *d)
{
	uint64_t ms = d->retry_base_ms;
	unsigned t = d->tries > 0 ? d->tries - 1 : 0;

	while (t-- > 0 && ms < d->retry_max_ms)
		ms *= 2;
	if (ms > d->retry_max_ms)
		ms = d->retry_max_ms;
	ms += dhcp_random() % 2001;
	return ms > 1000 ? ms - 1000 : ms;
}

static void
dhcp_set(struct dhcp *d, enum dhcp_state s, uint64_t deadline)
{
	if (d->state != s)
		log_debug("%s -> %s", dhcp_fsm_state_name(d->state),
		    dhcp_fsm_state_name(s));
	d->state = s;
	d->deadline_ms = deadline;
}

/* Options every DISCOVER and REQUEST carries (RFC 2131 table 5). */
static void
dhcp_msg_base(struct dhcp *d, struct dhcp_msg *m, uint8_t type,
    uint64_t now)
{
	static const uint8_t params[] = { DHCP_O_MASK, DHCP_O_ROUTER,
		DHCP_O_DNS, DHCP_O_DOMAIN, DHCP_O_LEASE, DHCP_O_SERVER_ID,
		DHCP_O_T1, DHCP_O_T2 };
	uint64_t secs = (now - d->began_ms) / 1000;

	memset(m, 0, sizeof *m);
	m->op = 1;
	m->xid = d->xid;
	m->secs = (uint16_t)(secs > 0xffff ? 0xffff : secs);
	memcpy(m->chaddr, d->mac, 6);
	m->type = type;
	m->client_id[0] = 1;		/* htype Ethernet, then the MAC */
	memcpy(m->client_id + 1, d->mac, 6);
	m->client_id_len = 7;
	m->has = DHCP_HAS(DHCP_O_TYPE) | DHCP_HAS(DHCP_O_CLIENT_ID);
	if (type != DHCP_DISCOVER && type != DHCP_REQUEST)
		return;			/* DECLINE, RELEASE: no more */
	memcpy(m->params, params, sizeof params);
	m->nparams = sizeof params;
	m->max_size = 1500;
	snprintf(m->vendor_class, sizeof m->vendor_class, "%s",
	    d->vendor_class);
	snprintf(m->hostname, sizeof m->hostname, "%s", d->hostname);
	if (m->hostname[0] == '\0')
		state_setting_get(SET_NETBIOS_NAME, m->hostname,
		    sizeof m->hostname);
	m->has |= DHCP_HAS(DHCP_O_PARAMS) | DHCP_HAS(DHCP_O_MAX_SIZE);
	if (m->vendor_class[0] != '\0')
		m->has |= DHCP_HAS(DHCP_O_VENDOR_CLASS);
	if (m->hostname[0] != '\0')
		m->has |= DHCP_HAS(DHCP_O_HOSTNAME);
}

static int
dhcp_send_broadcast(struct dhcp *d, const struct dhcp_msg *m, uint32_t src)
{
	int rc = dhcp_io_broadcast(d, m, src);

	if (rc < 0)
		log_warnx_rl(&d->rate_log, "cannot send %s: %s",
		    dhcp_msg_type_name(m->type), strerror(-rc));
	return rc;
}

static void
dhcp_send_discover(struct dhcp *d, uint64_t now)
{
	struct dhcp_msg m;

	dhcp_msg_base(d, &m, DHCP_DISCOVER, now);
	if (dhcp_send_broadcast(d, &m, 0) == -ENETDOWN && d->tries == 0 &&
	    now - d->began_ms < DHCP_LINK_WAIT_MAX_MS) {
		/* the link just brought up is not running yet */
		dhcp_set(d, DHCP_S_SELECTING, now + DHCP_LINK_WAIT_MS);
		return;
	}
	d->tries++;
	dhcp_set(d, DHCP_S_SELECTING, now + dhcp_backoff_ms(d));
}

/* §4.3.2: which fields a REQUEST has depends on the state it is sent in. */
static void
dhcp_send_request(struct dhcp *d, uint64_t now)
{
	struct dhcp_msg m;
	int rc = 0;

	dhcp_msg_base(d, &m, DHCP_REQUEST, now);
	d->tries++;
	d->offer.start_ms = now;
	switch (d->state) {
	case DHCP_S_REQUESTING:
		m.server_id = d->offer.server;
		m.has |= DHCP_HAS(DHCP_O_SERVER_ID);
		/* FALLTHROUGH */
	case DHCP_S_REBOOTING:
		m.requested = d->offer.addr;
		m.has |= DHCP_HAS(DHCP_O_REQUESTED);
		dhcp_send_broadcast(d, &m, 0);
		return;
	case DHCP_S_RENEWING:
		m.ciaddr = d->lease.addr;
		rc = dhcp_io_unicast(d, &m, d->lease.server);
		break;
	case DHCP_S_REBINDING:
		m.ciaddr = d->lease.addr;
		dhcp_send_broadcast(d, &m, d->lease.addr);
		return;
	default:
		return;
	}
	if (rc < 0)
		log_warnx_rl(&d->rate_log, "cannot send REQUEST: %s",
		    strerror(-rc));
}

/* ---- entering states ---- */

static void
dhcp_enter_init(struct dhcp *d, uint64_t now)
{
	d->xid = dhcp_random();
	d->began_ms = now;
	d->tries = 0;
	memset(&d->offer, 0, sizeof d->offer);
	dhcp_send_discover(d, now);
}

static uint64_t
dhcp_lease_end(const struct dhcp_lease *l, uint32_t s)
{
	return l->start_ms + (uint64_t)s * 1000u;
}

/* Ends renewing/rebinding retries at half the time left (§4.4.5). */
static uint64_t
dhcp_retry_until(uint64_t now, uint64_t end)
{
	uint64_t half = end > now ? (end - now) / 2 : 0;

	if (half < DHCP_RENEW_MIN_MS)
		half = DHCP_RENEW_MIN_MS;
	return now + half < end ? now + half : end;
}

/* The lease is gone: take the address away, tell people, start over. */
static void
dhcp_lose(struct dhcp *d, const char *why, uint64_t now)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &d->lease.addr, a, sizeof a);
	if (d->lease.addr != 0) {
		log_warnx("lease of %s lost: %s", a, why);
		bus_event(EVENT_NETWORK, SEVERITY_WARNING,
		    "dhcp: lease of %s lost: %s", a, why);
	}
	dhcp_lease_unapply(d);
	memset(&d->lease, 0, sizeof d->lease);
	dhcp_lease_save(d);
	dhcp_lease_publish(d);
	dhcp_enter_init(d, now);
}

static void
dhcp_bind(struct dhcp *d)
{
	char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
	bool changed = d->lease.addr != 0 && d->lease.addr != d->offer.addr;
	int rc;

	dhcp_io_arp_close(d);
	d->lease = d->offer;
	d->lease.obtained = time(NULL);
	d->gw_asked = false;		/* a new lease: its first router */
	d->gw_misses = d->gw_failed = 0;
	d->gw_next_ms = 0;
	inet_ntop(AF_INET, &d->lease.addr, a, sizeof a);
	inet_ntop(AF_INET, &d->lease.server, s, sizeof s);
	if ((rc = dhcp_lease_apply(d, &d->lease, d->lease.lease_s)) < 0) {
		log_warnx("cannot apply %s: %s", a, strerror(-rc));
		bus_event(EVENT_NETWORK, SEVERITY_ERROR, "dhcp: cannot apply "
		    "%s: %s", a, strerror(-rc));
	}
	log_info("lease of %s from %s for %u s", a, s, d->lease.lease_s);
	bus_event(EVENT_NETWORK, SEVERITY_INFO, "dhcp: lease %s %s from %s "
	    "for %u s", changed ? "changed to" : "got of", a, s,
	    d->lease.lease_s);
	dhcp_lease_save(d);
	dhcp_lease_publish(d);
	dhcp_set(d, DHCP_S_BOUND, dhcp_lease_end(&d->lease, d->lease.t1_s));
}

static void
dhcp_enter_probing(struct dhcp *d, uint64_t now)
{
	int rc;

	if (!d->arp_probe || (rc = dhcp_io_arp_open(d)) < 0) {
		dhcp_bind(d);
		return;
	}
	d->probes = 1;
	d->probe_end_ms = now + d->probe_ms;
	dhcp_io_arp_send(d, 0, d->offer.addr);
	dhcp_set(d, DHCP_S_PROBING, now + d->probe_ms / DHCP_PROBES);
}

static void
dhcp_decline(struct dhcp *d, const uint8_t *sha, uint64_t now)
{
	struct dhcp_msg m;
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &d->offer.addr, a, sizeof a);
	log_warnx("address conflict: %s is in use by %02x:%02x:%02x:%02x:"
	    "%02x:%02x; declined", a, sha[0], sha[1], sha[2], sha[3], sha[4],
	    sha[5]);
	bus_event(EVENT_NETWORK, SEVERITY_WARNING, "dhcp: address conflict: "
	    "%s is in use by %02x:%02x:%02x:%02x:%02x:%02x; declined", a,
	    sha[0], sha[1], sha[2], sha[3], sha[4], sha[5]);
	dhcp_msg_base(d, &m, DHCP_DECLINE, now);
	m.requested = d->offer.addr;
	m.server_id = d->offer.server;
	m.has |= DHCP_HAS(DHCP_O_REQUESTED) | DHCP_HAS(DHCP_O_SERVER_ID);
	dhcp_send_broadcast(d, &m, 0);
	dhcp_io_arp_close(d);
	dhcp_set(d, DHCP_S_DECLINED, now + d->decline_wait_s * 1000u);
}

/* ---- the time-out switch ---- */

static void
dhcp_timeout_probing(struct dhcp *d, uint64_t now)
{
	if (now >= d->probe_end_ms) {
		dhcp_bind(d);
		/* RFC 5227 §2.3: announce the address now in use */
		if (dhcp_io_arp_open(d) == 0) {
			dhcp_io_arp_send(d, d->lease.addr, d->lease.addr);
			dhcp_io_arp_close(d);
		}
		return;
	}
	d->probes++;
	dhcp_io_arp_send(d, 0, d->offer.addr);
	dhcp_set(d, DHCP_S_PROBING, d->probes >= DHCP_PROBES ?
	    d->probe_end_ms : now + d->probe_ms / DHCP_PROBES);
}

static void
dhcp_timeout_renew(struct dhcp *d, uint64_t now)
{
	uint64_t t2 = dhcp_lease_end(&d->lease, d->lease.t2_s);
	uint64_t end = dhcp_lease_end(&d->lease, d->lease.lease_s);

	if (now >= end) {
		dhcp_lose(d, "expired", now);
		return;
	}
	if (d->state == DHCP_S_BOUND || (d->state == DHCP_S_RENEWING &&
	    now >= t2)) {
		/* T1: unicast to our server; T2: anyone, by broadcast */
		d->state = now >= t2 ? DHCP_S_REBINDING : DHCP_S_RENEWING;
		d->xid = dhcp_random();
		d->began_ms = now;
		d->tries = 0;
		log_info("lease at %s: %s", now >= t2 ? "T2" : "T1",
		    now >= t2 ? "rebinding" : "renewing");
	}
	dhcp_send_request(d, now);
	dhcp_set(d, d->state, dhcp_retry_until(now, d->state ==
	    DHCP_S_RENEWING ? t2 : end));
}

void
dhcp_fsm_timeout(struct dhcp *d, uint64_t now)
{
	switch (d->state) {
	case DHCP_S_OFF:
		break;
	case DHCP_S_INIT:
	case DHCP_S_DECLINED:
		dhcp_enter_init(d, now);
		break;
	case DHCP_S_SELECTING:
		dhcp_send_discover(d, now);
		break;
	case DHCP_S_REQUESTING:
	case DHCP_S_REBOOTING:
		if (d->tries >= (d->state == DHCP_S_REQUESTING ?
		    DHCP_REQUEST_TRIES : DHCP_REBOOT_TRIES)) {
			dhcp_enter_init(d, now);
			break;
		}
		dhcp_send_request(d, now);
		dhcp_set(d, d->state, now + dhcp_backoff_ms(d));
		break;
	case DHCP_S_PROBING:
		dhcp_timeout_probing(d, now);
		break;
	case DHCP_S_BOUND:
	case DHCP_S_RENEWING:
	case DHCP_S_REBINDING:
		dhcp_timeout_renew(d, now);
		break;
	}
}

/* ---- the packet switch ---- */

static bool
dhcp_addr_usable(uint32_t addr, uint32_t mask)
{
	uint32_t a = ntohl(addr), m = ntohl(mask);
	int prefix = priv_net_prefix(mask);

	if (a == 0 || a == 0xffffffffu || (a >> 24) == 127 ||
	    (a >> 28) >= 14 || prefix < 1)
		return false;
	/* no network or broadcast address on a subnet that has them */
	return prefix >= 31 || ((a & ~m) != 0 && (a & ~m) != ~m);
}

/* The lease an OFFER or ACK describes; false if it is unusable. */
bool
dhcp_fsm_lease_from(const struct dhcp_msg *m, struct dhcp_lease *l)
{
	uint32_t a = ntohl(m->yiaddr);
	char why[128];

	memset(l, 0, sizeof *l);
	l->addr = m->yiaddr;
	l->server = m->server_id;
	/* no mask option: the address's historic class as a fallback */
	l->mask = htonl(a < 0x80000000u ? 0xff000000u : a < 0xc0000000u ?
	    0xffff0000u : 0xffffff00u);
	if (m->has & DHCP_HAS(DHCP_O_MASK))
		l->mask = m->mask;
	if (!(m->has & DHCP_HAS(DHCP_O_SERVER_ID)) ||
	    !(m->has & DHCP_HAS(DHCP_O_LEASE)) ||
	    m->lease_s < DHCP_LEASE_MIN_S ||
	    !dhcp_addr_usable(l->addr, l->mask))
		return false;
	l->nrouters = m->nrouters;
	memcpy(l->routers, m->routers, sizeof l->routers);
	l->router = m->nrouters > 0 ? m->routers[0] : 0;
	l->ndns = m->ndns;
	memcpy(l->dns, m->dns, sizeof l->dns);
	/* a server's domain goes into resolv.conf and console replies: only
	 * a name the static setting would take (no blanks, no tokens) */
	if (state_setting_check(SET_NET_DOMAIN, m->domain, l->domain,
	    sizeof l->domain, why, sizeof why) < 0)
		l->domain[0] = '\0';
	l->lease_s = m->lease_s;
	l->t1_s = (m->has & DHCP_HAS(DHCP_O_T1)) ? m->t1_s : m->lease_s / 2;
	l->t2_s = (m->has & DHCP_HAS(DHCP_O_T2)) ? m->t2_s :
	    (uint32_t)((uint64_t)m->lease_s * 7 / 8);
	if (l->t2_s >= l->lease_s || l->t1_s >= l->t2_s) {
		l->t1_s = m->lease_s / 2;	/* inconsistent: defaults */
		l->t2_s = (uint32_t)((uint64_t)m->lease_s * 7 / 8);
	}
	return true;
}

static void
dhcp_unexpected(struct dhcp *d, const struct dhcp_msg *m, const char *why)
{
	d->counters[DHCP_C_UNEXPECTED]++;
	log_warnx_rl(&d->rate_log, "ignored %s in %s: %s",
	    dhcp_msg_type_name(m->type), dhcp_fsm_state_name(d->state), why);
}

static void
dhcp_packet_selecting(struct dhcp *d, const struct dhcp_msg *m,
    uint64_t now)
{
	if (m->type != DHCP_OFFER) {
		dhcp_unexpected(d, m, "not an OFFER");
		return;
	}
	if (!dhcp_fsm_lease_from(m, &d->offer)) {
		dhcp_unexpected(d, m, "unusable lease");
		return;
	}
	/* the first good offer wins (§4.4.1 allows any choice) */
	d->tries = 0;
	d->state = DHCP_S_REQUESTING;
	dhcp_send_request(d, now);
	dhcp_set(d, DHCP_S_REQUESTING, now + dhcp_backoff_ms(d));
}

static void
dhcp_nak(struct dhcp *d, const struct dhcp_msg *m, uint64_t now)
{
	log_info("NAK from server: %s", m->message[0] ? m->message :
	    "no reason given");
	if (d->lease.addr != 0) {
		dhcp_lose(d, "refused by the server (NAK)", now);
		return;
	}
	/* INIT-REBOOT: the address a previous run left is not ours now */
	dhcp_lease_unapply(d);
	memset(&d->lease, 0, sizeof d->lease);
	dhcp_lease_save(d);	/* INIT-REBOOT must not ask for it again */
	dhcp_enter_init(d, now);
}

static void
dhcp_packet_request(struct dhcp *d, const struct dhcp_msg *m, uint64_t now)
{
	uint64_t sent = d->offer.start_ms;
	uint32_t want = d->state == DHCP_S_REQUESTING ? d->offer.server :
	    d->state == DHCP_S_RENEWING ? d->lease.server : 0;

	if (m->type != DHCP_ACK && m->type != DHCP_NAK) {
		dhcp_unexpected(d, m, "not an ACK or NAK");
		return;
	}
	if (want != 0 && m->server_id != want) {
		d->counters[DHCP_C_OTHER_SERVER]++;
		log_warnx_rl(&d->rate_log, "ignored %s from a server we did "
		    "not ask", dhcp_msg_type_name(m->type));
		return;
	}
	if (m->type == DHCP_NAK) {
		dhcp_nak(d, m, now);
		return;
	}
	if (!dhcp_fsm_lease_from(m, &d->offer)) {
		dhcp_unexpected(d, m, "unusable lease");
		return;
	}
	d->offer.start_ms = sent;	/* §4.4.1: the lease runs from then */
	if (d->state == DHCP_S_REQUESTING || d->state == DHCP_S_REBOOTING) {
		dhcp_enter_probing(d, now);
		return;
	}
	if (d->offer.addr != d->lease.addr) {
		dhcp_lease_unapply(d);
		dhcp_bind(d);
		return;
	}
	d->offer.obtained = d->lease.obtained;
	dhcp_gw_keep(&d->lease, &d->offer);
	d->lease = d->offer;
	dhcp_lease_apply(d, &d->lease, d->lease.lease_s);
	dhcp_lease_save(d);
	dhcp_lease_publish(d);
	log_info("lease renewed for %u s", d->lease.lease_s);
	bus_event(EVENT_NETWORK, SEVERITY_INFO, "dhcp: lease renewed for %u s",
	    d->lease.lease_s);
	dhcp_set(d, DHCP_S_BOUND, dhcp_lease_end(&d->lease, d->lease.t1_s));
}

void
dhcp_fsm_packet(struct dhcp *d, const struct dhcp_msg *m, uint64_t now)
{
	if (m->xid != d->xid || memcmp(m->chaddr, d->mac, 6) != 0) {
		d->counters[DHCP_C_NOT_OURS]++;
		return;			/* another client's, or stale */
	}
	d->counters[DHCP_C_RECEIVED]++;
	switch (d->state) {
	case DHCP_S_SELECTING:
		dhcp_packet_selecting(d, m, now);
		break;
	case DHCP_S_REQUESTING:
	case DHCP_S_REBOOTING:
	case DHCP_S_RENEWING:
	case DHCP_S_REBINDING:
		dhcp_packet_request(d, m, now);
		break;
	case DHCP_S_OFF:
	case DHCP_S_INIT:
	case DHCP_S_PROBING:
	case DHCP_S_BOUND:
	case DHCP_S_DECLINED:
		dhcp_unexpected(d, m, "nothing asked");
		break;
	}
}

void
dhcp_fsm_arp(struct dhcp *d, const struct dhcp_msg_arp *a, uint64_t now)
{
	if (d->state == DHCP_S_BOUND || d->state == DHCP_S_RENEWING ||
	    d->state == DHCP_S_REBINDING)
		dhcp_gw_arp(d, a);
	if (d->state != DHCP_S_PROBING || memcmp(a->sha, d->mac, 6) == 0)
		return;
	/* RFC 5227 §2.1.1: anyone using it, or probing for it too */
	if (a->spa == d->offer.addr || (a->spa == 0 &&
	    a->tpa == d->offer.addr))
		dhcp_decline(d, a->sha, now);
}

uint64_t
dhcp_fsm_start_delay_ms(unsigned max_ms, uint32_t rnd)
{
	if (max_ms < DHCP_START_DELAY_MIN_MS)
		return rnd % ((uint64_t)max_ms + 1);
	return DHCP_START_DELAY_MIN_MS + rnd % ((uint64_t)max_ms -
	    DHCP_START_DELAY_MIN_MS + 1);
}

void
dhcp_fsm_start(struct dhcp *d, uint64_t now)
{
	struct dhcp_lease last;
	int rc;

	/* a DISCOVER on a link that is down goes nowhere */
	if ((rc = priv_net_link_up(d->ifindex)) < 0)
		log_warnx("cannot bring %s up: %s", d->ifname, strerror(-rc));
	memset(&d->lease, 0, sizeof d->lease);
	if (dhcp_lease_load(d, &last) != 0) {
		/* §4.4.1: a random wait first, so units powered up together
		 * do not all DISCOVER at once */
		uint64_t wait = dhcp_fsm_start_delay_ms(d->start_delay_ms,
		    dhcp_random());

		log_debug("first DISCOVER in %llu ms", (unsigned long long)wait);
		dhcp_set(d, DHCP_S_INIT, now + wait);
		return;
	}
	/* INIT-REBOOT (§3.2): ask for the address we had, which a clean
	 * stop left on the interface: ours to remove if refused */
	if (last.mask != 0 && priv_net_prefix(last.mask) > 0)
		d->applied = (struct dhcp_applied){ last.addr, last.router,
		    priv_net_prefix(last.mask), last.router != 0 };
	d->xid = dhcp_random();
	d->began_ms = now;
	d->tries = 0;
	d->offer = last;
	d->state = DHCP_S_REBOOTING;
	log_info("asking again for the last lease's address");
	dhcp_send_request(d, now);
	dhcp_set(d, DHCP_S_REBOOTING, now + dhcp_backoff_ms(d));
}

void
dhcp_fsm_stop(struct dhcp *d, bool release)
{
	struct dhcp_msg m;

	if (release && d->lease.addr != 0 && (d->state == DHCP_S_BOUND ||
	    d->state == DHCP_S_RENEWING || d->state == DHCP_S_REBINDING)) {
		d->xid = dhcp_random();
		dhcp_msg_base(d, &m, DHCP_RELEASE, d->began_ms);
		m.ciaddr = d->lease.addr;
		m.server_id = d->lease.server;
		m.has |= DHCP_HAS(DHCP_O_SERVER_ID);
		if (dhcp_io_unicast(d, &m, d->lease.server) == 0)
			log_info("lease released");
		memset(&d->lease, 0, sizeof d->lease);
		dhcp_lease_save(d);
	}
	dhcp_lease_unapply(d);
	dhcp_io_arp_close(d);
	d->state = DHCP_S_OFF;
	d->deadline_ms = 0;
	dhcp_lease_publish(d);
}

const char *
dhcp_fsm_state_name(enum dhcp_state s)
{
	static const char *const names[] = { "off", "init", "selecting",
		"requesting", "init-reboot", "probing", "bound", "renewing",
		"rebinding", "declined" };

	return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "?";
}
