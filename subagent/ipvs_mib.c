/* lamonVsTable / lamonDestTable; see ipvs_mib.h. */
#include "ipvs_mib.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/ip_vs.h>

#include "agent_config.h"
#include "ipvs_pending.h"

static const oid ipvs_oid[] = { LAMON_IPVS };
#define BASE_LEN OID_LENGTH(ipvs_oid)
enum { TAB_VS = LAMON_IPVS_VS, TAB_DEST = LAMON_IPVS_DEST };

enum {
    VS_SCHED = 6, VS_FLAGS, VS_TIMEOUT, VS_PREFIX, VS_CONNS, VS_INPKTS, VS_OUTPKTS,
    VS_INBYTES, VS_OUTBYTES, VS_CPS, VS_INPPS, VS_OUTPPS, VS_INBPS, VS_OUTBPS,
    VS_DESTCOUNT, VS_ROWSTATUS
};
enum {
    D_WEIGHT = 4, D_FWD, D_UTHRESH, D_LTHRESH, D_ACTIVE, D_INACTIVE, D_PERSIST,
    D_CONNS, D_INPKTS, D_OUTPKTS, D_INBYTES, D_OUTBYTES, D_CPS, D_INPPS, D_OUTPPS,
    D_INBPS, D_OUTBPS, D_ROWSTATUS
};
enum { MIB_FWD_MASQ = 1, MIB_FWD_LOCAL, MIB_FWD_TUNNEL, MIB_FWD_ROUTE };

/* --- index codecs and conversions ------------------------------------------ */

/* The destination part of lamonDestTable's index from and to a destination. */
static struct lamon_dest_key dest_key(const struct ipvs_dest *d)
{
    struct lamon_dest_key k = { .af = d->af, .port = d->port };
    memcpy(k.addr, d->addr, sizeof k.addr);
    return k;
}

static void dest_from_key(struct ipvs_dest *d, const struct lamon_dest_key *k)
{
    memset(d, 0, sizeof *d);
    d->af = k->af;
    memcpy(d->addr, k->addr, sizeof d->addr);
    d->port = k->port;
}

static size_t dest_index_encode(const struct lamon_vs_key *k, const struct ipvs_dest *d, oid *idx)
{
    struct lamon_dest_key dk = dest_key(d);
    return lamon_dest_index_encode(k, &dk, idx);
}

static size_t dest_index_decode(const oid *idx, size_t len, struct lamon_vs_key *k, struct ipvs_dest *d)
{
    struct lamon_dest_key dk;
    size_t n = lamon_dest_index_decode(idx, len, k, &dk);
    dest_from_key(d, &dk);
    return n;
}

uint8_t ipvs_flags_to_bits(uint32_t f)
{
    return (uint8_t)(((f & IP_VS_SVC_F_PERSISTENT) ? 0x80 : 0) | ((f & IP_VS_SVC_F_ONEPACKET) ? 0x40 : 0)
                     | ((f & IP_VS_SVC_F_SCHED1) ? 0x20 : 0) | ((f & IP_VS_SVC_F_SCHED2) ? 0x10 : 0)
                     | ((f & IP_VS_SVC_F_SCHED3) ? 0x08 : 0));
}

uint32_t ipvs_bits_to_flags(uint8_t b)
{
    return ((b & 0x80) ? IP_VS_SVC_F_PERSISTENT : 0) | ((b & 0x40) ? IP_VS_SVC_F_ONEPACKET : 0)
           | ((b & 0x20) ? IP_VS_SVC_F_SCHED1 : 0) | ((b & 0x10) ? IP_VS_SVC_F_SCHED2 : 0)
           | ((b & 0x08) ? IP_VS_SVC_F_SCHED3 : 0);
}

static long fwd_to_mib(uint32_t fwd)
{
    switch (fwd & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_MASQ: return MIB_FWD_MASQ;
    case IP_VS_CONN_F_LOCALNODE: return MIB_FWD_LOCAL;
    case IP_VS_CONN_F_TUNNEL: return MIB_FWD_TUNNEL;
    default: return MIB_FWD_ROUTE;
    }
}

static uint32_t fwd_from_mib(long v)
{
    return v == MIB_FWD_MASQ ? IP_VS_CONN_F_MASQ : v == MIB_FWD_LOCAL ? IP_VS_CONN_F_LOCALNODE
         : v == MIB_FWD_TUNNEL ? IP_VS_CONN_F_TUNNEL : IP_VS_CONN_F_DROUTE;
}

