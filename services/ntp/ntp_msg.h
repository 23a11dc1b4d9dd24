/* SPDX-License-Identifier: MIT */
/*
 * NTPv4 packet codec (RFC 5905 §7.3, client side of RFC 4330): the
 * 48-byte header to a struct and back, extension fields (RFC 7822) and
 * a legacy MAC skipped with bounds, and NTP timestamps to Unix time with
 * the era chosen next to a pivot. Pure: no sockets, clock or logging.
 */
#ifndef CONVERGD_NTP_MSG_H
#define CONVERGD_NTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTP_MSG_LEN 48		/* the header, all a client sends */
#define NTP_MSG_MAX 1024	/* longest reply we read */
#define NTP_MSG_EXT_MAX 8	/* extension fields before we give up */
#define NTP_MSG_UNIX_DELTA 2208988800LL	/* 1900-01-01 to 1970-01-01 */

enum ntp_mode {
	NTP_MODE_CLIENT = 3,
	NTP_MODE_SERVER = 4,
};

enum ntp_leap {
	NTP_LEAP_NONE = 0,
	NTP_LEAP_UNSYNC = 3,	/* the server's clock is not set */
};

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
 * |                  Root Delay (16.16 s)                         |
 * |                  Root Dispersion (16.16 s)                    |
 * |                  Reference ID                                 |
 * |   Reference, Origin, Receive, Transmit Timestamps (64 each)   |
 */
struct ntp_msg {
	uint8_t leap, version, mode, stratum;
	int8_t poll, precision;
	uint32_t root_delay, root_disp;	/* NTP short format, 16.16 */
	uint32_t refid;		/* KoD: four ASCII letters ("RATE") */
	uint64_t ref, org, rec, xmt;	/* NTP timestamps, 32.32 */
	unsigned n_ext;		/* extension fields skipped */
	bool mac;		/* a legacy MAC followed (not checked) */
};

/*
 * Parse one datagram. 0, or -EBADMSG (short, bad version, a lying
 * extension length, trailing junk) / -EMSGSIZE (over NTP_MSG_MAX).
 */
int ntp_msg_parse(const uint8_t *buf, size_t len, struct ntp_msg *m)
    __attribute__((warn_unused_result));
/* Write the 48-byte header of `m` into `out`; returns NTP_MSG_LEN. */
size_t ntp_msg_encode(const struct ntp_msg *m, uint8_t out[NTP_MSG_LEN]);

/* An NTP timestamp for Unix time sec.nsec (the era is implied). */
uint64_t ntp_msg_ts_from_unix(int64_t sec, uint32_t nsec);
/*
 * Unix time in nanoseconds for an NTP timestamp, in the era that puts it
 * nearest `pivot_sec` (Unix seconds): 2036's wrap reads right.
 */
int64_t ntp_msg_ts_to_unix_ns(uint64_t ts, int64_t pivot_sec);
/* Seconds of an NTP short-format (16.16) value. */
double ntp_msg_short_sec(uint32_t v);
/* The reference ID as text: letters (KoD, stratum 1), else a.b.c.d. */
void ntp_msg_refid_text(const struct ntp_msg *m, char *out, size_t len);

#endif
