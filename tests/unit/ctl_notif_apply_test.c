/* cmocka tests of controller/notif_apply.c: its node lookup across a
 * reload, and its heartbeat deadline timer in a real libevent loop.  libevent's timers run on CLOCK_MONOTONIC_COARSE
 * (a jiffy, 4 ms here, behind), while a heartbeat is stamped with
 * CLOCK_MONOTONIC: the timer may wake a few milliseconds before the
 * deadline it was armed for.  Such an early wake-up must wait for the rest
 * of the deadline, not give up on the node (which then only the polls
 * could take down). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_config_load.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../controller/cluster.h"
#include "../../controller/ctl_config.h"
#include "../../controller/decide_emit.h"
#include "../../controller/notif_apply.h"
#include "../../controller/notif_stats.h"

static unsigned nintents;      /* decisions made when n1 goes down (none: no service) */

static int count(struct cluster *cl, const struct intent *it, void *arg, char *why, size_t whylen)
{
    (void)cl; (void)it; (void)arg; (void)why; (void)whylen;
    nintents++;
    return 0;
}

static struct cluster cl;

static const struct decide_out out = { count, NULL };

static struct lamon_notification heartbeat_from(const char *node, const char *from, unsigned period_ms)
{
    struct lamon_notification n;
    memset(&n, 0, sizeof n);
    struct sockaddr_in *sin = (struct sockaddr_in *)&n.source;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(40000);
    assert_int_equal(inet_pton(AF_INET, from, &sin->sin_addr), 1);
    n.version = SNMP_VERSION_2c;
    n.type = NT_NODE_HEARTBEAT;
    n.trap = NT_NODE_HEARTBEAT;
    snprintf(n.node, sizeof n.node, "%s", node);
    n.state = NSTATE_RUNNING;
    n.role = ROLE_SPARE;
    n.heartbeat_ms = period_ms;
    return n;
}

static struct lamon_notification heartbeat(unsigned period_ms)
{
    return heartbeat_from("n1", "127.0.0.1", period_ms);
}

static unsigned long beats(const char *name)
{
    int i = cluster_find_node(&cl, name);
    assert_true(i >= 0);
    return cl.nodes[i]->hb.count;
}

/* A cluster without a node (a receiver before any node is configured):
 * every notification is refused as an unknown node. */
static void test_no_node(void **state)
{
    (void)state;
    memset(&cl, 0, sizeof cl);
    notif_apply_init(NULL, NULL, NULL, NULL);
    assert_int_equal(cluster_apply_config(&cl, load_ok("interval 1000\n")), 0);
    unsigned long unknown = notif_stats.node_refused[NNREF_UNKNOWN_NODE];
    struct lamon_notification hb = heartbeat(200);
    notif_apply(&cl, &hb, &out);
    notif_apply(&cl, &hb, &out);
    assert_int_equal(notif_stats.node_refused[NNREF_UNKNOWN_NODE], unknown + 2);
    cluster_free(&cl);
}

/* Heartbeats find their node by name before and after a reload that
 * reverses the nodes' order and drops one; a name from another node's
 * address is still refused. */
static void test_lookup_across_reload(void **state)
{
    (void)state;
    memset(&cl, 0, sizeof cl);
    notif_apply_init(NULL, NULL, NULL, NULL);
    assert_int_equal(cluster_apply_config(&cl, load_ok("node n1 127.0.0.1:1161\nnode n2 127.0.0.2:1161\n"
                                                    "node n3 127.0.0.3:1161\n")), 0);
    const char *names[] = { "n1", "n2", "n3" }, *addrs[] = { "127.0.0.1", "127.0.0.2", "127.0.0.3" };
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < 3; k++) {
            struct lamon_notification hb = heartbeat_from(names[k], addrs[k], 200);
            notif_apply(&cl, &hb, &out);
        }
    assert_int_equal(beats("n1"), 2);
    assert_int_equal(beats("n2"), 2);
    assert_int_equal(beats("n3"), 2);

    assert_int_equal(cluster_apply_config(&cl, load_ok("node n3 127.0.0.3:1161\nnode n1 127.0.0.1:1161\n")), 0);
    for (int k = 0; k < 3; k++) {
        struct lamon_notification hb = heartbeat_from(names[k], addrs[k], 200);
        notif_apply(&cl, &hb, &out);
    }
    assert_int_equal(beats("n1"), 3);
    assert_int_equal(beats("n3"), 3);
    unsigned long refused = notif_stats.node_refused[NNREF_ADDRESS];
    struct lamon_notification spoof = heartbeat_from("n3", "127.0.0.1", 200);
    notif_apply(&cl, &spoof, &out);
    assert_int_equal(notif_stats.node_refused[NNREF_ADDRESS], refused + 1);
    assert_int_equal(beats("n1"), 3);
    assert_int_equal(beats("n3"), 3);
    cluster_free(&cl);
}

/* n1's last heartbeat (period 100 ms, fall 3): its deadline is 350 ms
 * later.  The heartbeat's stamp is moved 100 ms on after the timer was
 * armed, which is what the coarse clock does by up to a jiffy (4 ms here):
 * the timer wakes before the deadline.  It must then wait for the rest of
 * it and declare n1 down, not give up on n1 for good. */
static void test_early_wakeup_waits_for_the_deadline(void **state)
{
    (void)state;
    memset(&cl, 0, sizeof cl);
    assert_int_equal(cluster_apply_config(&cl, load_ok("interval 1000\nrise 1\nfall 3\nnode n1 127.0.0.1:1161\n")), 0);
    struct node_rt *n1 = cl.nodes[0];
    n1->hyst.health = NODE_UP;
    struct event_base *base = event_base_new();
    assert_non_null(base);
    notif_apply_init(base, &cl, &out, NULL);
    struct lamon_notification hb = heartbeat(100);
    notif_apply(&cl, &hb, &out);
    n1->hb.heard.tv_nsec += 100 * 1000000L;
    if (n1->hb.heard.tv_nsec >= 1000000000L) {
        n1->hb.heard.tv_sec++;
        n1->hb.heard.tv_nsec -= 1000000000L;
    }
    struct timeval bound = { 1, 500000 };
    event_base_loopexit(base, &bound);       /* the deadline passes well within it */
    event_base_dispatch(base);
    assert_int_equal(n1->hb.count, 1);
    assert_true(n1->hb.stopped);
    assert_int_equal(n1->hyst.health, NODE_DOWN);

    notif_apply_init(NULL, NULL, NULL, NULL);
    cluster_free(&cl);
    event_base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_node),
        cmocka_unit_test(test_lookup_across_reload),
        cmocka_unit_test(test_early_wakeup_waits_for_the_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
