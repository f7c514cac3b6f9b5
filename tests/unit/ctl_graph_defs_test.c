/* cmocka tests of the web console's graph definitions
 * (controller/graph_defs.c): every kind x period gives an argv that
 * rrd_graph_v takes ("graph", "-", the period's --start, DEFs of data
 * sources and consolidations the RRD layout has, every variable defined
 * before it is drawn), and librrd really draws it into a 600x240 PNG
 * from RRDs made with the writer's own layout (rrd_layout) and naming
 * (rrd_file_path).  Bad kinds, periods and over-long paths are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../controller/graph_defs.h"
#include "../../controller/rrd_writer.h"

#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const node_kinds[] = { "load", "cpu", "mem", "conns", NULL };
static const char *const app_kinds[] = { "conns", NULL };
static const char *const svc_kinds[] = { "nodes", "conns", NULL };
static const char *const *const kinds_of[] = { [RRD_NODE] = node_kinds, [RRD_APP] = app_kinds,
                                               [RRD_SERVICE] = svc_kinds };
static const char *const layout_kind[] = { [RRD_NODE] = "node", [RRD_APP] = "app", [RRD_SERVICE] = "service" };

static char dir[] = "/tmp/lamon-graph-defs.XXXXXX";

/* Whether the RRD layout of TYPE has data source DS. */
static bool has_ds(enum rrd_kind type, const char *ds)
{
    char buf[24][64];
    const char *argv[24];
    int n = rrd_layout(layout_kind[type], 10, buf, argv);
    char want[80];
    snprintf(want, sizeof want, "DS:%s:", ds);
    for (int i = 0; i < n; i++)
        if (strncmp(argv[i], want, strlen(want)) == 0)
            return true;
    return false;
}

/* The checks every argv must pass; DEFINED collects variable names. */
static void check_argv(const struct graph_argv *g, enum rrd_kind type, enum graph_period p, const char *path)
{
    static const char *const starts[] = { "-1h", "-1d", "-1w", "-1month" };
    assert_true(g->argc > 20 && g->argc <= GRAPH_ARGV_MAX);
    assert_null(g->argv[g->argc]);
    assert_string_equal(g->argv[0], "graph");
    assert_string_equal(g->argv[1], "-");
    char defined[16][16];
    size_t ndef = 0;
    bool start = false, drawn = false;
    for (int i = 2; i < g->argc; i++) {
        const char *a = g->argv[i];
        if (strcmp(a, "--start") == 0) {
            assert_string_equal(g->argv[i + 1], starts[p]);
            start = true;
        }
        if (strncmp(a, "DEF:", 4) == 0) {
            /* DEF:v=PATH:DS:CF */
            const char *eq = strchr(a, '=');
            assert_non_null(eq);
            assert_true(strncmp(eq + 1, path, strlen(path)) == 0);
            char ds[64], cf[16];
            assert_int_equal(sscanf(eq + 1 + strlen(path), ":%63[^:]:%15s", ds, cf), 2);
            assert_true(has_ds(type, ds));
            assert_true(strcmp(cf, "AVERAGE") == 0 || strcmp(cf, "MAX") == 0);
            snprintf(defined[ndef++], 16, "%.*s", (int)(eq - a - 4), a + 4);
        } else if (strncmp(a, "CDEF:", 5) == 0) {
            const char *eq = strchr(a, '=');
            assert_non_null(eq);
            snprintf(defined[ndef++], 16, "%.*s", (int)(eq - a - 5), a + 5);
        } else if (strncmp(a, "LINE", 4) == 0 || strncmp(a, "AREA:", 5) == 0 || strncmp(a, "GPRINT:", 7) == 0) {
            /* The variable drawn must be defined before. */
            const char *v = strchr(a, ':') + 1;
            size_t n = strcspn(v, ":#");
            bool found = false;
            for (size_t k = 0; k < ndef; k++)
                found |= strlen(defined[k]) == n && strncmp(defined[k], v, n) == 0;
            assert_true(found);
            drawn |= a[0] != 'G';
        }
        assert_true(ndef < 16);
    }
    assert_true(start);
    assert_true(drawn);
}

/* librrd draws it: the info list's "image" is a PNG of the whole size.
 * In a child, as the controller does (graph_child.c): librrd's graphing
 * keeps fontconfig/pango state for the life of a process, which is not
 * this test's to own (LeakSanitizer); the child _exits.  0, or what is
 * wrong. */
static int drawn_in_child(struct graph_argv *g)
{
    rrd_clear_error();
    rrd_info_t *info = rrd_graph_v(g->argc, g->argv);
    if (!info) {
        fprintf(stderr, "rrd_graph_v: %s\n", rrd_get_error());
        return 1;
    }
    for (rrd_info_t *i = info; i; i = i->next)
        if (i->type == RD_I_BLO && strcmp(i->key, "image") == 0) {
            const unsigned char *b = i->value.u_blo.ptr;
            if (i->value.u_blo.size <= 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0)
                return 2;
            /* IHDR: width and height, big-endian, at 16 and 20 */
            if (((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19]) != GRAPH_WIDTH ||
                ((b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23]) != GRAPH_HEIGHT)
                return 3;
            return 0;
        }
    return 4;
}

static void check_drawn(struct graph_argv *g)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(drawn_in_child(g));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    /* 1 librrd failed, 2 no PNG, 3 another size, 4 no image */
    assert_int_equal(WEXITSTATUS(status), 0);
}

