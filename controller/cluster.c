/* The runtime cluster picture and its update on configuration changes. */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "event_log.h"
#include "snmp_session.h"
#include "snmp_set.h"

/* Entries are NULL while cluster_apply_config() moves them. */
int cluster_find_node(const struct cluster *cl, const char *name)
{
    for (size_t i = 0; i < cl->nnodes; i++)
        if (cl->nodes[i] && strcmp(cl->nodes[i]->peer.name, name) == 0)
            return (int)i;
    return -1;
}

static bool same_peer(const struct ctl_config *a, const struct ctl_peer *x,
                      const struct ctl_config *b, const struct ctl_peer *y)
{
    if (strcmp(x->host, y->host) != 0 || x->port != y->port || strcmp(x->community, y->community) != 0)
        return false;
    if ((x->v3user < 0) != (y->v3user < 0))
        return false;
    if (x->v3user >= 0 && memcmp(&a->v3users[x->v3user], &b->v3users[y->v3user], sizeof(struct ctl_v3user)) != 0)
        return false;
    return true;
}

static bool same_writer(const struct ctl_config *a, const struct ctl_config *b)
{
    if ((a->write_user < 0) != (b->write_user < 0))
        return false;
    return a->write_user < 0 ||
           memcmp(&a->v3users[a->write_user], &b->v3users[b->write_user], sizeof(struct ctl_v3user)) == 0;
}

static void close_sessions(void **sess, void **wsess)
{
    snmp_set_forget(*wsess);
    ssess_close(*sess);
    ssess_close(*wsess);
    *sess = *wsess = NULL;
}

static void node_free(struct node_rt *n)
{
    if (n->hb.timer)
        event_free(n->hb.timer);
    close_sessions(&n->sess, &n->wsess);
    backoff_clear(&n->backoff);
    free(n);
}

static void dir_free(struct director_rt *d)
{
    close_sessions(&d->sess, &d->wsess);
    backoff_clear(&d->backoff);
    free(d->dests);
    free(d->walk);
    free(d->acked);
    free(d->vs_present);
    free(d->walk_vs);
    free(d);
}

/* Registered node N under the configuration NEWC (replacing OLDC): 0
 * when it stays as it is, 1 when it stays but its v3user's keys changed
 * (its sessions must be reopened), -1 when it must be forgotten (logged).
 * Its v3user is looked up again by name: a reload may renumber them. */
static int keep_registered(struct node_rt *n, const struct ctl_config *oldc, const struct ctl_config *newc)
{
    if (!n->reg_user[0]) {
        n->peer.v3user = -1;
        return 0;
    }
    int j = -1;
    for (size_t k = 0; k < newc->nv3users && j < 0; k++)
        if (strcmp(newc->v3users[k].name, n->reg_user) == 0)
            j = (int)k;
    if (j < 0) {
        event_log("node %s: forgotten: it registered as v3user %s, which the configuration no longer has",
                  n->peer.name, n->reg_user);
        return -1;
    }
    int i = n->peer.v3user;
    bool same = oldc && i >= 0 && (size_t)i < oldc->nv3users &&
                memcmp(&oldc->v3users[i], &newc->v3users[j], sizeof newc->v3users[j]) == 0;
    n->peer.v3user = j;
    return same ? 0 : 1;
}

