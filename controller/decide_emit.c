/* Intents out, outcomes back (see decide_emit.h). */
#include "decide_emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir_table.h"
#include "event_log.h"
#include "node_view.h"
#include "peer_writes.h"

/* A decision whose SET failed waits 1 cycle, then 2, 4, ... up to this. */
#define BACKOFF_CAP_MS 60000

/* One SET of a decision, for its result: whose it is and which decision. */
struct write_ctx {
    struct cluster *cl;
    struct node_rt *n;                    /* a node's write, or */
    struct director_rt *d;                /* a director's */
    bool role;                            /* a node's role write */
    struct dir_change change;             /* a director's write, for its table */
    char key[BACKOFF_KEY_MAX];
    char what[INTENT_TEXT_MAX];
};

static void (*landed)(struct cluster *cl, struct node_rt *n);

void decide_emit_on_landed(void (*fn)(struct cluster *cl, struct node_rt *n))
{
    landed = fn;
}

static unsigned backoff_cap(const struct ctl_config *cfg)
{
    unsigned c = cfg->interval_ms ? BACKOFF_CAP_MS / cfg->interval_ms : 1;
    return c ? c : 1;
}

/* One line per failure, that is one per back-off step. */
static void write_failed(struct cluster *cl, struct backoff *bo, const char *key, const char *prefix,
                         const char *what, const char *why)
{
    unsigned fails, wait = backoff_fail(bo, key, cl->cycle, backoff_cap(cl->cfg), &fails);
    event_log("%s%s: %s; next try in %.1f s (%u failure%s in a row)", prefix, what, why,
              wait * (cl->cfg->interval_ms / 1000.0), fails, fails == 1 ? "" : "s");
}

/* The director's write as a change of its table (dir_table.h). */
static struct dir_change table_change(const struct intent *it)
{
    static const enum dir_change_kind kinds[] = {
        [INTENT_VS_CREATE] = DC_VS_CREATE, [INTENT_DEST_ADD] = DC_DEST_ADD,
        [INTENT_DEST_WEIGHT] = DC_DEST_WEIGHT, [INTENT_DEST_REMOVE] = DC_DEST_REMOVE,
    };
    return (struct dir_change){ .kind = kinds[it->kind], .svc = (int)it->svc, .addr = it->dest,
                                .weight = it->weight, .fwd = it->fwd, .set_fwd = it->set_fwd };
}

/* A removal on its way is not sent again (mark ON); one that failed may
 * be (ON false). */
static void mark_removing(struct director_rt *d, int svc, const struct sockaddr_storage *a, bool on)
{
    const struct dest_obs *ob = dir_find(d, svc, a);
    if (ob)
        d->dests[ob - d->dests].removing = on;
}

static void write_done(void *arg, bool ok, long errstat, const char *why)
{
    (void)errstat;
    struct write_ctx *c = arg;
    struct backoff *bo = c->n ? &c->n->backoff : &c->d->backoff;
    if (c->n) {
        c->n->set_in_flight = false;
        if (c->role)
            c->n->role_pending = false;
        if (!ok)
            c->n->have_sample = false;    /* our optimistic copy is wrong: wait for a poll */
    } else if (c->d->sets_in_flight) {
        c->d->sets_in_flight--;
    }
    if (why == SNMP_SET_ABANDONED) {
        /* nothing is known: the decision is simply taken again */
    } else if (ok) {
        if (c->d)
            dir_table_acked(c->d, &c->change);
        unsigned fails = backoff_ok(bo, c->key);
        if (fails)
            event_log("SET done: %s, after %u failure%s", c->what, fails, fails == 1 ? "" : "s");
        if (c->role && landed)
            landed(c->cl, c->n);
    } else {
        if (c->d && c->change.kind == DC_DEST_REMOVE)
            mark_removing(c->d, c->change.svc, &c->change.addr, false);
        write_failed(c->cl, bo, c->key, "SET failed: ", c->what, why);
    }
    if (c->d && why != SNMP_SET_ABANDONED && !c->d->sets_in_flight && landed)
        landed(c->cl, NULL);
    free(c);
}

static int to_peers(struct cluster *cl, const struct intent *it, void *arg, char *why, size_t whylen)
{
    (void)arg;
    struct write_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    c->cl = cl;
    if (intent_to_director(it)) {
        c->d = cl->dirs[it->peer];
        c->change = table_change(it);
    } else {
        c->n = cl->nodes[it->peer];
    }
    c->role = it->kind == INTENT_NODE_ROLE;
    snprintf(c->key, sizeof c->key, "%s", it->key);
    snprintf(c->what, sizeof c->what, "%s", it->what);
    if (peer_writes_send(cl, it, write_done, c) < 0) {
        snprintf(why, whylen, "%s", peer_writes_error());
        free(c);
        return -1;
    }
    return 0;
}

const struct decide_out decide_to_peers = { to_peers, NULL };

int decide_emit(struct cluster *cl, const struct decide_out *out, const struct intent *it)
{
    bool dir = intent_to_director(it);
    if (it->peer >= (dir ? cl->ndirs : cl->nnodes)) {
        event_log("cannot %s: no such peer (%zu)", it->what, it->peer);
        return -1;
    }
    struct node_rt *n = dir ? NULL : cl->nodes[it->peer];
    struct director_rt *d = dir ? cl->dirs[it->peer] : NULL;
    if (it->decision[0])
        event_log("%s", it->decision);
    char why[256] = "";
    if (out->sink(cl, it, out->arg, why, sizeof why) < 0) {
        write_failed(cl, n ? &n->backoff : &d->backoff, it->key, "cannot ", it->what, why);
        return -1;
    }
    if (d) {
        d->sets_in_flight++;
        if (it->kind == INTENT_DEST_REMOVE)
            mark_removing(d, (int)it->svc, &it->dest, true);
        return 0;
    }
    n->set_in_flight = true;
    if (it->kind == INTENT_NODE_ROLE)
        n->role_pending = true;
    return 0;
}