static const char *svc_str(const struct lamon_vs_key *k, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    if (k->fwmark) {
        snprintf(buf, len, "fwmark %u (%s)", k->fwmark, k->af == AF_INET ? "ipv4" : "ipv6");
        return buf;
    }
    inet_ntop(k->af, k->addr, a, sizeof a);
    const char *p = k->protocol == IPPROTO_TCP ? "tcp" : k->protocol == IPPROTO_UDP ? "udp" : "sctp";
    snprintf(buf, len, k->af == AF_INET6 ? "%s [%s]:%u" : "%s %s:%u", p, a, k->port);
    return buf;
}

static const char *dest_str(const struct ipvs_dest *d, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    inet_ntop(d->af, d->addr, a, sizeof a);
    snprintf(buf, len, d->af == AF_INET6 ? "[%s]:%u" : "%s:%u", a, d->port);
    return buf;
}

/* --- the snapshot ------------------------------------------------------------ */

struct row {
    oid idx[LAMON_DEST_IDX_MAX];
    size_t idxlen;
    const struct ipvs_service *svc;
    const struct ipvs_dest *dest;   /* dest rows */
    size_t ndests;                  /* service rows */
    int pending;
};

/* Services created with createAndWait live here until made active. */
static struct ipvs_pending_list pendings;
static unsigned pending_alarm;      /* snmp_alarm id while rows are pending */
static struct ipvs_table tbl;
static struct row *vs_rows, *dest_rows;
static size_t n_vs, n_dest;
static struct timespec snap_at;
static int have_snap;
static int warned_no_ipvs;

static long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static int64_t now_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec;
}

static unsigned pending_age(void)
{
    const struct agent_config *c = agent_config();
    return c && c->ipvs_pending_age ? c->ipvs_pending_age : 300;
}

static unsigned pending_max(void)
{
    const struct agent_config *c = agent_config();
    return c && c->ipvs_pending_max ? c->ipvs_pending_max : 100;
}

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return snmp_oid_compare(x->idx, x->idxlen, y->idx, y->idxlen);
}

static int ensure_open(void)
{
    int rc = ipvs_nl_open();
    if (rc < 0 && !warned_no_ipvs) {
        snmp_log(LOG_WARNING, "ipvs: the kernel has no IPVS (generic netlink family \"IPVS\" "
                 "not found): lamonVsTable and lamonDestTable stay empty\n");
        warned_no_ipvs = 1;
    }
    return rc;
}

static void snapshot_free(void)
{
    free(vs_rows);
    free(dest_rows);
    vs_rows = dest_rows = NULL;
    n_vs = n_dest = 0;
    ipvs_table_free(&tbl);
    have_snap = 0;
}

static void pending_gone(const struct ipvs_pending *p, int64_t now)
{
    char sb[96];
    snmp_log(LOG_NOTICE, "ipvs: createAndWait service %s aged out: not made active "
             "within %lld s (ipvs_pending_age %u)\n", svc_str(&p->svc.key, sb, sizeof sb),
             (long long)(now - p->touched), pending_age());
}

struct txn;
static struct txn *cur;   /* the SET in progress (see struct txn below) */

/* RFC 2579: rows left in notInService for too long are removed; never
 * while a SET is in progress, which decided on the rows as they are. */
static size_t pending_expire(void)
{
    if (cur)
        return 0;
    return ipvs_pending_expire(&pendings, now_s(), pending_age(), pending_gone);
}

/* Refreshes the snapshot when older than cache_ms (or FORCE), after aging
 * the pending rows.  Returns 0 or a negative errno; the tables are empty
 * after an error. */
static int snapshot(int force)
{
    if (pending_expire())
        have_snap = 0;
    if (have_snap && !force && ms_since(&snap_at) < (long)agent_config()->cache_ms)
        return 0;
    snapshot_free();
    clock_gettime(CLOCK_MONOTONIC, &snap_at);
    have_snap = 1;
    int rc = ensure_open();
    if (rc == 0) {
        rc = ipvs_nl_list(&tbl);
        if (rc < 0) {
            snmp_log(LOG_ERR, "ipvs: reading the table: %s\n", strerror(-rc));
            /* A fresh socket next time, in case this one is out of step. */
            ipvs_nl_close();
        }
    }
    size_t np = pendings.n, nd = 0;
    for (size_t i = 0; i < tbl.nsvcs; i++)
        nd += tbl.svcs[i].ndests;
    vs_rows = calloc(tbl.nsvcs + np + 1, sizeof *vs_rows);
    dest_rows = calloc(nd + 1, sizeof *dest_rows);
    if (!vs_rows || !dest_rows) {
        snapshot_free();
        have_snap = 1;
        return -ENOMEM;
    }
    for (size_t i = 0; i < tbl.nsvcs; i++) {
        struct ipvs_svc_entry *e = &tbl.svcs[i];
        struct row *r = &vs_rows[n_vs++];
        r->svc = &e->svc;
        r->ndests = e->ndests;
        r->idxlen = lamon_vs_index_encode(&e->svc.key, r->idx);
        for (size_t j = 0; j < e->ndests; j++) {
            struct row *d = &dest_rows[n_dest++];
            d->svc = &e->svc;
            d->dest = &e->dests[j];
            d->idxlen = dest_index_encode(&e->svc.key, &e->dests[j], d->idx);
        }
    }
    for (const struct ipvs_pending *p = pendings.head; p; p = p->next) {
        struct row *r = &vs_rows[n_vs++];
        r->svc = &p->svc;
        r->pending = 1;
        r->idxlen = lamon_vs_index_encode(&p->svc.key, r->idx);
    }
    qsort(vs_rows, n_vs, sizeof *vs_rows, row_cmp);
    qsort(dest_rows, n_dest, sizeof *dest_rows, row_cmp);
    return rc;
}

