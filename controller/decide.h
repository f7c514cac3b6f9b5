/* What the controller does at the end of every poll cycle: feed each node's
 * health state machines, watch the panic threshold, then level-triggered
 * reconciliation.  Every decision compares what the agents and directors
 * report now with what the configuration wants, so a restarted controller
 * in a healthy cluster finds nothing to do, and a director that was away
 * gets whatever it missed once it answers again.
 *
 * The decisions are intents (intent.h): decide_run() hands each to a sink
 * and does no I/O itself.  Their order is fixed: the removal of failed
 * members from every director first (remove_failed_members), then drains,
 * roles (the promotion) and the rest of the directors' tables; decide_cycle() sends them as SETs
 * (peer_writes.h), whose outcomes feed each decision's back-off. */
#ifndef LAMON_DECIDE_H
#define LAMON_DECIDE_H

#include "cluster.h"
#include "decide_emit.h"

/* One cycle's decisions from the cluster as polled, into OUT. */
void decide_run(struct cluster *cl, const struct decide_out *out);

/* decide_run() into SETs, after ending overdue SETs. */
void decide_cycle(struct cluster *cl);

/* The decisions between two cycles, when a notification brought a
 * failure (notif_apply.h): the same as decide_run without feeding the
 * health machines, whose polls are not all in.  Removals first. */
void decide_now(struct cluster *cl, const struct decide_out *out);

/* Operator requests; the result arrives asynchronously and is logged.
 * Return 0 when the request was sent, -1 with a reason in err. */
int decide_drain(struct cluster *cl, struct node_rt *n, bool drain, char *err, size_t errlen);
int decide_app(struct cluster *cl, struct node_rt *n, const char *app, int admin, char *err, size_t errlen);

#endif
