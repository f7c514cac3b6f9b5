/* Table-driven cmocka tests of the controller's decision function
 * (decide_run, controller/decide.h): each row is an observed cluster (what
 * the last polls said of every node, and what each director's table
 * holds), and the intents (controller/intent.h) that one cycle decides,
 * in order.  The sink only records: no SET is sent, no outcome comes back,
 * so each row is one cycle of a controller whose earlier writes all
 * landed.  Also: peer_writes_pdu puts each intent's columns under the OIDs
 * and indexes of common/lamon_mib.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_config_load.h"
#include "../../controller/decide.h"
#include "../../controller/node_view.h"
#include "../../controller/notif_apply.h"
#include "../../controller/notif_stats.h"
#include "../../controller/peer_writes.h"

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

static const struct row rows[] = {
    { .name = "restart of the controller in a healthy cluster: nothing to do",
      .conf = WEB,
      .n = { { NODE_UNKNOWN, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 50, 3 },
             { NODE_UNKNOWN, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 50, 3 },
             { NODE_UNKNOWN, ANSWERS, ROLE_SPARE, "", 0, 0, 10, 0 },
             { NODE_UNKNOWN, ANSWERS, ROLE_SPARE, "", 0, 0, 10, 0 } },
      .d = { HEALTHY_DESTS },
      .want = { NULL } },
    { .name = "healthy cluster, steady state: nothing to do",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), SPARE, SPARE },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { NULL } },
    { .name = "failover 1: a member goes down: removed from every director first, then the best spare promoted",
      .conf = WEB,
      .n = { { NODE_UP, DOWN, ROLE_SERVER, "web", 0, APP_UP, 50, 3 }, SRV(APP_UP),
             SPARE, { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, 0, 90, 0 } },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", NULL } },
    { .name = "failover 1 with a write of the last turn on its way to lvs2: the removal goes, lvs2's other writes wait",
      .conf = WEB,
      .n = { { NODE_UP, DOWN, ROLE_SERVER, "web", 0, APP_UP, 50, 3 }, SRV(APP_UP),
             SPARE, { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, 0, 90, 0 } },
      .busy = { false, true },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", NULL } },
    { .name = "failover 1 while lvs2's walk of this cycle timed out: the removal still goes to lvs2",
      .conf = WEB,
      .n = { { NODE_UP, DOWN, ROLE_SERVER, "web", 0, APP_UP, 50, 3 }, SRV(APP_UP),
             SPARE, { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, 0, 90, 0 } },
      .walk_failed = { false, true },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", NULL } },
    { .name = "failover 1b: a member's application judged down: removed first, then the spare promoted",
      .conf = WEB,
      .n = { { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_DOWN, 50, 3 }, SRV(APP_UP),
             SPARE, { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, 0, 90, 0 } },
      .app_falls = 1u << 0,
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", "n1 app www up", NULL } },
    { .name = "failover 2: the promoted spare's application is down: start it, add it nowhere yet",
      .conf = WEB,
      .n = { { NODE_DOWN, DOWN, ROLE_SERVER, "web", 0, 0, 0, 0 }, SRV(APP_UP),
             { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_DOWN, 10, 0 }, SPARE },
      .d = { { 1, 2, 1, 3 }, { 2, 2, 1, 3 } },
      .target = 2,
      .want = { "n3 app www up", NULL } },
    { .name = "failover 3: its application is up: add it to every director",
      .conf = WEB,
      .n = { { NODE_DOWN, DOWN, ROLE_SERVER, "web", 0, 0, 0, 0 }, SRV(APP_UP), SRV(APP_UP), SPARE },
      .d = { { 1, 2, 1, 3 }, { 2, 2, 1, 3 } },
      .target = 2,
      .want = { "lvs1 add n3 weight 1", "lvs2 add n3 weight 1", NULL } },
    { .name = "a member's application stops: start it again; it stays in the directors until judged down",
      .conf = WEB,
      .n = { SRV(APP_DOWN), SRV(APP_UP), SPARE, SPARE },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n1 app www up", NULL } },
    { .name = "panic: 3 of 4 nodes vanish in one cycle: removals and promotions frozen",
      .conf = WEB,
      .n = { { NODE_UP, VANISHES, ROLE_SERVER, "web", 0, APP_UP, 50, 3 },
             { NODE_UP, VANISHES, ROLE_SERVER, "web", 0, APP_UP, 50, 3 },
             { NODE_UP, VANISHES, ROLE_SPARE, "", 0, 0, 10, 0 }, SPARE },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .panic = true,
      .want = { NULL } },
    { .name = "drain begins: weight 0 on every director, a spare refills the service",
      .conf = WEB,
      .n = { SRV(APP_UP), { NODE_UP, ANSWERS, ROLE_SERVER, "web", NSTATE_DRAINING, APP_UP, 50, 3 }, SPARE, SPARE },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n3 role server web", "lvs1 weight n2 0", "lvs2 weight n2 0", NULL } },
    { .name = "drain ends: no connections left: maintenance, removed from every director",
      .conf = WEB,
      .n = { SRV(APP_UP), { NODE_UP, ANSWERS, ROLE_SERVER, "web", NSTATE_DRAINING, APP_UP, 50, 0 }, SRV(APP_UP),
             SPARE },
      .d = { { 1, 1, 1, 3 }, { 1, 2, 0, 0 }, { 1, 3, 1, 3 }, { 2, 1, 1, 3 }, { 2, 2, 0, 0 }, { 2, 3, 1, 3 } },
      .target = 2,
      .want = { "n2 state maintenance", "lvs1 remove n2", "lvs2 remove n2", NULL } },
    { .name = "drain waits while connections are left",
      .conf = WEB,
      .n = { SRV(APP_UP), { NODE_UP, ANSWERS, ROLE_SERVER, "web", NSTATE_DRAINING, APP_UP, 50, 2 }, SRV(APP_UP),
             SPARE },
      .d = { { 1, 1, 1, 3 }, { 1, 2, 0, 2 }, { 1, 3, 1, 3 }, { 2, 1, 1, 3 }, { 2, 2, 0, 0 }, { 2, 3, 1, 3 } },
      .target = 2,
      .want = { NULL } },
    { .name = "scale-out: load above high for scale_polls polls: one more member",
      .conf = WEB_SCALING,
      .n = { { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 200, 3 },
             { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 200, 3 }, SPARE, SPARE },
      .d = { HEALTHY_DESTS },
      .target = 2, .high_polls = 2,
      .want = { "n3 role server web", NULL } },
    { .name = "scale-out waits for scale_polls polls",
      .conf = WEB_SCALING,
      .n = { { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 200, 3 },
             { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 200, 3 }, SPARE, SPARE },
      .d = { HEALTHY_DESTS },
      .target = 2, .high_polls = 1,
      .want = { NULL } },
    { .name = "scale-in: load below low for scale_polls polls: the least busy member drains",
      .conf = WEB_SCALING,
      .n = { { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 10, 9 },
             { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 10, 1 }, SPARE, SPARE },
      .d = { HEALTHY_DESTS },
      .target = 2, .low_polls = 2,
      .want = { "n2 role spare web state draining", "lvs1 weight n2 0", "lvs2 weight n2 0", NULL } },
    { .name = "scale-in drain ends: back to the spares, removed from every director",
      .conf = WEB_SCALING,
      .n = { { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 10, 9 },
             { NODE_UP, ANSWERS, ROLE_SPARE, "web", NSTATE_DRAINING, APP_UP, 10, 0 }, SPARE, SPARE },
      .d = { { 1, 1, 1, 3 }, { 1, 2, 0, 0 }, { 2, 1, 1, 3 }, { 2, 2, 0, 0 } },
      .target = 1,
      .want = { "n2 role spare state running", "lvs1 remove n2", "lvs2 remove n2", NULL } },
    { .name = "director catch-up: lvs2 misses a member and holds a spare",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), SPARE, SPARE },
      .d = { { 1, 1, 1, 3 }, { 1, 2, 1, 3 }, { 2, 1, 1, 3 }, { 2, 4, 1, 0 } },
      .target = 2,
      .want = { "lvs2 add n2 weight 1", "lvs2 remove n4", NULL } },
    { .name = "director catch-up: lvs2 lost the service row: create it, members next cycle",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), SPARE, SPARE },
      .no_vs = { false, true },
      .d = { { 1, 1, 1, 3 }, { 1, 2, 1, 3 } },
      .target = 2,
      .want = { "lvs2 create web", NULL } },
    { .name = "a director that was not walked is left alone",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), SPARE, SPARE },
      .away = { false, true },
      .d = { { 1, 1, 1, 3 }, { 1, 2, 1, 3 } },
      .target = 2,
      .want = { NULL } },
    { .name = "a wrong weight is corrected",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), SPARE, SPARE },
      .d = { { 1, 1, 1, 3 }, { 1, 2, 5, 3 }, { 2, 1, 1, 3 }, { 2, 2, 1, 3 } },
      .target = 2,
      .want = { "lvs1 weight n2 1", NULL } },
    { .name = "a new node joins the spares when every service is at strength",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), SPARE, { NODE_UP, ANSWERS, ROLE_UNASSIGNED, "", 0, 0, 10, 0 } },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n4 role spare", NULL } },
    /* Hot spares ("hot N"). */
    { .name = "hot 1, two cold spares: heat the least loaded (role spare with the service), out of IPVS",
      .conf = WEB_HOT,
      .n = { SRV(APP_UP), SRV(APP_UP), COLD(90), COLD(10) },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n4 role spare web", NULL } },
    { .name = "hot 1, the heated spare's role landed: one application start, for it only",
      .conf = WEB_HOT,
      .n = { SRV(APP_UP), SRV(APP_UP), COLD(90), HOT(APP_DOWN, 10) },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n4 app www up", NULL } },
    { .name = "hot 1, a cold spare already runs www (back from a scale-in): it is heated first",
      .conf = WEB_HOT,
      .n = { SRV(APP_UP), SRV(APP_UP), COLD(10), { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, APP_UP, 90, 0 } },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n4 role spare web", NULL } },
    { .name = "hot 1, hot spare ready: nothing to do (a restarted controller keeps it)",
      .conf = WEB_HOT,
      .n = { { NODE_UNKNOWN, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 50, 3 },
             { NODE_UNKNOWN, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 50, 3 },
             { NODE_UNKNOWN, ANSWERS, ROLE_SPARE, "web", 0, APP_UP, 10, 0 },
             { NODE_UNKNOWN, ANSWERS, ROLE_SPARE, "", 0, APP_DOWN, 10, 0 } },
      .d = { HEALTHY_DESTS },
      .want = { NULL } },
    { .name = "failover with a hot spare and no other: role and the directors' adds, no application start",
      .conf = WEB_HOT,
      .n = { { NODE_UP, DOWN, ROLE_SERVER, "web", 0, APP_UP, 50, 3 }, SRV(APP_UP), HOT(APP_UP, 90),
             { NODE_UP, ANSWERS, ROLE_SPARE, "", NSTATE_MAINTENANCE, APP_DOWN, 10, 0 } },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", "lvs1 add n3 weight 1",
                "lvs2 add n3 weight 1", NULL } },
    { .name = "failover with a hot spare while lvs2's walk is on its way: lvs2 judged on its last walk, in the same turn",
      .conf = WEB_HOT,
      .n = { { NODE_UP, DOWN, ROLE_SERVER, "web", 0, APP_UP, 50, 3 }, SRV(APP_UP), HOT(APP_UP, 90),
             { NODE_UP, ANSWERS, ROLE_SPARE, "", NSTATE_MAINTENANCE, APP_DOWN, 10, 0 } },
      .walking = { false, true },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", "lvs1 add n3 weight 1",
                "lvs2 add n3 weight 1", NULL } },
    { .name = "failover with a hot spare: promoted before a less loaded cold one, which is heated",
      .conf = WEB_HOT,
      .n = { { NODE_UP, DOWN, ROLE_SERVER, "web", 0, APP_UP, 50, 3 }, SRV(APP_UP), HOT(APP_UP, 90),
             COLD(10) },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", "n4 role spare web",
                "lvs1 add n3 weight 1", "lvs2 add n3 weight 1", NULL } },
    { .name = "a hot spare's application fails: back to the cold spares, another spare heated",
      .conf = WEB_HOT,
      .n = { SRV(APP_UP), SRV(APP_UP), { NODE_UP, ANSWERS, ROLE_SPARE, "web", 0, APP_DOWN, 10, 0 },
             COLD(90) },
      .app_falls = 1u << 2,
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n3 role spare", "n4 role spare web", NULL } },
    { .name = "hot 1, a role write of the last cycle on its way (the poll may predate it): no spare heated yet",
      .conf = WEB_HOT,
      .n = { SRV(APP_UP), SRV(APP_UP), { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, APP_DOWN, 90, 0 },
             COLD(10) },
      .pending = 1u << 2,
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { NULL } },
    { .name = "hot 0 (the default) and a hot spare left from hot 1: cooled",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), HOT(APP_UP, 10), COLD(90) },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n3 role spare", NULL } },
    { .name = "hot 2 with one spare: heat it, and no more",
      .conf = "service web tcp 10.0.0.1:80 nodes 2 hot 2 app www director lvs1,lvs2\n",
      .n = { SRV(APP_UP), SRV(APP_UP), COLD(90),
             { NODE_UP, ANSWERS, ROLE_SPARE, "", NSTATE_MAINTENANCE, APP_DOWN, 10, 0 } },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { "n3 role spare web", NULL } },
    { .name = "hot 0: a cold spare that runs www stays as it is",
      .conf = WEB,
      .n = { SRV(APP_UP), SRV(APP_UP), COLD(90), { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, APP_UP, 10, 0 } },
      .d = { HEALTHY_DESTS },
      .target = 2,
      .want = { NULL } },
};

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

