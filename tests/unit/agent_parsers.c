/* cmocka: the agent's parsers (/proc/loadavg, /proc/stat, /proc/meminfo,
 * /proc/uptime, config port lists and argv splitting, lamon-agent.conf
 * limits, the state file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "text_run.h"
#include "../../subagent/agent_config.h"
#include "../../subagent/node_sample.h"
#include "../../subagent/state_file.h"

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

/* --- lamon-agent.conf: every message logged while loading is kept ------- */
static char logged[8192];

static int capture(int major, int minor, void *server, void *client)
{
    (void)major; (void)minor; (void)client;
    const struct snmp_log_message *m = server;
    if (m && m->msg)
        strncat(logged, m->msg, sizeof logged - strlen(logged) - 1);
    return 0;
}

static char conf[64];

static int load_text(const char *text, size_t len)
{
    static bool registered;
    if (!registered) {
        agent_config_register();
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, capture, NULL);
        registered = true;
    }
    snprintf(conf, sizeof conf, "/tmp/agent_parsers.XXXXXX");
    int fd = mkstemp(conf);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    logged[0] = '\0';
    int r = agent_config_load(conf);
    unlink(conf);
    return r;
}

/* The load fails and the log names the file, LINE and WHAT. */
static void conf_bad(const char *text, size_t len, int line, const char *what)
{
    char want[128];
    assert_int_equal(load_text(text, len), -1);
    snprintf(want, sizeof want, "%s: line %d: ", conf, line);
    if (!strstr(logged, want) || !strstr(logged, what))
        print_error("log '%s' lacks '%s' or '%s'\n", logged, want, what);
    assert_non_null(strstr(logged, want));
    assert_non_null(strstr(logged, what));
}

/* Issue 10: values were cut at 4,095 characters (and shorter buffers at
 * theirs) and accepted; now refused at their line, and the configuration
 * in force stays. */
static void config_long_values(void **state)
{
    (void)state;
    static const char good[] = "nodename keep\napp web 80\n";
    assert_int_equal(load_text(good, sizeof good - 1), 0);
    assert_string_equal(agent_config()->nodename, "keep");

    char *t = with_run("nodename n1\nstatedir /@\n", 's', 4999);
    conf_bad(t, strlen(t), 2, "statedir is 5000 characters long; at most 4095");
    free(t);
    /* cut at 255 characters this port list was 80,44 */
    t = with_run("app web @80,443\n", '0', 250);
    conf_bad(t, strlen(t), 1, "app port list is 256 characters long; at most 255");
    free(t);
    /* cut at 31 characters this was op_keep 0 100 */
    t = with_run("op_keep @3600 100\n", '0', 40);
    conf_bad(t, strlen(t), 1, "op_keep is 44 characters long; at most 31");
    free(t);
    t = with_run("app @ 80\n", 'a', 65);
    conf_bad(t, strlen(t), 1, "app name is 65 characters long; at most 64");
    free(t);
    t = with_run("app web 80\napp_start web /bin/echo @\n", 'e', 17000);
    conf_bad(t, strlen(t), 2, "the line is 17024 characters long; at most 16383");
    free(t);
    static const char nul[] = "# comment\0\nnodename hidden\n";
    conf_bad(nul, sizeof nul - 1, 1, "NUL byte");
    static const char inc[] = "nodename n1\nincludeFile /etc/lamon/other.conf\n";
    conf_bad(inc, sizeof inc - 1, 2, "include lines are not supported");
    /* an empty path made the state file "/state" */
    static const char empty[] = "nodename n1\nstatedir \"\"\n";
    conf_bad(empty, sizeof empty - 1, 2, "statedir needs a value");

    /* every refusal kept the configuration in force */
    assert_string_equal(agent_config()->nodename, "keep");
    assert_non_null(agent_config_find_app("web"));
    /* the limits themselves are accepted */
    t = with_run("statedir /@\n", 's', 4094);
    assert_int_equal(load_text(t, strlen(t)), 0);
    assert_int_equal(strlen(agent_config()->statedir), 4095);
    free(t);
    agent_config_free();
}

/* --- the state file --------------------------------------------------------- */
static char sdir[64];

static void state_write(const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/state", sdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static int state_setup(void **state)
{
    (void)state;
    snprintf(sdir, sizeof sdir, "/tmp/agent_parsers_state.XXXXXX");
    return mkdtemp(sdir) ? 0 : -1;
}

static int state_teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/state", sdir);
    unlink(path);
    return rmdir(sdir);
}

/* A line over 255 characters was read as two lines by fgets: its tail
 * ("role 4" here) was taken for a line of its own. */
static void state_long_line(void **state)
{
    (void)state;
    char *t = with_run("state 2\nservice @role 4\n", 'x', 247);
    state_write(t);
    free(t);
    struct node_persist p;
    assert_int_equal(state_file_load(sdir, &p), -1);
    assert_int_equal(p.state, 2);
    assert_int_equal(p.role, 0);
    assert_string_equal(p.service, "");
}

/* What the reader accepts is exactly what a SET can write. */
static void state_strict(void **state)
{
    (void)state;
    struct node_persist p;
    state_write("state 3x\nrole 2\n");
    assert_int_equal(state_file_load(sdir, &p), -1);
    assert_int_equal(p.state, 0);
    assert_int_equal(p.role, 2);
    state_write("service a\tb\n");
    assert_int_equal(state_file_load(sdir, &p), -1);
    assert_string_equal(p.service, "");
    state_write("state 4\nrole 3\nservice web pool\n");
    assert_int_equal(state_file_load(sdir, &p), 0);
    assert_int_equal(p.state, 4);
    assert_int_equal(p.role, 3);
    assert_string_equal(p.service, "web pool");
}

/* Found while writing fuzz/agent_state_file: a field not stored (0) was written as
 * "role 0", which the reader refuses. */
static void state_round_trip(void **state)
{
    (void)state;
    struct node_persist p = { .state = 0, .role = 3 }, q;
    strcpy(p.service, "web");
    assert_int_equal(state_file_save(sdir, &p), 0);
    assert_int_equal(state_file_load(sdir, &q), 0);
    assert_int_equal(q.state, 0);
    assert_int_equal(q.role, 3);
    assert_string_equal(q.service, "web");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loadavg_exact), cmocka_unit_test(loadavg_bad),
        cmocka_unit_test(cpu_delta), cmocka_unit_test(meminfo),
        cmocka_unit_test(uptime), cmocka_unit_test(ports),
        cmocka_unit_test(argv_split),
        cmocka_unit_test(config_long_values),
        cmocka_unit_test_setup_teardown(state_long_line, state_setup, state_teardown),
        cmocka_unit_test_setup_teardown(state_strict, state_setup, state_teardown),
        cmocka_unit_test_setup_teardown(state_round_trip, state_setup, state_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
