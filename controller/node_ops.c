/* Node operations through lamonOpTable (see node_ops.h). */
#include "node_ops.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decide.h"
#include "event_log.h"
#include "job_list.h"
#include "mono_ms.h"
#include "node_view.h"
#include "op_job.h"
#include "peer_writes.h"
#include "snmp_session.h"

#define INDEX_RETRIES 5        /* createAndGo races lost before giving up */
#define POLL_FAST 20           /* the first reads of lamonOpStatus, every job_list tick: */
#define POLL_MS 500            /* quick operations end in milliseconds; then this often */
#define MISSES_GONE 3          /* unanswered reads: a rebooting node has gone */
#define MISSES_FAIL 10         /* unanswered reads: give up on any other */

static struct cluster *g_cl;
static const struct job_kind op_kind;     /* below */

static const oid next_index_oid[] = { LAMON_OP_NEXT };
static const oid op_entry[] = { LAMON_OP_ENTRY };
#define OP_ENTRY_LEN LAMON_OP_ENTRY_LEN

/* The scale-in drain this job took over is decide's again: ended in
 * maintenance, or left to end as scale-in drains do if the job failed. */
static void release_drain(struct job *j)
{
    if (!j->holding || !g_cl)
        return;
    int i = cluster_find_node(g_cl, j->head.node);
    if (i >= 0 && g_cl->nodes[i]->op_job == j->head.id)
        g_cl->nodes[i]->op_job = 0;
    j->holding = false;
}

/* Ends the job; MSG is both the log line and what lamonctl reports. */
static void finish(struct job *j, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void finish(struct job *j, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(j->message, sizeof j->message, "%s: ", j->head.node);
    if (n > 0 && (size_t)n < sizeof j->message)
        vsnprintf(j->message + n, sizeof j->message - (size_t)n, fmt, ap);
    va_end(ap);
    size_t have = strlen(j->message);
    if (ok && j->scale_in && have < sizeof j->message)
        snprintf(j->message + have, sizeof j->message - have,
                 "; it left service %s by the scale-in drain and comes back as a spare", j->service);
    j->ok = ok;
    j->phase = PH_DONE;
    release_drain(j);
    snprintf(j->progress, sizeof j->progress, "%s", j->message);
    event_log("node %s (job %u)", j->message, j->head.id);
}

/* --- requests ------------------------------------------------------------- */

static struct job *find_job(unsigned id)
{
    return (struct job *)job_list_find(id, &op_kind);   /* the head is the job's first member */
}

static void send_pdu(struct job *j, netsnmp_pdu *pdu, const char *what)
{
    if (!pdu) {
        finish(j, false, "%s: out of memory", what);
        return;
    }
    int id = ssess_send(j->sess, pdu);
    if (!id)
        finish(j, false, "%s: cannot send to the agent", what);
    else
        j->reqid = id;
}

static void send_next_index(struct job *j)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    if (pdu)
        snmp_add_null_var(pdu, next_index_oid, OID_LENGTH(next_index_oid));
    send_pdu(j, pdu, "read lamonOpNextIndex");
}

/* lamonOpEntry.COLUMN.INDEX of the job's current operation; the caller
 * sets o[OP_ENTRY_LEN] to the column. */
static void op_row_oid(oid o[OP_ENTRY_LEN + 2], const struct job *j)
{
    memcpy(o, op_entry, sizeof op_entry);
    lamon_op_index_encode(j->res[j->cur].index, o + OP_ENTRY_LEN + 1);
}

static void on_write(void *ctx, bool ok, long errstat, const char *why);

/* The job's writes go where the decisions' go (peer_writes.h), over the
 * node's write session; the answer comes to on_write. */
static void send_write(struct job *j, struct intent *it, const char *what)
{
    int i = g_cl ? cluster_find_node(g_cl, j->head.node) : -1;
    if (i < 0) {
        finish(j, false, "no longer in the configuration");
        return;
    }
    it->peer = (size_t)i;
    if (peer_writes_send(g_cl, it, on_write, (void *)(uintptr_t)j->head.id) < 0)
        finish(j, false, "%s: %s", what, peer_writes_error());
    else
        j->writing = true;
}

