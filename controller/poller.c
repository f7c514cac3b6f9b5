/* Asynchronous poller of nodes and directors (see poller.h). */
#include "poller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#include "ctl_metrics_counters.h"
#include "dir_table.h"
#include "event_log.h"
#include "node_poll_pdu.h"
#include "notif_config.h"
#include "snmp_session.h"

#define DIR_REPS 25
/* At most cfg->in_flight (token in_flight, default 64) node polls are in
 * flight at once; the rest of the cycle waits in send_q and goes out as
 * answers (or timeouts) free a slot.
 * Why: with all requests sent in one burst, one snmpd serving many nodes
 * through one AgentX subagent (the thousands-of-nodes bench) fills the
 * AgentX unix socket both ways, and master and subagent deadlock, each
 * blocked in sendto() (seen with 1,000 nodes: 214 KB queued each way).
 * The master serves a GETBULK as a sequence of AgentX round trips, so
 * each poll has one AgentX message in flight at a time; 64 of them (about
 * 2.5 KB of socket memory each) stay well below one 208 KB socket buffer.
 * It also bounds the sessions the timeout timer visits.  Nodes that
 * answered last cycle go first, so that unreachable ones, which hold a
 * slot for a whole timeout, never starve the healthy ones; the silent
 * ones are queued from a rotating start, so that each is tried in turn
 * even when there are more of them than fit in one interval. */

struct poller {
    struct event_base *base;
    struct cluster *cl;
    poller_cycle_cb cb;
    void *arg;
    struct event *tick;
    unsigned outstanding;              /* nodes + directors not done this cycle */
    bool closed;                       /* this cycle handed over already */
    bool first_logged;                 /* "first poll cycle complete" said */
    struct node_rt **send_q;           /* this cycle's nodes, in send order */
    size_t send_cap, send_len, send_next;
    unsigned nodes_in_flight;
};

static const oid vs_entry[] = { LAMON_VS_ENTRY };
static const oid dest_entry[] = { LAMON_DEST_ENTRY };

static const int dest_cols[] = { LD_WEIGHT, LD_FWD, LD_ACTIVE };
#define NDEST_COLS (sizeof dest_cols / sizeof dest_cols[0])

/* Once per process: the moment a new controller (a restart, or a
 * cluster manager's takeover) has seen the whole cluster and decided once.
 * Takeover time is measured up to this line (bench/ha_takeover.sh). */
static void log_first_cycle(struct poller *p)
{
    const struct cluster *cl = p->cl;
    size_t nodes = 0, answered = 0, dirs = 0, walked = 0;
    for (size_t i = 0; i < cl->nnodes; i++)
        if (cl->nodes[i]->configured || cl->nodes[i]->registered) {
            nodes++;
            answered += cl->nodes[i]->answered;
        }
    for (size_t i = 0; i < cl->ndirs; i++)
        if (cl->dirs[i]->configured) {
            dirs++;
            walked += cl->dirs[i]->walked;
        }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(now.tv_sec - cl->started.tv_sec) * 1000 + (now.tv_nsec - cl->started.tv_nsec) / 1000000;
    event_log("first poll cycle complete: %zu of %zu nodes answered, %zu of %zu directors walked, %lld ms since start",
              answered, nodes, walked, dirs, ms);
    p->first_logged = true;
}

static void cycle_close(struct poller *p)
{
    if (p->closed)
        return;
    p->closed = true;
    p->cb(p->cl, p->arg);
    if (!p->first_logged)
        log_first_cycle(p);
    ctl_counters_cycle_end();
}

static void one_done(struct poller *p)
{
    if (p->outstanding > 0 && --p->outstanding == 0)
        cycle_close(p);
}

static int send_node_bulk(struct node_rt *n, const char *after_app)
{
    netsnmp_pdu *pdu = node_poll_request(after_app);
    return pdu ? ssess_send(n->sess, pdu) : 0;
}

static void pump(struct poller *p);

static void node_finished(struct poller *p, struct node_rt *n)
{
    n->in_flight = false;
    if (p->nodes_in_flight > 0)
        p->nodes_in_flight--;
    one_done(p);
    pump(p);
}

static void node_answered(struct poller *p, struct node_rt *n)
{
    n->answered = true;
    n->last_seen = time(NULL);
    n->s = n->pending;
    n->have_sample = true;
    node_finished(p, n);
}

