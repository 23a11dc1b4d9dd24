/* SPDX-License-Identifier: MIT */
/*
 * The objects the agent answers for: MIB-II `system` and CONVERGD-MIB
 * (docs/CONVERGD-MIB.txt). Values are read from the shared state on every
 * request; a SET is checked in RESERVE1 (types, ranges and the state's own
 * validators), applied in ACTION with the same state setters the console
 * uses, and undone in UNDO with the old value saved in RESERVE2. Runs on
 * the SNMP thread only (net-snmp is not reentrant).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "cmd.h"
#include "priv_clock.h"
#include "snmp_priv.h"

#define MIB_TEXT_MAX 256

/* What an object reads or writes. */
enum mib_val {
	V_SETTING, V_DESCR, V_OBJECTID, V_UPTIME, V_SYSSERVICES, V_MODEL,
	V_FIRMWARE, V_DEVICE_ID, V_UID, V_MAC, V_VERSION, V_SAFETY_MUTE,
	V_PRESET, V_LAST_MACRO, V_IN_PKTS, V_SETS, V_NOTES_SENT,
	V_NOTES_DROPPED, V_LAST_REQUEST, V_INFORMS_UNACKED, V_TIME_NOW,
	V_TIME_EPOCH, V_NTP_SYNCED, V_NTP_SERVER, V_NTP_OFFSET, V_NTP_DELAY,
	V_NTP_STRATUM, V_NTP_LAST_SYNC, V_NTP_ERROR,
};

struct mib_scalar {
	oid name[MAX_OID_LEN];
	size_t len;
	const char *label;
	enum mib_val val;
	int setting;		/* V_SETTING: enum state_setting */
	bool writable;
};

#define SYS(n)		{ 1, 3, 6, 1, 2, 1, 1, n }, 8
#define CV(g, n)	{ SNMP_CV_OID, 1, g, n }, SNMP_CV_OID_LEN + 3

static const struct mib_scalar mib_scalars[] = {
	{ SYS(1), "sysDescr", V_DESCR, 0, false },
	{ SYS(2), "sysObjectID", V_OBJECTID, 0, false },
	{ SYS(3), "sysUpTime", V_UPTIME, 0, false },
	{ SYS(4), "sysContact", V_SETTING, SET_LOC_CONTACT, true },
	{ SYS(5), "sysName", V_SETTING, SET_UNIT_LABEL, true },
	{ SYS(6), "sysLocation", V_SETTING, SET_LOC_ROOM, true },
	{ SYS(7), "sysServices", V_SYSSERVICES, 0, false },
	{ CV(1, 1), "cvModel", V_MODEL, 0, false },
	{ CV(1, 2), "cvFirmware", V_FIRMWARE, 0, false },
	{ CV(1, 3), "cvDeviceId", V_DEVICE_ID, 0, false },
	{ CV(1, 4), "cvUid", V_UID, 0, false },
	{ CV(1, 5), "cvMacAddress", V_MAC, 0, false },
	{ CV(1, 6), "cvUnitLabel", V_SETTING, SET_UNIT_LABEL, true },
	{ CV(1, 7), "cvSoftwareVersion", V_VERSION, 0, false },
	{ CV(2, 1), "cvNetDhcp", V_SETTING, SET_NET_DHCP_ON, false },
	{ CV(2, 2), "cvNetAddress", V_SETTING, SET_NET_ADDR, false },
	{ CV(2, 3), "cvNetMask", V_SETTING, SET_NET_MASK, false },
	{ CV(2, 4), "cvNetGateway", V_SETTING, SET_NET_GATEWAY, false },
	{ CV(2, 5), "cvNetDns", V_SETTING, SET_NET_DNS, false },
	{ CV(2, 6), "cvNetDomain", V_SETTING, SET_NET_DOMAIN, false },
	{ CV(2, 7), "cvNetbiosName", V_SETTING, SET_NETBIOS_NAME, true },
	{ CV(2, 8), "cvWinsServer", V_SETTING, SET_WINS_SERVER, true },
	{ CV(3, 1), "cvNtpServer", V_SETTING, SET_NTP_SERVER, false },
	{ CV(3, 2), "cvTimeZone", V_SETTING, SET_TIMEZONE, false },
	{ CV(3, 3), "cvTimeNow", V_TIME_NOW, 0, false },
	{ CV(3, 4), "cvTimeSeconds", V_TIME_EPOCH, 0, false },
	{ CV(3, 5), "cvNtpSynced", V_NTP_SYNCED, 0, false },
	{ CV(3, 6), "cvNtpCurrentServer", V_NTP_SERVER, 0, false },
	{ CV(3, 7), "cvNtpOffset", V_NTP_OFFSET, 0, false },
	{ CV(3, 8), "cvNtpDelay", V_NTP_DELAY, 0, false },
	{ CV(3, 9), "cvNtpStratum", V_NTP_STRATUM, 0, false },
	{ CV(3, 10), "cvNtpLastSync", V_NTP_LAST_SYNC, 0, false },
	{ CV(3, 11), "cvNtpLastError", V_NTP_ERROR, 0, false },
	{ CV(3, 12), "cvNtpServer2", V_SETTING, SET_NTP_SERVER2, false },
	{ CV(3, 13), "cvNtpServer3", V_SETTING, SET_NTP_SERVER3, false },
	{ CV(3, 14), "cvNtpServer4", V_SETTING, SET_NTP_SERVER4, false },
	{ CV(4, 1), "cvSafetyMute", V_SAFETY_MUTE, 0, true },
	{ CV(4, 2), "cvPresetRecall", V_PRESET, 0, true },
	{ CV(4, 3), "cvLastMacro", V_LAST_MACRO, 0, false },
	{ CV(7, 1), "cvMailServer", V_SETTING, SET_MAIL_SERVER, false },
	{ CV(7, 2), "cvMailTo", V_SETTING, SET_MAIL_TO, false },
	{ CV(7, 3), "cvMailEvents", V_SETTING, SET_MAIL_EVENTS, false },
	{ CV(8, 1), "cvAgentInPkts", V_IN_PKTS, 0, false },
	{ CV(8, 2), "cvAgentSets", V_SETS, 0, false },
	{ CV(8, 3), "cvAgentNotificationsSent", V_NOTES_SENT, 0, false },
	{ CV(8, 4), "cvAgentNotificationsDropped", V_NOTES_DROPPED, 0,
	    false },
	{ CV(8, 5), "cvAgentLastRequest", V_LAST_REQUEST, 0, false },
	{ CV(8, 6), "cvAgentInformsUnacknowledged", V_INFORMS_UNACKED, 0,
	    false },
};

