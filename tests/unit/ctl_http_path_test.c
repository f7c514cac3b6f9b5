/* cmocka tests of the web console's paths and route patterns
 * (controller/http_path.c): decoding, the limits, and what a pattern's
 * "*" and "**" match. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../controller/http_path.h"

static char seg[HTTP_SEG_MAX][HTTP_SEG_LEN];
static size_t nseg;

static void test_split_decodes(void **state)
{
    (void)state;
    assert_true(http_path_split("/api/v1/nodes/web%2D1/apps/my%20app/start", seg, &nseg));
    assert_int_equal(nseg, 7);
    assert_string_equal(seg[3], "web-1");
    assert_string_equal(seg[5], "my app");
    assert_string_equal(seg[6], "start");
}

static void test_split_drops_empty_segments(void **state)
{
    (void)state;
    assert_true(http_path_split("/", seg, &nseg));
    assert_int_equal(nseg, 0);
    assert_true(http_path_split("//api///v1/", seg, &nseg));
    assert_int_equal(nseg, 2);
    assert_string_equal(seg[1], "v1");
}

static void test_split_refuses(void **state)
{
    (void)state;
    char longseg[HTTP_SEG_LEN + 8];
    memset(longseg, 'a', sizeof longseg);
    longseg[0] = '/';
    longseg[HTTP_SEG_LEN + 1] = '\0';                 /* "/" and HTTP_SEG_LEN letters */
    const char *bad[] = { "", "api/v1", "/a%2Fb", "/a%00b", "/a%zz", "/a%4", "/a%", "/1/2/3/4/5/6/7/8/9", longseg };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (http_path_split(bad[i], seg, &nseg))
            fail_msg("path '%.40s' was accepted", bad[i]);
    }
    assert_false(http_path_split(NULL, seg, &nseg));
    /* The longest segment that fits is taken whole. */
    longseg[HTTP_SEG_LEN] = '\0';
    assert_true(http_path_split(longseg, seg, &nseg));
    assert_int_equal(strlen(seg[0]), HTTP_SEG_LEN - 1);
}

static void test_match(void **state)
{
    (void)state;
    assert_true(http_path_split("/api/v1/nodes/n1/apps/web/stop", seg, &nseg));
    assert_true(http_path_match("/api/v1/nodes/*/apps/*/*", seg, nseg));
    assert_false(http_path_match("/api/v1/nodes/*", seg, nseg));
    assert_false(http_path_match("/api/v1/nodes/*/apps/*", seg, nseg));
    assert_false(http_path_match("/api/v1/nodes/*/apps/*/*/*", seg, nseg));
    assert_true(http_path_match("/api/**", seg, nseg));
    assert_false(http_path_match("/static/**", seg, nseg));
    assert_true(http_path_split("/api/v1/nodes", seg, &nseg));
    assert_true(http_path_match("/api/v1/nodes", seg, nseg));
    assert_false(http_path_match("/api/v1/node", seg, nseg));
    assert_false(http_path_match("/api/v1/nodess", seg, nseg));
    assert_true(http_path_match("/api/v1/nodes/**", seg, nseg));   /* "**" matches no rest too */
    assert_true(http_path_split("/", seg, &nseg));
    assert_true(http_path_match("/", seg, nseg));
    assert_false(http_path_match("/*", seg, nseg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_decodes),
        cmocka_unit_test(test_split_drops_empty_segments),
        cmocka_unit_test(test_split_refuses),
        cmocka_unit_test(test_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
