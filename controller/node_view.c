/* Predicates over the cluster picture (see node_view.h). */
#include "node_view.h"

#include "node_register.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *role_name(int r)
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
bool scale_in_drain(const struct node_rt *n)
{
    return n->s.state == NSTATE_DRAINING && n->s.role == ROLE_SPARE && n->s.service[0];
}

int node_service(const struct cluster *cl, const struct node_rt *n)
{
    if (!n->have_sample || !n->s.service[0] || (n->s.role != ROLE_SERVER && !scale_in_drain(n)))
        return -1;
    return ctl_config_find_service(cl->cfg, n->s.service);
}

/* A hot spare is written to the agent as role spare, state running, with
 * the service it is kept hot for: like a scale-in drain it lives on the
 * agent, so a restarted controller finds its hot spares again. */
int hot_service(const struct cluster *cl, const struct node_rt *n)
{
    if (!n->have_sample || n->s.role != ROLE_SPARE || !n->s.service[0] || n->s.state != NSTATE_RUNNING)
        return -1;
    return ctl_config_find_service(cl->cfg, n->s.service);
}

int app_service(const struct cluster *cl, const struct node_rt *n)
{
    int si = node_service(cl, n);
    return si >= 0 ? si : hot_service(cl, n);
}

bool hot_ready(const struct cluster *cl, const struct node_rt *n, int svc)
{
    return svc >= 0 && hot_service(cl, n) == svc && n->hyst.health == NODE_UP && n->app.health == NODE_UP &&
           !n->failed;
}

bool cluster_settled(const struct cluster *cl)
{
    for (size_t i = 0; i < cl->nnodes; i++)
        if (!node_settled(cl->nodes[i]))
            return false;
    return !registration_hold(cl);       /* nodes not heard from yet may be registered ones */
}

const struct app_sample *find_app(const struct node_rt *n, const char *name)
{
    for (size_t i = 0; i < n->s.napps; i++)
        if (strcmp(n->s.apps[i].name, name) == 0)
            return &n->s.apps[i];
    return NULL;
}

/* The node's load as service S measures it (ctl_config.h, "load"). */
double node_load(const struct node_rt *n, const struct ctl_service *s)
{
    if (s->load == CTL_LOAD_LOAD1)
        return n->s.load1 / 100.0;
    if (!s->app[0])
        return n->s.conns;
    const struct app_sample *a = find_app(n, s->app);
    return a ? a->estab : 0;
}

const char *load_unit(const struct ctl_service *s)
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
bool in_service(const struct cluster *cl, const struct node_rt *n, int svc)
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
bool node_live(const struct node_rt *n)
{
    return n->hyst.health != NODE_DOWN && n->app.health != NODE_DOWN;
}

/* May carry traffic: known to answer and to run the application. */
bool node_ready(const struct cluster *cl, const struct node_rt *n)
{
    (void)cl;
    return n->hyst.health == NODE_UP && n->app.health == NODE_UP && n->s.state != NSTATE_MAINTENANCE;
}

bool node_settled(const struct node_rt *n)
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

bool same_sa(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
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

const struct dest_obs *dir_find(const struct director_rt *d, int svc, const struct sockaddr_storage *a)
{
    for (size_t i = 0; i < d->ndests; i++)
        if (d->dests[i].svc == svc && same_sa(&d->dests[i].addr, a))
            return &d->dests[i];
    return NULL;
}

/* The node's real-server address for service S: its HOST with the
 * service's real port. */
struct sockaddr_storage dest_addr(const struct node_rt *n, const struct ctl_service *s)
{
    struct sockaddr_storage a = n->peer.addr;
    if (a.ss_family == AF_INET)
        ((struct sockaddr_in *)&a)->sin_port = htons(s->rport);
    else
        ((struct sockaddr_in6 *)&a)->sin6_port = htons(s->rport);
    return a;
}

void addr_str(const struct sockaddr_storage *a, char *buf, size_t len)
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

const struct node_rt *node_at(const struct cluster *cl, const struct ctl_service *s, const struct sockaddr_storage *a)
{
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct sockaddr_storage x = dest_addr(cl->nodes[i], s);
        if (same_sa(&x, a))
            return cl->nodes[i];
    }
    return NULL;
}