static char *make_rrd(enum rrd_kind type, const char *name, const char *app)
{
    char *path = rrd_file_path(dir, type, name, app);
    assert_non_null(path);
    char buf[24][64];
    const char *argv[24];
    int n = rrd_layout(layout_kind[type], 10, buf, argv);
    rrd_clear_error();
    if (rrd_create_r(path, 10, time(NULL) - 3600, n, argv) != 0)
        fail_msg("rrd_create_r %s: %s", path, rrd_get_error());
    return path;
}

static void every_kind_and_period(void **state)
{
    (void)state;
    char *paths[] = { make_rrd(RRD_NODE, "web01", NULL), make_rrd(RRD_APP, "web01", "http"),
                      make_rrd(RRD_SERVICE, "www", NULL) };
    const char *names[] = { "web01", "web01-http", "www" };
    struct graph_argv *g = malloc(sizeof *g);
    assert_non_null(g);
    unsigned count = 0;
    for (int t = RRD_NODE; t <= RRD_SERVICE; t++)
        for (const char *const *k = kinds_of[t]; *k; k++)
            for (int p = 0; p < GP_COUNT; p++) {
                assert_true(graph_kind_valid((enum rrd_kind)t, *k));
                assert_int_equal(graph_build(g, (enum rrd_kind)t, *k, (enum graph_period)p, paths[t], names[t]), 0);
                check_argv(g, (enum rrd_kind)t, (enum graph_period)p, paths[t]);
                check_drawn(g);
                count++;
            }
    assert_int_equal(count, (4 + 1 + 2) * 4);
    free(g);
    for (int t = 0; t < 3; t++) {
        unlink(paths[t]);
        free(paths[t]);
    }
}

static void refused(void **state)
{
    (void)state;
    struct graph_argv *g = malloc(sizeof *g);
    assert_non_null(g);
    assert_int_equal(graph_build(g, RRD_NODE, "disk", GP_DAY, "/x/node-a.rrd", "a"), -1);
    assert_int_equal(graph_build(g, RRD_SERVICE, "load", GP_DAY, "/x/service-a.rrd", "a"), -1);
    assert_int_equal(graph_build(g, RRD_APP, "nodes", GP_DAY, "/x/app-a-b.rrd", "a-b"), -1);
    assert_int_equal(graph_build(g, RRD_NODE, "load", GP_COUNT, "/x/node-a.rrd", "a"), -1);
    /* A path of 4,095 ':' is 8,190 bytes escaped, in three DEFs: over the pool. */
    char *longp = malloc(4096);
    assert_non_null(longp);
    memset(longp, ':', 4095);
    longp[4095] = '\0';
    assert_int_equal(graph_build(g, RRD_NODE, "load", GP_DAY, longp, "a"), -1);
    free(longp);
    assert_false(graph_kind_valid(RRD_APP, "load"));
    assert_false(graph_kind_valid(RRD_NODE, ""));
    free(g);
}

static void colons_escaped(void **state)
{
    (void)state;
    struct graph_argv *g = malloc(sizeof *g);
    assert_non_null(g);
    assert_int_equal(graph_build(g, RRD_SERVICE, "nodes", GP_HOUR, "/a:b/service-s.rrd", "s"), 0);
    bool seen = false;
    for (int i = 0; i < g->argc; i++)
        seen |= strcmp(g->argv[i], "DEF:n=/a\\:b/service-s.rrd:nodes:AVERAGE") == 0;
    assert_true(seen);
    free(g);
}

static void periods(void **state)
{
    (void)state;
    enum graph_period p;
    const char *names[] = { "hour", "day", "week", "month" };
    for (int i = 0; i < 4; i++) {
        assert_true(graph_period_parse(names[i], &p));
        assert_int_equal(p, i);
        assert_string_equal(graph_period_name(p), names[i]);
    }
    assert_false(graph_period_parse("year", &p));
    assert_false(graph_period_parse("", &p));
    assert_false(graph_period_parse("Hour", &p));
    /* One pixel column, and at least one step. */
    assert_int_equal(graph_period_ttl(GP_HOUR, 10), 10);
    assert_int_equal(graph_period_ttl(GP_HOUR, 1), 6);
    assert_int_equal(graph_period_ttl(GP_DAY, 10), 144);
    assert_int_equal(graph_period_ttl(GP_WEEK, 10), 1008);
    assert_int_equal(graph_period_ttl(GP_MONTH, 10), 4464);
    assert_int_equal(graph_period_ttl(GP_DAY, 300), 300);
}

static void naming(void **state)
{
    (void)state;
    char *p = rrd_file_path("/d", RRD_NODE, "n1", NULL);
    assert_string_equal(p, "/d/node-n1.rrd");
    free(p);
    p = rrd_file_path("/d", RRD_APP, "n1", "web");
    assert_string_equal(p, "/d/app-n1-web.rrd");
    free(p);
    p = rrd_file_path("/d", RRD_SERVICE, "www", NULL);
    assert_string_equal(p, "/d/service-www.rrd");
    free(p);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_and_period),
        cmocka_unit_test(refused),
        cmocka_unit_test(colons_escaped),
        cmocka_unit_test(periods),
        cmocka_unit_test(naming),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return r;
}
