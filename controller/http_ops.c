/* The web console's operations (POST /api/v1/nodes/NAME/..., see
 * http_route.h for the gate that comes first: a session and its CSRF
 * token).  Each runs through ctl_run() (ctl_run.h) as the same lamonctl
 * command would, and answers 202 with the job that follows it; and the
 * jobs of a node, GET /api/v1/jobs?node=NAME. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "ctl_run.h"
#include "event_log.h"
#include "http_auth.h"
#include "http_form.h"
#include "http_route.h"
#include "job_list.h"
#include "op_job.h"

#define JSON "application/json"
#define JOBS_LISTED 20

/* A word of an operation: printable ASCII without spaces, as the control
 * socket's words are, and no longer than an operation argument. */
static bool word_ok(const char *w)
{
    size_t n = strlen(w);
    if (n == 0 || n > ARG_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)w[i] < 0x21 || (unsigned char)w[i] > 0x7e)
            return false;
    return true;
}

/* The form of the request, every field of it one of ALLOWED (NULL-ended;
 * csrf always is).  Answers 400 and returns -1 when not. */
static int form_of(struct http_ctx *ctx, struct evkeyvalq *q, const char *const *allowed)
{
    char err[160];
    if (http_form_parse(ctx->req, q, err, sizeof err) < 0) {
        http_reply_error(ctx, 400, err);
        return -1;
    }
    for (const struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
        bool known = strcmp(kv->key, HTTP_CSRF_FIELD) == 0;
        for (size_t i = 0; allowed && allowed[i] && !known; i++)
            known = strcmp(kv->key, allowed[i]) == 0;
        if (!known) {
            snprintf(err, sizeof err, "this operation takes no field '%.60s'", kv->key);
            evhttp_clear_headers(q);
            http_reply_error(ctx, 400, err);
            return -1;
        }
    }
    return 0;
}

/* Runs RQ and answers 202 with its job, or the refusal. */
static void run_op(struct http_ctx *ctx, const struct ctl_request *rq, const char *what)
{
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    char err[256], peer[64];
    unsigned job = 0;
    enum ctl_outcome r = ctl_run(ctx->cl, rq, body, &job, err, sizeof err);
    http_peer_addr(ctx->req, peer, sizeof peer);
    if (r != CTL_DONE || !job) {
        if (r == CTL_DONE)
            snprintf(err, sizeof err, "no job was started");
        event_log("web console: user %s from %s: %s on node %s refused: %s", ctx->user, peer, what, rq->arg[0], err);
        http_reply_error(ctx, r == CTL_NO_SUCH ? 404 : r == CTL_REFUSED ? 409 : 503, err);
        evbuffer_free(body);
        return;
    }
    event_log("web console: user %s from %s: %s on node %s (job %u)", ctx->user, peer, what, rq->arg[0], job);
    evbuffer_drain(body, evbuffer_get_length(body));
    char href[48];
    snprintf(href, sizeof href, "/api/v1/jobs/%u", job);
    evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Location", href);
    evbuffer_add_printf(body, "{\"job\": %u, \"href\": \"%s\"}\n", job, href);
    http_reply(ctx, 202, JSON, body);
    evbuffer_free(body);
}

/* drain, undrain, reboot, shutdown: no fields. */
static void plain_op(struct http_ctx *ctx)
{
    struct evkeyvalq q;
    if (form_of(ctx, &q, NULL) < 0)
        return;
    evhttp_clear_headers(&q);
    const char *op = ctx->seg[4];
    char *words[2] = { ctx->seg[3], ctx->seg[4] };
    struct ctl_request rq;
    memset(&rq, 0, sizeof rq);
    rq.arg[0] = words[0];
    rq.nargs = 1;
    if (strcmp(op, "drain") == 0) {
        rq.cmd = CTL_DRAIN;
    } else if (strcmp(op, "undrain") == 0) {
        rq.cmd = CTL_UNDRAIN;
    } else {
        rq.cmd = CTL_OP;                 /* reboot, shutdown */
        rq.arg[1] = words[1];
        rq.nargs = 2;
    }
    run_op(ctx, &rq, op);
}

/* kernel: release=RELEASE */
static void kernel_op(struct http_ctx *ctx)
{
    static const char *const fields[] = { "release", NULL };
    struct evkeyvalq q;
    if (form_of(ctx, &q, fields) < 0)
        return;
    const char *rel = evhttp_find_header(&q, "release");
    char release[ARG_MAX + 1], kernel[] = "kernel", what[ARG_MAX + 16];
    if (!rel || !word_ok(rel)) {
        evhttp_clear_headers(&q);
        http_reply_error(ctx, 400, "kernel takes release=RELEASE (printable, no spaces, at most 128 characters)");
        return;
    }
    snprintf(release, sizeof release, "%s", rel);
    evhttp_clear_headers(&q);
    struct ctl_request rq;
    memset(&rq, 0, sizeof rq);
    rq.cmd = CTL_OP;
    rq.arg[0] = ctx->seg[3];
    rq.arg[1] = kernel;
    rq.arg[2] = release;
    rq.nargs = 3;
    snprintf(what, sizeof what, "kernel %s", release);
    run_op(ctx, &rq, what);
}

