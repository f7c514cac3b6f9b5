/* Self-registration: a node that is not in the configuration joins the
 * cluster by sending a lamonNodeStarted or lamonNodeHeartbeat.
 *
 *   - The notification must have passed the receiver (source inside an
 *     accept network, that line's community or v3 user), and its
 *     lamonNodeName must be no node's yet.  The node is added under that
 *     name, at the notification's source address, with what its accept
 *     line proved: reads with community C, or as v3 USER; the SNMP port is
 *     the line's `port P` (default 161), since the source port is snmpd's
 *     trap socket.  Writes, as for every node, go as the controller's
 *     write_user.  It is then polled, assigned, written to RRDs and shown
 *     like a configured node ("source": "registered").
 *   - Refused, counted (notif_stats, "node_refused") and logged at most
 *     once every NOTIF_LOG_EVERY_S per reason: a name that is not a valid
 *     node name (letters, digits, . _ -), the name of a director, an
 *     address and SNMP port that are already another node's ("conflict");
 *     more than register_max registered nodes ("register_max").  A
 *     registered name heard from a second address is notif_apply's
 *     "conflict", a configured one's "address".
 *   - A reload keeps registered nodes (cluster_apply_config: their v3user
 *     is looked up again by name; one whose v3user is gone is forgotten);
 *     a registered name that appears in the configuration becomes a
 *     configured node.
 *
 * The registration window.  A restarted controller knows nothing of the
 * registered nodes until their next heartbeat, while the directors' tables
 * still hold them and their services look short.  So, while registration
 * is possible (an accept line, register_max > 0), for register_window ms
 * after start (default max(interval, 2000)) and while a node that
 * registered in that window has not answered a poll yet (nor missed `fall`
 * of them), the decisions
 * that an unknown node would make wrong wait: removal of destinations that
 * are no node's, promotions, and everything that needs the whole cluster
 * seen (cluster_settled: adopting a service's strength, scale-in, hot
 * spares).  A fixed time rather than "rise polls of every node": the
 * controller cannot know how many nodes it has not heard from yet; the
 * agents' heartbeat_ms bounds it, so register_window must exceed it.  A
 * node that registers after the window holds nothing (it is a new node):
 * a sender in an accept network cannot hold every promotion by sending
 * new names. */
#ifndef LAMON_NODE_REGISTER_H
#define LAMON_NODE_REGISTER_H

#include <stdbool.h>

#include "cluster.h"
#include "notif_pdu.h"
#include "notif_stats.h"

/* Adds the sender of NT (whose name is no node of CL) as a registered
 * node and returns its index, or returns -1 with the reason in *R and a
 * phrase in *WHY (nothing changed).  Only lamonNodeStarted and
 * lamonNodeHeartbeat register; anything else is NNREF_UNKNOWN_NODE. */
int node_register(struct cluster *cl, const struct lamon_notification *nt, enum notif_node_refusal *r,
                  const char **why);

/* Decisions wait for registrations (see above). */
bool registration_hold(const struct cluster *cl);

/* N registered in this poll cycle and was not polled in it: this
 * cycle's health feed skips it. */
bool node_unpolled(const struct cluster *cl, const struct node_rt *n);

#endif
