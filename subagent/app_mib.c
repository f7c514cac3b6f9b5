/* lamonAppTable: one row per configured application (table_iterator over
 * the rows array, IMPLIED name index).
 *
 * Oper status comes from a periodic check (check_ms): the configured
 * app_check argv, run through op_runner like every other command the agent
 * starts (own process group, no agent descriptor, a time limit, reaped from
 * the loop), so that the agent never blocks on it (the master drops a
 * subagent that takes more than agentXTimeout to answer); or, by default, "something
 * listens on every port", from the same sock_diag dump that counts the
 * connections.  Counts are cached for cache_ms. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent_config.h"
#include "agentx_loop.h"
#include "app_mib.h"
#include "lamon_mib.h"
#include "mono_ms.h"
#include "notify.h"
#include "op_runner.h"
#include "sock_diag.h"

#define CHECK_TIMEOUT_S APP_CHECK_TIMEOUT_S

static const oid lamonAppTable_oid[] = { LAMON_APP_TABLE };

struct app_row {
    char name[LAMON_NAME_MAX + 1];
    unsigned short ports[LAMON_APP_MAX_PORTS];
    size_t nports;
    int check_result;       /* APP_UP/DOWN/UNKNOWN from the last check */
    int shown;              /* last reported oper status (with busy_state) */
    int admin;              /* desired: APP_ADMIN_UP or APP_ADMIN_DOWN */
    time_t last_change;
    unsigned est, syn;
    unsigned check_id;      /* the running check's id, 0 when none runs */
    bool was_busy;          /* starting or stopping when last shown */
    bool check_crossed;     /* the running check saw it starting or stopping */
};

static struct app_row *rows;
static size_t nrows;
static const struct app_admin_ops *admin_ops;
static struct event *check_timer;
static time_t agent_started;
static unsigned last_check_id;

/* The sock_diag figures, shared by the rows and the node totals. */
static struct sock_diag_port *diag;
static size_t ndiag;
static struct timespec counted_at;
static int have_counts;

static struct sock_diag_port *diag_port(unsigned short port)
{
    for (size_t i = 0; i < ndiag; i++)
        if (diag[i].port == port)
            return &diag[i];
    return NULL;
}

/* Distinct ports of all rows; called whenever the rows change. */
static void build_diag_ports(void)
{
    free(diag);
    diag = NULL;
    ndiag = 0;
    have_counts = 0;
    size_t max = 0;
    for (size_t i = 0; i < nrows; i++)
        max += rows[i].nports;
    if (max == 0)
        return;
    diag = calloc(max, sizeof *diag);
    if (!diag) {
        snmp_log(LOG_ERR, "app_mib: out of memory\n");
        return;
    }
    for (size_t i = 0; i < nrows; i++)
        for (size_t p = 0; p < rows[i].nports; p++)
            if (!diag_port(rows[i].ports[p]))
                diag[ndiag++].port = rows[i].ports[p];
}

static void refresh_counts(int force)
{
    if (!force && have_counts && ms_since(&counted_at) < (long)agent_config()->cache_ms)
        return;
    if (sock_diag_count(diag, ndiag) != 0)
        return;     /* logged; keep the previous figures */
    have_counts = 1;
    clock_gettime(CLOCK_MONOTONIC, &counted_at);
    for (size_t i = 0; i < nrows; i++) {
        struct app_row *r = &rows[i];
        r->est = r->syn = 0;
        for (size_t p = 0; p < r->nports; p++) {
            const struct sock_diag_port *d = diag_port(r->ports[p]);
            if (d) {
                r->est += d->established;
                r->syn += d->syn_recv;
            }
        }
    }
}

void app_mib_node_conns(unsigned *established, unsigned *syn_recv)
{
    refresh_counts(0);
    *established = *syn_recv = 0;
    for (size_t i = 0; i < ndiag; i++) {
        *established += diag[i].established;
        *syn_recv += diag[i].syn_recv;
    }
}

static bool row_busy(const struct app_row *r)
{
    if (!admin_ops || !admin_ops->busy_state)
        return false;
    int b = admin_ops->busy_state(r->name);
    return b == APP_STARTING || b == APP_STOPPING;
}

static int effective_oper(const struct app_row *r)
{
    return row_busy(r) ? admin_ops->busy_state(r->name) : r->check_result;
}

/* Records a change of the shown status and notifies it.  The first real
 * result after start (from unknown) is no change: lastChange stays at the
 * agent's start, as the MIB says. */
/* A check from before a start or stop ended says nothing about the
 * application after it: unknown until a check that began afterwards.
 * (Shown as down, it told the controller a just-started application had
 * failed.) */
