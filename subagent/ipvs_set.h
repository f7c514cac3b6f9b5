/* The SET phases of lamonVsTable and lamonDestTable, one transaction over
 * both tables: RESERVE1 checks each varbind on its own (instance, type,
 * length, range); RESERVE2 gathers them into one change per row and
 * decides each against the kernel as it is now (not as cached); ACTION,
 * UNDO and COMMIT carry the decision out (ipvs_txn.c). */
#ifndef LAMON_IPVS_SET_H
#define LAMON_IPVS_SET_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/* One SET phase (reqinfo->mode MODE_SET_*) of REQUESTS; errors go onto the
 * requests. */
void ipvs_set(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests);
/* Frees a transaction still in progress (at shutdown). */
void ipvs_set_end(void);

#endif
