/* Heartbeats and the agents' own word on their applications (see
 * notif_apply.h). */
#include "notif_apply.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "event_log.h"
#include "log_limit.h"
#include "mono_ms.h"
#include "node_register.h"
#include "node_state.h"
#include "node_view.h"
#include "notif_config.h"
#include "notif_receiver.h"
#include "notif_stats.h"

static struct event_base *g_base;
static struct cluster *g_cl;
static const struct decide_out *g_out;
static struct notif_receiver *g_rx;
static struct log_limit refuse_log[NNREF_COUNT];
static struct event *decide_soon;

static void on_decide_soon(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    if (g_cl)
        decide_now(g_cl, g_out);
}

/* A node that sends heartbeats is hurried along: what waited for its role
 * write (a promoted cold spare's application start) goes in the next loop
 * turn, not at the next poll; so does what waited for a director's writes
 * to land (a promotion's adds after an earlier turn's write), when the
 * controller hears its nodes.  One event: acknowledgements coalesce. */
static void landed(struct cluster *cl, struct node_rt *n)
{
    (void)cl;
    bool hurry = n ? n->hb.period_ms && !n->hb.stopped : g_rx != NULL;
    if (decide_soon && hurry)
        event_active(decide_soon, EV_TIMEOUT, 0);
}

/* Node names to indexes, for notif_apply: cluster_find_node compares
 * every name, a thousand strcmp per heartbeat at 1,000 nodes (a fifth of
 * the controller's time, bench/README.md).  Open addressing with a short
 * probe; every hint is checked against the node's name before use, so a
 * reload that reorders or drops nodes costs misses, never a wrong node.
 * The table is cleared when the cluster's node array changes. */
#define HINT_PROBE 8
static size_t *hints;                    /* index + 1, 0: empty */
static size_t nhints;
static const void *hinted_nodes;         /* cl->nodes the table was made for */
static size_t hinted_n;

static size_t name_hash(const char *s)
{
    size_t h = 14695981039346656037UL;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211UL;
    return h;
}

static int hinted_find_node(const struct cluster *cl, const char *name)
{
    if (!cl->nnodes)
        return -1;
    if (hinted_nodes != (const void *)cl->nodes || hinted_n != cl->nnodes) {
        size_t want = 4 * cl->nnodes + HINT_PROBE;
        if (want > nhints) {
            free(hints);
            hints = calloc(want, sizeof *hints);
            nhints = hints ? want : 0;
        } else if (hints) {
            memset(hints, 0, nhints * sizeof *hints);
        }
        hinted_nodes = cl->nodes;
        hinted_n = cl->nnodes;
    }
    if (nhints <= HINT_PROBE)
        return cluster_find_node(cl, name);
    size_t slot = name_hash(name) % (nhints - HINT_PROBE), *free_slot = NULL;
    for (size_t k = slot; k < slot + HINT_PROBE; k++) {
        size_t i = hints[k];
        if (!i) {
            free_slot = free_slot ? free_slot : &hints[k];
            continue;
        }
        if (i <= cl->nnodes && cl->nodes[i - 1] && strcmp(cl->nodes[i - 1]->peer.name, name) == 0)
            return (int)(i - 1);
    }
    int found = cluster_find_node(cl, name);
    if (found >= 0)
        *(free_slot ? free_slot : &hints[slot]) = (size_t)found + 1;
    return found;
}

void notif_apply_init(struct event_base *base, struct cluster *cl, const struct decide_out *out,
                      struct notif_receiver *rx)
{
    free(hints);
    hints = NULL;
    nhints = 0;
    hinted_nodes = NULL;
    g_rx = rx;
    g_base = base;
    g_cl = cl;
    g_out = out;
    if (decide_soon)
        event_free(decide_soon);          /* of an earlier base (unit tests) */
    decide_soon = base ? event_new(base, -1, 0, on_decide_soon, NULL) : NULL;
    decide_emit_on_landed(landed);
}

void notif_apply_free(void)
{
    free(hints);
    hints = NULL;
    nhints = 0;
    hinted_nodes = NULL;
    decide_emit_on_landed(NULL);
    if (decide_soon)
        event_free(decide_soon);
    decide_soon = NULL;
    g_base = NULL;
    g_cl = NULL;
}

static void refuse(enum notif_node_refusal r, const struct lamon_notification *n, const char *why)
{
    notif_stats.node_refused[r]++;
    char desc[512];
    notif_describe(n, desc, sizeof desc);
    log_limited(&refuse_log[r], NOTIF_LOG_EVERY_S, "notification refused", "%s: %s", why, desc);
}

