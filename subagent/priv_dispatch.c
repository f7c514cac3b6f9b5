/* The monitor's message handlers; see priv_dispatch.h. */
#include "priv_dispatch.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <ctype.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent_config.h"
#include "app_mib.h"        /* APP_CHECK_TIMEOUT_S */
#include "ipvs_netlink.h"
#include "kernel_grub.h"
#include "op_hooks.h"
#include "op_table.h"
#include "priv_io.h"
#include "state_file.h"

static int g_sock = -1;
static unsigned g_generation;
static char g_agentx[sizeof ((struct sockaddr_un *)0)->sun_path];
static struct event *g_age;
static int g_broken;            /* a send to the worker failed */
static void (*g_on_broken)(void);

/* One status check per application at a time: a worker cannot pile them up. */
struct check {
    size_t app;
    unsigned id;
    unsigned worker;            /* the generation that asked */
    struct check *next;
};
static struct check *g_checks;

static void refuse(const struct priv_msg *m, const char *why)
{
    snmp_log(LOG_WARNING, "priv: refused %s from the worker: %s\n", priv_type_name(m->type), why);
}

static void send_msg(const struct priv_msg *m, int fd)
{
    if (g_sock < 0)
        return;
    if (g_broken)
        return;   /* one failure is enough: the worker is restarted */
    if (priv_send_wait(g_sock, m, fd, 5000) != 0) {
        snmp_log(LOG_ERR, "priv: cannot send %s to the worker: %s\n",
                 priv_type_name(m->type), strerror(errno));
        g_broken = 1;
        if (g_on_broken)
            g_on_broken();
    }
}

static void send_result(int rc, int fd)
{
    struct priv_msg r;
    priv_msg_init(&r, PM_RESULT);
    r.u.result.rc = rc;
    send_msg(&r, fd);
}

/* --- operations ---------------------------------------------------------- */

static void fill_op(struct priv_msg *m, int type, const struct op *o)
{
    priv_msg_init(m, type);
    struct pm_op_state *s = &m->u.op;
    s->index = o->index;
    s->type = (uint32_t)o->type;
    s->status = (uint32_t)o->status;
    s->exit_code = o->exit_code;
    s->start_time = o->start_time;
    s->end_time = o->end_time;
    memcpy(s->arg, o->arg, sizeof s->arg);
    s->outlen = (uint32_t)op_output_copy(&o->out, s->out);
}

static void op_completed(const struct op *o)
{
    struct priv_msg m;
    fill_op(&m, PM_OP_DONE, o);
    send_msg(&m, -1);
    snmp_log(LOG_INFO, "operation %u (type %d, %s) ended: exit %d\n", o->index, o->type,
             o->arg[0] ? o->arg : "-", o->exit_code);
}

static const struct op_hooks hooks = { NULL, op_completed };

static void op_refused(const struct pm_run_op *r, const char *why)
{
    struct priv_msg m;
    priv_msg_init(&m, PM_OP_DONE);
    m.u.op.index = r->index;
    m.u.op.type = r->type;
    m.u.op.status = OPS_FAILED;
    m.u.op.exit_code = -1;
    m.u.op.start_time = m.u.op.end_time = time(NULL);
    memcpy(m.u.op.arg, r->arg, sizeof m.u.op.arg);
    int n = snprintf(m.u.op.out, sizeof m.u.op.out, "refused by the monitor: %s\n", why);
    m.u.op.outlen = n > 0 ? (uint32_t)n : 0;
    send_msg(&m, -1);
}

static void run_op(const struct priv_msg *m)
{
    const struct pm_run_op *r = &m->u.run_op;
    size_t len = strlen(r->arg);
    if (r->index == 0) {
        refuse(m, "operation index 0");
        return;
    }
    /* The worker destroys finished rows (RowStatus destroy) that the
     * monitor still keeps: such an index is free again.  An active one is
     * not: the worker's new row is answered failed, so that it does not
     * stay queued for ever. */
    if (op_table_find(r->index) && op_table_remove(r->index) != 0) {
        char why[96];
        snprintf(why, sizeof why, "operation %u is still queued or running", r->index);
        refuse(m, why);
        op_refused(r, why);
        return;
    }
    int rc = op_table_check(r->type, r->arg, len);
    if (rc != SNMP_ERR_NOERROR) {
        char why[96];
        snprintf(why, sizeof why, "operation type %u with this argument is not allowed now "
                 "(SNMP error %d)", r->type, rc);
        refuse(m, why);
        op_refused(r, why);
        return;
    }
    if (!op_table_submit(r->index, r->type, r->arg, len)) {
        refuse(m, "cannot record the operation");
        op_refused(r, "out of memory");
        return;
    }
    snmp_log(LOG_INFO, "operation %u (type %u, %s) started for the worker\n", r->index, r->type,
             len ? r->arg : "-");
}

