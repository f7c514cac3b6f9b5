/* The operation list; see op_table.h. */
#include "op_table.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <event2/event.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"
#include "app_plan.h"
#include "kernel_grub.h"
#include "op_claims.h"
#include "op_hooks.h"
#include "pkg_apt.h"

/* Time limit of a reboot/shutdown command: systemctl returns once queued. */
#define OP_TIMEOUT_NODE_S 120

/* The rows, by ascending index: binary search keeps a walk of op_keep's
 * up to 100,000 rows cheap. */
static struct op **g_ops;
static size_t g_nops, g_capops;
static unsigned g_next_index = 1;
static struct event_base *g_base;
static struct event *g_kick;        /* starts queued operations from the loop */
static const struct op_hooks *g_hooks;
static const struct op_executor *g_exec;

void op_table_set_hooks(const struct op_hooks *h) { g_hooks = h; }
void op_table_set_executor(const struct op_executor *x) { g_exec = x; }

/* --- plans ------------------------------------------------------------- */

/* Builds the plan of TYPE/ARG; an SNMP error when the argument names
 * nothing that exists or lacks a configured command. */
static int build_plan(long type, const char *arg, struct op_plan *p)
{
    switch (type) {
    case OPT_APP_START: case OPT_APP_STOP: case OPT_APP_RESTART:
        return app_plan(type, arg, p);
    case OPT_REBOOT: case OPT_SHUTDOWN: {
        const struct agent_config *c = agent_config();
        const struct lamon_argv *cmd = type == OPT_REBOOT ? &c->reboot_cmd : &c->shutdown_cmd;
        p->timeout_s = OP_TIMEOUT_NODE_S;
        if (!cmd->argv)
            return SNMP_ERR_INCONSISTENTVALUE;
        return op_plan_add(p, (const char *const *)cmd->argv) == 0
            ? SNMP_ERR_NOERROR : SNMP_ERR_RESOURCEUNAVAILABLE;
    }
    case OPT_KERNEL_SELECT:
        return kernel_grub_plan(arg, p);
    case OPT_PKG_INSTALL: case OPT_PKG_UPDATE: case OPT_PKG_REMOVE:
        return pkg_apt_plan(type, arg, p);
    default:
        return SNMP_ERR_WRONGVALUE;
    }
}

/* --- the rows ------------------------------------------------------------ */

