/* LAMON-MIB notifications.  send_v2trap() hands them to the AgentX master,
 * which sends them to its trap sinks; the list starts with snmpTrapOID.0
 * (the master adds sysUpTime.0).  Without a master they are dropped by
 * Net-SNMP, which is right: nobody could receive them. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <string.h>

#include "agentx_loop.h"
#include "lamon_mib.h"
#include "notify.h"

static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid nodeName_oid[] = { LAMON_NODE, LN_NAME, 0 };
static const oid nodeState_oid[] = { LAMON_NODE, LN_STATE, 0 };
static const oid nodeRole_oid[] = { LAMON_NODE, LN_ROLE, 0 };
static const oid nodeService_oid[] = { LAMON_NODE, LN_SERVICE, 0 };
static const oid nodeLoad1_oid[] = { LAMON_NODE, LN_LOAD1, 0 };
static const oid nodeConns_oid[] = { LAMON_NODE, LN_CONNS, 0 };
static const oid nodeHeartbeat_oid[] = { LAMON_NODE, LN_HEARTBEAT, 0 };
static const oid nodeKernelRunning_oid[] = { LAMON_NODE, LN_KRUNNING, 0 };
static const oid nodeBootTime_oid[] = { LAMON_NODE, LN_BOOTTIME, 0 };
static const oid appEntry_oid[] = { LAMON_APP_ENTRY };
static const oid opEntry_oid[] = { LAMON_OP_ENTRY };

/* What the traps say about the node, from node_mib (notify_set_node_view). */
static const struct notify_node_view *g_node;

void notify_set_node_view(const struct notify_node_view *v) { g_node = v; }

static const char *node_name(void) { return g_node ? g_node->name() : ""; }

static netsnmp_variable_list *start(unsigned which)
{
    oid trap[] = { LAMON_NOTIFS, which };
    netsnmp_variable_list *v = NULL;
    snmp_varlist_add_variable(&v, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID,
                              trap, sizeof trap);
    return v;
}

static void add_str(netsnmp_variable_list **v, const oid *o, size_t olen, const char *s)
{
    snmp_varlist_add_variable(v, o, olen, ASN_OCTET_STR, s, strlen(s));
}

static void add_int(netsnmp_variable_list **v, const oid *o, size_t olen, long i)
{
    snmp_varlist_add_variable(v, o, olen, ASN_INTEGER, &i, sizeof i);
}

static void emit(netsnmp_variable_list *v, const char *what)
{
    if (!v) {
        snmp_log(LOG_ERR, "notify: out of memory; %s not sent\n", what);
        return;
    }
    if (!agentx_loop_connected())
        snmp_log(LOG_WARNING, "notify: no AgentX master; %s not sent\n", what);
    else
        send_v2trap(v);
    snmp_free_varbind(v);
}

void notify_node_started(void)
{
    netsnmp_variable_list *v = start(LNOTIF_NODE_STARTED);
    size_t len;
    time_t bt = g_node ? g_node->boot_time() : 0;
    u_char *dt = date_n_time(&bt, &len);
    add_str(&v, nodeName_oid, OID_LENGTH(nodeName_oid), node_name());
    snmp_varlist_add_variable(&v, nodeBootTime_oid, OID_LENGTH(nodeBootTime_oid),
                              ASN_OCTET_STR, dt, len);
    add_str(&v, nodeKernelRunning_oid, OID_LENGTH(nodeKernelRunning_oid),
            g_node ? g_node->kernel_running() : "");
    emit(v, "lamonNodeStarted");
}

void notify_node_state_change(void)
{
    netsnmp_variable_list *v = start(LNOTIF_NODE_STATE_CHANGE);
    add_str(&v, nodeName_oid, OID_LENGTH(nodeName_oid), node_name());
    add_int(&v, nodeState_oid, OID_LENGTH(nodeState_oid), g_node ? g_node->state() : 0);
    add_int(&v, nodeRole_oid, OID_LENGTH(nodeRole_oid), g_node ? g_node->role() : 0);
    emit(v, "lamonNodeStateChange");
}

static void add_gauge(netsnmp_variable_list **v, const oid *o, size_t olen, unsigned long g)
{
    snmp_varlist_add_variable(v, o, olen, ASN_GAUGE, &g, sizeof g);
}

void notify_node_heartbeat(unsigned period_ms)
{
    if (!agentx_loop_connected())
        return;                  /* the next one goes; no warning every period */
    netsnmp_variable_list *v = start(LNOTIF_NODE_HEARTBEAT);
    add_str(&v, nodeName_oid, OID_LENGTH(nodeName_oid), node_name());
    add_int(&v, nodeState_oid, OID_LENGTH(nodeState_oid), g_node ? g_node->state() : 0);
    add_int(&v, nodeRole_oid, OID_LENGTH(nodeRole_oid), g_node ? g_node->role() : 0);
    add_str(&v, nodeService_oid, OID_LENGTH(nodeService_oid), g_node ? g_node->service() : "");
    add_gauge(&v, nodeLoad1_oid, OID_LENGTH(nodeLoad1_oid), g_node ? g_node->load1() : 0);
    add_gauge(&v, nodeConns_oid, OID_LENGTH(nodeConns_oid), g_node ? g_node->conns() : 0);
    add_gauge(&v, nodeHeartbeat_oid, OID_LENGTH(nodeHeartbeat_oid), period_ms);
    emit(v, "lamonNodeHeartbeat");
}

/* OID of column COL of lamonAppEntry for the IMPLIED index NAME. */
static size_t app_col_oid(oid *out, size_t max, unsigned col, const char *name)
{
    size_t n = OID_LENGTH(appEntry_oid);
    memcpy(out, appEntry_oid, sizeof appEntry_oid);
    out[n++] = col;
    return n + lamon_app_index_encode(name, out + n, max - n);
}

void notify_app_state_change(const char *app_name, int oper_status)
{
    oid o[MAX_OID_LEN];
    netsnmp_variable_list *v = start(LNOTIF_APP_STATE_CHANGE);
    add_str(&v, nodeName_oid, OID_LENGTH(nodeName_oid), node_name());
    add_str(&v, o, app_col_oid(o, MAX_OID_LEN, LA_LABEL, app_name), app_name);
    add_int(&v, o, app_col_oid(o, MAX_OID_LEN, LA_OPER, app_name), oper_status);
    emit(v, "lamonAppStateChange");
}

void notify_op_completed(unsigned op_index, int type, const char *argument,
                         int status, int exit_code)
{
    oid o[MAX_OID_LEN];
    size_t n = OID_LENGTH(opEntry_oid);
    memcpy(o, opEntry_oid, sizeof opEntry_oid);
    lamon_op_index_encode(op_index, o + n + 1);
    netsnmp_variable_list *v = start(LNOTIF_OP_COMPLETED);
    add_str(&v, nodeName_oid, OID_LENGTH(nodeName_oid), node_name());
    o[n] = LO_TYPE;
    add_int(&v, o, n + 2, type);
    o[n] = LO_ARG;
    add_str(&v, o, n + 2, argument ? argument : "");
    o[n] = LO_STATUS;
    add_int(&v, o, n + 2, status);
    o[n] = LO_EXIT;
    add_int(&v, o, n + 2, exit_code);
    emit(v, "lamonOpCompleted");
}
