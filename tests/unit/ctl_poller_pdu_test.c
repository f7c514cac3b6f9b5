/* cmocka tests of node_poll_apply (controller/node_poll_pdu.c): a node's
 * response page applied to its sample, without a session.  A realistic
 * page fills the sample; values out of their LAMON-MIB range read as 0
 * (enumerations) or are clamped; a name's control characters never reach
 * the sample (they would reach the log); an error status or a page
 * without the node's name changes nothing; a full page of applications
 * asks for more after the last name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../controller/node_poll_pdu.h"

static const oid node_base[] = { LAMON_NODE };
static const oid app_entry[] = { LAMON_APP_ENTRY };

static netsnmp_pdu *response(void)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_RESPONSE);
    assert_non_null(pdu);
    pdu->errstat = SNMP_ERR_NOERROR;
    pdu->errindex = 0;
    return pdu;
}

static void add_scalar(netsnmp_pdu *pdu, int col, u_char type, long v)
{
    oid o[LAMON_ROOT_LEN + 4];
    memcpy(o, node_base, sizeof node_base);
    o[LAMON_ROOT_LEN + 2] = (oid)col;
    o[LAMON_ROOT_LEN + 3] = 0;
    snmp_pdu_add_variable(pdu, o, LAMON_ROOT_LEN + 4, type, &v, sizeof v);
}

static void add_scalar_str(netsnmp_pdu *pdu, int col, const char *s)
{
    oid o[LAMON_ROOT_LEN + 4];
    memcpy(o, node_base, sizeof node_base);
    o[LAMON_ROOT_LEN + 2] = (oid)col;
    o[LAMON_ROOT_LEN + 3] = 0;
    snmp_pdu_add_variable(pdu, o, LAMON_ROOT_LEN + 4, ASN_OCTET_STR, s, strlen(s));
}

static void add_app(netsnmp_pdu *pdu, const char *name, long oper)
{
    static const int cols[] = { LA_OPER, LA_ADMIN, LA_ESTAB, LA_SYNRECV };
    for (size_t c = 0; c < 4; c++) {
        oid o[MAX_OID_LEN];
        size_t len = LAMON_APP_ENTRY_LEN;
        memcpy(o, app_entry, sizeof app_entry);
        o[len++] = (oid)cols[c];
        for (const char *p = name; *p; p++)
            o[len++] = (oid)(unsigned char)*p;
        long v = c == 0 ? oper : c == 1 ? 1 : 7;
        snmp_pdu_add_variable(pdu, o, len, c < 2 ? ASN_INTEGER : ASN_GAUGE, &v, sizeof v);
    }
}

/* The 17 node scalars in the order the poller asks for them. */
static netsnmp_pdu *first_page(const char *name, long state, long role, long load1, long cpu)
{
    netsnmp_pdu *pdu = response();
    add_scalar_str(pdu, LN_NAME, name);
    add_scalar(pdu, LN_STATE, ASN_INTEGER, state);
    add_scalar(pdu, LN_ROLE, ASN_INTEGER, role);
    add_scalar_str(pdu, LN_SERVICE, "web");
    add_scalar(pdu, LN_UPTIME, ASN_TIMETICKS, 4200);
    add_scalar(pdu, LN_LOAD1, ASN_GAUGE, load1);
    add_scalar(pdu, LN_LOAD5, ASN_GAUGE, 20);
    add_scalar(pdu, LN_LOAD15, ASN_GAUGE, 10);
    add_scalar(pdu, LN_CPU, ASN_GAUGE, cpu);
    add_scalar(pdu, LN_MEMTOTAL, ASN_GAUGE, 1000);
    add_scalar(pdu, LN_MEMAVAIL, ASN_GAUGE, 500);
    add_scalar(pdu, LN_CONNS, ASN_GAUGE, 3);
    add_scalar(pdu, LN_SYNRECV, ASN_GAUGE, 0);
    add_scalar(pdu, LN_HEARTBEAT, ASN_GAUGE, 200);
    add_scalar_str(pdu, LN_KRUNNING, "6.1.0-26-amd64");
    add_scalar_str(pdu, LN_KNEXT, "6.1.0-27-amd64\x1b[2J");
    add_scalar_str(pdu, LN_VERSION, "0.1.0");
    return pdu;
}

