/* The worker's AgentX transport: Net-SNMP opens the AgentX session (and
 * reopens it after an snmpd restart) by the socket's path, which the
 * chrooted worker cannot reach.  This registers a "unix" transport domain
 * in place of Net-SNMP's whose open asks the monitor for a connected socket
 * (PM_AGENTX); the path Net-SNMP passes is not used.  After lldpd's
 * src/daemon/agent_priv.c. */
#ifndef LAMON_PRIV_AGENTX_H
#define LAMON_PRIV_AGENTX_H

/* Call before init_agent(), so that it takes the place of Net-SNMP's own. */
void priv_agentx_register(void);

#endif
