/* Jobs that follow drains, undrains and application requests (see
 * watch_job.h). */
#include "watch_job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_log.h"
#include "job_list.h"
#include "mono_ms.h"
#include "json_text.h"
#include "lamon_mib.h"
#include "node_view.h"

#define MARGIN_S 30            /* beyond drain_timeout: the last polls, the SETs */

struct watch_job {
    struct job_head head;      /* first: the job list's (id, node) */
    enum watch_kind kind;
    char app[CTL_NAME_MAX + 1];
    int admin;                 /* 1 start, 2 stop, 3 restart */
    struct timespec driven;    /* last looked at (DRIVE_MS) */
    time_t started;
    time_t fresh;              /* a poll answered at or after this was sent after the request */
    time_t deadline;
    char seen[32];             /* the state (or the application's) shown last */
    bool draining;             /* a drain: the node was seen draining */
    bool done, ok;
    char progress[512];
    char steps[2048];
    char message[512];
};

static struct cluster *g_cl;
static const struct job_kind watch_kind;  /* below */
static size_t apps_pending;                /* WATCH_APP jobs not ended, for WATCH_TOTAL */

/* A job learns something new once a poll came in: the list's 50 ms tick
 * (node_ops' quick reads) is more than it needs, and each look is a
 * search of the nodes by name. */
#define DRIVE_MS 200

static const char *const app_oper[] = { "unknown", "up", "down", "unknown", "starting", "stopping" };

static const char *op_name(const struct watch_job *w)
{
    if (w->kind == WATCH_DRAIN)
        return "drain";
    if (w->kind == WATCH_UNDRAIN)
        return "undrain";
    return w->admin == 1 ? "app start" : w->admin == 2 ? "app stop" : "app restart";
}

/* What the job waits for, as lamonctl follow() does. */
static const char *want(const struct watch_job *w)
{
    if (w->kind == WATCH_DRAIN)
        return "maintenance";
    if (w->kind == WATCH_UNDRAIN)
        return "up|app-wait|app-down";
    return w->admin == 2 ? "down" : "up";
}

static bool wanted(const struct watch_job *w, const char *state)
{
    char t[32];
    snprintf(t, sizeof t, "%s", want(w));
    char *save = NULL;
    for (char *p = strtok_r(t, "|", &save); p; p = strtok_r(NULL, "|", &save))
        if (strcmp(p, state) == 0)
            return true;
    return false;
}

