/* cmocka: the request-scoped claims of a multi-varbind SET (op_claims,
 * op_table_reserve, op_set) and the sorted operation list, against a real
 * configuration (two applications, one kernel) in a temp dir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../../subagent/agent_config.h"
#include "../../subagent/op_claims.h"
#include "../../subagent/op_set.h"
#include "../../subagent/op_table.h"

static char dir[] = "/tmp/lamon-claims.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    char conf[2048], sub[300];
    snprintf(sub, sizeof sub, "%s/boot", dir);
    if (mkdir(sub, 0700) != 0)
        return -1;
    write_file("boot/vmlinuz-1.0-test", "fake\n");
    snprintf(conf, sizeof conf,
             "nodename unit\nstatedir %s\nboot_dir %s/boot\ngrub_env %s/grubenv\n"
             "apt_get /bin/true\nreboot_cmd /bin/true\nshutdown_cmd /bin/true\n"
             "app web 1\napp_start web /bin/true\napp_stop web /bin/true\n"
             "app db 2\napp_start db /bin/true\napp_stop db /bin/true\n"
             "app slow 3\napp_start slow /bin/sleep 0.3\napp_stop slow /bin/true\n",
             dir, dir, dir);
    write_file("agent.conf", conf);
    snprintf(sub, sizeof sub, "%s/agent.conf", dir);
    agent_config_register();
    return agent_config_load(sub);
}

static int teardown(void **state)
{
    (void)state;
    op_table_shutdown();
    agent_config_free();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Each test starts with an empty table and no claims. */
static int fresh(void **state)
{
    (void)state;
    op_table_shutdown();
    op_table_request_begin(0);
    op_table_request_end();
    return 0;
}

#define RES(i, t, a) op_table_reserve((i), (t), (a), strlen(a))

static void clash_rule_is_symmetric(void **state)
{
    (void)state;
    const char *args[] = { "web", "db", "" };
    for (int a = OPT_APP_START; a <= OPT_PKG_REMOVE; a++)
        for (int b = OPT_APP_START; b <= OPT_PKG_REMOVE; b++)
            for (size_t x = 0; x < 3; x++)
                for (size_t y = 0; y < 3; y++)
                    assert_int_equal(op_claims_clash(a, args[x], b, args[y]),
                                     op_claims_clash(b, args[y], a, args[x]));
    assert_true(op_claims_clash(OPT_APP_START, "web", OPT_APP_STOP, "web"));
    assert_false(op_claims_clash(OPT_APP_START, "web", OPT_APP_START, "db"));
    assert_true(op_claims_clash(OPT_REBOOT, "", OPT_APP_START, "db"));
    assert_true(op_claims_clash(OPT_PKG_INSTALL, "a", OPT_PKG_REMOVE, "b"));
    assert_false(op_claims_clash(OPT_PKG_INSTALL, "a", OPT_KERNEL_SELECT, "1.0-test"));
}