static void send_create(struct job *j)
{
    struct intent it = { .kind = INTENT_OP_CREATE, .op_index = j->res[j->cur].index, .op_type = j->type };
    if (j->nargs)
        snprintf(it.op_arg, sizeof it.op_arg, "%s", j->args[j->cur]);
    char l[160];
    op_job_label(j, l, sizeof l);
    snprintf(it.what, sizeof it.what, "node %s: create operation %u: %s (job %u)", j->head.node, it.op_index, l, j->head.id);
    send_write(j, &it, "create the operation row");
}

static void send_status(struct job *j)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    if (pdu) {
        oid o[OP_ENTRY_LEN + 2];
        op_row_oid(o, j);
        static const int cols[] = { LO_STATUS, LO_EXIT, LO_OUTPUT };
        for (size_t i = 0; i < 3; i++) {
            o[OP_ENTRY_LEN] = (oid)cols[i];
            snmp_add_null_var(pdu, o, OP_ENTRY_LEN + 2);
        }
    }
    send_pdu(j, pdu, "read the operation's status");
}

/* Role spare and no service, state left at maintenance: the service is
 * refilled from the spares, the node is never promoted while it goes
 * down, and after its boot (the agent does not keep the transient
 * stopping state) it returns as a running spare. */
static void send_release(struct job *j)
{
    struct intent it = { .kind = INTENT_NODE_ROLE, .role = ROLE_SPARE };
    snprintf(it.what, sizeof it.what, "node %s: role spare service '' (job %u: leaves service %s)", j->head.node, j->head.id,
             j->service);
    send_write(j, &it, "hand the node back to the spares");
}

/* --- responses ------------------------------------------------------------ */

static bool is_exception(const netsnmp_variable_list *vb)
{
    return vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE || vb->type == SNMP_ENDOFMIBVIEW;
}

static void on_next_index(struct job *j, const netsnmp_pdu *pdu)
{
    const netsnmp_variable_list *vb = pdu->variables;
    if (pdu->errstat != SNMP_ERR_NOERROR || !vb || is_exception(vb) ||
        vb->type != ASN_UNSIGNED || !vb->val.integer || *vb->val.integer == 0) {
        finish(j, false, "the agent has no lamonOpNextIndex (%s)",
               pdu->errstat ? op_err_name(pdu->errstat) : "no usable value");
        return;
    }
    unsigned idx = (unsigned)*vb->val.integer;
    if (j->phase == PH_RECHECK) {
        /* The row we asked for exists only if someone else created it:
         * then the next free index has moved past ours. */
        if (idx <= j->res[j->cur].index) {
            char l[160];
            op_job_label(j, l, sizeof l);
            finish(j, false, "%s refused by the agent: %s", l, op_err_name(j->refused));
            return;
        }
        event_log("node %s: operation index %u was taken by another manager; retrying with %u (job %u)",
                  j->head.node, j->res[j->cur].index, idx, j->head.id);
    }
    j->res[j->cur].index = idx;
    j->phase = PH_CREATE;
}

static void on_create(struct job *j, long e)
{
    char l[160];
    op_job_label(j, l, sizeof l);
    if (e == SNMP_ERR_NOERROR) {
        j->phase = PH_RUNNING;
        j->misses = 0;
        event_log("node %s: %s accepted as operation %u (job %u)", j->head.node, l, j->res[j->cur].index, j->head.id);
        j->res[j->cur].accepted = true;
        j->polls = 0;
        op_job_step(j, "%s accepted as operation %u", l, j->res[j->cur].index);
        return;
    }
    /* inconsistentValue is also the agent's answer for a busy target; only
     * a moved lamonOpNextIndex tells a lost race apart. */
    if ((e == SNMP_ERR_INCONSISTENTVALUE || e == SNMP_ERR_NOTWRITABLE || e == SNMP_ERR_INCONSISTENTNAME) &&
        j->retries < INDEX_RETRIES) {
        j->retries++;
        j->refused = (int)e;
        j->phase = PH_RECHECK;
        return;
    }
    finish(j, false, "%s refused by the agent: %s", l, op_err_name(e));
}

