/* lamonOpTable over SNMP; see op_mib.h. */
#include "op_mib.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <event2/event.h>
#include <string.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "mib_walk.h"
#include "node_mib.h"
#include "notify.h"
#include "op_hooks.h"
#include "op_table.h"

#define LAMON_OPS_OID 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 9999, 1, 4
static const oid next_index_oid[] = { LAMON_OPS_OID, 1 };
static const oid table_oid[] = { LAMON_OPS_OID, 2 };
static const oid entry_oid[] = { LAMON_OPS_OID, 2, 1 };
#define ENTRY_LEN OID_LENGTH(entry_oid)

enum { COL_TYPE = 2, COL_ARG, COL_STATUS, COL_EXIT, COL_OUTPUT, COL_START, COL_END, COL_ROWSTATUS };

#define RS_ACTIVE 1
#define RS_NOTINSERVICE 2
#define RS_NOTREADY 3
#define RS_CREATEANDGO 4
#define RS_CREATEANDWAIT 5
#define RS_DESTROY 6

static struct event *g_age_timer;

/* --- reads ------------------------------------------------------------- */

struct rows {
    struct op *v[1024];
    size_t n;
};

static void snapshot(struct rows *r)
{
    r->n = 0;
    for (struct op *o = op_table_first(); o && r->n < sizeof r->v / sizeof r->v[0]; o = o->next)
        r->v[r->n++] = o;
}

static int row_index(void *ctx, size_t i, oid *idx, size_t *idxlen)
{
    struct rows *r = ctx;
    if (i >= r->n)
        return 0;
    idx[0] = r->v[i]->index;
    *idxlen = 1;
    return 1;
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
    case COL_TYPE: v = o->type; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    case COL_ARG: snmp_set_var_typed_value(vb, ASN_OCTET_STR, o->arg, strlen(o->arg)); break;
    case COL_STATUS: v = o->status; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    case COL_EXIT: v = o->exit_code; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    case COL_OUTPUT: {
        char buf[OP_OUTPUT_MAX];
        size_t n = op_output_copy(&o->out, buf);
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, buf, n);
        break;
    }
    case COL_START: set_time(vb, o->start_time); break;
    case COL_END: set_time(vb, o->end_time); break;
    default: v = RS_ACTIVE; snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v); break;
    }
}

static void do_get(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *req, int next, struct rows *rows)
{
    netsnmp_variable_list *vb = req->requestvb;
    struct mib_walk_hit hit;
    int found = next
        ? mib_walk_next(entry_oid, ENTRY_LEN, COL_TYPE, COL_ROWSTATUS, vb->name, vb->name_length, row_index, rows, &hit)
        : mib_walk_exact(entry_oid, ENTRY_LEN, COL_TYPE, COL_ROWSTATUS, vb->name, vb->name_length, row_index, rows, &hit);
    if (!found) {
        if (!next)
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
        return;   /* GETNEXT: leave it, the agent moves on past this table */
    }
    if (next)
        snmp_set_var_objid(vb, hit.name, hit.namelen);
    set_column(vb, rows->v[hit.row], hit.col);
}

/* --- writes ------------------------------------------------------------ */

/* The instance's column and index; 0 if the OID is not ENTRY.col.index. */
static int parse_instance(const netsnmp_variable_list *vb, int *col, unsigned *index)
{
    if (vb->name_length < ENTRY_LEN + 1 || snmp_oid_compare(vb->name, ENTRY_LEN, entry_oid, ENTRY_LEN) != 0)
        return 0;
    *col = (int)vb->name[ENTRY_LEN];
    if (vb->name_length != ENTRY_LEN + 2 || vb->name[ENTRY_LEN + 1] < 1 || vb->name[ENTRY_LEN + 1] > 0xffffffffUL)
        return -1;
    *index = (unsigned)vb->name[ENTRY_LEN + 1];
    return 1;
}

/* Per-varbind checks: type, size, writability. */
static int check_varbind(const netsnmp_variable_list *vb, int col)
{
    switch (col) {
    case COL_TYPE:
        if (vb->type != ASN_INTEGER)
            return SNMP_ERR_WRONGTYPE;
        return validate_op_type(*vb->val.integer);
    case COL_ARG:
        if (vb->type != ASN_OCTET_STR)
            return SNMP_ERR_WRONGTYPE;
        return vb->val_len > LAMON_OP_ARG_MAX ? SNMP_ERR_WRONGLENGTH : SNMP_ERR_NOERROR;
    case COL_ROWSTATUS:
        if (vb->type != ASN_INTEGER)
            return SNMP_ERR_WRONGTYPE;
        switch (*vb->val.integer) {
        case RS_ACTIVE: case RS_NOTINSERVICE: case RS_CREATEANDGO: case RS_DESTROY:
            return SNMP_ERR_NOERROR;
        default:   /* notReady cannot be written; createAndWait is not supported */
            return SNMP_ERR_WRONGVALUE;
        }
    case COL_STATUS: case COL_EXIT: case COL_OUTPUT: case COL_START: case COL_END:
        return SNMP_ERR_NOTWRITABLE;
    default:
        return SNMP_ERR_NOCREATION;
    }
}

