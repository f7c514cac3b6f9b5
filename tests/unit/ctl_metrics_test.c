/* cmocka tests of /metrics (controller/metrics.c) and its histogram
 * (controller/ctl_metrics_counters.c): label values escaped as the text
 * format wants, never half an escape when cut; histogram buckets with
 * inclusive bounds, cumulative in the text, +Inf equal to _count; and the
 * node lines of a small cluster (fixed-point load and CPU ratio, memory in
 * bytes, no sample for what was never polled). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../controller/cluster.h"
#include "../../controller/metrics.h"
#include "ctl_config_load.h"

/* OUT's text, NUL-terminated (the caller frees it). */
static char *text_of(struct evbuffer *out)
{
    size_t n = evbuffer_get_length(out);
    char *s = malloc(n + 1);
    assert_non_null(s);
    evbuffer_copyout(out, s, n);
    s[n] = '\0';
    return s;
}

static void test_escape(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(metrics_escape_label("node1", b, sizeof b), 5);
    assert_string_equal(b, "node1");
    assert_int_equal(metrics_escape_label("a\\b\"c\nd", b, sizeof b), 10);
    assert_string_equal(b, "a\\\\b\\\"c\\nd");
    /* Other characters, tabs and UTF-8 included, pass as they are. */
    metrics_escape_label("t\tx\xc3\xa9", b, sizeof b);
    assert_string_equal(b, "t\tx\xc3\xa9");
    /* Cut short: whole characters or whole escapes only. */
    assert_int_equal(metrics_escape_label("ab\"cd", b, 4), 2);
    assert_string_equal(b, "ab");
    assert_int_equal(metrics_escape_label("ab\"cd", b, 5), 4);
    assert_string_equal(b, "ab\\\"");
    assert_int_equal(metrics_escape_label("x", b, 1), 0);
    assert_string_equal(b, "");
}

static const double bounds[] = { 0.1, 1, 2.5 };

static void test_histogram(void **state)
{
    (void)state;
    struct ctl_histogram h = { .bounds = bounds, .nbounds = 3 };
    ctl_histogram_observe(&h, 0.05);
    ctl_histogram_observe(&h, 0.1);      /* a bound is inclusive: le="0.1" */
    ctl_histogram_observe(&h, 0.5);
    ctl_histogram_observe(&h, 2.5);
    ctl_histogram_observe(&h, 7);        /* only in +Inf */
    assert_int_equal(h.bucket[0], 2);
    assert_int_equal(h.bucket[1], 1);
    assert_int_equal(h.bucket[2], 1);
    assert_int_equal(h.over, 1);
    assert_int_equal(h.count, 5);
    struct evbuffer *out = evbuffer_new();
    assert_int_equal(metrics_histogram(out, "lamon_x_seconds", "Test.", &h), 0);
    char *t = text_of(out);
    assert_string_equal(t, "# HELP lamon_x_seconds Test.\n"
                           "# TYPE lamon_x_seconds histogram\n"
                           "lamon_x_seconds_bucket{le=\"0.1\"} 2\n"
                           "lamon_x_seconds_bucket{le=\"1\"} 3\n"
                           "lamon_x_seconds_bucket{le=\"2.5\"} 4\n"
                           "lamon_x_seconds_bucket{le=\"+Inf\"} 5\n"
                           "lamon_x_seconds_sum 10.15\n"
                           "lamon_x_seconds_count 5\n");
    free(t);
    evbuffer_free(out);
}

static void test_histogram_empty(void **state)
{
    (void)state;
    struct ctl_histogram h = { .bounds = bounds, .nbounds = 3 };
    struct evbuffer *out = evbuffer_new();
    assert_int_equal(metrics_histogram(out, "lamon_y", "Empty.", &h), 0);
    char *t = text_of(out);
    assert_non_null(strstr(t, "lamon_y_bucket{le=\"+Inf\"} 0\nlamon_y_sum 0\nlamon_y_count 0\n"));
    free(t);
    evbuffer_free(out);
}

