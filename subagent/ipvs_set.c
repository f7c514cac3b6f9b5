/* The SET phases of the IPVS tables; see ipvs_set.h. */
#include "ipvs_set.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/ip_vs.h>

#include "ipvs_cache.h"
#include "ipvs_conv.h"
#include "ipvs_pending.h"
#include "ipvs_txn.h"

#define BASE_LEN LAMON_IPVS_LEN
enum { TAB_VS = LAMON_IPVS_VS, TAB_DEST = LAMON_IPVS_DEST };

/* The agent handles one SET transaction at a time (the master serialises
 * them), so its state can live here between the phases. */
static struct ipvs_txn *cur;

static void txn_free(void)
{
    if (!cur)
        return;
    for (size_t i = 0; i < cur->nvs; i++)
        free(cur->vs[i].old_dests);
    free(cur->vs);
    free(cur->ds);
    free(cur->done);
    free(cur);
    cur = NULL;
    ipvs_cache_hold(0);
}

static int writable_vs(oid col)
{
    return col == LV_SCHED || col == LV_FLAGS || col == LV_TIMEOUT || col == LV_PREFIX
        || col == LV_ROWSTATUS;
}

static int writable_dest(oid col)
{
    return col == LD_WEIGHT || col == LD_FWD || col == LD_UTHRESH || col == LD_LTHRESH
        || col == LD_ROWSTATUS;
}

