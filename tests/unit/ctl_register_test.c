/* cmocka tests of self-registration (controller/node_register.h): a
 * notification through notif_apply adds its sender, conflicts and the cap
 * are refused and counted, a reload keeps registered nodes, and after a
 * start the decisions that an unknown registered node would make wrong
 * wait (no removal of an unknown destination, no promotion).  The real
 * modules run; the decisions' sink only records the intents. */
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
#include <unistd.h>

#include "../../controller/decide.h"
#include "../../controller/node_register.h"
#include "../../controller/node_view.h"
#include "../../controller/notif_apply.h"
#include "../../controller/notif_stats.h"
#include "../../controller/status_view.h"

#define CONF_HEAD                                                                                                 \
    "interval 1000\nrise 1\nfall 3\npanic 50\n"                                                                   \
    "v3user admin sha authpass123 aes privpass123\n"
#define CONF_REST                                                                                                 \
    "node n1 127.0.0.1:1161\nnode n2 127.0.0.2:1161\n"                                                            \
    "director lvs1 127.0.0.9:1161\n"                                                                              \
    "service web tcp 10.0.0.1:80 nodes 2 app www director lvs1\n"                                                 \
    "accept 127.0.1.0/24 community reg port 1161\n"                                                               \
    "register_max 2\n"
#define CONF CONF_HEAD CONF_REST "accept 127.0.2.0/24 v3 admin\n"

static struct intent got[32];
static size_t ngot;

static int record(struct cluster *cl, const struct intent *it, void *arg, char *why, size_t whylen)
{
    (void)cl; (void)arg; (void)why; (void)whylen;
    assert_true(ngot < sizeof got / sizeof got[0]);
    got[ngot++] = *it;
    return 0;
}

static const struct decide_out out = { record, NULL };

static void start(struct cluster *cl, const char *conf)
{
    memset(cl, 0, sizeof *cl);
    assert_int_equal(cluster_apply_config(cl, load_ok(conf)), 0);
    cl->cycle = 10;
    ngot = 0;
}

/* A v2c notification with COMMUNITY, or a v3 one as USER (COMMUNITY NULL). */
static struct lamon_notification notif(enum notif_type type, const char *node, const char *from,
                                       const char *community, const char *user)
{
    struct lamon_notification n;
    memset(&n, 0, sizeof n);
    struct sockaddr_in *sin = (struct sockaddr_in *)&n.source;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(40000);             /* snmpd's trap socket, not its SNMP port */
    assert_int_equal(inet_pton(AF_INET, from, &sin->sin_addr), 1);
    n.version = community ? SNMP_VERSION_2c : SNMP_VERSION_3;
    snprintf(n.community, sizeof n.community, "%s", community ? community : "");
    snprintf(n.user, sizeof n.user, "%s", user ? user : "");
    n.inform = true;
    n.type = type;
    n.trap = (unsigned long)type;
    snprintf(n.node, sizeof n.node, "%s", node);
    n.state = NSTATE_RUNNING;
    n.role = ROLE_SPARE;
    if (type == NT_NODE_HEARTBEAT)
        n.heartbeat_ms = 200;
    return n;
}

static void send_from(struct cluster *cl, enum notif_type type, const char *node, const char *from,
                      const char *community, const char *user)
{
    struct lamon_notification n = notif(type, node, from, community, user);
    notif_apply(cl, &n, &out);
}

static struct node_rt *node(struct cluster *cl, const char *name)
{
    int i = cluster_find_node(cl, name);
    return i < 0 ? NULL : cl->nodes[i];
}

/* N answered this cycle's poll as ROLE of SERVICE with www up. */
static void polled(struct cluster *cl, struct node_rt *n, int role, const char *service)
{
    n->hyst.health = NODE_UP;
    n->hyst.good = cl->cfg->rise;
    n->answered = n->answered_before = true;
    n->have_sample = true;
    memset(&n->s, 0, sizeof n->s);
    snprintf(n->s.name, sizeof n->s.name, "%s", n->peer.name);
    n->s.role = role;
    n->s.state = NSTATE_RUNNING;
    snprintf(n->s.service, sizeof n->s.service, "%s", service);
    n->s.napps = 1;
    snprintf(n->s.apps[0].name, sizeof n->s.apps[0].name, "www");
    n->s.apps[0].oper = APP_UP;
    n->s.apps[0].admin = 1;
    int si = app_service(cl, n);
    snprintf(n->app_for, sizeof n->app_for, "%s", si >= 0 ? cl->cfg->services[si].name : "");
    n->app.health = si >= 0 ? NODE_UP : NODE_UNKNOWN;
    n->app.good = si >= 0 ? cl->cfg->rise : 0;
}

