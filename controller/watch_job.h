/* Jobs that follow an operator request decide carries out itself (drain,
 * undrain, application start/stop/restart) until the node shows its
 * outcome, as lamonctl's follow() does: a drain ends ok in "maintenance",
 * an undrain in up, app-wait or app-down, an application start or restart
 * with the application up and a stop with it down.  Only a poll answered
 * after the request counts.  A job fails when the node goes down, when a
 * drain is undone, or after drain_timeout plus a margin.  Jobs share
 * node_ops' numbers (job_id.h) and its views ("job N", /api/v1/jobs/N),
 * with the same keys: no SNMP operation of their own, so "ops" is empty. */
#ifndef LAMON_WATCH_JOB_H
#define LAMON_WATCH_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "cluster.h"

enum watch_kind { WATCH_DRAIN, WATCH_UNDRAIN, WATCH_APP };

struct watch_job;

/* Sets up the timer that drives the jobs; -1 when it cannot. */
int watch_job_init(struct event_base *base, struct cluster *cl);
void watch_job_free(void);

/* A job for KIND on NODE (APP and ADMIN, 1 start 2 stop 3 restart, for
 * WATCH_APP), made before the request is sent so that no request goes out
 * unfollowed; NULL when out of memory. */
struct watch_job *watch_job_new(const char *node, enum watch_kind kind, const char *app, int admin);
/* The request was sent: the job starts (driven once watch_job_init ran);
 * returns its number. */
unsigned watch_job_start(const struct cluster *cl, struct watch_job *w);
/* The request was refused: the job never was. */
void watch_job_discard(struct watch_job *w);

/* Appends job ID as node_ops_view does; -1 for none. */
int watch_job_view(struct evbuffer *out, unsigned id, bool json);
/* NODE's job numbers (all for NULL), newest first, at most MAX. */
size_t watch_job_list(const char *node, unsigned *ids, size_t max);

#endif