/* What a SET changes, and the value it carries (new or saved old). */
enum mib_kind { K_SETTING, K_SAFETY_MUTE, K_PRESET, K_LABEL, K_GAIN,
	K_MUTE };
struct mib_target {
	enum mib_kind kind;
	int setting;
	char group;
	int channel;
};
struct mib_value {
	double number;
	int integer;
	char text[MIB_TEXT_MAX];
};

/* ---- values ---- */

static void
mib_set_text(netsnmp_variable_list *vb, const char *s)
{
	snmp_set_var_typed_value(vb, ASN_OCTET_STR, s, strlen(s));
}

static void
mib_set_int(netsnmp_variable_list *vb, u_char type, long v)
{
	snmp_set_var_typed_value(vb, type, &v, sizeof v);
}

static int
mib_truth(int on)
{
	return on ? 1 : 2;	/* TruthValue: true(1), false(2) */
}

/* An Integer32 in microseconds from milliseconds, clamped. */
static long
mib_micro(double ms)
{
	double us = ms * 1e3;

	return us > INT32_MAX ? INT32_MAX : us < INT32_MIN ? INT32_MIN :
	    lround(us);
}

/* The unit's clock as a DateAndTime (RFC 2579), in UTC. */
static void
mib_date_and_time(netsnmp_variable_list *vb)
{
	struct timespec ts;
	struct tm tm;
	u_char d[11];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	d[0] = (u_char)((tm.tm_year + 1900) >> 8);
	d[1] = (u_char)(tm.tm_year + 1900);
	d[2] = (u_char)(tm.tm_mon + 1);
	d[3] = (u_char)tm.tm_mday;
	d[4] = (u_char)tm.tm_hour;
	d[5] = (u_char)tm.tm_min;
	d[6] = (u_char)tm.tm_sec;
	d[7] = (u_char)(ts.tv_nsec / 100000000);
	d[8] = '+';
	d[9] = 0;
	d[10] = 0;
	snmp_set_var_typed_value(vb, ASN_OCTET_STR, d, sizeof d);
}

