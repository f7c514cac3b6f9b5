/* cmocka tests of the bound on pending watch jobs (watch_job.h) in the job
 * list (job_list.h): at most WATCH_PER_NODE on a node and WATCH_TOTAL in
 * all, a discarded job never counts, and a job that ended frees its place.
 * No request is sent here: watch jobs only look at the cluster. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../controller/cluster.h"
#include "../../controller/job_list.h"
#include "../../controller/watch_job.h"

#define NODES 65

static struct cluster cl;
static struct event_base *base;

static unsigned add(const char *node)
{
    char err[256] = "";
    if (watch_job_room(node, WATCH_APP, err, sizeof err) < 0)
        return 0;
    struct watch_job *w = watch_job_new(node, WATCH_APP, "web", 1);
    assert_non_null(w);
    return watch_job_start(&cl, w);
}

static void test_bounds(void **state)
{
    (void)state;
    char err[256];
    unsigned first = 0, last = 0;
    for (int k = 0; k < WATCH_PER_NODE; k++) {
        last = add("n1");
        assert_int_not_equal(last, 0);
        if (!first)
            first = last;
    }
    assert_int_equal(watch_job_room("n1", WATCH_APP, err, sizeof err), -1);
    assert_string_equal(err, "node n1: 4 application jobs are still in progress");
    /* ... while a drain or an undrain of it is never refused. */
    assert_int_equal(watch_job_room("n1", WATCH_DRAIN, err, sizeof err), 0);
    assert_int_equal(watch_job_room("n1", WATCH_UNDRAIN, err, sizeof err), 0);

    /* A job whose request was refused never counts. */
    watch_job_discard(watch_job_new("n2", WATCH_DRAIN, NULL, 0));
    assert_int_equal(watch_job_room("n2", WATCH_APP, err, sizeof err), 0);

    /* n1 to n64 hold 256 pending jobs: n65, which has none, is refused. */
    char name[16];
    for (int i = 2; i < NODES; i++) {
        snprintf(name, sizeof name, "n%d", i);
        for (int k = 0; k < WATCH_PER_NODE; k++)
            assert_int_not_equal(add(name), 0);
    }
    assert_int_equal(job_list_pending(NULL, NULL, NULL), WATCH_TOTAL);
    assert_int_equal(watch_job_room("n65", WATCH_APP, err, sizeof err), -1);
    assert_string_equal(err, "256 application jobs are still in progress");

    /* n1 goes down: its jobs fail at the next tick and free their places. */
    cl.nodes[0]->hyst.health = NODE_DOWN;
    event_base_loop(base, EVLOOP_ONCE);
    assert_int_equal(job_list_pending("n1", NULL, NULL), 0);
    assert_int_equal(watch_job_room("n65", WATCH_APP, err, sizeof err), 0);
    assert_int_equal(watch_job_room("n1", WATCH_APP, err, sizeof err), 0);

    unsigned ids[8];
    assert_int_equal(job_list_ids("n1", ids, 8), WATCH_PER_NODE);
    assert_int_equal(ids[0], last);                  /* newest first */
    assert_int_equal(ids[WATCH_PER_NODE - 1], first);
    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    assert_int_equal(job_list_view(b, first, false), 0);
    char view[4096];
    int n = evbuffer_remove(b, view, sizeof view - 1);
    evbuffer_free(b);
    assert_true(n > 0);
    view[n] = '\0';
    assert_non_null(strstr(view, "operation: app start web\n"));
    assert_non_null(strstr(view, "result: failed\n"));
    assert_non_null(strstr(view, "app start: the node went down"));
}

static int setup(void **state)
{
    (void)state;
    char path[] = "/tmp/ctl_watch_job_test.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f)
        return -1;
    for (int i = 1; i <= NODES; i++)
        fprintf(f, "node n%d 127.0.2.%d:1161\n", i, i);
    fclose(f);
    struct ctl_config *cfg;
    char err[512];
    int r = ctl_config_load(path, &cfg, err, sizeof err);
    unlink(path);
    if (r < 0) {
        print_error("%s\n", err);
        return -1;
    }
    if (cluster_apply_config(&cl, cfg) < 0)
        return -1;
    for (size_t i = 0; i < cl.nnodes; i++) {
        cl.nodes[i]->have_sample = true;
        cl.nodes[i]->hyst.health = NODE_UP;
    }
    base = event_base_new();
    watch_job_init(&cl);
    return base && job_list_init(base) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    job_list_free();
    cluster_free(&cl);
    event_base_free(base);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
