/* A director's table as the controller knows it: its last complete walk,
 * with every write the director acknowledged since applied on top.  So a
 * decision between walks (a heartbeat's, decide_now) sees what the
 * director holds, and a write is never sent twice because the walk that
 * would show it has not come yet.
 *
 * A write acknowledged while a walk is in flight may or may not be in that
 * walk's answer: it is kept and applied again to the walk's result when
 * the walk completes (applying is idempotent).  If one cannot be kept
 * (memory, or more than DIR_ACKED_MAX during one walk) the table is in
 * doubt and decisions leave the director alone until a walk completes
 * with nothing lost.  A destination's walked_weight stays the weight a
 * walk read: a drain waits for a walk that shows weight 0. */
#ifndef LAMON_DIR_TABLE_H
#define LAMON_DIR_TABLE_H

#include "cluster.h"

#define DIR_ACKED_MAX 4096

/* D acknowledged C: applied now, and kept while D's walk is in flight. */
void dir_table_acked(struct director_rt *d, const struct dir_change *c);

/* D's walk starts: what is acknowledged from now on is kept. */
void dir_table_walk_started(struct director_rt *d);

/* D's walk completed into d->walk (NSERVICES services): it becomes the
 * table, with the writes acknowledged during it applied again. */
void dir_table_walk_done(struct director_rt *d, size_t nservices);

/* D's walk failed: the table stays (with what was acknowledged applied). */
void dir_table_walk_failed(struct director_rt *d);

#endif
