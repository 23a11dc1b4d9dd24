/* SPDX-License-Identifier: MIT */
/*
 * HTTP plumbing for the web service: every reply is built in one buffer
 * and written with one mg_write (two writes cost 40 ms each with Nagle,
 * libraries.md §1), request bodies are read with a hard size cap, and the
 * embedded page is served with ETags.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "web/web_assets.h"
#include "web/web_int.h"

/* Headers on every reply: no caching of API data, no sniffing, no frames. */
#define WEB_COMMON_HEADERS \
	"X-Content-Type-Options: nosniff\r\n" \
	"X-Frame-Options: DENY\r\n" \
	"Referrer-Policy: no-referrer\r\n"

#define WEB_CSP "Content-Security-Policy: default-src 'self'; " \
	"connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; " \
	"form-action 'self'\r\n"

struct web_status_text {
	int code;
	const char *text;
};

static const struct web_status_text web_statuses[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 301, "Moved Permanently" },
	{ 304, "Not Modified" }, { 308, "Permanent Redirect" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 409, "Conflict" }, { 413, "Payload Too Large" },
	{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 421, "Misdirected Request" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 503, "Service Unavailable" }, { 505, "HTTP Version Not Supported" },
	{ 507, "Insufficient Storage" },
};

static const char *
status_text(int code)
{
	size_t i;

	for (i = 0; i < sizeof(web_statuses) / sizeof(web_statuses[0]); i++)
		if (web_statuses[i].code == code)
			return web_statuses[i].text;
	return "Unknown";
}

void
web_http_send(struct mg_connection *c, int status, const char *mime,
    const char *extra, const void *body, size_t len)
{
	char head[1024];
	char *buf;
	int n;

	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\n%s%s%s%s"
	    WEB_COMMON_HEADERS
	    "Content-Length: %zu\r\n%s\r\n", status, status_text(status),
	    mime ? "Content-Type: " : "", mime ? mime : "", mime ? "\r\n" : "",
	    extra ? extra : "", len,
	    status == 304 || (extra && strstr(extra, "Cache-Control")) ?
	    "" : "Cache-Control: no-store\r\n");
	if (n < 0 || (size_t)n >= sizeof(head)) {
		log_warnx("reply header too long for status %d", status);
		return;
	}
	buf = malloc((size_t)n + len);
	if (buf == NULL) {
		/* Two writes are slower but still correct. */
		mg_write(c, head, (size_t)n);
		if (len)
			mg_write(c, body, len);
		return;
	}
	memcpy(buf, head, (size_t)n);
	if (len)
		memcpy(buf + n, body, len);
	mg_write(c, buf, (size_t)n + len);
	free(buf);
}

void
web_http_json(struct mg_connection *c, int status, json_t *v,
    const char *extra)
{
	char *text;

	text = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (text == NULL) {
		static const char oom[] = "{\"error\":\"out of memory\"}";

		web_http_send(c, 500, "application/json", extra, oom,
		    sizeof(oom) - 1);
		return;
	}
	web_http_send(c, status, "application/json", extra, text,
	    strlen(text));
	free(text);
}

void
web_http_error(struct mg_connection *c, int status, const char *msg,
    const char *field)
{
	json_t *v;

	v = json_pack("{s:s}", "error", msg);
	if (v != NULL && field != NULL)
		json_object_set_new(v, "field", json_string(field));
	web_http_json(c, status, v,
	    status == 413 ? "Connection: close\r\n" : NULL);
}

int
web_http_error_page(struct mg_connection *c, int status, const char *msg)
{
	/*
	 * Ours rather than civetweb's: the same JSON and headers as every
	 * other answer, and civetweb's page calls gmtime, which is not
	 * thread-safe when workers answer errors at once.
	 */
	web_http_json(c, status, json_pack("{s:s}", "error", msg ? msg :
	    "bad request"), "Connection: close\r\n");
	return 0;
}

int
web_http_body(struct mg_connection *c, char **out, size_t *len)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	size_t cap = (size_t)web_of(c)->limits.max_body, have = 0;
	char *buf;
	int n;

	*out = NULL;
	*len = 0;
	/* A declared length over the cap is refused before reading. */
	if (ri->content_length > (long long)cap)
		return -EFBIG;
	buf = malloc(cap + 2);
	if (buf == NULL)
		return -ENOMEM;
	/* One byte more than the cap tells a chunked body that is too big. */
	while (have <= cap) {
		n = mg_read(c, buf + have, cap + 1 - have);
		if (n < 0) {
			free(buf);
			return -EIO;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have > cap) {
		free(buf);
		return -EFBIG;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return 0;
}

static const struct web_asset *
asset_find(const char *path)
{
	const struct web_asset *a;

	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
		path = "/index.html";
	for (a = web_assets; a->path != NULL; a++)
		if (strcmp(a->path, path) == 0)
			return a;
	return NULL;
}

int
web_http_static(struct mg_connection *c, void *arg)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const struct web_asset *a;
	const char *inm;
	char extra[256];
	bool head;

	(void)arg;
	head = strcmp(ri->request_method, "HEAD") == 0;
	if (!head && strcmp(ri->request_method, "GET") != 0) {
		web_http_error(c, 405, "method not allowed", NULL);
		return 405;
	}
	a = asset_find(ri->local_uri ? ri->local_uri : "/");
	if (a == NULL) {
		web_http_error(c, 404, "not found", NULL);
		return 404;
	}
	/* no-cache: the browser revalidates, so an upgrade shows at once. */
	snprintf(extra, sizeof(extra), "ETag: %s\r\nCache-Control: no-cache\r\n"
	    "%s", a->etag, strcmp(a->path, "/index.html") == 0 ? WEB_CSP : "");
	inm = mg_get_header(c, "If-None-Match");
	if (inm != NULL && strcmp(inm, a->etag) == 0) {
		web_http_send(c, 304, NULL, extra, NULL, 0);
		return 304;
	}
	if (head) {
		char h[512];
		int n;

		n = snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Type: "
		    "%s\r\n%s" WEB_COMMON_HEADERS "Content-Length: %zu\r\n\r\n",
		    a->mime, extra, a->len);
		if (n > 0 && (size_t)n < sizeof(h))
			mg_write(c, h, (size_t)n);
		return 200;
	}
	web_http_send(c, 200, a->mime, extra, a->data, a->len);
	return 200;
}

bool
web_http_token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff;

	if (la != lb || la == 0)
		return false;
	diff = 0;
	for (i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

bool
web_http_is_json(const char *ct)
{
	static const char json[] = "application/json";

	if (ct == NULL || strncasecmp(ct, json, sizeof(json) - 1) != 0)
		return false;
	ct += sizeof(json) - 1;
	ct += strspn(ct, " \t");
	return *ct == '\0' || *ct == ';';
}
