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

#endif
