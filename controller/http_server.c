/* The web console's HTTP server (see http_server.h). */
#include "http_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "event_log.h"
#include "http_auth.h"
#include "http_cache.h"
#include "http_config.h"
#include "http_graph.h"
#include "http_origin.h"
#include "http_route.h"
#include "http_tls.h"
#include "json_text.h"
#include "log_limit.h"

#define LOG_EVERY_S 10

#define ACCEPT_PAUSE_MS 1000

enum { LOG_BAD, LOG_ACCEPT, LOG_KINDS };

struct http_server {
    struct event_base *base;
    struct cluster *cl;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct http_config cur;          /* what is bound now */
    struct http_tls *tls;
    struct log_limit rate[LOG_KINDS];
    struct event *resume;            /* accepting again after a failed accept */
    struct sockaddr_storage bound_addr;   /* what the listener really bound (a name may have several) */
};

/* Every module's routes, tried in order (http_route.h). */
static const struct http_route *const tables[] = {
    http_api_routes,
    http_pages_routes,
    http_auth_routes,
    http_ops_routes,
    http_graph_routes,
    metrics_routes,
};

#define note(hs, kind, ...) log_limited(&(hs)->rate[kind], LOG_EVERY_S, "web console", __VA_ARGS__)

void http_reply(struct http_ctx *ctx, int code, const char *type, struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(ctx->req);
    if (type)
        evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    evhttp_add_header(h, "Referrer-Policy", "same-origin");
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
    if (!evhttp_find_header(h, "Cache-Control"))
        evhttp_add_header(h, "Cache-Control", "no-store");
    if (ctx->cache_store && code == 200 && body)
        http_cache_put(evhttp_request_get_uri(ctx->req), type, body);
    const char *reason = code == 200 ? "OK" : code == 201 ? "Created" : code == 202 ? "Accepted"
                       : code == 400 ? "Bad Request" : code == 401 ? "Unauthorized" : code == 403 ? "Forbidden"
                       : code == 404 ? "Not Found" : code == 405 ? "Method Not Allowed"
                       : code == 409 ? "Conflict" : code == 413 ? "Payload Too Large"
                       : code == 421 ? "Misdirected Request"
                       : code == 429 ? "Too Many Requests" : code == 503 ? "Service Unavailable" : NULL;
    evhttp_send_reply(ctx->req, code, reason, body);
}

void http_reply_error(struct http_ctx *ctx, int code, const char *msg)
{
    struct evbuffer *b = evbuffer_new();
    if (b) {
        evbuffer_add_printf(b, "{\"error\": ");
        json_string(b, msg);
        evbuffer_add_printf(b, "}\n");
    }
    http_reply(ctx, code, "application/json", b);
    if (b)
        evbuffer_free(b);
}

bool http_query_param(const struct http_ctx *ctx, const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!ctx->query)
        return false;
    struct evkeyvalq q;
    TAILQ_INIT(&q);
    if (evhttp_parse_query_str(ctx->query, &q) < 0)
        return false;
    const char *v = evhttp_find_header(&q, name);
    bool found = v && strlen(v) < len;
    if (found)
        snprintf(buf, len, "%s", v);
    evhttp_clear_headers(&q);
    return found;
}

/* The request's size limits that evhttp does not keep itself: the URL and
 * the number of header lines.  Answers and returns false when over. */
static bool within_limits(struct http_server *hs, struct http_ctx *ctx, const char *peer)
{
    const char *uri = evhttp_request_get_uri(ctx->req);
    if (strlen(uri) > HTTP_MAX_URL) {
        note(hs, LOG_BAD, "%s: refused a URL of %zu bytes (the limit is %d)", peer, strlen(uri), HTTP_MAX_URL);
        http_reply_error(ctx, 413, "URL too long");
        return false;
    }
    size_t nh = 0;
    struct evkeyval *kv;
    for (kv = evhttp_request_get_input_headers(ctx->req)->tqh_first; kv; kv = kv->next.tqe_next)
        nh++;
    if (nh > HTTP_MAX_HEADERS) {
        note(hs, LOG_BAD, "%s: refused a request with %zu header lines (the limit is %d)", peer, nh,
             HTTP_MAX_HEADERS);
        http_reply_error(ctx, 413, "too many header lines");
        return false;
    }
    return true;
}

