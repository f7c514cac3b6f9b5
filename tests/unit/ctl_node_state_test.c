/* cmocka tests of controller/node_state.c: rise/fall hysteresis, flapping,
 * and the panic threshold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../controller/node_state.h"

static void test_rise(void **state)
{
    (void)state;
    struct node_hyst h = { 0 };
    assert_int_equal(node_hyst_feed(&h, true, 3, 2), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, true, 3, 2), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, true, 3, 2), NODE_UP);
    assert_int_equal(h.health, NODE_UP);
    assert_int_equal(node_hyst_feed(&h, true, 3, 2), NODE_UNKNOWN);
}

static void test_fall(void **state)
{
    (void)state;
    struct node_hyst h = { .health = NODE_UP };
    assert_int_equal(node_hyst_feed(&h, false, 2, 3), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, false, 2, 3), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, false, 2, 3), NODE_DOWN);
    assert_int_equal(node_hyst_feed(&h, false, 2, 3), NODE_UNKNOWN);
    /* back up needs `rise` good polls in a row */
    assert_int_equal(node_hyst_feed(&h, true, 2, 3), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, false, 2, 3), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, true, 2, 3), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, true, 2, 3), NODE_UP);
}

static void test_unknown_goes_down(void **state)
{
    (void)state;
    struct node_hyst h = { 0 };
    assert_int_equal(node_hyst_feed(&h, false, 2, 2), NODE_UNKNOWN);
    assert_int_equal(node_hyst_feed(&h, false, 2, 2), NODE_DOWN);
}

/* A node missing half the fall count, over and over, is never taken down. */
static void test_flapping(void **state)
{
    (void)state;
    struct node_hyst h = { .health = NODE_UP };
    for (int round = 0; round < 100; round++) {
        assert_int_equal(node_hyst_feed(&h, false, 2, 4), NODE_UNKNOWN);
        assert_int_equal(node_hyst_feed(&h, false, 2, 4), NODE_UNKNOWN);
        assert_int_equal(node_hyst_feed(&h, true, 2, 4), NODE_UNKNOWN);
    }
    assert_int_equal(h.health, NODE_UP);
}

static void test_panic(void **state)
{
    (void)state;
    assert_false(panic_update(false, 10, 5, 5, 50));     /* exactly 50% is not more */
    assert_true(panic_update(false, 10, 6, 6, 50));
    assert_true(panic_update(true, 10, 0, 6, 50));       /* still most silent: frozen */
    assert_false(panic_update(true, 10, 0, 5, 50));      /* back to <= 50%: thaw */
    assert_false(panic_update(false, 10, 1, 9, 50));     /* slow attrition is not panic */
    assert_false(panic_update(false, 0, 0, 0, 50));
    assert_true(panic_update(false, 1000, 11, 11, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rise),
        cmocka_unit_test(test_fall),
        cmocka_unit_test(test_unknown_goes_down),
        cmocka_unit_test(test_flapping),
        cmocka_unit_test(test_panic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
