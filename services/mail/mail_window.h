/* SPDX-License-Identifier: MIT */
/*
 * No floods: per event category, the first `burst` events of a window
 * become mails at once; the rest of the window's events are counted
 * into one digest (distinct texts with their counts) sent when the
 * window ends. While a storm goes on, every window ends in one digest;
 * a window with nothing counted closes, and the next event opens a new
 * one. Pure: the caller passes the time.
 */
#ifndef CONVERGD_MAIL_WINDOW_H
#define CONVERGD_MAIL_WINDOW_H

#include <stdbool.h>
#include <time.h>

#include "bus.h"
#include "mail_msg.h"

struct mail_win {
	bool open;
	time_t start;
	unsigned sent;		/* mailed at once in this window */
	struct mail_alert digest;	/* count 0 = nothing held */
};

struct mail_windows {
	unsigned window_s, burst;
	struct mail_win w[32];	/* by category */
};

void mail_window_init(struct mail_windows *ws, unsigned window_s,
    unsigned burst);
/* 1 = mail `ev` now (filled into `out`), 0 = held for the digest. */
int mail_window_event(struct mail_windows *ws, const struct bus_event *ev,
    time_t now, struct mail_alert *out);
/* 1 = a window ended with a digest (in `out`; call again), 0 = none. */
int mail_window_tick(struct mail_windows *ws, time_t now,
    struct mail_alert *out);

/* Stopping: 1 = a held digest (in `out`; call again), 0 = none left. */
int mail_window_flush(struct mail_windows *ws, struct mail_alert *out);

#endif