/* The clock and the time client's last outcome (core/priv_clock.h). */
static void
mib_time_get(enum mib_val val, netsnmp_variable_list *vb)
{
	struct priv_clock_status st;

	priv_clock_status_get(&st);
	switch (val) {
	case V_TIME_NOW:
		mib_date_and_time(vb);
		break;
	case V_TIME_EPOCH:
		mib_set_int(vb, ASN_UNSIGNED, (long)time(NULL));
		break;
	case V_NTP_SYNCED:
		mib_set_int(vb, ASN_INTEGER, mib_truth(st.synced));
		break;
	case V_NTP_SERVER:
		mib_set_text(vb, st.server);
		break;
	case V_NTP_OFFSET:
		mib_set_int(vb, ASN_INTEGER, mib_micro(st.offset_ms));
		break;
	case V_NTP_DELAY:
		mib_set_int(vb, ASN_INTEGER, mib_micro(st.delay_ms));
		break;
	case V_NTP_STRATUM:
		mib_set_int(vb, ASN_INTEGER, st.stratum);
		break;
	case V_NTP_LAST_SYNC:
		mib_set_int(vb, ASN_UNSIGNED, (long)st.last_sync);
		break;
	default:
		mib_set_text(vb, st.last_error);
		break;
	}
}

/* Audio state and the agent's own counters. */
static void
mib_live_get(struct snmp_agent *a, enum mib_val val,
    netsnmp_variable_list *vb)
{
	switch (val) {
	case V_SAFETY_MUTE:
		mib_set_int(vb, ASN_INTEGER, mib_truth(state_safety_mute_get()));
		break;
	case V_PRESET:
		mib_set_int(vb, ASN_INTEGER, 0);	/* write-only action */
		break;
	case V_LAST_MACRO:
		mib_set_int(vb, ASN_INTEGER, state_macro_last());
		break;
	case V_IN_PKTS:
		mib_set_int(vb, ASN_COUNTER,
		    (long)snmp_get_statistic(STAT_SNMPINPKTS));
		break;
	case V_SETS:
		mib_set_int(vb, ASN_COUNTER, a->sets);
		break;
	case V_NOTES_SENT:
		mib_set_int(vb, ASN_COUNTER, a->notes_sent);
		break;
	case V_NOTES_DROPPED:
		mib_set_int(vb, ASN_COUNTER, a->notes_dropped);
		break;
	case V_LAST_REQUEST:
		mib_set_int(vb, ASN_UNSIGNED, (long)a->last_request);
		break;
	case V_INFORMS_UNACKED:
		mib_set_int(vb, ASN_COUNTER, a->informs_unacked);
		break;
	default:
		if (val >= V_TIME_NOW)
			mib_time_get(val, vb);
		break;
	}
}

static void
mib_scalar_get(struct snmp_agent *a, const struct mib_scalar *s,
    netsnmp_variable_list *vb)
{
	static const oid product[] = { SNMP_PRODUCT_OID };
	char buf[MIB_TEXT_MAX];

	switch (s->val) {
	case V_SETTING:
		state_setting_get(s->setting, buf, sizeof buf);
		mib_set_text(vb, buf);
		break;
	case V_DESCR:
		snprintf(buf, sizeof buf, "ClearOne Converge Pro %s, firmware "
		    "%s (convergd %s)", a->id.model->name, a->id.firmware,
		    CONVERGD_VERSION);
		mib_set_text(vb, buf);
		break;
	case V_OBJECTID:
		snmp_set_var_typed_value(vb, ASN_OBJECT_ID, product,
		    sizeof product);
		break;
	case V_UPTIME:
		mib_set_int(vb, ASN_TIMETICKS, netsnmp_get_agent_uptime());
		break;
	case V_SYSSERVICES:
		mib_set_int(vb, ASN_INTEGER, 72);	/* applications */
		break;
	case V_MODEL:
		mib_set_text(vb, a->id.model->name);
		break;
	case V_FIRMWARE:
		mib_set_text(vb, a->id.firmware);
		break;
	case V_DEVICE_ID:
		mib_set_int(vb, ASN_INTEGER, a->id.device_id);
		break;
	case V_UID:
		mib_set_text(vb, a->id.uid);
		break;
	case V_MAC:
		mib_set_text(vb, a->id.mac);
		break;
	case V_VERSION:
		mib_set_text(vb, CONVERGD_VERSION);
		break;
	default:
		mib_live_get(a, s->val, vb);
		break;
	}
}

/* ---- SET: RESERVE1 check, ACTION apply, UNDO restore ---- */

static int
mib_vb_text(const netsnmp_variable_list *vb, char *buf, size_t len)
{
	if (vb->type != ASN_OCTET_STR)
		return SNMP_ERR_WRONGTYPE;
	if (vb->val_len >= len)
		return SNMP_ERR_WRONGLENGTH;
	if (memchr(vb->val.string, '\0', vb->val_len) != NULL)
		return SNMP_ERR_WRONGVALUE;
	memcpy(buf, vb->val.string, vb->val_len);
	buf[vb->val_len] = '\0';
	return SNMP_ERR_NOERROR;
}

