/* Intents (intent.h) carried out: each becomes one SNMP SET to its peer,
 * built with LAMON-MIB's OIDs and index codecs (common/lamon_mib.h), sent
 * over the peer's write session (snmp_set.h), and its outcome comes back
 * to the caller's callback.  The decisions and node_ops write only here. */
#ifndef LAMON_PEER_WRITES_H
#define LAMON_PEER_WRITES_H

#include "cluster.h"
#include "intent.h"
#include "snmp_set.h"

/* The SET PDU of IT (NULL when out of memory).  Pure: no session. */
netsnmp_pdu *peer_writes_pdu(const struct intent *it);

/* Sends IT's SET to its peer in CL, logged as "SET <it->what>".  Returns 0
 * when sent: CB is called exactly once, later, with the outcome (see
 * snmp_set.h).  Returns -1 when not sent: CB is not called, nothing is
 * logged, peer_writes_error() says why. */
int peer_writes_send(struct cluster *cl, const struct intent *it, set_result_cb cb, void *ctx);
const char *peer_writes_error(void);

#endif
