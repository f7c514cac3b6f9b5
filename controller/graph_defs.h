/* The web console's graphs as rrd_graph_v argument vectors: which RRD
 * (rrd/README.md), which data sources, which consolidation, and how each
 * is drawn.  They are the graphs rrd/lamon-graph draws with `rrdtool
 * graph` (same DEFs, CDEFs, colours, legends and size); change both
 * together.  Pure: no I/O, so that every kind x period is unit-tested. */
#ifndef LAMON_GRAPH_DEFS_H
#define LAMON_GRAPH_DEFS_H

#include <stdbool.h>
#include <stddef.h>

#include "rrd_writer.h"

enum graph_period { GP_HOUR, GP_DAY, GP_WEEK, GP_MONTH, GP_COUNT };

#define GRAPH_WIDTH 600              /* the whole PNG (--full-size-mode), as lamon-graph's default */
#define GRAPH_HEIGHT 240
#define GRAPH_ARGV_MAX 40
#define GRAPH_POOL 24576             /* the strings; a path may be 4 KiB and is in up to 3 DEFs */

struct graph_argv {
    int argc;
    char *argv[GRAPH_ARGV_MAX + 1];  /* NULL-terminated */
    size_t used;
    char pool[GRAPH_POOL];
};

/* "hour", "day", "week", "month" into *P; false for anything else. */
bool graph_period_parse(const char *s, enum graph_period *p);
const char *graph_period_name(enum graph_period p);
/* The period's length in seconds. */
unsigned graph_period_seconds(enum graph_period p);
/* How long a drawn graph of P stays good enough, for RRDs of STEP
 * seconds: one pixel column of the graph, and at least one step (a
 * new value arrives once a step): hour 10 s, day 144 s, week 17 min,
 * month 74 min at step 10. */
unsigned graph_period_ttl(enum graph_period p, unsigned step);

/* Whether KIND is a graph of an RRD of TYPE: node load|cpu|mem|conns,
 * app conns, service nodes|conns. */
bool graph_kind_valid(enum rrd_kind type, const char *kind);

/* Builds rrd_graph_v's arguments ("graph", "-" for the PNG in the info
 * list's "image", options, DEFs, drawing) of KIND of the RRD at PATH (of
 * TYPE, titled with NAME) over period P.  -1 for a kind TYPE has not, or
 * a path too long for the pool. */
int graph_build(struct graph_argv *g, enum rrd_kind type, const char *kind, enum graph_period p, const char *path,
                const char *name);

#endif
