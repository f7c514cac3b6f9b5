/* Renders the cluster for lamonctl: text tables for people, JSON for
 * scripts and the web GUI.  Output is appended to a libevent buffer. */
#ifndef LAMON_STATUS_VIEW_H
#define LAMON_STATUS_VIEW_H

#include <stdbool.h>
#include <event2/buffer.h>

#include "cluster.h"

void view_status(struct evbuffer *out, const struct cluster *cl, bool json);
/* Returns -1 when there is no node NAME. */
int view_node(struct evbuffer *out, const struct cluster *cl, const char *name, bool json);
void view_services(struct evbuffer *out, const struct cluster *cl, bool json);
void view_log(struct evbuffer *out, size_t last, bool json);
void view_stats(struct evbuffer *out, const struct cluster *cl, bool json);

#endif
