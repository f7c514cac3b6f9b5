/* A node's poll as SNMP carries it: the GETBULK that reads it (the node
 * scalars as non-repeaters, the application table columns as repeaters:
 * one PDU for a node with up to 8 applications) and the answer read into a
 * node_sample, every value checked against its range (cluster.h).  Pure:
 * no session, no I/O. */
#ifndef LAMON_NODE_POLL_PDU_H
#define LAMON_NODE_POLL_PDU_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "cluster.h"

/* The GETBULK of a poll's first page (AFTER_APP NULL) or of the
 * applications after AFTER_APP; NULL when out of memory. */
netsnmp_pdu *node_poll_request(const char *after_app);

/* Applies one response PDU of a node's poll to SAMPLE, the sample being
 * filled (all zero before the first page).  Pure: no session, no I/O; the
 * poller calls it on every answer.  Returns POLL_BAD when the PDU is no
 * good answer (not a RESPONSE, an error status, or a first page without
 * lamonNodeName): SAMPLE is unchanged.  Else SAMPLE has the page's values,
 * each within its range (cluster.h), and the result is POLL_MORE when a
 * full page of applications may have more after AFTER (the last name, at
 * most AFTERLEN bytes), POLL_DONE when the sample is complete.  *NVB gets
 * the number of varbinds in the PDU. */
enum { POLL_BAD = -1, POLL_DONE = 0, POLL_MORE = 1 };
int node_poll_apply(struct node_sample *sample, const netsnmp_pdu *pdu, char *after, size_t afterlen,
                          size_t *nvb);

/* A numeric value as SNMP carries it: 32 bits, never negative (a negative
 * INTEGER or another type reads as 0). */
unsigned long pdu_uint(const netsnmp_variable_list *v);

#endif