static void on_status(struct job *j, const netsnmp_pdu *pdu)
{
    char l[160];
    op_job_label(j, l, sizeof l);
    struct op_result *r = &j->res[j->cur];
    const netsnmp_variable_list *st = pdu->variables;
    const netsnmp_variable_list *ex = st ? st->next_variable : NULL;
    const netsnmp_variable_list *out = ex ? ex->next_variable : NULL;
    j->misses = 0;
    if (pdu->errstat != SNMP_ERR_NOERROR || !out) {
        finish(j, false, "%s: reading operation %u failed: %s", l, r->index, op_err_name(pdu->errstat));
        return;
    }
    if (is_exception(st)) {
        /* The row is gone: a rebooted agent starts with an empty table. */
        if (op_job_is_node_op(j))
            finish(j, true, "%s done: operation %u is gone, the agent restarted", l, r->index);
        else
            finish(j, false, "%s: operation %u vanished from the agent before it ended", l, r->index);
        return;
    }
    if (st->type != ASN_INTEGER || ex->type != ASN_INTEGER) {
        finish(j, false, "%s: operation %u: unexpected value types", l, r->index);
        return;
    }
    r->status = (int)*st->val.integer;
    r->exit_code = (int)*ex->val.integer;
    if (out->type == ASN_OCTET_STR) {
        size_t n = out->val_len < OUT_MAX ? out->val_len : OUT_MAX;
        memcpy(j->output, out->val.string, n);
        j->output[n] = '\0';
    }
    if (r->status == OPS_QUEUED || r->status == OPS_RUNNING) {
        op_job_progress(j, "%s %s (operation %u)", l, op_status_names[r->status], r->index);
        return;
    }
    if (r->status == OPS_SUCCEEDED && j->cur + 1 < j->nargs) {
        event_log("node %s: %s done, exit %d (operation %u, job %u)", j->head.node, l, r->exit_code, r->index, j->head.id);
        op_job_step(j, "%s done, exit %d", l, r->exit_code);
        j->cur++;
        j->retries = 0;
        j->phase = PH_NEXT_INDEX;
        return;
    }
    if (r->status == OPS_SUCCEEDED)
        finish(j, true, "%s done, exit %d", l, r->exit_code);
    else
        finish(j, false, "%s failed, exit %d (operation %u)", l, r->exit_code, r->index);
}

static void on_release(struct job *j, long errstat)
{
    if (errstat != SNMP_ERR_NOERROR) {
        finish(j, false, "handing the node back to the spares was refused: %s", op_err_name(errstat));
        return;
    }
    event_log("node %s: left service %s for the %s: now a spare in maintenance (job %u)", j->head.node, j->service,
              j->type == OPT_REBOOT ? "reboot" : "shutdown", j->head.id);
    j->phase = PH_NEXT_INDEX;
}

/* The request of the submitting phases.  Sent straight from the answer
 * that led to it: the shorter the time between reading lamonOpNextIndex
 * and the createAndGo, the rarer a lost race with another manager. */
static void send_submit(struct job *j)
{
    if (j->phase == PH_NEXT_INDEX || j->phase == PH_RECHECK)
        send_next_index(j);
    else if (j->phase == PH_CREATE)
        send_create(j);
}

/* Every answer or timeout of a job's session.  The session of a job that
 * ended is closed by the tick, outside Net-SNMP's read. */
static void on_pdu(void *owner, int op, int reqid, netsnmp_pdu *pdu)
{
    struct job *j = owner;
    if (reqid != j->reqid || j->phase == PH_DONE)
        return;
    j->reqid = 0;
    char l[160];
    op_job_label(j, l, sizeof l);
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu) {
        if (j->phase != PH_RUNNING) {
            finish(j, false, "%s: the agent did not answer (%s)", l, op_phase_names[j->phase]);
        } else if (++j->misses >= MISSES_GONE && op_job_is_node_op(j)) {
            /* The command took the node down before the agent could report
             * the end: that is the operation working. */
            finish(j, true, "%s done: the node stopped answering (operation %u)", l, j->res[j->cur].index);
        } else if (j->misses >= MISSES_FAIL) {
            finish(j, false, "%s: the node stopped answering (operation %u)", l, j->res[j->cur].index);
        }
        return;
    }
    switch (j->phase) {
    case PH_NEXT_INDEX: case PH_RECHECK: on_next_index(j, pdu); break;
    case PH_RUNNING: on_status(j, pdu); break;
    default: break;
    }
    if (!j->reqid && !j->writing)
        send_submit(j);
}

