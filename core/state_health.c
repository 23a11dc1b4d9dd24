/* SPDX-License-Identifier: MIT */
/*
 * Health (state.h): the supervisor's table of services and the bounded,
 * persisted event log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "state.h"
#include "state_priv.h"

/* Index of the row named `name`, or -1; under the lock. */
static int
service_row(const char *name)
{
	for (size_t i = 0; i < state_st.nservices; i++)
		if (strcmp(state_st.services[i].name, name) == 0)
			return (int)i;
	return -1;
}

void
state_service_put(const struct bus_service *row)
{
	size_t i;
	int r;

	WRLOCK();
	r = service_row(row->name);
	i = r < 0 ? state_st.nservices : (size_t)r;
	if (i < STATE_SERVICES_MAX) {
		state_st.services[i] = *row;
		state_st.services[i].name[BUS_NAME_MAX - 1] = '\0';
		if (i == state_st.nservices)
			state_st.nservices++;
	}
	UNLOCK();
}

size_t
state_services(struct bus_service *out, size_t max)
{
	size_t n;

	RDLOCK();
	n = state_st.nservices < max ? state_st.nservices : max;
	memcpy(out, state_st.services, n * sizeof *out);
	UNLOCK();
	return n;
}

int
state_service_detail_put(const char *service, const char *json)
{
	int i;

	WRLOCK();
	if ((i = service_row(service)) >= 0)
		snprintf(state_st.service_detail[i], STATE_DETAIL_MAX, "%s",
		    json);
	UNLOCK();
	return i < 0 ? -ENOENT : 0;
}

int
state_service_detail(const char *service, char *buf, size_t len)
{
	int i;

	RDLOCK();
	if ((i = service_row(service)) >= 0)
		snprintf(buf, len, "%s", state_st.service_detail[i]);
	UNLOCK();
	return i < 0 ? -ENOENT : 0;
}

void
state_lease_put(const struct state_lease *lease)
{
	WRLOCK();
	state_st.lease = *lease;
	UNLOCK();
}

void
state_lease_get(struct state_lease *out)
{
	RDLOCK();
	*out = state_st.lease;
	UNLOCK();
}

/* Printable ASCII only, so the state file is always valid JSON text. */
static void
ascii_only(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			s[i] = '?';
	s[len - 1] = '\0';
}

/* The oldest event is overwritten when the log is full. */
void
state_event_put(const struct bus_event *ev)
{
	struct bus_event e = *ev;
	struct state_data *d;
	bool saved = false;

	ascii_only(e.source, sizeof e.source);
	ascii_only(e.text, sizeof e.text);
	WRLOCK();
	d = state_st.d;
	if (d != NULL) {
		d->events[(d->event_first + d->nevents) % STATE_EVENTS_MAX] =
		    e;
		if (d->nevents < STATE_EVENTS_MAX)
			d->nevents++;
		else
			d->event_first = (d->event_first + 1) %
			    STATE_EVENTS_MAX;
		saved = true;
	}
	UNLOCK();
	if (saved)
		state_save_mark();
}

/* Oldest first. */
size_t
state_events(struct bus_event *out, size_t max)
{
	const struct state_data *d;
	size_t i, n = 0, skip;

	RDLOCK();
	d = state_st.d;
	if (d != NULL) {
		n = d->nevents < max ? d->nevents : max;
		/* If `out` is short, give the newest `n`. */
		skip = d->nevents - n;
		for (i = 0; i < n; i++)
			out[i] = d->events[(d->event_first + skip + i) %
			    STATE_EVENTS_MAX];
	}
	UNLOCK();
	return n;
}