/* The position of the first row whose index is >= INDEX. */
static size_t lower_bound(unsigned index)
{
    size_t lo = 0, hi = g_nops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g_ops[mid]->index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int insert_op(struct op *o)
{
    if (g_nops == g_capops) {
        size_t cap = g_capops ? g_capops * 2 : 64;
        struct op **v = realloc(g_ops, cap * sizeof *v);
        if (!v)
            return -1;
        g_ops = v;
        g_capops = cap;
    }
    size_t at = lower_bound(o->index);
    memmove(g_ops + at + 1, g_ops + at, (g_nops - at) * sizeof *g_ops);
    g_ops[at] = o;
    g_nops++;
    return 0;
}

static void free_op(struct op *o)
{
    op_plan_clear(&o->plan);
    free(o);
}

/* --- targets ----------------------------------------------------------- */

static bool active(const struct op *o) { return o->status == OPS_QUEUED || o->status == OPS_RUNNING; }

/* Would (TYPE, ARG) collide with a queued or running operation?  Not the
 * same rule as between the claims of one request: a node operation may be
 * queued behind running ones (it waits for them), but nothing may be queued
 * behind a node operation. */
static bool conflicts(long type, const char *arg)
{
    enum op_target k = op_target_of((int)type);
    for (size_t i = 0; i < g_nops; i++) {
        const struct op *o = g_ops[i];
        if (!active(o))
            continue;
        enum op_target ok = op_target_of(o->type);
        if (ok == OT_NODE || ok == k) {
            if (k != OT_APP || ok == OT_NODE || strcmp(o->arg, arg) == 0)
                return true;
        }
    }
    return false;
}

/* --- checks and submission --------------------------------------------- */

/* Checks TYPE/ARG alone and against the queued and running operations;
 * A receives ARG as a string. */
static int check_alone(long type, const char *arg, size_t len, char a[LAMON_OP_ARG_MAX + 1])
{
    int rc = validate_op_type(type);
    if (rc == SNMP_ERR_NOERROR)
        rc = validate_op_argument(type, arg, len);
    if (rc != SNMP_ERR_NOERROR)
        return rc;
    memcpy(a, arg, len);
    a[len] = '\0';
    struct op_plan p = { 0 };
    rc = build_plan(type, a, &p);
    op_plan_clear(&p);
    if (rc != SNMP_ERR_NOERROR)
        return rc;
    return conflicts(type, a) ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOERROR;
}

int op_table_check(long type, const char *arg, size_t len)
{
    char a[LAMON_OP_ARG_MAX + 1];
    return check_alone(type, arg, len, a);
}

int op_table_reserve(unsigned index, long type, const char *arg, size_t len)
{
    char a[LAMON_OP_ARG_MAX + 1];
    int rc = check_alone(type, arg, len, a);
    if (rc != SNMP_ERR_NOERROR)
        return rc;
    if (index && (op_table_find(index) || op_claims_index_taken(index)))
        return SNMP_ERR_INCONSISTENTVALUE;
    if (op_claims_clash_any((int)type, a))
        return SNMP_ERR_INCONSISTENTVALUE;
    return op_claims_add(index, (int)type, a) == 0 ? SNMP_ERR_NOERROR : SNMP_ERR_RESOURCEUNAVAILABLE;
}

void op_table_request_begin(long transid)
{
    DEBUGMSGTL(("lamon/claims", "request %ld begins, %zu claims held\n", transid, op_claims_count()));
    op_claims_begin(transid);
}

void op_table_request_end(void)
{
    DEBUGMSGTL(("lamon/claims", "request ends, %zu claims dropped\n", op_claims_count()));
    op_claims_clear();
}

static void end_op(struct op *o, int status, int exit_code)
{
    o->status = status;
    o->exit_code = exit_code;
    o->end_time = time(NULL);
    if (!o->start_time)
        o->start_time = o->end_time;
    op_plan_clear(&o->plan);
    if (g_hooks && g_hooks->completed)
        g_hooks->completed(o);
    if (g_kick)
        event_active(g_kick, EV_TIMEOUT, 1);   /* a waiting node operation may go */
}

static void note(struct op *o, const char *msg)
{
    op_output_append(&o->out, msg, strlen(msg));
}

struct op *op_table_submit(unsigned index, long type, const char *arg, size_t len)
{
    if (len > LAMON_OP_ARG_MAX)
        len = LAMON_OP_ARG_MAX;
    struct op *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->type = (int)type;
    memcpy(o->arg, arg, len);
    o->arg[len] = '\0';
    /* Its own claim goes first, so that only the other writes of the
     * request keep their explicit indexes from the implicit ones. */
    op_claims_consume(index, o->type, o->arg);
    if (index == 0)
        index = op_table_next_index();
    if (op_table_find(index)) {
        free(o);
        return NULL;
    }
    o->index = index;
    o->status = OPS_QUEUED;
    o->exit_code = -1;

    char a[LAMON_OP_ARG_MAX + 1];
    int rc = check_alone(type, arg, len, a);
    if (rc == SNMP_ERR_NOERROR)
        rc = build_plan(type, o->arg, &o->plan);
    if (insert_op(o) != 0) {
        free_op(o);
        return NULL;
    }
    if (index >= g_next_index)
        g_next_index = index + 1;

    if (rc != SNMP_ERR_NOERROR) {
        /* The RESERVE phase judged the request as a whole, so this is only
         * reachable if the table changed between RESERVE and COMMIT. */
        note(o, "refused: conflicting operation\n");
        end_op(o, OPS_FAILED, -1);
    } else if (g_kick) {
        event_active(g_kick, EV_TIMEOUT, 1);
    }
    return o;
}

/* --- running ----------------------------------------------------------- */

static void start_step(struct op *o);

static void step_done(void *ctx, int exit_code, const struct op_output *out)
{
    struct op *o = ctx;
    char tmp[OP_OUTPUT_MAX];
    size_t n = op_output_copy(out, tmp);
    op_output_append(&o->out, tmp, n);
    if (exit_code != 0) {
        end_op(o, OPS_FAILED, exit_code);
        return;
    }
    if (++o->step < o->plan.nsteps) {
        start_step(o);
        return;
    }
    end_op(o, OPS_SUCCEEDED, 0);
}

static void start_step(struct op *o)
{
    if (g_exec) {
        if (g_exec->start(o) != 0) {
            note(o, "cannot hand the operation to the monitor\n");
            end_op(o, OPS_FAILED, -1);
        }
        return;
    }
    if (!op_run_start(o->plan.steps[o->step], o->plan.env, o->plan.timeout_s, step_done, o)) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot start %s: %s\n", o->plan.steps[o->step][0], strerror(errno));
        note(o, msg);
        end_op(o, OPS_FAILED, -1);
    }
}

