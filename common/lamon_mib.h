/* LAMON-MIB as both the agent and the controller see it: the root (the
 * only place it is written in C), the subtrees, the column numbers, the
 * enumerations, and the index codecs of lamonVsTable, lamonDestTable,
 * lamonOpTable, lamonAppTable and lamonKernelTable.  The numbers follow
 * mibs/LAMON-MIB.txt; tests/mib checks that file against snmptranslate. */
#ifndef LAMON_MIB_H
#define LAMON_MIB_H

#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>

struct sockaddr_storage;

/* lamonMIB */
#define LAMON_ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 9999
#define LAMON_ROOT_LEN 10

/* Notifications { LAMON_ROOT, 0, N } */
#define LAMON_NOTIFS LAMON_ROOT, 0
enum lamon_notif {
    LNOTIF_NODE_STARTED = 1, LNOTIF_NODE_STATE_CHANGE = 2, LNOTIF_APP_STATE_CHANGE = 3,
    LNOTIF_OP_COMPLETED = 4, LNOTIF_NODE_HEARTBEAT = 5,
};

/* lamonNode scalars: { LAMON_NODE, N, 0 } */
#define LAMON_NODE LAMON_ROOT, 1, 1
#define LAMON_NODE_LEN (LAMON_ROOT_LEN + 2)
enum lamon_node_col {
    LN_NAME = 1, LN_STATE = 2, LN_ROLE = 3, LN_SERVICE = 4, LN_UPTIME = 5,
    LN_LOAD1 = 6, LN_LOAD5 = 7, LN_LOAD15 = 8, LN_CPU = 9, LN_CPUCOUNT = 10,
    LN_MEMTOTAL = 11, LN_MEMAVAIL = 12, LN_CONNS = 13, LN_KRUNNING = 14,
    LN_KNEXT = 15, LN_BOOTTIME = 16, LN_VERSION = 17, LN_SYNRECV = 18, LN_HEARTBEAT = 19,
};

/* lamonAppTable { LAMON_ROOT, 1, 2, 1 }, entry columns { ..., 1, COL, <IMPLIED name> } */
#define LAMON_APP_TABLE LAMON_ROOT, 1, 2, 1
#define LAMON_APP_ENTRY LAMON_APP_TABLE, 1
#define LAMON_APP_ENTRY_LEN (LAMON_ROOT_LEN + 4)
enum lamon_app_col {
    LA_LABEL = 2, LA_PORTS = 3, LA_OPER = 4, LA_ADMIN = 5, LA_ESTAB = 6, LA_SYNRECV = 7,
    LA_LAST_CHANGE = 8,
};

/* lamonKernelTable { LAMON_ROOT, 1, 3, 1 } */
#define LAMON_KERNEL_TABLE LAMON_ROOT, 1, 3, 1
#define LAMON_KERNEL_ENTRY LAMON_KERNEL_TABLE, 1
enum lamon_kernel_col { LK_LABEL = 2, LK_RUNNING = 3, LK_NEXTBOOT = 4 };

/* lamonOps { LAMON_ROOT, 1, 4 }: NextIndex { ..., 1, 0 }, entry { ..., 2, 1, COL, idx } */
#define LAMON_OPS LAMON_ROOT, 1, 4
#define LAMON_OP_NEXT LAMON_OPS, 1, 0
#define LAMON_OP_TABLE LAMON_OPS, 2
#define LAMON_OP_ENTRY LAMON_OP_TABLE, 1
#define LAMON_OP_ENTRY_LEN (LAMON_ROOT_LEN + 4)
enum lamon_op_col {
    LO_TYPE = 2, LO_ARG = 3, LO_STATUS = 4, LO_EXIT = 5, LO_OUTPUT = 6, LO_START = 7, LO_END = 8,
    LO_ROWSTATUS = 9,
};

/* lamonIpvs { LAMON_ROOT, 1, 5 }: lamonVsEntry { ..., 1, 1, COL, key } and
 * lamonDestEntry { ..., 2, 1, COL, key, dest } */
#define LAMON_IPVS LAMON_ROOT, 1, 5
#define LAMON_IPVS_LEN (LAMON_ROOT_LEN + 2)
#define LAMON_IPVS_VS 1
#define LAMON_IPVS_DEST 2
#define LAMON_VS_ENTRY LAMON_IPVS, LAMON_IPVS_VS, 1
#define LAMON_DEST_ENTRY LAMON_IPVS, LAMON_IPVS_DEST, 1
#define LAMON_IPVS_ENTRY_LEN (LAMON_ROOT_LEN + 4)
/* The columns before these are the index (not-accessible).  The ten
 * statistics columns come in the same order in both tables. */
enum lamon_vs_col {
    LV_SCHED = 6, LV_FLAGS = 7, LV_TIMEOUT = 8, LV_PREFIX = 9, LV_CONNS = 10, LV_INPKTS = 11,
    LV_OUTPKTS = 12, LV_INBYTES = 13, LV_OUTBYTES = 14, LV_CPS = 15, LV_INPPS = 16, LV_OUTPPS = 17,
    LV_INBPS = 18, LV_OUTBPS = 19, LV_DESTCOUNT = 20, LV_ROWSTATUS = 21,
};
enum lamon_dest_col {
    LD_WEIGHT = 4, LD_FWD = 5, LD_UTHRESH = 6, LD_LTHRESH = 7, LD_ACTIVE = 8, LD_INACTIVE = 9,
    LD_PERSIST = 10, LD_CONNS = 11, LD_INPKTS = 12, LD_OUTPKTS = 13, LD_INBYTES = 14,
    LD_OUTBYTES = 15, LD_CPS = 16, LD_INPPS = 17, LD_OUTPPS = 18, LD_INBPS = 19, LD_OUTBPS = 20,
    LD_ROWSTATUS = 21,
};
/* lamonDestFwdMethod */
enum lamon_fwd { LFWD_MASQ = 1, LFWD_LOCAL = 2, LFWD_TUNNEL = 3, LFWD_ROUTE = 4 };

