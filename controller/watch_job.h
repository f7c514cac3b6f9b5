/* Jobs that follow an operator request decide carries out itself (drain,
 * undrain, application start/stop/restart) until the node shows its
 * outcome, as lamonctl's follow() does: a drain ends ok in "maintenance",
 * an undrain in up, app-wait or app-down, an application start or restart
 * with the application up and a stop with it down.  Only a poll answered
 * after the request counts.  A job fails when the node goes down, when a
 * drain is undone, or after drain_timeout plus a margin.  Jobs live in the
 * job list (job_list.h) beside node_ops' and are shown with the same keys
 * ("job N", /api/v1/jobs/N): no SNMP operation of their own, so "ops" is
 * empty.  As each lasts up to drain_timeout plus the margin, a node has at
 * most WATCH_PER_NODE pending application jobs and the cluster WATCH_TOTAL:
 * an application request beyond is refused before it is sent
 * (watch_job_room).  Drains and undrains are never refused for it. */
#ifndef LAMON_WATCH_JOB_H
#define LAMON_WATCH_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster.h"

enum watch_kind { WATCH_DRAIN, WATCH_UNDRAIN, WATCH_APP };

#define WATCH_PER_NODE 4       /* pending application jobs on one node */
#define WATCH_TOTAL 256        /* pending application jobs in all */

struct watch_job;

/* The cluster the jobs watch; job_list_init() drives them. */
void watch_job_init(struct cluster *cl);

/* 0 when NODE may have one more job of KIND; -1 with the reason in err
 * when KIND is WATCH_APP and the node has WATCH_PER_NODE application jobs
 * pending, or the cluster WATCH_TOTAL. */
int watch_job_room(const char *node, enum watch_kind kind, char *err, size_t errlen);

/* A job for KIND on NODE (APP and ADMIN, 1 start 2 stop 3 restart, for
 * WATCH_APP), made before the request is sent so that no request goes out
 * unfollowed; NULL when out of memory. */
struct watch_job *watch_job_new(const char *node, enum watch_kind kind, const char *app, int admin);
/* The request was sent: the job starts; returns its number. */
unsigned watch_job_start(const struct cluster *cl, struct watch_job *w);
/* The request was refused: the job never was. */
void watch_job_discard(struct watch_job *w);

#endif
