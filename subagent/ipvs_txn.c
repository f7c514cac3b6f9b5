/* One SET transaction carried out; see ipvs_txn.h. */
#include "ipvs_txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ip_vs.h>

#include "ipvs_cache.h"
#include "ipvs_conv.h"
#include "ipvs_pending.h"

netsnmp_request_info *ipvs_req_at(netsnmp_request_info *requests, int pos)
{
    netsnmp_request_info *r = requests;
    for (int i = 1; r && i < pos; i++)
        r = r->next;
    return r ? r : requests;
}

static int64_t now_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec;
}

static int map_errno(int err, int is_dest, enum txn_op op)
{
    switch (-err) {
    case EEXIST: return SNMP_ERR_INCONSISTENTVALUE;
    case ENOENT:
        /* the scheduler module for a service; the destination for a dest */
        return is_dest ? SNMP_ERR_INCONSISTENTNAME : op == TXN_DEL ? SNMP_ERR_INCONSISTENTNAME
                                                                  : SNMP_ERR_WRONGVALUE;
    case ESRCH: return SNMP_ERR_INCONSISTENTNAME;
    case EINVAL: case ERANGE: case EAFNOSUPPORT: case EOPNOTSUPP:
        return SNMP_ERR_INCONSISTENTVALUE;
    case ENOMEM: case ENOBUFS: return SNMP_ERR_RESOURCEUNAVAILABLE;
    default: return SNMP_ERR_COMMITFAILED;
    }
}

static const char *op_name(enum txn_op op)
{
    return op == TXN_ADD ? "add" : op == TXN_EDIT ? "edit" : "delete";
}

static int apply_vs(struct vs_change *c, enum txn_op op, int undo)
{
    const struct ipvs_service *s = undo ? &c->before : &c->after;
    int rc;
    switch (op) {
    case TXN_ADD: rc = ipvs_nl_add_service(s); break;
    case TXN_EDIT: rc = ipvs_nl_edit_service(s); break;
    case TXN_DEL: rc = ipvs_nl_del_service(&c->key); break;
    default: return 0;
    }
    /* Undoing a delete: the destinations go back too. */
    for (size_t i = 0; rc == 0 && undo && op == TXN_ADD && i < c->n_old_dests; i++)
        rc = ipvs_nl_add_dest(&c->key, &c->old_dests[i]);
    return rc;
}

static int apply_dest(struct dest_change *c, enum txn_op op, int undo)
{
    const struct ipvs_dest *d = undo ? &c->before : &c->after;
    switch (op) {
    case TXN_ADD: return ipvs_nl_add_dest(&c->svc, d);
    case TXN_EDIT: return ipvs_nl_edit_dest(&c->svc, d);
    case TXN_DEL: return ipvs_nl_del_dest(&c->svc, d);
    default: return 0;
    }
}

static enum txn_op inverse(enum txn_op op)
{
    return op == TXN_ADD ? TXN_DEL : op == TXN_DEL ? TXN_ADD : op;
}

void ipvs_txn_undo(struct ipvs_txn *x)
{
    if (!x || x->undone)
        return;
    x->undone = 1;
    char sb[96], db[64];
    while (x->ndone > 0) {
        struct applied *a = &x->done[--x->ndone];
        int rc;
        if (a->is_dest) {
            struct dest_change *c = &x->ds[a->i];
            rc = apply_dest(c, inverse(a->op), 1);
            if (rc < 0) {
                snmp_log(LOG_ERR, "ipvs: undo failed: %s destination %s of %s: %s\n",
                         op_name(inverse(a->op)), ipvs_dest_str(&c->before, db, sizeof db),
                         ipvs_svc_str(&c->svc, sb, sizeof sb), strerror(-rc));
                if (!x->undo_failed)
                    x->undo_failed = c->rs_req ? c->rs_req : c->req;
            }
        } else {
            struct vs_change *c = &x->vs[a->i];
            rc = apply_vs(c, inverse(a->op), 1);
            if (rc < 0) {
                snmp_log(LOG_ERR, "ipvs: undo failed: %s service %s: %s\n",
                         op_name(inverse(a->op)), ipvs_svc_str(&c->key, sb, sizeof sb), strerror(-rc));
                if (!x->undo_failed)
                    x->undo_failed = c->rs_req ? c->rs_req : c->req;
            }
        }
    }
    ipvs_cache_invalidate();
}

