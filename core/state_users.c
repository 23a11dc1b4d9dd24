/* SPDX-License-Identifier: MIT */
/*
 * Users and passwords (state.h): SHA-512 crypt(3) hashes made outside
 * the lock (hashing takes milliseconds), checked in constant time; at
 * least one Administrator always remains.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "state.h"
#include "state_priv.h"

/* A SHA-512 crypt(3) hash of `password` with a fresh random salt. */
static int
hash_password(const char *password, char *out, size_t outlen)
{
	char rnd[16], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int err = 0;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -EIO;
	if (crypt_gensalt_rn("$6$", 0, rnd, sizeof rnd, setting,
	    sizeof setting) == NULL)
		return -EINVAL;
	cd = calloc(1, sizeof *cd);
	if (cd == NULL)
		return -ENOMEM;
	h = crypt_rn(password, setting, cd, sizeof *cd);
	if (h == NULL || h[0] == '*' || strlen(h) >= outlen)
		err = -EINVAL;
	else
		snprintf(out, outlen, "%s", h);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return err;
}

/* Does `password` hash to `hash`? Compares in constant time. */
static bool
password_matches(const char *password, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof *cd);
	const char *h;
	size_t n, i;
	unsigned char diff = 0;

	if (cd == NULL)
		return false;
	h = crypt_rn(password, hash, cd, sizeof *cd);
	n = strlen(hash);
	if (h == NULL || h[0] == '*' || strlen(h) != n)
		diff = 1;
	else
		for (i = 0; i < n; i++)
			diff |= (unsigned char)(h[i] ^ hash[i]);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return diff == 0;
}

static int
password_check(const char *password, char *why, size_t whylen)
{
	size_t n = strlen(password);

	if (n < 1 || n > 63 || !state_printable(password))
		return state_fail(why, whylen, -EINVAL,
		    "password must be 1 to 63 printable characters");
	return 0;
}

/* Index of the user called `name` (any case), or -1. Lock held. */
static int
user_find(const char *name)
{
	size_t i;

	for (i = 0; i < state_st.d->nusers; i++)
		if (strcasecmp(state_st.d->users[i].name, name) == 0)
			return (int)i;
	return -1;
}

static size_t
admin_count(void)
{
	size_t i, n = 0;

	for (i = 0; i < state_st.d->nusers; i++)
		n += state_st.d->users[i].level == LEVEL_ADMIN;
	return n;
}

/* A hash that never matches: unknown users cost as much as known ones. */
static const char dummy_hash[] =
    "$6$aaaaaaaaaaaaaaaa$J3ZuQoG0i6U6cU5bWTXc0F2mXxkbR0X5gW1Vvn3mQ5h"
    "DksDqzK5cF4k0k3m0U3QhV7ph8N6ZpY5Rc6K0d3j1a/";

int
state_user_check(const char *name, const char *password,
    enum user_level *level)
{
	char hash[STATE_HASH_LEN];
	enum user_level lv = LEVEL_USER;
	bool known;
	int i;

	if (!state_st.ready || name == NULL || password == NULL)
		return -EACCES;
	RDLOCK();
	i = user_find(name);
	known = i >= 0;
	if (known) {
		memcpy(hash, state_st.d->users[i].hash, sizeof hash);
		lv = state_st.d->users[i].level;
	}
	UNLOCK();
	if (!known)
		snprintf(hash, sizeof hash, "%s", dummy_hash);
	if (!password_matches(password, hash) || !known)
		return -EACCES;
	if (level != NULL)
		*level = lv;
	return 0;
}

int
state_user_hash(const char *name, char *hash, size_t len,
    enum user_level *level)
{
	int i, err = -ENOENT;

	if (!state_st.ready || name == NULL)
		return -ENOENT;
	RDLOCK();
	if ((i = user_find(name)) >= 0) {
		err = (size_t)snprintf(hash, len, "%s",
		    state_st.d->users[i].hash) < len ? 0 : -ENOSPC;
		*level = state_st.d->users[i].level;
	}
	UNLOCK();
	return err;
}

/* Would this change leave no Administrator? Lock held. */
static bool
removes_last_admin(int i, enum user_level new_level)
{
	return i >= 0 && state_st.d->users[i].level == LEVEL_ADMIN &&
	    new_level != LEVEL_ADMIN && admin_count() == 1;
}

/* `hash` NULL keeps the password; `key` NULL: its USM key is unknown. */
static int
user_apply(const char *name, const char *hash, const uint8_t *key,
    enum user_level level, char *why, size_t whylen)
{
	int i = user_find(name);
	struct state_user *u;

	if (i < 0 && hash == NULL)
		return state_fail(why, whylen, -EINVAL,
		    "a new user needs a password");
	if (i < 0 && state_st.d->nusers >= STATE_USERS_MAX)
		return state_fail(why, whylen, -ENOSPC, "too many users");
	if (removes_last_admin(i, level))
		return state_fail(why, whylen, -EPERM,
		    "at least one administrator must remain");
	if (i < 0) {
		i = (int)state_st.d->nusers++;
		snprintf(state_st.d->users[i].name,
		    sizeof state_st.d->users[i].name, "%s", name);
	}
	u = &state_st.d->users[i];
	u->level = level;
	if (hash != NULL) {
		snprintf(u->hash, sizeof u->hash, "%s", hash);
		u->usm_known = key != NULL;
		if (key != NULL)
			memcpy(u->usm_key, key, USMKEY_LEN);
	}
	return 0;
}