static void vline(struct watch_job *w, char *buf, size_t len, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void vline(struct watch_job *w, char *buf, size_t len, const char *fmt, va_list ap)
{
    int n = snprintf(buf, len, "%s: ", w->head.node);
    if (n > 0 && (size_t)n < len)
        vsnprintf(buf + n, len - (size_t)n, fmt, ap);
}

static void progress(struct watch_job *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(struct watch_job *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(w, w->progress, sizeof w->progress, fmt, ap);
    va_end(ap);
}

/* A milestone: the progress line, kept in the steps too. */
static void step(struct watch_job *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void step(struct watch_job *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(w, w->progress, sizeof w->progress, fmt, ap);
    va_end(ap);
    size_t have = strlen(w->steps);
    if (have + strlen(w->progress) + 2 <= sizeof w->steps)
        snprintf(w->steps + have, sizeof w->steps - have, "%s\n", w->progress);
}

static void finish(struct watch_job *w, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void finish(struct watch_job *w, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(w, w->message, sizeof w->message, fmt, ap);
    va_end(ap);
    if (!w->done && w->kind == WATCH_APP && w->head.id)
        apps_pending--;
    w->done = true;
    w->ok = ok;
    snprintf(w->progress, sizeof w->progress, "%s", w->message);
    event_log("node %s (job %u)", w->message, w->head.id);
}

/* The state the job judges: the node's, or its application's oper status. */
static const char *state_of(const struct watch_job *w, const struct node_rt *n)
{
    if (w->kind != WATCH_APP)
        return node_state_label(g_cl, n);
    const struct app_sample *a = find_app(n, w->app);
    if (!a)
        return "gone";
    return app_oper[a->oper >= 1 && a->oper <= 5 ? a->oper : 0];
}

static void drive(struct watch_job *w)
{
    int i = cluster_find_node(g_cl, w->head.node);
    if (i < 0) {
        finish(w, false, "%s: no longer in the configuration", op_name(w));
        return;
    }
    const struct node_rt *n = g_cl->nodes[i];
    if (n->hyst.health == NODE_DOWN) {
        finish(w, false, "%s: the node went down", op_name(w));
        return;
    }
    time_t now = time(NULL);
    /* The state a SET wrote optimistically, or a poll sent before the
     * request, is not the agent's answer to it. */
    if (n->set_in_flight || !n->have_sample || n->last_seen < w->fresh) {
        if (now > w->deadline)
            finish(w, false, "%s: no answer from the node since the request", op_name(w));
        return;
    }
    const char *st = state_of(w, n);
    if (strcmp(st, w->seen) != 0) {
        snprintf(w->seen, sizeof w->seen, "%s", st);
        if (w->kind == WATCH_APP)
            step(w, "application %s %s", w->app, st);
        else
            step(w, "state %s", st);
    }
    if (wanted(w, st)) {
        if (w->kind == WATCH_APP)
            finish(w, true, "%s %s done: application %s", op_name(w), w->app, st);
        else
            finish(w, true, "%s done: state %s", op_name(w), st);
        return;
    }
    if (w->kind == WATCH_DRAIN) {
        if (strcmp(st, "draining") == 0) {
            w->draining = true;
            progress(w, "draining (%u connection%s left)", n->s.conns, n->s.conns == 1 ? "" : "s");
        } else if (w->draining) {
            finish(w, false, "drain undone: state %s before maintenance", st);
            return;
        }
    }
    if (now > w->deadline) {
        finish(w, false, "%s%s%s: gave up after %ld s waiting for %s (state %s)", op_name(w),
               w->kind == WATCH_APP ? " " : "", w->kind == WATCH_APP ? w->app : "",
               (long)(w->deadline - w->started), want(w), st);
    }
}

void watch_job_init(struct cluster *cl)
{
    g_cl = cl;
}

int watch_job_room(const char *node, enum watch_kind kind, char *err, size_t errlen)
{
    /* A drain or undrain is never refused: decide_drain refuses a second
     * drain itself, and an operator must always be able to take a node out
     * or bring it back, whatever its applications are doing. */
    if (kind != WATCH_APP)
        return 0;
    unsigned ids[WATCH_TOTAL + 160];
    size_t n = job_list_ids(node, ids, sizeof ids / sizeof ids[0]), on_node = 0;
    for (size_t i = 0; i < n; i++) {
        const struct watch_job *w = (const struct watch_job *)job_list_find(ids[i], &watch_kind);
        on_node += w && !w->done && w->kind == WATCH_APP;
    }
    if (on_node >= WATCH_PER_NODE) {
        snprintf(err, errlen, "node %s: %zu application jobs are still in progress", node, on_node);
        return -1;
    }
    if (apps_pending >= WATCH_TOTAL) {
        snprintf(err, errlen, "%zu application jobs are still in progress", apps_pending);
        return -1;
    }
    return 0;
}

struct watch_job *watch_job_new(const char *node, enum watch_kind kind, const char *app, int admin)
{
    struct watch_job *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    snprintf(w->head.node, sizeof w->head.node, "%s", node);
    w->kind = kind;
    if (app)
        snprintf(w->app, sizeof w->app, "%s", app);
    w->admin = admin;
    return w;
}

void watch_job_discard(struct watch_job *w)
{
    free(w);
}

unsigned watch_job_start(const struct cluster *cl, struct watch_job *w)
{
    const struct ctl_config *cfg = cl->cfg;
    time_t now = time(NULL);
    /* A poll answered at second S was sent after S - T (T its timeout and
     * retries); time(NULL) is the second the request went out in. */
    time_t t = (time_t)((cfg->timeout_ms * (cfg->retries + 1) + 999) / 1000);
    w->started = now;
    w->fresh = now + 1 + t;
    w->deadline = now + (time_t)cfg->drain_timeout_s + MARGIN_S + 3 * (time_t)((cfg->interval_ms + 999) / 1000);
    w->head.id = job_list_next_id();
    if (w->kind == WATCH_APP)
        apps_pending++;
    if (w->kind == WATCH_APP)
        progress(w, "%s %s requested; waiting for application %s %s", op_name(w), w->app, w->app, want(w));
    else
        progress(w, "%s requested; waiting for state %s", op_name(w), want(w));
    event_log("node %s: job %u follows the %s%s%s until %s", w->head.node, w->head.id, op_name(w),
              w->kind == WATCH_APP ? " of " : "", w->app, want(w));
    job_list_add(&w->head, &watch_kind);
    return w->head.id;
}

static const char *result(const struct watch_job *w) { return !w->done ? "pending" : w->ok ? "ok" : "failed"; }

static void watch_view(struct evbuffer *out, const struct job_head *h, bool json)
{
    const struct watch_job *w = (const struct watch_job *)h;   /* the head is its first member */
    char op[CTL_NAME_MAX + 16];
    snprintf(op, sizeof op, "%s%s%s", op_name(w), w->kind == WATCH_APP ? " " : "", w->app);
    const char *phase = w->done ? "done" : w->kind == WATCH_DRAIN && w->draining ? "draining" : "waiting";
    if (!json) {
        /* The keys of node_ops' text view, which lamonctl's job follows. */
        evbuffer_add_printf(out, "job: %u\nnode: %s\noperation: %s\nphase: %s\n", w->head.id, w->head.node, op, phase);
        for (const char *p = w->steps; *p; p += strcspn(p, "\n") + 1)
            evbuffer_add_printf(out, "step: %.*s\n", (int)strcspn(p, "\n"), p);
        evbuffer_add_printf(out, "op_index: 0\nstatus: -\nexit: -1\nresult: %s\nprogress: %s\nmessage: %s\noutput:\n",
                            result(w), w->progress, w->message);
        return;
    }
    evbuffer_add_printf(out, "{\"job\": %u, \"node\": ", w->head.id);
    json_string(out, w->head.node);
    evbuffer_add_printf(out, ", \"operation\": ");
    json_string(out, w->kind == WATCH_APP ? op_name(w) : op);
    if (w->kind == WATCH_APP) {
        evbuffer_add_printf(out, ", \"app\": ");
        json_string(out, w->app);
    }
    evbuffer_add_printf(out, ", \"phase\": \"%s\", \"result\": \"%s\", \"message\": ", phase, result(w));
    json_string(out, w->message);
    evbuffer_add_printf(out, ", \"progress\": ");
    json_string(out, w->progress);
    evbuffer_add_printf(out, ", \"steps\": ");
    json_lines(out, w->steps);
    evbuffer_add_printf(out, ", \"wait_for\": ");
    json_string(out, want(w));
    evbuffer_add_printf(out, ", \"ops\": [], \"output\": \"\"}\n");
}

/* The job list's tick. */
static bool watch_tick(struct job_head *h)
{
    struct watch_job *w = (struct watch_job *)h;
    if (!w->done && ms_since(&w->driven) >= DRIVE_MS) {
        clock_gettime(CLOCK_MONOTONIC, &w->driven);
        drive(w);
    }
    return !w->done;
}

static bool watch_pending(const struct job_head *h) { return !((const struct watch_job *)h)->done; }

static void watch_free(struct job_head *h) { free((struct watch_job *)h); }

static const struct job_kind watch_kind = { watch_tick, watch_pending, watch_view, watch_free };