/* packages: action=install|update|remove&packages=P1 P2 ... */
static void packages_op(struct http_ctx *ctx)
{
    static const char *const fields[] = { "action", "packages", NULL };
    struct evkeyvalq q;
    if (form_of(ctx, &q, fields) < 0)
        return;
    const char *act = evhttp_find_header(&q, "action");
    const char *pk = evhttp_find_header(&q, "packages");
    char action[16], list[MAX_ARGS * (ARG_MAX + 1) + 1], pkg[] = "pkg", what[160];
    if (!act || (strcmp(act, "install") && strcmp(act, "update") && strcmp(act, "remove"))) {
        evhttp_clear_headers(&q);
        http_reply_error(ctx, 400, "packages takes action=install|update|remove");
        return;
    }
    if (!pk || strlen(pk) >= sizeof list) {
        evhttp_clear_headers(&q);
        http_reply_error(ctx, 400, "packages takes packages=P1 P2 ... (space-separated)");
        return;
    }
    snprintf(action, sizeof action, "%s", act);
    snprintf(list, sizeof list, "%s", pk);
    evhttp_clear_headers(&q);
    struct ctl_request rq;
    memset(&rq, 0, sizeof rq);
    rq.cmd = CTL_OP;
    rq.arg[0] = ctx->seg[3];
    rq.arg[1] = pkg;
    rq.arg[2] = action;
    rq.nargs = 3;
    char *save = NULL;
    for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (rq.nargs - 3 == MAX_ARGS || !word_ok(w)) {
            http_reply_error(ctx, 400, rq.nargs - 3 == MAX_ARGS ? "at most 16 packages at once"
                                       : "a package name is printable, without spaces, at most 128 characters");
            return;
        }
        rq.arg[rq.nargs++] = w;
    }
    if (rq.nargs == 3) {
        http_reply_error(ctx, 400, "packages takes packages=P1 P2 ... (space-separated)");
        return;
    }
    snprintf(what, sizeof what, "pkg %s of %zu package%s", action, rq.nargs - 3, rq.nargs == 4 ? "" : "s");
    run_op(ctx, &rq, what);
}

/* /api/v1/nodes/NODE/apps/APP/start|stop|restart */
static void app_op(struct http_ctx *ctx)
{
    struct evkeyvalq q;
    if (form_of(ctx, &q, NULL) < 0)
        return;
    evhttp_clear_headers(&q);
    const char *v = ctx->seg[6];
    struct ctl_request rq;
    memset(&rq, 0, sizeof rq);
    rq.cmd = CTL_APP;
    rq.admin = strcmp(v, "start") == 0 ? 1 : strcmp(v, "stop") == 0 ? 2 : 3;
    rq.arg[0] = ctx->seg[3];
    rq.arg[1] = ctx->seg[5];
    rq.arg[2] = ctx->seg[6];
    rq.nargs = 3;
    char what[HTTP_SEG_LEN + 32];
    snprintf(what, sizeof what, "app %.200s %.10s", ctx->seg[5], v);
    run_op(ctx, &rq, what);
}

/* ?node=NAME: that node's jobs of every kind, newest first. */
static void get_jobs(struct http_ctx *ctx)
{
    char node[HTTP_SEG_LEN];
    bool one = http_query_param(ctx, "node", node, sizeof node);
    unsigned ids[JOBS_LISTED];
    size_t n = job_list_ids(one ? node : NULL, ids, JOBS_LISTED);
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    evbuffer_add_printf(body, "[");
    for (size_t i = 0; i < n; i++) {
        evbuffer_add_printf(body, "%s", i ? ", " : "");
        job_list_view(body, ids[i], true);
    }
    evbuffer_add_printf(body, "]\n");
    http_reply(ctx, 200, JSON, body);
    evbuffer_free(body);
}

const struct http_route http_ops_routes[] = {
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/drain", plain_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/undrain", plain_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/reboot", plain_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/shutdown", plain_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/kernel", kernel_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/packages", packages_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/apps/*/start", app_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/apps/*/stop", app_op, HTTP_SESSION, false },
    { EVHTTP_REQ_POST, "/api/v1/nodes/*/apps/*/restart", app_op, HTTP_SESSION, false },
    { EVHTTP_REQ_GET, "/api/v1/jobs", get_jobs, HTTP_OPEN, false },
    { 0, NULL, NULL, 0, false },
};
