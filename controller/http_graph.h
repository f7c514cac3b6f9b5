/* The web console's graphs (http_graph_routes, http_route.h):
 *
 *   GET /graph/node/NAME/load|cpu|mem|conns
 *   GET /graph/app/NODE/APP/conns
 *   GET /graph/service/NAME/nodes|conns
 *       ?period=hour|day|week|month   (default day)
 *
 * 200 image/png, drawn from the RRDs of `rrddir` (rrd/README.md) as
 * rrd/lamon-graph draws them (graph_defs.h); 404 with no rrddir or no
 * such RRD; 400 for a bad period or kind; 503 when GRAPH_MAX_CHILDREN
 * graphs are being drawn already or a drawing took over GRAPH_TIMEOUT_S.
 *
 * Each graph is drawn by a child process (graph_child.h says why), never
 * in the poll loop.  A drawn graph is kept for graph_period_ttl() (one
 * RRD step for an hour, more for longer periods), and requests for a
 * graph being drawn wait for that one child: many browsers showing the
 * same page fork one child per graph and step, not one each.  A waiting
 * request whose client goes away is dropped (its connection's close
 * callback), never answered after libevent freed it. */
#ifndef LAMON_HTTP_GRAPH_H
#define LAMON_HTTP_GRAPH_H

#define GRAPH_MAX_CHILDREN 4         /* drawing at once; more -> 503 */
#define GRAPH_TIMEOUT_S 10           /* a child is killed after this */
#define GRAPH_CACHE_MAX 256          /* graphs kept (a PNG is ~20-40 KB) */
#define GRAPH_WAITERS_MAX 64         /* requests waiting for one drawing */

/* Drops the cache and every waiting request (not answered), kills and
 * reaps the children.  Before evhttp_free(), which frees the requests. */
void http_graph_free(void);

#endif