static void test_realistic_page(void **state)
{
    (void)state;
    netsnmp_pdu *pdu = first_page("node1", NSTATE_RUNNING, ROLE_SERVER, 42, 1234);
    add_app(pdu, "web", APP_UP);
    struct node_sample s = { 0 };
    char after[CTL_NAME_MAX + 1];
    size_t nvb;
    assert_int_equal(node_poll_apply(&s, pdu, after, sizeof after, &nvb), POLL_DONE);
    assert_int_equal(nvb, 21);
    assert_string_equal(s.name, "node1");
    assert_string_equal(s.service, "web");
    assert_int_equal(s.state, NSTATE_RUNNING);
    assert_int_equal(s.role, ROLE_SERVER);
    assert_int_equal(s.load1, 42);
    assert_int_equal(s.cpu, 1234);
    assert_int_equal(s.heartbeat_ms, 200);
    /* The kernels and the agent's version, for lamonctl node and the node page. */
    assert_string_equal(s.kernel, "6.1.0-26-amd64");
    assert_string_equal(s.kernel_next, "6.1.0-27-amd64?[2J");
    assert_string_equal(s.version, "0.1.0");
    assert_int_equal(s.napps, 1);
    assert_string_equal(s.apps[0].name, "web");
    assert_int_equal(s.apps[0].oper, APP_UP);
    assert_int_equal(s.apps[0].estab, 7);
    snmp_free_pdu(pdu);
}

static void test_out_of_range(void **state)
{
    (void)state;
    netsnmp_pdu *pdu = first_page("node1\n2026-01-01 PANIC\x1b[2J", 99, -1, -5, 20000);
    add_app(pdu, "web", 7);
    struct node_sample s = { 0 };
    char after[CTL_NAME_MAX + 1];
    size_t nvb;
    assert_int_equal(node_poll_apply(&s, pdu, after, sizeof after, &nvb), POLL_DONE);
    assert_string_equal(s.name, "node1?2026-01-01 PANIC?[2J");
    assert_int_equal(s.state, 0);
    assert_int_equal(s.role, 0);
    assert_int_equal(s.load1, 0);
    assert_int_equal(s.cpu, 10000);
    assert_int_equal(s.apps[0].oper, 0);
    snmp_free_pdu(pdu);
}

static void test_error_changes_nothing(void **state)
{
    (void)state;
    struct node_sample s, before;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "node1");
    s.napps = 2;
    before = s;
    char after[CTL_NAME_MAX + 1];
    size_t nvb;
    netsnmp_pdu *pdu = first_page("other", NSTATE_RUNNING, ROLE_SPARE, 1, 1);
    add_app(pdu, "web", APP_UP);
    pdu->errstat = SNMP_ERR_GENERR;
    pdu->errindex = 1;
    assert_int_equal(node_poll_apply(&s, pdu, after, sizeof after, &nvb), POLL_BAD);
    assert_memory_equal(&s, &before, sizeof s);
    snmp_free_pdu(pdu);
    /* A first page without the node's name: no LAMON-MIB there. */
    memset(&s, 0, sizeof s);
    before = s;
    pdu = response();
    add_scalar(pdu, LN_STATE, ASN_INTEGER, NSTATE_RUNNING);
    add_app(pdu, "web", APP_UP);
    assert_int_equal(node_poll_apply(&s, pdu, after, sizeof after, &nvb), POLL_BAD);
    assert_memory_equal(&s, &before, sizeof s);
    snmp_free_pdu(pdu);
}

static void test_full_page_asks_for_more(void **state)
{
    (void)state;
    netsnmp_pdu *pdu = first_page("node1", NSTATE_RUNNING, ROLE_SERVER, 1, 1);
    char name[8];
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "a%d", i);
        add_app(pdu, name, APP_UP);
    }
    struct node_sample s = { 0 };
    char after[CTL_NAME_MAX + 1];
    size_t nvb;
    assert_int_equal(node_poll_apply(&s, pdu, after, sizeof after, &nvb), POLL_MORE);
    assert_string_equal(after, "a7");
    assert_int_equal(s.napps, 8);
    snmp_free_pdu(pdu);
    /* The continuation: applications only, ended by the next column. */
    pdu = response();
    add_app(pdu, "b1", APP_DOWN);
    oid o[MAX_OID_LEN];
    memcpy(o, app_entry, sizeof app_entry);
    o[LAMON_APP_ENTRY_LEN] = 99;
    snmp_pdu_add_variable(pdu, o, LAMON_APP_ENTRY_LEN + 1, SNMP_ENDOFMIBVIEW, NULL, 0);
    assert_int_equal(node_poll_apply(&s, pdu, after, sizeof after, &nvb), POLL_DONE);
    assert_int_equal(s.napps, 9);
    assert_string_equal(s.apps[8].name, "b1");
    assert_int_equal(s.apps[8].oper, APP_DOWN);
    assert_string_equal(s.name, "node1");
    snmp_free_pdu(pdu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realistic_page),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_error_changes_nothing),
        cmocka_unit_test(test_full_page_asks_for_more),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
