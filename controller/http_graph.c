/* The web console's graphs (see http_graph.h): request checks, the cache,
 * the requests waiting for a drawing, answers. */
#include "http_graph.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <event2/bufferevent.h>
#include <event2/http.h>

#include "graph_child.h"
#include "graph_defs.h"
#include "graph_stats.h"
#include "http_route.h"
#include "log_limit.h"
#include "mono_ms.h"
#include "rrd_writer.h"

#define KEY_LEN 640
#define LOG_EVERY_S 10

struct cached {
    char key[KEY_LEN];               /* "" for a free entry */
    struct timespec drawn;
    unsigned ttl_s;
    unsigned char *png;
    size_t len;
};

struct drawing;

struct waiter {
    TAILQ_ENTRY(waiter) link;
    struct evhttp_request *req;
    struct drawing *d;
};
TAILQ_HEAD(waiters, waiter);

/* A graph being drawn, and the requests waiting for it. */
struct drawing {
    LIST_ENTRY(drawing) link;
    char key[KEY_LEN];
    unsigned ttl_s;
    struct graph_child *gc;
    struct waiters waiters;
    size_t nwaiters;
};

static struct cached cache[GRAPH_CACHE_MAX];
static LIST_HEAD(drawing_list, drawing) drawings = LIST_HEAD_INITIALIZER(drawings);
static struct log_limit fail_log;

/* --- the cache ------------------------------------------------------- */

static struct cached *cache_find(const char *key)
{
    for (size_t i = 0; i < GRAPH_CACHE_MAX; i++)
        if (cache[i].key[0] && strcmp(cache[i].key, key) == 0)
            return &cache[i];
    return NULL;
}

static bool fresh(const struct cached *c) { return ms_since(&c->drawn) < (long)c->ttl_s * 1000; }

/* Keeps PNG under KEY: in its old entry, a free one, or the oldest's. */
static void cache_put(const char *key, unsigned ttl_s, struct evbuffer *png)
{
    size_t len = evbuffer_get_length(png);
    unsigned char *copy = malloc(len);
    if (!copy)
        return;
    evbuffer_copyout(png, copy, len);
    struct cached *c = cache_find(key);
    if (!c) {
        struct cached *oldest = &cache[0];
        for (size_t i = 0; !c && i < GRAPH_CACHE_MAX; i++) {
            if (!cache[i].key[0])
                c = &cache[i];
            else if (ms_since(&cache[i].drawn) > ms_since(&oldest->drawn))
                oldest = &cache[i];
        }
        if (!c)
            c = oldest;
    }
    free(c->png);
    snprintf(c->key, sizeof c->key, "%s", key);
    clock_gettime(CLOCK_MONOTONIC, &c->drawn);
    c->ttl_s = ttl_s;
    c->png = copy;
    c->len = len;
}

/* --- answers ----------------------------------------------------------- */

static void reply_png(struct evhttp_request *req, const unsigned char *png, size_t len, long max_age_s)
{
    struct http_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.req = req;
    char cc[48];
    snprintf(cc, sizeof cc, "max-age=%ld", max_age_s > 0 ? max_age_s : 0);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", cc);
    struct evbuffer *b = evbuffer_new();
    if (!b || evbuffer_add(b, png, len) < 0) {
        if (b)
            evbuffer_free(b);
        http_reply_error(&ctx, 503, "out of memory");
        return;
    }
    http_reply(&ctx, 200, "image/png", b);
    evbuffer_free(b);
}

static void reply_error(struct evhttp_request *req, int code, const char *msg)
{
    struct http_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.req = req;
    if (code == 503)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "2");
    http_reply_error(&ctx, code, msg);
}

static void reply_cached(struct evhttp_request *req, const struct cached *c)
{
    reply_png(req, c->png, c->len, (long)c->ttl_s - ms_since(&c->drawn) / 1000);
}

/* --- waiting requests ---------------------------------------------------- */

/* What a request wants drawn. */
struct want {
    enum rrd_kind type;
    enum graph_period period;
    char kind[8];
    char shown[HTTP_SEG_LEN * 2 + 2];  /* NAME or NODE-APP, the title */
    char key[KEY_LEN];
    char *path;                      /* the RRD, owned */
};

/* A request waiting for a free child, in the order they came. */
struct queued {
    TAILQ_ENTRY(queued) link;
    struct evhttp_request *req;
    struct event_base *base;
    struct cluster *cl;
    struct want w;
};
static TAILQ_HEAD(queue, queued) queue = TAILQ_HEAD_INITIALIZER(queue);
static size_t nqueued;

