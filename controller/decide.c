/* End-of-cycle health evaluation and reconciliation (see decide.h). */
#include "decide.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_log.h"
#include "snmp_set.h"

/* A failed application start is retried after this long. */
#define APP_START_RETRY 30
/* A decision whose SET failed waits 1 cycle, then 2, 4, ... up to this. */
#define BACKOFF_CAP_MS 60000

static const oid node_base[] = { LAMON_NODE };
static const oid app_entry[] = { LAMON_APP_ENTRY };
static const oid vs_entry[] = { LAMON_VS_ENTRY };
static const oid dest_entry[] = { LAMON_DEST_ENTRY };

static const char *role_name(int r)
{
    switch (r) {
    case ROLE_UNASSIGNED: return "unassigned";
    case ROLE_SERVER: return "server";
    case ROLE_SPARE: return "spare";
    case ROLE_DIRECTOR: return "director";
    default: return "-";
    }
}

/* A scale-in drain is written to the agent as role spare, state draining,
 * service kept: the node still belongs to the service (weight 0 on its
 * directors) until its connections are gone, and the role says where it
 * goes then.  Being on the agent, this survives a controller restart; an
 * operator drain keeps role server and ends in maintenance. */
static bool scale_in_drain(const struct node_rt *n)
{
    return n->s.state == NSTATE_DRAINING && n->s.role == ROLE_SPARE && n->s.service[0];
}

int node_service(const struct cluster *cl, const struct node_rt *n)
{
    if (!n->have_sample || !n->s.service[0] || (n->s.role != ROLE_SERVER && !scale_in_drain(n)))
        return -1;
    return ctl_config_find_service(cl->cfg, n->s.service);
}

static const struct app_sample *find_app(const struct node_rt *n, const char *name)
{
    for (size_t i = 0; i < n->s.napps; i++)
        if (strcmp(n->s.apps[i].name, name) == 0)
            return &n->s.apps[i];
    return NULL;
}

/* The node's load as service S measures it (ctl_config.h, "load"). */
static double node_load(const struct node_rt *n, const struct ctl_service *s)
{
    if (s->load == CTL_LOAD_LOAD1)
        return n->s.load1 / 100.0;
    if (!s->app[0])
        return n->s.conns;
    const struct app_sample *a = find_app(n, s->app);
    return a ? a->estab : 0;
}

static const char *load_unit(const struct ctl_service *s)
{
    return s->load == CTL_LOAD_CONNS ? "connections" : "load1";
}

int follow_weight(int base, double load, double high, int have)
{
    double f = high > 0 ? 1.0 - load / high : 1.0;
    long w = lround(base * f);
    if (w < 1)
        w = 1;
    if (w > base)
        w = base;
    /* Hysteresis: keep a weight in force that is close enough.  A weight of
     * 0 (drain) or outside 1..base is always corrected. */
    int step = base / 10 > 1 ? base / 10 : 1;
    if (have >= 1 && have <= base && labs(w - have) < step)
        return have;
    return (int)w;
}

/* The member the decisions see: as polled, or as just written (the write
 * may still be on its way), so that one cycle never promotes twice. */
static bool in_service(const struct cluster *cl, const struct node_rt *n, int svc)
{
    return svc >= 0 && node_service(cl, n) == svc && n->s.state != NSTATE_MAINTENANCE;
}

/* The member in place, for the views and for claims of strength: a role
 * write not yet acknowledged (and one that failed) makes no member. */
bool node_is_member(const struct cluster *cl, const struct node_rt *n, int svc)
{
    return in_service(cl, n, svc) && !n->role_pending;
}

/* Counts toward the service's strength: not known to have failed. */
static bool node_live(const struct node_rt *n)
{
    return n->hyst.health != NODE_DOWN && n->app.health != NODE_DOWN;
}

/* May carry traffic: known to answer and to run the application. */
bool node_ready(const struct cluster *cl, const struct node_rt *n)
{
    (void)cl;
    return n->hyst.health == NODE_UP && n->app.health == NODE_UP && n->s.state != NSTATE_MAINTENANCE;
}

static bool node_settled(const struct node_rt *n)
{
    return n->hyst.health != NODE_UNKNOWN && (n->hyst.health == NODE_DOWN || n->app.health != NODE_UNKNOWN);
}

