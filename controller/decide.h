/* What the controller does at the end of every poll cycle: feed each node's
 * health state machines, watch the panic threshold, then level-triggered
 * reconciliation.  Every decision compares what the agents and directors
 * report now with what the configuration wants, so a restarted controller
 * in a healthy cluster finds nothing to do, and a director that was away
 * gets whatever it missed once it answers again. */
#ifndef LAMON_DECIDE_H
#define LAMON_DECIDE_H

#include "cluster.h"

void decide_cycle(struct cluster *cl);

/* Per-node view used by decisions and by the status display. */
bool node_is_member(const struct cluster *cl, const struct node_rt *n, int svc);
bool node_ready(const struct cluster *cl, const struct node_rt *n);
const char *node_state_label(const struct cluster *cl, const struct node_rt *n);
int node_service(const struct cluster *cl, const struct node_rt *n);

/* The weight of weights follow (ctl_config.h): BASE scaled down by LOAD
 * relative to HIGH, within 1..BASE; HAVE (the weight in force, -1 if none)
 * is kept when the new figure is less than max(1, BASE / 10) away. */
int follow_weight(int base, double load, double high, int have);

/* Operator requests; the result arrives asynchronously and is logged.
 * Return 0 when the request was sent, -1 with a reason in err. */
int decide_drain(struct cluster *cl, struct node_rt *n, bool drain, char *err, size_t errlen);
int decide_app(struct cluster *cl, struct node_rt *n, const char *app, int admin, char *err, size_t errlen);

#endif
