/* One control request against the cluster (see ctl_run.h). */
#include "ctl_run.h"

#include <stdio.h>

#include "decide.h"
#include "job_list.h"
#include "node_ops.h"
#include "status_view.h"
#include "watch_job.h"

enum ctl_outcome ctl_run(struct cluster *cl, const struct ctl_request *rq, struct evbuffer *body, unsigned *job,
                         char *err, size_t errlen)
{
    char *const *w = rq->arg;
    *job = 0;
    switch (rq->cmd) {
    case CTL_STATUS:
        view_status(body, cl, rq->json);
        return CTL_DONE;
    case CTL_SERVICES:
        view_services(body, cl, rq->json);
        return CTL_DONE;
    case CTL_STATS:
        view_stats(body, cl, rq->json);
        return CTL_DONE;
    case CTL_LOG:
        view_log(body, rq->num, rq->json);
        return CTL_DONE;
    case CTL_NODE:
        if (view_node(body, cl, w[0], rq->json) < 0) {
            snprintf(err, errlen, "no node %s", w[0]);
            return CTL_NO_SUCH;
        }
        return CTL_DONE;
    case CTL_JOB:
        if (job_list_view(body, (unsigned)rq->num, rq->json) < 0) {
            snprintf(err, errlen, "no job %lu", rq->num);
            return CTL_NO_SUCH;
        }
        return CTL_DONE;
    case CTL_DRAIN:
    case CTL_UNDRAIN:
    case CTL_APP: {
        int i = cluster_find_node(cl, w[0]);
        if (i < 0) {
            snprintf(err, errlen, "no node %s", w[0]);
            return CTL_NO_SUCH;
        }
        /* Followed by a job (watch_job.h), made first: no request unfollowed;
         * none sent when the node or the cluster has too many pending. */
        enum watch_kind kind = rq->cmd == CTL_APP ? WATCH_APP : rq->cmd == CTL_DRAIN ? WATCH_DRAIN : WATCH_UNDRAIN;
        if (watch_job_room(w[0], kind, err, errlen) < 0)
            return CTL_REFUSED;
        struct watch_job *wj = watch_job_new(w[0], kind, rq->cmd == CTL_APP ? w[1] : NULL, rq->admin);
        if (!wj) {
            snprintf(err, errlen, "out of memory");
            return CTL_NO_MEMORY;
        }
        if (rq->cmd == CTL_APP) {
            if (decide_app(cl, cl->nodes[i], w[1], rq->admin, err, errlen) < 0) {
                watch_job_discard(wj);
                return CTL_REFUSED;
            }
            evbuffer_add_printf(body, "application %s on %s: %s requested\n", w[1], w[0], w[2]);
        } else {
            if (decide_drain(cl, cl->nodes[i], rq->cmd == CTL_DRAIN, err, errlen) < 0) {
                watch_job_discard(wj);
                return CTL_REFUSED;
            }
            evbuffer_add_printf(body, "%s %s requested\n", ctl_cmd_name(rq->cmd), w[0]);
        }
        *job = watch_job_start(cl, wj);
        return CTL_DONE;
    }
    case CTL_OP:
        *job = node_ops_start(cl, w[0], w + 1, rq->nargs - 1, err, errlen);
        if (!*job)
            return cluster_find_node(cl, w[0]) < 0 ? CTL_NO_SUCH : CTL_REFUSED;
        evbuffer_add_printf(body, "job %u\n", *job);
        return CTL_DONE;
    }
    snprintf(err, errlen, "unknown command");
    return CTL_REFUSED;
}
