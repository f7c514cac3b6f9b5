/* Self-registration of nodes (see node_register.h). */
#include "node_register.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_config_words.h"
#include "event_log.h"
#include "mono_ms.h"
#include "notif_config.h"

static bool in_window(const struct cluster *cl);

/* SA with an IPv4-mapped IPv6 address made plain IPv4; PORT set. */
static struct sockaddr_storage plain(const struct sockaddr_storage *sa, uint16_t port)
{
    struct sockaddr_storage a;
    memset(&a, 0, sizeof a);
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    if (sa->ss_family == AF_INET || (sa->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&a;
        v4->sin_family = AF_INET;
        if (sa->ss_family == AF_INET)
            v4->sin_addr = ((const struct sockaddr_in *)sa)->sin_addr;
        else
            memcpy(&v4->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
        v4->sin_port = htons(port);
    } else if (sa->ss_family == AF_INET6) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a;
        v6->sin6_family = AF_INET6;
        v6->sin6_addr = s6->sin6_addr;
        v6->sin6_port = htons(port);
    }
    return a;
}

/* The first accept line NT's source and credentials satisfy, or NULL. */
static const struct notif_accept *accept_of(const struct ctl_config *cfg, const struct lamon_notification *nt)
{
    const struct notif_config *nc = cfg->notif;
    for (size_t i = 0; nc && i < nc->naccepts; i++) {
        const struct notif_accept *a = &nc->accepts[i];
        if (!notif_net_match(&a->net, (const struct sockaddr *)&nt->source))
            continue;
        if (a->v3 ? nt->version == SNMP_VERSION_3 && strcmp(a->user, nt->user) == 0
                  : nt->version == SNMP_VERSION_2c && nt->community[0] && strcmp(a->community, nt->community) == 0)
            return a;
    }
    return NULL;
}

static int find_v3user(const struct ctl_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nv3users; i++)
        if (strcmp(cfg->v3users[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The node registered from NT through accept line A. */
static bool make_peer(const struct ctl_config *cfg, const struct lamon_notification *nt,
                      const struct notif_accept *a, struct ctl_peer *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", nt->node);
    p->addr = plain(&nt->source, a->port);
    p->port = a->port;
    const void *ip = p->addr.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&p->addr)->sin_addr
                                                  : (const void *)&((struct sockaddr_in6 *)&p->addr)->sin6_addr;
    if (p->addr.ss_family == AF_UNSPEC || !inet_ntop(p->addr.ss_family, ip, p->host, sizeof p->host))
        return false;
    p->v3user = a->v3 ? find_v3user(cfg, a->user) : -1;
    if (a->v3 && p->v3user < 0)
        return false;
    if (!a->v3)
        snprintf(p->community, sizeof p->community, "%s", a->community);
    return true;
}

static size_t count_registered(const struct cluster *cl)
{
    size_t k = 0;
    for (size_t i = 0; i < cl->nnodes; i++)
        k += cl->nodes[i]->registered;
    return k;
}

int node_register(struct cluster *cl, const struct lamon_notification *nt, enum notif_node_refusal *r,
                  const char **why)
{
    const struct ctl_config *cfg = cl->cfg;
    const struct notif_accept *a = accept_of(cfg, nt);
    *r = NNREF_UNKNOWN_NODE;
    *why = "no node of that name";
    if ((nt->type != NT_NODE_STARTED && nt->type != NT_NODE_HEARTBEAT) || !a || !cfg->register_max)
        return -1;
    *r = NNREF_NAME;
    *why = "no node of that name, and not a valid node name to register (letters, digits, . _ -)";
    if (!ctl_cfg_name_ok(nt->node))
        return -1;
    *r = NNREF_CONFLICT;
    *why = "cannot register: the name of a director";
    if (ctl_cfg_find_peer(cfg->directors, cfg->ndirectors, nt->node) >= 0)
        return -1;
    struct ctl_peer p;
    *why = "cannot register: no address or credentials to poll it with";
    if (!make_peer(cfg, nt, a, &p))
        return -1;
    *why = "cannot register: its address and SNMP port are another node's";
    for (size_t i = 0; i < cl->nnodes; i++)
        if (cl->nodes[i]->peer.port == p.port && same_host(&cl->nodes[i]->peer.addr, &p.addr))
            return -1;
    *r = NNREF_REGISTER_MAX;
    *why = "cannot register: register_max nodes are registered already";
    if (count_registered(cl) >= cfg->register_max)
        return -1;
    *why = "cannot register: out of memory";
    struct node_rt **arr = realloc(cl->nodes, (cl->nnodes + 1) * sizeof *arr);
    if (!arr)
        return -1;
    cl->nodes = arr;
    struct node_rt *n = calloc(1, sizeof *n);
    if (!n)
        return -1;
    n->peer = p;
    n->registered = true;
    snprintf(n->reg_user, sizeof n->reg_user, "%s", a->v3 ? a->user : "");
    n->reg_cycle = cl->cycle;
    n->reg_early = in_window(cl);
    cl->nodes[cl->nnodes++] = n;
    event_log("node %s: registered from %s, polled on port %u %s%s", p.name, p.host, p.port,
              a->v3 ? "as v3 user " : "with the accept line's community", a->v3 ? a->user : "");
    return (int)cl->nnodes - 1;
}

/* Within the window after start (only while nodes may register). */
static bool in_window(const struct cluster *cl)
{
    const struct ctl_config *cfg = cl->cfg;
    if (!cfg->notif || !cfg->notif->naccepts || !cfg->register_max)
        return false;
    if (!cl->started.tv_sec && !cl->started.tv_nsec)
        return false;                      /* no start to count from */
    unsigned w = cfg->register_window_ms ? cfg->register_window_ms
               : cfg->interval_ms > 2000 ? cfg->interval_ms : 2000;
    return ms_since(&cl->started) < (long)w;
}

/* The window, and after it the nodes that registered in it until each is
 * judged: those are the members a restart has to learn again.  A node
 * that registers later holds nothing: it is a new node, and a sender in an
 * accept network must not be able to hold every promotion by sending new
 * names. */
bool registration_hold(const struct cluster *cl)
{
    if (in_window(cl))
        return true;
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        if (n->registered && n->reg_early && !n->have_sample && n->hyst.health == NODE_UNKNOWN)
            return true;
    }
    return false;
}

bool node_unpolled(const struct cluster *cl, const struct node_rt *n)
{
    return n->registered && n->reg_cycle == cl->cycle && !n->answered;
}
