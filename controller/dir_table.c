/* A director's table between walks (see dir_table.h). */
#include "dir_table.h"

#include <stdlib.h>
#include <string.h>

#include "node_view.h"

/* A write the table may miss: decisions wait for a walk that has it. */
static void lost(struct director_rt *d)
{
    d->doubt = true;
    d->doubt_walk = d->doubt_walk || d->in_flight;
}

static void apply(struct director_rt *d, const struct dir_change *c)
{
    const struct dest_obs *have = c->kind == DC_VS_CREATE ? NULL : dir_find(d, c->svc, &c->addr);
    switch (c->kind) {
    case DC_VS_CREATE:
        d->vs_present[c->svc] = true;
        break;
    case DC_DEST_REMOVE:
        if (have) {
            size_t i = (size_t)(have - d->dests);
            memmove(&d->dests[i], &d->dests[i + 1], (d->ndests - i - 1) * sizeof *d->dests);
            d->ndests--;
        }
        break;
    case DC_DEST_WEIGHT:
    case DC_DEST_ADD:
        if (have) {
            struct dest_obs *ob = &d->dests[have - d->dests];
            ob->weight = c->weight;
            if (c->kind == DC_DEST_ADD || c->set_fwd)
                ob->fwd = c->fwd;
        } else if (c->kind == DC_DEST_ADD) {
            struct dest_obs *n = realloc(d->dests, (d->ndests + 1) * sizeof *n);
            if (!n) {
                lost(d);
                return;
            }
            d->dests = n;
            n[d->ndests++] = (struct dest_obs){ .svc = c->svc, .addr = c->addr, .weight = c->weight,
                                                .walked_weight = -1, .fwd = c->fwd };
        }
        break;
    }
}

void dir_table_acked(struct director_rt *d, const struct dir_change *c)
{
    apply(d, c);
    if (!d->in_flight)
        return;
    struct dir_change *n = d->nacked < DIR_ACKED_MAX ? realloc(d->acked, (d->nacked + 1) * sizeof *n) : NULL;
    if (!n) {
        lost(d);                          /* the walk's answer may miss it */
        return;
    }
    d->acked = n;
    n[d->nacked++] = *c;
}

void dir_table_walk_started(struct director_rt *d)
{
    d->nacked = 0;
    d->doubt_walk = false;
}

void dir_table_walk_done(struct director_rt *d, size_t nservices)
{
    d->has_table = true;
    free(d->dests);
    d->dests = d->walk;
    d->ndests = d->nwalk;
    d->walk = NULL;
    d->nwalk = 0;
    memcpy(d->vs_present, d->walk_vs, nservices * sizeof *d->vs_present);
    /* A doubt from before the walk started is settled by it; one from
     * during it is not. */
    d->doubt = d->doubt_walk;
    d->doubt_walk = false;
    for (size_t i = 0; i < d->nacked; i++)
        apply(d, &d->acked[i]);
    d->nacked = 0;
}

void dir_table_walk_failed(struct director_rt *d)
{
    free(d->walk);
    d->walk = NULL;
    d->nwalk = 0;
    d->nacked = 0;
}
