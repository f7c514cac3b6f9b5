/* cmocka: the SET-value validators (validate.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../../subagent/pkg_apt.h"
#include "../../subagent/validate.h"

#define PKG(s) validate_pkg_spec((s), strlen(s))

static void pkg_names_per_policy(void **state)
{
    (void)state;
    assert_int_equal(PKG("lamon-test-pkg"), SNMP_ERR_NOERROR);
    assert_int_equal(PKG("g++"), SNMP_ERR_NOERROR);
    assert_int_equal(PKG("libstdc++6"), SNMP_ERR_NOERROR);
    assert_int_equal(PKG("0ad"), SNMP_ERR_NOERROR);
    assert_int_equal(PKG("foo=1.0-1"), SNMP_ERR_NOERROR);
    assert_int_equal(PKG("foo=2:1.0~rc1+dfsg-1"), SNMP_ERR_NOERROR);
    /* one character, upper case, leading punctuation */
    assert_int_equal(PKG("a"), SNMP_ERR_WRONGVALUE);
    assert_int_equal(PKG("Foo"), SNMP_ERR_WRONGVALUE);
    assert_int_equal(PKG("-foo"), SNMP_ERR_WRONGVALUE);
    assert_int_equal(PKG(".foo"), SNMP_ERR_WRONGVALUE);
    assert_int_equal(PKG("foo-"), SNMP_ERR_WRONGVALUE);   /* apt: remove */
    assert_int_equal(PKG(""), SNMP_ERR_WRONGVALUE);
}

static void pkg_shell_metacharacters_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "foo;rm -rf /", "$(id)", "`id`", "foo bar", "foo|cat", "foo&", "foo>x",
        "foo\nbar", "foo'", "foo\"", "foo\\", "foo*", "foo?", "foo/bar", "foo:amd64",
        "foo=", "foo=a1", "foo=1;id", "foo=1 2", "foo=:1", "foo==1", "=1.0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(PKG(bad[i]), SNMP_ERR_WRONGVALUE);
    /* an embedded NUL must not cut the check short */
    assert_int_equal(validate_pkg_spec("foo\0;id", 7), SNMP_ERR_WRONGVALUE);
}

static void lengths(void **state)
{
    (void)state;
    char s[200];
    memset(s, 'a', sizeof s);
    assert_int_equal(validate_pkg_spec(s, 129), SNMP_ERR_WRONGLENGTH);
    assert_int_equal(validate_pkg_spec(s, 65), SNMP_ERR_WRONGVALUE);   /* name too long */
    assert_int_equal(validate_pkg_spec(s, 64), SNMP_ERR_NOERROR);
    assert_int_equal(validate_name(s, 65), SNMP_ERR_WRONGLENGTH);
    assert_int_equal(validate_name(s, 64), SNMP_ERR_NOERROR);
    assert_int_equal(validate_name(s, 0), SNMP_ERR_WRONGLENGTH);
    assert_int_equal(validate_op_argument(OPT_PKG_INSTALL, s, 129), SNMP_ERR_WRONGLENGTH);
}

/* What reaches apt-get names exactly one package: never a regex or glob
 * (apt's Pattern-Only option does that part) and never a trailing '+'/'-'
 * modifier, which ":native" keeps away from the end. */
static void pkg_exact_names(void **state)
{
    (void)state;
    char buf[LAMON_OP_ARG_MAX + sizeof ":native"];
    assert_int_equal(pkg_apt_exact("g++", buf, sizeof buf), 0);
    assert_string_equal(buf, "g++:native");
    assert_int_equal(pkg_apt_exact("hello+", buf, sizeof buf), 0);
    assert_string_equal(buf, "hello+:native");
    assert_int_equal(pkg_apt_exact("hello=2:1.0-1", buf, sizeof buf), 0);
    assert_string_equal(buf, "hello:native=2:1.0-1");
    /* a version's last character is apt's modifier too: refused */
    assert_int_equal(validate_pkg_spec("hello=2.10-3+", 13), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_pkg_spec("hello=2.10-", 11), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_pkg_spec("hello=2.10+dfsg-1", 17), SNMP_ERR_NOERROR);
    char tiny[8];
    assert_int_equal(pkg_apt_exact("hello", tiny, sizeof tiny), -1);
    char full[LAMON_OP_ARG_MAX + 1];
    memset(full, 'a', LAMON_OP_ARG_MAX);
    full[LAMON_OP_ARG_MAX] = '\0';
    assert_int_equal(pkg_apt_exact(full, buf, sizeof buf), 0);
}

static void enums(void **state)
{
    (void)state;
    assert_int_equal(validate_op_type(0), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_op_type(1), SNMP_ERR_NOERROR);
    assert_int_equal(validate_op_type(9), SNMP_ERR_NOERROR);
    assert_int_equal(validate_op_type(10), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_op_type(-1), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_truth_value(1), SNMP_ERR_NOERROR);
    assert_int_equal(validate_truth_value(3), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_app_admin(3), SNMP_ERR_NOERROR);
    assert_int_equal(validate_app_admin(4), SNMP_ERR_WRONGVALUE);
}

static void arguments_by_type(void **state)
{
    (void)state;
    assert_int_equal(validate_op_argument(OPT_PKG_INSTALL, "", 0), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(validate_op_argument(OPT_APP_START, "", 0), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(validate_op_argument(OPT_APP_START, "web-1", 5), SNMP_ERR_NOERROR);
    assert_int_equal(validate_op_argument(OPT_APP_START, "web 1", 5), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_op_argument(OPT_REBOOT, "", 0), SNMP_ERR_NOERROR);
    assert_int_equal(validate_op_argument(OPT_REBOOT, "now", 3), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_op_argument(OPT_KERNEL_SELECT, "6.1.0-26-amd64", 14), SNMP_ERR_NOERROR);
    assert_int_equal(validate_op_argument(OPT_KERNEL_SELECT, "../../etc", 9), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_kernel_release("-rc1", 4), SNMP_ERR_WRONGVALUE);
    assert_int_equal(validate_op_argument(42, "x", 1), SNMP_ERR_WRONGVALUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pkg_names_per_policy),
        cmocka_unit_test(pkg_shell_metacharacters_refused),
        cmocka_unit_test(lengths),
        cmocka_unit_test(pkg_exact_names),
        cmocka_unit_test(enums),
        cmocka_unit_test(arguments_by_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
