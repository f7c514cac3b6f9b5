/* GET / GETNEXT of the IPVS tables; see ipvs_get.h. */
#include "ipvs_get.h"

#include <string.h>

#include "ipvs_cache.h"
#include "ipvs_conv.h"

static const oid ipvs_oid[] = { LAMON_IPVS };
#define BASE_LEN OID_LENGTH(ipvs_oid)
enum { TAB_VS = LAMON_IPVS_VS, TAB_DEST = LAMON_IPVS_DEST };

static void set_c64(netsnmp_variable_list *vb, uint64_t v)
{
    struct counter64 c = { .high = (u_long)(v >> 32), .low = (u_long)(v & 0xffffffffu) };
    snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof c);
}

static void set_u(netsnmp_variable_list *vb, u_char type, uint64_t v)
{
    u_long x = v > 0xffffffffu ? 0xffffffffu : (u_long)v;
    snmp_set_var_typed_value(vb, type, &x, sizeof x);
}

static void set_int(netsnmp_variable_list *vb, long v)
{
    snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v);
}

/* The statistics columns come in the same order in both tables (conns,
 * in/out packets, in/out bytes, then the five rates): WHICH counts from conns. */
static void stats_value(netsnmp_variable_list *vb, int which, const struct ipvs_stats *st)
{
    const uint64_t counters[] = { st->conns, st->inpkts, st->outpkts, st->inbytes, st->outbytes };
    const uint64_t rates[] = { st->cps, st->inpps, st->outpps, st->inbps, st->outbps };
    if (which < 5)
        set_c64(vb, counters[which]);
    else
        set_u(vb, ASN_GAUGE, rates[which - 5]);
}

static void vs_value(netsnmp_variable_list *vb, int col, const struct ipvs_row *r)
{
    const struct ipvs_service *s = r->svc;
    const struct ipvs_stats *st = &s->stats;
    uint8_t bits;
    switch (col) {
    case LV_SCHED: snmp_set_var_typed_value(vb, ASN_OCTET_STR, s->sched, strlen(s->sched)); break;
    case LV_FLAGS:
        bits = ipvs_flags_to_bits(s->flags);
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, &bits, 1);
        break;
    case LV_TIMEOUT: set_u(vb, ASN_UNSIGNED, s->timeout); break;
    case LV_PREFIX: set_u(vb, ASN_UNSIGNED, s->prefix); break;
    case LV_CONNS: case LV_INPKTS: case LV_OUTPKTS: case LV_INBYTES: case LV_OUTBYTES:
    case LV_CPS: case LV_INPPS: case LV_OUTPPS: case LV_INBPS: case LV_OUTBPS:
        stats_value(vb, col - LV_CONNS, st);
        break;
    case LV_DESTCOUNT: set_u(vb, ASN_GAUGE, r->ndests); break;
    default: set_int(vb, r->pending ? RS_NOTINSERVICE : RS_ACTIVE); break;
    }
}

static void dest_value(netsnmp_variable_list *vb, int col, const struct ipvs_row *r)
{
    const struct ipvs_dest *d = r->dest;
    const struct ipvs_stats *st = &d->stats;
    switch (col) {
    case LD_WEIGHT: set_int(vb, d->weight); break;
    case LD_FWD: set_int(vb, ipvs_fwd_to_mib(d->fwd)); break;
    case LD_UTHRESH: set_u(vb, ASN_UNSIGNED, d->u_thresh); break;
    case LD_LTHRESH: set_u(vb, ASN_UNSIGNED, d->l_thresh); break;
    case LD_ACTIVE: set_u(vb, ASN_GAUGE, d->active); break;
    case LD_INACTIVE: set_u(vb, ASN_GAUGE, d->inactive); break;
    case LD_PERSIST: set_u(vb, ASN_GAUGE, d->persist); break;
    case LD_CONNS: case LD_INPKTS: case LD_OUTPKTS: case LD_INBYTES: case LD_OUTBYTES:
    case LD_CPS: case LD_INPPS: case LD_OUTPPS: case LD_INBPS: case LD_OUTBPS:
        stats_value(vb, col - LD_CONNS, st);
        break;
    default: set_int(vb, RS_ACTIVE); break;
    }
}