/* Is another operation queued or running (a node operation waits for all
 * of them, whatever their indexes)? */
static bool others_active(const struct op *self)
{
    for (size_t i = 0; i < g_nops; i++)
        if (g_ops[i] != self && (g_ops[i]->status == OPS_RUNNING || g_ops[i]->status == OPS_QUEUED))
            return true;
    return false;
}

static bool node_op_running(void)
{
    for (size_t i = 0; i < g_nops; i++)
        if (g_ops[i]->status == OPS_RUNNING && op_target_of(g_ops[i]->type) == OT_NODE)
            return true;
    return false;
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    /* end_op may kick again but never changes the list: indexes stay valid */
    for (size_t i = 0; i < g_nops; i++) {
        struct op *o = g_ops[i];
        if (o->status != OPS_QUEUED)
            continue;
        /* Nothing starts beside a running reboot, and a reboot waits for
         * every other operation, also one queued behind it (a higher
         * index); kicked again as they end. */
        if (node_op_running())
            break;
        if (op_target_of(o->type) == OT_NODE && others_active(o))
            continue;
        o->status = OPS_RUNNING;
        o->start_time = time(NULL);
        o->step = 0;
        if (g_hooks && g_hooks->before_start)
            g_hooks->before_start(o);
        if (o->plan.nsteps == 0)
            end_op(o, OPS_SUCCEEDED, 0);
        else
            start_step(o);
    }
}

void op_table_init(struct event_base *base)
{
    if (g_base)
        return;
    g_base = base;
    op_runner_init(base);
    g_kick = event_new(base, -1, 0, on_kick, NULL);
}

/* Frees every row and the claims of a request in progress. */
static void free_rows(void)
{
    for (size_t i = 0; i < g_nops; i++)
        free_op(g_ops[i]);
    free(g_ops);
    g_ops = NULL;
    g_nops = g_capops = 0;
    op_claims_clear();
}

void op_table_shutdown(void)
{
    op_runner_shutdown();
    free_rows();
    if (g_kick)
        event_free(g_kick);
    g_kick = NULL;
    g_base = NULL;
    g_next_index = 1;
}

/* --- lookups and aging -------------------------------------------------- */

struct op *op_table_first(void) { return g_nops ? g_ops[0] : NULL; }

size_t op_table_count(void) { return g_nops; }

struct op *op_table_find(unsigned index)
{
    size_t at = lower_bound(index);
    return at < g_nops && g_ops[at]->index == index ? g_ops[at] : NULL;
}

struct op *op_table_next_after(unsigned index)
{
    if (index == UINT_MAX)
        return NULL;
    size_t at = lower_bound(index + 1);
    return at < g_nops ? g_ops[at] : NULL;
}

unsigned op_table_next_index(void)
{
    /* Wrapping after 2^32-1 operations restarts at 1, skipping live rows
     * and the indexes the request being set names. */
    while (g_next_index == 0 || op_table_find(g_next_index) || op_claims_index_taken(g_next_index))
        g_next_index++;
    return g_next_index;
}

/* Frees the rows DOOMED says so of and closes the gaps, in one pass. */
static void remove_if(bool (*doomed)(const struct op *, const void *), const void *ctx)
{
    size_t kept = 0;
    for (size_t i = 0; i < g_nops; i++) {
        if (doomed(g_ops[i], ctx))
            free_op(g_ops[i]);
        else
            g_ops[kept++] = g_ops[i];
    }
    g_nops = kept;
}