static bool has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* A heartbeat (v2c) and a lamonNodeStarted (v3) from accept networks
 * register their senders at their source address, with the accept
 * line's credentials and SNMP port; the status shows where each node
 * comes from. */
static void test_register(void **state)
{
    (void)state;
    struct cluster cl;
    start(&cl, CONF);
    send_from(&cl, NT_NODE_HEARTBEAT, "r1", "127.0.1.1", "reg", NULL);
    assert_int_equal(cl.nnodes, 3);
    struct node_rt *r1 = node(&cl, "r1");
    assert_non_null(r1);
    assert_true(r1->registered);
    assert_false(r1->configured);
    assert_string_equal(r1->peer.host, "127.0.1.1");
    assert_int_equal(r1->peer.port, 1161);
    assert_int_equal(ntohs(((struct sockaddr_in *)&r1->peer.addr)->sin_port), 1161);
    assert_int_equal(r1->peer.v3user, -1);
    assert_string_equal(r1->peer.community, "reg");
    assert_int_equal(r1->hb.count, 1);
    send_from(&cl, NT_NODE_HEARTBEAT, "r1", "127.0.1.1", "reg", NULL);
    assert_int_equal(cl.nnodes, 3);
    assert_int_equal(r1->hb.count, 2);

    send_from(&cl, NT_NODE_STARTED, "r2", "127.0.2.5", NULL, "admin");
    struct node_rt *r2 = node(&cl, "r2");
    assert_non_null(r2);
    assert_true(r2->registered);
    assert_int_equal(r2->peer.port, 161);
    assert_int_equal(r2->peer.v3user, 0);
    assert_string_equal(r2->peer.host, "127.0.2.5");

    /* No accept line for these credentials, or no registering type. */
    unsigned long unknown = notif_stats.node_refused[NNREF_UNKNOWN_NODE];
    send_from(&cl, NT_NODE_HEARTBEAT, "r3", "127.0.1.3", "nope", NULL);
    send_from(&cl, NT_NODE_HEARTBEAT, "r3", "127.0.3.3", "reg", NULL);
    send_from(&cl, NT_NODE_HEARTBEAT, "r3", "127.0.1.3", NULL, "admin");
    send_from(&cl, NT_APP_STATE_CHANGE, "r3", "127.0.1.3", "reg", NULL);
    assert_int_equal(notif_stats.node_refused[NNREF_UNKNOWN_NODE], unknown + 4);
    assert_int_equal(cl.nnodes, 4);

    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    view_status(b, &cl, true);
    evbuffer_add(b, "", 1);
    const char *j = (const char *)evbuffer_pullup(b, -1);
    assert_true(has(j, "\"name\": \"n1\""));
    assert_true(has(j, "\"heartbeat_ms\": 0, \"source\": \"config\"}"));
    assert_true(has(j, "\"heartbeat_ms\": 200, \"source\": \"registered\"}"));
    assert_true(has(j, "\"conflict\": 0"));
    evbuffer_free(b);
    /* No write: a registration only adds the node. */
    assert_int_equal(ngot, 0);
    cluster_free(&cl);
}

/* The same name from a second address, a configured name from another
 * address, a director's name, an address already a node's, a bad name,
 * and one more than register_max: refused, counted, nothing changes. */