/* The varbind of column COL for row INDEX in this request, or NULL. */
static netsnmp_request_info *sibling(netsnmp_request_info *list, unsigned index, int col)
{
    for (netsnmp_request_info *r = list; r; r = r->next) {
        int c;
        unsigned i;
        if (parse_instance(r->requestvb, &c, &i) == 1 && i == index && c == col)
            return r;
    }
    return NULL;
}

/* Row-level decision for the varbind REQ (RESERVE2).  Sets the error on the
 * varbind that caused it. */
static void check_row(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all, netsnmp_request_info *req)
{
    int col;
    unsigned index;
    parse_instance(req->requestvb, &col, &index);
    struct op *o = op_table_find(index);
    netsnmp_request_info *rs = sibling(all, index, COL_ROWSTATUS);
    long rsv = rs ? *rs->requestvb->val.integer : 0;

    if (col != COL_ROWSTATUS) {
        if (!rs)
            netsnmp_set_request_error(reqinfo, req, o ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_INCONSISTENTNAME);
        return;   /* judged with its RowStatus */
    }
    if (o) {
        if (rsv == RS_CREATEANDGO || rsv == RS_NOTINSERVICE)
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_INCONSISTENTVALUE);
        else if (rsv == RS_DESTROY && (o->status == OPS_QUEUED || o->status == OPS_RUNNING))
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_INCONSISTENTVALUE);
        else if (rsv == RS_ACTIVE && (sibling(all, index, COL_TYPE) || sibling(all, index, COL_ARG)))
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_INCONSISTENTVALUE);
        return;
    }
    if (rsv == RS_DESTROY)
        return;   /* destroying a row that does not exist succeeds */
    if (rsv != RS_CREATEANDGO) {
        netsnmp_set_request_error(reqinfo, req, SNMP_ERR_INCONSISTENTVALUE);
        return;
    }
    netsnmp_request_info *t = sibling(all, index, COL_TYPE), *a = sibling(all, index, COL_ARG);
    if (!t) {
        netsnmp_set_request_error(reqinfo, req, SNMP_ERR_INCONSISTENTVALUE);
        return;
    }
    const char *arg = a ? (const char *)a->requestvb->val.string : "";
    size_t len = a ? a->requestvb->val_len : 0;
    int rc = op_table_check(*t->requestvb->val.integer, arg, len);
    if (rc != SNMP_ERR_NOERROR)
        netsnmp_set_request_error(reqinfo, a ? a : req, rc);
}

static void commit_row(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all, netsnmp_request_info *req)
{
    int col;
    unsigned index;
    if (parse_instance(req->requestvb, &col, &index) != 1 || col != COL_ROWSTATUS)
        return;
    long rsv = *req->requestvb->val.integer;
    if (rsv == RS_DESTROY) {
        op_table_remove(index);
        return;
    }
    if (rsv != RS_CREATEANDGO || op_table_find(index))
        return;
    netsnmp_request_info *t = sibling(all, index, COL_TYPE), *a = sibling(all, index, COL_ARG);
    if (!t)
        return;
    const char *arg = a ? (const char *)a->requestvb->val.string : "";
    size_t len = a ? a->requestvb->val_len : 0;
    if (!op_table_submit(index, *t->requestvb->val.integer, arg, len))
        netsnmp_set_request_error(reqinfo, req, SNMP_ERR_COMMITFAILED);
}

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler, (void)reginfo;
    switch (reqinfo->mode) {
    case MODE_GET:
    case MODE_GETNEXT: {
        static struct rows rows;   /* 8 KB: kept off the stack */
        snapshot(&rows);
        for (netsnmp_request_info *r = requests; r; r = r->next)
            if (!r->processed)
                do_get(reqinfo, r, reqinfo->mode == MODE_GETNEXT, &rows);
        break;
    }
    case MODE_SET_RESERVE1:
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            int col;
            unsigned index;
            int p = parse_instance(r->requestvb, &col, &index);
            int rc = p == 1 ? check_varbind(r->requestvb, col)
                   : p == -1 && col >= COL_STATUS && col <= COL_END ? SNMP_ERR_NOTWRITABLE
                   : SNMP_ERR_NOCREATION;
            if (rc != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, r, rc);
        }
        break;
    case MODE_SET_RESERVE2:
        for (netsnmp_request_info *r = requests; r; r = r->next)
            check_row(reqinfo, requests, r);
        break;
    case MODE_SET_COMMIT:
        for (netsnmp_request_info *r = requests; r; r = r->next)
            commit_row(reqinfo, requests, r);
        break;
    default:   /* ACTION, FREE, UNDO: nothing was applied before COMMIT */
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
        node_state_set(NODE_STOPPING);   /* the console sees stopping(5) before the node goes */
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
