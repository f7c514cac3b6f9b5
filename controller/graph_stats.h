/* The graphs' counters (http_graph.h, graph_child.h), kept apart so that
 * `lamonctl stats` (status_view.c) shows them without depending on the
 * web console: the web modules count, the view prints. */
#ifndef LAMON_GRAPH_STATS_H
#define LAMON_GRAPH_STATS_H

#include <stdbool.h>

#include <event2/buffer.h>

struct graph_stats {
    unsigned long requests, cached, shared, busy, timeouts, failed, stale, gone;
    unsigned long queued;            /* requests that waited for a free child */
    unsigned long forked;            /* children forked since the start */
    unsigned running;                /* children started and not yet reaped */
    unsigned peak;                   /* the most running at once */
};

extern struct graph_stats graph_stats;

/* Appends the counters: JSON ', "graphs": {...}' (inside the stats
 * object) or text lines. */
void graph_stats_print(struct evbuffer *out, bool json);

#endif
