/* Text and JSON views of the cluster (see status_view.h). */
#include "status_view.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node_view.h"
#include "event_log.h"
#include "graph_stats.h"
#include "json_text.h"
#include "notif_stats.h"

static void stamp(time_t t, char *buf, size_t len)
{
    struct tm tm;
    if (!t) {
        snprintf(buf, len, "never");
        return;
    }
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *role_of(const struct node_rt *n)
{
    if (!n->have_sample)
        return "-";
    switch (n->s.role) {
    case ROLE_UNASSIGNED: return "unassigned";
    case ROLE_SERVER: return "server";
    case ROLE_SPARE: return "spare";
    case ROLE_DIRECTOR: return "director";
    default: return "-";
    }
}

/* "hot" or "cold" for a spare, NULL for any other role: hot is a hot
 * spare whose application is up and checked (decide_hot.h); one still
 * being heated is cold until then. */
static const char *spare_kind(const struct cluster *cl, const struct node_rt *n)
{
    if (!n->have_sample || n->s.role != ROLE_SPARE)
        return NULL;
    return hot_ready(cl, n, hot_service(cl, n)) ? "hot" : "cold";
}

/* Where the node comes from: its configuration line or its own
 * registration (node_register.h). */
static const char *source_of(const struct node_rt *n)
{
    return n->registered ? "registered" : "config";
}

static void json_last_seen(struct evbuffer *out, time_t t)
{
    char ts[32];
    if (!t) {
        evbuffer_add_printf(out, "null");
        return;
    }
    stamp(t, ts, sizeof ts);
    json_string(out, ts);
}

void view_node_row(const struct cluster *cl, const struct node_rt *n, struct node_row *r)
{
    r->name = n->peer.name;
    r->role = role_of(n);
    r->service = n->have_sample && n->s.service[0] ? n->s.service : NULL;
    r->state = node_state_label(cl, n);
    r->spare = spare_kind(cl, n);
    r->source = source_of(n);
    r->load1 = n->s.load1 / 100.0;
    r->conns = n->s.conns;
    stamp(n->last_seen, r->last_seen, sizeof r->last_seen);
}

void view_service_counts(const struct cluster *cl, struct service_counts *counts, unsigned *pool)
{
    size_t ns = cl->cfg->nservices;
    memset(counts, 0, ns * sizeof *counts);
    *pool = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_row r;
        view_node_row(cl, cl->nodes[i], &r);
        int si = r.service ? ctl_config_find_service(cl->cfg, r.service) : -1;
        bool up = strcmp(r.state, "up") == 0;
        if (strcmp(r.role, "spare") == 0 && up) {
            if (si >= 0)
                counts[si].spares++;
            else if (!r.service)
                (*pool)++;
        } else if (strcmp(r.role, "server") == 0 && si >= 0) {
            if (up)
                counts[si].up++;
            else if (strcmp(r.state, "down") == 0 || strcmp(r.state, "app-down") == 0)
                counts[si].down++;
        }
    }
}

const char *app_oper_name(int oper)
{
    static const char *const names[] = { "?", "up", "down", "unknown", "starting", "stopping" };
    return oper >= APP_UP && oper <= APP_STOPPING ? names[oper] : names[0];
}

const char *app_admin_name(int admin)
{
    static const char *const names[] = { "?", "up", "down", "restart" };
    return admin >= APP_ADMIN_UP && admin <= APP_ADMIN_RESTART ? names[admin] : names[0];
}

/* One node of "status --json" (and of /api/v1/nodes). */
static void node_json(struct evbuffer *out, const struct cluster *cl, const struct node_rt *n)
{
    struct node_row r;
    view_node_row(cl, n, &r);
    evbuffer_add_printf(out, "{\"name\": ");
    json_string(out, r.name);
    evbuffer_add_printf(out, ", \"role\": ");
    json_string(out, r.role);
    evbuffer_add_printf(out, ", \"service\": ");
    if (r.service)
        json_string(out, r.service);
    else
        evbuffer_add_printf(out, "null");
    evbuffer_add_printf(out, ", \"state\": ");
    json_string(out, r.state);
    if (r.spare)
        evbuffer_add_printf(out, ", \"spare\": \"%s\"", r.spare);
    evbuffer_add_printf(out, ", \"load1\": %.2f, \"connections\": %u, \"last_seen\": ", r.load1, r.conns);
    json_last_seen(out, n->last_seen);
    evbuffer_add_printf(out, ", \"heartbeats\": %lu, \"heartbeat_ms\": %u, \"source\": \"%s\"}", n->hb.count,
                        n->hb.period_ms, r.source);
}

