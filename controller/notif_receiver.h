/* The controller's notification receiver: a UDP socket in the libevent
 * loop (listen ADDRESS:PORT) where agents' snmpd sends LAMON-MIB
 * notifications.  Net-SNMP's library does all of SNMP: a server transport
 * added as a single session (snmp_sess_add), BER, community strings and
 * USM (authentication, decryption, time window, engine ID discovery and
 * its Reports).  The receiver decides who is let in:
 *
 *   - the source address must lie in an accept line's network (checked
 *     before the datagram is parsed at all);
 *   - SNMPv2c traps and informs need that line's community;
 *   - SNMPv3 needs an inform (the receiver is authoritative, so no sender
 *     engine ID has to be configured), authPriv, from that line's v3user,
 *     whose keys Net-SNMP holds localized to the controller's engine ID.
 *
 * An accepted notification is acknowledged (an inform's RESPONSE), parsed
 * (notif_pdu.h) and handed to the callback.  Everything else changes
 * nothing: it is counted under one reason (notif_stats.h) and logged, at
 * most one line per reason every NOTIF_LOG_EVERY_S. */
#ifndef LAMON_NOTIF_RECEIVER_H
#define LAMON_NOTIF_RECEIVER_H

#include <event2/event.h>

#include "ctl_config.h"
#include "notif_pdu.h"

#define NOTIF_LOG_EVERY_S 10

typedef void (*notif_cb)(const struct lamon_notification *n, void *arg);

struct notif_receiver;

/* A receiver with nothing open yet; NULL when out of memory. */
struct notif_receiver *notif_receiver_new(struct event_base *base, notif_cb cb, void *arg);

/* Takes CFG's listen and accept lines (and the passphrases of the v3users
 * they name), at start and after every reload: opens, moves or closes the
 * socket.  Returns -1 with the reason in err when the new address cannot
 * be bound (the receiver then keeps the socket it had, with the new accept
 * lines) or a user's keys cannot be made (the old users stay). */
int notif_receiver_apply(struct notif_receiver *rx, const struct ctl_config *cfg, char *err, size_t errlen);

void notif_receiver_free(struct notif_receiver *rx);

/* Reads up to MAX datagrams already waiting on the socket, now: a
 * heartbeat deadline is judged only after what has arrived was read (a
 * controller that was itself held up must not take its own backlog for
 * silence).  NULL or closed: nothing. */
void notif_receiver_drain(struct notif_receiver *rx, unsigned max);

/* "lamonNodeStarted from 127.0.0.1:40000 (v2c): node node1 ..." into BUF. */
void notif_describe(const struct lamon_notification *n, char *buf, size_t len);

#endif
