/* The bodies of the console's big reads (the overview, /api/v1/nodes,
 * /api/v1/services), kept for HTTP_CACHE_MS.  Fifty browsers refreshing
 * the overview of 1,000 nodes every second would otherwise render it fifty
 * times a second in the poll loop (bench/web_bench.sh); within the window
 * they share one rendering, at most HTTP_CACHE_MS old. */
#ifndef LAMON_HTTP_CACHE_H
#define LAMON_HTTP_CACHE_H

#include <stdbool.h>

#include <event2/buffer.h>

#define HTTP_CACHE_MS 250
#define HTTP_CACHE_SLOTS 8
#define HTTP_CACHE_MAX_BYTES (8 * 1024 * 1024)   /* a body bigger than this is not kept */

/* A copy of the fresh body kept for URI (path and query), with its content
 * type, into BODY.  False when there is none. */
bool http_cache_get(const char *uri, struct evbuffer *body, char *type, size_t typelen);

/* Keeps a copy of BODY (left as it is) for URI. */
void http_cache_put(const char *uri, const char *type, struct evbuffer *body);

/* Answers served from a copy, and bodies kept (for /metrics). */
unsigned long long http_cache_hits(void);
unsigned long long http_cache_stores(void);

/* Forgets everything (a reload; the end). */
void http_cache_clear(void);

#endif
