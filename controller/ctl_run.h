/* Runs one parsed control request (control_command.h) against the
 * cluster: the one place where a lamonctl command and a web request turn
 * into views and operator actions, so that both see and do the same. */
#ifndef LAMON_CTL_RUN_H
#define LAMON_CTL_RUN_H

#include <stddef.h>

#include <event2/buffer.h>

#include "cluster.h"
#include "control_command.h"

enum ctl_outcome {
    CTL_DONE = 0,                    /* BODY holds the view or the confirmation */
    CTL_NO_SUCH = -1,                /* no such node or job (err says which) */
    CTL_REFUSED = -2,                /* the request cannot be carried out (err says why) */
    CTL_NO_MEMORY = -3,
};

/* Runs RQ.  A view or a confirmation line is appended to BODY; an
 * operation's job number goes to *JOB (0 for requests that start none). */
enum ctl_outcome ctl_run(struct cluster *cl, const struct ctl_request *rq, struct evbuffer *body, unsigned *job,
                         char *err, size_t errlen);

#endif