static void snapshot_invalidate(void)
{
    have_snap = 0;
}

/* First row whose index is > IDX (STRICT) or >= IDX. */
static size_t row_search(const struct row *rows, size_t n, const oid *idx, size_t len, int strict)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = snmp_oid_compare(rows[mid].idx, rows[mid].idxlen, idx, len);
        if (c < 0 || (strict && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct row *row_find(const struct row *rows, size_t n, const oid *idx, size_t len)
{
    size_t i = row_search(rows, n, idx, len, 0);
    if (i < n && snmp_oid_compare(rows[i].idx, rows[i].idxlen, idx, len) == 0)
        return &rows[i];
    return NULL;
}

static const struct row *find_svc(const struct lamon_vs_key *k)
{
    oid idx[LAMON_VS_IDX_MAX];
    size_t n = lamon_vs_index_encode(k, idx);
    return row_find(vs_rows, n_vs, idx, n);
}

static const struct row *find_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    oid idx[LAMON_DEST_IDX_MAX];
    size_t n = dest_index_encode(k, d, idx);
    return row_find(dest_rows, n_dest, idx, n);
}

/* --- GET / GETNEXT ------------------------------------------------------------ */

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

static void vs_value(netsnmp_variable_list *vb, int col, const struct row *r)
{
    const struct ipvs_service *s = r->svc;
    const struct ipvs_stats *st = &s->stats;
    uint8_t bits;
    switch (col) {
    case VS_SCHED: snmp_set_var_typed_value(vb, ASN_OCTET_STR, s->sched, strlen(s->sched)); break;
    case VS_FLAGS:
        bits = ipvs_flags_to_bits(s->flags);
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, &bits, 1);
        break;
    case VS_TIMEOUT: set_u(vb, ASN_UNSIGNED, s->timeout); break;
    case VS_PREFIX: set_u(vb, ASN_UNSIGNED, s->prefix); break;
    case VS_CONNS: case VS_INPKTS: case VS_OUTPKTS: case VS_INBYTES: case VS_OUTBYTES:
    case VS_CPS: case VS_INPPS: case VS_OUTPPS: case VS_INBPS: case VS_OUTBPS:
        stats_value(vb, col - VS_CONNS, st);
        break;
    case VS_DESTCOUNT: set_u(vb, ASN_GAUGE, r->ndests); break;
    default: set_int(vb, r->pending ? RS_NOTINSERVICE : RS_ACTIVE); break;
    }
}

static void dest_value(netsnmp_variable_list *vb, int col, const struct row *r)
{
    const struct ipvs_dest *d = r->dest;
    const struct ipvs_stats *st = &d->stats;
    switch (col) {
    case D_WEIGHT: set_int(vb, d->weight); break;
    case D_FWD: set_int(vb, fwd_to_mib(d->fwd)); break;
    case D_UTHRESH: set_u(vb, ASN_UNSIGNED, d->u_thresh); break;
    case D_LTHRESH: set_u(vb, ASN_UNSIGNED, d->l_thresh); break;
    case D_ACTIVE: set_u(vb, ASN_GAUGE, d->active); break;
    case D_INACTIVE: set_u(vb, ASN_GAUGE, d->inactive); break;
    case D_PERSIST: set_u(vb, ASN_GAUGE, d->persist); break;
    case D_CONNS: case D_INPKTS: case D_OUTPKTS: case D_INBYTES: case D_OUTBYTES:
    case D_CPS: case D_INPPS: case D_OUTPPS: case D_INBPS: case D_OUTBPS:
        stats_value(vb, col - D_CONNS, st);
        break;
    default: set_int(vb, RS_ACTIVE); break;
    }
}

struct tabdesc {
    int cmin, cmax;
    struct row **rows;
    size_t *n;
};

static const struct tabdesc tabs[3] = {
    { 0, 0, NULL, NULL },
    { VS_SCHED, VS_ROWSTATUS, &vs_rows, &n_vs },
    { D_WEIGHT, D_ROWSTATUS, &dest_rows, &n_dest },
};

