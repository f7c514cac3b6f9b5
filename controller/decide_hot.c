/* Hot spares (see decide_hot.h). */
#include "decide_hot.h"

#include <stdio.h>
#include <time.h>

#include "decide_node.h"
#include "event_log.h"
#include "node_view.h"

/* A spare that fell over as a hot spare is heated again only when no
 * other spare will do, for this long: an application that keeps failing
 * on it must not be started there again and again. */
#define HOT_FELL_AVOID 60

/* Role spare, no service: cold.  Its application is left as it is, as a
 * scale-in drain's is when it returns to the spares: the node has one
 * write in flight at a time, and a cold spare whose application runs is
 * the first to be heated again. */
static void cool(struct cluster *cl, const struct decide_out *out, struct node_rt *n, const char *why,
                 const char *decision)
{
    decide_set_node(cl, out, n, ROLE_SPARE, "", 0, why, decision, false);
}

/* Spare N may be heated for service SI now. */
static bool can_heat(const struct cluster *cl, const struct node_rt *n, size_t si)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    return n->have_sample && !n->set_in_flight && n->hyst.health == NODE_UP && n->s.role == ROLE_SPARE &&
           !n->s.service[0] && n->s.state == NSTATE_RUNNING && find_app(n, s->app) &&
           decide_role_ready(cl, n, ROLE_SPARE, s->name, 0);
}

/* Lower is better: fell over lately last, running the application first,
 * then the least loaded; configuration order breaks ties (the caller
 * keeps the first). */
static long long heat_rank(const struct node_rt *n, const struct ctl_service *s, time_t now)
{
    const struct app_sample *a = find_app(n, s->app);
    bool fell = n->hot_fell && now - n->hot_fell < HOT_FELL_AVOID;
    bool runs = a && a->oper == APP_UP;
    return (fell ? 2LL << 40 : 0) + (runs ? 0 : 1LL << 40) + (long long)n->s.load1;
}

/* The hot spares of SI that count: answering and not fallen over. */
static unsigned count_hot(const struct cluster *cl, size_t si)
{
    unsigned k = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        k += hot_service(cl, n) == (int)si && n->hyst.health == NODE_UP && !n->failed;
    }
    return k;
}

/* Hot spares that fell over, and those of services that are gone. */
static void cool_fallen(struct cluster *cl, const struct decide_out *out, time_t now)
{
    const struct ctl_config *cfg = cl->cfg;
    char decision[512];
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        if (!n->have_sample || n->set_in_flight || n->hyst.health != NODE_UP || n->s.role != ROLE_SPARE ||
            !n->s.service[0] || n->s.state != NSTATE_RUNNING)
            continue;
        int si = hot_service(cl, n);
        if (si < 0) {
            snprintf(decision, sizeof decision, "node %s is a hot spare of unknown service '%s': back to the cold spares",
                     n->peer.name, n->s.service);
            cool(cl, out, n, "hot spare of a service not configured", decision);
        } else if (n->failed) {
            const struct ctl_service *s = &cfg->services[si];
            const char *what = n->app.health == NODE_DOWN ? "its application went down" : "its node went down";
            snprintf(decision, sizeof decision, "hot spare %s of service %s fell over (%s): back to the cold spares",
                     n->peer.name, s->name, what);
            if (decide_set_node(cl, out, n, ROLE_SPARE, "", 0, "hot spare fell over", decision, false) == 0)
                n->hot_fell = now;
        }
    }
}

static void keep_hot(struct cluster *cl, const struct decide_out *out, size_t si, time_t now)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    char why[128], decision[512];
    unsigned have = count_hot(cl, si);
    /* Surplus (a smaller "hot", a fallen one that came back before it was
     * cooled): the one not ready yet goes first, then the busiest. */
    for (size_t guard = 0; have > s->hot && guard <= cl->nnodes; guard++) {
        struct node_rt *pick = NULL;
        for (size_t i = 0; i < cl->nnodes; i++) {
            struct node_rt *n = cl->nodes[i];
            if (hot_service(cl, n) != (int)si || n->hyst.health != NODE_UP || n->failed || n->set_in_flight)
                continue;
            bool nr = !hot_ready(cl, n, (int)si), pr = pick && !hot_ready(cl, pick, (int)si);
            if (!pick || (nr && !pr) || (nr == pr && n->s.load1 >= pick->s.load1))
                pick = n;
        }
        if (!pick)
            break;
        snprintf(why, sizeof why, "service %s keeps %u hot spares, has %u", s->name, s->hot, have);
        snprintf(decision, sizeof decision, "cool hot spare %s: %s", pick->peer.name, why);
        cool(cl, out, pick, why, decision);
        have--;                            /* whatever the outcome: the loop ends */
    }
    for (size_t guard = 0; have < s->hot && guard <= cl->nnodes; guard++) {
        struct node_rt *best = NULL;
        long long br = 0;
        for (size_t i = 0; i < cl->nnodes; i++) {
            struct node_rt *n = cl->nodes[i];
            if (!can_heat(cl, n, si))
                continue;
            long long r = heat_rank(n, s, now);
            if (!best || r < br) {
                best = n;
                br = r;
            }
        }
        if (!best)
            break;
        const struct app_sample *a = find_app(best, s->app);
        snprintf(why, sizeof why, "service %s has %u of %u hot spares", s->name, have, s->hot);
        snprintf(decision, sizeof decision, "heat spare %s for service %s: %s; %s, out of IPVS", best->peer.name,
                 s->name, why, a && a->oper == APP_UP ? "its application runs already" : "start its application");
        if (decide_set_node(cl, out, best, ROLE_SPARE, s->name, 0, why, decision, false) == 0)
            have++;
    }
    unsigned lack = have < s->hot ? s->hot - have : 0;
    if (lack && cl->svc_hot_short[si] != lack)
        event_log("service %s: %u of %u hot spares and no cold spare to heat", s->name, have, s->hot);
    cl->svc_hot_short[si] = lack;
}

void reconcile_hot(struct cluster *cl, const struct decide_out *out, bool steady)
{
    time_t now = time(NULL);
    cool_fallen(cl, out, now);
    if (!steady)
        return;
    for (size_t si = 0; si < cl->cfg->nservices; si++)
        keep_hot(cl, out, si, now);
}