/* Answers CTX from the cache when a fresh copy of its URI is there. */
static bool answer_cached(struct http_ctx *ctx)
{
    struct evbuffer *b = evbuffer_new();
    char type[64];
    if (!b)
        return false;
    bool hit = http_cache_get(evhttp_request_get_uri(ctx->req), b, type, sizeof type);
    if (hit)
        http_reply(ctx, 200, type[0] ? type : NULL, b);
    evbuffer_free(b);
    return hit;
}

/* Whether CON came in on what the console serves now: the address bound
 * now, TLS as configured now.  A reload that stops, moves or secures the
 * console unbinds the old listener, but a keep-alive client of it (a page
 * polling every second) would go on being served, in clear. */
static bool connection_current(const struct http_server *hs, struct bufferevent *bev, bool tls)
{
    if (!hs->cur.enabled || !bev || tls != http_tls_on(hs->tls))
        return false;
    struct sockaddr_storage local;
    socklen_t len = sizeof local;
    if (getsockname(bufferevent_getfd(bev), (struct sockaddr *)&local, &len) < 0)
        return false;
    /* Against the listener's own address, not the http line's name looked
     * up again: "localhost" may be ::1 to one lookup and 127.0.0.1 to
     * libevent's. */
    const struct sockaddr_storage *want = &hs->bound_addr;
    if (local.ss_family == AF_INET && want->ss_family == AF_INET) {
        const struct sockaddr_in *l = (const void *)&local, *w = (const void *)want;
        return l->sin_port == w->sin_port &&
               (w->sin_addr.s_addr == htonl(INADDR_ANY) || w->sin_addr.s_addr == l->sin_addr.s_addr);
    }
    if (local.ss_family == AF_INET6 && want->ss_family == AF_INET6) {
        const struct sockaddr_in6 *l = (const void *)&local, *w = (const void *)want;
        return l->sin6_port == w->sin6_port &&
               (IN6_IS_ADDR_UNSPECIFIED(&w->sin6_addr) || IN6_ARE_ADDR_EQUAL(&w->sin6_addr, &l->sin6_addr));
    }
    return false;
}

/* Refuses what does not come from the console's own name and pages
 * (http_origin.h).  Answers and returns false then. */