static void waiter_drop(struct waiter *w)
{
    TAILQ_REMOVE(&w->d->waiters, w, link);
    w->d->nwaiters--;
    free(w);
}

/* evhttp frees the connection of a waiting request, and the request
 * with it, right after this.  With libevent 2.1 that happens only in
 * evhttp_free() (http_graph_free() comes first): a client that leaves is
 * not noticed while its request is pending, since evhttp does not read
 * the connection then.  A safety net, so that no freed request is ever
 * answered. */
static void on_waiter_conn_freed(struct evhttp_connection *con, void *arg)
{
    (void)con;
    waiter_drop(arg);
}

static void queued_drop(struct queued *q)
{
    TAILQ_REMOVE(&queue, q, link);
    nqueued--;
    free(q->w.path);
    free(q);
}

static void on_queued_conn_freed(struct evhttp_connection *con, void *arg)
{
    (void)con;
    queued_drop(arg);
}

/* Takes REQ off its connection's close callback, for answering. */
static struct evhttp_request *unhook(struct evhttp_request *req)
{
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    if (con)
        evhttp_connection_set_closecb(con, NULL, NULL);
    return req;
}

/* Takes W's request out of the waiting list for answering. */
static struct evhttp_request *waiter_take(struct waiter *w)
{
    struct evhttp_request *req = unhook(w->req);
    waiter_drop(w);
    return req;
}

static bool wait_for(struct drawing *d, struct evhttp_request *req)
{
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    struct waiter *w = con && d->nwaiters < GRAPH_WAITERS_MAX ? calloc(1, sizeof *w) : NULL;
    if (!w)
        return false;
    w->req = req;
    w->d = d;
    TAILQ_INSERT_TAIL(&d->waiters, w, link);
    d->nwaiters++;
    evhttp_connection_set_closecb(con, on_waiter_conn_freed, w);
    return true;
}

/* Whether the client of REQ has closed its connection (or reset it):
 * evhttp does not read a connection while its request is pending, so
 * the socket is asked directly.  Pipelined bytes, or none yet: still
 * there. */
