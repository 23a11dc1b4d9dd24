/* SPDX-License-Identifier: MIT */
/*
 * Which Host an API request may name. A page on another site whose name
 * an attacker re-points at the unit (DNS rebinding) is same-origin to the
 * browser, so cookies and CORS do not stop it; its requests still carry
 * the attacker's name in Host. The API therefore answers only a Host that
 * is an IP literal, "localhost", one of the unit's own names (label,
 * NetBIOS name, either with the unit's domain) or a name listed in
 * [web] allowed_hosts.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web/web_int.h"

#define HOST_NAME_MAX_LEN 255

/*
 * The name part of a Host value ("name", "name:port", "[v6]:port") into
 * `out`, without the port and a final dot; -EINVAL if it is malformed.
 * *v6 says it was a bracketed literal.
 */
int
web_host_name(const char *host, char *out, size_t len, bool *v6)
{
	const char *end, *port;
	size_t n;

	*v6 = host[0] == '[';
	if (*v6) {
		end = strchr(host, ']');
		if (end == NULL)
			return -EINVAL;
		host++;
		port = end + 1;
	} else {
		end = strchr(host, ':');
		if (end == NULL)
			end = host + strlen(host);
		port = end;
	}
	if (*port == ':') {
		port++;
		if (*port == '\0' || strlen(port) > 5 ||
		    strspn(port, "0123456789") != strlen(port))
			return -EINVAL;
	} else if (*port != '\0') {
		return -EINVAL;
	}
	n = (size_t)(end - host);
	if (n > 0 && !*v6 && host[n - 1] == '.')
		n--;	/* "unit." is the fully qualified "unit" */
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(out, host, n);
	out[n] = '\0';
	return 0;
}

/* `name` is `own`, or `own` + "." + `domain`, ignoring case. */
static bool
host_is_own(const char *name, const char *own, const char *domain)
{
	size_t n = strlen(own);

	if (n == 0 || strncasecmp(name, own, n) != 0)
		return false;
	if (name[n] == '\0')
		return true;
	return domain[0] != '\0' && name[n] == '.' &&
	    strcasecmp(name + n + 1, domain) == 0;
}

/* `name` is one of the comma- or space-separated names of `list`. */
static bool
host_in_list(const char *name, const char *list)
{
	size_t n = strlen(name), len;

	while (*list != '\0') {
		list += strspn(list, ", \t");
		len = strcspn(list, ", \t");
		if (len == n && strncasecmp(list, name, n) == 0)
			return true;
		list += len;
	}
	return false;
}

static bool
host_is_unit(const char *name)
{
	char label[64], netbios[64], domain[128];

	if (state_setting_get(SET_UNIT_LABEL, label, sizeof(label)) < 0)
		label[0] = '\0';
	if (state_setting_get(SET_NETBIOS_NAME, netbios, sizeof(netbios)) < 0)
		netbios[0] = '\0';
	if (state_setting_get(SET_NET_DOMAIN, domain, sizeof(domain)) < 0)
		domain[0] = '\0';
	return host_is_own(name, label, domain) ||
	    host_is_own(name, netbios, domain);
}

int
web_host_check(const struct web *w, const char *host, char *why,
    size_t whylen)
{
	char name[HOST_NAME_MAX_LEN + 1];
	unsigned char addr[16];
	bool v6;

	if (host == NULL) {
		snprintf(why, whylen, "a Host header is required");
		return -EPERM;
	}
	if (web_host_name(host, name, sizeof(name), &v6) < 0) {
		snprintf(why, whylen, "malformed Host header");
		return -EPERM;
	}
	if (v6 ? inet_pton(AF_INET6, name, addr) == 1 :
	    inet_pton(AF_INET, name, addr) == 1)
		return 0;
	if (!v6 && (strcasecmp(name, "localhost") == 0 || host_is_unit(name) ||
	    host_in_list(name, w->allowed_hosts)))
		return 0;
	snprintf(why, whylen, "Host '%.64s' is not an address or a name of "
	    "this unit (add it to [web] allowed_hosts)", name);
	return -EPERM;
}
