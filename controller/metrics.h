/* GET /metrics: the cluster and the controller in the Prometheus text
 * exposition format 0.0.4 (docs/api.md lists every family).  Rendered in
 * one pass of the loop straight into the reply's evbuffer, so a scrape
 * sees one consistent picture. */
#ifndef LAMON_METRICS_H
#define LAMON_METRICS_H

#include <stddef.h>

#include <event2/buffer.h>

#include "cluster.h"
#include "ctl_metrics_counters.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Appends every family; -1 when out of memory (OUT holds a part). */
int metrics_render(struct evbuffer *out, const struct cluster *cl);

/* S as a label value between the quotes: backslash, double quote and
 * newline escaped (\\ \" \n), as the format wants.  Writes at most LEN - 1
 * characters and a NUL, never half an escape; returns the length. */
size_t metrics_escape_label(const char *s, char *buf, size_t len);

/* Family NAME as a histogram: cumulative _bucket lines (le="+Inf" is
 * _count), _sum, _count.  -1 when out of memory. */
int metrics_histogram(struct evbuffer *out, const char *name, const char *help, const struct ctl_histogram *h);

#endif
