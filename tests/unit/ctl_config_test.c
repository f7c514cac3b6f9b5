/* cmocka tests of controller/ctl_config.c: every token, defaults, and that
 * each kind of mistake fails the whole load with "FILE: line N". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "ctl_config_load.h"
#include "text_run.h"

static const char full[] =
    "# comment\n"
    "interval 1000\n"
    "in_flight 256\n"
    "rise 3\nfall 4\npanic 40\n"
    "rrddir /var/lib/lamon/rrd\n"
    "rrdcached unix:/run/rrdcached.sock\n"
    "control /run/lamon/ctl.sock owner root:adm mode 0660\n"
    "logfile /var/log/lamon/controller.log\n"
    "v3user lamonadmin sha authpass1 aes privpass1\n"
    "node web1 127.0.1.1:1161\n"
    "node web2 127.0.1.2 community sekrit\n"
    "node web3 [::1]:1162 v3 lamonadmin\n"
    "director lvs1 127.0.0.1:2161 v3 lamonadmin\n"
    "director lvs2 127.0.0.2\n"
    "service www tcp 10.0.0.1:80 nodes 2 min 1 max 4 sched rr fwd masq rport 8080 app nginx high 4.5 low 0.5 director lvs1,lvs2\n"
    "service dns udp 10.0.0.2:53 nodes 1 director lvs2\n";

static void test_full(void **state)
{
    (void)state;
    struct ctl_config *c = load_ok(full);
    assert_int_equal(c->interval_ms, 1000);
    assert_int_equal(c->in_flight, 256);
    assert_int_equal(c->rise, 3);
    assert_int_equal(c->fall, 4);
    assert_int_equal(c->panic_pct, 40);
    assert_string_equal(c->rrddir, "/var/lib/lamon/rrd");
    assert_string_equal(c->rrdcached, "unix:/run/rrdcached.sock");
    assert_string_equal(c->control, "/run/lamon/ctl.sock");
    assert_string_equal(c->control_owner, "root");
    assert_string_equal(c->control_group, "adm");
    assert_int_equal(c->control_mode, 0660);
    assert_int_equal(c->nv3users, 1);
    assert_string_equal(c->v3users[0].auth, "authpass1");
    assert_int_equal(c->write_user, 0);
    assert_int_equal(c->nnodes, 3);
    assert_string_equal(c->nodes[0].host, "127.0.1.1");
    assert_int_equal(c->nodes[0].port, 1161);
    assert_string_equal(c->nodes[0].community, "public");
    assert_int_equal(c->nodes[1].port, 161);
    assert_string_equal(c->nodes[1].community, "sekrit");
    assert_int_equal(c->nodes[2].addr.ss_family, AF_INET6);
    assert_int_equal(c->nodes[2].v3user, 0);
    assert_int_equal(c->ndirectors, 2);
    assert_int_equal(c->nservices, 2);
    const struct ctl_service *s = &c->services[0];
    assert_string_equal(s->name, "www");
    assert_int_equal(s->protocol, 6);
    assert_int_equal(ntohs(((struct sockaddr_in *)&s->vip)->sin_port), 80);
    assert_int_equal(s->nodes, 2);
    assert_int_equal(s->min, 1);
    assert_int_equal(s->max, 4);
    assert_string_equal(s->sched, "rr");
    assert_int_equal(s->fwd, CTL_FWD_MASQ);
    assert_int_equal(s->rport, 8080);
    assert_string_equal(s->app, "nginx");
    assert_true(s->high > 4.49 && s->high < 4.51);
    assert_int_equal(s->ndirectors, 2);
    assert_int_equal(s->directors[1], 1);
    s = &c->services[1];
    assert_int_equal(s->protocol, 17);
    assert_int_equal(s->min, 1);
    assert_int_equal(s->max, 1);
    assert_int_equal(s->rport, 53);
    assert_int_equal(s->fwd, CTL_FWD_ROUTE);
    assert_string_equal(s->sched, "wlc");
    assert_int_equal(ctl_config_find_node(c, "web2"), 1);
    assert_int_equal(ctl_config_find_service(c, "dns"), 1);
    assert_int_equal(ctl_config_find_service(c, "nope"), -1);
    ctl_config_free(c);
}

static void test_defaults(void **state)
{
    (void)state;
    struct ctl_config *c = load_ok("node a 127.0.0.1\n");
    assert_int_equal(c->interval_ms, 10000);
    assert_int_equal(c->rise, 2);
    assert_int_equal(c->fall, 3);
    assert_int_equal(c->panic_pct, 50);
    assert_int_equal(c->in_flight, 64);
    assert_int_equal(c->control_mode, -1);
    assert_int_equal(c->write_user, -1);
    ctl_config_free(c);
}

static void test_errors(void **state)
{
    (void)state;
    load_bad("interval 100\nbogus 1\n", 2, "Unknown token");
    load_bad("rise 0\n", 1, "rise needs one number");
    load_bad("\n\ninterval ten\n", 3, "interval");
    load_bad("fall 2 3\n", 1, "fall");
    load_bad("interval 100\nin_flight 0\n", 2, "in_flight");
    load_bad("node 1bad!name 127.0.0.1\n", 1, "not a valid name");
    load_bad("node a 127.0.0.1:99999\n", 1, "cannot use address");
    load_bad("node a 127.0.0.1\nnode a 127.0.0.2\n", 2, "declared twice");
    load_bad("node a 127.0.0.1 v3 nobody\n", 1, "not declared above");
    load_bad("node a 127.0.0.1 snmpv9 x\n", 1, "expected");
    load_bad("v3user u md5 authpass1 aes privpass1\n", 1, "sha");
    load_bad("v3user u sha short aes privpass1\n", 1, "8 to");
    load_bad("director d 127.0.0.1\nservice s sctp 10.0.0.1:80 nodes 1 director d\n", 2, "tcp or udp");
    load_bad("director d 127.0.0.1\nservice s tcp 10.0.0.1 nodes 1 director d\n", 2, "VIP:PORT");
    load_bad("director d 127.0.0.1\nservice s tcp 10.0.0.1:80 director d\n", 2, "nodes N");
    load_bad("director d 127.0.0.1\nservice s tcp 10.0.0.1:80 nodes 2\n", 2, "director NAME");
    load_bad("service s tcp 10.0.0.1:80 nodes 2 director d\n", 1, "not declared above");
    load_bad("director d 127.0.0.1\nservice s tcp 10.0.0.1:80 nodes 2 max 1 director d\n", 2, "min <= nodes <= max");
    load_bad("director d 127.0.0.1\nservice s tcp 10.0.0.1:80 nodes 2 fwd dr director d\n", 2, "bad option");
    load_bad("director d 127.0.0.1\nservice s tcp 10.0.0.1:80 nodes 2 high 1 low 2 director d\n", 2, "watermark");
    load_bad("director d 127.0.0.1\nservice s tcp 10.0.0.1:80 nodes 2 director d sched\n", 2, "needs a value");
    load_bad("control /x mode 999\n", 1, "octal");
    load_bad("control /x color red\n", 1, "unknown option");
}

static void test_missing_file(void **state)
{
    (void)state;
    struct ctl_config *c = NULL;
    char err[256];
    assert_int_equal(ctl_config_load("/nonexistent/lamon.conf", &c, err, sizeof err), -1);
    assert_null(c);
    assert_non_null(strstr(err, "/nonexistent/lamon.conf"));
}

static void test_node_director_clash(void **state)
{
    (void)state;
    struct ctl_config *c = NULL;
    char err[256];
    write_conf("node x 127.0.0.1\ndirector x 127.0.0.2\n");
    assert_int_equal(ctl_config_load(path, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "both a node and a director"));
    unlink(path);
}

/* Issue 10: over-long values were cut at 1,023 characters and accepted. */
static void test_long_values(void **state)
{
    (void)state;
    /* a word over 4,095 characters is refused at its line, not cut */
    char *t = with_run("interval 1000\nrrddir /@\n", 'x', 5000);
    load_bad(t, 2, "rrddir: word 1 is 5001 characters long; at most 4095");
    free(t);
    t = with_run("v3user u sha authpass1 aes privpass1\ndirector d 127.0.0.1\n"
                 "service s tcp 10.0.0.1:80 nodes 1 app @ director d\n", 'a', 4096);
    load_bad(t, 3, "service: word 7 is 4096 characters long; at most 4095");
    free(t);
    /* a long value that fits its field is kept whole */
    t = with_run("logfile /@\n", 'l', 2000);
    struct ctl_config *c = load_ok(t);
    assert_int_equal(strlen(c->logfile), 2001);
    ctl_config_free(c);
    free(t);
    /* a long number is read whole: cut at 1,023 it was 0 */
    t = with_run("retries @5\n", '0', 1100);
    c = load_ok(t);
    assert_int_equal(c->retries, 5);
    ctl_config_free(c);
    free(t);
    /* an address longer than any host:port */
    t = with_run("node a @\n", 'h', 300);
    load_bad(t, 1, "the address is 300 characters long; at most 262");
    free(t);
    /* a line over 16,383 characters, even a comment */
    t = with_run("interval 1000\n# @\n", 'c', 17000);
    load_bad(t, 2, "the line is 17002 characters long; at most 16383");
    free(t);
    load_bad("v3user u sha authpass1 aes privpass1\ndirector d 127.0.0.1\n"
             "service s tcp 10.0.0.1:80 nodes 1 sched rr sched rr sched rr sched rr sched rr sched rr "
             "sched rr sched rr sched rr sched rr sched rr sched rr sched rr sched rr sched rr director d\n",
             3, "37 words; at most 32");
}