static void run_row(const struct row *r)
{
    struct cluster cl;
    observe(&cl, r);
    const struct decide_out out = { record, NULL };
    decide_run(&cl, &out);
    check_intents(&cl, r);
}

static void test_row(void **state)
{
    run_row(*state);
}

/* An intent for a peer the cluster does not have is refused before
 * anything reads its back-off or reaches the sink. */
static void test_emit_no_such_peer(void **state)
{
    (void)state;
    struct cluster cl;
    memset(&cl, 0, sizeof cl);
    char text[2048];
    snprintf(text, sizeof text, "%s%s", BASE_CONF, WEB);
    assert_int_equal(cluster_apply_config(&cl, load_ok(text)), 0);
    const struct decide_out out = { record, NULL };
    struct intent it;
    memset(&it, 0, sizeof it);
    snprintf(it.key, sizeof it.key, "probe");
    snprintf(it.what, sizeof it.what, "probe");
    it.kind = INTENT_NODE_ROLE;
    it.peer = cl.nnodes;
    ngot = 0;
    assert_int_equal(decide_emit(&cl, &out, &it), -1);
    it.kind = INTENT_VS_CREATE;
    it.peer = cl.ndirs;
    assert_int_equal(decide_emit(&cl, &out, &it), -1);
    assert_int_equal(ngot, 0);
    cluster_free(&cl);
}

