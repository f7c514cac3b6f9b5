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
 * notification brings the failure (decide_now).  A director with writes
 * of an earlier turn on their way is left to the next run, as
 * reconcile_directors does; a removal sent here marks its destination,
 * so that reconcile_directors goes on with the rest in the same turn. */
void remove_failed_members(struct cluster *cl, const struct decide_out *out);

#endif
