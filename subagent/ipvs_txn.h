/* One SET transaction on the IPVS tables: the change each row asks for
 * (gathered and decided by ipvs_set.c in RESERVE2), and carrying it out.
 * ACTION changes the kernel with an undo log and rolls back on the first
 * refusal; UNDO rolls back after another module's failure; COMMIT changes
 * the agent-side createAndWait rows, when nothing can fail any more.
 *
 * Varbind positions (1-based), not request pointers: over AgentX every
 * phase (TestSet, CommitSet, UndoSet, CleanupSet) comes with requests of
 * its own. */
#ifndef LAMON_IPVS_TXN_H
#define LAMON_IPVS_TXN_H

#include <stddef.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "ipvs_netlink.h"

/* Which columns a row's change writes (vs_change.set / dest_change.set). */
#define SET_VS_SCHED   0x01
#define SET_VS_FLAGS   0x02
#define SET_VS_TIMEOUT 0x04
#define SET_VS_PREFIX  0x08
#define SET_D_WEIGHT   0x01
#define SET_D_FWD      0x02
#define SET_D_UTHRESH  0x04
#define SET_D_LTHRESH  0x08

enum txn_op { TXN_NONE, TXN_ADD, TXN_EDIT, TXN_DEL, TXN_PEND_CREATE, TXN_PEND_EDIT, TXN_PEND_DEL };

struct vs_change {
    struct lamon_vs_key key;
    int in_kernel, in_pending;
    struct ipvs_service before, after;
    struct ipvs_dest *old_dests;   /* for re-adding them if a delete is undone */
    size_t n_old_dests;
    long rowstatus;                /* 0: not set */
    unsigned set;
    enum txn_op op;
    int req, sched_req, rs_req;    /* varbind positions (1-based), 0: none */
};

struct dest_change {
    struct lamon_vs_key svc;
    int exists;
    struct ipvs_dest before, after;
    long rowstatus;
    unsigned set;
    enum txn_op op;
    int req, rs_req;
};

/* What ACTION did, for undo. */
struct applied {
    enum txn_op op;
    int is_dest;
    size_t i;
};

struct ipvs_txn {
    struct vs_change *vs;
    size_t nvs;
    struct dest_change *ds;
    size_t nds;
    struct applied *done;
    size_t ndone;
    int undone;
    int undo_failed;               /* position of a change whose undo failed */
};

/* The request at POS (1-based) of this phase's list; the first as a fallback,
 * so that an error always lands somewhere. */
netsnmp_request_info *ipvs_req_at(netsnmp_request_info *requests, int pos);

/* ACTION: applies the decided changes to the kernel.  0, or -1 after
 * setting the error on the refused row's request and undoing the rest (or
 * without an error when out of memory: the caller sets one). */
int ipvs_txn_action(struct ipvs_txn *x, netsnmp_agent_request_info *reqinfo,
                    netsnmp_request_info *requests);
/* UNDO: reverts what ACTION applied, once; a failed revert is logged and its
 * position kept in x->undo_failed. */
void ipvs_txn_undo(struct ipvs_txn *x);
/* COMMIT: the createAndWait rows change. */
void ipvs_txn_commit(struct ipvs_txn *x);

#endif
