/* cmocka tests of controller/control_command.c: the control socket's
 * request line.  "json" is a flag only at the end of a read command, never
 * among an operation's arguments; binary, over-long and over-wordy lines
 * are refused with a one-line reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../controller/control_command.h"

static char buf[CTL_LINE_MAX + 64];
static char err[256];

static int parse_n(const char *s, size_t len, struct ctl_request *rq)
{
    memcpy(buf, s, len);
    buf[len] = '\0';
    err[0] = '\0';
    return ctl_request_parse(buf, len, rq, err, sizeof err);
}

static int parse(const char *s, struct ctl_request *rq)
{
    return parse_n(s, strlen(s), rq);
}

static void test_read_commands(void **state)
{
    (void)state;
    struct ctl_request rq;
    assert_int_equal(parse("status", &rq), 0);
    assert_int_equal(rq.cmd, CTL_STATUS);
    assert_false(rq.json);
    assert_int_equal(parse(" \tstatus  json \t", &rq), 0);
    assert_int_equal(rq.cmd, CTL_STATUS);
    assert_true(rq.json);
    assert_int_equal(rq.nargs, 0);
    assert_int_equal(parse("log 20 json", &rq), 0);
    assert_int_equal(rq.num, 20);
    assert_true(rq.json);
    assert_int_equal(parse("log json", &rq), 0);
    assert_int_equal(rq.num, 0);
    assert_true(rq.json);
    assert_int_equal(parse("job 7", &rq), 0);
    assert_int_equal(rq.cmd, CTL_JOB);
    assert_int_equal(rq.num, 7);
}

/* "json" as a name or an argument is a name or an argument. */
static void test_json_is_positional(void **state)
{
    (void)state;
    struct ctl_request rq;
    assert_int_equal(parse("node json", &rq), 0);
    assert_int_equal(rq.cmd, CTL_NODE);
    assert_false(rq.json);
    assert_string_equal(rq.arg[0], "json");
    assert_int_equal(parse("node json json", &rq), 0);
    assert_true(rq.json);
    assert_string_equal(rq.arg[0], "json");
    assert_int_equal(parse("op n1 pkg install json", &rq), 0);
    assert_int_equal(rq.cmd, CTL_OP);
    assert_false(rq.json);
    assert_int_equal(rq.nargs, 4);
    assert_string_equal(rq.arg[3], "json");
    assert_int_equal(parse("op n1 pkg install json hello json", &rq), 0);
    assert_int_equal(rq.nargs, 6);
    assert_string_equal(rq.arg[5], "json");
    assert_int_equal(parse("op n1 pkg install --foo", &rq), 0);
    assert_string_equal(rq.arg[3], "--foo");
    /* not a flag anywhere else either */
    assert_int_equal(parse("json status", &rq), -1);
    assert_int_equal(parse("status json json", &rq), -1);
    assert_string_equal(err, "usage: status [json]");
    assert_int_equal(parse("drain n1 json", &rq), -1);
}

static void test_arguments(void **state)
{
    (void)state;
    struct ctl_request rq;
    assert_int_equal(parse("app n1 web restart", &rq), 0);
    assert_int_equal(rq.admin, 3);
    assert_int_equal(parse("app n1 web reload", &rq), -1);
    assert_int_equal(parse("op n1", &rq), -1);
    assert_int_equal(parse("log -5", &rq), -1);
    assert_int_equal(parse("log 1000001", &rq), -1);
    assert_int_equal(parse("job 4294967296", &rq), -1);
    assert_int_equal(parse("job x", &rq), -1);
    assert_int_equal(parse("frobnicate", &rq), -1);
    assert_string_equal(err, "unknown command 'frobnicate'");
    assert_int_equal(parse("", &rq), -1);
    assert_string_equal(err, "empty command");
    assert_int_equal(parse(" \t ", &rq), -1);
}

static void test_limits(void **state)
{
    (void)state;
    struct ctl_request rq;
    char line[CTL_LINE_MAX + 2];
    /* 24 words fit, 25 do not */
    strcpy(line, "op n1 pkg install");
    for (int i = 0; i < 20; i++)
        strcat(line, " p");
    assert_int_equal(parse(line, &rq), 0);
    assert_int_equal(rq.nargs, 23);
    strcat(line, " p");
    assert_int_equal(parse(line, &rq), -1);
    assert_string_equal(err, "more than 24 words");
    /* CTL_LINE_MAX bytes fit, one more does not */
    memset(line, 'a', sizeof line);
    memcpy(line, "node ", 5);
    assert_int_equal(parse_n(line, CTL_LINE_MAX, &rq), 0);
    assert_int_equal(strlen(rq.arg[0]), CTL_LINE_MAX - 5);
    assert_int_equal(parse_n(line, CTL_LINE_MAX + 1, &rq), -1);
    assert_string_equal(err, "command longer than 1024 bytes");
}

static void test_binary(void **state)
{
    (void)state;
    struct ctl_request rq;
    assert_int_equal(parse_n("status\0json", 11, &rq), -1);
    assert_string_equal(err, "byte 0x00 at offset 6: a command is printable ASCII");
    assert_int_equal(parse("status\r", &rq), -1);
    assert_int_equal(parse("node \x1b[2J", &rq), -1);
    assert_int_equal(parse("node caf\xc3\xa9", &rq), -1);
    assert_null(strchr(err, '\n'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_commands),
        cmocka_unit_test(test_json_is_positional),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
