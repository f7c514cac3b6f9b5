/* The director half of reconciliation: every director of a service gets
 * the same table.  A missing service row is created; a ready member is
 * added (never a draining one) or given the weight it should have; a
 * destination that is no ready member is removed, unless panic froze
 * removals.  An unreachable director is left alone and catches up after
 * its next walk: nothing is remembered, the table is compared. */
#ifndef LAMON_DECIDE_DIRECTORS_H
#define LAMON_DECIDE_DIRECTORS_H

#include "decide_emit.h"

void reconcile_directors(struct cluster *cl, const struct decide_out *out);

/* Removal first: the destinations of every failed member leave every
 * director that holds them, before anything is done for the promotion
 * (decide_run calls this before the drains and roles).  It reads the
 * last complete walk, so it also works between walks, when a
 * notification brings the failure (decide_now).  Unlike
 * reconcile_directors it does not wait for a director's writes of earlier
 * turns, nor for a walk that failed this cycle (a slow director's walk
 * timing out says little about its SETs): a removal is right whatever
 * else is on its way, and one already on its way is marked on its
 * destination (never sent twice).  The rest
 * of the turn goes on with those marks. */
void remove_failed_members(struct cluster *cl, const struct decide_out *out);

#endif
