/* lamonVsTable and lamonDestTable: the kernel's IPVS table over SNMP.
 *
 * One handler for the whole lamonIpvs subtree, so that a SET touching both
 * tables is one transaction: it is checked as a whole (TestSet), applied to
 * the kernel in ACTION with an undo log, and rolled back on any failure.
 * Reads come from a snapshot refreshed after cache_ms, so changes made by
 * ipvsadm or keepalived show up within that time.
 *
 * With "ipvs off" nothing is registered.  Otherwise the tables are
 * registered even when the kernel has no IPVS (logged once): they are then
 * empty, creation is refused with resourceUnavailable, and the family is
 * looked up again on later reads in case ip_vs gets loaded.
 *
 * The parts: ipvs_cache.c (the rows: kernel snapshot and createAndWait
 * services), ipvs_get.c (GET/GETNEXT), ipvs_set.c (RESERVE1/2: check and
 * decide), ipvs_txn.c (ACTION/UNDO/COMMIT), ipvs_conv.c (kernel values as
 * MIB values). */
#ifndef LAMON_IPVS_MIB_H
#define LAMON_IPVS_MIB_H

#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "ipvs_netlink.h"

void ipvs_mib_init(void);
/* Frees the createAndWait rows, the snapshot and any SET in progress; runs
 * from snmp_shutdown() (registered by ipvs_mib_init), callable directly. */
void ipvs_mib_shutdown(void);
/* The handler of the lamonIpvs subtree (exported for the unit test). */
Netsnmp_Node_Handler ipvs_mib_handler;

#endif
