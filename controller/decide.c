/* A cycle's decisions, and the operator's requests (see decide.h). */
#include "decide.h"

#include <stdio.h>

#include "decide_directors.h"
#include "decide_drains.h"
#include "decide_node.h"
#include "decide_roles.h"
#include "event_log.h"
#include "health.h"
#include "node_view.h"
#include "snmp_set.h"

/* Removal first: a failed member's destinations leave in the same turn
 * as the decision that it failed, before the promotion's writes. */
static void decide_all(struct cluster *cl, const struct decide_out *out, bool polled)
{
    if (cl->panic)
        return;                            /* freeze: no role changes, no removals */
    /* A director whose writes of an earlier turn are on their way has a
     * table that may predate them: reconcile_directors waits for them
     * (removals do not: they are marked on their destination). */
    for (size_t i = 0; i < cl->ndirs; i++)
        cl->dirs[i]->stale = cl->dirs[i]->sets_in_flight > 0;
    remove_failed_members(cl, out);
    progress_drains(cl, out);
    reconcile_roles(cl, out, polled);
    reconcile_directors(cl, out);
}

void decide_run(struct cluster *cl, const struct decide_out *out)
{
    health_feed(cl);
    decide_all(cl, out, true);
}

void decide_now(struct cluster *cl, const struct decide_out *out)
{
    decide_all(cl, out, false);
}

void decide_cycle(struct cluster *cl)
{
    snmp_set_expire();
    decide_run(cl, &decide_to_peers);
}

int decide_drain(struct cluster *cl, struct node_rt *n, bool drain, char *err, size_t errlen)
{
    if (!n->have_sample || n->hyst.health == NODE_DOWN) {
        snprintf(err, errlen, "node %s is not answering", n->peer.name);
        return -1;
    }
    if (drain && (n->s.state == NSTATE_DRAINING || n->s.state == NSTATE_MAINTENANCE)) {
        snprintf(err, errlen, "node %s is already %s", n->peer.name,
                 n->s.state == NSTATE_DRAINING ? "draining" : "in maintenance");
        return -1;
    }
    if (!drain && n->s.state != NSTATE_DRAINING && n->s.state != NSTATE_MAINTENANCE) {
        snprintf(err, errlen, "node %s is not drained", n->peer.name);
        return -1;
    }
    event_log("operator: %s node %s%s", drain ? "drain" : "undrain", n->peer.name,
              drain ? "" : ": back to the spares");
    /* An undrained node returns as a spare: the service was refilled when
     * the drain began, and the spare pool is where capacity waits.  A drain
     * keeps the role: an operator drain ends in maintenance. */
    const struct decide_out *out = &decide_to_peers;
    /* A hot spare drained loses its service: role spare, service kept and
     * draining would read as a scale-in drain, which ends in the spares,
     * not in maintenance. */
    bool hot = drain && hot_service(cl, n) >= 0;
    int r = drain ? decide_set_node(cl, out, n, hot ? ROLE_SPARE : 0, hot ? "" : NULL, NSTATE_DRAINING,
                                    "operator drain", NULL, true)
                  : decide_set_node(cl, out, n, ROLE_SPARE, "", NSTATE_RUNNING, "operator undrain", NULL, true);
    if (r < 0) {
        snprintf(err, errlen, "cannot write to node %s (see the log)", n->peer.name);
        return -1;
    }
    return 0;
}

int decide_app(struct cluster *cl, struct node_rt *n, const char *app, int admin, char *err, size_t errlen)
{
    if (!n->have_sample || !find_app(n, app)) {
        snprintf(err, errlen, "node %s has no application %s", n->peer.name, app);
        return -1;
    }
    event_log("operator: application %s on node %s %s", app, n->peer.name,
              admin == 1 ? "start" : admin == 2 ? "stop" : "restart");
    if (decide_set_app(cl, &decide_to_peers, n, app, admin, "operator", true) < 0) {
        snprintf(err, errlen, "cannot write to node %s (see the log)", n->peer.name);
        return -1;
    }
    return 0;
}