/* The readable columns of each table, indexed by TAB_*. */
static const struct { int cmin, cmax; } tabs[3] = {
    { 0, 0 },
    { LV_SCHED, LV_ROWSTATUS },
    { LD_WEIGHT, LD_ROWSTATUS },
};

static void answer(netsnmp_variable_list *vb, int t, int col, const struct ipvs_row *r)
{
    if (t == TAB_VS)
        vs_value(vb, col, r);
    else
        dest_value(vb, col, r);
}

void ipvs_get(netsnmp_request_info *req)
{
    netsnmp_variable_list *vb = req->requestvb;
    const oid *o = vb->name;
    size_t len = vb->name_length;
    if (len < BASE_LEN + 4 || (o[BASE_LEN] != TAB_VS && o[BASE_LEN] != TAB_DEST)
        || o[BASE_LEN + 1] != 1) {
        netsnmp_request_set_error(req, SNMP_NOSUCHOBJECT);
        return;
    }
    int t = (int)o[BASE_LEN];
    oid col = o[BASE_LEN + 2];
    if (col < (oid)tabs[t].cmin || col > (oid)tabs[t].cmax) {
        netsnmp_request_set_error(req, SNMP_NOSUCHOBJECT);
        return;
    }
    size_t n;
    const struct ipvs_row *rows = ipvs_cache_rows(t, &n);
    const struct ipvs_row *r = ipvs_row_find(rows, n, o + BASE_LEN + 3, len - BASE_LEN - 3);
    if (!r) {
        netsnmp_request_set_error(req, SNMP_NOSUCHINSTANCE);
        return;
    }
    answer(vb, t, (int)col, r);
}

void ipvs_getnext(netsnmp_request_info *req)
{
    netsnmp_variable_list *vb = req->requestvb;
    const oid *o = vb->name;
    size_t len = vb->name_length;
    oid t = 0, e = 0, c = 0;
    const oid *rest = NULL;
    size_t restlen = 0;
    if (snmp_oid_compare(o, len < BASE_LEN ? len : BASE_LEN, ipvs_oid, BASE_LEN) < 0 || len <= BASE_LEN) {
        t = 0;  /* before our subtree: start at the beginning */
    } else if (snmp_oid_compare(o, BASE_LEN, ipvs_oid, BASE_LEN) > 0) {
        return;
    } else {
        t = o[BASE_LEN];
        e = len > BASE_LEN + 1 ? o[BASE_LEN + 1] : 0;
        c = len > BASE_LEN + 2 ? o[BASE_LEN + 2] : 0;
        if (len > BASE_LEN + 3) {
            rest = o + BASE_LEN + 3;
            restlen = len - BASE_LEN - 3;
        }
        /* A request at TABLE.ENTRY.COL exactly still wants that column's first row;
         * one ending at TABLE or TABLE.ENTRY wants the table's first column. */
    }
    for (int ti = TAB_VS; ti <= TAB_DEST; ti++) {
        if ((oid)ti < t)
            continue;
        int cmin = tabs[ti].cmin, cmax = tabs[ti].cmax;
        int cstart = cmin, use_rest = 0;
        if ((oid)ti == t) {
            if (e > 1)
                continue;
            if (e == 1 && c >= (oid)cmin) {
                if (c > (oid)cmax)
                    continue;
                cstart = (int)c;
                use_rest = rest != NULL;
            }
        }
        size_t nrows;
        const struct ipvs_row *rows = ipvs_cache_rows(ti, &nrows);
        for (int col = cstart; col <= cmax; col++) {
            size_t i = 0;
            if (col == cstart && use_rest)
                i = ipvs_row_search(rows, nrows, rest, restlen, 1);
            if (i >= nrows)
                continue;
            const struct ipvs_row *r = &rows[i];
            oid name[MAX_OID_LEN];
            size_t n = 0;
            memcpy(name, ipvs_oid, sizeof ipvs_oid);
            n = BASE_LEN;
            name[n++] = (oid)ti;
            name[n++] = 1;
            name[n++] = (oid)col;
            memcpy(name + n, r->idx, r->idxlen * sizeof(oid));
            n += r->idxlen;
            snmp_set_var_objid(vb, name, n);
            answer(vb, ti, col, r);
            return;
        }
    }
}
