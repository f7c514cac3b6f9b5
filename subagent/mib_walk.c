/* Instance lookup for small tables; see mib_walk.h. */
#include "mib_walk.h"

#include <string.h>

static int build(const oid *entry, size_t entrylen, int col, const oid *idx, size_t idxlen,
                 struct mib_walk_hit *hit)
{
    if (entrylen + 1 + idxlen > MIB_WALK_MAX_OID)
        return 0;
    memcpy(hit->name, entry, entrylen * sizeof(oid));
    hit->name[entrylen] = (oid)col;
    memcpy(hit->name + entrylen + 1, idx, idxlen * sizeof(oid));
    hit->namelen = entrylen + 1 + idxlen;
    hit->col = col;
    return 1;
}

int mib_walk_exact(const oid *entry, size_t entrylen, int cmin, int cmax,
                   const oid *req, size_t reqlen, mib_walk_row_fn rows, void *ctx,
                   struct mib_walk_hit *hit)
{
    if (reqlen < entrylen + 2 || snmp_oid_compare(req, entrylen, entry, entrylen) != 0)
        return 0;
    if (req[entrylen] < (oid)cmin || req[entrylen] > (oid)cmax)
        return 0;
    oid idx[MIB_WALK_MAX_OID];
    size_t idxlen;
    for (size_t i = 0; rows(ctx, i, idx, &idxlen); i++)
        if (snmp_oid_compare(idx, idxlen, req + entrylen + 1, reqlen - entrylen - 1) == 0) {
            hit->row = i;
            return build(entry, entrylen, (int)req[entrylen], idx, idxlen, hit);
        }
    return 0;
}

int mib_walk_next(const oid *entry, size_t entrylen, int cmin, int cmax,
                  const oid *req, size_t reqlen, mib_walk_row_fn rows, void *ctx,
                  struct mib_walk_hit *hit)
{
    oid idx[MIB_WALK_MAX_OID];
    size_t idxlen;
    for (int col = cmin; col <= cmax; col++)
        for (size_t i = 0; rows(ctx, i, idx, &idxlen); i++) {
            if (!build(entry, entrylen, col, idx, idxlen, hit))
                continue;
            if (snmp_oid_compare(hit->name, hit->namelen, req, reqlen) > 0) {
                hit->row = i;
                return 1;
            }
        }
    return 0;
}
