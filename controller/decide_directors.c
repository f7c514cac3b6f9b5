/* Directors' tables against the members (see decide_directors.h). */
#include "decide_directors.h"

#include <stdio.h>
#include <string.h>

#include "event_log.h"
#include "node_register.h"
#include "node_view.h"

/* The kernel turns a destination whose address is local to the director
 * into local(2) whatever method was asked for; that is not a difference
 * to correct (it would be "corrected" every cycle). */
static bool fwd_differs(int have, enum ctl_fwd want)
{
    return have != 2 && have != (int)want;
}

/* An intent of KIND to director DI about service SI. */
static struct intent dir_intent(const struct cluster *cl, enum intent_kind kind, size_t di, size_t si)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    struct intent it = { .kind = kind, .peer = di, .svc = si };
    lamon_vs_key_from_sa(&it.vs, (unsigned)s->protocol, &s->vip);
    return it;
}

/* Each write is one decision with its own back-off, keyed by what it
 * changes (service index and address: a reload renews directors) and to
 * what. */
static void want_service(struct cluster *cl, const struct decide_out *out, size_t si, size_t di)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    struct director_rt *d = cl->dirs[di];
    struct intent it = dir_intent(cl, INTENT_VS_CREATE, di, si);
    snprintf(it.key, sizeof it.key, "create %zu", si);
    if (!backoff_ready(&d->backoff, it.key, cl->cycle))
        return;
    snprintf(it.sched, sizeof it.sched, "%s", s->sched);
    snprintf(it.what, sizeof it.what, "director %s: create service %s (scheduler %s): not in its table",
             d->peer.name, s->name, s->sched);
    decide_emit(cl, out, &it);
}

/* Member N of service SI as it should be in director DI's table. */
static void want_member(struct cluster *cl, const struct decide_out *out, size_t si, size_t di,
                        const struct node_rt *n)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    struct director_rt *d = cl->dirs[di];
    struct sockaddr_storage a = dest_addr(n, s);
    const struct dest_obs *have = dir_find(d, (int)si, &a);
    int weight = n->s.state == NSTATE_DRAINING ? 0
               : s->weights_follow ? follow_weight(s->weight, node_load(n, s), s->high, have ? have->weight : -1)
               : s->weight;
    if (n->s.state == NSTATE_DRAINING && !have)
        return;                            /* never add a draining node */
    char as[64];
    addr_str(&a, as, sizeof as);
    char reason[96] = "";
    if (weight == 0)
        snprintf(reason, sizeof reason, " (drain)");
    else if (s->weights_follow)
        snprintf(reason, sizeof reason, " (follows %s %.2f of high %.2f)", load_unit(s), node_load(n, s), s->high);
    struct intent it = dir_intent(cl, have ? INTENT_DEST_WEIGHT : INTENT_DEST_ADD, di, si);
    it.dest = a;
    it.weight = weight;
    it.fwd = (int)s->fwd;
    /* The weight is part of the decision: a failing load-following
     * change must not hold back the drain's weight 0. */
    snprintf(it.key, sizeof it.key, "%s %zu %s weight %d", have ? "change" : "add", si, as, weight);
    if (!backoff_ready(&d->backoff, it.key, cl->cycle))
        return;
    if (!have) {
        snprintf(it.what, sizeof it.what, "director %s: add %s (%s) to service %s weight %d%s: node up and %s",
                 d->peer.name, n->peer.name, as, s->name, weight, reason,
                 s->app[0] ? "its application runs" : "serving");
        decide_emit(cl, out, &it);
    } else if (have->weight != weight || fwd_differs(have->fwd, s->fwd)) {
        it.set_fwd = fwd_differs(have->fwd, s->fwd);
        snprintf(it.what, sizeof it.what, "director %s: %s (%s) in service %s weight %d -> %d%s", d->peer.name,
                 n->peer.name, as, s->name, have->weight, weight, reason);
        decide_emit(cl, out, &it);
    }
}

