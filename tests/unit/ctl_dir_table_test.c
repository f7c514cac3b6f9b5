/* cmocka tests of controller/dir_table.c: a director's table between
 * walks is its last walk with the acknowledged writes applied, and a write
 * acknowledged while a walk is in flight survives that walk's answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../../controller/dir_table.h"
#include "../../controller/node_view.h"

#define NSVC 2

static struct sockaddr_storage addr(const char *ip, unsigned port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    assert_int_equal(inet_pton(AF_INET, ip, &a->sin_addr), 1);
    return ss;
}

static struct director_rt *director(void)
{
    struct director_rt *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->vs_present = calloc(NSVC, sizeof *d->vs_present);
    d->walk_vs = calloc(NSVC, sizeof *d->walk_vs);
    assert_true(d->vs_present && d->walk_vs);
    return d;
}

static void director_free(struct director_rt *d)
{
    free(d->dests);
    free(d->walk);
    free(d->acked);
    free(d->vs_present);
    free(d->walk_vs);
    free(d);
}

static struct dir_change change(enum dir_change_kind kind, const char *ip, int weight)
{
    return (struct dir_change){ .kind = kind, .svc = 0, .addr = addr(ip, 80), .weight = weight, .fwd = 3 };
}

/* A walk answers with these destinations of service 0 (weight 1). */
static void walk_answers(struct director_rt *d, const char *const *ips)
{
    size_t n = 0;
    while (ips[n])
        n++;
    d->walk = calloc(n + 1, sizeof *d->walk);
    assert_non_null(d->walk);
    for (size_t i = 0; i < n; i++)
        d->walk[i] = (struct dest_obs){ .svc = 0, .addr = addr(ips[i], 80), .weight = 1, .walked_weight = 1, .fwd = 3 };
    d->nwalk = n;
    d->walk_vs[0] = true;
}

static void walk(struct director_rt *d, const char *const *ips)
{
    d->in_flight = true;
    dir_table_walk_started(d);
    walk_answers(d, ips);
    d->in_flight = false;
    dir_table_walk_done(d, NSVC);
}

static bool holds(const struct director_rt *d, const char *ip, int weight)
{
    struct sockaddr_storage a = addr(ip, 80);
    const struct dest_obs *o = dir_find(d, 0, &a);
    return o && (weight < 0 || o->weight == weight);
}

static void test_acked_between_walks(void **state)
{
    (void)state;
    struct director_rt *d = director();
    walk(d, (const char *const[]){ "10.0.0.1", "10.0.0.2", NULL });
    struct dir_change c = change(DC_DEST_ADD, "10.0.0.3", 5);
    dir_table_acked(d, &c);
    assert_true(holds(d, "10.0.0.3", 5));
    c = change(DC_DEST_WEIGHT, "10.0.0.1", 0);
    dir_table_acked(d, &c);
    assert_true(holds(d, "10.0.0.1", 0));
    struct sockaddr_storage a1 = addr("10.0.0.1", 80);
    assert_int_equal(dir_find(d, 0, &a1)->walked_weight, 1);    /* a drain waits for a walk showing 0 */
    c = change(DC_DEST_REMOVE, "10.0.0.2", 0);
    dir_table_acked(d, &c);
    assert_false(holds(d, "10.0.0.2", -1));
    assert_int_equal(d->ndests, 2);
    /* a second add of one it holds changes its weight, adds nothing */
    c = change(DC_DEST_ADD, "10.0.0.3", 7);
    dir_table_acked(d, &c);
    assert_int_equal(d->ndests, 2);
    assert_true(holds(d, "10.0.0.3", 7));
    c = (struct dir_change){ .kind = DC_VS_CREATE, .svc = 1 };
    dir_table_acked(d, &c);
    assert_true(d->vs_present[1]);
    assert_int_equal(d->nacked, 0);        /* no walk in flight: nothing kept */
    assert_false(d->doubt);
    director_free(d);
}

/* The walk read the table before the director applied the writes: its
 * answer still has the removed one and lacks the added one. */
static void test_acked_during_a_walk(void **state)
{
    (void)state;
    struct director_rt *d = director();
    walk(d, (const char *const[]){ "10.0.0.1", "10.0.0.2", NULL });
    d->in_flight = true;
    dir_table_walk_started(d);
    struct dir_change rm = change(DC_DEST_REMOVE, "10.0.0.1", 0), add = change(DC_DEST_ADD, "10.0.0.3", 1);
    dir_table_acked(d, &rm);
    dir_table_acked(d, &add);
    assert_false(holds(d, "10.0.0.1", -1)); /* applied at once, walk or not */
    assert_true(holds(d, "10.0.0.3", 1));
    walk_answers(d, (const char *const[]){ "10.0.0.1", "10.0.0.2", NULL });
    d->in_flight = false;
    dir_table_walk_done(d, NSVC);
    assert_false(holds(d, "10.0.0.1", -1));
    assert_true(holds(d, "10.0.0.2", 1));
    assert_true(holds(d, "10.0.0.3", 1));
    assert_int_equal(d->ndests, 2);
    /* and the next walk is the truth again: nothing is replayed twice */
    walk(d, (const char *const[]){ "10.0.0.1", NULL });
    assert_true(holds(d, "10.0.0.1", 1));
    assert_int_equal(d->ndests, 1);
    director_free(d);
}

/* More writes during one walk than are kept: the table is in doubt until
 * a walk completes with nothing lost. */
static void test_doubt(void **state)
{
    (void)state;
    struct director_rt *d = director();
    walk(d, (const char *const[]){ NULL });
    d->in_flight = true;
    dir_table_walk_started(d);
    struct dir_change c = change(DC_DEST_WEIGHT, "10.0.0.1", 2);
    for (size_t i = 0; i <= DIR_ACKED_MAX; i++)
        dir_table_acked(d, &c);
    assert_true(d->doubt);
    walk_answers(d, (const char *const[]){ "10.0.0.1", NULL });
    d->in_flight = false;
    dir_table_walk_done(d, NSVC);
    assert_true(d->doubt);                 /* that walk may have missed one */
    walk(d, (const char *const[]){ "10.0.0.1", NULL });
    assert_false(d->doubt);
    director_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acked_between_walks),
        cmocka_unit_test(test_acked_during_a_walk),
        cmocka_unit_test(test_doubt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