static void answer(netsnmp_variable_list *vb, int t, int col, const struct row *r)
{
    if (t == TAB_VS)
        vs_value(vb, col, r);
    else
        dest_value(vb, col, r);
}

static void do_get(netsnmp_request_info *req)
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
    const struct tabdesc *td = &tabs[t];
    oid col = o[BASE_LEN + 2];
    if (col < (oid)td->cmin || col > (oid)td->cmax) {
        netsnmp_request_set_error(req, SNMP_NOSUCHOBJECT);
        return;
    }
    const struct row *r = row_find(*td->rows, *td->n, o + BASE_LEN + 3, len - BASE_LEN - 3);
    if (!r) {
        netsnmp_request_set_error(req, SNMP_NOSUCHINSTANCE);
        return;
    }
    answer(vb, t, (int)col, r);
}

static void do_getnext(netsnmp_request_info *req)
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
        const struct tabdesc *td = &tabs[ti];
        int cstart = td->cmin, use_rest = 0;
        if ((oid)ti == t) {
            if (e > 1)
                continue;
            if (e == 1 && c >= (oid)td->cmin) {
                if (c > (oid)td->cmax)
                    continue;
                cstart = (int)c;
                use_rest = rest != NULL;
            }
        }
        for (int col = cstart; col <= td->cmax; col++) {
            size_t i = 0;
            if (col == cstart && use_rest)
                i = row_search(*td->rows, *td->n, rest, restlen, 1);
            if (i >= *td->n)
                continue;
            const struct row *r = &(*td->rows)[i];
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

/* --- SET ------------------------------------------------------------------------ */

#define SET_VS_SCHED   0x01
#define SET_VS_FLAGS   0x02
#define SET_VS_TIMEOUT 0x04
#define SET_VS_PREFIX  0x08
#define SET_D_WEIGHT   0x01
#define SET_D_FWD      0x02
#define SET_D_UTHRESH  0x04
#define SET_D_LTHRESH  0x08

enum op { OP_NONE, OP_ADD, OP_EDIT, OP_DEL, OP_PEND_CREATE, OP_PEND_EDIT, OP_PEND_DEL };

struct vs_change {
    struct lamon_vs_key key;
    int in_kernel, in_pending;
    struct ipvs_service before, after;
    struct ipvs_dest *old_dests;   /* for re-adding them if a delete is undone */
    size_t n_old_dests;
    long rowstatus;                /* 0: not set */
    unsigned set;
    enum op op;
    int req, sched_req, rs_req;    /* varbind positions (1-based), 0: none */
};

struct dest_change {
    struct lamon_vs_key svc;
    int exists;
    struct ipvs_dest before, after;
    long rowstatus;
    unsigned set;
    enum op op;
    int req, rs_req;
};

/* What ACTION did, for undo. */
struct applied {
    enum op op;
    int is_dest;
    size_t i;
};

struct txn {
    struct vs_change *vs;
    size_t nvs;
    struct dest_change *ds;
    size_t nds;
    struct applied *done;
    size_t ndone;
    int undone;
    int undo_failed;               /* position of a change whose undo failed */
};

/* The agent handles one SET transaction at a time (the master serialises
 * them), so its state can live here between the phases.  It keeps varbind
 * positions, not request pointers: over AgentX every phase (TestSet,
 * CommitSet, UndoSet, CleanupSet) comes with requests of its own. */
/* (cur, declared above) */

/* The request at POS (1-based) of this phase's list; the first as a fallback,
 * so that an error always lands somewhere. */
static netsnmp_request_info *req_at(netsnmp_request_info *requests, int pos)
{
    netsnmp_request_info *r = requests;
    for (int i = 1; r && i < pos; i++)
        r = r->next;
    return r ? r : requests;
}

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
}

static int writable_vs(oid col)
{
    return col == VS_SCHED || col == VS_FLAGS || col == VS_TIMEOUT || col == VS_PREFIX
        || col == VS_ROWSTATUS;
}

