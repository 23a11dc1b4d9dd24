/* SPDX-License-Identifier: MIT */
/*
 * CVDS v1 codec (docs/discovery.md "Datagram"): every byte is read
 * through one bounded reader with a sticky error flag, every TLV through
 * a child reader bounded to its value, and written through a writer that
 * checks room on every write (style.md "Parsing bytes from the network").
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "discovery_msg.h"
#include "rd.h"
#include "wr.h"

static const uint8_t discovery_magic[4] = { 'C', 'V', 'D', 'S' };

/* How a TLV's value maps to a field of struct discovery_msg. */
enum tlv_kind {
	K_NONE,		/* not a TLV of this version: skipped */
	K_TEXT,		/* printable ASCII, min..max bytes */
	K_BYTES,	/* exactly max bytes */
	K_BOOL,		/* one byte, 0 or 1 */
	K_U8,
	K_U16,
	K_U64,
	K_DEVICE,	/* type character + device ID */
	K_COUNTERS,	/* DISCOVERY_MSG_COUNTERS x u32 */
};

struct tlv_row {
	enum tlv_kind kind;
	size_t off;
	unsigned min, max;
};

#define F(f) offsetof(struct discovery_msg, f)
static const struct tlv_row tlv_rows[DISCOVERY_T_LAST + 1] = {
	[DISCOVERY_T_MODEL] = { K_TEXT, F(model), 1, 16 },
	[DISCOVERY_T_DEVICE] = { K_DEVICE, F(dev_type), 2, 2 },
	[DISCOVERY_T_UID] = { K_BYTES, F(uid), 4, 4 },
	[DISCOVERY_T_MAC] = { K_BYTES, F(mac), 6, 6 },
	[DISCOVERY_T_FIRMWARE] = { K_TEXT, F(firmware), 1, 15 },
	[DISCOVERY_T_LABEL] = { K_TEXT, F(label), 0, 20 },
	[DISCOVERY_T_NETBIOS] = { K_TEXT, F(netbios), 0, 15 },
	[DISCOVERY_T_ADDRESS] = { K_BYTES, F(address), 4, 4 },
	[DISCOVERY_T_NETMASK] = { K_BYTES, F(netmask), 4, 4 },
	[DISCOVERY_T_GATEWAY] = { K_BYTES, F(gateway), 4, 4 },
	[DISCOVERY_T_DHCP] = { K_BOOL, F(dhcp), 1, 1 },
	[DISCOVERY_T_CONSOLE_PORT] = { K_U16, F(console_port), 2, 2 },
	[DISCOVERY_T_WEB_PORT] = { K_U16, F(web_port), 2, 2 },
	[DISCOVERY_T_UNIT_TIME] = { K_U64, F(unit_time), 8, 8 },
	[DISCOVERY_T_TARGET_UID] = { K_BYTES, F(target_uid), 4, 4 },
	[DISCOVERY_T_TARGET_MAC] = { K_BYTES, F(target_mac), 6, 6 },
	[DISCOVERY_T_USER] = { K_TEXT, F(user), 1, 31 },
	[DISCOVERY_T_NONCE] = { K_BYTES, F(nonce), 16, 16 },
	[DISCOVERY_T_TIMESTAMP] = { K_U64, F(timestamp), 8, 8 },
	[DISCOVERY_T_SALT] = { K_TEXT, F(salt), 1, 64 },
	[DISCOVERY_T_STATUS] = { K_U8, F(status), 1, 1 },
	[DISCOVERY_T_REASON] = { K_TEXT, F(reason), 0, 120 },
	[DISCOVERY_T_COUNTERS] = { K_COUNTERS, F(counters), 32, 32 },
	[DISCOVERY_T_AUTH] = { K_BYTES, F(auth), 32, 32 },
};
#undef F

