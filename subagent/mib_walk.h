/* GET/GETNEXT instance lookup for small tables handled by a plain handler:
 * instances are ENTRY.column.index, rows are given in ascending index-OID
 * order by a callback.  Brute force over columns × rows, which is simple
 * and fast enough for the tens to hundreds of rows of the kernel and
 * operation tables. */
#ifndef LAMON_MIB_WALK_H
#define LAMON_MIB_WALK_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define MIB_WALK_MAX_OID 80

/* Writes row I's index OID into idx/idxlen; returns 0 when there is no row I. */
typedef int (*mib_walk_row_fn)(void *ctx, size_t i, oid *idx, size_t *idxlen);

struct mib_walk_hit {
    int col;
    size_t row;
    oid name[MIB_WALK_MAX_OID];
    size_t namelen;
};

/* Exact instance REQ: 1 and HIT filled when found. */
int mib_walk_exact(const oid *entry, size_t entrylen, int cmin, int cmax,
                   const oid *req, size_t reqlen, mib_walk_row_fn rows, void *ctx,
                   struct mib_walk_hit *hit);

/* The first instance after REQ: 1 and HIT filled when there is one. */
int mib_walk_next(const oid *entry, size_t entrylen, int cmin, int cmax,
                  const oid *req, size_t reqlen, mib_walk_row_fn rows, void *ctx,
                  struct mib_walk_hit *hit);

#endif