int cluster_apply_config(struct cluster *cl, struct ctl_config *cfg)
{
    const struct ctl_config *old = cl->cfg;
    /* Room for the registered nodes, which stay (node_register.h). */
    struct node_rt **nodes = calloc(cfg->nnodes + cl->nnodes + 1, sizeof *nodes);
    struct director_rt **dirs = calloc(cfg->ndirectors + 1, sizeof *dirs);
    unsigned *target = calloc(cfg->nservices + 1, sizeof *target);
    unsigned *high = calloc(cfg->nservices + 1, sizeof *high);
    unsigned *low = calloc(cfg->nservices + 1, sizeof *low);
    unsigned *shortfall = calloc(cfg->nservices + 1, sizeof *shortfall);
    unsigned *hot_short = calloc(cfg->nservices + 1, sizeof *hot_short);
    bool ok = nodes && dirs && target && high && low && shortfall && hot_short;
    /* Build the new arrays first, so that a failure changes nothing. */
    for (size_t i = 0; ok && i < cfg->nnodes; i++) {
        int j = cluster_find_node(cl, cfg->nodes[i].name);
        if (j < 0) {
            nodes[i] = calloc(1, sizeof **nodes);
            ok = nodes[i] != NULL;
        }
    }
    for (size_t i = 0; ok && i < cfg->ndirectors; i++) {
        dirs[i] = calloc(1, sizeof **dirs);
        ok = dirs[i] && (dirs[i]->vs_present = calloc(cfg->nservices + 1, sizeof(bool))) &&
             (dirs[i]->walk_vs = calloc(cfg->nservices + 1, sizeof(bool)));
    }
    if (!ok) {
        for (size_t i = 0; nodes && i < cfg->nnodes; i++)
            free(nodes[i]);
        for (size_t i = 0; dirs && i < cfg->ndirectors; i++)
            if (dirs[i])
                dir_free(dirs[i]);
        free(nodes); free(dirs); free(target); free(high); free(low); free(shortfall); free(hot_short);
        ctl_config_free(cfg);
        return -1;
    }
    bool writer_same = old && same_writer(old, cfg);
    for (size_t i = 0; i < cfg->nnodes; i++) {
        int j = cluster_find_node(cl, cfg->nodes[i].name);
        if (j >= 0) {
            /* Keep the health history and samples: a reload drops no state. */
            nodes[i] = cl->nodes[j];
            cl->nodes[j] = NULL;
            bool peer_same = same_peer(old, &nodes[i]->peer, cfg, &cfg->nodes[i]);
            if (!peer_same)
                close_sessions(&nodes[i]->sess, &nodes[i]->wsess);
            else if (!writer_same) {
                snmp_set_forget(nodes[i]->wsess);
                ssess_close(nodes[i]->wsess);
                nodes[i]->wsess = NULL;
            }
            /* New credentials or a new address: what failed may work now. */
            if (!peer_same || !writer_same)
                backoff_clear(&nodes[i]->backoff);
            if (nodes[i]->registered)
                event_log("node %s: registered, now configured (%s:%u)", cfg->nodes[i].name, cfg->nodes[i].host,
                          cfg->nodes[i].port);
            nodes[i]->registered = false;
        } else {
            event_log("node %s: added (%s:%u)", cfg->nodes[i].name, cfg->nodes[i].host, cfg->nodes[i].port);
        }
        nodes[i]->peer = cfg->nodes[i];
        nodes[i]->configured = true;
    }
    size_t nn = cfg->nnodes;
    for (size_t j = 0; j < cl->nnodes; j++) {
        struct node_rt *n = cl->nodes[j];
        if (!n)
            continue;
        int keep = n->registered ? keep_registered(n, old, cfg) : -1;
        if (keep >= 0) {
            if (keep > 0 || !writer_same) {
                close_sessions(&n->sess, &n->wsess);   /* new keys: reopened by the next poll */
                backoff_clear(&n->backoff);
            }
            nodes[nn++] = n;
            continue;
        }
        if (!n->registered)
            event_log("node %s: removed from the configuration", n->peer.name);
        node_free(n);
    }
    /* Directors' observed tables are indexed by service, which a reload may
     * renumber: start them afresh (the next walk refills them). */
    for (size_t j = 0; j < cl->ndirs; j++)
        dir_free(cl->dirs[j]);
    for (size_t i = 0; i < cfg->ndirectors; i++) {
        dirs[i]->peer = cfg->directors[i];
        dirs[i]->configured = true;
    }
    for (size_t i = 0; i < cfg->nservices; i++) {
        int j = old ? ctl_config_find_service(old, cfg->services[i].name) : -1;
        target[i] = j >= 0 ? cl->svc_target[j] : 0;     /* 0: not settled yet */
        if (target[i] && (target[i] < cfg->services[i].min || target[i] > cfg->services[i].max))
            target[i] = cfg->services[i].nodes;
    }
    free(cl->nodes); free(cl->dirs); free(cl->svc_target); free(cl->svc_high); free(cl->svc_low);
    free(cl->svc_short);
    free(cl->svc_hot_short);
    cl->svc_short = shortfall;
    cl->svc_hot_short = hot_short;
    cl->nodes = nodes; cl->nnodes = nn;
    cl->dirs = dirs; cl->ndirs = cfg->ndirectors;
    cl->svc_target = target; cl->svc_high = high; cl->svc_low = low;
    ctl_config_free(cl->cfg);
    cl->cfg = cfg;
    return 0;
}

void cluster_free(struct cluster *cl)
{
    for (size_t i = 0; i < cl->nnodes; i++)
        node_free(cl->nodes[i]);
    for (size_t i = 0; i < cl->ndirs; i++)
        dir_free(cl->dirs[i]);
    free(cl->nodes); free(cl->dirs); free(cl->svc_target); free(cl->svc_high); free(cl->svc_low);
    free(cl->svc_short);
    free(cl->svc_hot_short);
    ctl_config_free(cl->cfg);
    memset(cl, 0, sizeof *cl);
}