/* The outcome of a job's write.  CTX is the job's number, not a pointer:
 * the job may be gone by then (node_ops_free before the sessions close). */
static void on_write(void *ctx, bool ok, long errstat, const char *why)
{
    struct job *j = find_job((unsigned)(uintptr_t)ctx);
    if (!j || !j->writing)
        return;
    j->writing = false;
    if (j->phase == PH_DONE)
        return;
    if (!ok && errstat == SNMP_ERR_NOERROR) {
        char l[160];
        op_job_label(j, l, sizeof l);
        if (strncmp(why, "timeout", 7) == 0)
            finish(j, false, "%s: the agent did not answer (%s)", l, op_phase_names[j->phase]);
        else
            finish(j, false, "%s: %s (%s)", l, why, op_phase_names[j->phase]);
        return;
    }
    if (j->phase == PH_RELEASE)
        on_release(j, errstat);
    else if (j->phase == PH_CREATE)
        on_create(j, errstat);
    if (!j->reqid && !j->writing)
        send_submit(j);
}

/* --- the driver ----------------------------------------------------------- */

static void drive_drain(struct cluster *cl, struct job *j, struct node_rt *n)
{
    char l[160];
    op_job_label(j, l, sizeof l);
    if (n->hyst.health == NODE_DOWN) {
        finish(j, false, "went down while draining for the %s", l);
        return;
    }
    /* Without a fresh sample the state may be the one a failed SET wrote
     * optimistically: wait for the agent's own word. */
    if (n->set_in_flight || !n->have_sample)
        return;
    if (n->s.state == NSTATE_MAINTENANCE) {
        event_log("node %s: drained and out of service %s; the %s follows (job %u)", j->head.node, j->service, l,
                  j->head.id);
        op_job_step(j, "drained, leaving service %s", j->service);
        release_drain(j);
        j->phase = PH_RELEASE;
        send_release(j);
        return;
    }
    if (n->s.state != NSTATE_DRAINING && n->have_sample) {
        finish(j, false, "the drain before the %s was undone (node %s again)", l, node_state_label(cl, n));
        return;
    }
    if (time(NULL) > j->drain_deadline) {
        finish(j, false, "the drain before the %s did not end in time", l);
        return;
    }
    op_job_progress(j, "draining (%u connection%s left)", n->s.conns, n->s.conns == 1 ? "" : "s");
}

static void drive(struct cluster *cl, struct job *j)
{
    int i = cluster_find_node(cl, j->head.node);
    if (i < 0) {
        finish(j, false, "no longer in the configuration");
        return;
    }
    struct node_rt *n = cl->nodes[i];
    switch (j->phase) {
    case PH_DRAIN: drive_drain(cl, j, n); break;
    case PH_NEXT_INDEX: case PH_RECHECK: case PH_CREATE: send_submit(j); break;
    case PH_RUNNING:
        if (j->polls < POLL_FAST || ms_since(&j->last_poll) >= POLL_MS) {
            j->polls++;
            clock_gettime(CLOCK_MONOTONIC, &j->last_poll);
            send_status(j);
        }
        break;
    default: break;
    }
}

/* The job list's tick: drives a job with nothing in flight, closes the
 * session of one that ended (outside Net-SNMP's read). */
static bool op_tick(struct job_head *h)
{
    struct job *j = (struct job *)h;
    if (j->phase != PH_DONE && !j->reqid && !j->writing)
        drive(g_cl, j);
    if (j->phase == PH_DONE && j->sess) {
        ssess_close(j->sess);
        j->sess = NULL;
        j->reqid = 0;
    }
    return j->phase != PH_DONE;
}

static bool op_pending(const struct job_head *h) { return ((const struct job *)h)->phase != PH_DONE; }

static void op_view(struct evbuffer *out, const struct job_head *h, bool json)
{
    op_job_view(out, (const struct job *)h, json);
}

