/* SPDX-License-Identifier: MIT */
/*
 * The web page's files, embedded at build time by cmake/web_embed.cmake
 * (a generated C file in the build folder), served from memory.
 */
#ifndef CONVERGD_WEB_ASSETS_H
#define CONVERGD_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;	/* "/app.js" */
	const char *mime;
	const char *etag;	/* quoted MD5 of the content */
	const unsigned char *data;
	size_t len;
};

/* Terminated by a row with path NULL. */
extern const struct web_asset web_assets[];

#endif
