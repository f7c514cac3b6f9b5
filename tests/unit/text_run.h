/* For the unit tests of the config readers: a text with a long run of one
 * character, to test the length limits.  Include after <cmocka.h>. */
#ifndef LAMON_TEST_TEXT_RUN_H
#define LAMON_TEST_TEXT_RUN_H

#include <stdlib.h>
#include <string.h>

/* FMT with N copies of C in place of its one '@' (heap). */
static char *with_run(const char *fmt, char c, size_t n)
{
    const char *at = strchr(fmt, '@');
    size_t head = (size_t)(at - fmt), len = strlen(fmt) - 1 + n;
    char *s = malloc(len + 1);
    assert_non_null(s);
    memcpy(s, fmt, head);
    memset(s + head, c, n);
    strcpy(s + head + n, at + 1);
    return s;
}

#endif
