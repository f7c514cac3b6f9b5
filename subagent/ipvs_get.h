/* GET and GETNEXT on lamonVsTable and lamonDestTable, answered from the
 * rows of ipvs_cache (the caller refreshes it first).  A GETNEXT past the
 * end leaves the varbind alone: the agent moves on to the next subtree. */
#ifndef LAMON_IPVS_GET_H
#define LAMON_IPVS_GET_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

void ipvs_get(netsnmp_request_info *req);
void ipvs_getnext(netsnmp_request_info *req);

#endif
