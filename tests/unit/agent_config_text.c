/* config_text_run: configuration text through registered token handlers,
 * as the SNMP worker loads a reload's text (subagent/config_text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <string.h>

#include "../../subagent/config_text.h"

#define TYPE "lamon-config-text-test"

static char seen[8][64];
static size_t nseen;

static void h_token(const char *token, char *rest)
{
    if (nseen < 8)
        snprintf(seen[nseen++], sizeof seen[0], "%s=%s", token, rest);
}

static int setup(void **state)
{
    (void)state;
    register_config_handler(TYPE, "alpha", h_token, NULL, "X");
    register_config_handler(TYPE, "beta", h_token, NULL, "X");
    return 0;
}

static int fresh(void **state)
{
    (void)state;
    nseen = 0;
    memset(seen, 0, sizeof seen);
    return 0;
}

static void runs_each_line_in_order(void **state)
{
    (void)state;
    char text[] = "alpha 1\n# a comment\n\n   beta two words  \r\nALPHA last";
    assert_int_equal(config_text_run(TYPE, "t.conf", text), 0);
    assert_int_equal(nseen, 3);
    assert_string_equal(seen[0], "alpha=1");
    assert_string_equal(seen[1], "beta=two words");
    assert_string_equal(seen[2], "ALPHA=last");
}

static void counts_unknown_tokens(void **state)
{
    (void)state;
    char text[] = "alpha 1\ninclude /etc/passwd\ngamma 3\nbeta 2\n";
    assert_int_equal(config_text_run(TYPE, "t.conf", text), 2);
    assert_int_equal(nseen, 2);       /* the known lines still ran */
    assert_string_equal(seen[1], "beta=2");
}

static void empty_text_runs_nothing(void **state)
{
    (void)state;
    char text[] = "";
    assert_int_equal(config_text_run(TYPE, "t.conf", text), 0);
    assert_int_equal(nseen, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(runs_each_line_in_order, fresh),
        cmocka_unit_test_setup(counts_unknown_tokens, fresh),
        cmocka_unit_test_setup(empty_text_runs_nothing, fresh),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
