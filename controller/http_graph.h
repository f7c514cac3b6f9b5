/* The web console's graphs (http_graph_routes, http_route.h):
 *
 *   GET /graph/node/NAME/load|cpu|mem|conns
 *   GET /graph/app/NODE/APP/conns
 *   GET /graph/service/NAME/nodes|conns
 *       ?period=hour|day|week|month   (default day)
 *
 * 200 image/png, drawn from the RRDs of `rrddir` (rrd/README.md) as
 * rrd/lamon-graph draws them (graph_defs.h); 404 with no rrddir or no
 * such RRD; 400 for a bad period or kind; 503 (Retry-After) when the
 * queue below is full or a drawing took over GRAPH_TIMEOUT_S.
 *
 * Each graph is drawn by a child process (graph_child.h says why), never
 * in the poll loop, at most GRAPH_MAX_CHILDREN at once.  A drawn graph is
 * kept for graph_period_ttl() (one RRD step for an hour, more for longer
 * periods), and requests for a graph being drawn wait for that one child:
 * many browsers showing the same page fork one child per graph and step,
 * not one each.  A request for another graph when every child is busy
 * gets an older drawing of it if there is one (max-age=0), else waits
 * in one FIFO queue of GRAPH_QUEUE_MAX requests, started as children
 * finish (a page asks for 5 or more graphs at once; a 503 would leave
 * them broken); a queued request whose graph another child draws
 * meanwhile is answered from that drawing.
 *
 * Clients that go away: evhttp (libevent 2.1) does not read a connection
 * while its request is pending, so neither it nor we hear of a client
 * that closed its end.  A drawing's waiting requests are answered when it
 * ends (within GRAPH_TIMEOUT_S), into the closed connection, which evhttp
 * then frees; a queued request whose turn comes is checked first (its
 * socket reads end-of-file) and answered at once without a drawing
 * ("gone" in the stats).  Every waiting request is unhooked from its
 * connection's close callback before it is answered; that callback only
 * forgets a request that evhttp is about to free with its connection. */
#ifndef LAMON_HTTP_GRAPH_H
#define LAMON_HTTP_GRAPH_H

#define GRAPH_MAX_CHILDREN 4         /* drawing at once; more wait */
#define GRAPH_TIMEOUT_S 10           /* a child is killed after this */
#define GRAPH_CACHE_MAX 256          /* graphs kept (a PNG is ~20-40 KB) */
#define GRAPH_WAITERS_MAX 64         /* requests waiting for one drawing */
#define GRAPH_QUEUE_MAX 64           /* requests waiting for a free child */

/* Drops the cache and every waiting and queued request (not answered),
 * kills and reaps the children.  Before evhttp_free(), which frees the requests. */
void http_graph_free(void);

#endif