/* --- failures the agents tell: decisions at once, removal first ------------ */

static const struct row healthy = {
    .name = "healthy",
    .conf = WEB,
    .n = { SRV(APP_UP), SRV(APP_UP), SPARE, { NODE_UP, ANSWERS, ROLE_SPARE, "", 0, 0, 90, 0 } },
    .d = { HEALTHY_DESTS },
    .target = 2,
};

static const struct row failed_n1 = {
    .name = "n1 failed, told by a notification",
    .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", NULL },
};

static struct lamon_notification notif(enum notif_type type, const char *node, const char *from)
{
    struct lamon_notification n;
    memset(&n, 0, sizeof n);
    struct sockaddr_in *sin = (struct sockaddr_in *)&n.source;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(40000);
    assert_int_equal(inet_pton(AF_INET, from, &sin->sin_addr), 1);
    n.version = SNMP_VERSION_2c;
    n.inform = true;
    n.type = type;
    n.trap = (unsigned long)type;
    snprintf(n.node, sizeof n.node, "%s", node);
    n.state = NSTATE_RUNNING;
    n.role = ROLE_SERVER;
    snprintf(n.service, sizeof n.service, "web");
    if (type == NT_NODE_HEARTBEAT)
        n.heartbeat_ms = 200;
    return n;
}

