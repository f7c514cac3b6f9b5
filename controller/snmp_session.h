/* One Net-SNMP single-session (snmp_sess_*) per peer, driven by libevent:
 * a read event on the session's socket feeds snmp_sess_read2() with a
 * netsnmp_large_fd_set (fd numbers above 1024 work), and one shared timer
 * calls snmp_sess_timeout() for sessions with requests outstanding, so that
 * retries and timeouts fire.  Every response or timeout of a session goes
 * to the one callback given at open, with the owner pointer. */
#ifndef LAMON_SNMP_SESSION_H
#define LAMON_SNMP_SESSION_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <event2/event.h>

#include "ctl_config.h"

struct ssess;

/* op is NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE (pdu set) or
 * NETSNMP_CALLBACK_OP_TIMED_OUT (pdu is the request). */
typedef void (*ssess_cb)(void *owner, int op, int reqid, netsnmp_pdu *pdu);

/* Starts the timeout timer; call once. */
void ssess_init(struct event_base *base);
void ssess_shutdown(void);

/* Opens a session to PEER: SNMPv3 authPriv (SHA/AES) as USER when USER is
 * non-NULL, else v2c with the peer's community.  Returns NULL with a
 * reason in err (never containing a credential).  Never blocks: for v3 the
 * engine ID is discovered by an asynchronous probe on the first send, and
 * requests wait until it answers (they time out with it). */
struct ssess *ssess_open(const struct ctl_peer *peer, const struct ctl_v3user *user,
                         unsigned timeout_ms, unsigned retries, ssess_cb cb, void *owner,
                         char *err, size_t errlen);
void ssess_close(struct ssess *s);

/* Makes ssess_close() free the owner pointer with FN. */
void ssess_set_owner_free(struct ssess *s, void (*fn)(void *));

/* Sends PDU (ownership passes in all cases); returns the request id, or 0
 * when it could not be sent or queued.  The callback sees every request
 * that got an id exactly once, answered or timed out. */
int ssess_send(struct ssess *s, netsnmp_pdu *pdu);

unsigned ssess_outstanding(const struct ssess *s);

/* The SNMP timeout of every request (ms), derived from the config: a poll
 * must end inside its interval, retries included. */
unsigned ssess_timeout_ms(const struct ctl_config *cfg);

#endif