static bool from_console(struct http_server *hs, struct http_ctx *ctx, const char *peer)
{
    const struct evkeyvalq *in = evhttp_request_get_input_headers(ctx->req);
    const char *host = evhttp_find_header(in, "Host");
    if (!http_host_allowed(host, &hs->cur)) {
        note(hs, LOG_BAD, "%s: refused a request for host '%.80s' (not a name of this console: http_names)", peer,
             host);
        http_reply_error(ctx, 421, "this console does not answer to that host name (see http_names)");
        return false;
    }
    if (evhttp_request_get_command(ctx->req) == EVHTTP_REQ_POST &&
        !http_origin_same(evhttp_find_header(in, "Origin"), evhttp_find_header(in, "Sec-Fetch-Site"), host,
                          ctx->tls)) {
        note(hs, LOG_BAD, "%s: refused a POST from another site (Origin '%.80s')", peer,
             evhttp_find_header(in, "Origin") ? evhttp_find_header(in, "Origin") : "-");
        http_reply_error(ctx, 403, "a change is only accepted from the console's own pages");
        return false;
    }
    return true;
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct http_server *hs = arg;
    struct http_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        evhttp_send_error(req, 503, "out of memory");
        return;
    }
    ctx->req = req;
    ctx->srv = hs;
    ctx->cl = hs->cl;
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    struct bufferevent *bev = con ? evhttp_connection_get_bufferevent(con) : NULL;
    ctx->tls = bev && bufferevent_openssl_get_ssl(bev) != NULL;
    char peer[96];
    http_peer_addr(req, peer, sizeof peer);
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    if (!connection_current(hs, bev, ctx->tls)) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        http_reply_error(ctx, 503, "the console was stopped or moved by a reload: connect again");
        goto out;
    }
    if (!within_limits(hs, ctx, peer) || !from_console(hs, ctx, peer))
        goto out;
    if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD && m != EVHTTP_REQ_POST) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD, POST");
        http_reply_error(ctx, 405, "only GET, HEAD and POST");
        goto out;
    }
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    ctx->query = uri ? evhttp_uri_get_query(uri) : NULL;
    if (!uri || !http_path_split(evhttp_uri_get_path(uri), ctx->seg, &ctx->nseg)) {
        note(hs, LOG_BAD, "%s: refused a malformed path", peer);
        http_reply_error(ctx, 400, "malformed path");
        goto out;
    }
    bool path_known = false;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct http_route *r = tables[t]; r->pattern; r++) {
            if (!http_path_match(r->pattern, ctx->seg, ctx->nseg))
                continue;
            path_known = true;
            bool get = r->method == EVHTTP_REQ_GET && (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD);
            if (!get && r->method != m)
                continue;
            if (!http_auth_gate(ctx, r->access) || (r->cached && answer_cached(ctx)))
                goto out;
            ctx->cache_store = r->cached;
            r->fn(ctx);
            goto out;
        }
    if (path_known) {
        /* A change is never made by a GET (nor a read by a POST). */
        http_reply_error(ctx, 405, m == EVHTTP_REQ_POST ? "this path is read with GET" : "this path takes a POST");
    } else {
        http_reply_error(ctx, 404, "no such page");
    }
out:
    free(ctx);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    struct http_server *hs = arg;
    if (hs->bound)
        evconnlistener_enable(evhttp_bound_socket_get_listener(hs->bound));
}

/* The server whose listener failed: the listener's callback argument is
 * evhttp's own, and a controller has one console. */
static struct http_server *accepting;

/* Without this, a failed accept() (at the descriptor limit) leaves the
 * listener readable: a busy loop that starves the polls.  Pause instead;
 * idle clients are closed after HTTP_TIMEOUT_S meanwhile. */
static void on_accept_error(struct evconnlistener *lis, void *arg)
{
    (void)arg;                       /* evhttp's, not ours */
    struct http_server *hs = accepting;
    if (!hs)
        return;
    int e = EVUTIL_SOCKET_ERROR();
    note(hs, LOG_ACCEPT, "accept: %s: not accepting for %d ms", evutil_socket_error_to_string(e), ACCEPT_PAUSE_MS);
    evconnlistener_disable(lis);
    struct timeval tv = { ACCEPT_PAUSE_MS / 1000, ACCEPT_PAUSE_MS % 1000 * 1000 };
    evtimer_add(hs->resume, &tv);
}

static int bind_server(struct http_server *hs, const struct http_config *hc, char *err, size_t errlen)
{
    char host[300];
    snprintf(host, sizeof host, "%s", hc->host);
    /* evhttp_bind_socket takes a numeric address; brackets are config syntax. */
    if (host[0] == '[') {
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(hs->http, host, hc->port);
    if (!b) {
        snprintf(err, errlen, "web console: cannot listen on %s:%u: %s", hc->host, hc->port,
                 strerror(errno ? errno : EADDRINUSE));
        return -1;
    }
    /* Accepted sockets inherit it: an answer over a few segments would
     * otherwise wait for the browser's delayed ACK (20-40 ms). */
    int one = 1;
    setsockopt(evhttp_bound_socket_get_fd(b), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_storage addr;
    socklen_t alen = sizeof addr;
    if (getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&addr, &alen) < 0) {
        snprintf(err, errlen, "web console: %s:%u: getsockname: %s", hc->host, hc->port, strerror(errno));
        evhttp_del_accept_socket(hs->http, b);
        return -1;
    }
    if (hs->bound)
        evhttp_del_accept_socket(hs->http, hs->bound);
    hs->bound = b;
    hs->bound_addr = addr;
    evtimer_del(hs->resume);
    accepting = hs;
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b), on_accept_error);
    event_log("web console on http%s://%s:%u/", hc->cert[0] ? "s" : "", hc->host, hc->port);
    return 0;
}

