/* The harness of the decision tests (ctl_decide_test.c: the table of
 * rows; ctl_decide_notif_test.c: what the agents' notifications decide):
 * an observed cluster as a row, a sink that records the intents, and the
 * check of the intents against the row's.  Include after <cmocka.h>;
 * every function here is used by both. */
#ifndef LAMON_TEST_CTL_DECIDE_HARNESS_H
#define LAMON_TEST_CTL_DECIDE_HARNESS_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_config_load.h"
#include "../../controller/decide.h"
#include "../../controller/node_view.h"

/* rise 1: a node that answers is up at once; fall 3: a node that misses
 * its third poll in a row goes down (a row says "down" for that poll). */
#define BASE_CONF                                                                                                 \
    "interval 1000\nrise 1\nfall 3\npanic 50\nscale_polls 3\n"                                                    \
    "v3user admin sha authpass123 aes privpass123\n"                                                              \
    "node n1 127.0.0.1:1161\nnode n2 127.0.0.2:1161\nnode n3 127.0.0.3:1161\nnode n4 127.0.0.4:1161\n"          \
    "director lvs1 127.0.0.9:1161\ndirector lvs2 127.0.0.10:1161\n"
#define WEB "service web tcp 10.0.0.1:80 nodes 2 app www director lvs1,lvs2\n"
#define WEB_HOT "service web tcp 10.0.0.1:80 nodes 2 hot 1 app www director lvs1,lvs2\n"
#define WEB_SCALING "service web tcp 10.0.0.1:80 nodes 2 min 1 max 3 load load1 high 1.5 low 0.2 app www " \
                    "director lvs1,lvs2\n"

#define NNODES 4
#define NDIRS 2
#define MAX_DESTS 8
#define MAX_WANT 8

/* What the last poll said of a node.  SEEN is the health the controller
 * had before this poll; POLL is this poll. */
enum poll { ANSWERS = 0, DOWN, VANISHES };
struct onode {
    enum node_health seen;                /* NODE_UNKNOWN: a controller that just started */
    enum poll poll;
    int role;
    const char *service;
    int state;                            /* 0: running */
    int app;                              /* lamonAppOperStatus of www, 0: not on the agent */
    unsigned load1, conns;                /* x100; established on www */
};

/* A destination in a director's table. */
struct odest {
    int dir;                              /* 1, 2 */
    int node;                             /* 1..4 */
    int weight;
    unsigned active;
};

struct row {
    const char *name;
    const char *conf;                     /* the service line */
    struct onode n[NNODES];
    bool no_vs[NDIRS];                    /* the service's row is missing */
    bool away[NDIRS];                     /* not walked this cycle */
    bool busy[NDIRS];                     /* a write of an earlier turn still on its way */
    bool walking[NDIRS];                  /* its walk of this cycle is on its way (last one read) */
    bool walk_failed[NDIRS];              /* its walk of this cycle timed out (an older one read) */
    struct odest d[MAX_DESTS];            /* ends at dir 0 */
    unsigned target, high_polls, low_polls; /* scaling state kept by the controller */
    bool panic;                           /* expected after the cycle */
    const char *want[MAX_WANT];           /* the intents, in order; ends at NULL */
    /* Per node, bit N-1 for node N: */
    unsigned app_falls;                   /* www's check had fall - 1 bad polls before this poll */
    unsigned pending;                     /* a role write of the last cycle is still on its way */
};

#define SRV(app_) { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, app_, 50, 3 }
#define SPARE { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, 0, 10, 0 }
/* A cold spare whose agent has www (stopped), and a hot spare of web. */
#define COLD(load_) { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, APP_DOWN, load_, 0 }
#define HOT(app_, load_) { NODE_UP, ANSWERS, ROLE_SPARE, "web", 0, app_, load_, 0 }
#define HEALTHY_DESTS { 1, 1, 1, 3 }, { 1, 2, 1, 3 }, { 2, 1, 1, 3 }, { 2, 2, 1, 3 }