/* The heartbeat-stopped panic: more than panic% of the nodes whose
 * heartbeats came until now have missed one and a half periods (or `fall`,
 * when that is shorter) at once; nodes already taken down count for
 * neither side.  The console's own network is then the likely
 * fault, as with polls (health.c), and removals freeze until the polls
 * thaw them. */
static void heartbeat_panic(struct cluster *cl)
{
    unsigned total = 0, silent = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_heartbeat *h = &cl->nodes[i]->hb;
        if (!h->period_ms || h->stopped)
            continue;
        total++;
        long late = (long)h->period_ms * 3 / 2, fall = (long)h->period_ms * cl->cfg->fall;
        if (ms_since(&h->heard) >= (late < fall ? late : fall))
            silent++;
    }
    if (total < 2 || cl->panic)
        return;
    if (panic_update(false, total, silent, silent, cl->cfg->panic_pct)) {
        cl->panic = true;
        event_log("PANIC: heartbeats of %u of %u nodes stopped at once (threshold %u%%): "
                  "the console's own network is the likely fault; removals are frozen",
                  silent, total, cl->cfg->panic_pct);
    }
}

void notif_heartbeat_expired(struct cluster *cl, struct node_rt *n, const struct decide_out *out)
{
    const struct ctl_config *cfg = cl->cfg;
    if ((!n->configured && !n->registered) || !n->hb.period_ms || n->hb.stopped)
        return;
    heartbeat_panic(cl);                 /* before N counts as stopped */
    n->hb.stopped = true;
    if (n->hyst.health == NODE_DOWN)
        return;
    enum node_health before = n->hyst.health;
    n->hyst.health = NODE_DOWN;
    n->hyst.good = 0;
    n->hyst.bad = cfg->fall;
    n->failed = true;
    event_log("node %s: %s -> down (heartbeats stopped: none for %ld ms, fall %u periods of %u ms)", n->peer.name,
              node_health_name(before), ms_since(&n->hb.heard), cfg->fall, n->hb.period_ms);
    decide_now(cl, out);
}

/* The deadline after the last heartbeat: `fall` periods and a half. */
static unsigned long deadline_ms(const struct cluster *cl, const struct node_rt *n)
{
    return (unsigned long)n->hb.period_ms * cl->cfg->fall + n->hb.period_ms / 2;
}

static void on_timer(evutil_socket_t fd, short what, void *arg);

/* N's timer, to fire in MS. */
static void arm_in(struct node_rt *n, unsigned long ms)
{
    if (!g_base)
        return;
    if (!n->hb.timer)
        n->hb.timer = evtimer_new(g_base, on_timer, n);
    struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
    if (!n->hb.timer || evtimer_add(n->hb.timer, &tv) < 0)
        event_log("node %s: cannot arm the heartbeat timer; polls only", n->peer.name);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    struct node_rt *n = arg;
    if (!g_cl)
        return;
    /* What has arrived is read first: a heartbeat in the socket's queue
     * re-arms this timer and the node is not late. */
    notif_receiver_drain(g_rx, 1000);
    long left = (long)deadline_ms(g_cl, n) - ms_since(&n->hb.heard);
    if (n->hb.period_ms && !n->hb.stopped && left > 0) {
        /* Woken before the deadline: libevent's clock is the coarse one,
         * up to a jiffy behind the heartbeat's stamp.  Wait for the rest. */
        arm_in(n, (unsigned long)left);
        return;
    }
    notif_heartbeat_expired(g_cl, n, g_out);
}

static void heartbeat(struct cluster *cl, struct node_rt *n, const struct lamon_notification *nt)
{
    struct node_heartbeat *h = &n->hb;
    if (!h->period_ms || h->stopped)
        event_log("node %s: heartbeats every %u ms%s", n->peer.name, nt->heartbeat_ms,
                  h->stopped ? " again" : "");
    h->period_ms = nt->heartbeat_ms;
    clock_gettime(CLOCK_MONOTONIC, &h->heard);
    h->count++;
    h->stopped = false;
    h->state = nt->state;
    h->role = nt->role;
    snprintf(h->service, sizeof h->service, "%s", nt->service);
    h->load1 = nt->load1;
    h->conns = nt->conns;
    h->uptime = nt->uptime;
    arm_in(n, deadline_ms(cl, n));
}

/* The agent says the application of the node's service (or of the
 * service it is a hot spare of) is up: when the controller has no
 * judgement of it yet (a promoted or heated spare's application, just
 * started), and the node sends heartbeats and is up, it is up now on the
 * agent's word: its own check found it answering.  One that went down
 * comes back through `rise` good polls, as ever. */