#define CONF "v3user u sha authpass1 aes privpass1\ndirector lvs1 127.0.0.1:2161\n" \
             "node n1 127.0.0.2:2161\nnode n2 127.0.0.3:2161\nnode n3 127.0.0.4:2161\n" \
             "service www tcp 10.0.0.1:80 nodes 1 director lvs1\n"

static void test_nodes(void **state)
{
    (void)state;
    struct cluster cl;
    memset(&cl, 0, sizeof cl);
    assert_int_equal(cluster_apply_config(&cl, load_ok(CONF)), 0);
    assert_int_equal(cl.nnodes, 3);
    struct node_rt *n = cl.nodes[0];
    snprintf(n->peer.name, sizeof n->peer.name, "we\"ird\\one");
    n->have_sample = true;
    n->hyst.health = NODE_UP;
    n->s.role = ROLE_SERVER;
    snprintf(n->s.service, sizeof n->s.service, "www");
    n->s.load1 = 123;
    n->s.cpu = 4250;                     /* 42.50 % */
    n->s.memtotal = 2048;                /* kB */
    n->s.memavail = 1;
    n->s.conns = 7;
    n->last_seen = 1700000000;
    n->hb.count = 3;
    struct node_rt *spare = cl.nodes[2];     /* a cold spare */
    spare->have_sample = true;
    spare->hyst.health = NODE_UP;
    spare->s.role = ROLE_SPARE;
    spare->s.state = NSTATE_RUNNING;
    struct evbuffer *out = evbuffer_new();
    assert_int_equal(metrics_render(out, &cl), 0);
    char *t = text_of(out);
    static const char *const want[] = {
        "lamon_node_up{node=\"we\\\"ird\\\\one\"} 1\n",
        "lamon_node_up{node=\"n2\"} 0\n",
        "lamon_node_role{node=\"we\\\"ird\\\\one\",role=\"server\",service=\"www\"} 1\n",
        "lamon_node_state{node=\"n2\",state=\"unknown\"} 1\n",
        "lamon_node_load1{node=\"we\\\"ird\\\\one\"} 1.23\n",
        "lamon_node_cpu_ratio{node=\"we\\\"ird\\\\one\"} 0.4250\n",
        "lamon_node_memory_total_bytes{node=\"we\\\"ird\\\\one\"} 2097152\n",
        "lamon_node_memory_available_bytes{node=\"we\\\"ird\\\\one\"} 1024\n",
        "lamon_node_connections{node=\"we\\\"ird\\\\one\"} 7\n",
        "lamon_node_last_seen_timestamp_seconds{node=\"we\\\"ird\\\\one\"} 1700000000\n",
        "lamon_node_heartbeats_received_total{node=\"we\\\"ird\\\\one\"} 3\n",
        "lamon_node_heartbeats_received_total{node=\"n2\"} 0\n",
        "# TYPE lamon_node_heartbeats_received_total counter\n",
        "lamon_node_role{node=\"n3\",role=\"spare\",service=\"\"} 1\n",
        "lamon_service_wanted_nodes{service=\"www\"} 1\n",
        "lamon_service_spares{service=\"www\",kind=\"hot\"} 0\n",
        "lamon_cold_spares 1\n",
        "lamon_director_reachable{director=\"lvs1\"} 0\n",
        "lamon_director_destinations{director=\"lvs1\",service=\"www\"} 0\n",
        "# TYPE lamon_poll_cycle_duration_seconds histogram\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(t, want[i]))
            fail_msg("missing: %s", want[i]);
    /* n2 was never polled: no load, no role, no last-seen time. */
    assert_null(strstr(t, "lamon_node_load1{node=\"n2\"}"));
    assert_null(strstr(t, "lamon_node_role{node=\"n2\""));
    assert_null(strstr(t, "lamon_node_last_seen_timestamp_seconds{node=\"n2\"}"));
    free(t);
    evbuffer_free(out);
    cluster_free(&cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_histogram_empty),
        cmocka_unit_test(test_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