static void op_free(struct job_head *h)
{
    struct job *j = (struct job *)h;
    ssess_close(j->sess);
    free(j);
}

static const struct job_kind op_kind = { op_tick, op_pending, op_view, op_free };

void node_ops_init(struct cluster *cl)
{
    g_cl = cl;
}

/* --- requests from lamonctl ---------------------------------------------- */

unsigned node_ops_start(struct cluster *cl, const char *node, char *const *words, size_t nwords,
                        char *err, size_t errlen)
{
    const struct ctl_config *cfg = cl->cfg;
    int i = cluster_find_node(cl, node);
    if (i < 0) {
        snprintf(err, errlen, "no node %s", node);
        return 0;
    }
    struct node_rt *n = cl->nodes[i];
    if (!n->have_sample || n->hyst.health != NODE_UP) {
        snprintf(err, errlen, "node %s is %s", node, n->hyst.health == NODE_DOWN ? "down" : "not up yet");
        return 0;
    }
    if (cfg->write_user < 0) {
        snprintf(err, errlen, "no v3user configured for writes");
        return 0;
    }
    unsigned busy;
    if (job_list_pending(node, &op_kind, &busy)) {
        snprintf(err, errlen, "node %s: job %u is still in progress", node, busy);
        return 0;
    }
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    if (op_job_parse(j, words, nwords, err, errlen) < 0) {
        free(j);
        return 0;
    }
    char e[256];
    j->sess = ssess_open(&n->peer, &cfg->v3users[cfg->write_user], ssess_timeout_ms(cfg), cfg->retries, on_pdu,
                         j, e, sizeof e);
    if (!j->sess) {
        snprintf(err, errlen, "%s", e);
        free(j);
        return 0;
    }
    j->head.id = job_list_next_id();
    snprintf(j->head.node, sizeof j->head.node, "%s", node);
    j->phase = PH_NEXT_INDEX;
    char l[160];
    op_job_label(j, l, sizeof l);
    event_log("operator: %s on node %s (job %u)", l, node, j->head.id);
    int svc = node_service(cl, n);
    if (op_job_is_node_op(j) && svc >= 0) {
        snprintf(j->service, sizeof j->service, "%s", cfg->services[svc].name);
        /* The drain itself is decide's (weight 0, wait, maintenance, out of
         * the directors); this job only waits for it to end. */
        j->drain_deadline = time(NULL) + (time_t)cfg->drain_timeout_s + 30 + 3 * (time_t)(cfg->interval_ms / 1000);
        if (n->s.state == NSTATE_MAINTENANCE) {
            event_log("node %s serves %s and is in maintenance already: no drain before the %s", node,
                      j->service, l);
        } else if (n->s.state == NSTATE_DRAINING && n->s.role == ROLE_SPARE) {
            /* decide's scale-in drain would end in the spares, where the
             * node could be promoted while it goes down: the job takes the
             * drain over, decide ends it in maintenance (node_rt.op_job). */
            j->scale_in = j->holding = true;
            n->op_job = j->head.id;
            event_log("node %s was being drained for scale-in of %s; the %s takes over the drain (job %u)", node,
                      j->service, l, j->head.id);
        } else if (n->s.state == NSTATE_DRAINING) {
            event_log("node %s serves %s and is draining already: the %s waits for it", node, j->service, l);
        } else {
            event_log("node %s serves %s: drain before the %s", node, j->service, l);
            if (decide_drain(cl, n, true, e, sizeof e) < 0) {
                snprintf(err, errlen, "%s", e);
                event_log("node %s: %s not started: %s (job %u)", node, l, e, j->head.id);
                ssess_close(j->sess);
                free(j);
                return 0;
            }
        }
        j->phase = PH_DRAIN;
        if (j->scale_in)
            op_job_step(j, "was being drained for scale-in; %s takes over the drain", l);
        else
            op_job_progress(j, "draining (%u connection%s left)", n->s.conns, n->s.conns == 1 ? "" : "s");
    } else {
        op_job_progress(j, "%s submitted", l);
    }
    job_list_add(&j->head, &op_kind);
    send_submit(j);                        /* no wait for the tick */
    return j->head.id;
}
