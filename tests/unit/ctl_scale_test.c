/* cmocka tests of the scaling and weight options of a service: the "load"
 * and "weights" tokens of controller/ctl_config.c (values, defaults, and
 * each mistake reported with FILE: line N), and the weights-follow formula
 * with its hysteresis (controller/node_view.c, follow_weight). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../controller/node_view.h"
#include "ctl_config_load.h"

/* services need a write user (v3user) */
#define HEAD "v3user u sha authpass1 aes privpass1\ndirector lvs1 127.0.0.1:2161\n"

static void test_defaults(void **state)
{
    (void)state;
    struct ctl_config *c = load_ok(HEAD "service www tcp 10.0.0.1:80 nodes 2 director lvs1\n");
    assert_int_equal(c->services[0].load, CTL_LOAD_LOAD1);
    assert_false(c->services[0].weights_follow);
    assert_int_equal(c->services[0].weight, 1);
    ctl_config_free(c);
}

static void test_tokens(void **state)
{
    (void)state;
    struct ctl_config *c = load_ok(HEAD
        "service www tcp 10.0.0.1:80 nodes 2 max 3 load conns high 8 low 2 weight 100 weights follow director lvs1\n"
        "service dns udp 10.0.0.2:53 nodes 1 load load1 weights fixed director lvs1\n");
    assert_int_equal(c->services[0].load, CTL_LOAD_CONNS);
    assert_true(c->services[0].weights_follow);
    assert_true(c->services[0].high == 8.0 && c->services[0].low == 2.0);
    assert_int_equal(c->services[0].weight, 100);
    assert_int_equal(c->services[1].load, CTL_LOAD_LOAD1);
    assert_false(c->services[1].weights_follow);
    ctl_config_free(c);
}

static void test_errors(void **state)
{
    (void)state;
    load_bad(HEAD "\nservice www tcp 10.0.0.1:80 nodes 2 load cpu director lvs1\n", 4,
             "load must be load1 or conns, not 'cpu'");
    load_bad(HEAD "service www tcp 10.0.0.1:80 nodes 2 weights heavy director lvs1\n", 3,
             "weights must be fixed or follow, not 'heavy'");
    load_bad(HEAD "service www tcp 10.0.0.1:80 nodes 2 weights follow director lvs1\n", 3,
             "'weights follow' needs 'high LOAD'");
    load_bad(HEAD "service www tcp 10.0.0.1:80 nodes 2 load conns high 2 low 5 director lvs1\n", 3,
             "low watermark must be below high");
    load_bad(HEAD "service www tcp 10.0.0.1:80 nodes 2 load conns high -1 director lvs1\n", 3,
             "bad option 'high -1'");
    load_bad(HEAD "service www tcp 10.0.0.1:80 nodes 2 load\n", 3, "'load' needs a value");
}

static void test_follow_formula(void **state)
{
    (void)state;
    /* weight = clamp(round(W * (1 - load / H)), 1, W), no weight in force */
    assert_int_equal(follow_weight(100, 0, 4, -1), 100);
    assert_int_equal(follow_weight(100, 1, 4, -1), 75);
    assert_int_equal(follow_weight(100, 2, 4, -1), 50);
    assert_int_equal(follow_weight(100, 3, 4, -1), 25);
    assert_int_equal(follow_weight(100, 4, 4, -1), 1);     /* full: 1, never 0 */
    assert_int_equal(follow_weight(100, 40, 4, -1), 1);
    assert_int_equal(follow_weight(10, 0.5, 2.0, -1), 8);  /* 7.5 rounds up */
    assert_int_equal(follow_weight(1, 0, 4, -1), 1);
}

static void test_follow_hysteresis(void **state)
{
    (void)state;
    /* Step max(1, W/10) = 10 for W = 100: moves under 10 keep the weight. */
    assert_int_equal(follow_weight(100, 0.2, 4, 100), 100);    /* 95 is 5 away */
    assert_int_equal(follow_weight(100, 0.4, 4, 100), 90);     /* 90 is 10 away */
    assert_int_equal(follow_weight(100, 2.2, 4, 50), 50);      /* 45 */
    assert_int_equal(follow_weight(100, 3, 4, 50), 25);
    /* A drained (0) or out-of-range weight is always corrected. */
    assert_int_equal(follow_weight(100, 3.9, 4, 0), 3);
    assert_int_equal(follow_weight(100, 0, 4, 250), 100);
    /* Step 1 for small bases: every change counts. */
    assert_int_equal(follow_weight(5, 1, 4, 5), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_follow_formula),
        cmocka_unit_test(test_follow_hysteresis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