static void node_failed(struct poller *p, struct node_rt *n) { node_finished(p, n); }

static void on_node_pdu(void *owner, int op, int reqid, netsnmp_pdu *pdu);

/* Each node's session carries the poller as well: the owner is the node,
 * and the poller is reached through this one static (one poller per
 * process). */
static struct poller *the_poller;

static void on_node_pdu(void *owner, int op, int reqid, netsnmp_pdu *pdu)
{
    struct node_rt *n = owner;
    struct poller *p = the_poller;
    if (!p || !n->in_flight || reqid != (int)n->req_cycle)
        return;                          /* a late answer to an old cycle */
    char last[CTL_NAME_MAX + 1];
    size_t nvb = 0;
    if (op == NETSNMP_CALLBACK_OP_TIMED_OUT)
        ctl_counters_poll_timeout();
    int r = op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE
                ? node_poll_apply(&n->pending, pdu, last, sizeof last, &nvb) : POLL_BAD;
    p->cl->varbinds_read += nvb;
    if (r == POLL_BAD) {
        node_failed(p, n);
        return;
    }
    if (r == POLL_MORE) {
        int id = send_node_bulk(n, last);
        if (id) {
            n->req_cycle = (unsigned)id;
            return;
        }
    }
    node_answered(p, n);
}

/* --- directors ---------------------------------------------------------- */

static int send_dir_bulk(struct director_rt *d, bool dests, const oid *after, size_t afterlen)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
    if (!pdu)
        return 0;
    pdu->non_repeaters = 0;
    pdu->max_repetitions = DIR_REPS;
    oid o[MAX_OID_LEN];
    size_t ncols = dests ? NDEST_COLS : 1;
    for (size_t i = 0; i < ncols; i++) {
        memcpy(o, dests ? dest_entry : vs_entry, sizeof dest_entry);
        o[LAMON_IPVS_ENTRY_LEN] = dests ? (oid)dest_cols[i] : (oid)LV_ROWSTATUS;
        size_t len = LAMON_IPVS_ENTRY_LEN + 1;
        for (size_t k = 0; k < afterlen && len < MAX_OID_LEN; k++)
            o[len++] = after[k];
        snmp_add_null_var(pdu, o, len);
    }
    d->walk_dests = dests;
    return ssess_send(d->sess, pdu);
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b, bool port)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_addr.s_addr == y->sin_addr.s_addr && (!port || x->sin_port == y->sin_port);
    }
    const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
    return memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0 && (!port || x->sin6_port == y->sin6_port);
}

/* The configured service of lamonVsTable key K, or -1. */
static int service_of_key(const struct ctl_config *cfg, const struct lamon_vs_key *k)
{
    if (k->fwmark != 0)
        return -1;
    struct sockaddr_storage vip;
    struct lamon_dest_key a = { .af = k->af, .port = k->port };
    memcpy(a.addr, k->addr, sizeof a.addr);
    lamon_dest_key_to_sa(&a, &vip);
    for (size_t i = 0; i < cfg->nservices; i++)
        if (cfg->services[i].protocol == k->protocol && same_addr(&cfg->services[i].vip, &vip, true))
            return (int)i;
    return -1;
}

static void dir_done(struct poller *p, struct director_rt *d, bool ok)
{
    d->in_flight = false;
    if (ok) {
        dir_table_walk_done(d, p->cl->cfg->nservices);
        d->reachable = true;
        d->walked = true;
        d->last_seen = time(NULL);
    } else {
        dir_table_walk_failed(d);
        d->reachable = false;
    }
    one_done(p);
}

