/* SPDX-License-Identifier: MIT */
/*
 * Random damage for the codec tests: sample messages cut short and with
 * bytes changed must parse or fail cleanly, and whatever parses must
 * encode to bytes that parse to the same message. The seed is printed so
 * a failure can be replayed.
 */
#ifndef CONVERGD_MUTATE_H
#define CONVERGD_MUTATE_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* one codec as the test sees it: parse into / encode from a message of
 * msg_size bytes; normalise (may be NULL) clears what a round trip may
 * legitimately change before the messages are compared */
struct mutate_codec {
	const char *name;
	int (*parse)(const uint8_t *buf, size_t len, void *msg);
	int (*encode)(void *msg, uint8_t *buf, size_t cap);
	void (*normalise)(void *msg);
	size_t msg_size, buf_max;
};

/* a copy of one of the samples in buf, cut on odd rounds, 0-2 bytes changed */
static inline size_t
mutate_sample(unsigned *seed, int round, const uint8_t *const *msgs,
    const size_t *lens, int count, uint8_t *buf)
{
	int k = rand_r(seed) % count;
	size_t n = lens[k];

	memcpy(buf, msgs[k], n);
	if (round % 2)
		n = (size_t)rand_r(seed) % (n + 1);
	for (int f = rand_r(seed) % 3; f > 0 && n > 0; f--)
		buf[rand_r(seed) % n] = (uint8_t)rand_r(seed);
	return n;
}

static inline void
mutate_round_trips(const struct mutate_codec *c, const uint8_t *const *msgs,
    const size_t *lens, int count, int rounds)
{
	uint8_t *buf = malloc(c->buf_max), *again = malloc(c->buf_max);
	void *m = malloc(c->msg_size), *m2 = malloc(c->msg_size);
	unsigned seed = (unsigned)time(NULL);

	ck_assert(buf && again && m && m2);
	printf("%s random cuts and flips: seed %u\n", c->name, seed);
	for (int round = 0; round < rounds; round++) {
		size_t n = mutate_sample(&seed, round, msgs, lens, count, buf);
		int len;

		memset(m, 0, c->msg_size);
		memset(m2, 0, c->msg_size);
		if (c->parse(buf, n, m) != 0)
			continue;
		len = c->encode(m, again, c->buf_max);
		ck_assert_msg(len > 0, "seed %u round %d: no re-encode", seed,
		    round);
		ck_assert_int_eq(c->parse(again, (size_t)len, m2), 0);
		if (c->normalise != NULL) {
			c->normalise(m);
			c->normalise(m2);
		}
		ck_assert_msg(memcmp(m, m2, c->msg_size) == 0,
		    "seed %u round %d: round trip differs", seed, round);
	}
	free(buf);
	free(again);
	free(m);
	free(m2);
}

#endif
