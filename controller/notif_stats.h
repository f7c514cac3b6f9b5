/* The notification receiver's counters, for `lamonctl status`: every
 * datagram that reached the receiver's socket, the notifications accepted
 * per type and the datagrams refused per reason (each datagram counts
 * once: as accepted, refused, or an SNMPv3 engine ID discovery).  They
 * live for the whole process, across reloads and a change of listen
 * address. */
#ifndef LAMON_NOTIF_STATS_H
#define LAMON_NOTIF_STATS_H

#include <stdbool.h>
#include <event2/buffer.h>

#include "notif_config.h"
#include "notif_pdu.h"

/* Accepted notifications that changed nothing because of what they said
 * (notif_apply.h, node_register.h): a name that is no node and cannot
 * register; a configured node's name from another address than the
 * node's; a registered node's name from another address, or a
 * registration that would clash with a director or another node; a name
 * no node may have; the cap on registered nodes reached; a
 * lamonAppStateChange older than the node's last heartbeat (an inform
 * retransmitted late, notif_apply.h). */
enum notif_node_refusal {
    NNREF_UNKNOWN_NODE = 0, NNREF_ADDRESS, NNREF_CONFLICT, NNREF_NAME, NNREF_REGISTER_MAX, NNREF_STALE, NNREF_COUNT
};

struct notif_stats {
    char listen[NOTIF_HOST_MAX + 16];    /* "ADDRESS:PORT" listened on, "" for none */
    unsigned long datagrams;
    unsigned long discovery;             /* v3 engine ID discovery (RFC 3414 4.) */
    unsigned long received[NT_COUNT];    /* by enum notif_type */
    unsigned long refused[NREF_COUNT];   /* by enum notif_refusal; [NREF_NONE] unused */
    unsigned long node_refused[NNREF_COUNT];  /* accepted, then refused by notif_apply */
};

extern struct notif_stats notif_stats;

/* "unknown_node", "address"... (the JSON keys of "node_refused"). */
const char *notif_node_refusal_name(enum notif_node_refusal r);

/* Appends the counters: JSON ', "notifications": {...}' (to go inside the
 * status object), or text lines when a receiver is configured. */
void notif_stats_view(struct evbuffer *out, bool json);

#endif