static int writable_dest(oid col)
{
    return col == D_WEIGHT || col == D_FWD || col == D_UTHRESH || col == D_LTHRESH
        || col == D_ROWSTATUS;
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
        if (col < VS_SCHED || col > VS_ROWSTATUS)
            return SNMP_ERR_NOCREATION;
        if (!writable_vs(col))
            return SNMP_ERR_NOTWRITABLE;
        if (lamon_vs_index_decode(idx, idxlen, &k) != idxlen)
            return SNMP_ERR_NOCREATION;
    } else {
        if (col < D_WEIGHT || col > D_ROWSTATUS)
            return SNMP_ERR_NOCREATION;
        if (!writable_dest(col))
            return SNMP_ERR_NOTWRITABLE;
        if (dest_index_decode(idx, idxlen, &k, &d) != idxlen)
            return SNMP_ERR_NOCREATION;
    }
    u_char want = ASN_INTEGER;
    if (t == TAB_VS && (col == VS_SCHED || col == VS_FLAGS))
        want = ASN_OCTET_STR;
    else if ((t == TAB_VS && (col == VS_TIMEOUT || col == VS_PREFIX))
             || (t == TAB_DEST && (col == D_UTHRESH || col == D_LTHRESH)))
        want = ASN_UNSIGNED;
    if (vb->type != want)
        return SNMP_ERR_WRONGTYPE;
    if (want == ASN_OCTET_STR && col == VS_SCHED) {
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
        if (t == TAB_VS && col == VS_PREFIX && (unsigned long)v > 128)
            return SNMP_ERR_WRONGVALUE;
        return SNMP_ERR_NOERROR;
    }
    if (t == TAB_VS || col == D_ROWSTATUS) {       /* RowStatus */
        if (v < RS_ACTIVE || v > RS_DESTROY || v == RS_NOTREADY)
            return SNMP_ERR_WRONGVALUE;
        /* Destinations go straight into the kernel: no createAndWait. */
        if (t == TAB_DEST && (v == RS_CREATEANDWAIT || v == RS_NOTINSERVICE))
            return SNMP_ERR_WRONGVALUE;
        return SNMP_ERR_NOERROR;
    }
    if (col == D_WEIGHT)
        return v < 0 || v > 2147483647L ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
    return v < MIB_FWD_MASQ || v > MIB_FWD_ROUTE ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
}

static void default_service(const struct lamon_vs_key *k, struct ipvs_service *s)
{
    memset(s, 0, sizeof *s);
    s->key = *k;
    strcpy(s->sched, "wlc");
    s->prefix = k->af == AF_INET ? 32 : 128;
}