/* A NUL byte made Net-SNMP join a line to the next one: after a comment,
 * the next line vanished. */
static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "# comment\0\ninterval 20\n";
    load_bad_n(text, sizeof text - 1, 1, "NUL byte");
}

/* Only the file given is read, and only its own tokens. */
static void test_include_refused(void **state)
{
    (void)state;
    char inc[64] = "/tmp/ctl_config_inc.XXXXXX";
    int fd = mkstemp(inc);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "interval 2000\n", 14), 14);
    close(fd);
    char text[160];
    snprintf(text, sizeof text, "rise 2\nincludeFile %s\n", inc);
    load_bad(text, 2, "include lines are not supported");
    load_bad("[snmp] logTimestamp yes\n", 1, "[type] lines are not supported");
    unlink(inc);
}

/* Issue 10, "Done when": services but no write user. */
static void test_services_need_v3user(void **state)
{
    (void)state;
    load_bad("node n1 127.0.0.1\ndirector d 127.0.0.1\n"
             "service web tcp 10.0.0.1:80 nodes 2 director d\n", 3,
             "service web: no v3user declared above");
    /* declared below the service is too late, as for every name */
    load_bad("director d 127.0.0.1\nservice web tcp 10.0.0.1:80 nodes 2 director d\n"
             "v3user u sha authpass1 aes privpass1\n", 2, "no v3user declared above");
    /* nodes only (monitoring): no write needed */
    ctl_config_free(load_ok("node n1 127.0.0.1\n"));
    ctl_config_free(load_ok("v3user u sha authpass1 aes privpass1\ndirector d 127.0.0.1\n"
                            "service web tcp 10.0.0.1:80 nodes 2 director d\n"));
}