static int sched_name_ok(const u_char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* RESERVE1: the varbind on its own: instance, type, length, range. */
static int check_varbind(const netsnmp_variable_list *vb)
{
    const oid *o = vb->name;
    size_t len = vb->name_length;
    if (len < BASE_LEN + 4 || (o[BASE_LEN] != TAB_VS && o[BASE_LEN] != TAB_DEST) || o[BASE_LEN + 1] != 1)
        return SNMP_ERR_NOCREATION;
    int t = (int)o[BASE_LEN];
    oid col = o[BASE_LEN + 2];
    const oid *idx = o + BASE_LEN + 3;
    size_t idxlen = len - BASE_LEN - 3;
    struct lamon_vs_key k;
    struct ipvs_dest d;
    if (t == TAB_VS) {
        if (col < LV_SCHED || col > LV_ROWSTATUS)
            return SNMP_ERR_NOCREATION;
        if (!writable_vs(col))
            return SNMP_ERR_NOTWRITABLE;
        if (lamon_vs_index_decode(idx, idxlen, &k) != idxlen)
            return SNMP_ERR_NOCREATION;
    } else {
        if (col < LD_WEIGHT || col > LD_ROWSTATUS)
            return SNMP_ERR_NOCREATION;
        if (!writable_dest(col))
            return SNMP_ERR_NOTWRITABLE;
        if (ipvs_dest_index_decode(idx, idxlen, &k, &d) != idxlen)
            return SNMP_ERR_NOCREATION;
    }
    u_char want = ASN_INTEGER;
    if (t == TAB_VS && (col == LV_SCHED || col == LV_FLAGS))
        want = ASN_OCTET_STR;
    else if ((t == TAB_VS && (col == LV_TIMEOUT || col == LV_PREFIX))
             || (t == TAB_DEST && (col == LD_UTHRESH || col == LD_LTHRESH)))
        want = ASN_UNSIGNED;
    if (vb->type != want)
        return SNMP_ERR_WRONGTYPE;
    if (want == ASN_OCTET_STR && col == LV_SCHED) {
        if (vb->val_len < 1 || vb->val_len > IPVS_SCHED_MAX)
            return SNMP_ERR_WRONGLENGTH;
        if (!sched_name_ok(vb->val.string, vb->val_len))
            return SNMP_ERR_WRONGVALUE;
        return SNMP_ERR_NOERROR;
    }
    if (want == ASN_OCTET_STR) {            /* lamonVsFlags: 5 bits in one octet */
        if (vb->val_len > 1)
            return SNMP_ERR_WRONGLENGTH;
        if (vb->val_len == 1 && (vb->val.string[0] & 0x07))
            return SNMP_ERR_WRONGVALUE;
        return SNMP_ERR_NOERROR;
    }
    long v = *vb->val.integer;
    if (want == ASN_UNSIGNED) {
        if (t == TAB_VS && col == LV_PREFIX && (unsigned long)v > 128)
            return SNMP_ERR_WRONGVALUE;
        return SNMP_ERR_NOERROR;
    }
    if (t == TAB_VS || col == LD_ROWSTATUS) {       /* RowStatus */
        if (v < RS_ACTIVE || v > RS_DESTROY || v == RS_NOTREADY)
            return SNMP_ERR_WRONGVALUE;
        /* Destinations go straight into the kernel: no createAndWait. */
        if (t == TAB_DEST && (v == RS_CREATEANDWAIT || v == RS_NOTINSERVICE))
            return SNMP_ERR_WRONGVALUE;
        return SNMP_ERR_NOERROR;
    }
    if (col == LD_WEIGHT)
        return v < 0 || v > 2147483647L ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
    return v < LFWD_MASQ || v > LFWD_ROUTE ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
}

static void default_service(const struct lamon_vs_key *k, struct ipvs_service *s)
{
    memset(s, 0, sizeof *s);
    s->key = *k;
    strcpy(s->sched, "wlc");
    s->prefix = k->af == AF_INET ? 32 : 128;
}

static struct vs_change *vs_change_for(struct ipvs_txn *x, const struct lamon_vs_key *k)
{
    for (size_t i = 0; i < x->nvs; i++)
        if (memcmp(&x->vs[i].key, k, sizeof *k) == 0)
            return &x->vs[i];
    struct vs_change *v = realloc(x->vs, (x->nvs + 1) * sizeof *v);
    if (!v)
        return NULL;
    x->vs = v;
    struct vs_change *c = &v[x->nvs++];
    memset(c, 0, sizeof *c);
    c->key = *k;
    const struct ipvs_row *r = ipvs_cache_find_svc(k);
    if (r && !r->pending) {
        c->in_kernel = 1;
        c->before = *r->svc;
        /* Remember its destinations in case deleting the service is undone. */
        if (r->ndests) {
            c->old_dests = malloc(r->ndests * sizeof *c->old_dests);
            if (!c->old_dests) {
                x->nvs--;
                return NULL;
            }
            memcpy(c->old_dests, r->dests, r->ndests * sizeof *c->old_dests);
            c->n_old_dests = r->ndests;
        }
    } else {
        const struct ipvs_pending *p = ipvs_pending_find(ipvs_cache_pendings(), k);
        if (p) {
            c->in_pending = 1;
            c->before = p->svc;
        } else {
            default_service(k, &c->before);
        }
    }
    c->after = c->before;
    return c;
}

static struct dest_change *dest_change_for(struct ipvs_txn *x, const struct lamon_vs_key *k,
                                           const struct ipvs_dest *d)
{
    for (size_t i = 0; i < x->nds; i++)
        if (memcmp(&x->ds[i].svc, k, sizeof *k) == 0 && x->ds[i].before.af == d->af
            && memcmp(x->ds[i].before.addr, d->addr, 16) == 0 && x->ds[i].before.port == d->port)
            return &x->ds[i];
    struct dest_change *v = realloc(x->ds, (x->nds + 1) * sizeof *v);
    if (!v)
        return NULL;
    x->ds = v;
    struct dest_change *c = &v[x->nds++];
    memset(c, 0, sizeof *c);
    c->svc = *k;
    const struct ipvs_row *r = ipvs_cache_find_dest(k, d);
    if (r) {
        c->exists = 1;
        c->before = *r->dest;
    } else {
        c->before = *d;
        c->before.weight = 1;
        c->before.fwd = IP_VS_CONN_F_DROUTE;
    }
    c->after = c->before;
    return c;
}

/* RESERVE2, step 1: gather the varbinds into per-row changes. */
static int collect(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    int pos = 0;
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        pos++;
        netsnmp_variable_list *vb = r->requestvb;
        int t = (int)vb->name[BASE_LEN];
        oid col = vb->name[BASE_LEN + 2];
        const oid *idx = vb->name + BASE_LEN + 3;
        size_t idxlen = vb->name_length - BASE_LEN - 3;
        struct lamon_vs_key k;
        struct ipvs_dest d;
        if (t == TAB_VS) {
            lamon_vs_index_decode(idx, idxlen, &k);
            struct vs_change *c = vs_change_for(cur, &k);
            if (!c) {
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
                return -1;
            }
            if (!c->req)
                c->req = pos;
            switch (col) {
            case LV_SCHED:
                memcpy(c->after.sched, vb->val.string, vb->val_len);
                c->after.sched[vb->val_len] = '\0';
                c->set |= SET_VS_SCHED;
                c->sched_req = pos;
                break;
            case LV_FLAGS:
                /* persistent follows the timeout; the other bits are written */
                c->after.flags = (c->after.flags & IP_VS_SVC_F_PERSISTENT)
                    | (ipvs_bits_to_flags(vb->val_len ? vb->val.string[0] : 0) & ~(uint32_t)IP_VS_SVC_F_PERSISTENT);
                c->set |= SET_VS_FLAGS;
                break;
            case LV_TIMEOUT: c->after.timeout = (uint32_t)*vb->val.integer; c->set |= SET_VS_TIMEOUT; break;
            case LV_PREFIX: c->after.prefix = (uint32_t)*vb->val.integer; c->set |= SET_VS_PREFIX; break;
            default: c->rowstatus = *vb->val.integer; c->rs_req = pos; break;
            }
        } else {
            ipvs_dest_index_decode(idx, idxlen, &k, &d);
            struct dest_change *c = dest_change_for(cur, &k, &d);
            if (!c) {
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
                return -1;
            }
            if (!c->req)
                c->req = pos;
            switch (col) {
            case LD_WEIGHT: c->after.weight = (int32_t)*vb->val.integer; c->set |= SET_D_WEIGHT; break;
            case LD_FWD: c->after.fwd = ipvs_fwd_from_mib(*vb->val.integer); c->set |= SET_D_FWD; break;
            case LD_UTHRESH: c->after.u_thresh = (uint32_t)*vb->val.integer; c->set |= SET_D_UTHRESH; break;
            case LD_LTHRESH: c->after.l_thresh = (uint32_t)*vb->val.integer; c->set |= SET_D_LTHRESH; break;
            default: c->rowstatus = *vb->val.integer; c->rs_req = pos; break;
            }
        }
    }
    return 0;
}