static struct vs_change *vs_change_for(struct txn *x, const struct lamon_vs_key *k)
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
    const struct row *r = find_svc(k);
    if (r && !r->pending) {
        c->in_kernel = 1;
        c->before = *r->svc;
        /* Remember its destinations in case deleting the service is undone. */
        for (size_t i = 0; i < tbl.nsvcs; i++) {
            if (&tbl.svcs[i].svc != r->svc || tbl.svcs[i].ndests == 0)
                continue;
            c->old_dests = malloc(tbl.svcs[i].ndests * sizeof *c->old_dests);
            if (!c->old_dests) {
                x->nvs--;
                return NULL;
            }
            memcpy(c->old_dests, tbl.svcs[i].dests, tbl.svcs[i].ndests * sizeof *c->old_dests);
            c->n_old_dests = tbl.svcs[i].ndests;
        }
    } else {
        const struct ipvs_pending *p = ipvs_pending_find(&pendings, k);
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

static struct dest_change *dest_change_for(struct txn *x, const struct lamon_vs_key *k,
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
    const struct row *r = find_dest(k, d);
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
            case VS_SCHED:
                memcpy(c->after.sched, vb->val.string, vb->val_len);
                c->after.sched[vb->val_len] = '\0';
                c->set |= SET_VS_SCHED;
                c->sched_req = pos;
                break;
            case VS_FLAGS:
                /* persistent follows the timeout; the other bits are written */
                c->after.flags = (c->after.flags & IP_VS_SVC_F_PERSISTENT)
                    | (ipvs_bits_to_flags(vb->val_len ? vb->val.string[0] : 0) & ~(uint32_t)IP_VS_SVC_F_PERSISTENT);
                c->set |= SET_VS_FLAGS;
                break;
            case VS_TIMEOUT: c->after.timeout = (uint32_t)*vb->val.integer; c->set |= SET_VS_TIMEOUT; break;
            case VS_PREFIX: c->after.prefix = (uint32_t)*vb->val.integer; c->set |= SET_VS_PREFIX; break;
            default: c->rowstatus = *vb->val.integer; c->rs_req = pos; break;
            }
        } else {
            dest_index_decode(idx, idxlen, &k, &d);
            struct dest_change *c = dest_change_for(cur, &k, &d);
            if (!c) {
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
                return -1;
            }
            if (!c->req)
                c->req = pos;
            switch (col) {
            case D_WEIGHT: c->after.weight = (int32_t)*vb->val.integer; c->set |= SET_D_WEIGHT; break;
            case D_FWD: c->after.fwd = fwd_from_mib(*vb->val.integer); c->set |= SET_D_FWD; break;
            case D_UTHRESH: c->after.u_thresh = (uint32_t)*vb->val.integer; c->set |= SET_D_UTHRESH; break;
            case D_LTHRESH: c->after.l_thresh = (uint32_t)*vb->val.integer; c->set |= SET_D_LTHRESH; break;
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
        netsnmp_request_info *rr = req_at(requests, c->rs_req ? c->rs_req : c->req);
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
            c->op = c->rowstatus == RS_CREATEANDGO ? OP_ADD : OP_PEND_CREATE;
            /* RFC 2579: no resources for another row kept in the agent */
            if (c->op == OP_PEND_CREATE && pendings.n + creating++ >= pending_max())
                return fail(reqinfo, rr, SNMP_ERR_RESOURCEUNAVAILABLE);
            break;
        case RS_DESTROY:
            c->op = c->in_kernel ? OP_DEL : c->in_pending ? OP_PEND_DEL : OP_NONE;
            break;
        case RS_ACTIVE:
            if (!exists)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = c->in_pending ? OP_ADD : c->set ? OP_EDIT : OP_NONE;
            break;
        case RS_NOTINSERVICE:
            /* A service in the kernel cannot be taken out of service and kept. */
            if (!c->in_pending)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = OP_PEND_EDIT;
            break;
        default:
            if (!exists)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTNAME);
            c->op = c->in_pending ? OP_PEND_EDIT : OP_EDIT;
            break;
        }
        if (c->key.af == AF_INET && c->after.prefix > 32 && c->op != OP_DEL && c->op != OP_PEND_DEL)
            return fail(reqinfo, req_at(requests, c->req), SNMP_ERR_INCONSISTENTVALUE);
    }
    for (size_t i = 0; i < cur->nds; i++) {
        struct dest_change *c = &cur->ds[i];
        netsnmp_request_info *rr = req_at(requests, c->rs_req ? c->rs_req : c->req);
        /* The service: in the kernel, or made so by this same request. */
        const struct row *sr = find_svc(&c->svc);
        int svc_there = sr && !sr->pending, svc_going = 0;
        for (size_t j = 0; j < cur->nvs; j++) {
            if (memcmp(&cur->vs[j].key, &c->svc, sizeof c->svc) != 0)
                continue;
            if (cur->vs[j].op == OP_ADD)
                svc_there = 1;
            if (cur->vs[j].op == OP_DEL)
                svc_going = 1;
        }
        switch (c->rowstatus) {
        case RS_CREATEANDGO:
            if (!svc_there)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTNAME);
            if (c->exists || svc_going)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = OP_ADD;
            break;
        case RS_DESTROY:
            /* Deleting the service takes its destinations with it. */
            c->op = c->exists && !svc_going ? OP_DEL : OP_NONE;
            break;
        default:
            if (!c->exists)
                return fail(reqinfo, rr, c->rowstatus == RS_ACTIVE ? SNMP_ERR_INCONSISTENTVALUE
                                                                   : SNMP_ERR_INCONSISTENTNAME);
            if (svc_going)
                return fail(reqinfo, rr, SNMP_ERR_INCONSISTENTVALUE);
            c->op = c->set ? OP_EDIT : OP_NONE;
            break;
        }
        if (c->op != OP_DEL && c->op != OP_NONE && c->after.l_thresh > c->after.u_thresh
            && c->after.u_thresh != 0)
            return fail(reqinfo, req_at(requests, c->req), SNMP_ERR_INCONSISTENTVALUE);
    }
    return 0;
}

/* The SNMP error for a kernel refusal. */
static int map_errno(int err, int is_dest, enum op op)
{
    switch (-err) {
    case EEXIST: return SNMP_ERR_INCONSISTENTVALUE;
    case ENOENT:
        /* the scheduler module for a service; the destination for a dest */
        return is_dest ? SNMP_ERR_INCONSISTENTNAME : op == OP_DEL ? SNMP_ERR_INCONSISTENTNAME
                                                                  : SNMP_ERR_WRONGVALUE;
    case ESRCH: return SNMP_ERR_INCONSISTENTNAME;
    case EINVAL: case ERANGE: case EAFNOSUPPORT: case EOPNOTSUPP:
        return SNMP_ERR_INCONSISTENTVALUE;
    case ENOMEM: case ENOBUFS: return SNMP_ERR_RESOURCEUNAVAILABLE;
    default: return SNMP_ERR_COMMITFAILED;
    }
}

static const char *op_name(enum op op)
{
    return op == OP_ADD ? "add" : op == OP_EDIT ? "edit" : "delete";
}

static int apply_vs(struct vs_change *c, enum op op, int undo)
{
    const struct ipvs_service *s = undo ? &c->before : &c->after;
    int rc;
    switch (op) {
    case OP_ADD: rc = ipvs_nl_add_service(s); break;
    case OP_EDIT: rc = ipvs_nl_edit_service(s); break;
    case OP_DEL: rc = ipvs_nl_del_service(&c->key); break;
    default: return 0;
    }
    /* Undoing a delete: the destinations go back too. */
    for (size_t i = 0; rc == 0 && undo && op == OP_ADD && i < c->n_old_dests; i++)
        rc = ipvs_nl_add_dest(&c->key, &c->old_dests[i]);
    return rc;
}

