/* The role half of reconciliation, per service: adopt the strength found
 * at start, follow the load (scale out / scale in within min..max),
 * promote the best spares while a service is short, send surplus members
 * back (drained first when they carry traffic), place new nodes, keep the
 * hot spares (decide_hot.h), and start the application of members and hot
 * spares whose application is down. */
#ifndef LAMON_DECIDE_ROLES_H
#define LAMON_DECIDE_ROLES_H

#include "decide_emit.h"

/* POLLED: a poll cycle's run (decide_run), which alone counts toward
 * scale_polls; a run between polls (decide_now) only acts. */
void reconcile_roles(struct cluster *cl, const struct decide_out *out, bool polled);

#endif
