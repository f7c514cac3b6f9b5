/* Hot spares: "hot N" keeps N spares of a service with its application
 * started and checked, out of IPVS, so that promoting one (decide_roles.c
 * takes a hot spare first) is only the directors' add.  A hot spare is
 * written to its agent as role spare, state running, service kept
 * (node_view.h, hot_service); its application is judged as a member's is
 * (health.c).  Per service, once every node is judged:
 *   - a hot spare that fell over (its node or its application went down)
 *     goes back to the cold spares when it answers again; another is
 *     heated at once, and the fallen one is heated again last for a while;
 *   - a hot spare of a service that is gone, or beyond N, is cooled: role
 *     spare with no service (its application is left running, as a
 *     scale-in drain's is);
 *   - while fewer than N are hot, the best cold spare is heated: one that
 *     runs the application already (a scale-in drain's), then the least
 *     loaded, then configuration order: role spare with the service's
 *     name now, its application started by reconcile_roles' start loop
 *     once that write has landed (one write in flight per node);
 *   - N beyond the spares there are: every spare is heated, and the
 *     shortfall is logged when it changes.
 * Unassigned nodes are not heated: they join the spares first. */
#ifndef LAMON_DECIDE_HOT_H
#define LAMON_DECIDE_HOT_H

#include "decide_emit.h"

/* STEADY: before this cycle's writes (which start the nodes they change
 * on a fresh application history) every node was judged and no role write
 * was on its way.  Like a surplus member, a surplus or missing hot spare
 * is judged only then: a restart never mistakes a slow answer for a hot
 * spare gone, and a poll that crossed the write heating a spare (and
 * still shows it cold) never heats a second one. */
void reconcile_hot(struct cluster *cl, const struct decide_out *out, bool steady);

#endif