/* Heartbeats are recorded and change nothing; when they stop, the node is
 * down and the decisions run in that turn, without a poll: the removal
 * from every director first.  A poll it answers while its heartbeats are
 * overdue does not bring it back. */
static void test_heartbeats_stop(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &healthy);
    const struct decide_out out = { record, NULL };
    struct lamon_notification hb = notif(NT_NODE_HEARTBEAT, "n1", "127.0.0.1");
    notif_apply(&cl, &hb, &out);
    notif_apply(&cl, &hb, &out);
    assert_int_equal(ngot, 0);
    assert_int_equal(cl.nodes[0]->hb.count, 2);
    assert_int_equal(cl.nodes[0]->hb.period_ms, 200);
    assert_int_equal(cl.nodes[0]->hyst.health, NODE_UP);

    notif_heartbeat_expired(&cl, cl.nodes[0], &out);
    assert_int_equal(cl.nodes[0]->hyst.health, NODE_DOWN);
    assert_true(cl.nodes[0]->failed);
    size_t told = ngot;
    struct intent saved[32];
    memcpy(saved, got, sizeof saved);

    /* the next cycle: n1 answers its poll, but sends no heartbeat */
    for (size_t i = 0; i < NDIRS; i++)
        cl.dirs[i]->sets_in_flight = 0;
    cl.nodes[0]->answered = true;
    cl.nodes[0]->s.heartbeat_ms = 200;
    decide_run(&cl, &out);
    assert_int_equal(cl.nodes[0]->hyst.health, NODE_DOWN);
    memcpy(got, saved, sizeof saved);
    ngot = told;
    check_intents(&cl, &failed_n1);
}

/* The heartbeats of three of four nodes stop at once (panic 50%): the
 * console's network is the likely fault; nothing is removed or promoted.
 * One node down before does not count: a later single failure is acted on. */
static void test_heartbeats_stop_everywhere(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &healthy);
    const struct decide_out out = { record, NULL };
    for (size_t i = 0; i < NNODES; i++) {
        char name[8], addr[16];
        snprintf(name, sizeof name, "n%zu", i + 1);
        snprintf(addr, sizeof addr, "127.0.0.%zu", i + 1);
        struct lamon_notification hb = notif(NT_NODE_HEARTBEAT, name, addr);
        notif_apply(&cl, &hb, &out);
    }
    for (size_t i = 0; i < 3; i++)
        cl.nodes[i]->hb.heard.tv_sec -= 10;     /* silent for 10 s */
    notif_heartbeat_expired(&cl, cl.nodes[0], &out);
    assert_true(cl.panic);
    assert_int_equal(ngot, 0);
    cluster_free(&cl);

    observe(&cl, &healthy);
    for (size_t i = 0; i < NNODES; i++) {
        char name[8], addr[16];
        snprintf(name, sizeof name, "n%zu", i + 1);
        snprintf(addr, sizeof addr, "127.0.0.%zu", i + 1);
        struct lamon_notification hb = notif(NT_NODE_HEARTBEAT, name, addr);
        notif_apply(&cl, &hb, &out);
    }
    cl.nodes[3]->hb.heard.tv_sec -= 10;
    notif_heartbeat_expired(&cl, cl.nodes[3], &out);   /* a spare, long gone */
    cl.nodes[0]->hb.heard.tv_sec -= 10;
    notif_heartbeat_expired(&cl, cl.nodes[0], &out);
    assert_false(cl.panic);
    assert_int_equal(cl.nodes[0]->hyst.health, NODE_DOWN);
    check_intents(&cl, &failed_n1);
}

/* lamonAppStateChange: the application of n1's service is down, on the
 * agent's word: failed at once, removal first. */
static void test_app_state_change(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &healthy);
    const struct decide_out out = { record, NULL };
    struct lamon_notification n = notif(NT_APP_STATE_CHANGE, "n1", "127.0.0.1");
    snprintf(n.app, sizeof n.app, "www");
    n.app_oper = APP_STARTING;               /* not a failure */
    notif_apply(&cl, &n, &out);
    assert_int_equal(ngot, 0);
    n.app_oper = APP_DOWN;
    notif_apply(&cl, &n, &out);
    assert_int_equal(cl.nodes[0]->app.health, NODE_DOWN);
    assert_int_equal(cl.nodes[0]->hyst.health, NODE_UP);
    check_intents(&cl, &failed_n1);
}

