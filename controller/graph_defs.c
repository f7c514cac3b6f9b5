/* The graphs' rrd_graph_v arguments (graph_defs.h).  Keep each one
 * equivalent to rrd/lamon-graph's draw_node, draw_app and draw_service:
 * the same DEFs (data source and consolidation), CDEFs, colours and
 * legends.  Left out: lamon-graph's PRINT lines, which only feed its
 * --summary output. */
#include "graph_defs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const periods[GP_COUNT] = { "hour", "day", "week", "month" };
/* rrdtool's time syntax, as lamon-graph's --start. */
static const char *const starts[GP_COUNT] = { "-1h", "-1d", "-1w", "-1month" };
static const unsigned seconds[GP_COUNT] = { 3600, 86400, 7 * 86400, 31 * 86400 };

bool graph_period_parse(const char *s, enum graph_period *p)
{
    for (int i = 0; i < GP_COUNT; i++)
        if (strcmp(s, periods[i]) == 0) {
            *p = (enum graph_period)i;
            return true;
        }
    return false;
}

const char *graph_period_name(enum graph_period p) { return periods[p]; }
unsigned graph_period_seconds(enum graph_period p) { return seconds[p]; }

unsigned graph_period_ttl(enum graph_period p, unsigned step)
{
    unsigned column = seconds[p] / GRAPH_WIDTH;
    return column > step ? column : (step ? step : 1);
}

bool graph_kind_valid(enum rrd_kind type, const char *kind)
{
    switch (type) {
    case RRD_NODE:
        return strcmp(kind, "load") == 0 || strcmp(kind, "cpu") == 0 || strcmp(kind, "mem") == 0 ||
               strcmp(kind, "conns") == 0;
    case RRD_APP:
        return strcmp(kind, "conns") == 0;
    case RRD_SERVICE:
        return strcmp(kind, "nodes") == 0 || strcmp(kind, "conns") == 0;
    }
    return false;
}

/* Appends one argument, printf-style; false when the pool or argv is full. */
__attribute__((format(printf, 2, 3))) static bool add(struct graph_argv *g, const char *fmt, ...)
{
    if (g->argc >= GRAPH_ARGV_MAX || g->used >= sizeof g->pool)
        return false;
    char *at = g->pool + g->used;
    size_t room = sizeof g->pool - g->used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room)
        return false;
    g->used += (size_t)n + 1;
    g->argv[g->argc++] = at;
    g->argv[g->argc] = NULL;
    return true;
}

/* lamon-graph's stats(): last, average and maximum of V over the period. */
static bool stats(struct graph_argv *g, const char *v, const char *fmt)
{
    return add(g, "GPRINT:%s:LAST:last %s", v, fmt) && add(g, "GPRINT:%s:AVERAGE:avg %s", v, fmt) &&
           add(g, "GPRINT:%s:MAX:max %s\\l", v, fmt);
}

/* The DEF of VNAME: data source DS of the file, consolidated by CF.  The
 * file's ':' are escaped, as lamon-graph's def_path does. */
static bool def(struct graph_argv *g, const char *vname, const char *file, const char *ds, const char *cf)
{
    char esc[2 * 4096 + 1];
    size_t o = 0;
    for (const char *c = file; *c; c++) {
        if (o + 3 > sizeof esc)
            return false;
        if (*c == ':')
            esc[o++] = '\\';
        esc[o++] = *c;
    }
    esc[o] = '\0';
    return add(g, "DEF:%s=%s:%s:%s", vname, esc, ds, cf);
}

static bool common(struct graph_argv *g, enum graph_period p, const char *title, const char *vlabel)
{
    return add(g, "graph") && add(g, "-") && add(g, "--imgformat") && add(g, "PNG") && add(g, "--full-size-mode") &&
           add(g, "--width") && add(g, "%d", GRAPH_WIDTH) && add(g, "--height") && add(g, "%d", GRAPH_HEIGHT) &&
           add(g, "--start") && add(g, "%s", starts[p]) && add(g, "--end") && add(g, "now") && add(g, "--title") &&
           add(g, "%s", title) && add(g, "--vertical-label") && add(g, "%s", vlabel) && add(g, "--lower-limit") &&
           add(g, "0");
}