/* lamonOpType appStart(1) .. pkgRemove(9) */
enum lamon_op_type {
    OPT_APP_START = 1, OPT_APP_STOP, OPT_APP_RESTART, OPT_REBOOT, OPT_SHUTDOWN,
    OPT_KERNEL_SELECT, OPT_PKG_INSTALL, OPT_PKG_UPDATE, OPT_PKG_REMOVE
};

enum lamon_role { ROLE_NONE = 0, ROLE_UNASSIGNED = 1, ROLE_SERVER = 2, ROLE_SPARE = 3, ROLE_DIRECTOR = 4 };
enum lamon_nstate { NSTATE_BOOTING = 1, NSTATE_RUNNING, NSTATE_DRAINING, NSTATE_MAINTENANCE, NSTATE_STOPPING };
enum lamon_appoper { APP_UP = 1, APP_DOWN, APP_UNKNOWN, APP_STARTING, APP_STOPPING };
enum lamon_appadmin { APP_ADMIN_UP = 1, APP_ADMIN_DOWN = 2, APP_ADMIN_RESTART = 3 };
/* lamonOpStatus */
enum lamon_op_status { OPS_QUEUED = 1, OPS_RUNNING = 2, OPS_SUCCEEDED = 3, OPS_FAILED = 4 };

#define ROWSTATUS_ACTIVE 1
#define ROWSTATUS_CREATEANDGO 4
#define ROWSTATUS_DESTROY 6

/* --- index codecs ------------------------------------------------------------
 * Each *_encode returns the number of sub-identifiers written; each
 * *_decode returns the number used from IDX, or 0 when IDX holds no valid
 * index (too short, a value out of range, rules of the key broken). */

/* lamonVsTable's index: protocol, InetAddressType, length-prefixed
 * InetAddress, port, fwmark; the natural key of an IPVS service.  fwmark
 * services: protocol 0, address zero, port 0.  Protocols: 0 (fwmark), TCP,
 * UDP, SCTP.  Address in network byte order, port in host order. */
struct lamon_vs_key {
    uint16_t af;                   /* AF_INET or AF_INET6 */
    uint16_t protocol;             /* IPPROTO_TCP/UDP/SCTP, 0 for fwmark */
    uint8_t addr[16];              /* first 4 bytes for AF_INET */
    uint16_t port;
    uint32_t fwmark;
};

/* What lamonDestTable's index adds to the service's: InetAddressType,
 * length-prefixed InetAddress, port. */
struct lamon_dest_key {
    uint16_t af;
    uint8_t addr[16];
    uint16_t port;
};

#define LAMON_VS_IDX_MAX 21        /* proto, type, len, 16 bytes, port, fwmark */
#define LAMON_DEST_IDX_MAX 40      /* service index, type, len, 16 bytes, port */

/* Address bytes of AF: 4, 16, or 0 for any other family. */
size_t lamon_inet_len(uint16_t af);

size_t lamon_vs_index_encode(const struct lamon_vs_key *k, oid *idx);
size_t lamon_vs_index_decode(const oid *idx, size_t len, struct lamon_vs_key *k);
size_t lamon_dest_index_encode(const struct lamon_vs_key *k, const struct lamon_dest_key *d, oid *idx);
size_t lamon_dest_index_decode(const oid *idx, size_t len, struct lamon_vs_key *k,
                               struct lamon_dest_key *d);

/* An AF_INET/AF_INET6 address and port as a destination key and back; the
 * key is zero (af 0) for any other family. */
void lamon_dest_key_from_sa(struct lamon_dest_key *d, const struct sockaddr_storage *ss);
void lamon_dest_key_to_sa(const struct lamon_dest_key *d, struct sockaddr_storage *ss);
/* The key of a PROTOCOL service at SS (no fwmark). */
void lamon_vs_key_from_sa(struct lamon_vs_key *k, unsigned protocol, const struct sockaddr_storage *ss);

/* lamonOpTable's index: one lamonOpIndex, 1..4294967295. */
size_t lamon_op_index_encode(unsigned index, oid *idx);
size_t lamon_op_index_decode(const oid *idx, size_t len, unsigned *index);

/* lamonAppTable's IMPLIED LamonName index: a sub-identifier per character.
 * Encode writes at most MAX (a longer name is cut there).  Decode takes all
 * LEN sub-identifiers, printable ASCII only, into NAME with its NUL; 0 when
 * LEN is 0, the name needs more than SIZE bytes, or a character is not
 * printable. */
size_t lamon_app_index_encode(const char *name, oid *idx, size_t max);
size_t lamon_app_index_decode(const oid *idx, size_t len, char *name, size_t size);
/* lamonKernelTable's IMPLIED LamonName index (the release): the same rules. */
size_t lamon_kernel_index_encode(const char *release, oid *idx, size_t max);
size_t lamon_kernel_index_decode(const oid *idx, size_t len, char *release, size_t size);

#endif
