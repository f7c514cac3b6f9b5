/* The agent's event loop: libevent driving Net-SNMP's AgentX session
 * (lldpd's pattern).  Other modules add their own events to the base. */
#ifndef LAMON_AGENTX_LOOP_H
#define LAMON_AGENTX_LOOP_H

#include <event2/event.h>

/* Sets the Net-SNMP library switches the loop relies on (no SIGALRM, no
 * persistent files, 1 s AgentX ping); call before init_agent(). */
void agentx_loop_preinit(void);

/* Creates the event base; call before the MIB modules are initialised. */
int agentx_loop_init(void);

/* The loop's event base, for the modules' own timers and fds. */
struct event_base *agentx_loop_base(void);

/* Re-scan Net-SNMP's fds and timeout now (after anything that may have
 * opened or closed a Net-SNMP socket, e.g. sending a notification). */
void agentx_loop_update(void);

/* True while an AgentX session with the master is open. */
int agentx_loop_connected(void);

/* FN runs from the loop after each (re)registration with the master;
 * FIRST is 1 the first time. */
void agentx_loop_on_connect(void (*fn)(int first));

/* Runs until SIGTERM/SIGINT.  RELOAD is called on SIGHUP. */
int agentx_loop_run(void (*reload)(void));

void agentx_loop_free(void);

#endif
