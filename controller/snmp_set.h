/* SETs to agents and directors, always SNMPv3 authPriv as the configured
 * write user, over a write session per peer opened on first use.  Each SET
 * is logged with what it does; its result comes back to a callback. */
#ifndef LAMON_SNMP_SET_H
#define LAMON_SNMP_SET_H

#include <stdbool.h>

#include "cluster.h"
#include "snmp_session.h"

typedef void (*set_result_cb)(struct cluster *cl, void *ctx, bool ok, const char *why);

/* Sends PDU (a SET; ownership passes) to PEER through *WSESS, opening it
 * when NULL.  WHAT describes the change for the log.  Returns 0 when sent;
 * -1 when not (logged; CB is not called). */
int snmp_set_send(struct cluster *cl, void **wsess, const struct ctl_peer *peer, netsnmp_pdu *pdu,
                  const char *what, set_result_cb cb, void *ctx);

/* Drops the pending SETs of a session about to be closed. */
void snmp_set_forget(void *wsess);

/* Builds a SET PDU; add varbinds with snmp_pdu_add_variable(). */
netsnmp_pdu *snmp_set_pdu(void);

void snmp_set_add_int(netsnmp_pdu *pdu, const oid *o, size_t len, long v);
void snmp_set_add_str(netsnmp_pdu *pdu, const oid *o, size_t len, const char *s);
void snmp_set_add_uns(netsnmp_pdu *pdu, const oid *o, size_t len, unsigned long v);

#endif