/* A promoted spare's application, started and not judged yet: the
 * agent's "up" makes it up at once and the directors' adds leave in that
 * turn, but only from a node that sends heartbeats; an application that
 * went down comes back through the polls. */
static const struct row promoted_n3 = {
    .name = "the promoted spare's application is up on the agent's word: added to every director",
    .conf = WEB,
    .n = { { NODE_DOWN, DOWN, ROLE_SERVER, "web", 0, 0, 0, 0 }, SRV(APP_UP),
           { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_DOWN, 10, 0 }, SPARE },
    .d = { { 1, 2, 1, 3 }, { 2, 2, 1, 3 } },
    .target = 2,
    .want = { "lvs1 add n3 weight 1", "lvs2 add n3 weight 1", NULL },
};

static void test_app_started(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &promoted_n3);
    const struct decide_out out = { record, NULL };
    struct node_rt *n3 = cl.nodes[2];
    struct lamon_notification n = notif(NT_APP_STATE_CHANGE, "n3", "127.0.0.3");
    snprintf(n.app, sizeof n.app, "www");
    n.app_oper = APP_UP;
    notif_apply(&cl, &n, &out);              /* no heartbeats: the polls' */
    assert_int_equal(n3->app.health, NODE_UNKNOWN);
    assert_int_equal(ngot, 0);
    n3->hb.period_ms = 200;
    n3->app.health = NODE_DOWN;              /* went down: the polls' too */
    notif_apply(&cl, &n, &out);
    assert_int_equal(n3->app.health, NODE_DOWN);
    assert_int_equal(ngot, 0);
    n3->app.health = NODE_UNKNOWN;
    snprintf(n.app, sizeof n.app, "other");  /* not the service's */
    notif_apply(&cl, &n, &out);
    assert_int_equal(ngot, 0);
    snprintf(n.app, sizeof n.app, "www");
    notif_apply(&cl, &n, &out);
    assert_int_equal(n3->app.health, NODE_UP);
    check_intents(&cl, &promoted_n3);
}

/* A lamonAppStateChange "down" sent before the node's last heartbeat by
 * more than a period (an inform snmpd retransmitted late) is refused as
 * stale and changes nothing; one within the period is news. */
static void test_app_state_change_stale(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &healthy);
    const struct decide_out out = { record, NULL };
    struct lamon_notification hb = notif(NT_NODE_HEARTBEAT, "n1", "127.0.0.1");
    hb.uptime = 100000;                      /* TimeTicks: 1000 s */
    notif_apply(&cl, &hb, &out);
    unsigned long before = notif_stats.node_refused[NNREF_STALE];
    struct lamon_notification n = notif(NT_APP_STATE_CHANGE, "n1", "127.0.0.1");
    snprintf(n.app, sizeof n.app, "www");
    n.app_oper = APP_DOWN;
    n.uptime = 100000 - 150;                 /* 1.5 s before the heartbeat */
    notif_apply(&cl, &n, &out);
    assert_int_equal(notif_stats.node_refused[NNREF_STALE], before + 1);
    assert_int_equal(cl.nodes[0]->app.health, NODE_UP);
    assert_int_equal(ngot, 0);
    n.uptime = 100000 - 10;                  /* 0.1 s before: within the 200 ms period */
    notif_apply(&cl, &n, &out);
    assert_int_equal(notif_stats.node_refused[NNREF_STALE], before + 1);
    assert_int_equal(cl.nodes[0]->app.health, NODE_DOWN);
    check_intents(&cl, &failed_n1);
}

/* A spare heated now whose application start was sent lately for an
 * earlier assignment (before it died and came back, say): the heating's
 * own start goes as soon as the role write lands, not APP_START_RETRY
 * later while its fresh check judges the application down. */
static const struct row heat_n3 = {
    .name = "a spare heated after a recent start for an earlier assignment: started once the role lands",
    .conf = WEB_HOT,
    .n = { SRV(APP_UP), SRV(APP_UP), COLD(10), { NODE_UP, ANSWERS, ROLE_SPARE, "", NSTATE_MAINTENANCE, APP_DOWN, 10, 0 } },
    .d = { HEALTHY_DESTS },
    .target = 2,
    .want = { "n3 app www up", NULL },
};

static void test_heat_after_recent_start(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &heat_n3);
    const struct decide_out out = { record, NULL };
    struct node_rt *n3 = cl.nodes[2];
    n3->app_start_sent = time(NULL);
    decide_run(&cl, &out);
    char txt[160];
    assert_int_equal(ngot, 1);
    intent_text(&cl, &got[0], txt, sizeof txt);
    assert_string_equal(txt, "n3 role spare web");
    n3->set_in_flight = n3->role_pending = false;    /* the role write landed */
    ngot = 0;
    decide_now(&cl, &out);
    check_intents(&cl, &heat_n3);
}

/* A hot spare's agent says its application stopped: the spare is failed
 * at once (a promotion must not pick it: it would be only an IPVS add to a
 * dead application), cooled, and another spare heated. */
