/* RRD writer: one RRD per node, per application on a node and per service,
 * in the layout of rrd/README.md.  The poll loop only queues updates; a
 * writer thread creates missing files and writes them, through rrdcached
 * when `rrdcached` is configured (rrdc_create/rrdc_update), otherwise with
 * librrd directly (rrd_create_r/rrd_update_r).  So a slow disk or a slow
 * rrdcached never stalls polling; when the queue overflows, the oldest
 * updates are dropped and counted. */
#ifndef LAMON_RRD_WRITER_H
#define LAMON_RRD_WRITER_H

#include "cluster.h"

struct rrd_writer;

struct rrd_writer *rrd_writer_new(const struct ctl_config *cfg, char *err, size_t errlen);
void rrd_writer_free(struct rrd_writer *w);

/* Queues this cycle's samples. */
void rrd_writer_cycle(struct rrd_writer *w, const struct cluster *cl);

/* Builds the rrd_create arguments of KIND ("node", "app", "service") for
 * STEP seconds into argv (at most 24 entries, strings in buf); returns argc. */
int rrd_layout(const char *kind, unsigned step, char buf[][64], const char **argv);

/* Blocks until the queue is empty (tests, shutdown). */
void rrd_writer_flush(struct rrd_writer *w);

#endif