static void on_dir_pdu(void *owner, int op, int reqid, netsnmp_pdu *pdu)
{
    struct director_rt *d = owner;
    struct poller *p = the_poller;
    if (!p || !d->in_flight || reqid != (int)d->req_cycle)
        return;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu || pdu->errstat != SNMP_ERR_NOERROR) {
        dir_done(p, d, false);
        return;
    }
    const struct ctl_config *cfg = p->cl->cfg;
    bool dests = d->walk_dests;
    size_t base = LAMON_IPVS_ENTRY_LEN;
    const oid *entry = dests ? dest_entry : vs_entry;
    netsnmp_variable_list *v = pdu->variables;
    const oid *last = NULL;
    size_t lastlen = 0;
    bool end = false;
    while (v && !end) {
        struct dest_obs o;
        memset(&o, 0, sizeof o);
        int svc = -1;
        struct lamon_vs_key key;
        struct lamon_dest_key dkey;
        size_t ncols = dests ? NDEST_COLS : 1;
        for (size_t c = 0; c < ncols; c++, v = v ? v->next_variable : NULL) {
            p->cl->varbinds_read++;
            oid col = dests ? (oid)dest_cols[c] : (oid)LV_ROWSTATUS;
            if (!v || v->type == SNMP_ENDOFMIBVIEW || v->name_length <= base + 1 ||
                snmp_oid_compare(v->name, base, entry, base) != 0 || v->name[base] != col) {
                end = true;
                continue;
            }
            const oid *idx = v->name + base + 1;
            size_t n = v->name_length - base - 1;
            /* a whole destination index, or a service index */
            size_t used = dests ? lamon_dest_index_decode(idx, n, &key, &dkey)
                                : lamon_vs_index_decode(idx, n, &key);
            if (!used || (dests && used != n)) {
                end = true;
                continue;
            }
            svc = service_of_key(cfg, &key);
            if (c == 0) {
                last = idx;
                lastlen = n;
            }
            if (!dests) {
                if (svc >= 0 && pdu_uint(v) == ROWSTATUS_ACTIVE)
                    d->walk_vs[svc] = true;
                continue;
            }
            if (c == 0)
                lamon_dest_key_to_sa(&dkey, &o.addr);
            switch (dest_cols[c]) {
            case LD_WEIGHT: o.weight = o.walked_weight = (int)pdu_uint(v); break;
            case LD_FWD: o.fwd = (int)pdu_uint(v); break;
            case LD_ACTIVE: o.active = (unsigned)pdu_uint(v); break;
            default: break;
            }
        }
        if (end || !dests || svc < 0)
            continue;
        o.svc = svc;
        struct dest_obs *w = realloc(d->walk, (d->nwalk + 1) * sizeof *w);
        if (!w) {
            dir_done(p, d, false);
            return;
        }
        d->walk = w;
        d->walk[d->nwalk++] = o;
    }
    if (!end && last) {
        oid after[MAX_OID_LEN];
        memcpy(after, last, lastlen * sizeof(oid));
        int id = send_dir_bulk(d, dests, after, lastlen);
        if (id) {
            d->req_cycle = (unsigned)id;
            return;
        }
        dir_done(p, d, false);
        return;
    }
    if (!dests) {
        int id = send_dir_bulk(d, true, NULL, 0);
        if (id) {
            d->req_cycle = (unsigned)id;
            return;
        }
        dir_done(p, d, false);
        return;
    }
    dir_done(p, d, true);
}

/* --- the cycle ------------------------------------------------------------ */

static const struct ctl_v3user *read_user(const struct ctl_config *cfg, const struct ctl_peer *peer)
{
    return peer->v3user >= 0 && (size_t)peer->v3user < cfg->nv3users ? &cfg->v3users[peer->v3user] : NULL;
}

/* Sends queued node polls while there is a free slot.  A node whose
 * session cannot be opened or whose request cannot be sent is done (a
 * missed poll). */
static void pump(struct poller *p)
{
    const struct ctl_config *cfg = p->cl->cfg;
    unsigned tmo = ssess_timeout_ms(cfg);
    while (p->nodes_in_flight < cfg->in_flight && p->send_next < p->send_len) {
        struct node_rt *n = p->send_q[p->send_next++];
        if (!n->sess) {
            char err[256];
            n->sess = ssess_open(&n->peer, read_user(cfg, &n->peer), tmo, cfg->retries, on_node_pdu, n,
                                 err, sizeof err);
            if (!n->sess) {
                event_log("node %s: %s", n->peer.name, err);
                one_done(p);
                continue;
            }
        }
        memset(&n->pending, 0, sizeof n->pending);
        int id = send_node_bulk(n, NULL);
        if (!id) {
            one_done(p);
            continue;
        }
        n->req_cycle = (unsigned)id;
        n->in_flight = true;
        p->nodes_in_flight++;
        ctl_counters_poll_sent();
    }
}