static void note_busy(struct app_row *r)
{
    bool busy = row_busy(r);
    if (busy && r->check_id)
        r->check_crossed = true;
    if (r->was_busy && !busy)
        r->check_result = APP_UNKNOWN;
    r->was_busy = busy;
}

static void update_shown(struct app_row *r)
{
    note_busy(r);
    int now = effective_oper(r);
    if (now == r->shown)
        return;
    int was = r->shown;
    r->shown = now;
    if (was == 0)
        return;
    r->last_change = time(NULL);
    snmp_log(LOG_NOTICE, "app %s: oper status %d -> %d\n", r->name, was, now);
    notify_app_state_change(r->name, now);
}

/* Checks are known by an id, not a row pointer: a reload moves the rows,
 * and a removed application's check may still end afterwards. */
static struct app_row *row_by_check(unsigned id)
{
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].check_id == id)
            return &rows[i];
    return NULL;
}

static void check_finished(void *ctx, int exit_code, const struct op_output *out)
{
    (void)out;
    struct app_row *r = row_by_check((unsigned)(uintptr_t)ctx);
    if (!r)
        return;   /* its application was removed by a reload */
    r->check_id = 0;
    if (exit_code >= 128)
        snmp_log(LOG_WARNING, "app %s: status check killed by signal %d (time limit %d s); status unknown\n",
                 r->name, exit_code - 128, CHECK_TIMEOUT_S);
    else if (exit_code < 0 || exit_code == 127)
        snmp_log(LOG_WARNING, "app %s: status check could not be run; status unknown\n", r->name);
    r->check_result = exit_code == 0 ? APP_UP
                    : exit_code > 0 && exit_code < 127 ? APP_DOWN
                    : APP_UNKNOWN;
    if (r->check_crossed || row_busy(r))
        r->check_result = APP_UNKNOWN;    /* it ran across a start or stop */
    r->check_crossed = false;
    update_shown(r);
}

static int (*check_runner)(size_t app, unsigned id);

void app_mib_set_check_runner(int (*run)(size_t app, unsigned id)) { check_runner = run; }

void app_mib_check_result(unsigned id, int exit_code)
{
    check_finished((void *)(uintptr_t)id, exit_code, NULL);
}

static void start_check(struct app_row *r, const struct lamon_argv *argv, size_t app)
{
    unsigned id = ++last_check_id ? last_check_id : ++last_check_id;
    if (check_runner) {
        if (check_runner(app, id) != 0) {
            r->check_result = APP_UNKNOWN;
            return;
        }
        r->check_id = id;
        r->check_crossed = row_busy(r);
        return;
    }
    struct op_run *run = op_run_start(argv->argv, NULL, CHECK_TIMEOUT_S, check_finished, (void *)(uintptr_t)id);
    if (!run) {
        snmp_log(LOG_ERR, "app %s: cannot start the status check: %s\n", r->name, strerror(errno));
        r->check_result = APP_UNKNOWN;
        return;
    }
    op_run_kill_on_exit(run);
    r->check_id = id;
    r->check_crossed = row_busy(r);
}

static void check_all(void)
{
    refresh_counts(0);
    for (size_t i = 0; i < nrows; i++) {
        struct app_row *r = &rows[i];
        const struct lamon_app *a = agent_config_find_app(r->name);
        if (r->check_id) {   /* still running; op_runner enforces its time limit */
            update_shown(r);
            continue;
        }
        if (a && a->check.argv) {
            start_check(r, &a->check, (size_t)(a - agent_config()->apps));
            update_shown(r);
        } else {
            note_busy(r);                  /* this result is fresh */
            int up = r->nports > 0 && have_counts;
            for (size_t p = 0; p < r->nports && up; p++) {
                const struct sock_diag_port *d = diag_port(r->ports[p]);
                up = d && d->listening > 0;
            }
            r->check_result = !have_counts ? APP_UNKNOWN : up ? APP_UP : APP_DOWN;
            update_shown(r);
        }
    }
}

void app_mib_check_now(void)
{
    have_counts = 0;
    check_all();
}

static void check_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    check_all();
}

static void arm_timer(void)
{
    unsigned ms = agent_config()->check_ms;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    if (!check_timer)
        check_timer = event_new(agentx_loop_base(), -1, EV_PERSIST, check_timer_cb, NULL);
    if (!check_timer || event_add(check_timer, &tv) != 0)
        snmp_log(LOG_ERR, "app_mib: cannot start the status check timer\n");
}

/* Builds the rows from the configuration, keeping the state of rows whose
 * application is still configured. */