const char *node_state_label(const struct cluster *cl, const struct node_rt *n)
{
    (void)cl;
    if (n->hyst.health == NODE_DOWN)
        return "down";
    if (n->hyst.health == NODE_UNKNOWN)
        return "unknown";
    if (n->s.state == NSTATE_MAINTENANCE)
        return "maintenance";
    if (n->s.state == NSTATE_DRAINING)
        return "draining";
    if (n->app.health == NODE_DOWN)
        return "app-down";
    if (n->app.health == NODE_UNKNOWN)
        return "app-wait";
    return "up";
}

/* --- health ------------------------------------------------------------ */

static void feed_health(struct cluster *cl)
{
    const struct ctl_config *cfg = cl->cfg;
    unsigned total = 0, vanished = 0, silent = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        total++;
        if (!n->answered) {
            silent++;
            if (n->answered_before)
                vanished++;
        }
    }
    bool was = cl->panic;
    cl->panic = panic_update(cl->panic, total, vanished, silent, cfg->panic_pct);
    if (cl->panic && !was)
        event_log("PANIC: %u of %u nodes stopped answering in one cycle (threshold %u%%): "
                  "the console's own network is the likely fault; removals are frozen",
                  vanished, total, cfg->panic_pct);
    else if (!cl->panic && was)
        event_log("panic over: %u of %u nodes silent; removals resume", silent, total);

    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        enum node_health before = n->hyst.health;
        enum node_health t = node_hyst_feed(&n->hyst, n->answered, cfg->rise, cfg->fall);
        if (t == NODE_UP)
            event_log("node %s: %s -> up (%u good polls)", n->peer.name, node_health_name(before), cfg->rise);
        else if (t == NODE_DOWN)
            event_log("node %s: %s -> down (%u missed polls)", n->peer.name, node_health_name(before), cfg->fall);
        if (t == NODE_DOWN)
            n->failed = true;
        if (!n->answered)
            continue;
        /* The application check follows the service the node serves now;
         * a new assignment starts a fresh history. */
        int svc = node_service(cl, n);
        const char *svcname = svc >= 0 ? cfg->services[svc].name : "";
        if (strcmp(n->app_for, svcname) != 0) {
            memset(&n->app, 0, sizeof n->app);
            snprintf(n->app_for, sizeof n->app_for, "%s", svcname);
        }
        if (svc < 0 || !cfg->services[svc].app[0]) {
            n->app.health = NODE_UP;
            n->app.good = cfg->rise;
            n->app.bad = 0;
            continue;
        }
        const char *appname = cfg->services[svc].app;
        const struct app_sample *a = find_app(n, appname);
        before = n->app.health;
        t = node_hyst_feed(&n->app, a && a->oper == APP_UP, cfg->rise, cfg->fall);
        if (t == NODE_UP)
            event_log("node %s: application %s of service %s %s -> up", n->peer.name, appname, svcname,
                      node_health_name(before));
        else if (t == NODE_DOWN)
            event_log("node %s: application %s of service %s %s -> down (%s for %u polls)", n->peer.name,
                      appname, svcname, node_health_name(before), a ? "not running" : "not on the agent",
                      cfg->fall);
        if (t == NODE_DOWN)
            n->failed = true;
    }
}

/* --- writes and their back-off ----------------------------------------- */

/* One SET of a decision, for its result: whose it is and which decision. */
struct write_ctx {
    struct node_rt *n;                    /* a node's write, or */
    struct director_rt *d;                /* a director's */
    bool role;                            /* a node's role write */
    char key[BACKOFF_KEY_MAX];
    char what[512];
};

static unsigned backoff_cap(const struct ctl_config *cfg)
{
    unsigned c = cfg->interval_ms ? BACKOFF_CAP_MS / cfg->interval_ms : 1;
    return c ? c : 1;
}

/* One line per failure, that is one per back-off step. */
static void write_failed(struct cluster *cl, struct backoff *bo, const char *key, const char *prefix,
                         const char *what, const char *why)
{
    unsigned fails, wait = backoff_fail(bo, key, cl->cycle, backoff_cap(cl->cfg), &fails);
    event_log("%s%s: %s; next try in %.1f s (%u failure%s in a row)", prefix, what, why,
              wait * (cl->cfg->interval_ms / 1000.0), fails, fails == 1 ? "" : "s");
}