/* Queues this cycle's nodes: those that answered last cycle first. */
static int queue_nodes(struct poller *p)
{
    struct cluster *cl = p->cl;
    if (p->send_cap < cl->nnodes) {
        struct node_rt **q = realloc(p->send_q, cl->nnodes * sizeof *q);
        if (!q)
            return -1;
        p->send_q = q;
        p->send_cap = cl->nnodes;
    }
    p->send_len = p->send_next = 0;
    size_t nn = cl->nnodes, off = nn ? (size_t)cl->cycle * cl->cfg->in_flight % nn : 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < nn; k++) {
            struct node_rt *n = cl->nodes[pass == 0 ? k : (off + k) % nn];
            if ((n->configured || n->registered) && n->answered_before == (pass == 0))
                p->send_q[p->send_len++] = n;
        }
    return 0;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    struct poller *p = arg;
    struct cluster *cl = p->cl;
    const struct ctl_config *cfg = cl->cfg;
    if (!p->closed)
        cycle_close(p);                  /* stragglers count as missed */
    cl->cycle++;
    ctl_counters_cycle_begin();
    p->closed = false;
    p->outstanding = 0;
    p->nodes_in_flight = 0;              /* late answers of the last cycle are ignored */
    unsigned tmo = ssess_timeout_ms(cfg);
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        n->answered_before = n->answered;
        n->answered = false;
        if (n->in_flight)
            ctl_counters_poll_timeout();     /* unanswered when its cycle ended */
        n->in_flight = false;
    }
    if (queue_nodes(p) < 0) {
        event_log("poller: out of memory; cycle %u skipped", cl->cycle);
        p->send_len = p->send_next = 0;
    }
    /* Counted before any is sent, so that an early answer cannot close
     * the cycle while nodes still wait in the queue. */
    p->outstanding = (unsigned)p->send_len;
    for (size_t i = 0; i < cl->ndirs; i++) {
        struct director_rt *d = cl->dirs[i];
        d->walked = false;
        d->in_flight = false;
        if (!d->configured)
            continue;
        if (!d->sess) {
            char err[256];
            d->sess = ssess_open(&d->peer, read_user(cfg, &d->peer), tmo, cfg->retries, on_dir_pdu, d,
                                 err, sizeof err);
            if (!d->sess) {
                event_log("director %s: %s", d->peer.name, err);
                continue;
            }
        }
        free(d->walk);
        d->walk = NULL;
        d->nwalk = 0;
        memset(d->walk_vs, 0, cfg->nservices * sizeof *d->walk_vs);
        int id = send_dir_bulk(d, false, NULL, 0);
        if (id) {
            d->req_cycle = (unsigned)id;
            d->in_flight = true;
            dir_table_walk_started(d);
            p->outstanding++;
        }
    }
    /* The +1 keeps the cycle open while pump() sends; it is dropped last. */
    p->outstanding++;
    pump(p);
    one_done(p);
}

/* Thousands of nodes mean thousands of UDP sockets: lift the soft limit
 * on open files to the hard one. */
static void raise_nofile(size_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur >= want + 64)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        event_log("cannot raise the open files limit; %zu peers may not all be polled", want);
}

struct poller *poller_new(struct event_base *base, struct cluster *cl, poller_cycle_cb cb, void *arg)
{
    struct poller *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->base = base;
    p->cl = cl;
    p->cb = cb;
    p->arg = arg;
    p->closed = true;
    p->tick = event_new(base, -1, EV_PERSIST, on_tick, p);
    if (!p->tick) {
        free(p);
        return NULL;
    }
    the_poller = p;
    return p;
}

int poller_reconfigure(struct poller *p)
{
    const struct ctl_config *cfg = p->cl->cfg;
    /* A reload may have freed queued nodes: drop the queue; the cycle
     * started below queues the new node list. */
    p->send_len = p->send_next = 0;
    /* Registered nodes come later: room for as many as may register. */
    size_t reg = cfg->notif && cfg->notif->naccepts ? cfg->register_max : 0;
    raise_nofile((p->cl->nnodes + p->cl->ndirs + reg) * 2);
    struct timeval tv = { cfg->interval_ms / 1000, (cfg->interval_ms % 1000) * 1000 };
    if (event_add(p->tick, &tv) < 0)
        return -1;
    event_active(p->tick, EV_TIMEOUT, 0);    /* first cycle now */
    return 0;
}

void poller_free(struct poller *p)
{
    if (!p)
        return;
    event_free(p->tick);
    free(p->send_q);
    if (the_poller == p)
        the_poller = NULL;
    free(p);
}
