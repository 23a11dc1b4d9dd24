/* SPDX-License-Identifier: MIT */
/* Coalescing events into digests (mail_window.h). */
#include <string.h>

#include "mail_window.h"

void
mail_window_init(struct mail_windows *ws, unsigned window_s, unsigned burst)
{
	memset(ws, 0, sizeof *ws);
	ws->window_s = window_s;
	ws->burst = burst;
}

static void
alert_of(struct mail_alert *a, const struct bus_event *ev)
{
	memset(a, 0, sizeof *a);
	a->category = ev->category;
	a->severity = ev->severity;
	a->first = a->last = ev->when;
	a->count = 1;
	memcpy(a->text, ev->text, sizeof a->text);
	a->text[sizeof a->text - 1] = '\0';
	bus_origin_describe(&ev->origin, a->from, sizeof a->from);
}

/* Count `ev` into the digest: identical texts share one sample line. */
static void
digest_add(struct mail_alert *d, const struct bus_event *ev)
{
	size_t i;

	if (d->count == 0) {
		alert_of(d, ev);
		d->count = 0;
	}
	d->count++;
	d->last = ev->when;
	if (ev->severity > d->severity)
		d->severity = ev->severity;
	for (i = 0; i < d->nsamples; i++)
		if (strncmp(d->samples[i], ev->text, BUS_TEXT_MAX) == 0) {
			d->sample_count[i]++;
			return;
		}
	if (d->nsamples < MAIL_SAMPLES) {
		memcpy(d->samples[i], ev->text, BUS_TEXT_MAX);
		d->samples[i][BUS_TEXT_MAX - 1] = '\0';
		d->sample_count[i] = 1;
		d->nsamples++;
	}
}

int
mail_window_event(struct mail_windows *ws, const struct bus_event *ev,
    time_t now, struct mail_alert *out)
{
	struct mail_win *w = &ws->w[(unsigned)ev->category & 31];

	/* an ended window with nothing held closes here; one holding a
	 * digest stays open until mail_window_tick sends it */
	if (w->open && now - w->start >= (time_t)ws->window_s &&
	    w->digest.count == 0)
		w->open = false;
	if (!w->open) {
		memset(w, 0, sizeof *w);
		w->open = true;
		w->start = now;
	}
	if (w->sent < ws->burst) {
		w->sent++;
		alert_of(out, ev);
		return 1;
	}
	digest_add(&w->digest, ev);
	return 0;
}

int
mail_window_tick(struct mail_windows *ws, time_t now, struct mail_alert *out)
{
	for (size_t c = 0; c < 32; c++) {
		struct mail_win *w = &ws->w[c];

		if (!w->open || now - w->start < (time_t)ws->window_s)
			continue;
		if (w->digest.count == 0) {
			w->open = false;
			continue;
		}
		*out = w->digest;
		/* the storm goes on: the next window only counts */
		memset(&w->digest, 0, sizeof w->digest);
		w->start = now;
		w->sent = ws->burst;
		return 1;
	}
	return 0;
}

int
mail_window_flush(struct mail_windows *ws, struct mail_alert *out)
{
	for (size_t c = 0; c < 32; c++) {
		struct mail_win *w = &ws->w[c];

		if (w->open && w->digest.count > 0) {
			*out = w->digest;
			w->open = false;
			memset(&w->digest, 0, sizeof w->digest);
			return 1;
		}
	}
	return 0;
}