static void write_done(struct cluster *cl, void *arg, bool ok, const char *why)
{
    struct write_ctx *c = arg;
    struct backoff *bo = c->n ? &c->n->backoff : &c->d->backoff;
    if (c->n) {
        c->n->set_in_flight = false;
        if (c->role)
            c->n->role_pending = false;
        if (!ok)
            c->n->have_sample = false;    /* our optimistic copy is wrong: wait for a poll */
    } else if (c->d->sets_in_flight) {
        c->d->sets_in_flight--;
    }
    if (why == SNMP_SET_ABANDONED) {
        /* nothing is known: the decision is simply taken again */
    } else if (ok) {
        unsigned fails = backoff_ok(bo, c->key);
        if (fails)
            event_log("SET done: %s, after %u failure%s", c->what, fails, fails == 1 ? "" : "s");
    } else {
        write_failed(cl, bo, c->key, "SET failed: ", c->what, why);
    }
    free(c);
}

/* Sends PDU, the write of decision KEY (see write_ctx).  Returns 0 when it
 * went out, -1 when it could not be sent (logged, backing off). */
static int send_write(struct cluster *cl, struct node_rt *n, struct director_rt *d, bool role, const char *key,
                      netsnmp_pdu *pdu, const char *what)
{
    struct backoff *bo = n ? &n->backoff : &d->backoff;
    struct write_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snmp_free_pdu(pdu);
        write_failed(cl, bo, key, "cannot ", what, "out of memory");
        return -1;
    }
    c->n = n;
    c->d = d;
    c->role = role;
    snprintf(c->key, sizeof c->key, "%s", key);
    snprintf(c->what, sizeof c->what, "%s", what);
    if (snmp_set_send(cl, n ? &n->wsess : &d->wsess, n ? &n->peer : &d->peer, pdu, what, write_done, c) < 0) {
        write_failed(cl, bo, key, "cannot ", what, snmp_set_error());
        free(c);
        return -1;
    }
    if (n)
        n->set_in_flight = true;
    else
        d->sets_in_flight++;
    return 0;
}

/* --- node SETs ------------------------------------------------------------ */

static void role_key(char *key, size_t len, int role, const char *service, int state)
{
    snprintf(key, len, "role %s '%s' state %d", role ? role_name(role) : "-", role ? service : "", state);
}

/* May the decision to write ROLE/SERVICE/STATE to N be taken now? */
static bool role_ready(const struct cluster *cl, const struct node_rt *n, int role, const char *service, int state)
{
    char key[BACKOFF_KEY_MAX];
    role_key(key, sizeof key, role, service, state);
    return backoff_ready(&n->backoff, key, cl->cycle);
}

/* Writes role + service and/or state.  DECISION, when given, is logged
 * first: only a decision that is carried out is logged.  A decision whose
 * earlier write failed waits for its back-off (returns 1, nothing logged)
 * unless FORCE (an operator's request).  Returns 0 when sent, -1 when it
 * failed now. */
static int set_node(struct cluster *cl, struct node_rt *n, int role, const char *service, int state,
                    const char *why, const char *decision, bool force)
{
    char key[BACKOFF_KEY_MAX];
    role_key(key, sizeof key, role, service, state);
    if (!force && !backoff_ready(&n->backoff, key, cl->cycle))
        return 1;
    if (decision)
        event_log("%s", decision);
    netsnmp_pdu *pdu = snmp_set_pdu();
    if (!pdu)
        return -1;
    oid o[LAMON_ROOT_LEN + 4];
    char what[512];
    size_t w = 0;
    memcpy(o, node_base, sizeof node_base);
    o[LAMON_ROOT_LEN + 3] = 0;
    w += (size_t)snprintf(what + w, sizeof what - w, "node %s:", n->peer.name);
    if (role) {
        o[LAMON_ROOT_LEN + 2] = LN_ROLE;
        snmp_set_add_int(pdu, o, LAMON_ROOT_LEN + 4, role);
        o[LAMON_ROOT_LEN + 2] = LN_SERVICE;
        snmp_set_add_str(pdu, o, LAMON_ROOT_LEN + 4, service);
        w += (size_t)snprintf(what + w, sizeof what - w, " role %s service '%s'", role_name(role), service);
    }
    if (state && w < sizeof what) {
        o[LAMON_ROOT_LEN + 2] = LN_STATE;
        snmp_set_add_int(pdu, o, LAMON_ROOT_LEN + 4, state);
        w += (size_t)snprintf(what + w, sizeof what - w, " state %d", state);
    }
    if (w < sizeof what)
        snprintf(what + w, sizeof what - w, " (%s)", why);
    if (send_write(cl, n, NULL, role != 0, key, pdu, what) < 0)
        return -1;
    if (role)
        n->role_pending = true;
    /* Optimistic: decisions later in this cycle see the node as written. */
    if (role) {
        n->s.role = role;
        snprintf(n->s.service, sizeof n->s.service, "%s", service);
    }
    if (state)
        n->s.state = state;
    /* A new service starts a fresh application history: the check for the
     * old one says nothing about the new service's application.  A
     * scale-in drain keeps its service, and its history with it. */
    int si = node_service(cl, n);
    const char *now_for = si >= 0 ? cl->cfg->services[si].name : "";
    if (role && strcmp(now_for, n->app_for) != 0) {
        n->failed = false;
        memset(&n->app, 0, sizeof n->app);
        snprintf(n->app_for, sizeof n->app_for, "%s", now_for);
    }
    return 0;
}