/* Found while writing fuzz/ctl_config: "nan" passed both range checks of high/low,
 * and a director could be listed twice. */
static void test_nan_and_twice(void **state)
{
    (void)state;
    load_bad("v3user u sha authpass1 aes privpass1\ndirector d 127.0.0.1\n"
             "service s tcp 10.0.0.1:80 nodes 1 high nan weights follow director d\n", 3,
             "bad option 'high nan'");
    load_bad("v3user u sha authpass1 aes privpass1\ndirector d 127.0.0.1\n"
             "service s tcp 10.0.0.1:80 nodes 1 low nan director d\n", 3, "bad option 'low nan'");
    load_bad("v3user u sha authpass1 aes privpass1\ndirector d 127.0.0.1\n"
             "service s tcp 10.0.0.1:80 nodes 1 director d,d\n", 3, "director 'd' is listed twice");
}

/* "hot N": 0..100000 spares, and only with the application a hot spare runs. */
static void test_hot(void **state)
{
    (void)state;
#define HOT_HEAD "v3user u sha authpass1 aes privpass1\ndirector d 127.0.0.1\n"
    struct ctl_config *c = load_ok(HOT_HEAD "service s tcp 10.0.0.1:80 nodes 1 hot 2 app www director d\n"
                                   "service t tcp 10.0.0.1:81 nodes 1 director d\n");
    assert_int_equal(c->services[0].hot, 2);
    assert_int_equal(c->services[1].hot, 0);          /* default: cold spares */
    ctl_config_free(c);
    load_bad(HOT_HEAD "service s tcp 10.0.0.1:80 nodes 1 hot -1 app www director d\n", 3,
             "service s: hot must be a number of spares 0..100000, not '-1'");
    load_bad(HOT_HEAD "service s tcp 10.0.0.1:80 nodes 1 hot 100001 app www director d\n", 3, "0..100000");
    load_bad(HOT_HEAD "service s tcp 10.0.0.1:80 nodes 1 hot x app www director d\n", 3, "not 'x'");
    load_bad(HOT_HEAD "service s tcp 10.0.0.1:80 nodes 1 app www director d hot\n", 3, "'hot' needs a value");
    load_bad(HOT_HEAD "\nservice s tcp 10.0.0.1:80 nodes 1 hot 1 director d\n", 4,
             "service s: 'hot 1' needs 'app APP'");
#undef HOT_HEAD
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_node_director_clash),
        cmocka_unit_test(test_long_values),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_include_refused),
        cmocka_unit_test(test_services_need_v3user),
        cmocka_unit_test(test_nan_and_twice),
        cmocka_unit_test(test_hot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