/* --- the recording sink --------------------------------------------------- */

static struct intent got[32];
static size_t ngot;

static int record(struct cluster *cl, const struct intent *it, void *arg, char *why, size_t whylen)
{
    (void)cl; (void)arg; (void)why; (void)whylen;
    assert_true(ngot < sizeof got / sizeof got[0]);
    got[ngot++] = *it;
    return 0;
}

static const char *state_word(int s)
{
    static const char *const w[] = { "-", "booting", "running", "draining", "maintenance", "stopping" };
    return s >= 0 && s <= NSTATE_STOPPING ? w[s] : "?";
}

/* "n3 role server web", "lvs1 add n3 weight 1": what a row expects. */
static void intent_text(const struct cluster *cl, const struct intent *it, char *buf, size_t len)
{
    const char *dest = "?";
    char as[64];
    if (intent_to_director(it)) {
        const struct node_rt *n = node_at(cl, &cl->cfg->services[it->svc], &it->dest);
        addr_str(&it->dest, as, sizeof as);
        dest = n ? n->peer.name : as;
    }
    const char *peer = intent_to_director(it) ? cl->dirs[it->peer]->peer.name : cl->nodes[it->peer]->peer.name;
    int k = 0;
    switch (it->kind) {
    case INTENT_NODE_ROLE:
        k = snprintf(buf, len, "%s role %s%s%s", peer, role_name(it->role), it->service[0] ? " " : "", it->service);
        if (it->state && k > 0 && (size_t)k < len)
            snprintf(buf + k, len - (size_t)k, " state %s", state_word(it->state));
        break;
    case INTENT_NODE_STATE: snprintf(buf, len, "%s state %s", peer, state_word(it->state)); break;
    case INTENT_APP_ADMIN:
        snprintf(buf, len, "%s app %s %s", peer, it->app, it->admin == 1 ? "up" : it->admin == 2 ? "down" : "restart");
        break;
    case INTENT_OP_CREATE: snprintf(buf, len, "%s op %u type %d", peer, it->op_index, it->op_type); break;
    case INTENT_VS_CREATE: snprintf(buf, len, "%s create %s", peer, cl->cfg->services[it->svc].name); break;
    case INTENT_DEST_ADD: snprintf(buf, len, "%s add %s weight %d", peer, dest, it->weight); break;
    case INTENT_DEST_WEIGHT: snprintf(buf, len, "%s weight %s %d", peer, dest, it->weight); break;
    case INTENT_DEST_REMOVE: snprintf(buf, len, "%s remove %s", peer, dest); break;
    }
}

/* --- the observed cluster --------------------------------------------------- */

static void observe_node(struct cluster *cl, struct node_rt *n, const struct onode *o, bool app_falls, bool pending)
{
    const struct ctl_config *cfg = cl->cfg;
    n->hyst.health = o->seen;
    n->hyst.good = o->seen == NODE_UP ? cfg->rise : 0;
    /* A node that is down this poll has missed fall - 1 before. */
    n->hyst.bad = o->poll != ANSWERS && o->seen == NODE_UP ? cfg->fall - 1 : o->seen == NODE_DOWN ? cfg->fall : 0;
    n->answered = o->poll == ANSWERS;
    n->answered_before = o->poll != DOWN || o->seen == NODE_UP;
    n->have_sample = true;
    n->failed = o->seen == NODE_DOWN;
    memset(&n->s, 0, sizeof n->s);
    snprintf(n->s.name, sizeof n->s.name, "%s", n->peer.name);
    n->s.role = o->role;
    n->s.state = o->state ? o->state : NSTATE_RUNNING;
    snprintf(n->s.service, sizeof n->s.service, "%s", o->service);
    n->s.load1 = o->load1;
    n->s.conns = o->conns;
    if (o->app) {
        n->s.napps = 1;
        snprintf(n->s.apps[0].name, sizeof n->s.apps[0].name, "www");
        n->s.apps[0].oper = o->app;
        n->s.apps[0].admin = 1;
        n->s.apps[0].estab = o->conns;
    }
    /* The application check as the controller had it: up when it ran,
     * for a member and for a hot spare alike. */
    int si = app_service(cl, n);
    snprintf(n->app_for, sizeof n->app_for, "%s", si >= 0 ? cfg->services[si].name : "");
    bool known = o->seen != NODE_UNKNOWN && si >= 0;
    n->app.health = known && (o->app == APP_UP || app_falls) ? NODE_UP : NODE_UNKNOWN;
    n->app.good = n->app.health == NODE_UP ? cfg->rise : 0;
    n->app.bad = app_falls ? cfg->fall - 1 : 0;
    n->set_in_flight = n->role_pending = pending;
}

