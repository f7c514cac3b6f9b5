/* A node_ops job's words and views (see op_job.h). */
#include "op_job.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lamon_mib.h"
#include "json_text.h"

const char *const op_phase_names[] = { "draining", "releasing", "submitting", "submitting", "submitting",
                                       "running", "done" };
const char *const op_status_names[] = { "-", "queued", "running", "succeeded", "failed" };

/* RFC 3416 error-status names: what an operator looks up. */
const char *op_err_name(long e)
{
    static const char *const names[] = {
        "noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess", "wrongType",
        "wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue",
        "resourceUnavailable", "commitFailed", "undoFailed", "authorizationError", "notWritable",
        "inconsistentName",
    };
    return e >= 0 && (size_t)e < sizeof names / sizeof names[0] ? names[e] : "unknown error";
}

bool op_job_is_node_op(const struct job *j) { return j->type == OPT_REBOOT || j->type == OPT_SHUTDOWN; }

/* "reboot", "kernel 6.1.0-26-amd64", "pkg install foo" (the current package) */
void op_job_label(const struct job *j, char *buf, size_t len)
{
    switch (j->type) {
    case OPT_REBOOT: snprintf(buf, len, "reboot"); break;
    case OPT_SHUTDOWN: snprintf(buf, len, "shutdown"); break;
    case OPT_KERNEL_SELECT: snprintf(buf, len, "kernel %s", j->args[0]); break;
    default:
        snprintf(buf, len, "pkg %s %s",
                 j->type == OPT_PKG_INSTALL ? "install" : j->type == OPT_PKG_UPDATE ? "update" : "remove",
                 j->args[j->cur < j->nargs ? j->cur : j->nargs - 1]);
    }
}