static void load_rows(void)
{
    const struct agent_config *c = agent_config();
    struct app_row *n = calloc(c->napps ? c->napps : 1, sizeof *n);
    if (!n) {
        snmp_log(LOG_ERR, "app_mib: out of memory; application table unchanged\n");
        return;
    }
    for (size_t i = 0; i < c->napps; i++) {
        const struct lamon_app *a = &c->apps[i];
        struct app_row *r = &n[i], *old = NULL;
        for (size_t j = 0; j < nrows; j++)
            if (strcmp(rows[j].name, a->name) == 0)
                old = &rows[j];
        if (old) {
            *r = *old;              /* a running check moves with its row */
        } else {
            strcpy(r->name, a->name);
            r->check_result = APP_UNKNOWN;
            r->admin = APP_ADMIN_UP;
            r->last_change = agent_started;
            if (rows)
                snmp_log(LOG_NOTICE, "app %s added by the reload\n", a->name);
        }
        memcpy(r->ports, a->ports, sizeof r->ports);
        r->nports = a->nports;
    }
    for (size_t j = 0; j < nrows; j++) {
        struct app_row *old = &rows[j];
        /* A removed application's running check ends within its time
         * limit; its result then finds no row. */
        if (old->name[0] && !agent_config_find_app(old->name))
            snmp_log(LOG_NOTICE, "app %s removed by the reload\n", old->name);
    }
    /* check results carry an id, not a row pointer, so moving is safe. */
    free(rows);
    rows = n;
    nrows = c->napps;
    build_diag_ports();
}

static void on_reload(void)
{
    load_rows();
    /* The checks run through op_runner, which op_mib_init would set up
     * only after this first round. */
    struct event_base *base = agentx_loop_base();
    if (base)
        op_runner_init(base);
    arm_timer();
    check_all();
}

/* --- SNMP --------------------------------------------------------------- */

static netsnmp_variable_list *iter_put(netsnmp_variable_list *idx, size_t i,
                                       void **loop_ctx, void **data_ctx)
{
    if (i >= nrows)
        return NULL;
    snmp_set_var_value(idx, rows[i].name, strlen(rows[i].name));
    *loop_ctx = (void *)(uintptr_t)(i + 1);
    *data_ctx = &rows[i];
    return idx;
}

static netsnmp_variable_list *iter_first(void **loop_ctx, void **data_ctx,
                                         netsnmp_variable_list *idx,
                                         netsnmp_iterator_info *info)
{
    (void)info;
    return iter_put(idx, 0, loop_ctx, data_ctx);
}

static netsnmp_variable_list *iter_next(void **loop_ctx, void **data_ctx,
                                        netsnmp_variable_list *idx,
                                        netsnmp_iterator_info *info)
{
    (void)info;
    return iter_put(idx, (size_t)(uintptr_t)*loop_ctx, loop_ctx, data_ctx);
}

static struct app_row *row_by_index(const netsnmp_table_request_info *ti)
{
    if (!ti || !ti->indexes || !ti->indexes->val.string)
        return NULL;
    for (size_t i = 0; i < nrows; i++)
        if (strlen(rows[i].name) == ti->indexes->val_len &&
            memcmp(rows[i].name, ti->indexes->val.string, ti->indexes->val_len) == 0)
            return &rows[i];
    return NULL;
}

static void get_one(netsnmp_request_info *req, struct app_row *r, unsigned col)
{
    char ports[LAMON_APP_MAX_PORTS * 6 + 1];
    size_t len = 0;
    long l;
    u_char *dt;
    switch (col) {
    case LA_LABEL:
        snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, r->name, strlen(r->name));
        break;
    case LA_PORTS:
        ports[0] = '\0';
        for (size_t p = 0; p < r->nports; p++)
            len += (size_t)snprintf(ports + len, sizeof ports - len, "%s%u",
                                    p ? "," : "", r->ports[p]);
        snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, ports, strlen(ports));
        break;
    case LA_OPER:
        update_shown(r);
        l = r->shown ? r->shown : APP_UNKNOWN;
        snmp_set_var_typed_value(req->requestvb, ASN_INTEGER, &l, sizeof l);
        break;
    case LA_ADMIN:
        l = r->admin;
        snmp_set_var_typed_value(req->requestvb, ASN_INTEGER, &l, sizeof l);
        break;
    case LA_ESTAB:
    case LA_SYNRECV: {
        refresh_counts(0);
        u_long v = col == LA_ESTAB ? r->est : r->syn;
        snmp_set_var_typed_value(req->requestvb, ASN_GAUGE, &v, sizeof v);
        break;
    }
    case LA_LAST_CHANGE:
        dt = date_n_time(&r->last_change, &len);
        snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, dt, len);
        break;
    default:
        netsnmp_request_set_error(req, SNMP_NOSUCHOBJECT);
    }
}

