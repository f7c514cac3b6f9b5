/* Node writes as intents (see decide_node.h). */
#include "decide_node.h"

#include <stdio.h>
#include <string.h>

#include "node_view.h"

static size_t node_index(const struct cluster *cl, const struct node_rt *n)
{
    size_t i = 0;
    while (i < cl->nnodes && cl->nodes[i] != n)
        i++;
    return i;
}

static void role_key(char *key, size_t len, int role, const char *service, int state)
{
    snprintf(key, len, "role %s '%s' state %d", role ? role_name(role) : "-", role ? service : "", state);
}

bool decide_role_ready(const struct cluster *cl, const struct node_rt *n, int role, const char *service, int state)
{
    char key[BACKOFF_KEY_MAX];
    role_key(key, sizeof key, role, service, state);
    return backoff_ready(&n->backoff, key, cl->cycle);
}

int decide_set_node(struct cluster *cl, const struct decide_out *out, struct node_rt *n, int role,
                    const char *service, int state, const char *why, const char *decision, bool force)
{
    struct intent it = { .kind = role ? INTENT_NODE_ROLE : INTENT_NODE_STATE, .peer = node_index(cl, n),
                         .role = role, .state = state };
    role_key(it.key, sizeof it.key, role, service, state);
    if (!force && !backoff_ready(&n->backoff, it.key, cl->cycle))
        return 1;
    if (decision)
        snprintf(it.decision, sizeof it.decision, "%s", decision);
    size_t w = 0;
    w += (size_t)snprintf(it.what + w, sizeof it.what - w, "node %s:", n->peer.name);
    if (role) {
        snprintf(it.service, sizeof it.service, "%s", service);
        w += (size_t)snprintf(it.what + w, sizeof it.what - w, " role %s service '%s'", role_name(role), service);
    }
    if (state && w < sizeof it.what)
        w += (size_t)snprintf(it.what + w, sizeof it.what - w, " state %d", state);
    if (w < sizeof it.what)
        snprintf(it.what + w, sizeof it.what - w, " (%s)", why);
    if (decide_emit(cl, out, &it) < 0)
        return -1;
    /* Optimistic: decisions later in this cycle see the node as written. */
    if (role) {
        n->s.role = role;
        snprintf(n->s.service, sizeof n->s.service, "%s", service);
    }
    if (state)
        n->s.state = state;
    /* A new service starts a fresh application history: the check for the
     * old one says nothing about the new service's application.  A
     * scale-in drain keeps its service, and its history with it; so does a
     * hot spare promoted to its service (the check is why it is hot). */
    int si = app_service(cl, n);
    const char *now_for = si >= 0 ? cl->cfg->services[si].name : "";
    if (role && strcmp(now_for, n->app_for) != 0) {
        n->failed = false;
        memset(&n->app, 0, sizeof n->app);
        snprintf(n->app_for, sizeof n->app_for, "%s", now_for);
        /* A new assignment is a new reason to start the application: a
         * start sent for an earlier one (before the node died, say) must
         * not hold this one back for APP_START_RETRY, while the fresh
         * check judges the application down. */
        n->app_start_sent = 0;
        /* A node that sends heartbeats and whose agent's own check found
         * the application running at the last poll starts its new history
         * up: the agent's lamonAppStateChange fails it at once if it stops
         * (notif_apply.h), as for an application it says came up.  (A cold
         * spare whose application runs, left by a return or a cooling, is
         * then promoted as fast as a hot one.) */
        const struct app_sample *a = si >= 0 && n->have_sample ? find_app(n, cl->cfg->services[si].app) : NULL;
        if (a && a->oper == APP_UP && n->hb.period_ms && !n->hb.stopped && n->hyst.health == NODE_UP) {
            n->app.health = NODE_UP;
            n->app.good = cl->cfg->rise;
        }
    }
    return 0;
}

int decide_set_app(struct cluster *cl, const struct decide_out *out, struct node_rt *n, const char *app,
                   int admin, const char *why, bool force)
{
    struct intent it = { .kind = INTENT_APP_ADMIN, .peer = node_index(cl, n), .admin = admin };
    snprintf(it.key, sizeof it.key, "app %s admin %d", app, admin);
    if (!force && !backoff_ready(&n->backoff, it.key, cl->cycle))
        return 1;
    snprintf(it.app, sizeof it.app, "%s", app);
    snprintf(it.what, sizeof it.what, "node %s: application %s admin %s (%s)", n->peer.name, app,
             admin == 1 ? "up" : admin == 2 ? "down" : "restart", why);
    return decide_emit(cl, out, &it);
}