/* Only text settings have a length limit (max is no length otherwise). */
static bool
mib_too_long(int setting, size_t len)
{
	const struct state_setting_info *info = state_setting_info(setting);

	return info->type == SETTING_TEXT && len > (size_t)info->max;
}

static int
mib_check(const struct mib_target *t, const netsnmp_variable_list *vb)
{
	char text[MIB_TEXT_MAX], canon[MIB_TEXT_MAX], why[BUS_TEXT_MAX];
	int err;

	switch (t->kind) {
	case K_SETTING:
		err = mib_vb_text(vb, text, sizeof text);
		if (err == SNMP_ERR_NOERROR && state_setting_check(t->setting,
		    text, canon, sizeof canon, why, sizeof why) < 0)
			err = mib_too_long(t->setting, vb->val_len) ?
			    SNMP_ERR_WRONGLENGTH : SNMP_ERR_WRONGVALUE;
		return err;
	case K_LABEL:
		return netsnmp_check_vb_type_and_max_size(vb, ASN_OCTET_STR,
		    STATE_LABEL_MAX);
	case K_GAIN:
		return netsnmp_check_vb_int_range(vb,
		    (int)snmp_map_centidb(GAIN_ENTRY_MIN),
		    (int)snmp_map_centidb(GAIN_ENTRY_MAX));
	case K_MUTE:
	case K_SAFETY_MUTE:
		return netsnmp_check_vb_int_range(vb, 1, 2);
	case K_PRESET:
		err = netsnmp_check_vb_int_range(vb, 1, STATE_PRESETS);
		if (err == SNMP_ERR_NOERROR &&
		    !state_preset_defined((int)*vb->val.integer))
			err = SNMP_ERR_INCONSISTENTVALUE;
		return err;
	}
	return SNMP_ERR_GENERR;
}

static void
mib_value_of(const struct mib_target *t, const netsnmp_variable_list *vb,
    struct mib_value *v)
{
	memset(v, 0, sizeof *v);
	if (vb->type == ASN_OCTET_STR)
		mib_vb_text(vb, v->text, sizeof v->text);
	else if (vb->type == ASN_INTEGER)
		v->integer = (int)*vb->val.integer;
	if (t->kind == K_GAIN)
		v->number = snmp_map_db(v->integer);
	if (t->kind == K_MUTE || t->kind == K_SAFETY_MUTE)
		v->integer = v->integer == 1;
	if (t->kind == K_LABEL && v->text[0] == '\0')
		snprintf(v->text, sizeof v->text, "CLEAR");
}

/* The value now, to restore in UNDO. */
static void
mib_value_now(const struct mib_target *t, struct mib_value *v)
{
	memset(v, 0, sizeof *v);
	switch (t->kind) {
	case K_SETTING:
		state_setting_get(t->setting, v->text, sizeof v->text);
		break;
	case K_LABEL:
		state_label_get(t->group, t->channel, v->text, sizeof v->text);
		if (v->text[0] == '\0')
			snprintf(v->text, sizeof v->text, "CLEAR");
		break;
	case K_GAIN:
		state_gain_get(t->group, t->channel, &v->number);
		break;
	case K_MUTE:
		state_mute_get(t->group, t->channel, &v->integer);
		break;
	case K_SAFETY_MUTE:
		v->integer = state_safety_mute_get();
		break;
	case K_PRESET:	/* a recall is not undone */
		break;
	}
}

static int
mib_apply(const struct mib_target *t, const struct mib_value *v,
    const struct origin *o, bool undo)
{
	char why[BUS_TEXT_MAX];
	double d;
	int i;

	switch (t->kind) {
	case K_SETTING:
		return state_setting_set(t->setting, v->text, o, why,
		    sizeof why);
	case K_LABEL:
		return state_label_set(t->group, t->channel, v->text, o, why,
		    sizeof why);
	case K_GAIN:
		return state_gain_set(t->group, t->channel, v->number, false, o,
		    &d, why, sizeof why);
	case K_MUTE:
		return state_mute_set(t->group, t->channel, v->integer, o, &i,
		    why, sizeof why);
	case K_SAFETY_MUTE:
		return state_safety_mute_set(v->integer, o, &i);
	case K_PRESET:
		return undo ? 0 : state_preset_recall(v->integer, o, why,
		    sizeof why);
	}
	return -EINVAL;
}