/* The progress line: "NODE: what" */
static void vprogress(struct job *j, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void vprogress(struct job *j, const char *fmt, va_list ap)
{
    int n = snprintf(j->progress, sizeof j->progress, "%s: ", j->head.node);
    if (n > 0 && (size_t)n < sizeof j->progress)
        vsnprintf(j->progress + n, sizeof j->progress - (size_t)n, fmt, ap);
}

void op_job_progress(struct job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprogress(j, fmt, ap);
    va_end(ap);
}

/* A milestone: the progress line, also kept in the job's steps so that a
 * client that reads the job less often than they pass still shows each. */
void op_job_step(struct job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprogress(j, fmt, ap);
    va_end(ap);
    size_t have = strlen(j->steps);
    if (have + strlen(j->progress) + 2 <= sizeof j->steps)
        snprintf(j->steps + have, sizeof j->steps - have, "%s\n", j->progress);
}

int op_job_parse(struct job *j, char *const *w, size_t nw, char *err, size_t errlen)
{
    const char *usage = "reboot | shutdown | kernel RELEASE | pkg install|update|remove PACKAGE...";
    size_t first = 1;
    if (nw == 1 && strcmp(w[0], "reboot") == 0) {
        j->type = OPT_REBOOT;
    } else if (nw == 1 && strcmp(w[0], "shutdown") == 0) {
        j->type = OPT_SHUTDOWN;
    } else if (nw == 2 && strcmp(w[0], "kernel") == 0) {
        j->type = OPT_KERNEL_SELECT;
    } else if (nw >= 3 && strcmp(w[0], "pkg") == 0) {
        j->type = strcmp(w[1], "install") == 0 ? OPT_PKG_INSTALL : strcmp(w[1], "update") == 0 ? OPT_PKG_UPDATE
                : strcmp(w[1], "remove") == 0 ? OPT_PKG_REMOVE : 0;
        first = 2;
    }
    if (!j->type) {
        snprintf(err, errlen, "operation: %s", usage);
        return -1;
    }
    for (size_t i = first; i < nw; i++) {
        if (j->nargs == MAX_ARGS) {
            snprintf(err, errlen, "at most %d packages at once", MAX_ARGS);
            return -1;
        }
        if (strlen(w[i]) > ARG_MAX) {
            snprintf(err, errlen, "'%.40s...' is longer than %d characters", w[i], ARG_MAX);
            return -1;
        }
        snprintf(j->args[j->nargs++], ARG_MAX + 1, "%s", w[i]);
    }
    return 0;
}

static void view_text(struct evbuffer *out, const struct job *j)
{
    const struct op_result *r = &j->res[j->cur];
    char l[160];
    op_job_label(j, l, sizeof l);
    evbuffer_add_printf(out, "job: %u\nnode: %s\noperation: %s\nphase: %s\n", j->head.id, j->head.node, l,
                        op_phase_names[j->phase]);
    for (const char *p = j->steps; *p; p += strcspn(p, "\n") + 1)
        evbuffer_add_printf(out, "step: %.*s\n", (int)strcspn(p, "\n"), p);
    evbuffer_add_printf(out, "op_index: %u\nstatus: %s\nexit: %d\n", r->accepted ? r->index : 0,
                        op_status_names[r->status >= 0 && r->status <= OPS_FAILED ? r->status : 0],
                        r->accepted && r->status >= 3 ? r->exit_code : -1);
    evbuffer_add_printf(out, "result: %s\nprogress: %s\nmessage: %s\noutput:\n%s", j->phase != PH_DONE ? "pending"
                        : j->ok ? "ok" : "failed", j->progress, j->message, j->output);
    if (j->output[0] && j->output[strlen(j->output) - 1] != '\n')
        evbuffer_add_printf(out, "\n");
}

static void view_json(struct evbuffer *out, const struct job *j)
{
    static const char *const types[] = { [OPT_REBOOT] = "reboot", [OPT_SHUTDOWN] = "shutdown",
                                         [OPT_KERNEL_SELECT] = "kernel", [OPT_PKG_INSTALL] = "pkg install",
                                         [OPT_PKG_UPDATE] = "pkg update", [OPT_PKG_REMOVE] = "pkg remove" };
    evbuffer_add_printf(out, "{\"job\": %u, \"node\": ", j->head.id);
    json_string(out, j->head.node);
    evbuffer_add_printf(out, ", \"operation\": ");
    json_string(out, types[j->type]);
    evbuffer_add_printf(out, ", \"phase\": ");
    json_string(out, op_phase_names[j->phase]);
    evbuffer_add_printf(out, ", \"result\": ");
    json_string(out, j->phase != PH_DONE ? "pending" : j->ok ? "ok" : "failed");
    evbuffer_add_printf(out, ", \"message\": ");
    json_string(out, j->message);
    evbuffer_add_printf(out, ", \"progress\": ");
    json_string(out, j->progress);
    evbuffer_add_printf(out, ", \"steps\": ");
    json_lines(out, j->steps);
    evbuffer_add_printf(out, ", \"ops\": [");
    size_t nops = j->nargs ? j->nargs : 1;
    for (size_t k = 0; k < nops; k++) {
        const struct op_result *r = &j->res[k];
        evbuffer_add_printf(out, "%s{\"argument\": ", k ? ", " : "");
        json_string(out, j->nargs ? j->args[k] : "");
        evbuffer_add_printf(out, ", \"op_index\": %u, \"status\": ", r->accepted ? r->index : 0);
        json_string(out, op_status_names[r->status >= 0 && r->status <= OPS_FAILED ? r->status : 0]);
        evbuffer_add_printf(out, ", \"exit_code\": %d}", r->accepted && r->status >= 3 ? r->exit_code : -1);
    }
    evbuffer_add_printf(out, "], \"output\": ");
    json_string(out, j->output);
    evbuffer_add_printf(out, "}\n");
}

void op_job_view(struct evbuffer *out, const struct job *j, bool json)
{
    if (json)
        view_json(out, j);
    else
        view_text(out, j);
}
