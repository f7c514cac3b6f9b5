/* How a web request reaches its handler (http_server.h).  Each module
 * (http_api.c, http_auth.c, http_ops.c, metrics.c, http_pages.c) exports a
 * table of routes ending with a NULL pattern; http_server.c tries them in
 * order.  A pattern is a path whose "*" segments match any one segment,
 * and a trailing "**" any rest (http_path.h).  The path's segments,
 * URL-decoded, are in ctx->seg. */
#ifndef LAMON_HTTP_ROUTE_H
#define LAMON_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "cluster.h"
#include "http_path.h"

struct http_server;

struct http_ctx {
    struct evhttp_request *req;
    struct http_server *srv;
    struct cluster *cl;
    char seg[HTTP_SEG_MAX][HTTP_SEG_LEN];  /* every segment of the path, decoded */
    size_t nseg;
    const char *query;                     /* raw query string, NULL for none */
    bool tls;                              /* the connection is TLS */
    char user[64];                         /* the session's user, "" for none */
    bool cache_store;                      /* a 200 answer is kept (http_cache.h) */
};

typedef void (*http_handler)(struct http_ctx *ctx);

enum http_access {
    HTTP_OPEN,                       /* reads: anyone who can reach the server */
    HTTP_SESSION,                    /* POST: a session and its CSRF token */
    HTTP_LOGIN,                      /* the login itself: rate-limited, no session */
};

struct http_route {
    enum evhttp_cmd_type method;     /* EVHTTP_REQ_GET (also HEAD) or EVHTTP_REQ_POST */
    const char *pattern;
    http_handler fn;
    enum http_access access;
    bool cached;                     /* a big read shared for HTTP_CACHE_MS (http_cache.h) */
};

/* The route tables, each ending with { 0, NULL, NULL, 0, false }. */
extern const struct http_route http_api_routes[];
extern const struct http_route http_pages_routes[];
extern const struct http_route http_auth_routes[];
extern const struct http_route http_ops_routes[];
extern const struct http_route http_graph_routes[];
extern const struct http_route metrics_routes[];

/* Answers CODE with BODY (may be NULL) of content type TYPE; BODY is
 * drained.  Adds the headers every answer has (no-store for JSON, nosniff,
 * frame-ancestors none). */
void http_reply(struct http_ctx *ctx, int code, const char *type, struct evbuffer *body);
/* {"error": MSG} with CODE. */
void http_reply_error(struct http_ctx *ctx, int code, const char *msg);

/* The value of query parameter NAME into buf ("" and false when absent). */
bool http_query_param(const struct http_ctx *ctx, const char *name, char *buf, size_t len);

#endif
