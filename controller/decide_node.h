/* The decisions' writes to a node, as intents: its role and service
 * and/or its state, and an application's admin status.  Each is one
 * decision with its own back-off, keyed by what it writes. */
#ifndef LAMON_DECIDE_NODE_H
#define LAMON_DECIDE_NODE_H

#include "decide_emit.h"

/* May the decision to write ROLE/SERVICE/STATE to N be taken now? */
bool decide_role_ready(const struct cluster *cl, const struct node_rt *n, int role, const char *service, int state);

/* Writes role + service (ROLE not 0) and/or state (STATE not 0), the
 * decision DECISION (logged first, when given) for reason WHY.  A decision
 * whose earlier write failed waits for its back-off (returns 1, nothing
 * logged) unless FORCE (an operator's request).  Returns 0 when sent: the
 * node is seen as written from now on (decisions later in the cycle build
 * on it); -1 when it failed now. */
int decide_set_node(struct cluster *cl, const struct decide_out *out, struct node_rt *n, int role,
                    const char *service, int state, const char *why, const char *decision, bool force);

/* Sets application APP's admin status (1 up, 2 down, 3 restart) on N;
 * returns as decide_set_node. */
int decide_set_app(struct cluster *cl, const struct decide_out *out, struct node_rt *n, const char *app,
                   int admin, const char *why, bool force);

#endif
