/* The worker's calls to the monitor; see priv_client.h. */
#include "priv_client.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_mib.h"
#include "ipvs_netlink.h"
#include "kernel_grub.h"
#include "op_table.h"
#include "priv_io.h"
#include "priv_reload.h"
#include "state_file.h"

/* An IPVS list may hold many thousands of rows; this bounds one answer. */
#define LIST_MSGS_MAX 4000000

static int g_sock = -1;
static struct event *g_read_ev, *g_drain_ev;
static struct event_base *g_base;
static int g_ipvs_open;
/* A request went unanswered or an answer was bad: a late answer would be
 * taken for the next request's, so this worker stops and the monitor
 * starts a fresh one. */
static int g_broken;

static void broken(void)
{
    if (g_broken)
        return;
    g_broken = 1;
    snmp_log(LOG_ERR, "priv: out of step with the monitor; the worker stops and is restarted\n");
    if (g_base)
        event_base_loopbreak(g_base);
}

/* Results that arrived while a request waited for its answer: handled from
 * the loop, never from inside an SNMP handler's call. */
struct queued {
    struct priv_msg m;
    struct queued *next;
};
static struct queued *g_q_head, **g_q_tail = &g_q_head;
/* The operation rows of the WELCOME, until op_table can take them. */
static struct queued *g_adopt;

static void enqueue(struct queued ***tail, const struct priv_msg *m)
{
    struct queued *q = malloc(sizeof *q);
    if (!q) {
        snmp_log(LOG_ERR, "priv: out of memory; a %s from the monitor is lost\n", priv_type_name(m->type));
        return;
    }
    q->m = *m;
    q->next = NULL;
    **tail = q;
    *tail = &q->next;
}

static int send_or_wait(const struct priv_msg *m)
{
    if (priv_send_wait(g_sock, m, -1, PRIV_REPLY_TIMEOUT_MS) == 0)
        return 0;
    snmp_log(LOG_ERR, "priv: cannot send %s to the monitor: %s\n", priv_type_name(m->type), strerror(errno));
    return -1;
}

/* The next message from the monitor, waiting at most the reply timeout.
 * 0, or -1 (logged) on timeout, end of file or a bad message. */
static int next_msg(struct priv_msg *m, int *fd)
{
    uint8_t buf[PRIV_MSG_MAX];
    struct pollfd p = { g_sock, POLLIN, 0 };
    int r;
    do
        r = poll(&p, 1, PRIV_REPLY_TIMEOUT_MS);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        snmp_log(LOG_ERR, "priv: no answer from the monitor\n");
        broken();
        return -1;
    }
    long n = priv_recv(g_sock, buf, fd);
    const char *why = "end of file";
    if (n > 0 && priv_decode(buf, (size_t)n, m, &why) == 0)
        return 0;
    if (fd && *fd >= 0)
        close(*fd);
    snmp_log(LOG_ERR, "priv: bad message from the monitor: %s\n", n < 0 ? strerror(errno) : why);
    broken();
    return -1;
}

/* Messages the monitor sends unasked: results, and a reload's text. */
static int is_async(int type)
{
    return type == PM_OP_DONE || type == PM_CHECK_DONE || type == PM_CONFIG_TEXT ||
           type == PM_CONFIG_END;
}

/* Sends Q and waits for a message of type WANT (or ALT, unless 0) into R
 * (async results that come first are queued). */
static int request2(const struct priv_msg *q, int want, int alt, struct priv_msg *r, int *fd)
{
    if (g_sock < 0 || g_broken || send_or_wait(q) != 0)
        return -1;
    for (int i = 0; i < 10000; i++) {
        if (next_msg(r, fd) != 0)
            return -1;
        if (r->type == want || (alt && r->type == alt))
            return 0;
        if (is_async(r->type)) {
            enqueue(&g_q_tail, r);
            if (g_drain_ev)
                event_active(g_drain_ev, EV_TIMEOUT, 1);
            continue;
        }
        snmp_log(LOG_ERR, "priv: unexpected %s from the monitor\n", priv_type_name(r->type));
        if (fd && *fd >= 0)
            close(*fd);
        broken();
        return -1;
    }
    return -1;
}

static int request(const struct priv_msg *q, int want, struct priv_msg *r, int *fd)
{
    return request2(q, want, 0, r, fd);
}

/* --- asynchronous results ------------------------------------------------ */

static void handle(const struct priv_msg *m)
{
    if (m->type == PM_OP_DONE) {
        const struct pm_op_state *o = &m->u.op;
        op_table_finished(o->index, (int)o->status, o->exit_code, o->out, o->outlen,
                          (time_t)o->end_time);
    } else if (m->type == PM_CHECK_DONE) {
        app_mib_check_result(m->u.check_done.id, m->u.check_done.exit_code);
    } else {
        priv_reload_take(m);
    }
}

