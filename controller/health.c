/* Health and panic, fed by every cycle's polls (see health.h). */
#include "health.h"

#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "event_log.h"
#include "node_register.h"
#include "node_view.h"

/* A node that sends heartbeats answers only while they come: a poll it
 * answers while they are overdue is no good poll (notif_apply.h). */
static bool heard(const struct node_rt *n)
{
    return n->answered && !n->hb.stopped;
}

/* The agent's heartbeat interval as polled: 0 ends the supervision of
 * its heartbeats (an agent restarted with heartbeat_ms 0). */
static void heartbeat_polled(struct node_rt *n)
{
    if (!n->answered || n->s.heartbeat_ms || !n->hb.period_ms)
        return;
    event_log("node %s: sends no heartbeats any more; polls only", n->peer.name);
    if (n->hb.timer)
        evtimer_del(n->hb.timer);
    n->hb.period_ms = 0;
    n->hb.stopped = false;
}

void health_feed(struct cluster *cl)
{
    const struct ctl_config *cfg = cl->cfg;
    unsigned total = 0, vanished = 0, silent = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        if (node_unpolled(cl, n))
            continue;                    /* registered during this cycle: polled from the next */
        heartbeat_polled(n);
        total++;
        if (!heard(n)) {
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
        if (node_unpolled(cl, n))
            continue;
        enum node_health before = n->hyst.health;
        enum node_health t = node_hyst_feed(&n->hyst, heard(n), cfg->rise, cfg->fall);
        if (t == NODE_UP)
            event_log("node %s: %s -> up (%u good polls)", n->peer.name, node_health_name(before), cfg->rise);
        else if (t == NODE_DOWN)
            event_log("node %s: %s -> down (%u missed polls)", n->peer.name, node_health_name(before), cfg->fall);
        if (t == NODE_DOWN)
            n->failed = true;
        if (!heard(n))
            continue;
        /* The application check follows the service the node serves now
         * (or is a hot spare of); a new assignment starts a fresh history. */
        int svc = app_service(cl, n);
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
