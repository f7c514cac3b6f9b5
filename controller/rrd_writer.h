/* RRD writer: one RRD per node, per application on a node and per service,
 * in the layout of rrd/README.md.  The poll loop only queues updates; a
 * writer thread creates missing files and writes them, through rrdcached
 * when `rrdcached` is configured (rrdc_create/rrdc_update), otherwise with
 * librrd directly (rrd_create_r/rrd_update_r).  So a slow disk or a slow
 * rrdcached never stalls polling; when the queue overflows, the oldest
 * updates are dropped and counted. */
#ifndef LAMON_RRD_WRITER_H
#define LAMON_RRD_WRITER_H

#include <stdbool.h>

#include "cluster.h"

struct rrd_writer;

/* The RRD files, rrd/README.md: node-NAME.rrd, app-NODE-APP.rrd,
 * service-NAME.rrd. */
enum rrd_kind { RRD_NODE, RRD_APP, RRD_SERVICE };

/* The file of KIND in DIR for NAME (a node or a service; the node for
 * RRD_APP) and APP (RRD_APP only, else NULL): malloc'd, NULL when out of
 * memory.  The one place that names the files (writer and graphs). */
char *rrd_file_path(const char *dir, enum rrd_kind kind, const char *name, const char *app);

/* librrd's rrdcached client has one process-wide mutex, held during every
 * rrdc_* call, and rrd_graph takes it even without a daemon: a fork() while
 * the writer thread holds it leaves the child a mutex nobody unlocks.  The
 * writer holds this guard around its rrdc_* calls; a process about to fork
 * takes it with rrd_fork_guard_try (false: the writer is in such a call,
 * try later; it never waits) and drops it after fork() in both processes. */
bool rrd_fork_guard_try(void);
void rrd_fork_guard_release(void);

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
