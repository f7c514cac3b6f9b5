/* cmocka tests of the web console's Host and Origin checks
 * (controller/http_origin.c): which host names a request may use, and
 * which POSTs come from the console's own pages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../controller/http_origin.h"

static struct http_config hc;

static int setup(void **state)
{
    (void)state;
    http_config_init(&hc);
    snprintf(hc.host, sizeof hc.host, "lb-console");
    snprintf(hc.names, sizeof hc.names, "console.example.org console2");
    return 0;
}

static void test_hosts_allowed(void **state)
{
    (void)state;
    const char *good[] = { "127.0.0.1:8080", "127.0.0.1", "10.1.2.3:443", "[::1]:8080", "[::1]", "localhost:8080",
                           "LOCALHOST", "lb-console:8080", "console.example.org", "CONSOLE2:1", NULL };
    for (size_t i = 0; good[i]; i++)
        if (!http_host_allowed(good[i], &hc))
            fail_msg("Host '%s' was refused", good[i]);
    assert_true(http_host_allowed(NULL, &hc));       /* HTTP/1.0: no browser */
}

static void test_hosts_refused(void **state)
{
    (void)state;
    const char *bad[] = { "attacker.example:8080", "console.example.org.attacker.example", "console", "lb-console.evil",
                          "", ":8080", "127.0.0.1:", "127.0.0.1:80a", "127.0.0.1:123456", "::1", "[::1", "[::1]x",
                          "localhost.", "sub.localhost", NULL };
    for (size_t i = 0; bad[i]; i++)
        if (http_host_allowed(bad[i], &hc))
            fail_msg("Host '%s' was allowed", bad[i]);
}

static void test_origin(void **state)
{
    (void)state;
    /* what curl and scripts send: nothing */
    assert_true(http_origin_same(NULL, NULL, "127.0.0.1:8080", false));
    /* the console's own page */
    assert_true(http_origin_same("http://127.0.0.1:8080", "same-origin", "127.0.0.1:8080", false));
    assert_true(http_origin_same("https://console.example.org", NULL, "console.example.org", true));
    assert_true(http_origin_same(NULL, "none", "127.0.0.1:8080", false));
    /* another site, port or scheme */
    assert_false(http_origin_same("http://attacker.example", NULL, "127.0.0.1:8080", false));
    assert_false(http_origin_same("http://127.0.0.1:8081", NULL, "127.0.0.1:8080", false));
    assert_false(http_origin_same("https://127.0.0.1:8080", NULL, "127.0.0.1:8080", false));
    assert_false(http_origin_same("http://127.0.0.1:8080", NULL, "127.0.0.1:8080", true));
    assert_false(http_origin_same("null", NULL, "127.0.0.1:8080", false));
    assert_false(http_origin_same("http://127.0.0.1:8080", NULL, NULL, false));
    assert_false(http_origin_same(NULL, "cross-site", "127.0.0.1:8080", false));
    assert_false(http_origin_same(NULL, "same-site", "127.0.0.1:8080", false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hosts_allowed, setup),
        cmocka_unit_test_setup(test_hosts_refused, setup),
        cmocka_unit_test_setup(test_origin, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