void view_nodes_json(struct evbuffer *out, const struct cluster *cl)
{
    evbuffer_add_printf(out, "[");
    for (size_t i = 0; i < cl->nnodes; i++) {
        if (i)
            evbuffer_add_printf(out, ", ");
        node_json(out, cl, cl->nodes[i]);
    }
    evbuffer_add_printf(out, "]");
}

void view_status(struct evbuffer *out, const struct cluster *cl, bool json)
{
    if (json) {
        evbuffer_add_printf(out, "{\"nodes\": ");
        view_nodes_json(out, cl);
        notif_stats_view(out, true);
        evbuffer_add_printf(out, "}\n");
        return;
    }
    evbuffer_add_printf(out, "%-16s %-10s %-12s %-11s %6s %6s %-5s  %-20s  %s\n", "NAME", "ROLE", "SERVICE", "STATE",
                        "LOAD", "CONNS", "SPARE", "LAST SEEN", "SOURCE");
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_row r;
        view_node_row(cl, cl->nodes[i], &r);
        evbuffer_add_printf(out, "%-16s %-10s %-12s %-11s %6.2f %6u %-5s  %-20s  %s\n", r.name, r.role,
                            r.service ? r.service : "-", r.state, r.load1, r.conns, r.spare ? r.spare : "-",
                            r.last_seen, r.source);
    }
    notif_stats_view(out, false);
}

int view_node(struct evbuffer *out, const struct cluster *cl, const char *name, bool json)
{
    int i = cluster_find_node(cl, name);
    if (i < 0)
        return -1;
    const struct node_rt *n = cl->nodes[i];
    const struct node_sample *s = &n->s;
    char ts[32];
    if (json) {
        evbuffer_add_printf(out, "{\"name\": ");
        json_string(out, n->peer.name);
        evbuffer_add_printf(out, ", \"address\": ");
        json_string(out, n->peer.host);
        evbuffer_add_printf(out, ", \"port\": %u, \"source\": \"%s\", \"role\": ", n->peer.port, source_of(n));
        json_string(out, role_of(n));
        evbuffer_add_printf(out, ", \"service\": ");
        if (n->have_sample && s->service[0])
            json_string(out, s->service);
        else
            evbuffer_add_printf(out, "null");
        evbuffer_add_printf(out, ", \"state\": ");
        json_string(out, node_state_label(cl, n));
        evbuffer_add_printf(out, ", \"health\": ");
        json_string(out, node_health_name(n->hyst.health));
        evbuffer_add_printf(out, ", \"agent_name\": ");
        json_string(out, s->name);
        evbuffer_add_printf(out, ", \"agent_state\": %d, \"uptime_s\": %lu, \"load1\": %.2f, \"load5\": %.2f, "
                                 "\"load15\": %.2f, \"cpu\": %.2f, \"memtotal_kb\": %lu, \"memavail_kb\": %lu, "
                                 "\"connections\": %u, \"synrecv\": %u, \"last_seen\": ",
                            s->state, s->uptime / 100, s->load1 / 100.0, s->load5 / 100.0, s->load15 / 100.0,
                            s->cpu / 100.0, s->memtotal, s->memavail, s->conns, s->synrecv);
        json_last_seen(out, n->last_seen);
        evbuffer_add_printf(out, ", \"agent_version\": ");
        json_string(out, s->version);
        evbuffer_add_printf(out, ", \"kernel_running\": ");
        json_string(out, s->kernel);
        evbuffer_add_printf(out, ", \"kernel_next\": ");
        json_string(out, s->kernel_next);
        evbuffer_add_printf(out, ", \"apps\": [");
        for (size_t k = 0; k < s->napps; k++) {
            evbuffer_add_printf(out, "%s{\"name\": ", k ? ", " : "");
            json_string(out, s->apps[k].name);
            evbuffer_add_printf(out, ", \"oper\": %d, \"admin\": %d, \"established\": %u, \"synrecv\": %u, "
                                     "\"oper_name\": \"%s\", \"admin_name\": \"%s\"}",
                                s->apps[k].oper, s->apps[k].admin, s->apps[k].estab, s->apps[k].synrecv,
                                app_oper_name(s->apps[k].oper), app_admin_name(s->apps[k].admin));
        }
        evbuffer_add_printf(out, "]}\n");
        return 0;
    }
    stamp(n->last_seen, ts, sizeof ts);
    evbuffer_add_printf(out, "name:        %s\naddress:     %s:%u (%s)\nrole:        %s\nservice:     %s\n"
                             "state:       %s (health %s)\nlast seen:   %s\n",
                        n->peer.name, n->peer.host, n->peer.port, source_of(n), role_of(n),
                        n->have_sample && s->service[0] ? s->service : "-", node_state_label(cl, n),
                        node_health_name(n->hyst.health), ts);
    if (!n->have_sample)
        return 0;
    evbuffer_add_printf(out, "agent name:  %s\nuptime:      %lus\nload:        %.2f %.2f %.2f\ncpu:         %.2f%%\n"
                             "memory:      %lu kB available of %lu kB\nconnections: %u established, %u syn-recv\n",
                        s->name, s->uptime / 100, s->load1 / 100.0, s->load5 / 100.0, s->load15 / 100.0,
                        s->cpu / 100.0, s->memavail, s->memtotal, s->conns, s->synrecv);
    evbuffer_add_printf(out, "agent:       %s\nkernel:      %s (next boot %s)\n", s->version[0] ? s->version : "-",
                        s->kernel[0] ? s->kernel : "-", s->kernel_next[0] ? s->kernel_next : "unknown");
    for (size_t k = 0; k < s->napps; k++)
        evbuffer_add_printf(out, "app %-12s %-8s %u established, %u syn-recv\n", s->apps[k].name,
                            app_oper_name(s->apps[k].oper), s->apps[k].estab, s->apps[k].synrecv);
    return 0;
}

