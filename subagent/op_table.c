/* The operation list; see op_table.h. */
#include "op_table.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <event2/event.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"
#include "app_control.h"
#include "kernel_grub.h"
#include "op_hooks.h"
#include "pkg_apt.h"

/* Time limit of a reboot/shutdown command: systemctl returns once queued. */
#define OP_TIMEOUT_NODE_S 120

static struct op *g_ops;            /* ascending index */
static unsigned g_next_index = 1;
static struct event_base *g_base;
static struct event *g_kick;        /* starts queued operations from the loop */
static const struct op_hooks *g_hooks;

void op_table_set_hooks(const struct op_hooks *h) { g_hooks = h; }

/* --- plans ------------------------------------------------------------- */

static char **copy_strv(const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    char **c = calloc(n + 1, sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(c[i] = strdup(v[i]))) {
            while (i > 0)
                free(c[--i]);
            free(c);
            return NULL;
        }
    return c;
}

static void free_strv(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

int op_plan_add(struct op_plan *p, const char *const *argv)
{
    if (p->nsteps >= OP_MAX_STEPS || !argv || !argv[0])
        return -1;
    char **c = copy_strv(argv);
    if (!c)
        return -1;
    p->steps[p->nsteps++] = c;
    return 0;
}

int op_plan_set_env(struct op_plan *p, const char *const *env)
{
    char **c = copy_strv(env);
    if (!c)
        return -1;
    free_strv(p->env);
    p->env = c;
    return 0;
}

void op_plan_clear(struct op_plan *p)
{
    for (size_t i = 0; i < p->nsteps; i++)
        free_strv(p->steps[i]);
    free_strv(p->env);
    memset(p, 0, sizeof *p);
}

/* Builds the plan of TYPE/ARG; an SNMP error when the argument names
 * nothing that exists or lacks a configured command. */
static int build_plan(long type, const char *arg, struct op_plan *p)
{
    switch (type) {
    case OPT_APP_START: case OPT_APP_STOP: case OPT_APP_RESTART:
        return app_control_plan(type, arg, p);
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

/* --- targets ----------------------------------------------------------- */

enum target_kind { TK_APP, TK_BOOT, TK_PKG, TK_NODE };

static enum target_kind kind_of(int type)
{
    switch (type) {
    case OPT_APP_START: case OPT_APP_STOP: case OPT_APP_RESTART: return TK_APP;
    case OPT_KERNEL_SELECT: return TK_BOOT;
    case OPT_PKG_INSTALL: case OPT_PKG_UPDATE: case OPT_PKG_REMOVE: return TK_PKG;
    default: return TK_NODE;
    }
}

static bool active(const struct op *o) { return o->status == OPS_QUEUED || o->status == OPS_RUNNING; }

static bool conflicts(long type, const char *arg)
{
    enum target_kind k = kind_of((int)type);
    for (const struct op *o = g_ops; o; o = o->next) {
        if (!active(o))
            continue;
        enum target_kind ok = kind_of(o->type);
        if (ok == TK_NODE || ok == k) {
            if (k != TK_APP || ok == TK_NODE || strcmp(o->arg, arg) == 0)
                return true;
        }
    }
    return false;
}

/* --- checks and submission --------------------------------------------- */

int op_table_check(long type, const char *arg, size_t len)
{
    int rc = validate_op_type(type);
    if (rc == SNMP_ERR_NOERROR)
        rc = validate_op_argument(type, arg, len);
    if (rc != SNMP_ERR_NOERROR)
        return rc;
    char a[LAMON_OP_ARG_MAX + 1];
    memcpy(a, arg, len);
    a[len] = '\0';
    struct op_plan p = { 0 };
    rc = build_plan(type, a, &p);
    op_plan_clear(&p);
    if (rc != SNMP_ERR_NOERROR)
        return rc;
    return conflicts(type, a) ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOERROR;
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
    struct op *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    if (index == 0)
        index = op_table_next_index();
    o->index = index;
    o->type = (int)type;
    if (len > LAMON_OP_ARG_MAX)
        len = LAMON_OP_ARG_MAX;
    memcpy(o->arg, arg, len);
    o->arg[len] = '\0';
    o->status = OPS_QUEUED;
    o->exit_code = -1;
    if (index >= g_next_index)
        g_next_index = index + 1;

    int rc = op_table_check(type, arg, len);
    if (rc == SNMP_ERR_NOERROR)
        rc = build_plan(type, o->arg, &o->plan);

    struct op **p = &g_ops;
    while (*p && (*p)->index < index)
        p = &(*p)->next;
    o->next = *p;
    *p = o;

    if (rc != SNMP_ERR_NOERROR) {
        /* Only reachable when two writes in one request collide. */
        note(o, "refused: conflicting operation in the same request\n");
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
    if (!op_run_start(o->plan.steps[o->step], o->plan.env, o->plan.timeout_s, step_done, o)) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot start %s: %s\n", o->plan.steps[o->step][0], strerror(errno));
        note(o, msg);
        end_op(o, OPS_FAILED, -1);
    }
}

static bool others_running(const struct op *self)
{
    for (const struct op *o = g_ops; o; o = o->next)
        if (o != self && o->status == OPS_RUNNING)
            return true;
    return false;
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    for (struct op *o = g_ops; o; o = o->next) {
        if (o->status != OPS_QUEUED)
            continue;
        if (kind_of(o->type) == TK_NODE && others_running(o))
            continue;   /* reboot waits for the rest; kicked again when they end */
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

void op_table_shutdown(void)
{
    op_runner_shutdown();
    while (g_ops) {
        struct op *o = g_ops;
        g_ops = o->next;
        op_plan_clear(&o->plan);
        free(o);
    }
    if (g_kick)
        event_free(g_kick);
    g_kick = NULL;
    g_base = NULL;
    g_next_index = 1;
}

/* --- lookups and aging -------------------------------------------------- */

struct op *op_table_first(void) { return g_ops; }

struct op *op_table_find(unsigned index)
{
    for (struct op *o = g_ops; o && o->index <= index; o = o->next)
        if (o->index == index)
            return o;
    return NULL;
}

struct op *op_table_next_after(unsigned index)
{
    for (struct op *o = g_ops; o; o = o->next)
        if (o->index > index)
            return o;
    return NULL;
}

unsigned op_table_next_index(void)
{
    /* Wrapping after 2^32-1 operations restarts at 1, skipping live rows. */
    while (g_next_index == 0 || op_table_find(g_next_index))
        g_next_index++;
    return g_next_index;
}

static void unlink_op(struct op *victim)
{
    for (struct op **p = &g_ops; *p; p = &(*p)->next)
        if (*p == victim) {
            *p = victim->next;
            op_plan_clear(&victim->plan);
            free(victim);
            return;
        }
}

int op_table_remove(unsigned index)
{
    struct op *o = op_table_find(index);
    if (!o)
        return 0;
    if (active(o))
        return -1;
    unlink_op(o);
    return 0;
}

const struct op *op_table_active_app_op(const char *name)
{
    for (const struct op *o = g_ops; o; o = o->next)
        if (active(o) && kind_of(o->type) == TK_APP && strcmp(o->arg, name) == 0)
            return o;
    return NULL;
}

void op_table_age(time_t now, unsigned keep_s, unsigned keep_count)
{
    size_t finished = 0;
    for (struct op *o = g_ops, *next; o; o = next) {
        next = o->next;
        if (active(o))
            continue;
        if (o->end_time + (time_t)keep_s <= now)
            unlink_op(o);
        else
            finished++;
    }
    while (finished > keep_count) {
        struct op *oldest = NULL;
        for (struct op *o = g_ops; o; o = o->next)
            if (!active(o) && (!oldest || o->end_time < oldest->end_time ||
                               (o->end_time == oldest->end_time && o->index < oldest->index)))
                oldest = o;
        unlink_op(oldest);
        finished--;
    }
}