/* Who made the change, for the console and web reports. */
static void
mib_origin(struct snmp_agent *a, netsnmp_agent_request_info *ri,
    struct origin *o)
{
	netsnmp_pdu *pdu = ri->asp->pdu;
	netsnmp_transport *t =
	    snmp_sess_transport(snmp_sess_pointer(ri->asp->session));
	char *addr = NULL, *lb, *rb;

	bus_origin_set(o, svc_name(a->ctx), (uint32_t)pdu->reqid);
	if (pdu->version == SNMP_VERSION_3)
		snprintf(o->user, sizeof o->user, "%.*s",
		    (int)pdu->securityNameLen, pdu->securityName);
	else
		snprintf(o->user, sizeof o->user, "community");
	if (t != NULL && t->f_fmtaddr != NULL)
		addr = t->f_fmtaddr(t, pdu->transport_data,
		    pdu->transport_data_length);
	/* "UDP: [127.0.0.1]:40022->[127.0.0.1]:161" -> the sender */
	lb = addr ? strchr(addr, '[') : NULL;
	rb = lb ? strchr(lb, ']') : NULL;
	if (rb != NULL)
		snprintf(o->from, sizeof o->from, "%s %.*s:%d", o->service,
		    (int)(rb - lb - 1), lb + 1, atoi(rb + 2));
	else
		snprintf(o->from, sizeof o->from, "%s", o->service);
	free(addr);
}

/* One varbind of a SET in `mode`; errors go into the request. */
static void
mib_set(struct snmp_agent *a, const struct mib_target *t,
    netsnmp_agent_request_info *ri, netsnmp_request_info *rq)
{
	struct mib_value *v;
	struct origin o;
	int err;

	switch (ri->mode) {
	case MODE_SET_RESERVE1:
		err = mib_check(t, rq->requestvb);
		if (err != SNMP_ERR_NOERROR)
			netsnmp_set_request_error(ri, rq, err);
		break;
	case MODE_SET_RESERVE2:
		v = malloc(sizeof *v);
		if (v == NULL) {
			netsnmp_set_request_error(ri, rq,
			    SNMP_ERR_RESOURCEUNAVAILABLE);
			break;
		}
		mib_value_now(t, v);
		netsnmp_request_add_list_data(rq,
		    netsnmp_create_data_list("old", v, free));
		break;
	case MODE_SET_ACTION: {
		struct mib_value nv;

		mib_value_of(t, rq->requestvb, &nv);
		mib_origin(a, ri, &o);
		err = mib_apply(t, &nv, &o, false);
		if (err < 0)
			netsnmp_set_request_error(ri, rq, err == -EINVAL ?
			    SNMP_ERR_WRONGVALUE : SNMP_ERR_COMMITFAILED);
		else
			a->sets++;
		break;
	}
	case MODE_SET_UNDO:
		v = netsnmp_request_get_list_data(rq, "old");
		if (v != NULL) {
			mib_origin(a, ri, &o);
			if (mib_apply(t, v, &o, true) < 0)
				netsnmp_set_request_error(ri, rq,
				    SNMP_ERR_UNDOFAILED);
		}
		break;
	default:	/* COMMIT: the state already published; FREE: lists */
		break;
	}
}

/*
 * An Administrator's setting (names.*) is written only by a v3
 * Administrator: the write community and v3 Managers may not.
 */
static bool
mib_may_write(const struct mib_scalar *s, netsnmp_agent_request_info *ri)
{
	struct state_user_info users[STATE_USERS_MAX];
	const netsnmp_pdu *pdu = ri->asp->pdu;
	size_t n;

	if (s->val != V_SETTING ||
	    state_setting_info(s->setting)->level < LEVEL_ADMIN)
		return true;
	if (pdu->version != SNMP_VERSION_3)
		return false;
	n = state_user_list(users, STATE_USERS_MAX);
	for (size_t i = 0; i < n; i++)
		if (strlen(users[i].name) == pdu->securityNameLen &&
		    memcmp(users[i].name, pdu->securityName,
		    pdu->securityNameLen) == 0)
			return users[i].level >= LEVEL_ADMIN;
	return false;
}

