/* Shared by the cmocka tests of lamon-controller.conf: load a config text
 * from a temp file, expecting success (load_ok) or a failure whose first
 * error names the file, LINE and contains WHAT (load_bad; load_bad_n for a
 * text with NUL bytes).  Include after
 * <cmocka.h>.  Inline, so a test that needs only load_ok compiles
 * without unused-function warnings. */
#ifndef LAMON_TEST_CTL_CONFIG_LOAD_H
#define LAMON_TEST_CTL_CONFIG_LOAD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../controller/ctl_config.h"

static char path[64];

/* LEN bytes of TEXT: a test may write a NUL byte. */
static inline void write_conf_n(const char *text, size_t len)
{
    snprintf(path, sizeof path, "/tmp/ctl_config_test.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static inline void write_conf(const char *text)
{
    write_conf_n(text, strlen(text));
}

static inline struct ctl_config *load_ok(const char *text)
{
    struct ctl_config *c = NULL;
    char err[512];
    write_conf(text);
    int r = ctl_config_load(path, &c, err, sizeof err);
    unlink(path);
    if (r != 0)
        print_error("unexpected error: %s\n", err);
    assert_int_equal(r, 0);
    assert_non_null(c);
    return c;
}

static inline void load_bad_n(const char *text, size_t len, int line, const char *what)
{
    struct ctl_config *c = (struct ctl_config *)1;
    char err[512], want[128];
    write_conf_n(text, len);
    int r = ctl_config_load(path, &c, err, sizeof err);
    unlink(path);
    assert_int_equal(r, -1);
    assert_null(c);
    snprintf(want, sizeof want, "%s: line %d:", path, line);
    if (!strstr(err, want) || !strstr(err, what))
        print_error("error '%s' lacks '%s' or '%s'\n", err, want, what);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, what));
}

static inline void load_bad(const char *text, int line, const char *what)
{
    load_bad_n(text, strlen(text), line, what);
}

#endif
