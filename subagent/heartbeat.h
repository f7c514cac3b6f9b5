/* lamonNodeHeartbeat every heartbeat_ms (agent_config.h), through the
 * AgentX master to snmpd's own trap and inform sinks.  A reload (SIGHUP,
 * handed to the running worker) with a new heartbeat_ms moves the timer
 * to it, or stops it at 0. */
#ifndef LAMON_HEARTBEAT_H
#define LAMON_HEARTBEAT_H

/* Starts the timer when heartbeat_ms is not 0, and follows reloads from
 * then on.  Returns 0, or -1 when the timer cannot be set up (logged). */
int heartbeat_start(void);

/* One heartbeat now (on a (re)connection to the master: a controller
 * hears a restarted agent without waiting a period). */
void heartbeat_now(void);

void heartbeat_stop(void);

#endif
