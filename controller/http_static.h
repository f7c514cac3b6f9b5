/* The web console's assets: GET /static/NAME serves the file NAME of
 * http_root (http_config.h), the script and the style sheet of web/.
 * Only plain names are served (no directory, nothing hidden), of the
 * types listed in http_static.c, with a Cache-Control for a day. */
#ifndef LAMON_HTTP_STATIC_H
#define LAMON_HTTP_STATIC_H

#include <stdbool.h>

#include "http_route.h"

#define ASSET_NAME_MAX 64
#define ASSET_SIZE_MAX (1024 * 1024)

/* NAME is 1..ASSET_NAME_MAX characters of [a-z0-9._-], not starting with
 * a dot and without "..": a file directly in http_root, never above it. */
bool asset_name_ok(const char *name);

/* The Content-Type for NAME by its extension, NULL for a type not served. */
const char *asset_type(const char *name);

/* The asset's modification time (0 when it cannot be read): pages name
 * /static/NAME?v=STAMP, so that a changed file is fetched again at once. */
long asset_stamp(const struct http_ctx *ctx, const char *name);

/* GET /static/NAME: 200 with the file, 404 for a name refused, unknown,
 * missing, or no regular file. */
void http_static_get(struct http_ctx *ctx);

#endif