struct http_server *http_server_new(struct event_base *base, struct cluster *cl, char *err, size_t errlen)
{
    struct http_server *hs = calloc(1, sizeof *hs);
    if (!hs || !(hs->http = evhttp_new(base)) || !(hs->resume = evtimer_new(base, on_resume, hs)) ||
        !(hs->tls = http_tls_new(hs->http))) {
        if (hs && hs->resume)
            event_free(hs->resume);
        if (hs && hs->http)
            evhttp_free(hs->http);
        free(hs);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    hs->base = base;
    hs->cl = cl;
    evhttp_set_max_headers_size(hs->http, HTTP_MAX_HEADERS_SIZE);
    evhttp_set_max_body_size(hs->http, HTTP_MAX_BODY);
    evhttp_set_timeout(hs->http, HTTP_TIMEOUT_S);
    /* Every method reaches on_request, which answers 405 with an Allow
     * header (evhttp itself would say 501 Not Implemented). */
    evhttp_set_allowed_methods(hs->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                         EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                         EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_default_content_type(hs->http, "text/plain; charset=utf-8");
    evhttp_set_gencb(hs->http, on_request, hs);
    if (http_server_apply(hs, err, errlen) < 0) {
        http_server_free(hs);
        return NULL;
    }
    return hs;
}

int http_server_apply(struct http_server *hs, char *err, size_t errlen)
{
    const struct http_config *hc = hs->cl->cfg->http;
    /* The certificate is read again on every reload (a renewed one is
     * taken up); one that does not load keeps the current context, and a
     * server not running yet does not start (never in clear by mistake). */
    char tls_err[512] = "";
    if (hc->enabled || hs->cur.enabled) {
        if (http_tls_load(hs->tls, hc->enabled ? hc->cert : "", hc->key, tls_err, sizeof tls_err) < 0 &&
            !hs->cur.enabled) {
            snprintf(err, errlen, "web console: %s", tls_err);
            return -1;
        }
        http_auth_apply(hc);
    }
    /* The same address stays bound (its clients keep their connections);
     * a new one is bound before the old is let go, so a failure keeps it. */
    bool same = hc->enabled == hs->cur.enabled && hc->port == hs->cur.port && strcmp(hc->host, hs->cur.host) == 0;
    if (!same) {
        if (!hc->enabled) {
            if (hs->bound) {
                evhttp_del_accept_socket(hs->http, hs->bound);
                hs->bound = NULL;
                evtimer_del(hs->resume);
                event_log("web console stopped (no http line)");
            }
        } else if (bind_server(hs, hc, err, errlen) < 0) {
            return -1;
        }
    }
    hs->cur = *hc;
    http_cache_clear();              /* nothing rendered under the old configuration */
    if (tls_err[0]) {
        snprintf(err, errlen, "web console: %s (%s)", tls_err,
                 http_tls_on(hs->tls) ? "the previous certificate stays in use" : "serving plain http");
        return -1;
    }
    return 0;
}

void http_server_free(struct http_server *hs)
{
    if (!hs)
        return;
    http_graph_free();               /* before evhttp frees its requests */
    evhttp_free(hs->http);
    http_cache_clear();
    http_tls_free(hs->tls);          /* after the connections that use it */
    event_free(hs->resume);
    if (accepting == hs)
        accepting = NULL;
    free(hs);
}
