/* The web console's HTTP server (evhttp) in the controller's own libevent
 * loop: the same views as lamonctl, pages, graphs, operations and
 * /metrics.  No "http" line: no server.
 *
 * Every request is bounded before a handler sees it: headers (size and
 * count), body size, URL length, and a read timeout; what is over gets 413
 * or 400 and the loop carries on.  A request is routed by method and path
 * (http_route.h) to the handler of one module: http_api.c (JSON reads),
 * http_auth.c (login, sessions, CSRF), http_ops.c (operations),
 * metrics.c (/metrics), http_pages.c (pages, assets, graphs). */
#ifndef LAMON_HTTP_SERVER_H
#define LAMON_HTTP_SERVER_H

#include <event2/event.h>

#include "cluster.h"
#include "http_limits.h"

struct http_server;

/* Starts serving CL's configuration's "http" address (nothing when there
 * is none).  Returns NULL with the reason in err, or a server (idle when
 * not configured). */
struct http_server *http_server_new(struct event_base *base, struct cluster *cl, char *err, size_t errlen);

/* After a reload: rebinds when the address changed, rereads the users
 * file and the certificate.  -1 with the reason in err (the old state is
 * kept where it could not be replaced). */
int http_server_apply(struct http_server *hs, char *err, size_t errlen);

void http_server_free(struct http_server *hs);

#endif