static void observe_dirs(struct cluster *cl, const struct row *r)
{
    for (size_t k = 0; k < NDIRS; k++) {
        struct director_rt *d = cl->dirs[k];
        d->walked = !r->away[k] && !r->walking[k] && !r->walk_failed[k];
        d->reachable = !r->away[k] && !r->walk_failed[k];
        d->has_table = !r->away[k];
        d->vs_present[0] = !r->no_vs[k];
        d->sets_in_flight = r->busy[k];
        d->ndests = 0;
        free(d->dests);
        d->dests = calloc(MAX_DESTS, sizeof *d->dests);
        assert_non_null(d->dests);
        for (size_t i = 0; i < MAX_DESTS && r->d[i].dir; i++) {
            if (r->d[i].dir != (int)k + 1 || r->away[k])
                continue;
            struct dest_obs *o = &d->dests[d->ndests++];
            o->svc = 0;
            o->addr = dest_addr(cl->nodes[r->d[i].node - 1], &cl->cfg->services[0]);
            o->weight = o->walked_weight = r->d[i].weight;
            o->fwd = (int)cl->cfg->services[0].fwd;
            o->active = r->d[i].active;
        }
    }
}

static void observe(struct cluster *cl, const struct row *r)
{
    memset(cl, 0, sizeof *cl);
    char text[2048];
    snprintf(text, sizeof text, "%s%s", BASE_CONF, r->conf);
    assert_int_equal(cluster_apply_config(cl, load_ok(text)), 0);
    assert_int_equal(cl->nnodes, NNODES);
    for (size_t i = 0; i < NNODES; i++)
        observe_node(cl, cl->nodes[i], &r->n[i], r->app_falls >> i & 1, r->pending >> i & 1);
    observe_dirs(cl, r);
    cl->svc_target[0] = r->target;
    cl->svc_high[0] = r->high_polls;
    cl->svc_low[0] = r->low_polls;
    cl->cycle = 10;
    ngot = 0;
}

/* The intents recorded are R's want, in order (then CL is freed). */
static void check_intents(struct cluster *cl, const struct row *r)
{
    bool same = true;
    size_t nwant = 0;
    while (nwant < MAX_WANT && r->want[nwant])
        nwant++;
    char txt[32][160];
    for (size_t i = 0; i < ngot; i++) {
        intent_text(cl, &got[i], txt[i], sizeof txt[i]);
        /* Every intent says why, for the log, and names its decision. */
        assert_true(got[i].what[0] != '\0');
        assert_true(got[i].key[0] != '\0');
        same = same && i < nwant && strcmp(txt[i], r->want[i]) == 0;
    }
    same = same && ngot == nwant && cl->panic == r->panic;
    if (!same) {
        print_error("row: %s\n  panic: %s (want %s)\n  got:\n", r->name, cl->panic ? "yes" : "no",
                    r->panic ? "yes" : "no");
        for (size_t i = 0; i < ngot; i++)
            print_error("    %s   [%s]\n", txt[i], got[i].what);
        print_error("  want:\n");
        for (size_t i = 0; i < nwant; i++)
            print_error("    %s\n", r->want[i]);
    }
    cluster_free(cl);
    assert_true(same);
}

#endif