static void test_register_conflicts(void **state)
{
    (void)state;
    struct cluster cl;
    start(&cl, CONF);
    unsigned long *nr = notif_stats.node_refused;
    unsigned long conflict = nr[NNREF_CONFLICT], addr = nr[NNREF_ADDRESS], name = nr[NNREF_NAME],
                  cap = nr[NNREF_REGISTER_MAX];
    send_from(&cl, NT_NODE_HEARTBEAT, "r1", "127.0.1.1", "reg", NULL);
    struct node_rt *r1 = node(&cl, "r1");
    assert_non_null(r1);
    send_from(&cl, NT_NODE_HEARTBEAT, "r1", "127.0.1.2", "reg", NULL);
    send_from(&cl, NT_NODE_STARTED, "r1", "127.0.1.2", "reg", NULL);
    assert_int_equal(nr[NNREF_CONFLICT], conflict + 2);
    assert_string_equal(r1->peer.host, "127.0.1.1");
    assert_int_equal(r1->hb.count, 1);

    send_from(&cl, NT_NODE_STARTED, "n1", "127.0.1.3", "reg", NULL);      /* configured elsewhere */
    assert_int_equal(nr[NNREF_ADDRESS], addr + 1);
    assert_false(node(&cl, "n1")->registered);
    send_from(&cl, NT_NODE_HEARTBEAT, "lvs1", "127.0.1.4", "reg", NULL);  /* a director's name */
    send_from(&cl, NT_NODE_HEARTBEAT, "r9", "127.0.1.1", "reg", NULL);    /* r1's address and port */
    assert_int_equal(nr[NNREF_CONFLICT], conflict + 4);
    send_from(&cl, NT_NODE_HEARTBEAT, "../etc", "127.0.1.5", "reg", NULL);
    send_from(&cl, NT_NODE_HEARTBEAT, "a b", "127.0.1.5", "reg", NULL);
    assert_int_equal(nr[NNREF_NAME], name + 2);
    assert_int_equal(cl.nnodes, 3);

    send_from(&cl, NT_NODE_HEARTBEAT, "r2", "127.0.1.6", "reg", NULL);    /* the second: register_max 2 */
    assert_int_equal(cl.nnodes, 4);
    send_from(&cl, NT_NODE_HEARTBEAT, "r3", "127.0.1.7", "reg", NULL);
    assert_int_equal(nr[NNREF_REGISTER_MAX], cap + 1);
    assert_int_equal(cl.nnodes, 4);
    assert_null(node(&cl, "r3"));
    /* A configured node's heartbeats from its own address are just that. */
    send_from(&cl, NT_NODE_HEARTBEAT, "n1", "127.0.0.1", "reg", NULL);
    assert_int_equal(node(&cl, "n1")->hb.count, 1);
    assert_int_equal(cl.nnodes, 4);
    assert_int_equal(ngot, 0);
    cluster_free(&cl);
}

/* A reload keeps registered nodes with their state; a registered name
 * that appears in the configuration becomes configured; one whose v3user
 * is gone is forgotten. */
static void test_register_reload(void **state)
{
    (void)state;
    struct cluster cl;
    start(&cl, CONF);
    send_from(&cl, NT_NODE_HEARTBEAT, "r1", "127.0.1.1", "reg", NULL);
    send_from(&cl, NT_NODE_HEARTBEAT, "r2", "127.0.2.2", NULL, "admin");
    struct node_rt *r1 = node(&cl, "r1"), *r2 = node(&cl, "r2");
    polled(&cl, r1, ROLE_SERVER, "web");

    assert_int_equal(cluster_apply_config(&cl, load_ok(CONF)), 0);
    assert_int_equal(cl.nnodes, 4);
    assert_ptr_equal(node(&cl, "r1"), r1);
    assert_ptr_equal(node(&cl, "r2"), r2);
    assert_true(r1->registered && r2->registered);
    assert_int_equal(r1->hb.count, 1);
    assert_int_equal(r1->s.role, ROLE_SERVER);
    assert_int_equal(r2->peer.v3user, 0);

    /* A v3user declared first moves admin to index 1. */
    assert_int_equal(cluster_apply_config(&cl, load_ok("interval 1000\nrise 1\nfall 3\n"
                                                   "v3user other sha authpass456 aes privpass456\n"
                                                   "v3user admin sha authpass123 aes privpass123\n"
                                                   CONF_REST "accept 127.0.2.0/24 v3 admin\n"
                                                   "node r1 127.0.1.1:1161 community reg\n")), 0);
    assert_int_equal(cl.nnodes, 4);
    assert_ptr_equal(node(&cl, "r1"), r1);
    assert_true(r1->configured);
    assert_false(r1->registered);
    assert_int_equal(r1->hb.count, 1);
    assert_ptr_equal(node(&cl, "r2"), r2);
    assert_int_equal(r2->peer.v3user, 1);

    /* admin gone (and its accept line): r2 is forgotten. */
    assert_int_equal(cluster_apply_config(&cl, load_ok("interval 1000\nv3user other sha authpass456 aes privpass456\n"
                                                    CONF_REST)), 0);
    assert_null(node(&cl, "r2"));
    assert_int_equal(cl.nnodes, 2);             /* r1 left the configuration too */
    cluster_free(&cl);
}

/* After a start, lvs1 holds n1 and r1 (registered before the restart,
 * not heard from yet); n2 is a spare.  Inside the registration window
 * nothing is removed or promoted; r1 registers, is polled as a server of
 * web: still nothing, once the window is over too.  Without the window
 * the same cluster removes r1's destination and promotes n2 (what the
 * window prevents). */