static void hello(const struct priv_msg *m)
{
    if (m->u.hello.version != PRIV_PROTO_VERSION) {
        refuse(m, "protocol version mismatch");
        return;
    }
    struct priv_msg w;
    priv_msg_init(&w, PM_WELCOME);
    w.u.welcome.version = PRIV_PROTO_VERSION;
    w.u.welcome.generation = g_generation;
    w.u.welcome.nops = (uint32_t)op_table_count();
    send_msg(&w, -1);
    for (struct op *o = op_table_first(); o; o = op_table_next_after(o->index)) {
        struct priv_msg s;
        fill_op(&s, PM_OP_STATE, o);
        send_msg(&s, -1);
    }
}

/* --- status checks ---------------------------------------------------- */

static void check_done(void *ctx, int exit_code, const struct op_output *out)
{
    (void)out;
    struct check *c = ctx;
    for (struct check **p = &g_checks; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    if (c->worker == g_generation) {
        struct priv_msg m;
        priv_msg_init(&m, PM_CHECK_DONE);
        m.u.check_done.id = c->id;
        m.u.check_done.exit_code = exit_code;
        send_msg(&m, -1);
    }
    free(c);
}

static void check_app(const struct priv_msg *m)
{
    const struct agent_config *cfg = agent_config();
    const struct pm_check_app *q = &m->u.check_app;
    struct priv_msg d;
    priv_msg_init(&d, PM_CHECK_DONE);
    d.u.check_done.id = q->id;
    d.u.check_done.exit_code = -1;
    if (q->app >= cfg->napps || !cfg->apps[q->app].check.argv) {
        refuse(m, "no such application with an app_check command");
        send_msg(&d, -1);
        return;
    }
    for (struct check *c = g_checks; c; c = c->next)
        if (c->app == q->app) {
            refuse(m, "that application's check is running already");
            send_msg(&d, -1);
            return;
        }
    struct check *c = calloc(1, sizeof *c);
    if (!c) {
        send_msg(&d, -1);
        return;
    }
    c->app = q->app;
    c->id = q->id;
    c->worker = g_generation;
    struct op_run *run = op_run_start(cfg->apps[q->app].check.argv, NULL, APP_CHECK_TIMEOUT_S,
                                      check_done, c);
    if (!run) {
        snmp_log(LOG_ERR, "app %s: cannot start the status check: %s\n",
                 cfg->apps[q->app].name, strerror(errno));
        free(c);
        send_msg(&d, -1);
        return;
    }
    op_run_kill_on_exit(run);
    c->next = g_checks;
    g_checks = c;
}

/* --- state, AgentX ---------------------------------------------------- */

static void write_state(const struct priv_msg *m)
{
    const struct pm_write_state *w = &m->u.write_state;
    for (const char *p = w->service; *p; p++)
        if (!isprint((unsigned char)*p)) {
            refuse(m, "service name not printable");
            send_result(-EINVAL, -1);
            return;
        }
    struct node_persist p = { .state = w->state, .role = w->role };
    memcpy(p.service, w->service, sizeof p.service);
    send_result(state_file_save(agent_config()->statedir, &p) == 0 ? 0 : -EIO, -1);
}

static void agentx(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    memcpy(sa.sun_path, g_agentx, sizeof sa.sun_path);
    /* Non-blocking: a master whose backlog is full must not stall the
     * monitor (operations, the worker's other requests); the worker
     * retries as after any failed connect. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno == EINPROGRESS ? EAGAIN : errno;
        if (fd >= 0)
            close(fd);
        send_result(-e, -1);
        return;
    }
    /* connected (a unix socket connects at once); Net-SNMP's transport
     * expects the blocking socket it would have made itself */
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        send_result(-e, -1);
        return;
    }
    send_result(0, fd);
    close(fd);
}

/* --- kernels ------------------------------------------------------------- */

/* boot_dir and grubenv, read here as root: the worker keeps no directory
 * descriptor (it would lead out of its chroot). */
static void kernels(void)
{
    struct kernel_list *l = malloc(sizeof *l);
    struct priv_msg m;
    priv_msg_init(&m, PM_KERNELS_END);
    uint32_t n = 0;
    if (l) {
        kernel_grub_read(l, m.u.kernels_end.next, sizeof m.u.kernels_end.next);
        for (; n < l->n && !g_broken; n++) {
            struct priv_msg e;
            priv_msg_init(&e, PM_KERNEL_ENTRY);
            snprintf(e.u.kernel.rel, sizeof e.u.kernel.rel, "%s", l->rel[n]);   /* zero after the NUL */
            send_msg(&e, -1);
        }
        free(l);
    } else {
        snmp_log(LOG_ERR, "priv: out of memory; the worker sees no kernel\n");
    }
    m.u.kernels_end.n = n;
    send_msg(&m, -1);
}

/* --- IPVS --------------------------------------------------------------- */

static int ipvs_allowed(const struct priv_msg *m)
{
    if (agent_config()->ipvs == LAMON_OFF) {
        refuse(m, "ipvs is off in the configuration");
        return 0;
    }
    return 1;
}

