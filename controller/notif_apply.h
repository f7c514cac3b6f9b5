/* What an accepted notification changes in the cluster picture.
 *
 *   - It must come from a known node: its lamonNodeName names the node
 *     and its source address is that node's address.  A name no node has
 *     may register (a lamonNodeStarted or lamonNodeHeartbeat; see
 *     node_register.h).  Anything else is refused, counted (notif_stats)
 *     and logged at most once every NOTIF_LOG_EVERY_S per reason.
 *   - lamonNodeHeartbeat records when the node was heard and what it said,
 *     and re-arms the node's own libevent timer to `fall` heartbeat periods
 *     and a half (a heartbeat is missed when it is half a period late, so
 *     that scheduling jitter is no failure).  When it fires, what waits on
 *     the receiver's socket is read first; if still nothing came, the node
 *     is down at once ("heartbeats stopped"; a timer that woke early, on
 *     libevent's coarse clock, waits for the rest of the deadline), and
 *     the decisions run in the same loop turn (decide_now): the removal
 *     from every director leaves first.  One timer per node, re-armed by
 *     each heartbeat, rather than a sweep: the deadline is exact, the cost
 *     is an O(log n) heap update per heartbeat, and nothing scans a
 *     thousand nodes every few milliseconds.
 *   - lamonAppStateChange saying the application of the node's service is
 *     down makes the application down at once, and the decisions run.
 *     One sent more than a heartbeat period before the node's last
 *     heartbeat (by their sysUpTime) is refused as stale: snmpd sends an
 *     unanswered inform again, seconds later, after newer news.
 *     Saying it is up, for an application not judged yet (a promoted or
 *     heated spare's, just started) on a node that sends heartbeats, makes
 *     it up at once: the agent's own check found it answering.
 *   - A role write such a node acknowledged runs the decisions in the
 *     next loop turn (decide_emit_on_landed): a promoted cold spare's
 *     application start does not wait for the next poll.
 *
 * Rise stays with the polls: a node taken down comes back after `rise`
 * good polls, and while its heartbeats are overdue a poll it answers does
 * not count as good (health.c).  A node whose polls say its heartbeats are
 * off (lamonNodeHeartbeatInterval 0) goes back to polls only.
 *
 * A node that misses fewer than `fall` heartbeats in a row is never
 * declared down: every heartbeat re-arms the full deadline. */
#ifndef LAMON_NOTIF_APPLY_H
#define LAMON_NOTIF_APPLY_H

#include <stdbool.h>
#include <event2/event.h>

#include "cluster.h"
#include "decide_emit.h"
#include "notif_pdu.h"

struct notif_receiver;

/* Where heartbeat timers live (NULL: none, for unit tests), where their
 * decisions go, and the receiver to read before a deadline is judged (may
 * be NULL).  Call once; all of them must outlive the timers. */
void notif_apply_init(struct event_base *base, struct cluster *cl, const struct decide_out *out,
                      struct notif_receiver *rx);

/* Undoes notif_apply_init's event and hook (the heartbeat timers are the
 * nodes', freed with them). */
void notif_apply_free(void);

/* Applies N to CL.  Decisions it triggers go to OUT. */
void notif_apply(struct cluster *cl, const struct lamon_notification *n, const struct decide_out *out);

/* Node N's heartbeats stopped: down now, decisions now (the timer's work,
 * public for the unit tests). */
void notif_heartbeat_expired(struct cluster *cl, struct node_rt *n, const struct decide_out *out);

#endif
