/* Draining nodes to their end (see decide_drains.h). */
#include "decide_drains.h"

#include <stdio.h>
#include <time.h>

#include "decide_node.h"
#include "event_log.h"
#include "node_view.h"

void progress_drains(struct cluster *cl, const struct decide_out *out)
{
    const struct ctl_config *cfg = cl->cfg;
    time_t now = time(NULL);
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        if (!n->have_sample || n->s.state != NSTATE_DRAINING) {
            n->drain_since = 0;
            continue;
        }
        if (!n->drain_since) {
            n->drain_since = now;
            event_log("node %s: draining (weight 0 on its directors)", n->peer.name);
        }
        if (n->set_in_flight || cl->panic)
            continue;
        int si = node_service(cl, n);
        unsigned active = 0, onnode = 0;
        bool seen_all = true, zeroed = true;
        if (si >= 0) {
            const struct ctl_service *s = &cfg->services[si];
            struct sockaddr_storage a = dest_addr(n, s);
            for (size_t k = 0; k < s->ndirectors; k++) {
                const struct director_rt *d = cl->dirs[s->directors[k]];
                if (!d->walked) {
                    seen_all = false;
                    continue;
                }
                const struct dest_obs *o = dir_find(d, si, &a);
                if (o) {
                    active += o->active;
                    /* a walk's weight, not an acknowledged write's: the
                     * walk after the weight took force, with a node
                     * sample as fresh, is what the counts are read from */
                    zeroed = zeroed && o->walked_weight == 0;
                }
            }
            /* The director's ActiveConn is its own estimate (with direct
             * routing it never sees the replies); the node's count of
             * established connections on the application's ports is the
             * truth.  The drain waits for both to reach 0. */
            const struct app_sample *ap = s->app[0] ? find_app(n, s->app) : NULL;
            onnode = s->app[0] ? (ap ? ap->estab : 0) : n->s.conns;
        }
        unsigned left = active > onnode ? active : onnode;
        /* Counts taken before every director has weight 0 in force miss the
         * connections that still arrive: wait for a walk that shows it. */
        bool timeout = now - n->drain_since >= (time_t)cfg->drain_timeout_s;
        if (!timeout && (!seen_all || !zeroed || left > 0))
            continue;
        char why[160];
        if (!seen_all || !zeroed)
            snprintf(why, sizeof why, "drain timeout %us, weight 0 not seen on every director",
                     cfg->drain_timeout_s);
        else if (left > 0)
            snprintf(why, sizeof why, "drain timeout %us, %u connections left (director %u, node %u)",
                     cfg->drain_timeout_s, left, active, onnode);
        else
            snprintf(why, sizeof why, "no active connections left");
        char decision[512];
        if (scale_in_drain(n) && n->op_job) {
            /* A reboot or shutdown took the drain over: maintenance keeps
             * the node out of the pool until the operation has run. */
            snprintf(decision, sizeof decision,
                     "node %s drained (%s): maintenance for job %u, which took over its scale-in drain",
                     n->peer.name, why, n->op_job);
            decide_set_node(cl, out, n, 0, NULL, NSTATE_MAINTENANCE, why, decision, false);
        } else if (scale_in_drain(n)) {
            snprintf(decision, sizeof decision, "node %s drained (%s): back to the spares", n->peer.name, why);
            decide_set_node(cl, out, n, ROLE_SPARE, "", NSTATE_RUNNING, why, decision, false);
        } else {
            snprintf(decision, sizeof decision, "node %s drained (%s): maintenance", n->peer.name, why);
            decide_set_node(cl, out, n, 0, NULL, NSTATE_MAINTENANCE, why, decision, false);
        }
    }
}