int op_table_remove(unsigned index)
{
    size_t at = lower_bound(index);
    if (at >= g_nops || g_ops[at]->index != index)
        return 0;
    if (active(g_ops[at]))
        return -1;
    free_op(g_ops[at]);
    memmove(g_ops + at, g_ops + at + 1, (g_nops - at - 1) * sizeof *g_ops);
    g_nops--;
    return 0;
}

const struct op *op_table_active_app_op(const char *name)
{
    for (size_t i = 0; i < g_nops; i++) {
        const struct op *o = g_ops[i];
        if (active(o) && op_target_of(o->type) == OT_APP && strcmp(o->arg, name) == 0)
            return o;
    }
    return NULL;
}

/* Aging: finished rows ordered by (end time, index), oldest first. */
struct age_key {
    time_t end;
    unsigned index;
};

static int key_cmp(const struct age_key *a, const struct age_key *b)
{
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int key_qsort_cmp(const void *a, const void *b) { return key_cmp(a, b); }

struct age_limit {
    time_t now;
    unsigned keep_s;
    struct age_key cutoff;
};

static bool expired(const struct op *o, const void *ctx)
{
    const struct age_limit *l = ctx;
    return !active(o) && o->end_time + (time_t)l->keep_s <= l->now;
}

static bool not_after_cutoff(const struct op *o, const void *ctx)
{
    const struct age_limit *l = ctx;
    struct age_key k = { o->end_time, o->index };
    return !active(o) && key_cmp(&k, &l->cutoff) <= 0;
}

void op_table_age(time_t now, unsigned keep_s, unsigned keep_count)
{
    struct age_limit l = { .now = now, .keep_s = keep_s };
    remove_if(expired, &l);
    size_t finished = 0;
    for (size_t i = 0; i < g_nops; i++)
        finished += !active(g_ops[i]);
    if (finished <= keep_count)
        return;
    /* Sort the finished rows' keys once; everything up to the
     * (finished - keep_count)-th oldest goes.  Keys are unique (index). */
    struct age_key *keys = malloc(finished * sizeof *keys);
    if (!keys)
        return;   /* tried again at the next tick */
    size_t n = 0;
    for (size_t i = 0; i < g_nops; i++)
        if (!active(g_ops[i]))
            keys[n++] = (struct age_key){ g_ops[i]->end_time, g_ops[i]->index };
    qsort(keys, n, sizeof *keys, key_qsort_cmp);
    l.cutoff = keys[finished - keep_count - 1];
    free(keys);
    remove_if(not_after_cutoff, &l);
}

/* --- running elsewhere ------------------------------------------------- */

void op_table_finished(unsigned index, int status, int exit_code, const char *out,
                       size_t outlen, time_t end_time)
{
    struct op *o = op_table_find(index);
    if (!o || !active(o) || (status != OPS_SUCCEEDED && status != OPS_FAILED))
        return;
    op_output_append(&o->out, out, outlen);
    end_op(o, status, exit_code);
    if (end_time)
        o->end_time = end_time;
}

int op_table_adopt(unsigned index, int type, const char *arg, int status, int exit_code,
                   time_t start_time, time_t end_time, const char *out, size_t outlen)
{
    if (index == 0 || op_table_find(index))
        return -1;
    struct op *o = calloc(1, sizeof *o);
    if (!o)
        return -1;
    o->index = index;
    o->type = type;
    snprintf(o->arg, sizeof o->arg, "%s", arg);
    o->status = status;
    o->exit_code = exit_code;
    o->start_time = start_time;
    o->end_time = end_time;
    op_output_append(&o->out, out, outlen);
    if (insert_op(o) != 0) {
        free(o);
        return -1;
    }
    if (index >= g_next_index)
        g_next_index = index + 1;
    return 0;
}

void op_table_forget(void)
{
    free_rows();
    g_kick = NULL;      /* the parent's event, on the parent's loop */
    g_base = NULL;
    g_hooks = NULL;
    g_exec = NULL;
    g_next_index = 1;
}
