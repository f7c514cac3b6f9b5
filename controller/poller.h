/* The poller: every interval, one GETBULK per node (the node scalars as
 * non-repeaters, the application table columns as repeaters: one PDU for a
 * node with up to 8 applications) and a walk of every director's
 * lamonVsTable/lamonDestTable.  When every answer is in, or at the next
 * tick at the latest, the cycle is closed and handed to the callback. */
#ifndef LAMON_POLLER_H
#define LAMON_POLLER_H

#include <event2/event.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "cluster.h"

typedef void (*poller_cycle_cb)(struct cluster *cl, void *arg);

struct poller;

struct poller *poller_new(struct event_base *base, struct cluster *cl, poller_cycle_cb cb, void *arg);
void poller_free(struct poller *p);

/* (Re)arms the interval timer from cl->cfg and opens missing sessions;
 * call after start-up and after every configuration change. */
int poller_reconfigure(struct poller *p);

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
int poller_apply_node_pdu(struct node_sample *sample, const netsnmp_pdu *pdu, char *after, size_t afterlen,
                          size_t *nvb);

/* The SNMP timeout the poller uses for reads (ms), derived from the config. */
unsigned poller_timeout_ms(const struct ctl_config *cfg);

#endif
