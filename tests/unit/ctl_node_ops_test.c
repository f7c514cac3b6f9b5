/* cmocka tests of controller/node_ops.c's conversation with an agent, with
 * the SNMP transport (snmp_session.h) replaced by a mock that records each
 * request and lets the test answer it.  The cases the integration test
 * cannot produce on demand: another manager taking the index between our
 * read of lamonOpNextIndex and our createAndGo (re-read, retry at the new
 * index, at most 5 times), a busy target (inconsistentValue with the index
 * unchanged: refused, no retry), and a rebooting node that stops answering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../controller/cluster.h"
#include "../../controller/event_log.h"
#include "../../controller/job_list.h"
#include "../../controller/node_ops.h"
#include "../../controller/snmp_session.h"

/* --- the mock transport ---------------------------------------------------- */
/* Every function of snmp_session.h is defined here, so the linker never
 * takes snmp_session.o from libcontroller.a; a function added there must be
 * added here too (the link fails with a duplicate symbol otherwise). */

/* A job reads over its own session and writes over the node's write
 * session (peer_writes.h): each session keeps its callback, and an answer
 * goes to the session the last request went out on. */
struct ssess { ssess_cb cb; void *owner; };
static struct ssess g_sess[64];
static size_t g_nsess;
static struct ssess *g_last_sess;
static netsnmp_pdu *g_last;          /* the last request sent */
static int g_reqid, g_nsent;

struct ssess *ssess_open(const struct ctl_peer *peer, const struct ctl_v3user *user, unsigned timeout_ms,
                         unsigned retries, ssess_cb cb, void *owner, char *err, size_t errlen)
{
    (void)peer; (void)user; (void)timeout_ms; (void)retries; (void)err; (void)errlen;
    struct ssess *x = &g_sess[g_nsess++ % 64];
    x->cb = cb;
    x->owner = owner;
    return x;
}
unsigned ssess_timeout_ms(const struct ctl_config *cfg) { (void)cfg; return 1000; }
void ssess_close(struct ssess *s) { (void)s; }
void ssess_init(struct event_base *base) { (void)base; }
void ssess_shutdown(void) {}
void ssess_set_owner_free(struct ssess *s, void (*fn)(void *)) { (void)s; (void)fn; }
unsigned ssess_outstanding(const struct ssess *s) { (void)s; return 0; }
int ssess_send(struct ssess *s, netsnmp_pdu *pdu)
{
    g_last_sess = s;
    if (g_last)
        snmp_free_pdu(g_last);
    g_last = pdu;
    g_nsent++;
    return ++g_reqid;
}

/* --- helpers ---------------------------------------------------------------- */

static const oid next_index_oid[] = { LAMON_OP_NEXT };
static const oid op_entry[] = { LAMON_OP_ENTRY };
#define OP_ENTRY_LEN (LAMON_ROOT_LEN + 4)

static struct cluster cl;
static struct event_base *base;

static size_t nvars(const netsnmp_pdu *p)
{
    size_t n = 0;
    for (const netsnmp_variable_list *v = p->variables; v; v = v->next_variable)
        n++;
    return n;
}

static void expect_next_index_get(void)
{
    assert_non_null(g_last);
    assert_int_equal(g_last->command, SNMP_MSG_GET);
    assert_int_equal(nvars(g_last), 1);
    assert_int_equal(snmp_oid_compare(g_last->variables->name, g_last->variables->name_length, next_index_oid,
                                      OID_LENGTH(next_index_oid)), 0);
}

/* A createAndGo SET at INDEX: type, [argument,] RowStatus 4. */
static void expect_create(unsigned index, long type)
{
    assert_non_null(g_last);
    assert_int_equal(g_last->command, SNMP_MSG_SET);
    const netsnmp_variable_list *v = g_last->variables;
    assert_int_equal(snmp_oid_compare(v->name, OP_ENTRY_LEN, op_entry, OP_ENTRY_LEN), 0);
    assert_int_equal(v->name[OP_ENTRY_LEN], LO_TYPE);
    assert_int_equal(v->name[OP_ENTRY_LEN + 1], index);
    assert_int_equal(*v->val.integer, type);
    while (v->next_variable)
        v = v->next_variable;
    assert_int_equal(v->name[OP_ENTRY_LEN], LO_ROWSTATUS);
    assert_int_equal(v->name[OP_ENTRY_LEN + 1], index);
    assert_int_equal(*v->val.integer, ROWSTATUS_CREATEANDGO);
}

/* Answers the last request with ERRSTAT and, when VALS is given, one value
 * per varbind of the request (else the request's varbinds echoed). */
