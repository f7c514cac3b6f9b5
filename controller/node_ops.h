/* Operator operations on a node through its agent's lamonOpTable: reboot,
 * shutdown, next-boot kernel, package install/update/remove.
 *
 * Each request becomes a job that the controller carries out in the
 * background over SNMPv3 authPriv as the write user: read lamonOpNextIndex,
 * create the row (type, argument, createAndGo) in one SET, re-read and retry
 * when another manager took the index, then follow lamonOpStatus until the
 * operation ended.  A reboot or shutdown of a node that serves a service is
 * drained first with the decide logic (decide_drain; the node goes to
 * maintenance and leaves its directors), then handed back to the spares so
 * that the service is refilled and the node returns as a spare after its
 * boot.  A node in the controller's scale-in drain is not drained again:
 * the job takes that drain over (node_rt.op_job), and decide ends it in
 * maintenance instead of the spares.  Package jobs run one operation per
 * package, in order, stopping at the first failure.  The jobs live in the
 * job list (job_list.h), which drives them and shows them to lamonctl. */
#ifndef LAMON_NODE_OPS_H
#define LAMON_NODE_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster.h"

/* The cluster the jobs work on; job_list_init() drives them. */
void node_ops_init(struct cluster *cl);

/* Starts a job on node NODE: WORDS are "reboot", "shutdown",
 * "kernel RELEASE" or "pkg install|update|remove PACKAGE...".  Returns the
 * job number, or 0 with the reason in err (unknown node, node down, bad
 * words, a job already running on the node, no write user). */
unsigned node_ops_start(struct cluster *cl, const char *node, char *const *words, size_t nwords,
                        char *err, size_t errlen);

#endif