static int set_app_admin(struct cluster *cl, struct node_rt *n, const char *app, int admin, const char *why,
                         bool force)
{
    char key[BACKOFF_KEY_MAX];
    snprintf(key, sizeof key, "app %s admin %d", app, admin);
    if (!force && !backoff_ready(&n->backoff, key, cl->cycle))
        return 1;
    netsnmp_pdu *pdu = snmp_set_pdu();
    if (!pdu)
        return -1;
    oid o[MAX_OID_LEN];
    size_t len = LAMON_APP_ENTRY_LEN + 1;
    memcpy(o, app_entry, sizeof app_entry);
    o[LAMON_APP_ENTRY_LEN] = LA_ADMIN;
    len += lamon_app_index_encode(app, o + len, MAX_OID_LEN - len);
    snmp_set_add_int(pdu, o, len, admin);
    char what[512];
    snprintf(what, sizeof what, "node %s: application %s admin %s (%s)", n->peer.name, app,
             admin == 1 ? "up" : admin == 2 ? "down" : "restart", why);
    return send_write(cl, n, NULL, false, key, pdu, what);
}

/* --- roles ----------------------------------------------------------------- */

static bool can_promote(const struct cluster *cl, const struct node_rt *n, const char *service)
{
    return n->have_sample && !n->set_in_flight && n->hyst.health == NODE_UP &&
           (n->s.role == ROLE_SPARE || n->s.role == ROLE_UNASSIGNED) &&
           n->s.state != NSTATE_MAINTENANCE && n->s.state != NSTATE_DRAINING && n->s.state != NSTATE_STOPPING &&
           role_ready(cl, n, ROLE_SERVER, service, 0);
}

/* The best node to promote to SERVICE, or NULL; *WAITING counts the nodes
 * that would do but whose promotion failed and backs off. */
static struct node_rt *best_spare(struct cluster *cl, const char *service, unsigned *waiting)
{
    struct node_rt *best = NULL;
    *waiting = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        if (!can_promote(cl, n, service)) {
            *waiting += n->have_sample && !n->set_in_flight && n->hyst.health == NODE_UP &&
                        (n->s.role == ROLE_SPARE || n->s.role == ROLE_UNASSIGNED) &&
                        !role_ready(cl, n, ROLE_SERVER, service, 0);
            continue;
        }
        /* Least loaded first; spares before unassigned nodes on a tie. */
        if (!best || n->s.load1 < best->s.load1 ||
            (n->s.load1 == best->s.load1 && n->s.role == ROLE_SPARE && best->s.role != ROLE_SPARE))
            best = n;
    }
    return best;
}