struct val { u_char type; long i; const char *s; };
static void answer(long errstat, const struct val *vals)
{
    netsnmp_pdu *r = snmp_pdu_create(SNMP_MSG_RESPONSE);
    assert_non_null(r);
    r->errstat = errstat;
    size_t k = 0;
    for (const netsnmp_variable_list *v = g_last->variables; v; v = v->next_variable, k++) {
        if (vals && vals[k].type == ASN_OCTET_STR)
            snmp_pdu_add_variable(r, v->name, v->name_length, ASN_OCTET_STR, vals[k].s, strlen(vals[k].s));
        else if (vals && vals[k].type) {
            long x = vals[k].i;
            snmp_pdu_add_variable(r, v->name, v->name_length, vals[k].type, &x, sizeof x);
        } else {
            snmp_pdu_add_variable(r, v->name, v->name_length, v->type, v->val.string, v->val_len);
        }
    }
    g_last_sess->cb(g_last_sess->owner, NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE, g_reqid, r);
    snmp_free_pdu(r);
}

static void answer_index(unsigned idx)
{
    const struct val v[] = { { ASN_UNSIGNED, (long)idx, NULL } };
    answer(SNMP_ERR_NOERROR, v);
}

static void time_out(void) { g_last_sess->cb(g_last_sess->owner, NETSNMP_CALLBACK_OP_TIMED_OUT, g_reqid, g_last); }

/* Runs the job timer until a new request went out (at most ~2 s). */
static void tick_until_sent(void)
{
    int before = g_nsent;
    for (int i = 0; i < 20 && g_nsent == before; i++)
        event_base_loop(base, EVLOOP_ONCE);
    assert_int_not_equal(g_nsent, before);
}

static char view[8192];
static const char *job_view(unsigned job)
{
    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    assert_int_equal(job_list_view(b, job, false), 0);
    size_t n = evbuffer_get_length(b);
    if (n >= sizeof view)
        n = sizeof view - 1;
    evbuffer_remove(b, view, n);
    view[n] = '\0';
    evbuffer_free(b);
    return view;
}

static bool logged(const char *needle)
{
    for (size_t i = 0; i < event_log_count(); i++)
        if (strstr(event_log_line(i), needle))
            return true;
    return false;
}

static unsigned start(char *w0, char *w1)
{
    char *words[] = { w0, w1 };
    char err[256] = "";
    unsigned job = node_ops_start(&cl, "n1", words, w1 ? 2 : 1, err, sizeof err);
    if (!job)
        print_error("node_ops_start: %s\n", err);
    assert_int_not_equal(job, 0);
    return job;
}

/* --- cases -------------------------------------------------------------------- */

static void test_lost_race_retries(void **state)
{
    (void)state;
    unsigned job = start("kernel", "6.1.0-9-amd64");
    expect_next_index_get();
    answer_index(5);
    expect_create(5, 6);
    answer(SNMP_ERR_INCONSISTENTVALUE, NULL);     /* someone created row 5 first */
    expect_next_index_get();
    answer_index(6);
    expect_create(6, 6);
    answer(SNMP_ERR_NOERROR, NULL);
    assert_true(logged("index 5 was taken by another manager; retrying with 6"));
    tick_until_sent();                            /* lamonOpStatus, ExitCode, Output of row 6 */
    assert_int_equal(g_last->command, SNMP_MSG_GET);
    assert_int_equal(nvars(g_last), 3);
    assert_int_equal(g_last->variables->name[OP_ENTRY_LEN], LO_STATUS);
    assert_int_equal(g_last->variables->name[OP_ENTRY_LEN + 1], 6);
    const struct val running[] = { { ASN_INTEGER, 2, NULL }, { ASN_INTEGER, -1, NULL }, { ASN_OCTET_STR, 0, "" } };
    answer(SNMP_ERR_NOERROR, running);
    assert_non_null(strstr(job_view(job), "phase: running"));
    tick_until_sent();
    const struct val done[] = { { ASN_INTEGER, 3, NULL }, { ASN_INTEGER, 0, NULL },
                                { ASN_OCTET_STR, 0, "grub-editenv: ok\n" } };
    answer(SNMP_ERR_NOERROR, done);
    const char *v = job_view(job);
    assert_non_null(strstr(v, "result: ok"));
    assert_non_null(strstr(v, "op_index: 6"));
    assert_non_null(strstr(v, "exit: 0"));
    assert_non_null(strstr(v, "output:\ngrub-editenv: ok\n"));
}

