/* Renders the cluster for lamonctl: text tables for people, JSON for
 * scripts and the web GUI.  Output is appended to a libevent buffer. */
#ifndef LAMON_STATUS_VIEW_H
#define LAMON_STATUS_VIEW_H

#include <stdbool.h>
#include <event2/buffer.h>

#include "cluster.h"

/* One node as every view shows it: lamonctl status, /api/v1/nodes and the
 * web console's overview. */
struct node_row {
    const char *name, *role, *state, *source;
    const char *service;             /* NULL for none */
    const char *spare;               /* "hot", "cold" or NULL (no spare) */
    double load1;
    unsigned conns;
    char last_seen[32];              /* "2026-01-01T00:00:00Z" or "never" */
};
void view_node_row(const struct cluster *cl, const struct node_rt *n, struct node_row *r);

/* The overview's counter line, per service from the node rows (the page's
 * script counts the same from /api/v1/nodes): servers up, servers down
 * (down or app-down) and its spares (role spare, up, its service); the
 * pool's cold spares (role spare, up, no service) once for all. */
struct service_counts { unsigned up, down, spares; };
/* COUNTS has cfg->nservices entries; *POOL gets the cold spares. */
void view_service_counts(const struct cluster *cl, struct service_counts *counts, unsigned *pool);

/* A service as "services" shows it. */
struct service_row {
    const struct ctl_service *svc;
    char vip[64];                    /* address without the port */
    unsigned port, target;           /* target: the number wanted now */
    unsigned hot, warming, cold;     /* hot spares ready, being heated, the pool's cold ones */
};
void view_service_row(const struct cluster *cl, size_t si, struct service_row *r);

/* "up", "down", "unknown", "starting", "stopping" or "?" (lamonAppOperState). */
const char *app_oper_name(int oper);
/* "up", "down", "restart" or "?" (lamonAppAdminState). */
const char *app_admin_name(int admin);

void view_status(struct evbuffer *out, const struct cluster *cl, bool json);
/* The array that "status --json" has under "nodes" (/api/v1/nodes). */
void view_nodes_json(struct evbuffer *out, const struct cluster *cl);
/* Returns -1 when there is no node NAME. */
int view_node(struct evbuffer *out, const struct cluster *cl, const char *name, bool json);
void view_services(struct evbuffer *out, const struct cluster *cl, bool json);
void view_log(struct evbuffer *out, size_t last, bool json);
/* {"log": [lines numbered SINCE and after], "first": N, "next": N}: the
 * web page's live log asks again with since = next. */
void view_log_since(struct evbuffer *out, unsigned long since);
void view_stats(struct evbuffer *out, const struct cluster *cl, bool json);

#endif