static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    while (g_q_head) {
        struct queued *q = g_q_head;
        g_q_head = q->next;
        if (!g_q_head)
            g_q_tail = &g_q_head;
        handle(&q->m);
        free(q);
    }
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    for (int i = 0; i < 64; i++) {
        uint8_t buf[PRIV_MSG_MAX];
        long n = priv_recv(g_sock, buf, NULL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            snmp_log(LOG_ERR, "priv: the monitor is gone (%s); the worker stops\n",
                     n < 0 ? strerror(errno) : "end of file");
            event_base_loopbreak(g_base);
            return;
        }
        struct priv_msg m;
        const char *why;
        if (priv_decode(buf, (size_t)n, &m, &why) != 0 || !is_async(m.type)) {
            snmp_log(LOG_ERR, "priv: unexpected message from the monitor (%s)\n",
                     priv_decode(buf, (size_t)n, &m, &why) != 0 ? why : priv_type_name(m.type));
            continue;
        }
        handle(&m);
    }
}

/* --- the module hooks -------------------------------------------------- */

static int op_start(const struct op *o)
{
    struct priv_msg m;
    priv_msg_init(&m, PM_RUN_OP);
    m.u.run_op.index = o->index;
    m.u.run_op.type = (uint32_t)o->type;
    snprintf(m.u.run_op.arg, sizeof m.u.run_op.arg, "%s", o->arg);
    return send_or_wait(&m);
}

static const struct op_executor executor = { op_start };

static int check_run(size_t app, unsigned id)
{
    struct priv_msg m;
    priv_msg_init(&m, PM_CHECK_APP);
    m.u.check_app.app = (uint32_t)app;
    m.u.check_app.id = id;
    return send_or_wait(&m);
}

static int save_state(const struct node_persist *p)
{
    struct priv_msg q, r;
    priv_msg_init(&q, PM_WRITE_STATE);
    q.u.write_state.state = p->state;
    q.u.write_state.role = p->role;
    snprintf(q.u.write_state.service, sizeof q.u.write_state.service, "%s", p->service);
    if (request(&q, PM_RESULT, &r, NULL) != 0 || r.u.result.rc != 0) {
        snmp_log(LOG_ERR, "state: the monitor could not write the state file\n");
        return -1;
    }
    return 0;
}

int priv_client_agentx_fd(void)
{
    struct priv_msg q, r;
    int fd = -1;
    priv_msg_init(&q, PM_AGENTX);
    if (request(&q, PM_RESULT, &r, &fd) != 0) {
        errno = EIO;
        return -1;
    }
    if (r.u.result.rc < 0 || fd < 0) {
        if (fd >= 0)
            close(fd);
        errno = r.u.result.rc < 0 ? -r.u.result.rc : EIO;
        return -1;
    }
    return fd;
}

/* --- kernels ------------------------------------------------------------ */

/* KERNEL_ENTRYs, then KERNELS_END with their count and the next-boot one. */
static int r_kernels(struct kernel_list *out, char *next, size_t nextlen)
{
    out->n = 0;
    next[0] = '\0';
    struct priv_msg q, r;
    priv_msg_init(&q, PM_KERNELS);
    if (request2(&q, PM_KERNEL_ENTRY, PM_KERNELS_END, &r, NULL) != 0)
        return -1;
    for (size_t i = 0; i <= KERNEL_LIST_MAX; i++) {
        if (r.type == PM_KERNELS_END) {
            if (r.u.kernels_end.n != out->n)
                break;
            snprintf(next, nextlen, "%s", r.u.kernels_end.next);
            return 0;
        }
        if (r.type != PM_KERNEL_ENTRY || out->n == KERNEL_LIST_MAX)
            break;
        memcpy(out->rel[out->n++], r.u.kernel.rel, sizeof out->rel[0]);
        if (next_msg(&r, NULL) != 0)
            return -1;
    }
    snmp_log(LOG_ERR, "priv: kernel list from the monitor out of order (%s)\n", priv_type_name(r.type));
    out->n = 0;
    broken();
    return -1;
}

/* --- IPVS --------------------------------------------------------------- */

static int simple(const struct priv_msg *q)
{
    struct priv_msg r;
    return request(q, PM_RESULT, &r, NULL) == 0 ? r.u.result.rc : -EIO;
}

static int r_open(void)
{
    struct priv_msg q;
    priv_msg_init(&q, PM_IPVS_OPEN);
    int rc = simple(&q);
    g_ipvs_open = rc == 0;
    return rc;
}

static void r_close(void) { g_ipvs_open = 0; }
static int r_is_open(void) { return g_ipvs_open; }

static int r_svc(int cmd, const struct ipvs_service *s)
{
    struct priv_msg q;
    priv_msg_init(&q, PM_IPVS_SVC);
    q.u.ipvs_svc.cmd = (uint32_t)cmd;
    q.u.ipvs_svc.svc = *s;
    return simple(&q);
}

static int r_dest(int cmd, const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    struct priv_msg q;
    priv_msg_init(&q, PM_IPVS_DEST);
    q.u.ipvs_dest.cmd = (uint32_t)cmd;
    q.u.ipvs_dest.key = *k;
    q.u.ipvs_dest.dest = *d;
    return simple(&q);
}

/* Takes the entries up to IPVS_LIST_END: each service, then exactly as
 * many destinations as it announced. */
