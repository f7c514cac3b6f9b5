/* The JSON API's reads (/api/v1/...): lamonctl's --json views, through the
 * same ctl_run() (ctl_run.h) that answers the control socket. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_run.h"
#include "http_route.h"
#include "status_view.h"

#define JSON "application/json"

/* Runs the read command CMD with ARG (NULL for none) as lamonctl's
 * "CMD [ARG] json" would, and answers its view, 404 or 500. */
static void run_read(struct http_ctx *ctx, enum ctl_cmd cmd, const char *arg, unsigned long num)
{
    struct ctl_request rq;
    memset(&rq, 0, sizeof rq);
    char word[HTTP_SEG_LEN];
    rq.cmd = cmd;
    rq.json = true;
    rq.num = num;
    if (arg) {
        snprintf(word, sizeof word, "%s", arg);
        rq.arg[0] = word;
        rq.nargs = 1;
    }
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    char err[256];
    unsigned job;
    enum ctl_outcome r = ctl_run(ctx->cl, &rq, body, &job, err, sizeof err);
    if (r == CTL_DONE)
        http_reply(ctx, 200, JSON, body);
    else
        http_reply_error(ctx, r == CTL_NO_SUCH ? 404 : 500, err);
    evbuffer_free(body);
}

static void get_nodes(struct http_ctx *ctx)
{
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    view_nodes_json(body, ctx->cl);
    evbuffer_add_printf(body, "\n");
    http_reply(ctx, 200, JSON, body);
    evbuffer_free(body);
}

static void get_one_node(struct http_ctx *ctx)     { run_read(ctx, CTL_NODE, ctx->seg[3], 0); }
static void get_services(struct http_ctx *ctx) { run_read(ctx, CTL_SERVICES, NULL, 0); }
static void get_status(struct http_ctx *ctx)   { run_read(ctx, CTL_STATUS, NULL, 0); }
static void get_stats(struct http_ctx *ctx)    { run_read(ctx, CTL_STATS, NULL, 0); }

static void get_one_job(struct http_ctx *ctx)
{
    unsigned long id;
    if (!ctl_number(ctx->seg[3], UINT_MAX, &id)) {
        http_reply_error(ctx, 404, "a job is a number");
        return;
    }
    run_read(ctx, CTL_JOB, NULL, id);
}

/* ?since=N: the lines numbered N and after (the answer's "next" is the
 * next call's N); without it, every line the controller still holds. */
static void get_log(struct http_ctx *ctx)
{
    char v[16];
    unsigned long since = 0;
    if (http_query_param(ctx, "since", v, sizeof v) && !ctl_number(v, ULONG_MAX, &since)) {
        http_reply_error(ctx, 400, "since is a line number");
        return;
    }
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    view_log_since(body, since);
    http_reply(ctx, 200, JSON, body);
    evbuffer_free(body);
}

const struct http_route http_api_routes[] = {
    { EVHTTP_REQ_GET, "/api/v1/nodes", get_nodes, HTTP_OPEN, true },
    { EVHTTP_REQ_GET, "/api/v1/nodes/*", get_one_node, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/api/v1/services", get_services, HTTP_OPEN, true },
    { EVHTTP_REQ_GET, "/api/v1/status", get_status, HTTP_OPEN, true },
    { EVHTTP_REQ_GET, "/api/v1/stats", get_stats, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/api/v1/log", get_log, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/api/v1/jobs/*", get_one_job, HTTP_OPEN, false },
    { 0, NULL, NULL, 0, false },
};
