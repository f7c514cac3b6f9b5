/* Roles, scaling and application starts (see decide_roles.h). */
#include "decide_roles.h"

#include <stdio.h>
#include <time.h>

#include "ctl_metrics_counters.h"
#include "decide_hot.h"
#include "decide_node.h"
#include "event_log.h"
#include "node_register.h"
#include "node_view.h"

/* A failed application start is retried after this long. */
#define APP_START_RETRY 30
/* svc_short of a shortfall logged while promotions wait (node_register.h). */
#define HOLD_MARK 0x40000000u

static bool can_promote(const struct cluster *cl, const struct node_rt *n, const char *service)
{
    return n->have_sample && !n->set_in_flight && n->hyst.health == NODE_UP &&
           (n->s.role == ROLE_SPARE || n->s.role == ROLE_UNASSIGNED) &&
           n->s.state != NSTATE_MAINTENANCE && n->s.state != NSTATE_DRAINING && n->s.state != NSTATE_STOPPING &&
           !(hot_service(cl, n) >= 0 && n->failed) &&    /* fell over as a hot spare: cooled first */
           decide_role_ready(cl, n, ROLE_SERVER, service, 0);
}

/* Which spares go first: a hot spare of the service that is ready (only
 * the directors' add is left), one still being heated for it (its start
 * is under way), a cold spare or new node, and last a hot spare of
 * another service (that service would lose it). */
static int promote_rank(const struct cluster *cl, const struct node_rt *n, int si)
{
    int hot = hot_service(cl, n);
    if (hot == si)
        return hot_ready(cl, n, si) ? 0 : 1;
    return hot < 0 ? 2 : 3;
}

/* The best node to promote to SERVICE, or NULL; *WAITING counts the nodes
 * that would do but whose promotion failed and backs off. */
static struct node_rt *best_spare(struct cluster *cl, const char *service, unsigned *waiting)
{
    struct node_rt *best = NULL;
    int si = ctl_config_find_service(cl->cfg, service);
    *waiting = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        if (!can_promote(cl, n, service)) {
            *waiting += n->have_sample && !n->set_in_flight && n->hyst.health == NODE_UP &&
                        (n->s.role == ROLE_SPARE || n->s.role == ROLE_UNASSIGNED) &&
                        !decide_role_ready(cl, n, ROLE_SERVER, service, 0);
            continue;
        }
        /* Hot first (promote_rank), then the least loaded; spares before
         * unassigned nodes on a tie. */
        int r = promote_rank(cl, n, si), br = best ? promote_rank(cl, best, si) : 0;
        if (!best || r < br ||
            (r == br && (n->s.load1 < best->s.load1 ||
                         (n->s.load1 == best->s.load1 && n->s.role == ROLE_SPARE && best->s.role != ROLE_SPARE))))
            best = n;
    }
    return best;
}

static void scale(struct cluster *cl, size_t si, unsigned live)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    if (s->high <= 0 || !cl->svc_target[si])
        return;
    double sum = 0;
    unsigned n = 0;
    /* Draining members carry no new traffic: they do not count. */
    for (size_t i = 0; i < cl->nnodes; i++)
        if (in_service(cl, cl->nodes[i], (int)si) && node_ready(cl, cl->nodes[i]) &&
            cl->nodes[i]->s.state != NSTATE_DRAINING) {
            sum += node_load(cl->nodes[i], s);
            n++;
        }
    if (n == 0)
        return;
    double avg = sum / n;
    cl->svc_high[si] = avg > s->high ? cl->svc_high[si] + 1 : 0;
    cl->svc_low[si] = s->low > 0 && avg < s->low ? cl->svc_low[si] + 1 : 0;
    unsigned k = cl->cfg->scale_polls;
    if (cl->svc_high[si] >= k && cl->svc_target[si] < s->max && live >= cl->svc_target[si]) {
        cl->svc_target[si]++;
        cl->svc_high[si] = 0;
        event_log("service %s: scale out to %u nodes (mean %s %.2f above %.2f for %u polls)", s->name,
                  cl->svc_target[si], load_unit(s), avg, s->high, k);
    } else if (cl->svc_low[si] >= k && cl->svc_target[si] > s->min) {
        cl->svc_target[si]--;
        cl->svc_low[si] = 0;
        event_log("service %s: scale in to %u nodes (mean %s %.2f below %.2f for %u polls)", s->name,
                  cl->svc_target[si], load_unit(s), avg, s->low, k);
    }
}