static int check_set(netsnmp_request_info *req, struct app_row *r, unsigned col)
{
    if (!r)
        return SNMP_ERR_NOCREATION;
    if (col != LA_ADMIN || !admin_ops || !admin_ops->check || !admin_ops->reserve || !admin_ops->commit)
        return SNMP_ERR_NOTWRITABLE;
    int err = netsnmp_check_vb_type(req->requestvb, ASN_INTEGER);
    if (err != SNMP_ERR_NOERROR)
        return err;
    long v = *req->requestvb->val.integer;
    if (v < APP_ADMIN_UP || v > APP_ADMIN_RESTART)
        return SNMP_ERR_WRONGVALUE;
    const struct lamon_app *a = agent_config_find_app(r->name);
    if (!a)
        return SNMP_ERR_INCONSISTENTNAME;
    return admin_ops->check(a, v);
}

static int app_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                       netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler; (void)reg;
    if (reqinfo->mode >= MODE_SET_RESERVE1 && reqinfo->mode <= MODE_SET_UNDO &&
        admin_ops && admin_ops->phase)
        admin_ops->phase(reqinfo->mode, reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0);
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        if (req->processed)
            continue;
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);
        if (!ti)
            continue;
        struct app_row *r;
        int err;
        switch (reqinfo->mode) {
        case MODE_GET:
            r = netsnmp_extract_iterator_context(req);
            if (!r)
                netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
            else
                get_one(req, r, ti->colnum);
            break;
        case MODE_SET_RESERVE1:
            err = check_set(req, row_by_index(ti), ti->colnum);
            if (err != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, req, err);
            break;
        case MODE_SET_RESERVE2:
            /* RESERVE1 passed: the row, the column and the value are good */
            r = row_by_index(ti);
            if (r && admin_ops && admin_ops->reserve) {
                const struct lamon_app *a = agent_config_find_app(r->name);
                err = a ? admin_ops->reserve(a, *req->requestvb->val.integer) : SNMP_ERR_INCONSISTENTNAME;
                if (err != SNMP_ERR_NOERROR)
                    netsnmp_set_request_error(reqinfo, req, err);
            }
            break;
        case MODE_SET_COMMIT:
            r = row_by_index(ti);
            if (r && admin_ops && admin_ops->commit) {
                const struct lamon_app *a = agent_config_find_app(r->name);
                long v = *req->requestvb->val.integer;
                if (a) {
                    snmp_log(LOG_NOTICE, "SET: app %s admin status %ld\n", r->name, v);
                    admin_ops->commit(a, v);
                    r->admin = v == APP_ADMIN_DOWN ? APP_ADMIN_DOWN : APP_ADMIN_UP;
                    update_shown(r);
                }
            }
            break;
        default:
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

void app_mib_set_admin_ops(const struct app_admin_ops *ops)
{
    admin_ops = ops;
}

void app_mib_init(void)
{
    agent_started = time(NULL);
    load_rows();
    agent_config_add_reload_hook(on_reload);

    netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
        "lamonAppTable", app_handler, lamonAppTable_oid, OID_LENGTH(lamonAppTable_oid),
        HANDLER_CAN_RWRITE);
    netsnmp_table_registration_info *ti = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
    netsnmp_iterator_info *ii = SNMP_MALLOC_TYPEDEF(netsnmp_iterator_info);
    if (!reg || !ti || !ii) {
        snmp_log(LOG_ERR, "app_mib: out of memory; lamonAppTable not registered\n");
        free(ti);
        free(ii);
        return;
    }
    netsnmp_table_helper_add_indexes(ti, ASN_PRIV_IMPLIED_OCTET_STR, 0);
    ti->min_column = LA_LABEL;
    ti->max_column = LA_LAST_CHANGE;
    ii->get_first_data_point = iter_first;
    ii->get_next_data_point = iter_next;
    ii->table_reginfo = ti;
    /* The registration owns ti and ii from here on. */
    if (netsnmp_register_table_iterator2(reg, ii) != MIB_REGISTERED_OK)
        snmp_log(LOG_ERR, "app_mib: cannot register lamonAppTable\n");

    /* The checks run through op_runner, which op_mib_init would set up
     * only after this first round. */
    struct event_base *base = agentx_loop_base();
    if (base)
        op_runner_init(base);
    arm_timer();
    check_all();
}

void app_mib_shutdown(void)
{
    /* Running checks are killed with every other command by op_runner_shutdown. */
    free(rows);
    rows = NULL;
    nrows = 0;
    free(diag);
    diag = NULL;
    ndiag = 0;
    if (check_timer)
        event_free(check_timer);
    check_timer = NULL;
}
