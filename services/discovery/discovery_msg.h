/* SPDX-License-Identifier: MIT */
/*
 * CVDS v1, the discovery protocol on UDP 3487 (docs/discovery.md): a
 * 12-byte header and TLVs. Pure codec: bytes to struct and back, no
 * sockets, locks, logging or clock. Shared by the service and the tool.
 */
#ifndef CONVERGD_DISCOVERY_MSG_H
#define CONVERGD_DISCOVERY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISCOVERY_MSG_VERSION	1
#define DISCOVERY_MSG_HEADER	12
#define DISCOVERY_MSG_MAX	1024	/* largest datagram, either way */
#define DISCOVERY_MSG_MAX_TLVS	32
#define DISCOVERY_MSG_PORT	3487
#define DISCOVERY_MSG_NONCE	16
#define DISCOVERY_MSG_AUTH	32	/* HMAC-SHA256 */
#define DISCOVERY_MSG_COUNTERS	8
#define DISCOVERY_MSG_WANT_COUNTERS 0x01	/* LOCATE flag */

enum discovery_msg_type {
	DISCOVERY_LOCATE = 1,
	DISCOVERY_REPLY,
	DISCOVERY_CHALLENGE,
	DISCOVERY_CHALLENGE_REPLY,
	DISCOVERY_SET_ADDRESS,
	DISCOVERY_SET_RESULT,
};

/* TLV types; `present` has bit (1 << type). */
enum discovery_tlv {
	DISCOVERY_T_MODEL = 1,
	DISCOVERY_T_DEVICE,
	DISCOVERY_T_UID,
	DISCOVERY_T_MAC,
	DISCOVERY_T_FIRMWARE,
	DISCOVERY_T_LABEL,
	DISCOVERY_T_NETBIOS,
	DISCOVERY_T_ADDRESS,
	DISCOVERY_T_NETMASK,
	DISCOVERY_T_GATEWAY,
	DISCOVERY_T_DHCP,
	DISCOVERY_T_CONSOLE_PORT,
	DISCOVERY_T_WEB_PORT,
	DISCOVERY_T_UNIT_TIME = 15,
	DISCOVERY_T_TARGET_UID,
	DISCOVERY_T_TARGET_MAC,
	DISCOVERY_T_USER,
	DISCOVERY_T_NONCE,
	DISCOVERY_T_TIMESTAMP,
	DISCOVERY_T_SALT,
	DISCOVERY_T_STATUS,
	DISCOVERY_T_REASON,
	DISCOVERY_T_COUNTERS,
	DISCOVERY_T_AUTH,
	DISCOVERY_T_LAST = DISCOVERY_T_AUTH
};
#define DISCOVERY_BIT(t) (1u << (t))

enum discovery_status {
	DISCOVERY_OK,
	DISCOVERY_REFUSED,
	DISCOVERY_REPLAY,
	DISCOVERY_STALE,
	DISCOVERY_INVALID,
	DISCOVERY_BUSY,
};

/* COUNTERS order */
enum discovery_counter {
	DISCOVERY_C_ANSWERED,
	DISCOVERY_C_MALFORMED,
	DISCOVERY_C_OVERSIZED,
	DISCOVERY_C_RATE_LIMITED,
	DISCOVERY_C_AUTH_FAILED,
	DISCOVERY_C_REPLAYED,
	DISCOVERY_C_STALE,
	DISCOVERY_C_CHANGED,
};

/*
 * One message. Texts are NUL-terminated here; addresses are in network
 * order (as struct in_addr keeps them). Only fields whose bit is in
 * `present` mean anything.
 */
struct discovery_msg {
	uint8_t type, flags;
	uint32_t xid;
	uint32_t present;
	char model[17];
	char dev_type;
	uint8_t dev_id;
	uint8_t uid[4];
	uint8_t mac[6];
	char firmware[16];
	char label[21];
	char netbios[16];
	uint32_t address, netmask, gateway;
	uint8_t dhcp;
	uint16_t console_port, web_port;
	uint64_t unit_time;
	uint8_t target_uid[4];
	uint8_t target_mac[6];
	char user[32];
	uint8_t nonce[DISCOVERY_MSG_NONCE];
	uint64_t timestamp;
	char salt[65];
	uint8_t status;
	char reason[121];
	uint32_t counters[DISCOVERY_MSG_COUNTERS];
	uint8_t auth[DISCOVERY_MSG_AUTH];
	size_t auth_off;	/* parse/encode: offset of the AUTH TLV */
};

/*
 * Parse one datagram into `m` (zeroed first). 0, or -EINVAL for anything
 * malformed (then `m` is to be ignored), -EMSGSIZE for a size out of
 * range.
 */
int discovery_msg_parse(const uint8_t *buf, size_t len,
    struct discovery_msg *m) __attribute__((warn_unused_result));
/*
 * Encode `m` (its present fields, ascending, AUTH last). Returns the
 * length, or -EMSGSIZE if `cap` is too small, -EINVAL if a field is out
 * of its range (a text too long or not printable). m->auth_off is set
 * when AUTH is present, for the caller to sign buf[0, auth_off).
 */
int discovery_msg_encode(struct discovery_msg *m, uint8_t *buf, size_t cap)
    __attribute__((warn_unused_result));
/* Name of a message type ("LOCATE"), "?" if unknown. */
const char *discovery_msg_type_name(int type);
/* Text for a STATUS value ("refused"). */
const char *discovery_msg_status_name(int status);
/* Counter names in COUNTERS order ("answered", ...). */
const char *discovery_msg_counter_name(int i);

#endif