/* ACTION: the kernel changes, in an order that respects dependencies:
 * services in, services changed, destinations out, in, changed, services out. */
int ipvs_txn_action(struct ipvs_txn *x, netsnmp_agent_request_info *reqinfo,
                    netsnmp_request_info *requests)
{
    size_t total = x->nvs + x->nds;
    x->done = calloc(total + 1, sizeof *x->done);
    if (!x->done)
        return -1;
    static const struct { int is_dest; enum txn_op op; } steps[] = {
        { 0, TXN_ADD }, { 0, TXN_EDIT }, { 1, TXN_DEL }, { 1, TXN_ADD }, { 1, TXN_EDIT }, { 0, TXN_DEL },
    };
    char sb[96], db[64];
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        size_t n = steps[s].is_dest ? x->nds : x->nvs;
        for (size_t i = 0; i < n; i++) {
            enum txn_op op = steps[s].is_dest ? x->ds[i].op : x->vs[i].op;
            if (op != steps[s].op)
                continue;
            int rc = steps[s].is_dest ? apply_dest(&x->ds[i], op, 0) : apply_vs(&x->vs[i], op, 0);
            if (rc == 0) {
                x->done[x->ndone++] = (struct applied){ op, steps[s].is_dest, i };
                continue;
            }
            netsnmp_request_info *r;
            int err = map_errno(rc, steps[s].is_dest, op);
            if (steps[s].is_dest) {
                struct dest_change *c = &x->ds[i];
                snmp_log(LOG_WARNING, "ipvs: kernel refused to %s destination %s of %s: %s\n",
                         op_name(op), ipvs_dest_str(&c->after, db, sizeof db),
                         ipvs_svc_str(&c->svc, sb, sizeof sb), strerror(-rc));
                r = ipvs_req_at(requests, c->rs_req ? c->rs_req : c->req);
            } else {
                struct vs_change *c = &x->vs[i];
                snmp_log(LOG_WARNING, "ipvs: kernel refused to %s service %s (scheduler %s): %s\n",
                         op_name(op), ipvs_svc_str(&c->key, sb, sizeof sb), c->after.sched, strerror(-rc));
                r = ipvs_req_at(requests, (err == SNMP_ERR_WRONGVALUE && c->sched_req) ? c->sched_req
                                     : c->rs_req ? c->rs_req : c->req);
                if (err == SNMP_ERR_WRONGVALUE && !c->sched_req)
                    err = SNMP_ERR_INCONSISTENTVALUE;   /* the default scheduler is missing */
            }
            netsnmp_set_request_error(reqinfo, r, err);
            ipvs_txn_undo(x);
            return -1;
        }
    }
    if (x->ndone)
        ipvs_cache_invalidate();
    return 0;
}

/* COMMIT: the agent-side rows (createAndWait) change only now, when
 * nothing can fail any more. */
void ipvs_txn_commit(struct ipvs_txn *x)
{
    char sb[96];
    int64_t now = now_s();
    for (size_t i = 0; i < x->nvs; i++) {
        struct vs_change *c = &x->vs[i];
        if (c->op == TXN_PEND_CREATE || c->op == TXN_PEND_EDIT) {
            if (ipvs_pending_put(ipvs_cache_pendings(), &c->after, now) < 0)
                snmp_log(LOG_ERR, "ipvs: out of memory keeping createAndWait service %s\n",
                         ipvs_svc_str(&c->key, sb, sizeof sb));
        } else if (c->op == TXN_PEND_DEL || (c->op == TXN_ADD && c->in_pending)) {
            ipvs_pending_remove(ipvs_cache_pendings(), &c->key);
        }
    }
    ipvs_cache_pendings_changed();
    ipvs_cache_invalidate();
}
