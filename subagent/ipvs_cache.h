/* The IPVS table as the MIB reads it: a snapshot of the kernel's table
 * (refreshed after cache_ms) merged with the createAndWait services kept in
 * the agent, as rows sorted by their lamonVsTable / lamonDestTable index.
 * The pending services age out here (RFC 2579), on reads and on a timer,
 * except while a SET holds the cache: it decided on the rows as they are. */
#ifndef LAMON_IPVS_CACHE_H
#define LAMON_IPVS_CACHE_H

#include <stddef.h>

#include "ipvs_netlink.h"
#include "ipvs_pending.h"

struct ipvs_row {
    oid idx[LAMON_DEST_IDX_MAX];
    size_t idxlen;
    const struct ipvs_service *svc;
    const struct ipvs_dest *dest;   /* dest rows */
    const struct ipvs_dest *dests;  /* service rows: its destinations */
    size_t ndests;                  /* service rows */
    int pending;                    /* service rows: createAndWait, not in the kernel */
};

/* Opens the netlink socket if it is not; logs once when the kernel has no
 * IPVS.  0 or a negative errno. */
int ipvs_cache_open(void);
/* Refreshes the snapshot when older than cache_ms (or FORCE), after aging
 * the pending rows.  0 or a negative errno; the tables are empty after an
 * error.  Rows returned before are invalid after a refresh. */
int ipvs_cache_refresh(int force);
/* The next refresh reads the kernel again. */
void ipvs_cache_invalidate(void);
/* While HELD (a SET in progress), the pending rows do not age. */
void ipvs_cache_hold(int held);

/* The rows of TABLE (LAMON_IPVS_VS or LAMON_IPVS_DEST), N of them. */
const struct ipvs_row *ipvs_cache_rows(int table, size_t *n);
/* First row whose index is > IDX (STRICT) or >= IDX. */
size_t ipvs_row_search(const struct ipvs_row *rows, size_t n, const oid *idx, size_t len, int strict);
/* The row with index IDX exactly, or NULL. */
const struct ipvs_row *ipvs_row_find(const struct ipvs_row *rows, size_t n, const oid *idx, size_t len);
const struct ipvs_row *ipvs_cache_find_svc(const struct lamon_vs_key *k);
const struct ipvs_row *ipvs_cache_find_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d);

/* The createAndWait services, and the limit on their number
 * (ipvs_pending_max, default 100). */
struct ipvs_pending_list *ipvs_cache_pendings(void);
unsigned ipvs_cache_pending_max(void);
/* After the pending list changed: starts or stops the aging timer. */
void ipvs_cache_pendings_changed(void);

/* Frees the pending rows and the snapshot, stops the timer, closes netlink. */
void ipvs_cache_shutdown(void);

#endif