static const struct row hot_n3_down = {
    .name = "a hot spare's application down on the agent's word: cooled, another heated",
    .conf = WEB_HOT,
    .n = { SRV(APP_UP), SRV(APP_UP), HOT(APP_UP, 10), COLD(90) },
    .d = { HEALTHY_DESTS },
    .target = 2,
    .want = { "n3 role spare", "n4 role spare web", NULL },
};

static void test_hot_spare_app_down(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &hot_n3_down);
    cl.nodes[3]->app.health = NODE_UP;       /* as the polls' health feed left the cold spare */
    const struct decide_out out = { record, NULL };
    struct lamon_notification n = notif(NT_APP_STATE_CHANGE, "n3", "127.0.0.3");
    snprintf(n.app, sizeof n.app, "www");
    n.app_oper = APP_DOWN;
    notif_apply(&cl, &n, &out);              /* cooling starts its history afresh */
    check_intents(&cl, &hot_n3_down);
}

/* Only a poll cycle's run counts toward scale_polls: the decisions a
 * heartbeat or an acknowledgement runs between polls (decide_now) do not
 * (one poll above high and a failover's runs must not scale out). */
static const struct row high_2_polls = {
    .name = "load above high for scale_polls - 1 polls, then decisions between polls: no scale-out",
    .conf = WEB_SCALING,
    .n = { { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 200, 3 },
           { NODE_UP, ANSWERS, ROLE_SERVER, "web", 0, APP_UP, 200, 3 }, SPARE, SPARE },
    .d = { HEALTHY_DESTS },
    .target = 2, .high_polls = 2,
    .want = { NULL },
};

static void test_scale_counts_polls_only(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &high_2_polls);
    const struct decide_out out = { record, NULL };
    for (int i = 0; i < 3; i++)
        decide_now(&cl, &out);
    assert_int_equal(cl.svc_high[0], 2);
    assert_int_equal(cl.svc_target[0], 2);
    check_intents(&cl, &high_2_polls);
}

/* A cold spare whose application runs (its agent's check, at the last
 * poll) and that sends heartbeats is promoted as fast as a hot one: its
 * new application history starts up, and the adds leave in that turn. */
static const struct row cold_running_n3 = {
    .name = "failover to a cold spare whose application runs, heartbeats on: added in the same turn",
    .conf = WEB,
    .n = { { NODE_UP, DOWN, ROLE_SERVER, "web", 0, APP_UP, 50, 3 }, SRV(APP_UP), COLD(10),
           { NODE_UP, ANSWERS, ROLE_SPARE, "", NSTATE_MAINTENANCE, APP_DOWN, 90, 0 } },
    .d = { HEALTHY_DESTS },
    .target = 2,
    .want = { "lvs1 remove n1", "lvs2 remove n1", "n3 role server web", "lvs1 add n3 weight 1",
              "lvs2 add n3 weight 1", NULL },
};

static void test_cold_spare_running(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &cold_running_n3);
    cl.nodes[2]->s.apps[0].oper = APP_UP;    /* its application runs */
    cl.nodes[2]->hb.period_ms = cl.nodes[2]->s.heartbeat_ms = 200;
    const struct decide_out out = { record, NULL };
    decide_run(&cl, &out);
    check_intents(&cl, &cold_running_n3);
}

/* A drain's weight 0 that a director acknowledged but no walk has shown
 * yet: the drain waits (the counts it would read predate the weight). */
static const struct row drain_acked_only = {
    .name = "drain: weight 0 acknowledged, not yet walked: it waits",
    .conf = WEB,
    .n = { SRV(APP_UP), { NODE_UP, ANSWERS, ROLE_SERVER, "web", NSTATE_DRAINING, APP_UP, 50, 0 }, SRV(APP_UP),
         SPARE },
    .d = { { 1, 1, 1, 3 }, { 1, 2, 0, 0 }, { 1, 3, 1, 3 }, { 2, 1, 1, 3 }, { 2, 2, 0, 0 }, { 2, 3, 1, 3 } },
    .target = 2,
    .want = { NULL },
};

static void test_drain_waits_for_a_walk(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &drain_acked_only);
    for (size_t k = 0; k < NDIRS; k++)
        for (size_t i = 0; i < cl.dirs[k]->ndests; i++)
            cl.dirs[k]->dests[i].walked_weight = 100;    /* the walks before the weight took force */
    const struct decide_out out = { record, NULL };
    decide_run(&cl, &out);
    check_intents(&cl, &drain_acked_only);
}

/* A node's name from another address, or a name that is no node:
 * refused, counted, nothing changes. */
static void test_notif_refused(void **state)
{
    (void)state;
    struct cluster cl;
    observe(&cl, &healthy);
    const struct decide_out out = { record, NULL };
    unsigned long addr = notif_stats.node_refused[NNREF_ADDRESS];
    unsigned long unknown = notif_stats.node_refused[NNREF_UNKNOWN_NODE];
    struct lamon_notification hb = notif(NT_NODE_HEARTBEAT, "n1", "127.0.0.2");
    notif_apply(&cl, &hb, &out);
    struct lamon_notification app = notif(NT_APP_STATE_CHANGE, "n1", "127.0.0.3");
    snprintf(app.app, sizeof app.app, "www");
    app.app_oper = APP_DOWN;
    notif_apply(&cl, &app, &out);
    struct lamon_notification other = notif(NT_NODE_HEARTBEAT, "n9", "127.0.0.1");
    notif_apply(&cl, &other, &out);
    assert_int_equal(notif_stats.node_refused[NNREF_ADDRESS], addr + 2);
    assert_int_equal(notif_stats.node_refused[NNREF_UNKNOWN_NODE], unknown + 1);
    assert_int_equal(cl.nodes[0]->hb.count, 0);
    assert_int_equal(cl.nodes[1]->hb.count, 0);
    assert_int_equal(cl.nodes[0]->app.health, NODE_UP);
    assert_int_equal(ngot, 0);
    cluster_free(&cl);
}

