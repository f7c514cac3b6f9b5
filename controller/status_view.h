/* Renders the cluster for lamonctl: text tables for people, JSON for
 * scripts and the web GUI.  Output is appended to a libevent buffer. */
#ifndef LAMON_STATUS_VIEW_H
#define LAMON_STATUS_VIEW_H

#include <stdbool.h>
#include <event2/buffer.h>

#include "cluster.h"

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