void view_service_row(const struct cluster *cl, size_t si, struct service_row *r)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    r->svc = s;
    snprintf(r->vip, sizeof r->vip, "?");
    if (s->vip.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&s->vip)->sin_addr, r->vip, sizeof r->vip);
        r->port = ntohs(((const struct sockaddr_in *)&s->vip)->sin_port);
    } else {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&s->vip)->sin6_addr, r->vip, sizeof r->vip);
        r->port = ntohs(((const struct sockaddr_in6 *)&s->vip)->sin6_port);
    }
    r->target = cl->svc_target[si] ? cl->svc_target[si] : s->nodes;
    /* Hot spares (and those being heated) are the service's own; cold
     * ones (role spare, no service) are the pool every service shares. */
    r->hot = r->warming = r->cold = 0;
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        if (n->hyst.health != NODE_UP || !n->have_sample || n->s.role != ROLE_SPARE)
            continue;
        int hs = hot_service(cl, n);
        if (hs == (int)si && !n->failed)
            *(hot_ready(cl, n, hs) ? &r->hot : &r->warming) += 1;
        else if (hs < 0 && !n->s.service[0] && n->s.state == NSTATE_RUNNING)
            r->cold++;
    }
}

/* The destinations of service SI in D's table: address, the node there,
 * weight and active connections. */
static void director_dests(struct evbuffer *out, const struct cluster *cl, const struct director_rt *d, size_t si,
                           bool json)
{
    const struct ctl_service *s = &cl->cfg->services[si];
    bool first = true;
    for (size_t j = 0; j < d->ndests; j++) {
        const struct dest_obs *o = &d->dests[j];
        if (o->svc != (int)si)
            continue;
        char addr[INET6_ADDRSTRLEN + 16];
        addr_str(&o->addr, addr, sizeof addr);
        const struct node_rt *n = node_at(cl, s, &o->addr);
        if (json) {
            evbuffer_add_printf(out, "%s{\"address\": ", first ? "" : ", ");
            json_string(out, addr);
            evbuffer_add_printf(out, ", \"node\": ");
            if (n)
                json_string(out, n->peer.name);
            else
                evbuffer_add_printf(out, "null");
            evbuffer_add_printf(out, ", \"weight\": %d, \"connections\": %u}", o->weight, o->active);
        } else {
            evbuffer_add_printf(out, "    dest %-22s %-16s weight %d, %u active\n", addr, n ? n->peer.name : "-",
                                o->weight, o->active);
        }
        first = false;
    }
}