/* --- peer_writes: intents into varbinds ------------------------------------ */

static const netsnmp_variable_list *nth(const netsnmp_pdu *p, size_t k)
{
    const netsnmp_variable_list *v = p->variables;
    while (v && k--)
        v = v->next_variable;
    assert_non_null(v);
    return v;
}

/* Varbind K of P is PREFIX.COL.INDEX (INDEX NIDX long) with integer VALUE. */
static void is_int(const netsnmp_pdu *p, size_t k, const oid *prefix, size_t plen, oid col, const oid *index,
                   size_t nidx, long value)
{
    oid want[MAX_OID_LEN];
    memcpy(want, prefix, plen * sizeof *want);
    want[plen] = col;
    memcpy(want + plen + 1, index, nidx * sizeof *want);
    const netsnmp_variable_list *v = nth(p, k);
    assert_int_equal(snmp_oid_compare(v->name, v->name_length, want, plen + 1 + nidx), 0);
    assert_int_equal(v->type, ASN_INTEGER);
    assert_int_equal(*v->val.integer, value);
}

static size_t nvars(const netsnmp_pdu *p)
{
    size_t n = 0;
    for (const netsnmp_variable_list *v = p->variables; v; v = v->next_variable)
        n++;
    return n;
}

static void test_peer_writes_varbinds(void **state)
{
    (void)state;
    static const oid node[] = { LAMON_NODE }, app[] = { LAMON_APP_ENTRY }, op[] = { LAMON_OP_ENTRY };
    static const oid vs[] = { LAMON_VS_ENTRY }, dest[] = { LAMON_DEST_ENTRY };
    static const oid zero[] = { 0 };

    struct intent it = { .kind = INTENT_NODE_ROLE, .role = ROLE_SPARE, .state = NSTATE_DRAINING };
    snprintf(it.service, sizeof it.service, "web");
    netsnmp_pdu *p = peer_writes_pdu(&it);
    assert_non_null(p);
    assert_int_equal(p->command, SNMP_MSG_SET);
    assert_int_equal(nvars(p), 3);
    is_int(p, 0, node, OID_LENGTH(node), LN_ROLE, zero, 1, ROLE_SPARE);
    const netsnmp_variable_list *sv = nth(p, 1);
    assert_int_equal(sv->name[LAMON_NODE_LEN], LN_SERVICE);
    assert_int_equal(sv->type, ASN_OCTET_STR);
    assert_int_equal(sv->val_len, 3);
    assert_memory_equal(sv->val.string, "web", 3);
    is_int(p, 2, node, OID_LENGTH(node), LN_STATE, zero, 1, NSTATE_DRAINING);
    snmp_free_pdu(p);

    struct intent st = { .kind = INTENT_NODE_STATE, .state = NSTATE_MAINTENANCE };
    p = peer_writes_pdu(&st);
    assert_int_equal(nvars(p), 1);
    is_int(p, 0, node, OID_LENGTH(node), LN_STATE, zero, 1, NSTATE_MAINTENANCE);
    snmp_free_pdu(p);

    struct intent ap = { .kind = INTENT_APP_ADMIN, .admin = 1 };
    snprintf(ap.app, sizeof ap.app, "www");
    oid aidx[MAX_OID_LEN];
    size_t alen = lamon_app_index_encode("www", aidx, MAX_OID_LEN);
    p = peer_writes_pdu(&ap);
    assert_int_equal(nvars(p), 1);
    is_int(p, 0, app, OID_LENGTH(app), LA_ADMIN, aidx, alen, 1);
    snmp_free_pdu(p);

    struct intent oc = { .kind = INTENT_OP_CREATE, .op_index = 7, .op_type = OPT_PKG_INSTALL };
    snprintf(oc.op_arg, sizeof oc.op_arg, "foo");
    oid oidx[4];
    size_t olen = lamon_op_index_encode(7, oidx);
    p = peer_writes_pdu(&oc);
    assert_int_equal(nvars(p), 3);
    is_int(p, 0, op, OID_LENGTH(op), LO_TYPE, oidx, olen, OPT_PKG_INSTALL);
    assert_int_equal(nth(p, 1)->name[LAMON_OP_ENTRY_LEN], LO_ARG);
    is_int(p, 2, op, OID_LENGTH(op), LO_ROWSTATUS, oidx, olen, ROWSTATUS_CREATEANDGO);
    snmp_free_pdu(p);
    oc.op_arg[0] = '\0';                  /* no argument: no lamonOpArgument */
    p = peer_writes_pdu(&oc);
    assert_int_equal(nvars(p), 2);
    snmp_free_pdu(p);

    /* The director's: service 10.0.0.1:80/tcp, destination 127.0.0.3:8080. */
    struct sockaddr_in vip = { .sin_family = AF_INET, .sin_port = htons(80) };
    inet_pton(AF_INET, "10.0.0.1", &vip.sin_addr);
    struct sockaddr_storage vss = { 0 }, dss = { 0 };
    memcpy(&vss, &vip, sizeof vip);
    struct sockaddr_in d4 = { .sin_family = AF_INET, .sin_port = htons(8080) };
    inet_pton(AF_INET, "127.0.0.3", &d4.sin_addr);
    memcpy(&dss, &d4, sizeof d4);
    struct intent di = { .kind = INTENT_DEST_ADD, .weight = 5, .fwd = CTL_FWD_ROUTE, .dest = dss };
    lamon_vs_key_from_sa(&di.vs, 6, &vss);
    struct lamon_dest_key dk;
    lamon_dest_key_from_sa(&dk, &dss);
    oid didx[LAMON_DEST_IDX_MAX], vidx[LAMON_VS_IDX_MAX];
    size_t dlen = lamon_dest_index_encode(&di.vs, &dk, didx), vlen = lamon_vs_index_encode(&di.vs, vidx);
    p = peer_writes_pdu(&di);
    assert_int_equal(nvars(p), 3);
    is_int(p, 0, dest, OID_LENGTH(dest), LD_ROWSTATUS, didx, dlen, ROWSTATUS_CREATEANDGO);
    is_int(p, 1, dest, OID_LENGTH(dest), LD_WEIGHT, didx, dlen, 5);
    is_int(p, 2, dest, OID_LENGTH(dest), LD_FWD, didx, dlen, CTL_FWD_ROUTE);
    snmp_free_pdu(p);

    di.kind = INTENT_DEST_WEIGHT;
    di.weight = 0;
    p = peer_writes_pdu(&di);
    assert_int_equal(nvars(p), 1);        /* the method only when it differs */
    is_int(p, 0, dest, OID_LENGTH(dest), LD_WEIGHT, didx, dlen, 0);
    snmp_free_pdu(p);
    di.set_fwd = true;
    p = peer_writes_pdu(&di);
    assert_int_equal(nvars(p), 2);
    is_int(p, 1, dest, OID_LENGTH(dest), LD_FWD, didx, dlen, CTL_FWD_ROUTE);
    snmp_free_pdu(p);

    di.kind = INTENT_DEST_REMOVE;
    p = peer_writes_pdu(&di);
    assert_int_equal(nvars(p), 1);
    is_int(p, 0, dest, OID_LENGTH(dest), LD_ROWSTATUS, didx, dlen, ROWSTATUS_DESTROY);
    snmp_free_pdu(p);

    di.kind = INTENT_VS_CREATE;
    snprintf(di.sched, sizeof di.sched, "wlc");
    p = peer_writes_pdu(&di);
    assert_int_equal(nvars(p), 2);
    is_int(p, 0, vs, OID_LENGTH(vs), LV_ROWSTATUS, vidx, vlen, ROWSTATUS_CREATEANDGO);
    const netsnmp_variable_list *sc = nth(p, 1);
    assert_int_equal(sc->name[LAMON_IPVS_ENTRY_LEN], LV_SCHED);
    assert_memory_equal(sc->val.string, "wlc", 3);
    snmp_free_pdu(p);
}