static int r_list(struct ipvs_table *out)
{
    memset(out, 0, sizeof *out);
    struct priv_msg q, r;
    priv_msg_init(&q, PM_IPVS_LIST);
    /* An empty table or an error answers IPVS_LIST_END at once. */
    if (request2(&q, PM_IPVS_SVC_ENTRY, PM_IPVS_LIST_END, &r, NULL) != 0)
        return -EIO;
    size_t cap = 0, due = 0;
    int rc = -EIO, failed = 0;
    struct ipvs_svc_entry *cur = NULL;
    /* Read to the end whatever happens, so that the next answer is in step. */
    for (long i = 0; i < LIST_MSGS_MAX; i++) {
        if (r.type == PM_IPVS_LIST_END) {
            rc = failed ? failed : due ? -EIO : r.u.result.rc;
            break;
        }
        if (failed) {
            /* skip */
        } else if (r.type == PM_IPVS_SVC_ENTRY && due == 0) {
            if (out->nsvcs == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct ipvs_svc_entry *v = realloc(out->svcs, ncap * sizeof *v);
                if (!v) {
                    failed = -ENOMEM;
                    goto next;
                }
                out->svcs = v;
                cap = ncap;
            }
            cur = &out->svcs[out->nsvcs++];
            memset(cur, 0, sizeof *cur);
            cur->svc = r.u.svc_entry.svc;
            due = r.u.svc_entry.ndests;
            if (due && !(cur->dests = calloc(due, sizeof *cur->dests)))
                failed = -ENOMEM;
        } else if (r.type == PM_IPVS_DEST_ENTRY && due > 0) {
            cur->dests[cur->ndests++] = r.u.dest_entry.dest;
            due--;
        } else {
            snmp_log(LOG_ERR, "priv: IPVS list from the monitor out of order (%s)\n",
                     priv_type_name(r.type));
            failed = -EIO;
        }
next:
        if (next_msg(&r, NULL) != 0)
            break;
    }
    if (rc != 0)
        ipvs_table_free(out);
    return rc;
}

static const struct ipvs_remote remote = { r_open, r_close, r_is_open, r_list, r_svc, r_dest };

/* --- set-up ------------------------------------------------------------- */

int priv_client_hello(int sock)
{
    g_sock = sock;
    int fl = fcntl(sock, F_GETFL);
    if (fl < 0 || fcntl(sock, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    struct priv_msg q, r;
    priv_msg_init(&q, PM_HELLO);
    q.u.hello.version = PRIV_PROTO_VERSION;
    if (request(&q, PM_WELCOME, &r, NULL) != 0)
        return -1;
    unsigned generation = r.u.welcome.generation;
    struct queued **tail = &g_adopt;
    for (uint32_t i = 0; i < r.u.welcome.nops; i++) {
        struct priv_msg s;
        if (next_msg(&s, NULL) != 0)
            return -1;
        if (s.type == PM_OP_STATE)
            enqueue(&tail, &s);
        else if (is_async(s.type))
            enqueue(&g_q_tail, &s);
    }
    return (int)generation;
}

void priv_client_adopt_ops(void)
{
    size_t running = 0, n = 0;
    while (g_adopt) {
        struct queued *q = g_adopt;
        g_adopt = q->next;
        const struct pm_op_state *o = &q->m.u.op;
        if (op_table_adopt(o->index, (int)o->type, o->arg, (int)o->status, o->exit_code,
                           (time_t)o->start_time, (time_t)o->end_time, o->out, o->outlen) == 0) {
            n++;
            running += o->status == OPS_RUNNING || o->status == OPS_QUEUED;
        }
        free(q);
    }
    if (n)
        snmp_log(LOG_NOTICE, "priv: took %zu operation row(s) from the monitor, %zu still running\n",
                 n, running);
}

void priv_client_install(void)
{
    op_table_set_executor(&executor);
    app_mib_set_check_runner(check_run);
    state_file_set_remote(save_state);
    ipvs_nl_set_remote(&remote);
    kernel_grub_set_remote(r_kernels);
}

int priv_client_watch(struct event_base *base)
{
    g_base = base;
    g_read_ev = event_new(base, g_sock, EV_READ | EV_PERSIST, read_cb, NULL);
    g_drain_ev = event_new(base, -1, 0, drain_cb, NULL);
    if (!g_read_ev || !g_drain_ev || event_add(g_read_ev, NULL) != 0)
        return -1;
    if (g_q_head)
        event_active(g_drain_ev, EV_TIMEOUT, 1);
    return 0;
}

void priv_client_shutdown(void)
{
    if (g_read_ev)
        event_free(g_read_ev);
    if (g_drain_ev)
        event_free(g_drain_ev);
    g_read_ev = g_drain_ev = NULL;
    drain_cb(-1, 0, NULL);
    while (g_adopt) {
        struct queued *q = g_adopt;
        g_adopt = q->next;
        free(q);
    }
    op_table_set_executor(NULL);
    app_mib_set_check_runner(NULL);
    state_file_set_remote(NULL);
    ipvs_nl_set_remote(NULL);
    kernel_grub_set_remote(NULL);
    if (g_sock >= 0)
        close(g_sock);
    g_sock = -1;
}