static int fail(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, int err)
{
    netsnmp_set_request_error(reqinfo, r, err);
    return -1;
}

/* RESERVE2, step 2: decide each row's operation against the current table. */
static int decide(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    size_t creating = 0;
    for (size_t i = 0; i < cur->nvs; i++) {
        struct vs_change *c = &cur->vs[i];
        netsnmp_request_info *rr = ipvs_req_at(requests, c->rs_req ? c->rs_req : c->req);
        int exists = c->in_kernel || c->in_pending;
        if (c->after.timeout)
            c->after.flags |= IP_VS_SVC_F_PERSISTENT;
        else
            c->after.flags &= ~(uint32_t)IP_VS_SVC_F_PERSISTENT;
        switch (c->rowstatus) {
        case RS_CREATEANDGO:
        case RS_CREATEANDWAIT:
            if (exists)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            if (!ipvs_nl_is_open())
                return fail(reqinfo, rr, SNMP_ERR_RESOURCEUNAVAILABLE);
            c->op = c->rowstatus == RS_CREATEANDGO ? TXN_ADD : TXN_PEND_CREATE;
            /* RFC 2579: no resources for another row kept in the agent */
            if (c->op == TXN_PEND_CREATE && ipvs_cache_pendings()->n + creating++ >= ipvs_cache_pending_max())
                return fail(reqinfo, rr, SNMP_ERR_RESOURCEUNAVAILABLE);
            break;
        case RS_DESTROY:
            c->op = c->in_kernel ? TXN_DEL : c->in_pending ? TXN_PEND_DEL : TXN_NONE;
            break;
        case RS_ACTIVE:
            if (!exists)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = c->in_pending ? TXN_ADD : c->set ? TXN_EDIT : TXN_NONE;
            break;
        case RS_NOTINSERVICE:
            /* A service in the kernel cannot be taken out of service and kept. */
            if (!c->in_pending)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = TXN_PEND_EDIT;
            break;
        default:
            if (!exists)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTNAME);
            c->op = c->in_pending ? TXN_PEND_EDIT : TXN_EDIT;
            break;
        }
        if (c->key.af == AF_INET && c->after.prefix > 32 && c->op != TXN_DEL && c->op != TXN_PEND_DEL)
            return fail(reqinfo, ipvs_req_at(requests, c->req), SNMP_ERR_INCONSISTENTVALUE);
    }
    for (size_t i = 0; i < cur->nds; i++) {
        struct dest_change *c = &cur->ds[i];
        netsnmp_request_info *rr = ipvs_req_at(requests, c->rs_req ? c->rs_req : c->req);
        /* The service: in the kernel, or made so by this same request. */
        const struct ipvs_row *sr = ipvs_cache_find_svc(&c->svc);
        int svc_there = sr && !sr->pending, svc_going = 0;
        for (size_t j = 0; j < cur->nvs; j++) {
            if (memcmp(&cur->vs[j].key, &c->svc, sizeof c->svc) != 0)
                continue;
            if (cur->vs[j].op == TXN_ADD)
                svc_there = 1;
            if (cur->vs[j].op == TXN_DEL)
                svc_going = 1;
        }
        switch (c->rowstatus) {
        case RS_CREATEANDGO:
            if (!svc_there)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTNAME);
            if (c->exists || svc_going)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = TXN_ADD;
            break;
        case RS_DESTROY:
            /* Deleting the service takes its destinations with it. */
            c->op = c->exists && !svc_going ? TXN_DEL : TXN_NONE;
            break;
        default:
            if (!c->exists)
                return fail(reqinfo, rr, c->rowstatus == RS_ACTIVE ? SNMP_ERR_INCONSISTENTVALUE
                                                                   : SNMP_ERR_INCONSISTENTNAME);
            if (svc_going)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = c->set ? TXN_EDIT : TXN_NONE;
            break;
        }
        if (c->op != TXN_DEL && c->op != TXN_NONE && c->after.l_thresh > c->after.u_thresh
            && c->after.u_thresh != 0)
            return fail(reqinfo, ipvs_req_at(requests, c->req), SNMP_ERR_INCONSISTENTVALUE);
    }
    return 0;
}