static bool client_left(struct evhttp_request *req)
{
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    struct bufferevent *bev = con ? evhttp_connection_get_bufferevent(con) : NULL;
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    if (fd < 0)
        return false;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static struct drawing *drawing_find(const char *key)
{
    for (struct drawing *d = LIST_FIRST(&drawings); d; d = LIST_NEXT(d, link))
        if (strcmp(d->key, key) == 0)
            return d;
    return NULL;
}

static void drawing_free(struct drawing *d)
{
    LIST_REMOVE(d, link);
    free(d);
}

static void drain(void);

static void on_drawn(enum graph_outcome r, struct evbuffer *png, const char *err, void *arg)
{
    struct drawing *d = arg;
    d->gc = NULL;                    /* it frees itself */
    struct cached *c = NULL;
    if (r == GRAPH_OK) {
        cache_put(d->key, d->ttl_s, png);
        c = cache_find(d->key);
    } else if (r == GRAPH_TIMEOUT) {
        graph_stats.timeouts++;
        log_limited(&fail_log, LOG_EVERY_S, "web console", "graph %s: %s", d->key, err);
    } else {
        graph_stats.failed++;
        log_limited(&fail_log, LOG_EVERY_S, "web console", "graph %s: %s", d->key, err);
    }
    char msg[320];
    snprintf(msg, sizeof msg, "cannot draw the graph: %s", err ? err : "?");
    struct waiter *w;
    while ((w = TAILQ_FIRST(&d->waiters))) {
        struct evhttp_request *req = waiter_take(w);
        if (c && c->png)
            reply_cached(req, c);
        else if (r == GRAPH_OK)      /* the cache had no memory for it */
            reply_error(req, 503, "out of memory");
        else
            reply_error(req, r == GRAPH_TIMEOUT ? 503 : 500, msg);
    }
    /* Queued requests for the same graph need no child of their own. */
    struct queued *q, *next;
    for (q = TAILQ_FIRST(&queue); c && c->png && q; q = next) {
        next = TAILQ_NEXT(q, link);
        if (strcmp(q->w.key, d->key) == 0) {
            graph_stats.shared++;
            reply_cached(unhook(q->req), c);
            queued_drop(q);
        }
    }
    drawing_free(d);
}

/* Starts drawing W for REQ, which waits for it (or is answered now when
 * that fails). */
static void start_drawing(struct evhttp_request *req, struct event_base *base, const struct ctl_config *cfg,
                          const struct want *w)
{
    char msg[320];
    struct graph_argv *g = malloc(sizeof *g);
    struct drawing *d = calloc(1, sizeof *d);
    unsigned step = cfg->interval_ms / 1000 ? cfg->interval_ms / 1000 : 1;
    if (!g || !d || graph_build(g, w->type, w->kind, w->period, w->path, w->shown) < 0) {
        reply_error(req, g && d ? 500 : 503, g && d ? "cannot build the graph (path too long?)" : "out of memory");
        goto out;
    }
    snprintf(d->key, sizeof d->key, "%s", w->key);
    d->ttl_s = graph_period_ttl(w->period, step);
    TAILQ_INIT(&d->waiters);
    graph_child_on_free(drain);
    d->gc = graph_child_start(base, g, cfg->rrdcached, w->path, GRAPH_TIMEOUT_S, on_drawn, d, msg, sizeof msg);
    if (!d->gc) {
        graph_stats.failed++;
        log_limited(&fail_log, LOG_EVERY_S, "web console", "graph %s: %s", w->key, msg);
        reply_error(req, 503, msg);
        goto out;
    }
    LIST_INSERT_HEAD(&drawings, d, link);
    if (!wait_for(d, req))           /* drawn for the cache all the same */
        reply_error(req, 503, "out of memory");
    d = NULL;
out:
    free(d);
    free(g);
}

/* Answers REQ for W from the cache or a drawing under way, or starts
 * W's drawing when a child is free (and, for a NEW request, none is
 * queued before it).  False when it did none of these: REQ is still the
 * caller's. */
static bool serve(struct evhttp_request *req, struct event_base *base, const struct ctl_config *cfg,
                  const struct want *w, bool new)
{
    struct cached *c = cache_find(w->key);
    if (c && fresh(c)) {
        graph_stats.cached++;
        reply_cached(req, c);
        return true;
    }
    struct drawing *d = drawing_find(w->key);
    if (d) {
        if (wait_for(d, req)) {
            graph_stats.shared++;
        } else {
            graph_stats.busy++;
            reply_error(req, 503, "too many requests are waiting for this graph");
        }
        return true;
    }
    if (graph_child_running() >= GRAPH_MAX_CHILDREN || (new && !TAILQ_EMPTY(&queue)))
        return false;
    start_drawing(req, base, cfg, w);
    return true;
}

/* Queues REQ for W (taking W's path); false when the queue is full. */
static bool enqueue(struct evhttp_request *req, struct event_base *base, struct cluster *cl, struct want *w)
{
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    struct queued *q = con && nqueued < GRAPH_QUEUE_MAX ? calloc(1, sizeof *q) : NULL;
    if (!q)
        return false;
    q->req = req;
    q->base = base;
    q->cl = cl;
    q->w = *w;
    w->path = NULL;
    TAILQ_INSERT_TAIL(&queue, q, link);
    nqueued++;
    graph_stats.queued++;
    evhttp_connection_set_closecb(con, on_queued_conn_freed, q);
    return true;
}

/* Starts queued requests while children are free, oldest first
 * (graph_child_on_free). */
static void drain(void)
{
    struct queued *q;
    /* Each turn takes one off the queue. */
    while ((q = TAILQ_FIRST(&queue)) && graph_child_running() < GRAPH_MAX_CHILDREN) {
        struct evhttp_request *req = unhook(q->req);
        TAILQ_REMOVE(&queue, q, link);
        nqueued--;
        if (client_left(req)) {
            /* Not drawn for nobody.  The answer goes into the closed
             * connection; evhttp frees it when that fails. */
            graph_stats.gone++;
            reply_error(req, 503, "the client went away");
        } else {
            serve(req, q->base, q->cl->cfg, &q->w, false);
        }
        free(q->w.path);
        free(q);
    }
}

/* --- requests ------------------------------------------------------------ */

/* Names are those of the configuration and the agents: letters, digits,
 * '.', '_', '-' (rrd/README.md); anything else has no RRD. */
static bool plain_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static void graph(struct http_ctx *ctx, enum rrd_kind type, const char *name, const char *app, const char *kind)
{
    static const char *const types[] = { [RRD_NODE] = "node", [RRD_APP] = "application", [RRD_SERVICE] = "service" };
    static const char *const kinds[] = { [RRD_NODE] = "load, cpu, mem, conns", [RRD_APP] = "conns",
                                         [RRD_SERVICE] = "nodes, conns" };
    const struct ctl_config *cfg = ctx->cl->cfg;
    char msg[640];
    graph_stats.requests++;
    char pv[16];
    struct want w;
    memset(&w, 0, sizeof w);
    w.type = type;
    w.period = GP_DAY;
    if (http_query_param(ctx, "period", pv, sizeof pv) ? !graph_period_parse(pv, &w.period)
                                                         : ctx->query && strstr(ctx->query, "period=")) {
        http_reply_error(ctx, 400, "period is hour, day, week or month");
        return;
    }
    if (!graph_kind_valid(type, kind)) {
        snprintf(msg, sizeof msg, "no such graph of a %s: %s (there are %s)", types[type], kind, kinds[type]);
        http_reply_error(ctx, 400, msg);
        return;
    }
    snprintf(w.kind, sizeof w.kind, "%s", kind);
    if (!cfg->rrddir[0]) {
        http_reply_error(ctx, 404, "no graphs: the controller has no rrddir (lamon-controller.conf)");
        return;
    }
    snprintf(w.shown, sizeof w.shown, "%s%s%s", name, app ? "-" : "", app ? app : "");
    if (!plain_name(name) || (app && !plain_name(app))) {
        http_reply_error(ctx, 404, "no such name: names hold letters, digits, '.', '_' and '-'");
        return;
    }
    w.path = rrd_file_path(cfg->rrddir, type, name, app);
    if (!w.path) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    /* By construction DIR/BASENAME, with no '/' in BASENAME: inside rrddir. */
    size_t dl = strlen(cfg->rrddir);
    struct stat sb;
    bool inside = strncmp(w.path, cfg->rrddir, dl) == 0 && w.path[dl] == '/' && !strchr(w.path + dl + 1, '/');
    if (!inside || stat(w.path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(msg, sizeof msg, "no graph data for %s %s (no %s in rrddir)", types[type], w.shown,
                 inside ? w.path + dl + 1 : "file");
        http_reply_error(ctx, 404, msg);
        free(w.path);
        return;
    }
    snprintf(w.key, sizeof w.key, "%s/%s/%s/%s", types[type], w.shown, kind, graph_period_name(w.period));
    struct event_base *base = evhttp_connection_get_base(evhttp_request_get_connection(ctx->req));
    if (!serve(ctx->req, base, cfg, &w, true)) {
        struct cached *c = cache_find(w.key);
        if (c) {
            graph_stats.stale++;      /* an older drawing beats waiting */
            reply_png(ctx->req, c->png, c->len, 0);
        } else if (!enqueue(ctx->req, base, ctx->cl, &w)) {
            graph_stats.busy++;
            reply_error(ctx->req, 503, "too many graphs are being drawn and waiting; try again");
        }
    }
    free(w.path);
}

static void get_node_graph(struct http_ctx *ctx) { graph(ctx, RRD_NODE, ctx->seg[2], NULL, ctx->seg[3]); }
static void get_app_graph(struct http_ctx *ctx) { graph(ctx, RRD_APP, ctx->seg[2], ctx->seg[3], ctx->seg[4]); }
static void get_service_graph(struct http_ctx *ctx) { graph(ctx, RRD_SERVICE, ctx->seg[2], NULL, ctx->seg[3]); }

const struct http_route http_graph_routes[] = {
    { EVHTTP_REQ_GET, "/graph/node/*/*", get_node_graph, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/graph/app/*/*/*", get_app_graph, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/graph/service/*/*", get_service_graph, HTTP_OPEN, false },
    { 0, NULL, NULL, 0, false },
};

void http_graph_free(void)
{
    /* Not answered: evhttp_free() frees the requests. */
    struct queued *q;
    while ((q = TAILQ_FIRST(&queue))) {
        unhook(q->req);
        queued_drop(q);
    }
    struct drawing *d;
    while ((d = LIST_FIRST(&drawings))) {
        if (d->gc)
            graph_child_cancel(d->gc);
        struct waiter *w;
        while ((w = TAILQ_FIRST(&d->waiters)))
            waiter_take(w);
        drawing_free(d);
    }
    graph_child_shutdown();
    for (size_t i = 0; i < GRAPH_CACHE_MAX; i++) {
        free(cache[i].png);
        cache[i].png = NULL;
        cache[i].key[0] = '\0';
    }
}
