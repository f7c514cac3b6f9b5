/* lamonOpTable over SNMP; see op_mib.h. */
#include "op_mib.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <event2/event.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "lamon_mib.h"
#include "node_mib.h"
#include "notify.h"
#include "op_hooks.h"
#include "op_set.h"
#include "op_table.h"

static const oid next_index_oid[] = { LAMON_OPS, 1 };
static const oid table_oid[] = { LAMON_OP_TABLE };
static const oid entry_oid[] = { LAMON_OP_ENTRY };
#define ENTRY_LEN OID_LENGTH(entry_oid)

static struct event *g_age_timer;

/* --- reads ------------------------------------------------------------- */

/* The row and column of instance NAME, or NULL. */
static struct op *find_exact(const oid *name, size_t len, int *col)
{
    if (len != ENTRY_LEN + 2 || snmp_oid_compare(name, ENTRY_LEN, entry_oid, ENTRY_LEN) != 0)
        return NULL;
    oid c = name[ENTRY_LEN];
    unsigned i;
    if (c < LO_TYPE || c > LO_ROWSTATUS || !lamon_op_index_decode(name + ENTRY_LEN + 1, 1, &i))
        return NULL;
    *col = (int)c;
    return op_table_find(i);
}

/* The row and column of the first instance after NAME, or NULL.  Column by
 * column: ENTRY.c.i follows NAME for every row when NAME sorts before
 * ENTRY.c or is a prefix of it, for the rows after x when NAME is
 * ENTRY.c.x[...], and for none when NAME sorts after every ENTRY.c.i. */
static struct op *find_next(const oid *name, size_t len, int *col)
{
    oid prefix[ENTRY_LEN + 1];
    memcpy(prefix, entry_oid, sizeof entry_oid);
    for (int c = LO_TYPE; c <= LO_ROWSTATUS; c++) {
        prefix[ENTRY_LEN] = (oid)c;
        size_t k = len < ENTRY_LEN + 1 ? len : ENTRY_LEN + 1;
        int cmp = snmp_oid_compare(name, k, prefix, k);
        struct op *o;
        if (cmp < 0 || (cmp == 0 && len <= ENTRY_LEN + 1))
            o = op_table_first();
        else if (cmp > 0)
            continue;
        else
            o = name[ENTRY_LEN + 1] > UINT_MAX ? NULL : op_table_next_after((unsigned)name[ENTRY_LEN + 1]);
        if (o) {
            *col = c;
            return o;
        }
    }
    return NULL;
}

static void set_time(netsnmp_variable_list *vb, time_t t)
{
    static const u_char zero[8];
    if (!t) {
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, zero, sizeof zero);
        return;
    }
    size_t len;
    u_char *dt = date_n_time(&t, &len);
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, dt, len);
}

static void set_column(netsnmp_variable_list *vb, const struct op *o, int col)
{
    long v;
    switch (col) {
    case LO_TYPE: v = o->type; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    case LO_ARG: snmp_set_var_typed_value(vb, ASN_OCTET_STR, o->arg, strlen(o->arg)); break;
    case LO_STATUS: v = o->status; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    case LO_EXIT: v = o->exit_code; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    case LO_OUTPUT: {
        char buf[OP_OUTPUT_MAX];
        size_t n = op_output_copy(&o->out, buf);
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, buf, n);
        break;
    }
    case LO_START: set_time(vb, o->start_time); break;
    case LO_END: set_time(vb, o->end_time); break;
    default: v = RS_ACTIVE; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    }
}

static void do_get(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *req, int next)
{
    netsnmp_variable_list *vb = req->requestvb;
    int col = 0;
    struct op *o = next ? find_next(vb->name, vb->name_length, &col)
                        : find_exact(vb->name, vb->name_length, &col);
    if (!o) {
        if (!next)
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
        return;   /* GETNEXT: leave it, the agent moves on past this table */
    }
    if (next) {
        oid name[ENTRY_LEN + 2];
        memcpy(name, entry_oid, sizeof entry_oid);
        name[ENTRY_LEN] = (oid)col;
        name[ENTRY_LEN + 1] = o->index;
        snmp_set_var_objid(vb, name, OID_LENGTH(name));
    }
    set_column(vb, o, col);
}

/* --- writes ------------------------------------------------------------ */

/* Decodes a varbind: column and index of ENTRY.col.index (index 0 when
 * the instance is malformed, column 0 when it is no column at all). */
static void decode(const netsnmp_variable_list *vb, struct op_write *w)
{
    memset(w, 0, sizeof *w);
    w->asn = vb->type;
    if (vb->type == ASN_INTEGER && vb->val.integer)
        w->num = *vb->val.integer;
    if (vb->type == ASN_OCTET_STR) {
        w->str = vb->val.string ? (const char *)vb->val.string : "";
        w->len = vb->val_len;
    }
    if (vb->name_length < ENTRY_LEN + 1 || snmp_oid_compare(vb->name, ENTRY_LEN, entry_oid, ENTRY_LEN) != 0)
        return;
    oid c = vb->name[ENTRY_LEN];
    w->col = c >= 1 && c <= LO_ROWSTATUS ? (int)c : 0;
    if (vb->name_length == ENTRY_LEN + 2 && vb->name[ENTRY_LEN + 1] >= 1 && vb->name[ENTRY_LEN + 1] <= UINT_MAX)
        w->index = (unsigned)vb->name[ENTRY_LEN + 1];
}