static void restart_cluster(struct cluster *cl, bool window)
{
    start(cl, CONF);
    polled(cl, node(cl, "n1"), ROLE_SERVER, "web");
    polled(cl, node(cl, "n2"), ROLE_SPARE, "");
    struct director_rt *d = cl->dirs[0];
    d->walked = d->reachable = d->has_table = true;
    d->vs_present[0] = true;
    d->dests = calloc(2, sizeof *d->dests);
    assert_non_null(d->dests);
    d->ndests = 2;
    d->dests[0].addr = dest_addr(node(cl, "n1"), &cl->cfg->services[0]);
    struct sockaddr_in *a = (struct sockaddr_in *)&d->dests[1].addr;
    a->sin_family = AF_INET;
    a->sin_port = htons(80);
    assert_int_equal(inet_pton(AF_INET, "127.0.1.1", &a->sin_addr), 1);
    for (size_t k = 0; k < 2; k++)
        d->dests[k].weight = d->dests[k].walked_weight = 1, d->dests[k].fwd = (int)cl->cfg->services[0].fwd;
    if (window)
        clock_gettime(CLOCK_MONOTONIC, &cl->started);
}

static void test_restart_window(void **state)
{
    (void)state;
    struct cluster cl;
    restart_cluster(&cl, false);
    decide_run(&cl, &out);
    assert_int_equal(ngot, 2);                  /* the control: promote n2, remove r1's destination */
    assert_int_equal(got[0].kind, INTENT_NODE_ROLE);
    assert_int_equal(got[1].kind, INTENT_DEST_REMOVE);
    cluster_free(&cl);

    restart_cluster(&cl, true);
    assert_true(registration_hold(&cl));
    decide_run(&cl, &out);
    assert_int_equal(ngot, 0);
    assert_int_equal(cl.svc_target[0], 0);      /* the strength is not adopted yet */
    send_from(&cl, NT_NODE_HEARTBEAT, "r1", "127.0.1.1", "reg", NULL);
    struct node_rt *r1 = node(&cl, "r1");
    assert_non_null(r1);
    cl.started.tv_sec = cl.started.tv_nsec = 0; /* the window is over; r1 is not polled yet */
    assert_true(registration_hold(&cl));
    decide_run(&cl, &out);                      /* the cycle r1 registered in */
    assert_int_equal(r1->hyst.health, NODE_UNKNOWN);
    assert_int_equal(r1->hyst.bad, 0);          /* not polled: no missed poll */
    assert_int_equal(ngot, 0);
    cl.cycle++;
    polled(&cl, r1, ROLE_SERVER, "web");
    assert_false(registration_hold(&cl));
    decide_run(&cl, &out);
    assert_int_equal(ngot, 0);
    assert_int_equal(cl.svc_target[0], 2);
    cluster_free(&cl);
}

/* A node that registers after the window holds nothing: it is a new node
 * (a sender could otherwise hold every promotion with new names). */
static void test_late_registration_holds_nothing(void **state)
{
    (void)state;
    struct cluster cl;
    restart_cluster(&cl, false);                /* no window: long after the start */
    assert_false(registration_hold(&cl));
    send_from(&cl, NT_NODE_HEARTBEAT, "late", "127.0.1.9", "reg", NULL);
    struct node_rt *late = node(&cl, "late");
    assert_non_null(late);
    assert_int_equal(late->hyst.health, NODE_UNKNOWN);
    assert_false(registration_hold(&cl));
    decide_run(&cl, &out);                      /* the failover goes on */
    assert_true(ngot > 0);
    assert_int_equal(got[0].kind, INTENT_NODE_ROLE);
    cluster_free(&cl);
}

/* A registration window ends when register_window says. */
static void test_window_length(void **state)
{
    (void)state;
    struct cluster cl;
    start(&cl, CONF "register_window 100000\n");
    clock_gettime(CLOCK_MONOTONIC, &cl.started);
    assert_true(registration_hold(&cl));
    cl.started.tv_sec -= 99;
    assert_true(registration_hold(&cl));
    cl.started.tv_sec -= 2;
    assert_false(registration_hold(&cl));
    cluster_free(&cl);
    /* No accept line: nothing can register, nothing waits. */
    start(&cl, CONF_HEAD "node n1 127.0.0.1:1161\n");
    clock_gettime(CLOCK_MONOTONIC, &cl.started);
    assert_false(registration_hold(&cl));
    cluster_free(&cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register),
        cmocka_unit_test(test_register_conflicts),
        cmocka_unit_test(test_register_reload),
        cmocka_unit_test(test_restart_window),
        cmocka_unit_test(test_window_length),
        cmocka_unit_test(test_late_registration_holds_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