#define B(t) DISCOVERY_BIT(DISCOVERY_T_##t)
#define TARGETS (B(TARGET_UID) | B(TARGET_MAC))
#define SETTINGS (B(DHCP) | B(ADDRESS) | B(NETMASK) | B(GATEWAY))
/* What each message type must carry; `any` = at least one of these. */
static const struct {
	uint32_t all, any1, any2;
} tlv_required[DISCOVERY_SET_RESULT + 1] = {
	[DISCOVERY_LOCATE] = { 0, 0, 0 },
	[DISCOVERY_REPLY] = { B(MODEL) | B(DEVICE) | B(UID) | B(MAC) |
	    B(FIRMWARE) | B(ADDRESS) | B(NETMASK) | B(DHCP) |
	    B(CONSOLE_PORT) | B(WEB_PORT) | B(UNIT_TIME), 0, 0 },
	[DISCOVERY_CHALLENGE] = { B(USER), TARGETS, 0 },
	[DISCOVERY_CHALLENGE_REPLY] = { B(UID) | B(MAC) | B(SALT) |
	    B(UNIT_TIME), 0, 0 },
	[DISCOVERY_SET_ADDRESS] = { B(USER) | B(NONCE) | B(TIMESTAMP) |
	    B(AUTH), TARGETS, SETTINGS },
	[DISCOVERY_SET_RESULT] = { B(STATUS), 0, 0 },
};

static bool
text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* One known TLV's value into its field; false if malformed. */
static bool
tlv_read(const struct tlv_row *row, struct rd *v, struct discovery_msg *m)
{
	uint8_t *f = (uint8_t *)m + row->off;
	size_t n = rd_left(v);

	if (n < row->min || n > row->max)
		return false;
	switch (row->kind) {
	case K_TEXT:
		rd_bytes(v, f, n);
		f[n] = '\0';
		return text_ok((const char *)f, n);
	case K_BYTES:
		rd_bytes(v, f, n);
		return true;
	case K_BOOL:
	case K_U8:
		*f = rd_u8(v);
		return row->kind == K_U8 || *f <= 1;
	case K_U16:
		*(uint16_t *)(void *)f = (uint16_t)rd_be(v, 2);
		return true;
	case K_U64:
		*(uint64_t *)(void *)f = rd_be(v, 8);
		return true;
	case K_DEVICE:
		m->dev_type = (char)rd_u8(v);
		m->dev_id = rd_u8(v);
		return m->dev_type > 0x20 && m->dev_type < 0x7f &&
		    m->dev_id <= 15;
	case K_COUNTERS:
		for (int i = 0; i < DISCOVERY_MSG_COUNTERS; i++)
			m->counters[i] = (uint32_t)rd_be(v, 4);
		return true;
	case K_NONE:
		break;
	}
	return true;
}

static int
parse_header(struct rd *r, struct discovery_msg *m)
{
	uint8_t magic[4];

	rd_bytes(r, magic, sizeof magic);
	if (rd_u8(r) != DISCOVERY_MSG_VERSION ||
	    memcmp(magic, discovery_magic, sizeof magic) != 0)
		return -EINVAL;
	m->type = rd_u8(r);
	m->flags = rd_u8(r);
	rd_skip(r, 1);		/* reserved */
	m->xid = (uint32_t)rd_be(r, 4);
	if (!rd_ok(r) || m->type < DISCOVERY_LOCATE ||
	    m->type > DISCOVERY_SET_RESULT)
		return -EINVAL;
	return 0;
}

int
discovery_msg_parse(const uint8_t *buf, size_t len, struct discovery_msg *m)
{
	struct rd r;
	unsigned ntlv = 0;

	memset(m, 0, sizeof *m);
	rd_init(&r, buf, len);
	if (len < DISCOVERY_MSG_HEADER || len > DISCOVERY_MSG_MAX)
		return -EMSGSIZE;
	if (parse_header(&r, m) < 0)
		return -EINVAL;
	while (rd_left(&r) > 0) {
		size_t start = (size_t)(r.p - buf);
		uint8_t t = rd_u8(&r);
		struct rd v = rd_sub(&r, rd_u8(&r));

		if (!rd_ok(&r) || ++ntlv > DISCOVERY_MSG_MAX_TLVS ||
		    (m->present & B(AUTH)))	/* AUTH must be last */
			return -EINVAL;
		if (t > DISCOVERY_T_LAST || tlv_rows[t].kind == K_NONE)
			continue;	/* a later version's field */
		if ((m->present & DISCOVERY_BIT(t)) ||
		    !tlv_read(&tlv_rows[t], &v, m) || !rd_ok(&v))
			return -EINVAL;
		m->present |= DISCOVERY_BIT(t);
		if (t == DISCOVERY_T_AUTH)
			m->auth_off = start;
	}
	if ((m->present & tlv_required[m->type].all) !=
	    tlv_required[m->type].all ||
	    (tlv_required[m->type].any1 &&
	    !(m->present & tlv_required[m->type].any1)) ||
	    (tlv_required[m->type].any2 &&
	    !(m->present & tlv_required[m->type].any2)))
		return -EINVAL;
	return 0;
}

