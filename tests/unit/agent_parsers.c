/* cmocka: the agent's parsers (/proc/loadavg, /proc/stat, /proc/meminfo,
 * /proc/uptime, config port lists and argv splitting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../subagent/agent_config.h"
#include "../../subagent/node_sample.h"

static void loadavg_exact(void **state)
{
    (void)state;
    unsigned l[3];
    assert_int_equal(node_parse_loadavg("0.52 10.05 123.99 1/123 456\n", l), 0);
    assert_int_equal(l[0], 52);
    assert_int_equal(l[1], 1005);
    assert_int_equal(l[2], 12399);
    /* 0.29 is not 28 (float rounding would give 28.999...). */
    assert_int_equal(node_parse_loadavg("0.29 0.57 1.15 1/1 1", l), 0);
    assert_int_equal(l[0], 29);
    assert_int_equal(l[1], 57);
    assert_int_equal(l[2], 115);
}

static void loadavg_bad(void **state)
{
    (void)state;
    unsigned l[3];
    assert_int_equal(node_parse_loadavg("", l), -1);
    assert_int_equal(node_parse_loadavg("x 1 2", l), -1);
    assert_int_equal(node_parse_loadavg("0.5 0.6", l), -1);
}

static void cpu_delta(void **state)
{
    (void)state;
    struct cpu_times a, b;
    const char *s1 = "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n";
    const char *s2 = "cpu  300 0 200 900 100 0 0 0 0 0\n";
    assert_int_equal(node_parse_cpu_times(s1, &a), 0);
    assert_int_equal(node_parse_cpu_times(s2, &b), 0);
    assert_int_equal(a.total, 1000);
    assert_int_equal(a.busy, 200);
    /* delta: busy 300 of total 500 = 60.00 % */
    assert_int_equal(node_cpu_util(&a, &b), 6000);
    assert_int_equal(node_cpu_util(&b, &b), 0);
    assert_int_equal(node_cpu_util(&b, &a), 0);     /* counters went back */
    time_t bt;
    assert_int_equal(node_parse_btime(s1, &bt), 0);
    assert_int_equal(bt, 1700000000);
    assert_int_equal(node_parse_btime(s2, &bt), -1);
    assert_int_equal(node_parse_cpu_times("intr 1 2 3", &a), -1);
}

static void meminfo(void **state)
{
    (void)state;
    unsigned long t, a;
    const char *m = "MemTotal:       24682416 kB\nMemFree:  1 kB\nMemAvailable:   23825904 kB\n";
    assert_int_equal(node_parse_meminfo(m, &t, &a), 0);
    assert_int_equal(t, 24682416);
    assert_int_equal(a, 23825904);
    assert_int_equal(node_parse_meminfo("MemTotal: 5 kB\n", &t, &a), -1);
}

static void uptime(void **state)
{
    (void)state;
    unsigned long long cs;
    assert_int_equal(node_parse_uptime("86575.75 1000.00\n", &cs), 0);
    assert_int_equal(cs, 8657575);
    assert_int_equal(node_parse_uptime("abc", &cs), -1);
}

static void ports(void **state)
{
    (void)state;
    unsigned short p[LAMON_APP_MAX_PORTS];
    size_t n;
    const char *err;
    assert_int_equal(agent_config_parse_ports("80,443,8080", p, LAMON_APP_MAX_PORTS, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(p[1], 443);
    assert_int_equal(agent_config_parse_ports("65535", p, LAMON_APP_MAX_PORTS, &n, &err), 0);
    assert_int_equal(agent_config_parse_ports("0", p, LAMON_APP_MAX_PORTS, &n, &err), -1);
    assert_int_equal(agent_config_parse_ports("65536", p, LAMON_APP_MAX_PORTS, &n, &err), -1);
    assert_string_equal(err, "port out of range 1..65535");
    assert_int_equal(agent_config_parse_ports("80,80", p, LAMON_APP_MAX_PORTS, &n, &err), -1);
    assert_string_equal(err, "port listed twice");
    assert_int_equal(agent_config_parse_ports("80,", p, LAMON_APP_MAX_PORTS, &n, &err), -1);
    assert_int_equal(agent_config_parse_ports("80;81", p, LAMON_APP_MAX_PORTS, &n, &err), -1);
    assert_int_equal(agent_config_parse_ports("-1", p, LAMON_APP_MAX_PORTS, &n, &err), -1);
    assert_int_equal(agent_config_parse_ports("", p, LAMON_APP_MAX_PORTS, &n, &err), -1);
    assert_int_equal(agent_config_parse_ports("1,2,3", p, 2, &n, &err), -1);
    assert_string_equal(err, "too many ports");
}

static void argv_split(void **state)
{
    (void)state;
    struct lamon_argv a;
    const char *err;
    assert_int_equal(agent_config_split_argv("/usr/bin/test -e \"/tmp/a b\" 'c d' $HOME", &a, &err), 0);
    assert_int_equal(a.argc, 5);
    assert_string_equal(a.argv[0], "/usr/bin/test");
    assert_string_equal(a.argv[2], "/tmp/a b");
    assert_string_equal(a.argv[3], "c d");
    assert_string_equal(a.argv[4], "$HOME");   /* no expansion */
    assert_null(a.argv[5]);
    agent_config_free_argv(&a);
    assert_null(a.argv);
    assert_int_equal(agent_config_split_argv("   ", &a, &err), -1);
    assert_int_equal(agent_config_split_argv(NULL, &a, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loadavg_exact), cmocka_unit_test(loadavg_bad),
        cmocka_unit_test(cpu_delta), cmocka_unit_test(meminfo),
        cmocka_unit_test(uptime), cmocka_unit_test(ports),
        cmocka_unit_test(argv_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