static int apply_dest(struct dest_change *c, enum op op, int undo)
{
    const struct ipvs_dest *d = undo ? &c->before : &c->after;
    switch (op) {
    case OP_ADD: return ipvs_nl_add_dest(&c->svc, d);
    case OP_EDIT: return ipvs_nl_edit_dest(&c->svc, d);
    case OP_DEL: return ipvs_nl_del_dest(&c->svc, d);
    default: return 0;
    }
}

static enum op inverse(enum op op)
{
    return op == OP_ADD ? OP_DEL : op == OP_DEL ? OP_ADD : op;
}

static void undo_all(void)
{
    if (!cur || cur->undone)
        return;
    cur->undone = 1;
    char sb[96], db[64];
    while (cur->ndone > 0) {
        struct applied *a = &cur->done[--cur->ndone];
        int rc;
        if (a->is_dest) {
            struct dest_change *c = &cur->ds[a->i];
            rc = apply_dest(c, inverse(a->op), 1);
            if (rc < 0) {
                snmp_log(LOG_ERR, "ipvs: undo failed: %s destination %s of %s: %s\n",
                         op_name(inverse(a->op)), dest_str(&c->before, db, sizeof db),
                         svc_str(&c->svc, sb, sizeof sb), strerror(-rc));
                if (!cur->undo_failed)
                    cur->undo_failed = c->rs_req ? c->rs_req : c->req;
            }
        } else {
            struct vs_change *c = &cur->vs[a->i];
            rc = apply_vs(c, inverse(a->op), 1);
            if (rc < 0) {
                snmp_log(LOG_ERR, "ipvs: undo failed: %s service %s: %s\n",
                         op_name(inverse(a->op)), svc_str(&c->key, sb, sizeof sb), strerror(-rc));
                if (!cur->undo_failed)
                    cur->undo_failed = c->rs_req ? c->rs_req : c->req;
            }
        }
    }
    snapshot_invalidate();
}

/* ACTION: the kernel changes, in an order that respects dependencies:
 * services in, services changed, destinations out, in, changed, services out. */
static int action(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    size_t total = cur->nvs + cur->nds;
    cur->done = calloc(total + 1, sizeof *cur->done);
    if (!cur->done)
        return -1;
    static const struct { int is_dest; enum op op; } steps[] = {
        { 0, OP_ADD }, { 0, OP_EDIT }, { 1, OP_DEL }, { 1, OP_ADD }, { 1, OP_EDIT }, { 0, OP_DEL },
    };
    char sb[96], db[64];
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        size_t n = steps[s].is_dest ? cur->nds : cur->nvs;
        for (size_t i = 0; i < n; i++) {
            enum op op = steps[s].is_dest ? cur->ds[i].op : cur->vs[i].op;
            if (op != steps[s].op)
                continue;
            int rc = steps[s].is_dest ? apply_dest(&cur->ds[i], op, 0) : apply_vs(&cur->vs[i], op, 0);
            if (rc == 0) {
                cur->done[cur->ndone++] = (struct applied){ op, steps[s].is_dest, i };
                continue;
            }
            netsnmp_request_info *r;
            int err = map_errno(rc, steps[s].is_dest, op);
            if (steps[s].is_dest) {
                struct dest_change *c = &cur->ds[i];
                snmp_log(LOG_WARNING, "ipvs: kernel refused to %s destination %s of %s: %s\n",
                         op_name(op), dest_str(&c->after, db, sizeof db),
                         svc_str(&c->svc, sb, sizeof sb), strerror(-rc));
                r = req_at(requests, c->rs_req ? c->rs_req : c->req);
            } else {
                struct vs_change *c = &cur->vs[i];
                snmp_log(LOG_WARNING, "ipvs: kernel refused to %s service %s (scheduler %s): %s\n",
                         op_name(op), svc_str(&c->key, sb, sizeof sb), c->after.sched, strerror(-rc));
                r = req_at(requests, (err == SNMP_ERR_WRONGVALUE && c->sched_req) ? c->sched_req
                                     : c->rs_req ? c->rs_req : c->req);
                if (err == SNMP_ERR_WRONGVALUE && !c->sched_req)
                    err = SNMP_ERR_INCONSISTENTVALUE;   /* the default scheduler is missing */
            }
            netsnmp_set_request_error(reqinfo, r, err);
            undo_all();
            return -1;
        }
    }
    if (cur->ndone)
        snapshot_invalidate();
    return 0;
}

static void pending_alarm_update(void);

/* Ages the pending rows while there are any, so that the log says when one
 * goes even if nobody reads the table. */