static bool all_settled(const struct cluster *cl)
{
    for (size_t i = 0; i < cl->nnodes; i++)
        if (!node_settled(cl->nodes[i]))
            return false;
    return true;
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

static void reconcile_roles(struct cluster *cl)
{
    const struct ctl_config *cfg = cl->cfg;
    bool settled = all_settled(cl);
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
                if (set_node(cl, n, ROLE_SPARE, "", 0, "returned after a failure, service at strength", decision,
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
        for (size_t guard = 0; live < target && guard <= cl->nnodes; guard++) {
            struct node_rt *n = best_spare(cl, s->name, &waiting);
            if (!n)
                break;
            snprintf(why, sizeof why, "service %s has %u of %u nodes", s->name, live, target);
            snprintf(decision, sizeof decision, "promote %s %s to service %s: %s",
                     n->s.role == ROLE_SPARE ? "spare" : "new node", n->peer.name, s->name, why);
            if (set_node(cl, n, ROLE_SERVER, s->name, 0, why, decision, false) == 0)
                live++;
        }
        /* The shortfall is logged when it changes.  Members whose role
         * write is still on its way do not count: were they counted, each
         * failing retry would log a shortfall that came and went. */
        if (live < target) {
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
                set_node(cl, pick, ROLE_SPARE, "", 0, why, decision, false);
            } else {
                snprintf(decision, sizeof decision, "drain %s for scale-in: %s", pick->peer.name, why);
                set_node(cl, pick, ROLE_SPARE, s->name, NSTATE_DRAINING, why, decision, false);
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
            set_node(cl, n, ROLE_SPARE, "", 0, "new node, services at strength", decision, false);
        } else if (n->s.role == ROLE_SERVER && node_service(cl, n) < 0) {
            snprintf(decision, sizeof decision, "node %s serves unknown service '%s': back to the spares",
                     n->peer.name, n->s.service);
            set_node(cl, n, ROLE_SPARE, "", 0, "service not configured", decision, false);
        }
    }
    /* Start the application of members whose application is not running:
     * a freshly promoted spare, or a server whose application stopped. */
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        int si = node_service(cl, n);
        if (si < 0 || !cfg->services[si].app[0] || n->set_in_flight || n->hyst.health != NODE_UP ||
            n->s.state != NSTATE_RUNNING)
            continue;
        const struct app_sample *a = find_app(n, cfg->services[si].app);
        if (!a || a->oper == APP_UP || a->oper == APP_STARTING || now - n->app_start_sent < APP_START_RETRY)
            continue;
        if (set_app_admin(cl, n, cfg->services[si].app, 1, "member of its service with the application down",
                          false) != 1)
            n->app_start_sent = now;
    }
}

/* --- drains ---------------------------------------------------------------- */

static bool same_sa(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
    if (x->ss_family != y->ss_family)
        return false;
    if (x->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)x, *b = (const void *)y;
        return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
    }
    const struct sockaddr_in6 *a = (const void *)x, *b = (const void *)y;
    return memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0 && a->sin6_port == b->sin6_port;
}

static const struct dest_obs *dir_find(const struct director_rt *d, int svc, const struct sockaddr_storage *a)
{
    for (size_t i = 0; i < d->ndests; i++)
        if (d->dests[i].svc == svc && same_sa(&d->dests[i].addr, a))
            return &d->dests[i];
    return NULL;
}

/* The node's real-server address for service S: its HOST with the
 * service's real port. */
static struct sockaddr_storage dest_addr(const struct node_rt *n, const struct ctl_service *s)
{
    struct sockaddr_storage a = n->peer.addr;
    if (a.ss_family == AF_INET)
        ((struct sockaddr_in *)&a)->sin_port = htons(s->rport);
    else
        ((struct sockaddr_in6 *)&a)->sin6_port = htons(s->rport);
    return a;
}

static void progress_drains(struct cluster *cl)
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
                    zeroed = zeroed && o->weight == 0;
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
            set_node(cl, n, 0, NULL, NSTATE_MAINTENANCE, why, decision, false);
        } else if (scale_in_drain(n)) {
            snprintf(decision, sizeof decision, "node %s drained (%s): back to the spares", n->peer.name, why);
            set_node(cl, n, ROLE_SPARE, "", NSTATE_RUNNING, why, decision, false);
        } else {
            snprintf(decision, sizeof decision, "node %s drained (%s): maintenance", n->peer.name, why);
            set_node(cl, n, 0, NULL, NSTATE_MAINTENANCE, why, decision, false);
        }
    }
}

/* --- directors --------------------------------------------------------------- */

/* Appends the lamonVsTable index of S and (when DEST) the lamonDestTable
 * index of DEST in it to O. */
static size_t key_oid(oid *o, size_t len, const struct ctl_service *s, const struct sockaddr_storage *dest)
{
    struct lamon_vs_key k;
    lamon_vs_key_from_sa(&k, (unsigned)s->protocol, &s->vip);
    if (!dest)
        return len + lamon_vs_index_encode(&k, o + len);
    struct lamon_dest_key d;
    lamon_dest_key_from_sa(&d, dest);
    return len + lamon_dest_index_encode(&k, &d, o + len);
}