/* Destination OB of service SI in director DI's table, unless wanted. */
static void unwant(struct cluster *cl, const struct decide_out *out, size_t si, size_t di,
                   const struct dest_obs *ob)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    struct director_rt *d = cl->dirs[di];
    const struct node_rt *n = node_at(cl, s, &ob->addr);
    const char *reason;
    if (ob->removing)
        return;                            /* removal first sent it this turn */
    if (n && in_service(cl, n, (int)si) && node_ready(cl, n) && !n->failed)
        return;                            /* wanted: want_member's */
    if (n && in_service(cl, n, (int)si) && !node_settled(n))
        return;                            /* not judged yet: leave it be */
    if (n && n->registered && !n->have_sample && n->hyst.health == NODE_UNKNOWN)
        return;                            /* registered, not polled yet: the same */
    if (!n && registration_hold(cl))
        return;                            /* may be a registered node not heard from yet */
    if (!n)
        reason = "not a configured node";
    else if (n->hyst.health == NODE_DOWN)
        reason = "node down";
    else if (in_service(cl, n, (int)si) && n->app.health == NODE_DOWN)
        reason = "application down";
    else if (n->s.state == NSTATE_MAINTENANCE)
        reason = "node in maintenance";
    else
        reason = "not a member of the service";
    char as[64];
    addr_str(&ob->addr, as, sizeof as);
    struct intent it = dir_intent(cl, INTENT_DEST_REMOVE, di, si);
    it.dest = ob->addr;
    snprintf(it.key, sizeof it.key, "remove %zu %s", si, as);
    if (!backoff_ready(&d->backoff, it.key, cl->cycle))
        return;
    if (cl->panic) {
        event_log("director %s: would remove %s from service %s (%s), frozen by panic", d->peer.name, as,
                  s->name, reason);
        return;
    }
    snprintf(it.what, sizeof it.what, "director %s: remove %s%s%s from service %s: %s", d->peer.name,
             n ? n->peer.name : as, n ? " " : "", n ? as : "", s->name, reason);
    decide_emit(cl, out, &it);
}

static void sync_director(struct cluster *cl, const struct decide_out *out, size_t si, size_t di)
{
    const struct director_rt *d = cl->dirs[di];
    if (!d->vs_present[si]) {
        want_service(cl, out, si, di);
        return;                            /* destinations follow next cycle */
    }
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        if (in_service(cl, n, (int)si) && node_ready(cl, n) && !n->failed)
            want_member(cl, out, si, di, n);
    }
    for (size_t k = 0; k < d->ndests; k++)
        if (d->dests[k].svc == (int)si)
            unwant(cl, out, si, di, &d->dests[k]);
}

void remove_failed_members(struct cluster *cl, const struct decide_out *out)
{
    const struct ctl_config *cfg = cl->cfg;
    if (cl->panic)
        return;                            /* reconcile_directors logs what it would do */
    for (size_t si = 0; si < cfg->nservices; si++) {
        const struct ctl_service *s = &cfg->services[si];
        for (size_t k = 0; k < s->ndirectors; k++) {
            size_t di = (size_t)s->directors[k];
            const struct director_rt *d = cl->dirs[di];
            if (!d->has_table || d->doubt || !d->vs_present[si])
                continue;
            for (size_t j = 0; j < d->ndests; j++) {
                const struct dest_obs *ob = &d->dests[j];
                const struct node_rt *n = ob->svc == (int)si ? node_at(cl, s, &ob->addr) : NULL;
                if (n && n->failed && in_service(cl, n, (int)si))
                    unwant(cl, out, si, di, ob);
            }
        }
    }
}

void reconcile_directors(struct cluster *cl, const struct decide_out *out)
{
    const struct ctl_config *cfg = cl->cfg;
    for (size_t si = 0; si < cfg->nservices; si++) {
        const struct ctl_service *s = &cfg->services[si];
        for (size_t k = 0; k < s->ndirectors; k++) {
            size_t di = (size_t)s->directors[k];
            const struct director_rt *d = cl->dirs[di];
            /* An unreachable director is left alone; being level-triggered,
             * the next walk after it returns gives it what it missed.  A
             * reachable one is judged on its last walk and the writes it
             * acknowledged since (dir_table.h), also while a walk is on
             * its way: a heartbeat's decision does not wait for it. */
            if (!d->reachable || d->stale || d->doubt)
                continue;
            sync_director(cl, out, si, di);
        }
    }
}