/* One present field as a TLV; false if its value is out of range. */
static bool
tlv_write(struct wr *w, int t, const struct discovery_msg *m)
{
	const struct tlv_row *row = &tlv_rows[t];
	const uint8_t *f = (const uint8_t *)m + row->off;
	size_t n = row->max;

	if (row->kind == K_TEXT) {
		n = strnlen((const char *)f, row->max + 1);
		if (n < row->min || n > row->max ||
		    !text_ok((const char *)f, n))
			return false;
	}
	wr_u8(w, (uint8_t)t);
	wr_u8(w, (uint8_t)n);
	switch (row->kind) {
	case K_TEXT:
	case K_BYTES:
		wr_bytes(w, f, n);
		break;
	case K_BOOL:
	case K_U8:
		wr_u8(w, *f);
		return row->kind == K_U8 || *f <= 1;
	case K_U16:
		wr_be(w, *(const uint16_t *)(const void *)f, 2);
		break;
	case K_U64:
		wr_be(w, *(const uint64_t *)(const void *)f, 8);
		break;
	case K_DEVICE:
		wr_u8(w, (uint8_t)m->dev_type);
		wr_u8(w, m->dev_id);
		break;
	case K_COUNTERS:
		for (int i = 0; i < DISCOVERY_MSG_COUNTERS; i++)
			wr_be(w, m->counters[i], 4);
		break;
	case K_NONE:
		return false;
	}
	return true;
}

int
discovery_msg_encode(struct discovery_msg *m, uint8_t *buf, size_t cap)
{
	struct wr w;

	wr_init(&w, buf, cap);
	wr_bytes(&w, discovery_magic, sizeof discovery_magic);
	wr_u8(&w, DISCOVERY_MSG_VERSION);
	wr_u8(&w, m->type);
	wr_u8(&w, m->flags);
	wr_u8(&w, 0);
	wr_be(&w, m->xid, 4);
	for (int t = 1; t <= DISCOVERY_T_LAST; t++) {
		if (!(m->present & DISCOVERY_BIT(t)) ||
		    tlv_rows[t].kind == K_NONE)
			continue;
		if (t == DISCOVERY_T_AUTH)
			m->auth_off = wr_len(&w);
		if (!tlv_write(&w, t, m))
			return -EINVAL;
	}
	if (!wr_ok(&w) || wr_len(&w) > DISCOVERY_MSG_MAX)
		return -EMSGSIZE;
	return (int)wr_len(&w);
}

const char *
discovery_msg_type_name(int type)
{
	static const char *const names[] = { "?", "LOCATE", "REPLY",
	    "CHALLENGE", "CHALLENGE_REPLY", "SET_ADDRESS", "SET_RESULT" };

	return type > 0 && type <= DISCOVERY_SET_RESULT ? names[type] : "?";
}

const char *
discovery_msg_status_name(int status)
{
	static const char *const names[] = { "done", "refused", "replay",
	    "stale", "invalid", "busy" };

	return status >= 0 && status <= DISCOVERY_BUSY ? names[status] :
	    "unknown";
}

const char *
discovery_msg_counter_name(int i)
{
	static const char *const names[DISCOVERY_MSG_COUNTERS] = {
	    "answered", "malformed", "oversized", "rate_limited",
	    "auth_failed", "replayed", "stale", "changed" };

	return i >= 0 && i < DISCOVERY_MSG_COUNTERS ? names[i] : "?";
}