/* Keep the user list to put back if the save fails. Lock held. */
static int
users_keep(char *why, size_t whylen)
{
	struct state_undo u = { .kind = UNDO_USERS };
	int err;

	u.u.users = malloc(sizeof *u.u.users);
	if (u.u.users == NULL)
		return state_fail(why, whylen, -ENOMEM, "out of memory");
	memcpy(u.u.users->users, state_st.d->users, sizeof u.u.users->users);
	u.u.users->n = state_st.d->nusers;
	err = state_txn_undo(&u);
	if (err < 0) {
		free(u.u.users);
		return state_fail(why, whylen, err, "out of memory");
	}
	return 0;
}

int
state_user_set(const char *name, const char *password,
    enum user_level level, const struct origin *origin, char *why,
    size_t whylen)
{
	char hash[STATE_HASH_LEN];
	uint8_t key[USMKEY_LEN];
	bool key_ok = false;
	struct change_set cs = { .n = 0 };
	int err;

	CHECK_READY(why, whylen);
	err = state_user_name_check(name, why, whylen);
	if (err == 0 && (unsigned)level > LEVEL_ADMIN)
		err = state_fail(why, whylen, -EINVAL, "no such user level");
	if (err == 0 && password != NULL)
		err = password_check(password, why, whylen);
	/* Hash before taking the lock: it takes milliseconds. */
	if (err == 0 && password != NULL &&
	    hash_password(password, hash, sizeof hash) < 0)
		err = state_fail(why, whylen, -EAGAIN,
		    "could not hash the password");
	/* the SNMPv3 key too (1 MB of SHA-1): the password is not kept */
	if (err == 0 && password != NULL)
		key_ok = usmkey_derive(password, key) == 0;
	if (err < 0)
		return err;
	state_txn_begin();
	WRLOCK();
	err = users_keep(why, whylen);
	if (err == 0)
		err = user_apply(name, password ? hash : NULL,
		    key_ok ? key : NULL, level, why, whylen);
	if (err == 0)
		snprintf(state_change_add(&cs, STATE_F_USER, origin)->text,
		    BUS_TEXT_MAX, "%s", name);
	UNLOCK();
	explicit_bzero(hash, sizeof hash);
	explicit_bzero(key, sizeof key);
	return state_txn_end(&cs, err, why, whylen);
}

int
state_user_delete(const char *name, const struct origin *origin, char *why,
    size_t whylen)
{
	struct change_set cs = { .n = 0 };
	int i, err = 0;

	CHECK_READY(why, whylen);
	if (name == NULL)
		return state_fail(why, whylen, -EINVAL, "no user name");
	state_txn_begin();
	WRLOCK();
	i = user_find(name);
	if (i < 0)
		err = state_fail(why, whylen, -ENOENT, "no such user");
	else if (removes_last_admin(i, LEVEL_USER))
		err = state_fail(why, whylen, -EPERM,
		    "at least one administrator must remain");
	if (err == 0)
		err = users_keep(why, whylen);
	if (err == 0) {
		snprintf(state_change_add(&cs, STATE_F_USER, origin)->text,
		    BUS_TEXT_MAX, "%s", state_st.d->users[i].name);
		memmove(&state_st.d->users[i], &state_st.d->users[i + 1],
		    (state_st.d->nusers - (size_t)i - 1) *
		    sizeof state_st.d->users[0]);
		state_st.d->nusers--;
	}
	UNLOCK();
	return state_txn_end(&cs, err, why, whylen);
}

size_t
state_user_list(struct state_user_info *out, size_t max)
{
	size_t i, n;

	if (!state_st.ready)
		return 0;
	RDLOCK();
	n = state_st.d->nusers < max ? state_st.d->nusers : max;
	for (i = 0; i < n; i++) {
		memcpy(out[i].name, state_st.d->users[i].name,
		    sizeof out[i].name);
		out[i].level = state_st.d->users[i].level;
	}
	UNLOCK();
	return n;
}

/*
 * Hashing is slow, so the answer is cached against clearone's hash and
 * recomputed (outside the lock) only when that hash changes.
 */
bool
state_default_password_in_use(void)
{
	char hash[STATE_HASH_LEN];
	bool cached = false, result = false;
	int i;

	if (!state_st.ready)
		return false;
	RDLOCK();
	i = user_find("clearone");
	if (i >= 0) {
		memcpy(hash, state_st.d->users[i].hash, sizeof hash);
		cached = strcmp(hash, state_st.default_pw_hash) == 0;
		result = state_st.default_pw_result;
	}
	UNLOCK();
	if (i < 0)
		return false;
	if (cached)
		return result;
	result = password_matches("converge", hash);
	WRLOCK();
	memcpy(state_st.default_pw_hash, hash, sizeof hash);
	state_st.default_pw_result = result;
	UNLOCK();
	return result;
}


int
state_user_usm_key(const char *name, uint8_t key[USMKEY_LEN])
{
	int i, err = -ENOENT;

	if (!state_st.ready || name == NULL)
		return -ENOENT;
	RDLOCK();
	i = user_find(name);
	if (i >= 0 && !state_st.d->users[i].usm_known)
		err = -ENODATA;
	else if (i >= 0) {
		memcpy(key, state_st.d->users[i].usm_key, USMKEY_LEN);
		err = 0;
	}
	UNLOCK();
	return err;
}

int
state_users_defaults(struct state_data *d)
{
	int err = hash_password("converge", d->users[0].hash,
	    sizeof d->users[0].hash);

	if (err < 0)
		return err;
	d->users[0].usm_known = usmkey_derive("converge",
	    d->users[0].usm_key) == 0;
	snprintf(d->users[0].name, sizeof d->users[0].name, "clearone");
	d->users[0].level = LEVEL_ADMIN;
	d->nusers = 1;
	return 0;
}