static int
mib_scalar_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
    netsnmp_agent_request_info *ri, netsnmp_request_info *rq)
{
	struct snmp_agent *a = reg->my_reg_void;
	const struct mib_scalar *s = h->myvoid;
	struct mib_target t = { K_SETTING, s->setting, 0, 0 };

	a->last_request = time(NULL);
	if (s->val == V_SAFETY_MUTE)
		t.kind = K_SAFETY_MUTE;
	else if (s->val == V_PRESET)
		t.kind = K_PRESET;
	for (; rq != NULL; rq = rq->next) {
		if (rq->processed)
			continue;
		if (ri->mode == MODE_GET)
			mib_scalar_get(a, s, rq->requestvb);
		else if (ri->mode == MODE_SET_RESERVE1 && s->writable &&
		    !mib_may_write(s, ri))
			netsnmp_set_request_error(ri, rq, SNMP_ERR_NOACCESS);
		else if (s->writable)
			mib_set(a, &t, ri, rq);
		else if (ri->mode == MODE_SET_RESERVE1)
			netsnmp_set_request_error(ri, rq,
			    SNMP_ERR_NOTWRITABLE);
	}
	return SNMP_ERR_NOERROR;
}

/* ---- tables with a dense integer index 1..rows ---- */

struct mib_table {
	const char *label;
	oid name[MAX_OID_LEN];	/* the table; entry = name.1 */
	size_t len;
	unsigned mincol, maxcol;
	/* row count; leaves what get() needs in the agent */
	int (*rows)(struct snmp_agent *a);
	/* value of (col, row): 0, or -ENOENT */
	int (*get)(struct snmp_agent *a, unsigned col, int row,
	    netsnmp_variable_list *vb);
	/* what (col, row) sets; false = not writable */
	bool (*target)(struct snmp_agent *a, unsigned col, int row,
	    struct mib_target *t);
};

static int
mib_channel_rows(struct snmp_agent *a)
{
	return snmp_map_rows(a->id.model);
}

static int
mib_channel_get(struct snmp_agent *a, unsigned col, int row,
    netsnmp_variable_list *vb)
{
	const struct model_group *g;
	char buf[MIB_TEXT_MAX];
	double gain = 0, min = 0, max = 0;
	int ch, mute = 0;

	if (snmp_map_row(a->id.model, row, &g, &ch) < 0)
		return -ENOENT;
	switch (col) {
	case 2:
		snprintf(buf, sizeof buf, "%c", g->letter);
		mib_set_text(vb, buf);
		break;
	case 3:
		model_channel_format(g, ch, buf, sizeof buf);
		mib_set_text(vb, buf);
		break;
	case 4:
		buf[0] = '\0';
		state_label_get(g->letter, ch, buf, sizeof buf);
		mib_set_text(vb, buf);
		break;
	case 5:
		state_gain_get(g->letter, ch, &gain);
		mib_set_int(vb, ASN_INTEGER, snmp_map_centidb(gain));
		break;
	case 6:
		state_mute_get(g->letter, ch, &mute);
		mib_set_int(vb, ASN_INTEGER, mib_truth(mute));
		break;
	default:
		state_minmax_get(g->letter, ch, &min, &max);
		mib_set_int(vb, ASN_INTEGER, snmp_map_centidb(col == 7 ? min :
		    max));
		break;
	}
	return 0;
}

static bool
mib_channel_target(struct snmp_agent *a, unsigned col, int row,
    struct mib_target *t)
{
	static const enum mib_kind kinds[] = { [4] = K_LABEL, [5] = K_GAIN,
		[6] = K_MUTE };
	const struct model_group *g;

	if (col < 4 || col > 6 || snmp_map_row(a->id.model, row, &g,
	    &t->channel) < 0)
		return false;
	t->kind = kinds[col];
	t->group = g->letter;
	return true;
}

static int
mib_service_rows(struct snmp_agent *a)
{
	return (int)state_services(a->services, SNMP_SERVICES_MAX);
}

static int
mib_service_get(struct snmp_agent *a, unsigned col, int row,
    netsnmp_variable_list *vb)
{
	const struct bus_service *s = &a->services[row - 1];

	if (col == 2)
		mib_set_text(vb, s->name);
	else if (col == 3)
		mib_set_int(vb, ASN_INTEGER, (long)s->state + 1);
	else if (col == 4)
		mib_set_int(vb, ASN_COUNTER, s->restarts);
	else
		mib_set_text(vb, s->last_error);
	return 0;
}

static int
mib_event_rows(struct snmp_agent *a)
{
	return (int)state_events(a->events, STATE_EVENTS_MAX);
}

static int
mib_event_get(struct snmp_agent *a, unsigned col, int row,
    netsnmp_variable_list *vb)
{
	const struct bus_event *e = &a->events[row - 1];

	if (col == 2)
		mib_set_int(vb, ASN_UNSIGNED, (long)e->when);
	else if (col == 3)
		mib_set_int(vb, ASN_INTEGER, e->category);
	else if (col == 4)
		mib_set_int(vb, ASN_INTEGER, (long)e->severity + 1);
	else if (col == 5)
		mib_set_text(vb, e->source);
	else
		mib_set_text(vb, e->text);
	return 0;
}