static void pending_tick(unsigned reg, void *arg)
{
    (void)reg, (void)arg;
    if (cur)
        return;     /* a SET in progress decided on the rows as they are */
    if (pending_expire())
        snapshot_invalidate();
    pending_alarm_update();
}

static void pending_alarm_update(void)
{
    if (pendings.n && !pending_alarm) {
        pending_alarm = snmp_alarm_register(1, SA_REPEAT, pending_tick, NULL);
    } else if (!pendings.n && pending_alarm) {
        snmp_alarm_unregister(pending_alarm);
        pending_alarm = 0;
    }
}

/* COMMIT: the agent-side rows (createAndWait) change only now, when
 * nothing can fail any more. */
static void commit(void)
{
    char sb[96];
    int64_t now = now_s();
    for (size_t i = 0; i < cur->nvs; i++) {
        struct vs_change *c = &cur->vs[i];
        if (c->op == OP_PEND_CREATE || c->op == OP_PEND_EDIT) {
            if (ipvs_pending_put(&pendings, &c->after, now) < 0)
                snmp_log(LOG_ERR, "ipvs: out of memory keeping createAndWait service %s\n",
                         svc_str(&c->key, sb, sizeof sb));
        } else if (c->op == OP_PEND_DEL || (c->op == OP_ADD && c->in_pending)) {
            ipvs_pending_remove(&pendings, &c->key);
        }
    }
    pending_alarm_update();
    snapshot_invalidate();
}

int ipvs_mib_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reginfo,
                     netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)h, (void)reginfo;
    switch (reqinfo->mode) {
    case MODE_GET:
    case MODE_GETNEXT:
        snapshot(0);
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            if (r->processed)
                continue;
            if (reqinfo->mode == MODE_GET)
                do_get(r);
            else
                do_getnext(r);
        }
        break;
    case MODE_SET_RESERVE1:
        txn_free();
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            int rc = check_varbind(r->requestvb);
            if (rc != SNMP_ERR_NOERROR) {
                netsnmp_set_request_error(reqinfo, r, rc);
                return SNMP_ERR_NOERROR;
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
        /* Decide against the kernel as it is now, not as cached. */
        snapshot(1);
        if (collect(reqinfo, requests) == 0)
            decide(reqinfo, requests);
        break;
    case MODE_SET_ACTION:
        if (cur && action(reqinfo, requests) != 0 && !cur->undone)
            netsnmp_set_request_error(reqinfo, requests, SNMP_ERR_RESOURCEUNAVAILABLE);
        break;
    case MODE_SET_UNDO:
        /* Undone already if ACTION failed here; else another module's
         * ACTION failed.  RFC 3416: a change that cannot be undone is
         * undoFailed (only that error counts in this phase). */
        undo_all();
        if (cur && cur->undo_failed)
            netsnmp_set_request_error(reqinfo, req_at(requests, cur->undo_failed),
                                      SNMP_ERR_UNDOFAILED);
        txn_free();     /* UNDO and COMMIT end a request: no FREE follows */
        break;
    case MODE_SET_COMMIT:
        if (cur && !cur->undone)
            commit();
        txn_free();
        break;
    case MODE_SET_FREE:
        txn_free();
        break;
    default:
        break;
    }
    return SNMP_ERR_NOERROR;
}

void ipvs_mib_shutdown(void)
{
    txn_free();
    if (pending_alarm)
        snmp_alarm_unregister(pending_alarm);
    pending_alarm = 0;
    ipvs_pending_clear(&pendings);
    snapshot_free();
    ipvs_nl_close();
}

static int on_shutdown(int major, int minor, void *server_arg, void *client_arg)
{
    (void)major, (void)minor, (void)server_arg, (void)client_arg;
    ipvs_mib_shutdown();
    return SNMP_ERR_NOERROR;
}

void ipvs_mib_init(void)
{
    const struct agent_config *c = agent_config();
    if (c && c->ipvs == LAMON_OFF) {
        snmp_log(LOG_INFO, "ipvs: off in the configuration; lamonIpvs not registered\n");
        return;
    }
    if (ensure_open() == 0)
        snmp_log(LOG_INFO, "ipvs: exporting the kernel's IPVS table\n");
    netsnmp_handler_registration *r = netsnmp_create_handler_registration(
        "lamonIpvs", ipvs_mib_handler, ipvs_oid, BASE_LEN, HANDLER_CAN_RWRITE);
    if (!r || netsnmp_register_handler(r) != MIB_REGISTERED_OK) {
        snmp_log(LOG_ERR, "ipvs: cannot register lamonVsTable/lamonDestTable\n");
        return;
    }
    /* snmp_shutdown() at exit: createAndWait rows and the snapshot go. */
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SHUTDOWN, on_shutdown, NULL);
}
