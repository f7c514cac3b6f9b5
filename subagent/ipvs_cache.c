/* The IPVS table as the MIB reads it; see ipvs_cache.h. */
#include "ipvs_cache.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_config.h"
#include "ipvs_conv.h"
#include "mono_ms.h"

/* Services created with createAndWait live here until made active. */
static struct ipvs_pending_list pendings;
static unsigned pending_alarm;      /* snmp_alarm id while rows are pending */
static int held;                    /* a SET in progress */
static struct ipvs_table tbl;
static struct ipvs_row *vs_rows, *dest_rows;
static size_t n_vs, n_dest;
static struct timespec snap_at;
static int have_snap;
static int warned_no_ipvs;

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

unsigned ipvs_cache_pending_max(void)
{
    const struct agent_config *c = agent_config();
    return c && c->ipvs_pending_max ? c->ipvs_pending_max : 100;
}

struct ipvs_pending_list *ipvs_cache_pendings(void)
{
    return &pendings;
}

void ipvs_cache_hold(int h)
{
    held = h;
}

static int row_cmp(const void *a, const void *b)
{
    const struct ipvs_row *x = a, *y = b;
    return snmp_oid_compare(x->idx, x->idxlen, y->idx, y->idxlen);
}

int ipvs_cache_open(void)
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
             "within %lld s (ipvs_pending_age %u)\n", ipvs_svc_str(&p->svc.key, sb, sizeof sb),
             (long long)(now - p->touched), pending_age());
}

/* RFC 2579: rows left in notInService for too long are removed; never
 * while a SET is in progress, which decided on the rows as they are. */
static size_t pending_expire(void)
{
    if (held)
        return 0;
    return ipvs_pending_expire(&pendings, now_s(), pending_age(), pending_gone);
}

int ipvs_cache_refresh(int force)
{
    if (pending_expire())
        have_snap = 0;
    if (have_snap && !force && ms_since(&snap_at) < (long)agent_config()->cache_ms)
        return 0;
    snapshot_free();
    clock_gettime(CLOCK_MONOTONIC, &snap_at);
    have_snap = 1;
    int rc = ipvs_cache_open();
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
        struct ipvs_row *r = &vs_rows[n_vs++];
        r->svc = &e->svc;
        r->dests = e->dests;
        r->ndests = e->ndests;
        r->idxlen = lamon_vs_index_encode(&e->svc.key, r->idx);
        for (size_t j = 0; j < e->ndests; j++) {
            struct ipvs_row *d = &dest_rows[n_dest++];
            d->svc = &e->svc;
            d->dest = &e->dests[j];
            d->idxlen = ipvs_dest_index_encode(&e->svc.key, &e->dests[j], d->idx);
        }
    }
    for (const struct ipvs_pending *p = pendings.head; p; p = p->next) {
        struct ipvs_row *r = &vs_rows[n_vs++];
        r->svc = &p->svc;
        r->pending = 1;
        r->idxlen = lamon_vs_index_encode(&p->svc.key, r->idx);
    }
    qsort(vs_rows, n_vs, sizeof *vs_rows, row_cmp);
    qsort(dest_rows, n_dest, sizeof *dest_rows, row_cmp);
    return rc;
}

void ipvs_cache_invalidate(void)
{
    have_snap = 0;
}

const struct ipvs_row *ipvs_cache_rows(int table, size_t *n)
{
    *n = table == LAMON_IPVS_VS ? n_vs : n_dest;
    return table == LAMON_IPVS_VS ? vs_rows : dest_rows;
}

size_t ipvs_row_search(const struct ipvs_row *rows, size_t n, const oid *idx, size_t len, int strict)
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

const struct ipvs_row *ipvs_row_find(const struct ipvs_row *rows, size_t n, const oid *idx, size_t len)
{
    size_t i = ipvs_row_search(rows, n, idx, len, 0);
    if (i < n && snmp_oid_compare(rows[i].idx, rows[i].idxlen, idx, len) == 0)
        return &rows[i];
    return NULL;
}

const struct ipvs_row *ipvs_cache_find_svc(const struct lamon_vs_key *k)
{
    oid idx[LAMON_VS_IDX_MAX];
    size_t n = lamon_vs_index_encode(k, idx);
    return ipvs_row_find(vs_rows, n_vs, idx, n);
}

const struct ipvs_row *ipvs_cache_find_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    oid idx[LAMON_DEST_IDX_MAX];
    size_t n = ipvs_dest_index_encode(k, d, idx);
    return ipvs_row_find(dest_rows, n_dest, idx, n);
}

/* Ages the pending rows while there are any, so that the log says when one
 * goes even if nobody reads the table. */
static void pending_tick(unsigned reg, void *arg)
{
    (void)reg, (void)arg;
    if (held)
        return;     /* a SET in progress decided on the rows as they are */
    if (pending_expire())
        ipvs_cache_invalidate();
    ipvs_cache_pendings_changed();
}

void ipvs_cache_pendings_changed(void)
{
    if (pendings.n && !pending_alarm) {
        pending_alarm = snmp_alarm_register(1, SA_REPEAT, pending_tick, NULL);
    } else if (!pendings.n && pending_alarm) {
        snmp_alarm_unregister(pending_alarm);
        pending_alarm = 0;
    }
}

void ipvs_cache_shutdown(void)
{
    if (pending_alarm)
        snmp_alarm_unregister(pending_alarm);
    pending_alarm = 0;
    ipvs_pending_clear(&pendings);
    snapshot_free();
    ipvs_nl_close();
}
