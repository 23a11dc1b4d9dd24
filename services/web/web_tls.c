/* SPDX-License-Identifier: MIT */
/*
 * HTTPS through a TLS terminator (stunnel, docs/https.md): civetweb
 * cannot do TLS itself on Debian 12, so the terminator takes TLS on 443
 * and passes requests in clear to [web] tls_port on 127.0.0.1. A request
 * counts as HTTPS when it arrives there from 127.0.0.1, or from 127.0.0.1
 * with X-Forwarded-Proto: https (a proxy that sets the header); the
 * header from any other address is ignored. HTTPS requests get Secure
 * cookies; with [web] https_redirect, plain ones are sent to HTTPS.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web/web_int.h"

#define TLS_LOCATION_MAX 2048

bool
web_tls_request(const struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const struct web *w = web_of(c);
	const char *proto;

	if (ri == NULL || strcmp(ri->remote_addr, "127.0.0.1") != 0)
		return false;
	if (w->tls_port != 0 && ri->server_port == w->tls_port)
		return true;
	proto = mg_get_header(c, "X-Forwarded-Proto");
	return proto != NULL && strcasecmp(proto, "https") == 0;
}

const char *
web_tls_cookie_flags(const struct mg_connection *c)
{
	return web_tls_request(c) ? "; Secure" : "";
}

/* Append `s` to out[*n..len), %-encoding all but `keep` and alnum. */
static int
tls_encode(char *out, size_t len, size_t *n, const char *s,
    const char *keep)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		int k;

		if (isalnum(ch) || (ch > ' ' && ch < 0x7f &&
		    strchr(keep, ch) != NULL))
			k = snprintf(out + *n, len - *n, "%c", ch);
		else
			k = snprintf(out + *n, len - *n, "%%%02X", ch);
		if (k < 0 || (size_t)k >= len - *n)
			return -1;
		*n += (size_t)k;
	}
	return 0;
}

/*
 * The HTTPS address of this request into out: the Host's name (which
 * must be one the API answers, web_host.c), https_port and the path and
 * query, re-encoded (civetweb hands them decoded). -1 if it cannot be.
 */
static int
tls_location(const struct mg_connection *c, char *out, size_t len)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const struct web *w = web_of(c);
	const char *host = mg_get_header(c, "Host");
	char name[256], why[128], port[8] = "";
	size_t n;
	bool v6;
	int k;

	if (host == NULL || web_host_check(w, host, why, sizeof(why)) < 0 ||
	    web_host_name(host, name, sizeof(name), &v6) < 0)
		return -1;
	if (w->https_port != 443)
		snprintf(port, sizeof(port), ":%d", w->https_port);
	k = snprintf(out, len, "https://%s%s%s%s", v6 ? "[" : "", name,
	    v6 ? "]" : "", port);
	if (k < 0 || (size_t)k >= len)
		return -1;
	n = (size_t)k;
	if (tls_encode(out, len, &n, ri->local_uri ? ri->local_uri : "/",
	    "/-._~!$&'()*+,;=:@") < 0)
		return -1;
	if (ri->query_string != NULL && ri->query_string[0] != '\0' &&
	    (tls_encode(out, len, &n, "?", "?") < 0 ||
	    tls_encode(out, len, &n, ri->query_string,
	    "/-._~!$&'()*+,;=:@?%") < 0))
		return -1;
	return 0;
}

int
web_tls_redirect(struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	char loc[TLS_LOCATION_MAX], extra[TLS_LOCATION_MAX + 32];
	int status;

	if (!web_of(c)->https_redirect || ri == NULL || web_tls_request(c))
		return 0;
	if (tls_location(c, loc, sizeof(loc)) < 0) {
		web_http_error(c, 421, "cannot redirect to HTTPS: a Host of "
		    "this unit is required", NULL);
		return 421;
	}
	/* 308 keeps the method and body of an API call; 301 for pages */
	status = strcmp(ri->request_method, "GET") == 0 ||
	    strcmp(ri->request_method, "HEAD") == 0 ? 301 : 308;
	snprintf(extra, sizeof(extra), "Location: %s\r\n", loc);
	/* no body for HEAD */
	web_http_send(c, status, "text/plain; charset=utf-8", extra,
	    "Use HTTPS.\n", strcmp(ri->request_method, "HEAD") ? 11 : 0);
	return status;
}
