/* Decisions leave as intents (intent.h) through a sink: in the controller
 * the sink is peer_writes, whose outcomes come back here to end the
 * peer's write in flight and to feed the decision's back-off
 * (set_backoff.h); a test's sink records them. */
#ifndef LAMON_DECIDE_EMIT_H
#define LAMON_DECIDE_EMIT_H

#include "cluster.h"
#include "intent.h"

/* Takes IT: 0 when it is on its way (its outcome comes later), -1 when it
 * could not go, with the reason in WHY. */
typedef int (*intent_sink)(struct cluster *cl, const struct intent *it, void *arg, char *why, size_t whylen);

struct decide_out {
    intent_sink sink;
    void *arg;
};

/* The controller's sink: every intent becomes a SET (peer_writes.h). */
extern const struct decide_out decide_to_peers;

/* Logs IT's decision line (when it has one), hands IT to OUT and marks its
 * peer busy: a node gets a write in flight (and, for a role, a role
 * pending), a director one more.  When OUT cannot take it, that is logged
 * ("cannot WHAT: WHY") and the decision backs off.  Returns 0 / -1. */
int decide_emit(struct cluster *cl, const struct decide_out *out, const struct intent *it);

/* FN (or NULL) is called when a node acknowledged a role write (N), or a
 * director has no write on its way any more (N NULL): the decisions that
 * waited for it (the application's start, the director's other writes)
 * may go now. */
void decide_emit_on_landed(void (*fn)(struct cluster *cl, struct node_rt *n));

#endif
