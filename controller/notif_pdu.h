/* A notification the receiver accepted, as a small typed struct: the trap
 * (a LAMON-MIB notification, always), the sender's sysUpTime and the
 * LAMON-MIB objects it carries.  notif_pdu_parse() is the only place that
 * reads a received PDU's varbinds; the receiver has already checked the
 * sender's credentials and source. */
#ifndef LAMON_NOTIF_PDU_H
#define LAMON_NOTIF_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "lamon_mib.h"

#define NOTIF_TEXT_MAX 64            /* names, service, kernel release (LAMON-MIB sizes) */
#define NOTIF_ARG_MAX 128            /* lamonOpArgument */
#define NOTIF_VARS_MAX 64            /* varbinds in one notification, at most */

/* Why a datagram changed nothing.  Every datagram that is not accepted is
 * counted under exactly one of these (the receiver's counters). */
enum notif_refusal {
    NREF_NONE = 0,
    NREF_SOURCE,                     /* source outside every accept network */
    NREF_COMMUNITY,                  /* v2c: no accept line for this community from this source */
    NREF_USER,                       /* v3: unknown user, or not accepted from this source */
    NREF_AUTH,                       /* v3: wrong authentication key (digest) */
    NREF_PRIV,                       /* v3: wrong privacy key (decryption) */
    NREF_SECLEVEL,                   /* v3: noAuthNoPriv or authNoPriv */
    NREF_TIME_WINDOW,                /* v3: outside the time window (replay) */
    NREF_VERSION,                    /* SNMPv1 or an unknown version */
    NREF_PDU_TYPE,                   /* not a trap or inform (a GET, a response...) */
    NREF_V3_TRAP,                    /* v3 unconfirmed trap: only informs */
    NREF_MALFORMED,                  /* does not parse, or breaks LAMON-MIB's rules */
    NREF_NOT_LAMON,                  /* authenticated, but not a LAMON-MIB notification */
    NREF_COUNT
};

/* The LAMON-MIB notifications by number; NT_OTHER is one this controller
 * does not know yet (a newer agent). */
enum notif_type {
    NT_OTHER = 0, NT_NODE_STARTED = LNOTIF_NODE_STARTED, NT_NODE_STATE_CHANGE = LNOTIF_NODE_STATE_CHANGE,
    NT_APP_STATE_CHANGE = LNOTIF_APP_STATE_CHANGE, NT_OP_COMPLETED = LNOTIF_OP_COMPLETED,
    NT_NODE_HEARTBEAT = LNOTIF_NODE_HEARTBEAT, NT_COUNT
};

/* Strings are printable ASCII (32..126) within their MIB size; enumerations
 * hold one of their LAMON-MIB values or 0 (not carried). */
struct lamon_notification {
    struct sockaddr_storage source;  /* set by the receiver */
    int version;                     /* SNMP_VERSION_2c or SNMP_VERSION_3 (receiver) */
    bool inform;
    char user[NOTIF_TEXT_MAX + 1];   /* v3 user, "" for v2c (receiver) */
    char community[NOTIF_TEXT_MAX + 1]; /* v2c community, "" for v3 (receiver): never logged;
                                      * registration matches it to its accept line */
    enum notif_type type;
    unsigned long trap;              /* N of lamonNotifications.N, 1..2^32-1 */
    unsigned long uptime;            /* sender's sysUpTime.0, TimeTicks */
    char node[NOTIF_TEXT_MAX + 1];   /* lamonNodeName: never empty */
    int state, role;                 /* lamonNodeState, lamonNodeRole */
    char service[NOTIF_TEXT_MAX + 1];
    bool have_load1, have_conns;
    unsigned long load1, conns;      /* lamonNodeLoad1 (x100), lamonNodeConnections */
    char kernel[NOTIF_TEXT_MAX + 1]; /* lamonNodeKernelRunning */
    unsigned heartbeat_ms;           /* lamonNodeHeartbeatInterval: 0 or 100..3600000;
                                      * a lamonNodeHeartbeat always carries one > 0 */
    char app[NOTIF_TEXT_MAX + 1];    /* lamonAppStateChange: the row's name */
    int app_oper;                    /* enum lamon_appoper */
    unsigned op_index;               /* lamonOpCompleted: 0 when absent */
    int op_type, op_status;
    long op_exit;
    char op_arg[NOTIF_ARG_MAX + 1];
    size_t nvars;                    /* varbinds read */
};

/* Reads PDU (a TRAP2 or INFORM) into N (source, version, user and community
 * are left as they are).  Returns NREF_NONE, or NREF_PDU_TYPE, NREF_MALFORMED (no
 * sysUpTime.0 then snmpTrapOID.0 first, a LAMON-MIB object of the wrong
 * type or out of its range, no lamonNodeName, a lamonNodeHeartbeat without
 * its interval, more than NOTIF_VARS_MAX varbinds) or NREF_NOT_LAMON (another MIB's notification). */
enum notif_refusal notif_pdu_parse(const netsnmp_pdu *pdu, struct lamon_notification *n);

/* "lamonNodeStarted"...; "other" for NT_OTHER. */
const char *notif_type_name(enum notif_type t);
/* "source", "community"... (the JSON keys). */
const char *notif_refusal_name(enum notif_refusal r);

#endif
