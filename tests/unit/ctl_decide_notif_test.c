/* cmocka tests of what the agents' notifications decide
 * (controller/notif_apply.c with decide_now): heartbeats that stop, an
 * application the agent says stopped or started, a stale or refused
 * notification, on the row harness of ctl_decide_test.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_decide_harness.h"
#include "../../controller/notif_apply.h"
#include "../../controller/notif_stats.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heartbeats_stop),
        cmocka_unit_test(test_app_state_change),
        cmocka_unit_test(test_notif_refused),
        cmocka_unit_test(test_heartbeats_stop_everywhere),
        cmocka_unit_test(test_app_started),
        cmocka_unit_test(test_app_state_change_stale),
        cmocka_unit_test(test_hot_spare_app_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
