/* The web console's HTTP server (see http_server.h). */
#include "http_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "event_log.h"
#include "http_auth.h"
#include "http_config.h"
#include "http_route.h"
#include "json_text.h"
#include "log_limit.h"

#define LOG_EVERY_S 10

enum { LOG_BAD, LOG_KINDS };

struct http_server {
    struct event_base *base;
    struct cluster *cl;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct http_config cur;          /* what is bound now */
    struct log_limit rate[LOG_KINDS];
};

/* Every module's routes, tried in order (http_route.h). */
static const struct http_route *const tables[] = {
    http_api_routes,
    metrics_routes,
};

#define note(hs, kind, ...) log_limited(&(hs)->rate[kind], LOG_EVERY_S, "web console", __VA_ARGS__)

static const char *peer_of(struct evhttp_request *req, char *buf, size_t len)
{
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    const char *addr = NULL;
    ev_uint16_t port = 0;
    if (con)
        evhttp_connection_get_peer(con, (char **)&addr, &port);
    snprintf(buf, len, "%s:%u", addr ? addr : "?", (unsigned)port);
    return buf;
}

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
    const char *reason = code == 200 ? "OK" : code == 201 ? "Created" : code == 202 ? "Accepted"
                       : code == 400 ? "Bad Request" : code == 401 ? "Unauthorized" : code == 403 ? "Forbidden"
                       : code == 404 ? "Not Found" : code == 405 ? "Method Not Allowed"
                       : code == 409 ? "Conflict" : code == 413 ? "Payload Too Large"
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

/* Splits PATH into ctx->seg, decoding each; false for a path that is no
 * path of ours (too many or too long segments, an encoded "/" or NUL). */
static bool split_path(const char *path, struct http_ctx *ctx)
{
    ctx->nseg = 0;
    if (!path || path[0] != '/')
        return false;
    for (const char *p = path + 1; *p;) {
        size_t n = strcspn(p, "/");
        if (ctx->nseg == HTTP_SEG_MAX || n >= HTTP_SEG_LEN)
            return false;
        char raw[HTTP_SEG_LEN];
        memcpy(raw, p, n);
        raw[n] = '\0';
        size_t dlen;
        char *d = evhttp_uridecode(raw, 0, &dlen);
        if (!d)
            return false;
        bool ok = dlen == strlen(d) && !strchr(d, '/') && dlen < HTTP_SEG_LEN;
        if (ok)
            snprintf(ctx->seg[ctx->nseg++], HTTP_SEG_LEN, "%s", d);
        free(d);
        if (!ok)
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

/* Whether PATTERN matches the segments of CTX. */
static bool matches(const char *pattern, const struct http_ctx *ctx)
{
    size_t i = 0;
    const char *p = pattern + 1;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 2 && strncmp(p, "**", 2) == 0)
            return true;
        if (i == ctx->nseg)
            return false;
        if (!(n == 1 && *p == '*') && (strlen(ctx->seg[i]) != n || strncmp(p, ctx->seg[i], n) != 0))
            return false;
        i++;
        p += n;
        if (*p == '/')
            p++;
    }
    return i == ctx->nseg;
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
    ctx->tls = hs->cur.cert[0] != '\0';
    char peer[96];
    peer_of(req, peer, sizeof peer);
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    if (!within_limits(hs, ctx, peer))
        goto out;
    if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD && m != EVHTTP_REQ_POST) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD, POST");
        http_reply_error(ctx, 405, "only GET, HEAD and POST");
        goto out;
    }
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    ctx->query = uri ? evhttp_uri_get_query(uri) : NULL;
    if (!uri || !split_path(evhttp_uri_get_path(uri), ctx)) {
        note(hs, LOG_BAD, "%s: refused a malformed path", peer);
        http_reply_error(ctx, 400, "malformed path");
        goto out;
    }
    bool path_known = false;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct http_route *r = tables[t]; r->pattern; r++) {
            if (!matches(r->pattern, ctx))
                continue;
            path_known = true;
            bool get = r->method == EVHTTP_REQ_GET && (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD);
            if (!get && r->method != m)
                continue;
            if (http_auth_gate(ctx, r->access))
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
    if (hs->bound)
        evhttp_del_accept_socket(hs->http, hs->bound);
    hs->bound = b;
    event_log("web console on http%s://%s:%u/", hc->cert[0] ? "s" : "", hc->host, hc->port);
    return 0;
}

struct http_server *http_server_new(struct event_base *base, struct cluster *cl, char *err, size_t errlen)
{
    struct http_server *hs = calloc(1, sizeof *hs);
    if (!hs || !(hs->http = evhttp_new(base))) {
        free(hs);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    hs->base = base;
    hs->cl = cl;
    evhttp_set_max_headers_size(hs->http, HTTP_MAX_HEADERS_SIZE);
    evhttp_set_max_body_size(hs->http, HTTP_MAX_BODY);
    evhttp_set_timeout(hs->http, HTTP_TIMEOUT_S);
    evhttp_set_allowed_methods(hs->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
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
    /* The same address stays bound (its clients keep their connections);
     * a new one is bound before the old is let go, so a failure keeps it. */
    bool same = hc->enabled == hs->cur.enabled && hc->port == hs->cur.port && strcmp(hc->host, hs->cur.host) == 0;
    if (!same) {
        if (!hc->enabled) {
            if (hs->bound) {
                evhttp_del_accept_socket(hs->http, hs->bound);
                hs->bound = NULL;
                event_log("web console stopped (no http line)");
            }
        } else if (bind_server(hs, hc, err, errlen) < 0) {
            return -1;
        }
    }
    hs->cur = *hc;
    return 0;
}

void http_server_free(struct http_server *hs)
{
    if (!hs)
        return;
    evhttp_free(hs->http);
    free(hs);
}