#define NROWS (sizeof rows / sizeof rows[0])

int main(void)
{
    /* One test per row, named by it. */
    struct CMUnitTest tests[NROWS + 13];
    for (size_t i = 0; i < NROWS; i++)
        tests[i] = (struct CMUnitTest){ .name = rows[i].name, .test_func = test_row,
                                        .initial_state = (void *)&rows[i] };
    tests[NROWS] = (struct CMUnitTest)cmocka_unit_test(test_peer_writes_varbinds);
    tests[NROWS + 1] = (struct CMUnitTest)cmocka_unit_test(test_emit_no_such_peer);
    tests[NROWS + 2] = (struct CMUnitTest)cmocka_unit_test(test_heartbeats_stop);
    tests[NROWS + 3] = (struct CMUnitTest)cmocka_unit_test(test_app_state_change);
    tests[NROWS + 4] = (struct CMUnitTest)cmocka_unit_test(test_notif_refused);
    tests[NROWS + 5] = (struct CMUnitTest)cmocka_unit_test(test_heartbeats_stop_everywhere);
    tests[NROWS + 6] = (struct CMUnitTest)cmocka_unit_test(test_app_started);
    tests[NROWS + 7] = (struct CMUnitTest)cmocka_unit_test(test_app_state_change_stale);
    tests[NROWS + 8] = (struct CMUnitTest)cmocka_unit_test(test_heat_after_recent_start);
    tests[NROWS + 9] = (struct CMUnitTest)cmocka_unit_test(test_hot_spare_app_down);
    tests[NROWS + 10] = (struct CMUnitTest)cmocka_unit_test(test_scale_counts_polls_only);
    tests[NROWS + 11] = (struct CMUnitTest)cmocka_unit_test(test_cold_spare_running);
    tests[NROWS + 12] = (struct CMUnitTest)cmocka_unit_test(test_drain_waits_for_a_walk);
    return _cmocka_run_group_tests("ctl_decide_test", tests, NROWS + 13, NULL, NULL);
}