static const struct mib_table mib_tables[] = {
	{ "cvChannelTable", CV(4, 4), 2, 8, mib_channel_rows,
	    mib_channel_get, mib_channel_target },
	{ "cvServiceTable", CV(5, 1), 2, 5, mib_service_rows,
	    mib_service_get, NULL },
	{ "cvEventTable", CV(6, 1), 2, 6, mib_event_rows, mib_event_get,
	    NULL },
};

/* name = table.1.col.row with a valid column and row >= 1 */
static bool
mib_table_index(const struct mib_table *t, const oid *name, size_t len,
    unsigned *col, int *row)
{
	if (len != t->len + 3 || snmp_oid_compare(name, t->len, t->name,
	    t->len) != 0 || name[t->len] != 1)
		return false;
	if (name[t->len + 1] < t->mincol || name[t->len + 1] > t->maxcol ||
	    name[t->len + 2] < 1 || name[t->len + 2] > INT_MAX)
		return false;
	*col = (unsigned)name[t->len + 1];
	*row = (int)name[t->len + 2];
	return true;
}

/* GETNEXT: the first instance after the name (column by column). Left
 * unanswered past the last one, so the agent moves to the next object. */
static void
mib_table_next(struct snmp_agent *a, const struct mib_table *t,
    netsnmp_request_info *rq)
{
	netsnmp_variable_list *vb = rq->requestvb;
	oid entry[MAX_OID_LEN];
	size_t elen = t->len + 1;
	unsigned long col = t->mincol, row = 0;
	int rows = t->rows(a);

	memcpy(entry, t->name, t->len * sizeof(oid));
	entry[t->len] = 1;
	if (vb->name_length > elen &&
	    snmp_oid_compare(vb->name, elen, entry, elen) == 0) {
		col = vb->name[elen];
		row = vb->name_length > elen + 1 ? vb->name[elen + 1] : 0;
		if (rq->inclusive && vb->name_length == elen + 2 && row > 0)
			row--;
		if (col < t->mincol) {
			col = t->mincol;
			row = 0;
		}
	} else if (snmp_oid_compare(vb->name, vb->name_length, entry,
	    elen) > 0) {
		return;
	}
	if (row >= (unsigned long)rows) {
		col++;
		row = 0;
	}
	if (rows <= 0 || col > t->maxcol)
		return;
	entry[elen] = col;
	entry[elen + 1] = row + 1;
	snmp_set_var_objid(vb, entry, elen + 2);
	t->get(a, (unsigned)col, (int)row + 1, vb);
}

static int
mib_table_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
    netsnmp_agent_request_info *ri, netsnmp_request_info *rq)
{
	struct snmp_agent *a = reg->my_reg_void;
	const struct mib_table *t = h->myvoid;
	struct mib_target target;
	unsigned col;
	int row;

	a->last_request = time(NULL);
	for (; rq != NULL; rq = rq->next) {
		netsnmp_variable_list *vb = rq->requestvb;

		if (rq->processed)
			continue;
		if (ri->mode == MODE_GETNEXT) {
			mib_table_next(a, t, rq);
			continue;
		}
		if (!mib_table_index(t, vb->name, vb->name_length, &col,
		    &row) || row > t->rows(a)) {
			if (ri->mode == MODE_GET)
				netsnmp_set_request_error(ri, rq,
				    SNMP_NOSUCHINSTANCE);
			else if (ri->mode == MODE_SET_RESERVE1)
				netsnmp_set_request_error(ri, rq,
				    SNMP_ERR_NOCREATION);
			continue;
		}
		if (ri->mode == MODE_GET)
			t->get(a, col, row, vb);
		else if (t->target != NULL && t->target(a, col, row, &target))
			mib_set(a, &target, ri, rq);
		else if (ri->mode == MODE_SET_RESERVE1)
			netsnmp_set_request_error(ri, rq,
			    SNMP_ERR_NOTWRITABLE);
	}
	return SNMP_ERR_NOERROR;
}

/* ---- registration ---- */

static int
mib_register_one(struct snmp_agent *a, const char *label,
    Netsnmp_Node_Handler *fn, const oid *name, size_t len, bool writable,
    const void *row, bool scalar)
{
	netsnmp_handler_registration *reg;
	int rc;

	reg = netsnmp_create_handler_registration(label, fn, name, len,
	    writable ? HANDLER_CAN_RWRITE : HANDLER_CAN_RONLY);
	if (reg == NULL)
		return -ENOMEM;
	reg->my_reg_void = a;
	reg->handler->myvoid = (void *)(uintptr_t)row;
	rc = scalar ? netsnmp_register_scalar(reg) :
	    netsnmp_register_handler(reg);
	return rc == MIB_REGISTERED_OK ? 0 : -EEXIST;
}