static void same_target_twice_is_refused(void **state)
{
    (void)state;
    op_table_request_begin(1);
    assert_int_equal(RES(10, OPT_APP_START, "web"), SNMP_ERR_NOERROR);
    assert_int_equal(RES(11, OPT_APP_START, "web"), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(RES(0, OPT_APP_RESTART, "web"), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(RES(0, OPT_APP_START, "db"), SNMP_ERR_NOERROR);
    assert_int_equal(RES(0, OPT_KERNEL_SELECT, "1.0-test"), SNMP_ERR_NOERROR);
    assert_int_equal(RES(12, OPT_KERNEL_SELECT, "1.0-test"), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(RES(13, OPT_PKG_INSTALL, "hello"), SNMP_ERR_NOERROR);
    assert_int_equal(RES(14, OPT_PKG_REMOVE, "other"), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(RES(15, OPT_REBOOT, ""), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(op_claims_count(), 4);
    assert_null(op_table_first());   /* nothing was created */
}

static void node_operation_excludes_the_rest_of_the_request(void **state)
{
    (void)state;
    op_table_request_begin(2);
    assert_int_equal(RES(0, OPT_SHUTDOWN, ""), SNMP_ERR_NOERROR);
    assert_int_equal(RES(0, OPT_PKG_INSTALL, "hello"), SNMP_ERR_INCONSISTENTVALUE);
    op_table_request_end();
    op_table_request_begin(3);
    assert_int_equal(RES(0, OPT_PKG_INSTALL, "hello"), SNMP_ERR_NOERROR);
    assert_int_equal(RES(0, OPT_SHUTDOWN, ""), SNMP_ERR_INCONSISTENTVALUE);
}

static void existing_rows_still_count(void **state)
{
    (void)state;
    assert_non_null(op_table_submit(1, OPT_APP_START, "web", 3));   /* queued: no loop runs it */
    op_table_request_begin(4);
    assert_int_equal(RES(0, OPT_APP_STOP, "web"), SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(RES(1, OPT_APP_START, "db"), SNMP_ERR_INCONSISTENTVALUE);   /* index taken */
    assert_int_equal(RES(0, OPT_REBOOT, ""), SNMP_ERR_NOERROR);   /* waits for web */
    assert_int_equal(op_table_check(OPT_APP_START, "db", 2), SNMP_ERR_NOERROR);
}

static void claims_end_with_the_request(void **state)
{
    (void)state;
    op_table_request_begin(5);
    assert_int_equal(RES(7, OPT_APP_START, "web"), SNMP_ERR_NOERROR);
    op_table_request_begin(5);   /* another handler of the same request */
    assert_int_equal(op_claims_count(), 1);
    op_table_request_begin(6);   /* a new request: the old one was aborted */
    assert_int_equal(op_claims_count(), 0);
    assert_int_equal(RES(7, OPT_APP_START, "web"), SNMP_ERR_NOERROR);
    op_table_request_end();      /* FREE/UNDO */
    assert_int_equal(op_claims_count(), 0);
    assert_int_equal(op_table_next_index(), 1);
}

static void implicit_rows_skip_claimed_indexes(void **state)
{
    (void)state;
    op_table_request_begin(7);
    unsigned n = op_table_next_index();
    assert_int_equal(RES(0, OPT_KERNEL_SELECT, "1.0-test"), SNMP_ERR_NOERROR);
    assert_int_equal(RES(n, OPT_PKG_INSTALL, "hello"), SNMP_ERR_NOERROR);
    assert_int_equal(RES(n + 1, OPT_APP_START, "web"), SNMP_ERR_NOERROR);
    assert_int_equal(op_table_next_index(), n + 2);   /* lamonOpNextIndex too */
    /* COMMIT, the implicit writer first (its subtree came first) */
    const struct op *k = op_table_submit(0, OPT_KERNEL_SELECT, "1.0-test", 8);
    assert_non_null(k);
    assert_int_equal(k->index, n + 2);
    const struct op *p = op_table_submit(n, OPT_PKG_INSTALL, "hello", 5);
    assert_non_null(p);
    assert_int_equal(p->type, OPT_PKG_INSTALL);
    assert_int_equal(p->status, OPS_QUEUED);
    assert_non_null(op_table_submit(n + 1, OPT_APP_START, "web", 3));
    assert_int_equal(op_claims_count(), 0);   /* each commit consumed its claim */
    assert_int_equal(op_table_count(), 3);
}

/* op_set: the verdict on a list of lamonOpTable writes. */
static struct op_write iw(unsigned index, int col, long v)
{
    return (struct op_write){ .col = col, .index = index, .asn = ASN_INTEGER, .num = v };
}
static struct op_write sw(unsigned index, const char *s)
{
    return (struct op_write){ .col = LO_ARG, .index = index, .asn = ASN_OCTET_STR, .str = s, .len = strlen(s) };
}

static int verdict(const struct op_write *w, size_t n)
{
    int err[16];
    assert_true(n <= 16);
    op_table_request_end();
    op_table_request_begin(100);
    op_set_reserve(w, n, err);
    int first = SNMP_ERR_NOERROR;
    for (size_t i = 0; i < n && first == SNMP_ERR_NOERROR; i++)
        first = err[i];
    op_table_request_end();
    return first;
}

static void op_rows_of_one_request(void **state)
{
    (void)state;
    struct op_write two_web[] = {
        iw(20, LO_TYPE, OPT_APP_START), sw(20, "web"), iw(20, LO_ROWSTATUS, RS_CREATEANDGO),
        iw(21, LO_TYPE, OPT_APP_START), sw(21, "web"), iw(21, LO_ROWSTATUS, RS_CREATEANDGO),
    };
    assert_int_equal(verdict(two_web, 6), SNMP_ERR_INCONSISTENTVALUE);
    struct op_write reversed[6];
    for (size_t i = 0; i < 6; i++)
        reversed[i] = two_web[5 - i];
    assert_int_equal(verdict(reversed, 6), SNMP_ERR_INCONSISTENTVALUE);

    struct op_write web_db[] = {
        iw(20, LO_TYPE, OPT_APP_START), sw(20, "web"), iw(20, LO_ROWSTATUS, RS_CREATEANDGO),
        iw(21, LO_TYPE, OPT_APP_START), sw(21, "db"), iw(21, LO_ROWSTATUS, RS_CREATEANDGO),
    };
    assert_int_equal(verdict(web_db, 6), SNMP_ERR_NOERROR);

    struct op_write twice[] = {
        iw(22, LO_TYPE, OPT_APP_START), sw(22, "web"), iw(22, LO_ROWSTATUS, RS_CREATEANDGO), sw(22, "db"),
    };
    assert_int_equal(verdict(twice, 4), SNMP_ERR_INCONSISTENTVALUE);

    /* the request's rows are created at COMMIT, nothing before */
    int err[6];
    op_table_request_begin(101);
    op_set_reserve(web_db, 6, err);
    assert_null(op_table_first());
    op_set_commit(web_db, 6, err);
    assert_int_equal(op_table_count(), 2);
    assert_int_equal(op_table_find(21)->type, OPT_APP_START);
    assert_string_equal(op_table_find(21)->arg, "db");
    assert_int_equal(op_claims_count(), 0);
}

/* The list stays sorted whatever the order of the indexes, past 1,024. */
static void many_rows_in_index_order(void **state)
{
    (void)state;
    enum { N = 3000 };
    unsigned idx[N];
    for (unsigned i = 0; i < N; i++)
        idx[i] = 7 * (i + 1);
    srand(42);
    for (unsigned i = N - 1; i > 0; i--) {
        unsigned j = (unsigned)rand() % (i + 1), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    for (unsigned i = 0; i < N; i++)
        assert_non_null(op_table_submit(idx[i], OPT_PKG_INSTALL, "hello", 5));
    assert_null(op_table_submit(idx[5], OPT_PKG_INSTALL, "hello", 5));   /* index taken */
    assert_int_equal(op_table_count(), N);
    unsigned seen = 0, last = 0;
    for (const struct op *o = op_table_first(); o; o = op_table_next_after(o->index)) {
        assert_true(o->index > last);
        assert_ptr_equal(op_table_find(o->index), o);
        last = o->index;
        seen++;
    }
    assert_int_equal(seen, N);
    assert_int_equal(last, 7 * N);
    assert_null(op_table_find(8));
    assert_int_equal(op_table_next_after(8)->index, 14);
    assert_int_equal(op_table_next_index(), 7 * N + 1);
}

/* Runs the loop until every row has ended. */
static void run_all(struct event_base *base)
{
    time_t limit = time(NULL) + 30;
    for (;;) {
        int busy = 0;
        for (const struct op *o = op_table_first(); o; o = op_table_next_after(o->index))
            busy |= o->status == OPS_QUEUED || o->status == OPS_RUNNING;
        if (!busy || time(NULL) > limit)
            break;
        event_base_loop(base, EVLOOP_ONCE);
    }
}

static void aging_keeps_the_newest(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    assert_non_null(base);
    op_table_init(base);
    for (unsigned i = 1; i <= 5; i++) {
        assert_non_null(op_table_submit(0, OPT_APP_START, i % 2 ? "web" : "db", i % 2 ? 3 : 2));
        run_all(base);
    }
    assert_non_null(op_table_submit(0, OPT_PKG_INSTALL, "hello", 5));   /* queued: the loop is not run */
    const struct op *first = op_table_first();
    assert_int_equal(first->status, OPS_SUCCEEDED);
    op_table_age(time(NULL), 3600, 2);
    unsigned left[8], n = 0;
    for (const struct op *o = op_table_first(); o && n < 8; o = op_table_next_after(o->index))
        left[n++] = o->index;
    /* the two newest finished rows and the queued one */
    assert_int_equal(n, 3);
    assert_int_equal(left[0], 4);
    assert_int_equal(left[1], 5);
    run_all(base);
    op_table_age(time(NULL) + 7200, 3600, 100);
    assert_int_equal(op_table_count(), 0);
    op_table_shutdown();
    event_base_free(base);
}

/* A reboot waits for every other operation, also one queued behind it
 * (a higher index), and nothing starts beside it. */
static void reboot_waits_for_queued_rows(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    assert_non_null(base);
    op_table_init(base);
    /* The application's start takes 0.3 s, so the loop turns while it runs:
     * a /bin/true could end within the turn that started it, and the
     * reboot after it, leaving nothing to see. */
    const struct op *app = op_table_submit(2, OPT_APP_START, "slow", 4);
    const struct op *reboot = op_table_submit(1, OPT_REBOOT, "", 0);
    assert_non_null(app);
    assert_non_null(reboot);
    int turns_while_app_ran = 0;
    for (int i = 0; i < 10000 && reboot->status != OPS_SUCCEEDED && reboot->status != OPS_FAILED; i++) {
        event_base_loop(base, EVLOOP_ONCE);
        if (app->status == OPS_RUNNING) {
            turns_while_app_ran++;
            assert_int_equal(reboot->status, OPS_QUEUED);
        }
    }
    assert_true(turns_while_app_ran > 0);
    run_all(base);
    assert_int_equal(app->status, OPS_SUCCEEDED);
    assert_int_equal(reboot->status, OPS_SUCCEEDED);
    assert_true(reboot->start_time >= app->end_time);
    op_table_shutdown();
    event_base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(clash_rule_is_symmetric, fresh),
        cmocka_unit_test_setup(same_target_twice_is_refused, fresh),
        cmocka_unit_test_setup(node_operation_excludes_the_rest_of_the_request, fresh),
        cmocka_unit_test_setup(existing_rows_still_count, fresh),
        cmocka_unit_test_setup(claims_end_with_the_request, fresh),
        cmocka_unit_test_setup(implicit_rows_skip_claimed_indexes, fresh),
        cmocka_unit_test_setup(op_rows_of_one_request, fresh),
        cmocka_unit_test_setup(many_rows_in_index_order, fresh),
        cmocka_unit_test_setup(aging_keeps_the_newest, fresh),
        cmocka_unit_test_setup(reboot_waits_for_queued_rows, fresh),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
