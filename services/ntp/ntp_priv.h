/* SPDX-License-Identifier: MIT */
/* Internal to the ntp service: per-server and service state. */
#ifndef CONVERGD_NTP_PRIV_H
#define CONVERGD_NTP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "log.h"
#include "ntp_calc.h"
#include "ntp_resolve.h"
#include "priv_clock.h"
#include "service.h"

#define NTP_SERVERS 4
#define NTP_SAMPLES_MAX 8
#define NTP_NAME_MAX 136
#define NTP_RESOLVE_MS 30000	/* longest wait for a name */

enum ntp_srv_state {
	NTP_SRV_OFF,	/* no server configured in this slot */
	NTP_SRV_IDLE,	/* next_ms: the next poll */
	NTP_SRV_RESOLVE, /* next_ms: give up on the name */
	NTP_SRV_WAIT,	/* next_ms: the reply's deadline */
	NTP_SRV_GAP,	/* next_ms: the next sample of this poll */
};

struct ntp_server {
	char name[NTP_NAME_MAX];	/* the setting: host[:port] */
	int fd;				/* connected UDP socket or -1 */
	struct ntp_resolve *res;	/* name being resolved */
	enum ntp_srv_state st;
	uint64_t next_ms;
	uint64_t sent;			/* random transmit timestamp */
	uint64_t t1;			/* our clock when it left */
	unsigned tries, nsamples;
	struct ntp_calc_sample samples[NTP_SAMPLES_MAX];
	bool have;			/* the last poll gave a sample */
	struct ntp_calc_sample last;
	unsigned failures, rate_kod;
	bool kod;			/* this poll ended on a KoD */
	bool unreachable, denied;
	char error[256];
};

struct ntp {
	struct svc_ctx *ctx;
	struct bus_sub *sub;
	struct ntp_server srv[NTP_SERVERS];
	unsigned interval, poll_max, samples, timeout_ms, spacing_ms;
	double step_threshold, max_step;
	bool set_clock, synced, may_step;
	bool refused;			/* the refusal event was raised */
	uint64_t counters[2];		/* malformed, spoofed */
	struct priv_clock_status status;
	struct log_rate rate_log;
};

#endif