static bool node_graph(struct graph_argv *g, const char *kind, enum graph_period p, const char *f, const char *name)
{
    char t[600];
    if (strcmp(kind, "load") == 0) {
        snprintf(t, sizeof t, "%s: load average", name);
        return common(g, p, t, "load") && def(g, "l1", f, "load1", "AVERAGE") && def(g, "l5", f, "load5", "AVERAGE") &&
               def(g, "l15", f, "load15", "AVERAGE") && add(g, "LINE2:l1#d62728:1 min ") && stats(g, "l1", "%5.2lf") &&
               add(g, "LINE1:l5#ff7f0e:5 min\\l") && add(g, "LINE1:l15#1f77b4:15 min\\l");
    }
    if (strcmp(kind, "cpu") == 0) {
        snprintf(t, sizeof t, "%s: CPU busy", name);
        return common(g, p, t, "percent") && add(g, "--upper-limit") && add(g, "100") && add(g, "--rigid") &&
               def(g, "cpu", f, "cpu", "AVERAGE") && def(g, "cpumax", f, "cpu", "MAX") &&
               add(g, "AREA:cpu#2ca02c:busy ") && stats(g, "cpu", "%5.1lf%%") && add(g, "LINE1:cpumax#006400:peak\\l");
    }
    if (strcmp(kind, "conns") == 0) {
        snprintf(t, sizeof t, "%s: connections", name);
        return common(g, p, t, "connections") && def(g, "c", f, "conns", "AVERAGE") &&
               def(g, "s", f, "synrecv", "AVERAGE") && add(g, "AREA:c#1f77b4:established") && stats(g, "c", "%6.0lf") &&
               add(g, "LINE2:s#d62728:SYN-RECV   ") && stats(g, "s", "%6.0lf");
    }
    if (strcmp(kind, "mem") == 0) {
        /* Stored in kB (as /proc/meminfo), drawn in bytes so that rrdtool's
         * SI prefixes read right. */
        snprintf(t, sizeof t, "%s: memory", name);
        return common(g, p, t, "bytes") && add(g, "--base") && add(g, "1024") && def(g, "tot", f, "memtotal", "AVERAGE") &&
               def(g, "avail", f, "memavail", "AVERAGE") && add(g, "CDEF:totb=tot,1024,*") &&
               add(g, "CDEF:used=tot,avail,-,1024,*") && add(g, "AREA:used#9467bd:used ") &&
               stats(g, "used", "%6.1lf%sB") && add(g, "LINE1:totb#000000:total\\l");
    }
    return false;
}

int graph_build(struct graph_argv *g, enum rrd_kind type, const char *kind, enum graph_period p, const char *path,
                const char *name)
{
    g->argc = 0;
    g->used = 0;
    g->argv[0] = NULL;
    if ((unsigned)p >= GP_COUNT || !graph_kind_valid(type, kind))
        return -1;
    char t[600];
    bool ok = false;
    switch (type) {
    case RRD_NODE:
        ok = node_graph(g, kind, p, path, name);
        break;
    case RRD_APP:
        snprintf(t, sizeof t, "application %s: connections", name);
        ok = common(g, p, t, "connections") && def(g, "e", path, "established", "AVERAGE") &&
             def(g, "s", path, "synrecv", "AVERAGE") && add(g, "AREA:e#1f77b4:established") &&
             stats(g, "e", "%6.0lf") && add(g, "LINE2:s#d62728:SYN-RECV   ") && stats(g, "s", "%6.0lf");
        break;
    case RRD_SERVICE:
        if (strcmp(kind, "nodes") == 0) {
            snprintf(t, sizeof t, "service %s: healthy nodes", name);
            ok = common(g, p, t, "nodes") && def(g, "n", path, "nodes", "AVERAGE") && add(g, "LINE2:n#2ca02c:nodes") &&
                 stats(g, "n", "%4.0lf");
        } else {
            snprintf(t, sizeof t, "service %s: connections", name);
            ok = common(g, p, t, "connections") && def(g, "c", path, "conns", "AVERAGE") &&
                 add(g, "AREA:c#1f77b4:established") && stats(g, "c", "%6.0lf");
        }
        break;
    }
    return ok ? 0 : -1;
}