/* Sends a director's SET for decision KEY unless its back-off runs. */
static void dir_send(struct cluster *cl, struct director_rt *d, const char *key, netsnmp_pdu *pdu, const char *what)
{
    send_write(cl, NULL, d, false, key, pdu, what);
}

static void addr_str(const struct sockaddr_storage *a, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port;
    if (a->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, ip, sizeof ip);
        port = ntohs(((const struct sockaddr_in *)a)->sin_port);
        snprintf(buf, len, "%s:%u", ip, port);
    } else {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, ip, sizeof ip);
        port = ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
        snprintf(buf, len, "[%s]:%u", ip, port);
    }
}

static const struct node_rt *node_at(const struct cluster *cl, const struct ctl_service *s,
                                     const struct sockaddr_storage *a)
{
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct sockaddr_storage x = dest_addr(cl->nodes[i], s);
        if (same_sa(&x, a))
            return cl->nodes[i];
    }
    return NULL;
}

/* The kernel turns a destination whose address is local to the director
 * into local(2) whatever method was asked for; that is not a difference
 * to correct (it would be "corrected" every cycle). */
static bool fwd_differs(int have, enum ctl_fwd want)
{
    return have != 2 && have != (int)want;
}

static void sync_director(struct cluster *cl, size_t si, struct director_rt *d)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    oid o[MAX_OID_LEN];
    char what[512], as[64], key[BACKOFF_KEY_MAX];
    /* Each write is one decision with its own back-off, keyed by what it
     * changes (service index and address: a reload renews directors) and
     * to what. */
    if (!d->vs_present[si]) {
        snprintf(key, sizeof key, "create %zu", si);
        if (!backoff_ready(&d->backoff, key, cl->cycle))
            return;
        netsnmp_pdu *pdu = snmp_set_pdu();
        if (!pdu)
            return;
        memcpy(o, vs_entry, sizeof vs_entry);
        o[LAMON_IPVS_ENTRY_LEN] = LV_ROWSTATUS;
        size_t len = key_oid(o, LAMON_IPVS_ENTRY_LEN + 1, s, NULL);
        snmp_set_add_int(pdu, o, len, ROWSTATUS_CREATEANDGO);
        o[LAMON_IPVS_ENTRY_LEN] = LV_SCHED;
        snmp_set_add_str(pdu, o, len, s->sched);
        snprintf(what, sizeof what, "director %s: create service %s (scheduler %s): not in its table",
                 d->peer.name, s->name, s->sched);
        dir_send(cl, d, key, pdu, what);
        return;                            /* destinations follow next cycle */
    }
    /* Wanted destinations. */
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        if (!in_service(cl, n, (int)si) || !node_ready(cl, n) || n->failed)
            continue;
        struct sockaddr_storage a = dest_addr(n, s);
        const struct dest_obs *have = dir_find(d, (int)si, &a);
        int weight = n->s.state == NSTATE_DRAINING ? 0
                   : s->weights_follow ? follow_weight(s->weight, node_load(n, s), s->high, have ? have->weight : -1)
                   : s->weight;
        if (n->s.state == NSTATE_DRAINING && !have)
            continue;                      /* never add a draining node */
        addr_str(&a, as, sizeof as);
        char reason[96] = "";
        if (weight == 0)
            snprintf(reason, sizeof reason, " (drain)");
        else if (s->weights_follow)
            snprintf(reason, sizeof reason, " (follows %s %.2f of high %.2f)", load_unit(s), node_load(n, s),
                     s->high);
        /* The weight is part of the decision: a failing load-following
         * change must not hold back the drain's weight 0. */
        snprintf(key, sizeof key, "%s %zu %s weight %d", have ? "change" : "add", si, as, weight);
        if (!backoff_ready(&d->backoff, key, cl->cycle))
            continue;
        if (!have) {
            netsnmp_pdu *pdu = snmp_set_pdu();
            if (!pdu)
                return;
            memcpy(o, dest_entry, sizeof dest_entry);
            o[LAMON_IPVS_ENTRY_LEN] = LD_ROWSTATUS;
            size_t len = key_oid(o, LAMON_IPVS_ENTRY_LEN + 1, s, &a);
            snmp_set_add_int(pdu, o, len, ROWSTATUS_CREATEANDGO);
            o[LAMON_IPVS_ENTRY_LEN] = LD_WEIGHT;
            snmp_set_add_int(pdu, o, len, weight);
            o[LAMON_IPVS_ENTRY_LEN] = LD_FWD;
            snmp_set_add_int(pdu, o, len, s->fwd);
            snprintf(what, sizeof what, "director %s: add %s (%s) to service %s weight %d%s: node up and %s",
                     d->peer.name, n->peer.name, as, s->name, weight, reason,
                     s->app[0] ? "its application runs" : "serving");
            dir_send(cl, d, key, pdu, what);
        } else if (have->weight != weight || fwd_differs(have->fwd, s->fwd)) {
            netsnmp_pdu *pdu = snmp_set_pdu();
            if (!pdu)
                return;
            memcpy(o, dest_entry, sizeof dest_entry);
            o[LAMON_IPVS_ENTRY_LEN] = LD_WEIGHT;
            size_t len = key_oid(o, LAMON_IPVS_ENTRY_LEN + 1, s, &a);
            snmp_set_add_int(pdu, o, len, weight);
            if (fwd_differs(have->fwd, s->fwd)) {
                o[LAMON_IPVS_ENTRY_LEN] = LD_FWD;
                snmp_set_add_int(pdu, o, len, s->fwd);
            }
            snprintf(what, sizeof what, "director %s: %s (%s) in service %s weight %d -> %d%s",
                     d->peer.name, n->peer.name, as, s->name, have->weight, weight, reason);
            dir_send(cl, d, key, pdu, what);
        }
    }
    /* Destinations to remove. */
    for (size_t k = 0; k < d->ndests; k++) {
        const struct dest_obs *ob = &d->dests[k];
        if (ob->svc != (int)si)
            continue;
        const struct node_rt *n = node_at(cl, s, &ob->addr);
        const char *reason;
        if (n && in_service(cl, n, (int)si) && node_ready(cl, n) && !n->failed)
            continue;                      /* wanted, handled above */
        if (n && in_service(cl, n, (int)si) && !node_settled(n))
            continue;                      /* not judged yet: leave it be */
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
        addr_str(&ob->addr, as, sizeof as);
        snprintf(key, sizeof key, "remove %zu %s", si, as);
        if (!backoff_ready(&d->backoff, key, cl->cycle))
            continue;
        if (cl->panic) {
            event_log("director %s: would remove %s from service %s (%s), frozen by panic", d->peer.name, as,
                      s->name, reason);
            continue;
        }
        netsnmp_pdu *pdu = snmp_set_pdu();
        if (!pdu)
            return;
        memcpy(o, dest_entry, sizeof dest_entry);
        o[LAMON_IPVS_ENTRY_LEN] = LD_ROWSTATUS;
        size_t len = key_oid(o, LAMON_IPVS_ENTRY_LEN + 1, s, &ob->addr);
        snmp_set_add_int(pdu, o, len, ROWSTATUS_DESTROY);
        snprintf(what, sizeof what, "director %s: remove %s%s%s from service %s: %s", d->peer.name,
                 n ? n->peer.name : as, n ? " " : "", n ? as : "", s->name, reason);
        dir_send(cl, d, key, pdu, what);
    }
}