int
snmp_mib_register(struct snmp_agent *a)
{
	size_t i;
	int err;

	for (i = 0; i < sizeof mib_scalars / sizeof *mib_scalars; i++) {
		const struct mib_scalar *s = &mib_scalars[i];

		err = mib_register_one(a, s->label, mib_scalar_handler,
		    s->name, s->len, s->writable, s, true);
		if (err < 0)
			return err;
	}
	for (i = 0; i < sizeof mib_tables / sizeof *mib_tables; i++) {
		const struct mib_table *t = &mib_tables[i];

		err = mib_register_one(a, t->label, mib_table_handler,
		    t->name, t->len, t->target != NULL, t, false);
		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- notifications ---- */

/* cvNotify objects (accessible-for-notify), instance .0 */
enum mib_notify_obj {
	N_CATEGORY = 1, N_SEVERITY, N_SOURCE, N_TEXT, N_SERVICE_STATE,
	N_RESTARTS, N_ORIGIN, N_VALUE, N_SETTING,
};

static void
mib_note_add(netsnmp_variable_list **vars, enum mib_notify_obj obj,
    u_char type, const void *val, size_t len)
{
	oid name[] = { SNMP_CV_OID, 1, 9, obj, 0 };

	snmp_varlist_add_variable(vars, name, OID_LENGTH(name), type, val,
	    len);
}

static void
mib_note_text(netsnmp_variable_list **vars, enum mib_notify_obj obj,
    const char *s)
{
	mib_note_add(vars, obj, ASN_OCTET_STR, s, strlen(s));
}

static void
mib_note_int(netsnmp_variable_list **vars, enum mib_notify_obj obj,
    u_char type, long v)
{
	mib_note_add(vars, obj, type, &v, sizeof v);
}

static void
mib_note_change(netsnmp_variable_list **vars, const struct bus_change *c,
    enum snmp_map_note note)
{
	char text[BUS_TEXT_MAX], from[BUS_TEXT_MAX];
	const struct state_setting_info *info;

	snprintf(from, sizeof from, "%s", c->origin.from[0] ?
	    c->origin.from : bus_origin_name(&c->origin));
	if (note == SNMP_MAP_NOTE_SETTING) {
		info = state_setting_info(c->integer);
		mib_note_text(vars, N_SETTING, info ? info->key : "");
		mib_note_text(vars, N_TEXT, c->text);
	} else {
		if (cmd_format_change(c, text, sizeof text) == 0)
			text[0] = '\0';
		mib_note_text(vars, N_TEXT, text);
		mib_note_int(vars, N_VALUE, ASN_INTEGER,
		    c->what == STATE_F_GAIN ? snmp_map_centidb(c->number) :
		    c->integer);
	}
	mib_note_text(vars, N_ORIGIN, from);
}

void
snmp_mib_notify(struct snmp_agent *a, const struct bus_msg *m)
{
	static const oid trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
	enum snmp_map_note note = snmp_map_note(m);
	oid id[] = { SNMP_CV_OID, 0, note };
	netsnmp_variable_list *vars = NULL;

	if (note == SNMP_MAP_NOTE_NONE)
		return;
	snmp_varlist_add_variable(&vars, trap_oid, OID_LENGTH(trap_oid),
	    ASN_OBJECT_ID, id, sizeof id);
	if (note == SNMP_MAP_NOTE_EVENT) {
		mib_note_int(&vars, N_CATEGORY, ASN_INTEGER,
		    m->u.event.category);
		mib_note_int(&vars, N_SEVERITY, ASN_INTEGER,
		    (long)m->u.event.severity + 1);
		mib_note_text(&vars, N_SOURCE, m->u.event.source);
		mib_note_text(&vars, N_TEXT, m->u.event.text);
	} else if (note == SNMP_MAP_NOTE_SERVICE) {
		mib_note_text(&vars, N_SOURCE, m->u.service.name);
		mib_note_int(&vars, N_SERVICE_STATE, ASN_INTEGER,
		    (long)m->u.service.state + 1);
		mib_note_int(&vars, N_RESTARTS, ASN_UNSIGNED,
		    m->u.service.restarts);
		mib_note_text(&vars, N_TEXT, m->u.service.last_error);
	} else {
		mib_note_change(&vars, &m->u.change, note);
	}
	snmp_notify_send(a, vars);
	snmp_free_varbind(vars);
}
