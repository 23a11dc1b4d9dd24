/* SPDX-License-Identifier: MIT */
/*
 * The rules a stored value obeys that both its setter and the state
 * file loader (state_json.c) apply: user names, password hashes,
 * labels, macro lines and matrix crosspoints (the settings' rules are
 * in state_settings.c). No locks; nothing but state_base.c is called.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "state.h"
#include "state_priv.h"

/* Characters of crypt(3)'s base-64 alphabet only. */
static bool
crypt64(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '/')
			return false;
	return true;
}

/*
 * Only what hash_password makes: SHA-512 crypt at its default cost,
 * "$6$" SALT(1-16) "$" HASH(86), or the same cost spelt "rounds=5000$".
 * Any other method or cost could let a restored file make every login
 * check slow (a DoS) or weak.
 */
bool
state_hash_valid(const char *hash)
{
	static const char rounds[] = "rounds=5000$";
	const char *salt, *end;

	if (strncmp(hash, "$6$", 3) != 0)
		return false;
	salt = hash + 3;
	if (strncmp(salt, rounds, sizeof rounds - 1) == 0)
		salt += sizeof rounds - 1;
	end = strchr(salt, '$');
	return end != NULL && end > salt && end - salt <= 16 &&
	    crypt64(salt, (size_t)(end - salt)) && strlen(end + 1) == 86 &&
	    crypt64(end + 1, 86);
}

int
state_user_name_check(const char *name, char *why, size_t whylen)
{
	size_t n = name == NULL ? 0 : strlen(name);

	if (n < 1 || n > 31 || !state_all_in(name, "._-"))
		return state_fail(why, whylen, -EINVAL,
		    "user name must be 1 to 31 letters, digits, '.', '_' "
		    "or '-'");
	return 0;
}

int
state_label_check(const char *text, char *why, size_t whylen)
{
	size_t n = text == NULL ? 0 : strlen(text);

	if (n > STATE_LABEL_MAX || (n > 0 && !state_printable(text)))
		return state_fail(why, whylen, -EINVAL,
		    "label must be 1 to 20 printable characters");
	return 0;
}

int
state_xpoint(const struct state_layout *l, char sg, int s, char dg, int d,
    struct state_xpoint *x)
{
	const struct model *m = l->model;
	const struct model_group *src, *mics;
	int s_idx, d_idx;

	if (state_slot(l, sg, s, SLOT_SRC, &x->src) < 0 ||
	    state_slot(l, dg, d, SLOT_DST, &x->dst) < 0)
		return -EINVAL;
	src = model_group(m, sg);
	mics = model_group(m, 'M');
	model_storage(m, src, s, &s_idx);
	model_storage(m, model_group(m, dg), d, &d_idx);
	/* Mic inputs are M, or the inputs I that the model's M covers. */
	x->mic = src->letter == 'M' || (src->letter == 'I' && mics != NULL &&
	    s_idx < mics->count);
	x->self = src->letter == 'P' && toupper((unsigned char)dg) == 'P' &&
	    s_idx == d_idx;
	return 0;
}

int
state_macro_line_check(const char *line, char *why, size_t whylen)
{
	size_t n = line == NULL ? 0 : strlen(line);

	if (n == 0 || n >= BUS_TEXT_MAX || !state_printable(line))
		return state_fail(why, whylen, -EINVAL,
		    "macro lines must be 1 to %d printable characters",
		    BUS_TEXT_MAX - 1);
	return 0;
}
