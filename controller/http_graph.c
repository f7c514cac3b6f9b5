/* The web console's graphs (see http_graph.h): request checks, the cache,
 * the requests waiting for a drawing, answers. */
#include "http_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>

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

static void waiter_drop(struct waiter *w)
{
    TAILQ_REMOVE(&w->d->waiters, w, link);
    w->d->nwaiters--;
    free(w);
}

/* The client of a waiting request went away (or the server is freeing
 * the connection).  A request that evhttp detached from its connection
 * (the client closed it, or it timed out) is ours to free; one still on
 * its connection is freed with it by evhttp. */
static void on_client_gone(struct evhttp_connection *con, void *arg)
{
    (void)con;
    struct waiter *w = arg;
    graph_stats.gone++;
    if (!evhttp_request_get_connection(w->req))
        evhttp_request_free(w->req);
    waiter_drop(w);
}

/* Takes W's request out of the waiting list for answering. */
static struct evhttp_request *waiter_take(struct waiter *w)
{
    struct evhttp_request *req = w->req;
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    if (con)
        evhttp_connection_set_closecb(con, NULL, NULL);
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
    evhttp_connection_set_closecb(con, on_client_gone, w);
    return true;
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
    drawing_free(d);
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
    enum graph_period period = GP_DAY;
    if (http_query_param(ctx, "period", pv, sizeof pv) ? !graph_period_parse(pv, &period)
                                                         : ctx->query && strstr(ctx->query, "period=")) {
        http_reply_error(ctx, 400, "period is hour, day, week or month");
        return;
    }
    if (!graph_kind_valid(type, kind)) {
        snprintf(msg, sizeof msg, "no such graph of a %s: %s (there are %s)", types[type], kind, kinds[type]);
        http_reply_error(ctx, 400, msg);
        return;
    }
    if (!cfg->rrddir[0]) {
        http_reply_error(ctx, 404, "no graphs: the controller has no rrddir (lamon-controller.conf)");
        return;
    }
    char shown[HTTP_SEG_LEN * 2 + 2];
    snprintf(shown, sizeof shown, "%s%s%s", name, app ? "-" : "", app ? app : "");
    if (!plain_name(name) || (app && !plain_name(app))) {
        http_reply_error(ctx, 404, "no such name: names hold letters, digits, '.', '_' and '-'");
        return;
    }
    char *path = rrd_file_path(cfg->rrddir, type, name, app);
    if (!path) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    /* By construction DIR/BASENAME, with no '/' in BASENAME: inside rrddir. */
    size_t dl = strlen(cfg->rrddir);
    struct stat sb;
    bool inside = strncmp(path, cfg->rrddir, dl) == 0 && path[dl] == '/' && !strchr(path + dl + 1, '/');
    if (!inside || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(msg, sizeof msg, "no graph data for %s %s (no %s in rrddir)", types[type], shown,
                 inside ? path + dl + 1 : "file");
        http_reply_error(ctx, 404, msg);
        free(path);
        return;
    }
    char key[KEY_LEN];
    snprintf(key, sizeof key, "%s/%s/%s/%s", types[type], shown, kind, graph_period_name(period));
    struct cached *c = cache_find(key);
    if (c && fresh(c)) {
        graph_stats.cached++;
        reply_cached(ctx->req, c);
        free(path);
        return;
    }
    struct drawing *d = drawing_find(key);
    if (d) {
        free(path);
        if (wait_for(d, ctx->req)) {
            graph_stats.shared++;
        } else {
            graph_stats.busy++;
            reply_error(ctx->req, 503, "too many requests are waiting for this graph");
        }
        return;
    }
    if (graph_child_running() >= GRAPH_MAX_CHILDREN) {
        free(path);
        if (c) {
            graph_stats.stale++;      /* an older drawing beats none */
            reply_png(ctx->req, c->png, c->len, 0);
        } else {
            graph_stats.busy++;
            reply_error(ctx->req, 503, "too many graphs are being drawn; try again");
        }
        return;
    }
    struct graph_argv *g = malloc(sizeof *g);
    d = calloc(1, sizeof *d);
    unsigned step = cfg->interval_ms / 1000 ? cfg->interval_ms / 1000 : 1;
    if (!g || !d || graph_build(g, type, kind, period, path, shown) < 0) {
        http_reply_error(ctx, g && d ? 500 : 503, g && d ? "cannot build the graph (path too long?)" : "out of memory");
        goto out;
    }
    snprintf(d->key, sizeof d->key, "%s", key);
    d->ttl_s = graph_period_ttl(period, step);
    TAILQ_INIT(&d->waiters);
    struct event_base *base = evhttp_connection_get_base(evhttp_request_get_connection(ctx->req));
    d->gc = graph_child_start(base, g, cfg->rrdcached, path, GRAPH_TIMEOUT_S, on_drawn, d, msg, sizeof msg);
    if (!d->gc) {
        graph_stats.failed++;
        log_limited(&fail_log, LOG_EVERY_S, "web console", "graph %s: %s", key, msg);
        http_reply_error(ctx, 503, msg);
        goto out;
    }
    LIST_INSERT_HEAD(&drawings, d, link);
    if (!wait_for(d, ctx->req))      /* drawn for the cache all the same */
        http_reply_error(ctx, 503, "out of memory");
    d = NULL;
out:
    free(d);
    free(g);
    free(path);
}

static void get_node_graph(struct http_ctx *ctx) { graph(ctx, RRD_NODE, ctx->seg[2], NULL, ctx->seg[3]); }
static void get_app_graph(struct http_ctx *ctx) { graph(ctx, RRD_APP, ctx->seg[2], ctx->seg[3], ctx->seg[4]); }
static void get_service_graph(struct http_ctx *ctx) { graph(ctx, RRD_SERVICE, ctx->seg[2], NULL, ctx->seg[3]); }

const struct http_route http_graph_routes[] = {
    { EVHTTP_REQ_GET, "/graph/node/*/*", get_node_graph, HTTP_OPEN },
    { EVHTTP_REQ_GET, "/graph/app/*/*/*", get_app_graph, HTTP_OPEN },
    { EVHTTP_REQ_GET, "/graph/service/*/*", get_service_graph, HTTP_OPEN },
    { 0, NULL, NULL, 0 },
};

void http_graph_free(void)
{
    struct drawing *d;
    while ((d = LIST_FIRST(&drawings))) {
        if (d->gc)
            graph_child_cancel(d->gc);
        struct waiter *w;
        while ((w = TAILQ_FIRST(&d->waiters)))
            waiter_take(w);          /* evhttp_free frees the request */
        drawing_free(d);
    }
    graph_child_shutdown();
    for (size_t i = 0; i < GRAPH_CACHE_MAX; i++) {
        free(cache[i].png);
        cache[i].png = NULL;
        cache[i].key[0] = '\0';
    }
}
