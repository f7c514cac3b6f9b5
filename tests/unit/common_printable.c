/* Unit test of common/printable.c: control bytes, DEL and bytes above
 * ASCII become '?', the copy stops at N bytes, at a NUL or at the end of
 * the buffer, and is always terminated. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "printable.h"

static void test_replaces_unprintable(void **state)
{
    (void)state;
    char out[32];
    assert_string_equal(printable_copy(out, sizeof out, "a\r\nb\x1b[2J\x7f\xc3\xa9z", (size_t)-1), "a??b?[2J???z");
    assert_string_equal(printable_copy(out, sizeof out, "plain text 1.2", (size_t)-1), "plain text 1.2");
}

static void test_bounds(void **state)
{
    (void)state;
    char out[5];
    assert_string_equal(printable_copy(out, sizeof out, "abcdefgh", (size_t)-1), "abcd");
    assert_string_equal(printable_copy(out, sizeof out, "abcdefgh", 2), "ab");
    assert_string_equal(printable_copy(out, sizeof out, "ab\0cd", 5), "ab");
    assert_string_equal(printable_copy(out, sizeof out, NULL, 3), "");
    out[0] = 'x';
    printable_copy(out, 0, "abc", 3);
    assert_int_equal(out[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replaces_unprintable),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