static void reconcile_directors(struct cluster *cl)
{
    const struct ctl_config *cfg = cl->cfg;
    for (size_t si = 0; si < cfg->nservices; si++) {
        const struct ctl_service *s = &cfg->services[si];
        for (size_t k = 0; k < s->ndirectors; k++) {
            struct director_rt *d = cl->dirs[s->directors[k]];
            /* An unreachable director is left alone; being level-triggered,
             * the next walk after it returns gives it what it missed. */
            if (!d->walked || d->sets_in_flight)
                continue;
            sync_director(cl, si, d);
        }
    }
}

void decide_cycle(struct cluster *cl)
{
    snmp_set_expire(cl);
    feed_health(cl);
    if (cl->panic)
        return;                            /* freeze: no role changes, no removals */
    progress_drains(cl);
    reconcile_roles(cl);
    reconcile_directors(cl);
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
    int r = drain ? set_node(cl, n, 0, NULL, NSTATE_DRAINING, "operator drain", NULL, true)
                  : set_node(cl, n, ROLE_SPARE, "", NSTATE_RUNNING, "operator undrain", NULL, true);
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
    if (set_app_admin(cl, n, app, admin, "operator", true) < 0) {
        snprintf(err, errlen, "cannot write to node %s (see the log)", n->peer.name);
        return -1;
    }
    return 0;
}