/* RESERVE2 and COMMIT: the request's varbinds as writes, to op_set, and its
 * verdicts back onto the varbinds. */
static void set_rows(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests, int commit)
{
    size_t n = 0;
    for (netsnmp_request_info *r = requests; r; r = r->next)
        n++;
    struct op_write *w = calloc(n ? n : 1, sizeof *w);
    int *err = calloc(n ? n : 1, sizeof *err);
    if (!w || !err) {
        free(w);
        free(err);
        netsnmp_set_request_error(reqinfo, requests, commit ? SNMP_ERR_COMMITFAILED : SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
    }
    size_t i = 0;
    for (netsnmp_request_info *r = requests; r; r = r->next)
        decode(r->requestvb, &w[i++]);
    if (commit)
        op_set_commit(w, n, err);
    else
        op_set_reserve(w, n, err);
    i = 0;
    for (netsnmp_request_info *r = requests; r; r = r->next, i++)
        if (err[i] != SNMP_ERR_NOERROR)
            netsnmp_set_request_error(reqinfo, r, err[i]);
    free(w);
    free(err);
}

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler, (void)reginfo;
    switch (reqinfo->mode) {
    case MODE_GET:
    case MODE_GETNEXT:
        for (netsnmp_request_info *r = requests; r; r = r->next)
            if (!r->processed)
                do_get(reqinfo, r, reqinfo->mode == MODE_GETNEXT);
        break;
    case MODE_SET_RESERVE1:
        op_table_request_begin(reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0);
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            struct op_write w;
            decode(r->requestvb, &w);
            int rc = op_set_check(&w);
            if (rc != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, r, rc);
        }
        break;
    case MODE_SET_RESERVE2:
        set_rows(reqinfo, requests, 0);
        break;
    case MODE_SET_COMMIT:
        set_rows(reqinfo, requests, 1);
        break;
    case MODE_SET_FREE:
    case MODE_SET_UNDO:
        op_table_request_end();
        break;
    default:   /* ACTION: nothing is applied before COMMIT */
        break;
    }
    return SNMP_ERR_NOERROR;
}

static int next_index_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                              netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler, (void)reginfo;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        u_long v = op_table_next_index();
        snmp_set_var_typed_value(r->requestvb, ASN_UNSIGNED, &v, sizeof v);
    }
    return SNMP_ERR_NOERROR;
}

/* --- wiring ------------------------------------------------------------ */

static void before_start(const struct op *o)
{
    if (o->type == OPT_REBOOT || o->type == OPT_SHUTDOWN)
        node_state_set(NSTATE_STOPPING);   /* the console sees stopping(5) before the node goes */
}

static void completed(const struct op *o)
{
    if (o->type == OPT_KERNEL_SELECT && o->status == OPS_SUCCEEDED)
        node_mib_set_kernel_next(o->arg);
    notify_op_completed(o->index, o->type, o->arg, o->status, o->exit_code);
}

static const struct op_hooks hooks = { before_start, completed };

static void on_age(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    const struct agent_config *c = agent_config();
    op_table_age(time(NULL), c->op_keep_seconds, c->op_keep_count);
}

void op_mib_init(void)
{
    struct event_base *base = agentx_loop_base();
    if (base) {
        op_table_init(base);
        g_age_timer = event_new(base, -1, EV_PERSIST, on_age, NULL);
        struct timeval sec = { 1, 0 };
        if (g_age_timer)
            event_add(g_age_timer, &sec);
    } else {
        snmp_log(LOG_ERR, "op_mib: no event loop; operations cannot run\n");
    }
    op_table_set_hooks(&hooks);

    netsnmp_handler_registration *r = netsnmp_create_handler_registration(
        "lamonOpNextIndex", next_index_handler, next_index_oid, OID_LENGTH(next_index_oid), HANDLER_CAN_RONLY);
    if (!r || netsnmp_register_scalar(r) != MIB_REGISTERED_OK)
        snmp_log(LOG_ERR, "op_mib: cannot register lamonOpNextIndex\n");
    r = netsnmp_create_handler_registration("lamonOpTable", table_handler, table_oid,
                                            OID_LENGTH(table_oid), HANDLER_CAN_RWRITE);
    if (!r || netsnmp_register_handler(r) != MIB_REGISTERED_OK)
        snmp_log(LOG_ERR, "op_mib: cannot register lamonOpTable\n");
}

void op_mib_shutdown(void)
{
    if (g_age_timer)
        event_free(g_age_timer);
    g_age_timer = NULL;
    op_table_shutdown();
}