/* The SNMP error for a kernel refusal. */

void ipvs_set(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1:
        txn_free();
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            int rc = check_varbind(r->requestvb);
            if (rc != SNMP_ERR_NOERROR) {
                netsnmp_set_request_error(reqinfo, r, rc);
                return;
            }
        }
        break;
    case MODE_SET_RESERVE2:
        txn_free();
        cur = calloc(1, sizeof *cur);
        if (!cur) {
            netsnmp_set_request_error(reqinfo, requests, SNMP_ERR_RESOURCEUNAVAILABLE);
            break;
        }
        ipvs_cache_hold(1);
        /* Decide against the kernel as it is now, not as cached. */
        ipvs_cache_refresh(1);
        if (collect(reqinfo, requests) == 0)
            decide(reqinfo, requests);
        break;
    case MODE_SET_ACTION:
        if (cur && ipvs_txn_action(cur, reqinfo, requests) != 0 && !cur->undone)
            netsnmp_set_request_error(reqinfo, requests, SNMP_ERR_RESOURCEUNAVAILABLE);
        break;
    case MODE_SET_UNDO:
        /* Undone already if ACTION failed here; else another module's
         * ACTION failed.  RFC 3416: a change that cannot be undone is
         * undoFailed (only that error counts in this phase). */
        ipvs_txn_undo(cur);
        if (cur && cur->undo_failed)
            netsnmp_set_request_error(reqinfo, ipvs_req_at(requests, cur->undo_failed),
                                      SNMP_ERR_UNDOFAILED);
        txn_free();     /* UNDO and COMMIT end a request: no FREE follows */
        break;
    case MODE_SET_COMMIT:
        if (cur && !cur->undone)
            ipvs_txn_commit(cur);
        txn_free();
        break;
    case MODE_SET_FREE:
        txn_free();
        break;
    default:
        break;
    }
}

void ipvs_set_end(void)
{
    txn_free();
}