void view_services(struct evbuffer *out, const struct cluster *cl, bool json)
{
    const struct ctl_config *cfg = cl->cfg;
    if (json)
        evbuffer_add_printf(out, "{\"services\": [");
    for (size_t si = 0; si < cfg->nservices; si++) {
        struct service_row r;
        view_service_row(cl, si, &r);
        const struct ctl_service *s = r.svc;
        if (json) {
            evbuffer_add_printf(out, "%s{\"name\": ", si ? ", " : "");
            json_string(out, s->name);
            evbuffer_add_printf(out, ", \"protocol\": \"%s\", \"vip\": ", s->protocol == 6 ? "tcp" : "udp");
            json_string(out, r.vip);
            evbuffer_add_printf(out, ", \"port\": %u, \"nodes\": %u, \"min\": %u, \"max\": %u, \"target\": %u, "
                                     "\"hot\": %u, \"hot_spares\": %u, \"warming_spares\": %u, "
                                     "\"cold_spares\": %u, \"members\": [",
                                r.port, s->nodes, s->min, s->max, r.target, s->hot, r.hot, r.warming, r.cold);
        } else {
            evbuffer_add_printf(out, "%s %s %s:%u  nodes %u (min %u, max %u, now wanted %u)\n", s->name,
                                s->protocol == 6 ? "tcp" : "udp", r.vip, r.port, s->nodes, s->min, s->max, r.target);
            evbuffer_add_printf(out, "  spares   %u hot (keeps %u), %u warming, %u cold in the pool\n", r.hot, s->hot,
                                r.warming, r.cold);
        }
        bool first = true;
        for (size_t i = 0; i < cl->nnodes; i++) {
            const struct node_rt *n = cl->nodes[i];
            if (!node_is_member(cl, n, (int)si))
                continue;
            if (json) {
                evbuffer_add_printf(out, "%s{\"name\": ", first ? "" : ", ");
                json_string(out, n->peer.name);
                evbuffer_add_printf(out, ", \"state\": ");
                json_string(out, node_state_label(cl, n));
                evbuffer_add_printf(out, ", \"connections\": %u}", n->s.conns);
            } else {
                evbuffer_add_printf(out, "  member %-16s %-11s %u connections\n", n->peer.name,
                                    node_state_label(cl, n), n->s.conns);
            }
            first = false;
        }
        if (json) {
            evbuffer_add_printf(out, "], \"directors\": [");
        }
        for (size_t k = 0; k < s->ndirectors; k++) {
            const struct director_rt *d = cl->dirs[s->directors[k]];
            unsigned ndest = 0;
            for (size_t j = 0; j < d->ndests; j++)
                ndest += d->dests[j].svc == (int)si;
            if (json) {
                evbuffer_add_printf(out, "%s{\"name\": ", k ? ", " : "");
                json_string(out, d->peer.name);
                evbuffer_add_printf(out, ", \"reachable\": %s, \"destinations\": %u, \"dests\": [",
                                    d->reachable ? "true" : "false", ndest);
                director_dests(out, cl, d, si, true);
                evbuffer_add_printf(out, "]}");
            } else {
                evbuffer_add_printf(out, "  director %-14s %-11s %u destinations\n", d->peer.name,
                                    d->reachable ? "reachable" : "unreachable", ndest);
                director_dests(out, cl, d, si, false);
            }
        }
        if (json)
            evbuffer_add_printf(out, "]}");
    }
    if (json)
        evbuffer_add_printf(out, "]}\n");
}

void view_log_since(struct evbuffer *out, unsigned long since)
{
    unsigned long total = event_log_total();
    size_t n = event_log_count();
    unsigned long first = total - n;
    /* A since beyond the end is from an earlier run of the controller (the
     * page outlived a restart): all of this run's lines, from the first. */
    size_t from = since > first && since <= total ? (size_t)(since - first) : 0;
    evbuffer_add_printf(out, "{\"log\": [");
    for (size_t i = from; i < n; i++) {
        if (i > from)
            evbuffer_add_printf(out, ", ");
        json_string(out, event_log_line(i));
    }
    evbuffer_add_printf(out, "], \"first\": %lu, \"next\": %lu, \"run\": %llu}\n", first + from, total,
                        event_log_run());
}

void view_log(struct evbuffer *out, size_t last, bool json)
{
    size_t n = event_log_count();
    size_t from = last && last < n ? n - last : 0;
    if (json)
        evbuffer_add_printf(out, "{\"log\": [");
    for (size_t i = from; i < n; i++) {
        if (json) {
            if (i > from)
                evbuffer_add_printf(out, ", ");
            json_string(out, event_log_line(i));
        } else {
            evbuffer_add_printf(out, "%s\n", event_log_line(i));
        }
    }
    if (json)
        evbuffer_add_printf(out, "]}\n");
}

void view_stats(struct evbuffer *out, const struct cluster *cl, bool json)
{
    if (json)
        evbuffer_add_printf(out, "{\"cycles\": %u, \"sets\": %lu, \"varbinds\": %lu, \"panic\": %s", cl->cycle,
                            cl->sets_sent, cl->varbinds_read, cl->panic ? "true" : "false");
    else
        evbuffer_add_printf(out, "cycles %u\nsets %lu\nvarbinds %lu\npanic %s\n", cl->cycle, cl->sets_sent,
                            cl->varbinds_read, cl->panic ? "yes" : "no");
    graph_stats_print(out, json);
    if (json)
        evbuffer_add_printf(out, "}\n");
}
