/* lamonNodeHeartbeat every heartbeat_ms (agent_config.h), through the
 * AgentX master to snmpd's own trap and inform sinks.  The worker's
 * configuration does not change while it runs (a reload restarts it). */
#ifndef LAMON_HEARTBEAT_H
#define LAMON_HEARTBEAT_H

/* Starts the timer when heartbeat_ms is not 0.  Returns 0, or -1 when the
 * timer cannot be set up (logged). */
int heartbeat_start(void);

/* One heartbeat now (on a (re)connection to the master: a controller
 * hears a restarted agent without waiting a period). */
void heartbeat_now(void);

void heartbeat_stop(void);

#endif