static void ipvs_list(void)
{
    struct ipvs_table t = { 0 };
    int rc = ipvs_nl_list(&t);
    struct priv_msg m;
    for (size_t i = 0; rc == 0 && i < t.nsvcs && !g_broken; i++) {
        priv_msg_init(&m, PM_IPVS_SVC_ENTRY);
        m.u.svc_entry.svc = t.svcs[i].svc;
        m.u.svc_entry.ndests = (uint32_t)t.svcs[i].ndests;
        send_msg(&m, -1);
        for (size_t j = 0; j < t.svcs[i].ndests && !g_broken; j++) {
            priv_msg_init(&m, PM_IPVS_DEST_ENTRY);
            m.u.dest_entry.dest = t.svcs[i].dests[j];
            send_msg(&m, -1);
        }
    }
    ipvs_table_free(&t);
    priv_msg_init(&m, PM_IPVS_LIST_END);
    m.u.result.rc = rc;
    send_msg(&m, -1);
}

static void ipvs(const struct priv_msg *m)
{
    if (!ipvs_allowed(m)) {
        if (m->type == PM_IPVS_LIST) {
            struct priv_msg e;
            priv_msg_init(&e, PM_IPVS_LIST_END);
            e.u.result.rc = -EPERM;
            send_msg(&e, -1);
        } else {
            send_result(-EPERM, -1);
        }
        return;
    }
    int rc = 0;
    switch (m->type) {
    case PM_IPVS_OPEN: rc = ipvs_nl_open(); break;
    case PM_IPVS_LIST: ipvs_list(); return;
    case PM_IPVS_SVC: {
        const struct pm_ipvs_svc *s = &m->u.ipvs_svc;
        rc = s->cmd == PRIV_IPVS_ADD ? ipvs_nl_add_service(&s->svc)
           : s->cmd == PRIV_IPVS_EDIT ? ipvs_nl_edit_service(&s->svc)
           : ipvs_nl_del_service(&s->svc.key);
        break;
    }
    case PM_IPVS_DEST: {
        const struct pm_ipvs_dest *d = &m->u.ipvs_dest;
        rc = d->cmd == PRIV_IPVS_ADD ? ipvs_nl_add_dest(&d->key, &d->dest)
           : d->cmd == PRIV_IPVS_EDIT ? ipvs_nl_edit_dest(&d->key, &d->dest)
           : ipvs_nl_del_dest(&d->key, &d->dest);
        break;
    }
    default: break;
    }
    if (rc < 0 && rc != -EEXIST && rc != -ESRCH && rc != -ENOENT)
        snmp_log(LOG_NOTICE, "priv: %s for the worker: %s\n", priv_type_name(m->type), strerror(-rc));
    send_result(rc, -1);
}

/* --- the table -------------------------------------------------------- */

int priv_dispatch_msg(const uint8_t *buf, size_t len)
{
    struct priv_msg m;
    const char *why;
    if (priv_decode(buf, len, &m, &why) != 0) {
        snmp_log(LOG_WARNING, "priv: refused a message from the worker: %s (%zu bytes)\n", why, len);
        return 0;
    }
    switch (m.type) {
    case PM_HELLO: hello(&m); break;
    case PM_RUN_OP: run_op(&m); break;
    case PM_CHECK_APP: check_app(&m); break;
    case PM_WRITE_STATE: write_state(&m); break;
    case PM_AGENTX: agentx(); break;
    case PM_KERNELS: kernels(); break;
    case PM_IPVS_OPEN: case PM_IPVS_LIST: case PM_IPVS_SVC: case PM_IPVS_DEST: ipvs(&m); break;
    default:
        refuse(&m, "the monitor sends this type, never takes it");
        break;
    }
    return g_broken ? -1 : 0;
}

static void on_age(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    const struct agent_config *c = agent_config();
    op_table_age(time(NULL), c->op_keep_seconds, c->op_keep_count);
}

void priv_dispatch_init(struct event_base *base, const char *agentx_path, void (*on_broken)(void))
{
    g_on_broken = on_broken;
    snprintf(g_agentx, sizeof g_agentx, "%s", agentx_path);
    op_table_init(base);
    op_table_set_hooks(&hooks);
    g_age = event_new(base, -1, EV_PERSIST, on_age, NULL);
    struct timeval sec = { 1, 0 };
    if (!g_age || event_add(g_age, &sec) != 0)
        snmp_log(LOG_ERR, "priv: cannot start the operation aging timer\n");
}

void priv_dispatch_set_worker(int sock, unsigned generation)
{
    g_sock = sock;
    g_generation = generation;
    g_broken = 0;
}

void priv_dispatch_set_agentx(const char *agentx_path)
{
    snprintf(g_agentx, sizeof g_agentx, "%s", agentx_path);
}

void priv_dispatch_shutdown(void)
{
    if (g_age)
        event_free(g_age);
    g_age = NULL;
    op_table_shutdown();   /* checks are killed, operations left to finish */
    while (g_checks) {
        struct check *c = g_checks;
        g_checks = c->next;
        free(c);
    }
    ipvs_nl_close();
}
