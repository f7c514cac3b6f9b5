/* Table-driven cmocka tests of the controller's decision function
 * (decide_run, controller/decide.h): each row is an observed cluster (what
 * the last polls said of every node, and what each director's table
 * holds), and the intents (controller/intent.h) that one cycle decides,
 * in order.  The sink only records: no SET is sent, no outcome comes back,
 * so each row is one cycle of a controller whose earlier writes all
 * landed.  Also: peer_writes_pdu puts each intent's columns under the OIDs
 * and indexes of common/lamon_mib.h.  What the agents' notifications
 * decide is in ctl_decide_notif_test.c, on the same harness. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "ctl_decide_harness.h"
#include "../../controller/peer_writes.h"

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
    struct CMUnitTest tests[NROWS + 6];
    for (size_t i = 0; i < NROWS; i++)
        tests[i] = (struct CMUnitTest){ .name = rows[i].name, .test_func = test_row,
                                        .initial_state = (void *)&rows[i] };
    tests[NROWS] = (struct CMUnitTest)cmocka_unit_test(test_peer_writes_varbinds);
    tests[NROWS + 1] = (struct CMUnitTest)cmocka_unit_test(test_emit_no_such_peer);
    tests[NROWS + 2] = (struct CMUnitTest)cmocka_unit_test(test_heat_after_recent_start);
    tests[NROWS + 3] = (struct CMUnitTest)cmocka_unit_test(test_scale_counts_polls_only);
    tests[NROWS + 4] = (struct CMUnitTest)cmocka_unit_test(test_cold_spare_running);
    tests[NROWS + 5] = (struct CMUnitTest)cmocka_unit_test(test_drain_waits_for_a_walk);
    return _cmocka_run_group_tests("ctl_decide_test", tests, NROWS + 6, NULL, NULL);
}