/* Members of service SI: LIVE as the decisions see them (writes on their
 * way included), PLACED only those whose role is in place. */
static void count_members(const struct cluster *cl, size_t si, unsigned *live, unsigned *placed)
{
    *live = *placed = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        if (!in_service(cl, n, (int)si) || !node_live(n) || n->s.state == NSTATE_DRAINING)
            continue;
        (*live)++;
        *placed += node_is_member(cl, n, (int)si);
    }
}

void reconcile_roles(struct cluster *cl, const struct decide_out *out, bool polled)
{
    const struct ctl_config *cfg = cl->cfg;
    bool settled = cluster_settled(cl);
    /* Registered members may not be known again yet: no promotion. */
    bool hold = registration_hold(cl);
    /* A role write of an earlier cycle still on its way: a poll may have
     * overwritten what it wrote with what the agent said before it. */
    bool roles_landed = true;
    for (size_t i = 0; i < cl->nnodes; i++)
        roles_landed = roles_landed && !cl->nodes[i]->role_pending;
    bool all_strong = true;              /* every service has its members in place */
    time_t now = time(NULL);
    char why[128], decision[512];
    for (size_t si = 0; si < cfg->nservices; si++) {
        const struct ctl_service *s = &cfg->services[si];
        unsigned live, placed;
        count_members(cl, si, &live, &placed);
        if (!cl->svc_target[si] && settled) {
            /* First full view since start: adopt the strength found (a
             * restart keeps a scaled-out service as it is). */
            unsigned t = live > s->nodes ? live : s->nodes;
            cl->svc_target[si] = t > s->max ? s->max : t;
        }
        if (polled)
            scale(cl, si, live);
        unsigned target = cl->svc_target[si] ? cl->svc_target[si] : s->nodes;
        /* A member that failed and is back: rejoin when the service still
         * needs it, else back to the spares before any director sees it.
         * "At strength without it" counts the members in place only. */
        for (size_t i = 0; i < cl->nnodes; i++) {
            struct node_rt *n = cl->nodes[i];
            if (!n->failed || n->set_in_flight || !in_service(cl, n, (int)si) || !node_live(n) ||
                n->hyst.health != NODE_UP)
                continue;
            bool counted = node_is_member(cl, n, (int)si) && n->s.state != NSTATE_DRAINING;
            if (placed - counted >= target) {
                snprintf(decision, sizeof decision,
                         "node %s is back; service %s is at strength without it (%u of %u nodes): back to the spares",
                         n->peer.name, s->name, placed - counted, target);
                if (decide_set_node(cl, out, n, ROLE_SPARE, "", 0, "returned after a failure, service at strength", decision,
                             false) == 0) {
                    live--;
                    placed -= counted;
                }
            } else {
                event_log("node %s is back and rejoins service %s (%u of %u nodes)", n->peer.name, s->name,
                          live, target);
                n->failed = false;
            }
        }
        /* Each promotion that fails makes its node back off, so the next
         * candidate is tried; the guard bounds the loop all the same. */
        unsigned waiting = 0;
        for (size_t guard = 0; !hold && live < target && guard <= cl->nnodes; guard++) {
            struct node_rt *n = best_spare(cl, s->name, &waiting);
            if (!n)
                break;
            snprintf(why, sizeof why, "service %s has %u of %u nodes", s->name, live, target);
            enum ctl_promotion kind = hot_ready(cl, n, (int)si) ? PROMO_HOT
                                    : hot_service(cl, n) == (int)si ? PROMO_WARMING
                                    : n->s.role == ROLE_SPARE ? PROMO_SPARE : PROMO_NEW;
            static const char *const words[PROMO_KINDS] = { "hot spare", "warming hot spare", "spare", "new node" };
            snprintf(decision, sizeof decision, "promote %s %s to service %s: %s", words[kind], n->peer.name,
                     s->name, why);
            if (decide_set_node(cl, out, n, ROLE_SERVER, s->name, 0, why, decision, false) == 0) {
                live++;
                ctl_counters_promotion(kind);
            }
        }
        /* The shortfall is logged when it changes.  Members whose role
         * write is still on its way do not count: were they counted, each
         * failing retry would log a shortfall that came and went. */
        if (live < target && hold) {
            if (cl->svc_short[si] != ((target - placed) | HOLD_MARK))
                event_log("service %s: %u of %u nodes; promotions wait for nodes to register", s->name, live,
                          target);
            /* Marked apart, so that a shortfall that outlasts the wait is
             * logged as such. */
            cl->svc_short[si] = (target - placed) | HOLD_MARK;
        } else if (live < target) {
            if (cl->svc_short[si] != target - placed) {
                if (waiting)
                    event_log("service %s: %u of %u nodes in place; %u candidate%s back off after failed writes",
                              s->name, placed, target, waiting, waiting == 1 ? "" : "s");
                else
                    event_log("service %s: %u of %u nodes and no spare to promote", s->name, live, target);
            }
            cl->svc_short[si] = target - placed;
        } else {
            cl->svc_short[si] = 0;
        }
        if (placed < target)
            all_strong = false;
        /* Surplus: only once the whole cluster has been seen, so that a
         * restart never mistakes slow answers for extra nodes, and only
         * from members in place, so that a write that fails cannot leave
         * the service short. */
        while (settled && live > target && placed > target) {
            struct node_rt *pick = NULL;
            for (size_t i = 0; i < cl->nnodes; i++) {
                struct node_rt *n = cl->nodes[i];
                if (!node_is_member(cl, n, (int)si) || !node_live(n) || n->set_in_flight ||
                    n->s.state == NSTATE_DRAINING)
                    continue;
                /* A member that failed and came back, or one that carries
                 * no traffic yet, goes first; then the least busy. */
                bool nq = n->failed || !node_ready(cl, n), pq = pick && (pick->failed || !node_ready(cl, pick));
                if (!pick || (nq && !pq) || (nq == pq && n->s.conns < pick->s.conns))
                    pick = n;
            }
            if (!pick)
                break;
            snprintf(why, sizeof why, "service %s has %u nodes, wants %u", s->name, live, target);
            if (pick->failed || !node_ready(cl, pick)) {
                snprintf(decision, sizeof decision, "node %s back to the spares: %s", pick->peer.name, why);
                decide_set_node(cl, out, pick, ROLE_SPARE, "", 0, why, decision, false);
            } else {
                snprintf(decision, sizeof decision, "drain %s for scale-in: %s", pick->peer.name, why);
                decide_set_node(cl, out, pick, ROLE_SPARE, s->name, NSTATE_DRAINING, why, decision, false);
            }
            live--;                      /* whatever the outcome: the loop ends */
            placed--;
        }
    }
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        if (!n->have_sample || n->set_in_flight || n->hyst.health != NODE_UP)
            continue;
        if (n->s.role == ROLE_UNASSIGNED) {
            /* While a service lacks members in place the node may be needed
             * there: it stays a candidate for promotion. */
            if (!all_strong)
                continue;
            snprintf(decision, sizeof decision, "node %s joins the spares: every service is at strength",
                     n->peer.name);
            decide_set_node(cl, out, n, ROLE_SPARE, "", 0, "new node, services at strength", decision, false);
        } else if (n->s.role == ROLE_SERVER && node_service(cl, n) < 0) {
            snprintf(decision, sizeof decision, "node %s serves unknown service '%s': back to the spares",
                     n->peer.name, n->s.service);
            decide_set_node(cl, out, n, ROLE_SPARE, "", 0, "service not configured", decision, false);
        }
    }
    reconcile_hot(cl, out, settled && roles_landed);
    /* Start the application of members whose application is not running
     * (a freshly promoted spare, or a server whose application stopped),
     * and of hot spares (a freshly heated one). */
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        int si = app_service(cl, n);
        if (si < 0 || !cfg->services[si].app[0] || n->set_in_flight || n->hyst.health != NODE_UP ||
            n->s.state != NSTATE_RUNNING)
            continue;
        const struct app_sample *a = find_app(n, cfg->services[si].app);
        if (!a || a->oper == APP_UP || a->oper == APP_STARTING || now - n->app_start_sent < APP_START_RETRY)
            continue;
        if (decide_set_app(cl, out, n, cfg->services[si].app, 1,
                           n->s.role == ROLE_SPARE ? "hot spare of its service with the application down"
                                                   : "member of its service with the application down",
                           false) != 1)
            n->app_start_sent = now;
    }
}
