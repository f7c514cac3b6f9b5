/* LAMON-MIB OIDs the controller reads and writes.  The numbers follow
 * mibs/LAMON-MIB.txt; the root is here once, like the MIB's lamonMIB. */
#ifndef LAMON_OIDS_H
#define LAMON_OIDS_H

#define LAMON_ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 9999
#define LAMON_ROOT_LEN 10

/* lamonNode scalars: { LAMON_ROOT, 1, 1, N, 0 } */
#define LAMON_NODE LAMON_ROOT, 1, 1
enum lamon_node_col {
    LN_NAME = 1, LN_STATE = 2, LN_ROLE = 3, LN_SERVICE = 4, LN_UPTIME = 5,
    LN_LOAD1 = 6, LN_LOAD5 = 7, LN_LOAD15 = 8, LN_CPU = 9, LN_CPUCOUNT = 10,
    LN_MEMTOTAL = 11, LN_MEMAVAIL = 12, LN_CONNS = 13, LN_KRUNNING = 14,
    LN_KNEXT = 15, LN_BOOTTIME = 16, LN_VERSION = 17, LN_SYNRECV = 18,
};

/* lamonAppEntry columns: { LAMON_ROOT, 1, 2, 1, 1, COL, <IMPLIED name> } */
#define LAMON_APP_ENTRY LAMON_ROOT, 1, 2, 1, 1
#define LAMON_APP_ENTRY_LEN (LAMON_ROOT_LEN + 4)
enum lamon_app_col { LA_OPER = 4, LA_ADMIN = 5, LA_ESTAB = 6, LA_SYNRECV = 7 };

/* lamonOps: NextIndex { LAMON_ROOT, 1, 4, 1, 0 }, entry { ..., 1, 4, 2, 1, COL, idx } */
#define LAMON_OP_NEXT LAMON_ROOT, 1, 4, 1, 0
#define LAMON_OP_ENTRY LAMON_ROOT, 1, 4, 2, 1
enum lamon_op_col { LO_TYPE = 2, LO_ARG = 3, LO_STATUS = 4, LO_EXIT = 5, LO_OUTPUT = 6, LO_ROWSTATUS = 9 };

/* lamonVsEntry { LAMON_ROOT, 1, 5, 1, 1, COL, key } and
 * lamonDestEntry { LAMON_ROOT, 1, 5, 2, 1, COL, key, dest } */
#define LAMON_VS_ENTRY LAMON_ROOT, 1, 5, 1, 1
#define LAMON_DEST_ENTRY LAMON_ROOT, 1, 5, 2, 1
#define LAMON_IPVS_ENTRY_LEN (LAMON_ROOT_LEN + 4)
enum lamon_vs_col { LV_SCHED = 6, LV_ROWSTATUS = 21 };
enum lamon_dest_col { LD_WEIGHT = 4, LD_FWD = 5, LD_ACTIVE = 8, LD_ROWSTATUS = 21 };

enum lamon_role { ROLE_NONE = 0, ROLE_UNASSIGNED = 1, ROLE_SERVER = 2, ROLE_SPARE = 3, ROLE_DIRECTOR = 4 };
enum lamon_nstate { NSTATE_BOOTING = 1, NSTATE_RUNNING, NSTATE_DRAINING, NSTATE_MAINTENANCE, NSTATE_STOPPING };
enum lamon_appoper { APP_UP = 1, APP_DOWN, APP_UNKNOWN, APP_STARTING, APP_STOPPING };

#define ROWSTATUS_ACTIVE 1
#define ROWSTATUS_CREATEANDGO 4
#define ROWSTATUS_DESTROY 6

#endif