static void app_started(struct cluster *cl, struct node_rt *n, const struct lamon_notification *nt,
                        const struct decide_out *out)
{
    const struct ctl_config *cfg = cl->cfg;
    int svc = app_service(cl, n);
    if (svc < 0 || strcmp(cfg->services[svc].app, nt->app) != 0 || strcmp(n->app_for, cfg->services[svc].name) != 0 ||
        n->app.health != NODE_UNKNOWN || n->hyst.health != NODE_UP || !n->hb.period_ms || n->hb.stopped)
        return;
    n->app.health = NODE_UP;
    n->app.good = cfg->rise;
    n->app.bad = 0;
    /* The sample says so too, until the next poll: the decisions read it. */
    for (size_t i = 0; i < n->s.napps; i++)
        if (strcmp(n->s.apps[i].name, nt->app) == 0)
            n->s.apps[i].oper = APP_UP;
    event_log("node %s: application %s of service %s unknown -> up (lamonAppStateChange: running)", n->peer.name,
              nt->app, cfg->services[svc].name);
    decide_now(cl, out);
}

/* The agent says an application stopped: when it is the one of the
 * node's service and it was up, the node's application is down now, on
 * its word.  One not up yet (a promotion starting it) is the polls'. */
/* NT (a lamonAppStateChange) was sent before N's last heartbeat by more
 * than a period: an inform snmpd sent again because its first copy went
 * unanswered (a controller not listening yet, a lost datagram), arriving
 * after newer news.  Its word on the application is old.  Both come from
 * the same agent's sysUpTime; a restarted agent's first heartbeat resets
 * the reference. */
static bool stale(const struct node_rt *n, const struct lamon_notification *nt)
{
    const struct node_heartbeat *h = &n->hb;
    if (!h->period_ms || h->stopped || !h->count)
        return false;
    uint32_t slack = h->period_ms / 10 + 1;          /* TimeTicks: 10 ms */
    /* TimeTicks wrap at 2^32 (497 days): compared modulo, as RFC 1982
     * serial numbers, "older" is behind by less than half the circle. */
    uint32_t behind = (uint32_t)h->uptime - (uint32_t)nt->uptime;
    return behind > slack && behind < 0x80000000u;
}

static void app_changed(struct cluster *cl, struct node_rt *n, const struct lamon_notification *nt,
                        const struct decide_out *out)
{
    const struct ctl_config *cfg = cl->cfg;
    if (stale(n, nt)) {
        refuse(NNREF_STALE, nt, "older than the node's last heartbeat by more than a period");
        return;
    }
    if (nt->app_oper == APP_UP) {
        app_started(cl, n, nt, out);
        return;
    }
    /* a member's, or a hot spare's: a dead hot spare must not be promoted */
    int svc = app_service(cl, n);
    if (svc < 0 || nt->app_oper != APP_DOWN || strcmp(cfg->services[svc].app, nt->app) != 0 ||
        strcmp(n->app_for, cfg->services[svc].name) != 0 || n->app.health != NODE_UP)
        return;
    enum node_health before = n->app.health;
    n->app.health = NODE_DOWN;
    n->app.good = 0;
    n->app.bad = cfg->fall;
    n->failed = true;
    event_log("node %s: application %s of service %s %s -> down (lamonAppStateChange: not running)",
              n->peer.name, nt->app, cfg->services[svc].name, node_health_name(before));
    decide_now(cl, out);
}

void notif_apply(struct cluster *cl, const struct lamon_notification *nt, const struct decide_out *out)
{
    int i = hinted_find_node(cl, nt->node);
    if (i < 0) {
        /* A name no node has: the sender may register (node_register.h). */
        enum notif_node_refusal r;
        const char *why;
        i = node_register(cl, nt, &r, &why);
        if (i < 0) {
            refuse(r, nt, why);
            return;
        }
    }
    struct node_rt *n = cl->nodes[i];
    if (!same_host(&nt->source, &n->peer.addr)) {
        if (n->registered)
            refuse(NNREF_CONFLICT, nt, "registered from another address");
        else
            refuse(NNREF_ADDRESS, nt, "not the node's address");
        return;
    }
    if (nt->type == NT_NODE_HEARTBEAT)
        heartbeat(cl, n, nt);
    else if (nt->type == NT_NODE_STARTED)
        n->hb.uptime = nt->uptime;       /* a restarted agent counts from 0 again */
    else if (nt->type == NT_APP_STATE_CHANGE)
        app_changed(cl, n, nt, out);
}
