/* SETs to agents and directors, always SNMPv3 authPriv as the configured
 * write user, over a write session per peer opened on first use.  Each SET
 * is logged with what it does; its result comes back to a callback. */
#ifndef LAMON_SNMP_SET_H
#define LAMON_SNMP_SET_H

#include <stdbool.h>

#include "ctl_config.h"
#include "snmp_session.h"

/* OK, or the reason it failed: the SNMP error ("authorizationError (...)"),
 * the USM report ("Authentication failure (...)"), or "timeout".  ERRSTAT
 * is the answer's error-status (SNMP_ERR_*), 0 when the SET got no answer.
 * WHY is SNMP_SET_ABANDONED when the session was closed with the SET
 * pending (a reload or the peer's removal): nothing is known of its fate. */
typedef void (*set_result_cb)(void *ctx, bool ok, long errstat, const char *why);
extern const char SNMP_SET_ABANDONED[];

/* Sends PDU (a SET; ownership passes) to PEER through *WSESS, opening it
 * when NULL, as CFG's write user.  WHAT describes the change for the log ("SET WHAT").  Returns
 * 0 when sent: CB is called exactly once, later.  Returns -1 when not
 * sent: CB is not called, nothing is logged, and snmp_set_error() says
 * why (e.g. "no v3user configured for writes"). */
int snmp_set_send(const struct ctl_config *cfg, void **wsess, const struct ctl_peer *peer, netsnmp_pdu *pdu,
                  const char *what, set_result_cb cb, void *ctx);
const char *snmp_set_error(void);

/* Ends the pending SETs of a session about to be closed: each callback is
 * called with SNMP_SET_ABANDONED. */
void snmp_set_forget(void *wsess);

/* Ends, as timed out, pending SETs whose answer is long overdue (a request
 * the library dropped without a callback must not hold its peer forever).
 * Call once per cycle. */
void snmp_set_expire(void);

/* Builds a SET PDU; add varbinds with snmp_pdu_add_variable(). */
netsnmp_pdu *snmp_set_pdu(void);

void snmp_set_add_int(netsnmp_pdu *pdu, const oid *o, size_t len, long v);
void snmp_set_add_str(netsnmp_pdu *pdu, const oid *o, size_t len, const char *s);
void snmp_set_add_uns(netsnmp_pdu *pdu, const oid *o, size_t len, unsigned long v);

#endif