static void test_busy_target_refused(void **state)
{
    (void)state;
    unsigned job = start("kernel", "6.1.0-9-amd64");
    answer_index(7);
    expect_create(7, 6);
    answer(SNMP_ERR_INCONSISTENTVALUE, NULL);
    expect_next_index_get();
    answer_index(7);                              /* nobody took 7: the agent refused */
    const char *v = job_view(job);
    assert_non_null(strstr(v, "result: failed"));
    assert_non_null(strstr(v, "refused by the agent: inconsistentValue"));
}

static void test_always_losing(void **state)
{
    (void)state;
    char *words[] = { "pkg", "install", "foo" };
    char err[256];
    unsigned job = node_ops_start(&cl, "n1", words, 3, err, sizeof err);
    assert_int_not_equal(job, 0);
    unsigned idx = 10, sets = 0;
    answer_index(idx);
    while (g_last->command == SNMP_MSG_SET) {
        expect_create(idx, 7);
        sets++;
        answer(SNMP_ERR_INCONSISTENTVALUE, NULL);
        if (strstr(job_view(job), "result: failed"))
            break;
        expect_next_index_get();
        answer_index(++idx);
    }
    assert_int_equal(sets, 6);                    /* the first try and 5 retries */
    assert_non_null(strstr(job_view(job), "refused by the agent: inconsistentValue"));
}

static void test_wrong_value_no_retry(void **state)
{
    (void)state;
    char *words[] = { "pkg", "install", "Bad_Name!" };
    char err[256];
    unsigned job = node_ops_start(&cl, "n1", words, 3, err, sizeof err);
    assert_int_not_equal(job, 0);
    answer_index(20);
    int sent = g_nsent;
    answer(SNMP_ERR_WRONGVALUE, NULL);
    assert_int_equal(g_nsent, sent);              /* nothing more sent */
    assert_non_null(strstr(job_view(job), "pkg install Bad_Name! refused by the agent: wrongValue"));
}

static void test_reboot_node_goes_away(void **state)
{
    (void)state;
    unsigned job = start("reboot", NULL);         /* a spare: no drain */
    answer_index(30);
    assert_int_equal(nvars(g_last), 2);           /* type and RowStatus: no argument */
    expect_create(30, 4);
    answer(SNMP_ERR_NOERROR, NULL);
    for (int i = 0; i < 3; i++) {
        tick_until_sent();
        time_out();
    }
    const char *v = job_view(job);
    assert_non_null(strstr(v, "result: ok"));
    assert_non_null(strstr(v, "reboot done: the node stopped answering"));
}

static void test_refusals(void **state)
{
    (void)state;
    char err[256];
    char *words[] = { "reboot" };
    assert_int_equal(node_ops_start(&cl, "nosuch", words, 1, err, sizeof err), 0);
    assert_string_equal(err, "no node nosuch");
    cl.nodes[0]->hyst.health = NODE_DOWN;
    assert_int_equal(node_ops_start(&cl, "n1", words, 1, err, sizeof err), 0);
    assert_string_equal(err, "node n1 is down");
    cl.nodes[0]->hyst.health = NODE_UP;
    char *bad[] = { "kernel" };
    assert_int_equal(node_ops_start(&cl, "n1", bad, 1, err, sizeof err), 0);
    assert_non_null(strstr(err, "operation: reboot | shutdown"));
}

static int setup(void **state)
{
    (void)state;
    char path[] = "/tmp/ctl_node_ops_test.XXXXXX";
    const char *text = "v3user admin sha authpass123 aes privpass123\nnode n1 127.0.0.1:1161\n";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        return -1;
    close(fd);
    struct ctl_config *cfg;
    char err[512];
    int r = ctl_config_load(path, &cfg, err, sizeof err);
    unlink(path);
    if (r < 0 || cluster_apply_config(&cl, cfg) < 0)
        return -1;
    struct node_rt *n = cl.nodes[0];
    n->have_sample = true;
    n->hyst.health = NODE_UP;
    n->app.health = NODE_UP;
    n->s.role = ROLE_SPARE;
    n->s.state = NSTATE_RUNNING;
    base = event_base_new();
    node_ops_init(&cl);
    return base && job_list_init(base) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    job_list_free();
    cluster_free(&cl);
    event_base_free(base);
    if (g_last)
        snmp_free_pdu(g_last);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_lost_race_retries),
        cmocka_unit_test(test_busy_target_refused),
        cmocka_unit_test(test_always_losing),
        cmocka_unit_test(test_wrong_value_no_retry),
        cmocka_unit_test(test_reboot_node_goes_away),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
