/* SPDX-License-Identifier: MIT */
/*
 * Private to the console service (services/console*.c): the service's
 * state, one struct per session (socket or serial port), and the calls
 * between the files. One thread runs all of it, so nothing is locked.
 */
#ifndef CONVERGD_CONSOLE_PRIV_H
#define CONVERGD_CONSOLE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "bus.h"
#include "cmd.h"
#include "lockout.h"
#include "log.h"
#include "service.h"
#include "console_telnet.h"

#define CONSOLE_LISTEN_MAX	2
#define CONSOLE_CLOSE_GRACE_MS	2000u	/* to flush before a close */
#define CONSOLE_SERIAL_RETRY_MS	10000u
#define CONSOLE_ACCEPT_PAUSE_MS	100u	/* out of descriptors: wait */
#define CONSOLE_READ_CHUNK	4096
#define CONSOLE_PEER_MAX	64
#define CONSOLE_LINES_PER_PASS	256	/* per session and pass */
/*
 * Time for the sessions' lines in one pass. A settings line is saved
 * (fsync) before its reply, so 256 lines of 64 sessions could take
 * minutes and miss the supervisor's 5 s heartbeat; past this budget the
 * rest wait for the next pass, which starts with the next session.
 */
#define CONSOLE_PASS_MS		500u

enum console_phase {
	CONSOLE_PHASE_USER,	/* waiting for the user name */
	CONSOLE_PHASE_PASS,	/* waiting for the password */
	CONSOLE_PHASE_CMD,	/* logged in */
	CONSOLE_PHASE_CLOSING,	/* flush the output, then close */
};

struct console_limits {
	size_t max_sessions;
	size_t max_line;
	size_t max_output;
	uint64_t idle_ms;	/* 0 = none */
	uint64_t login_ms;	/* 0 = none */
	uint64_t level_report_ms;	/* LVLREPORT lines at most this often */
};

struct console_session {
	int fd;
	bool serial;		/* tty: no login, no idle time-out */
	bool dead;		/* close at the end of this pass */
	enum console_phase phase;
	uint32_t id;
	char addr[LOCKOUT_ADDR];	/* numeric peer address */
	char peer[CONSOLE_PEER_MAX];		/* "127.0.0.1:40022" */
	struct console_telnet telnet;
	struct console_telnet_line line;
	char *linebuf;
	char user[32];
	bool user_bad;		/* user line too long: login must fail */
	unsigned failures;	/* failed logins on this session */
	struct cmd_session cmd;
	uint8_t *out;		/* pending output: out[off..len) */
	size_t out_off, out_len, out_cap;
	uint8_t in[CONSOLE_READ_CHUNK];	/* decoded input not yet run */
	size_t in_off, in_len;
	uint64_t opened_ms;
	uint64_t last_input_ms;
	uint64_t close_at_ms;	/* CLOSING: give up flushing then */
	bool wr_shut;		/* CLOSING: our side is shut, draining */
};

struct console {
	struct console_limits lim;
	int listen_fd[CONSOLE_LISTEN_MAX];
	size_t nlisten;
	uint64_t accept_paused_until_ms;	/* listeners left out of poll */
	bool accept_starved;		/* out of descriptors: logged */
	struct bus_sub *sub;
	struct console_session **sessions;
	size_t nsessions;
	size_t cap;			/* room in sessions (and pfd) */
	struct console_session *serial;
	char serial_device[256];
	uint64_t serial_retry_ms;
	struct lockout lockout;		/* failed logins per address */
	struct pollfd *pfd;
	struct cmd_reply reply;		/* scratch: one reply */
	char scratch[CMD_REPLY_MAX];	/* scratch: one async report */
	uint64_t malformed;		/* counters for the log */
	uint64_t refused;
	uint64_t overflows;
	struct log_rate rate;		/* malformed input */
	struct log_rate login_rate;	/* failed logins */
	struct log_rate serial_rate;	/* serial port trouble */
	uint64_t bus_dropped;		/* last bus_sub_dropped seen */
	uint64_t next_levels_ms;	/* next meter tick that reports LVL */
	uint64_t pass_end_ms;		/* CONSOLE_PASS_MS budget's end */
	size_t turn;			/* first session of the next pass */
};

/* console_session.c */
struct console_session *console_session_new(struct console *c, int fd,
    const char *addr, unsigned port, bool serial);
void console_session_free(struct console_session *s);
/* Queue output (flushed once per pass); an overflow marks it dead. */
void console_session_send(struct console *c, struct console_session *s,
    const void *data, size_t len);
/* Write what is pending; marks the session dead on a socket error. */
void console_session_flush(struct console *c, struct console_session *s);
/* Read and decode once (only when the previous input is used up). */
void console_session_input(struct console *c, struct console_session *s);
/* True if decoded input is waiting and output has room for replies. */
bool console_session_runnable(const struct console *c,
    const struct console_session *s);
/*
 * Run up to CONSOLE_LINES_PER_PASS lines of decoded input, stopping
 * after the first one once the pass is past c->pass_end_ms.
 */
void console_session_process(struct console *c, struct console_session *s);
/* Idle time-out and close deadlines. */
void console_session_timers(struct console *c, struct console_session *s,
    uint64_t now_ms);
/* Earliest deadline of the session (UINT64_MAX if none). */
uint64_t console_session_deadline(const struct console *c,
    const struct console_session *s);
/* True while the session's input should be read. */
bool console_session_wants_input(const struct console *c,
    const struct console_session *s);
/* The line a locked-out address gets ("... try again in N s.\r\n"). */
void console_session_lockout_line(char *buf, size_t len, const char *addr,
    uint64_t remaining_ms);
/* Send a final line and close once it is flushed. */
void console_session_close(struct console *c, struct console_session *s,
    const char *line, uint64_t now_ms);
/*
 * Take the logged-in user's level from the state again; close the
 * session if the user is gone. False if the session is closing.
 */
bool console_session_recheck_user(struct console *c,
    struct console_session *s);

/* console_serial.c */
/* The state's serial.baud and serial.flow; 0 or -errno. */
int console_serial_settings(unsigned *baud, bool *flow);
/* Set the open tty to raw 8N1 at `baud`, RTS/CTS if `flow`. */
int console_serial_apply(int fd, unsigned baud, bool flow, char *why,
    size_t whylen);
/* Open and configure the tty; fd or -errno. */
int console_serial_open(const char *device, unsigned baud, bool flow,
    char *why, size_t whylen);

/* The descriptor (console.c); its name is the origin of console changes. */
extern const struct service console_service;

#endif
