/* /metrics in the Prometheus text format (see metrics.h).
 *
 * 10,000 nodes make some 100,000 lines.  They are written into space
 * reserved in the reply's evbuffer 64 KB at a time (no allocation per
 * line, no copy), and every node value is an integer or a fixed-point
 * figure the agent sent (load x100, CPU x100 percent), written without
 * printf. */
#include "metrics.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_cache.h"
#include "http_route.h"
#include "node_view.h"
#include "notif_stats.h"

#define CHUNK 65536

/* --- a writer into reserved evbuffer space ------------------------------- */

struct writer {
    struct evbuffer *out;
    struct evbuffer_iovec v;         /* reserved, v.iov_base NULL for none */
    size_t used;
    bool failed;
};

static void w_commit(struct writer *w)
{
    if (w->v.iov_base && w->used) {
        w->v.iov_len = w->used;
        if (evbuffer_commit_space(w->out, &w->v, 1) < 0)
            w->failed = true;
    }
    w->v.iov_base = NULL;
    w->used = 0;
}

/* Room for NEED more bytes at w->v.iov_base + w->used. */
static bool w_room(struct writer *w, size_t need)
{
    if (w->failed)
        return false;
    if (w->v.iov_base && w->v.iov_len - w->used >= need)
        return true;
    w_commit(w);
    if (evbuffer_reserve_space(w->out, (ev_ssize_t)(need > CHUNK ? need : CHUNK), &w->v, 1) < 1 ||
        w->v.iov_len < need) {
        w->v.iov_base = NULL;
        w->failed = true;
        return false;
    }
    return true;
}

static void w_put(struct writer *w, const char *s, size_t n)
{
    if (!w_room(w, n))
        return;
    memcpy((char *)w->v.iov_base + w->used, s, n);
    w->used += n;
}

static void w_str(struct writer *w, const char *s) { w_put(w, s, strlen(s)); }

static void w_u(struct writer *w, unsigned long long v)
{
    char b[24];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    w_put(w, b + i, sizeof b - i);
}

/* V / 10^DIGITS, exactly: 123, 2 -> "1.23". */
static void w_fixed(struct writer *w, unsigned long long v, unsigned digits)
{
    unsigned long long scale = 1;
    for (unsigned i = 0; i < digits; i++)
        scale *= 10;
    w_u(w, v / scale);
    char b[24];
    unsigned long long f = v % scale;
    b[0] = '.';
    for (unsigned i = digits; i > 0; i--) {
        b[i] = (char)('0' + f % 10);
        f /= 10;
    }
    w_put(w, b, digits + 1);
}

static void w_double(struct writer *w, double v)
{
    char b[40];
    int n = snprintf(b, sizeof b, "%.9g", v);
    w_put(w, b, n > 0 && (size_t)n < sizeof b ? (size_t)n : 0);
}

size_t metrics_escape_label(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    if (!len)
        return 0;
    for (; *s; s++) {
        const char *e = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
        size_t n = e ? 2 : 1;
        if (o + n >= len)
            break;
        if (e)
            memcpy(buf + o, e, 2);
        else
            buf[o] = *s;
        o += n;
    }
    buf[o] = '\0';
    return o;
}

/* ` "VALUE"` as an escaped label value, quotes included. */
static void w_label(struct writer *w, const char *s)
{
    size_t n = strlen(s);
    if (!w_room(w, 2 * n + 3))
        return;
    char *p = (char *)w->v.iov_base + w->used;
    *p = '"';
    size_t k = metrics_escape_label(s, p + 1, 2 * n + 1);
    p[k + 1] = '"';
    w->used += k + 2;
}

static void w_family(struct writer *w, const char *name, const char *type, const char *help)
{
    w_str(w, "# HELP ");
    w_str(w, name);
    w_str(w, " ");
    w_str(w, help);
    w_str(w, "\n# TYPE ");
    w_str(w, name);
    w_str(w, " ");
    w_str(w, type);
    w_str(w, "\n");
}

/* NAME{L1="V1" : its other labels or "} " follow. */
static void w_open(struct writer *w, const char *name, const char *l1, const char *v1)
{
    w_str(w, name);
    w_str(w, "{");
    w_str(w, l1);
    w_str(w, "=");
    w_label(w, v1);
}

/* NAME{L1="V1"} : the sample's value follows. */
static void w_sample(struct writer *w, const char *name, const char *l1, const char *v1)
{
    w_open(w, name, l1, v1);
    w_str(w, "} ");
}

/* NAME{L1="V1",L2="V2"} : the sample's value follows. */
static void w_sample2(struct writer *w, const char *name, const char *l1, const char *v1, const char *l2,
                      const char *v2)
{
    w_open(w, name, l1, v1);
    w_str(w, ",");
    w_str(w, l2);
    w_str(w, "=");
    w_label(w, v2);
    w_str(w, "} ");
}

static void w_scalar(struct writer *w, const char *name, const char *type, const char *help, unsigned long long v)
{
    w_family(w, name, type, help);
    w_str(w, name);
    w_str(w, " ");
    w_u(w, v);
    w_str(w, "\n");
}

/* --- histogram ----------------------------------------------------------- */

static void w_histogram(struct writer *w, const char *name, const char *help, const struct ctl_histogram *h)
{
    char series[128], le[32];
    w_family(w, name, "histogram", help);
    snprintf(series, sizeof series, "%s_bucket", name);
    unsigned long long cum = 0;
    for (size_t i = 0; i < h->nbounds && i < CTL_HIST_MAX; i++) {
        cum += h->bucket[i];
        snprintf(le, sizeof le, "%g", h->bounds[i]);
        w_sample(w, series, "le", le);
        w_u(w, cum);
        w_str(w, "\n");
    }
    w_sample(w, series, "le", "+Inf");
    w_u(w, h->count);
    snprintf(series, sizeof series, "\n%s_sum ", name);
    w_str(w, series);
    w_double(w, h->sum);
    snprintf(series, sizeof series, "\n%s_count ", name);
    w_str(w, series);
    w_u(w, h->count);
    w_str(w, "\n");
}

int metrics_histogram(struct evbuffer *out, const char *name, const char *help, const struct ctl_histogram *h)
{
    struct writer w = { .out = out };
    w_histogram(&w, name, help, h);
    w_commit(&w);
    return w.failed ? -1 : 0;
}

/* --- nodes --------------------------------------------------------------- */

enum node_family {
    NF_UP, NF_ROLE, NF_STATE, NF_LOAD1, NF_CPU, NF_MEM_TOTAL, NF_MEM_AVAIL, NF_CONNS, NF_LAST_SEEN, NF_HEARTBEATS,
    NF_COUNT
};

static const struct {
    const char *name, *type, *help;
} node_families[NF_COUNT] = {
    [NF_UP] = { "lamon_node_up", "gauge", "1 when the node is up (rise good polls in a row), else 0." },
    [NF_ROLE] = { "lamon_node_role", "gauge",
                  "The node's role as its agent reports it (unassigned, server, spare, director) and its "
                  "service (empty for none); always 1." },
    [NF_STATE] = { "lamon_node_state", "gauge",
                   "The node's state as lamonctl status shows it (up, down, unknown, draining, maintenance, "
                   "app-down, app-wait); always 1." },
    [NF_LOAD1] = { "lamon_node_load1", "gauge", "The node's 1-minute load average." },
    [NF_CPU] = { "lamon_node_cpu_ratio", "gauge", "The node's CPU utilisation, 0 to 1." },
    [NF_MEM_TOTAL] = { "lamon_node_memory_total_bytes", "gauge", "The node's memory." },
    [NF_MEM_AVAIL] = { "lamon_node_memory_available_bytes", "gauge", "The node's available memory." },
    [NF_CONNS] = { "lamon_node_connections", "gauge",
                   "Established connections on the node's managed ports." },
    [NF_LAST_SEEN] = { "lamon_node_last_seen_timestamp_seconds", "gauge",
                       "When the node last answered a poll, in seconds since the epoch." },
    [NF_HEARTBEATS] = { "lamon_node_heartbeats_received_total", "counter",
                        "Heartbeat notifications received from the node." },
};

/* --- the picture: every node read once ------------------------------------ */

struct svc_counts {
    unsigned members, hot, warming;
    unsigned long long conns;
};

/* One node's figures.  Node structures are kilobytes each and scattered
 * over the heap; read once per family (ten passes) they cost a cache miss
 * per node and family, most of the time of a render at 10,000 nodes.  So
 * each node is read once into a row, its name and service escaped into
 * the pool, and the families are written from the rows. */
struct row {
    unsigned name, nlen, svc, slen;       /* offsets and lengths in the pool */
    const char *role, *state;
    bool have, up, seen;
    unsigned load1, cpu, conns;
    unsigned long long mem_total, mem_avail, last_seen, heartbeats;
};

struct picture {
    struct row *rows;
    char *pool;
    size_t used;
    struct svc_counts *svc;               /* per service */
    unsigned cold;                        /* cold spares */
};

#define ESCAPED_MAX (2 * CTL_NAME_MAX + 1)    /* an escaped name and its NUL */

static unsigned pool_add(struct picture *p, const char *s, unsigned *len)
{
    unsigned off = (unsigned)p->used;
    *len = (unsigned)metrics_escape_label(s, p->pool + off, ESCAPED_MAX);
    p->used += *len;
    return off;
}

/* The figures of lamonctl status and services (status_view.c). */
static void read_node(struct picture *p, const struct cluster *cl, const struct node_rt *n, struct row *r)
{
    const struct node_sample *s = &n->s;
    r->name = pool_add(p, n->peer.name, &r->nlen);
    r->have = n->have_sample;
    r->up = n->hyst.health == NODE_UP;
    r->state = node_state_label(cl, n);
    r->heartbeats = n->hb.count;
    r->seen = n->last_seen != 0;
    r->last_seen = (unsigned long long)n->last_seen;
    if (r->have) {
        r->svc = pool_add(p, s->service, &r->slen);
        r->role = role_name(s->role);
        r->load1 = s->load1;
        r->cpu = s->cpu > 10000 ? 10000 : s->cpu;
        r->conns = s->conns;
        r->mem_total = (unsigned long long)s->memtotal * 1024;
        r->mem_avail = (unsigned long long)s->memavail * 1024;
    }
    for (size_t si = 0; si < cl->cfg->nservices; si++)
        if (node_is_member(cl, n, (int)si)) {
            p->svc[si].members++;
            p->svc[si].conns += s->conns;
        }
    /* Hot spares (and those being heated) are their service's own; cold
     * ones (role spare, no service) the pool every service shares. */
    if (!r->up || !r->have || s->role != ROLE_SPARE)
        return;
    int hs = hot_service(cl, n);
    if (hs >= 0 && !n->failed)
        *(hot_ready(cl, n, hs) ? &p->svc[hs].hot : &p->svc[hs].warming) += 1;
    else if (hs < 0 && !s->service[0] && s->state == NSTATE_RUNNING)
        p->cold++;
}

/* NAME{node="NODE" : the rest of the labels or "} " follow. */
static void w_node(struct writer *w, const char *name, size_t len, const struct picture *p, const struct row *r)
{
    w_put(w, name, len);
    w_put(w, "{node=\"", 7);
    w_put(w, p->pool + r->name, r->nlen);
    w_put(w, "\"", 1);
}

/* R's sample of family F; nothing where there is no value (a node never
 * polled has no load, no role and no last-seen time). */
static void node_sample(struct writer *w, const struct picture *p, const struct row *r, enum node_family f,
                        size_t flen)
{
    const char *name = node_families[f].name;
    if ((!r->have && f != NF_UP && f != NF_STATE && f != NF_HEARTBEATS) || (f == NF_LAST_SEEN && !r->seen))
        return;
    w_node(w, name, flen, p, r);
    switch (f) {
    case NF_ROLE:
        w_put(w, ",role=\"", 7);
        w_str(w, r->role);
        w_put(w, "\",service=\"", 11);
        w_put(w, p->pool + r->svc, r->slen);
        w_put(w, "\"} 1\n", 5);
        return;
    case NF_STATE:
        w_put(w, ",state=\"", 8);
        w_str(w, r->state);
        w_put(w, "\"} 1\n", 5);
        return;
    default:
        break;
    }
    w_put(w, "} ", 2);
    switch (f) {
    case NF_UP: w_u(w, r->up); break;
    case NF_LOAD1: w_fixed(w, r->load1, 2); break;
    case NF_CPU: w_fixed(w, r->cpu, 4); break;
    case NF_MEM_TOTAL: w_u(w, r->mem_total); break;
    case NF_MEM_AVAIL: w_u(w, r->mem_avail); break;
    case NF_CONNS: w_u(w, r->conns); break;
    case NF_LAST_SEEN: w_u(w, r->last_seen); break;
    case NF_HEARTBEATS: w_u(w, r->heartbeats); break;
    default: break;
    }
    w_put(w, "\n", 1);
}

static void nodes(struct writer *w, const struct cluster *cl, const struct picture *p)
{
    for (int f = 0; f < NF_COUNT; f++) {
        w_family(w, node_families[f].name, node_families[f].type, node_families[f].help);
        size_t flen = strlen(node_families[f].name);
        for (size_t i = 0; i < cl->nnodes && !w->failed; i++)
            node_sample(w, p, &p->rows[i], (enum node_family)f, flen);
    }
}

/* --- services and directors ---------------------------------------------- */

static void services(struct writer *w, const struct cluster *cl, const struct picture *p)
{
    const struct ctl_config *cfg = cl->cfg;
    const struct svc_counts *c = p->svc;
    w_family(w, "lamon_service_members", "gauge", "Nodes in place in the service.");
    for (size_t si = 0; si < cfg->nservices; si++) {
        w_sample(w, "lamon_service_members", "service", cfg->services[si].name);
        w_u(w, c[si].members);
        w_str(w, "\n");
    }
    w_family(w, "lamon_service_wanted_nodes", "gauge",
             "The nodes the service wants now (its nodes N, moved within min..max by scaling).");
    for (size_t si = 0; si < cfg->nservices; si++) {
        w_sample(w, "lamon_service_wanted_nodes", "service", cfg->services[si].name);
        w_u(w, cl->svc_target[si] ? cl->svc_target[si] : cfg->services[si].nodes);
        w_str(w, "\n");
    }
    w_family(w, "lamon_service_spares", "gauge",
             "The service's own hot spares: ready (kind hot) and being heated (kind warming).");
    for (size_t si = 0; si < cfg->nservices; si++) {
        w_sample2(w, "lamon_service_spares", "service", cfg->services[si].name, "kind", "hot");
        w_u(w, c[si].hot);
        w_str(w, "\n");
        w_sample2(w, "lamon_service_spares", "service", cfg->services[si].name, "kind", "warming");
        w_u(w, c[si].warming);
        w_str(w, "\n");
    }
    w_family(w, "lamon_service_connections", "gauge", "Established connections on the service's members.");
    for (size_t si = 0; si < cfg->nservices; si++) {
        w_sample(w, "lamon_service_connections", "service", cfg->services[si].name);
        w_u(w, c[si].conns);
        w_str(w, "\n");
    }
    w_scalar(w, "lamon_cold_spares", "gauge", "Cold spares: the pool every service promotes from.",
             p->cold);
}

static void directors(struct writer *w, const struct cluster *cl)
{
    const struct ctl_config *cfg = cl->cfg;
    w_family(w, "lamon_director_reachable", "gauge", "1 when the director's last walk succeeded, else 0.");
    for (size_t i = 0; i < cl->ndirs; i++) {
        if (!cl->dirs[i]->configured)
            continue;
        w_sample(w, "lamon_director_reachable", "director", cl->dirs[i]->peer.name);
        w_u(w, cl->dirs[i]->reachable);
        w_str(w, "\n");
    }
    w_family(w, "lamon_director_destinations", "gauge",
             "Destinations (real servers) of the service in the director's IPVS table.");
    for (size_t si = 0; si < cfg->nservices; si++) {
        const struct ctl_service *s = &cfg->services[si];
        for (size_t k = 0; k < s->ndirectors; k++) {
            const struct director_rt *d = cl->dirs[s->directors[k]];
            unsigned nd = 0;
            for (size_t j = 0; j < d->ndests; j++)
                nd += d->dests[j].svc == (int)si;
            w_sample2(w, "lamon_director_destinations", "director", d->peer.name, "service", s->name);
            w_u(w, nd);
            w_str(w, "\n");
        }
    }
}

/* --- the controller ------------------------------------------------------ */

static void controller(struct writer *w, const struct cluster *cl)
{
    const struct ctl_counters *k = &ctl_counters;
    w_histogram(w, "lamon_poll_cycle_duration_seconds",
                "Poll cycles from their tick to their close (every answer in, or the next tick), decisions "
                "and RRD writes included.",
                &k->cycle);
    w_scalar(w, "lamon_poll_cycles_total", "counter", "Poll cycles closed.", k->cycles);
    w_scalar(w, "lamon_polls_total", "counter", "Node polls sent (one per node and cycle).", k->polls);
    w_scalar(w, "lamon_poll_timeouts_total", "counter", "Node polls that timed out, or had no answer when their cycle ended.", k->poll_timeouts);
    w_scalar(w, "lamon_snmp_sets_total", "counter", "SNMP SET requests sent to agents and directors.",
             cl->sets_sent);
    w_scalar(w, "lamon_snmp_varbinds_read_total", "counter", "Variable bindings read by the polls.",
             cl->varbinds_read);
    w_family(w, "lamon_promotions_total", "counter",
             "Nodes promoted into a service short of nodes (failovers, scale-outs, the first fill), by what "
             "they were.");
    for (int p = 0; p < PROMO_KINDS; p++) {
        w_sample(w, "lamon_promotions_total", "from", ctl_promotion_name((enum ctl_promotion)p));
        w_u(w, k->promotions[p]);
        w_str(w, "\n");
    }
    w_scalar(w, "lamon_panic", "gauge", "1 while removals are frozen by the panic threshold, else 0.", cl->panic);
    w_scalar(w, "lamon_web_cache_stores_total", "counter",
             "Renderings of the console's big reads (overview, nodes, services) kept for the next requests.",
             http_cache_stores());
    w_scalar(w, "lamon_web_cache_hits_total", "counter",
             "Answers of the console's big reads served from a rendering at most 250 ms old.", http_cache_hits());

    const struct notif_stats *ns = &notif_stats;
    w_scalar(w, "lamon_notification_datagrams_total", "counter", "Datagrams that reached the notification receiver.",
             ns->datagrams);
    w_family(w, "lamon_notifications_received_total", "counter", "Notifications accepted, by type.");
    for (int t = 0; t < NT_COUNT; t++) {
        w_sample(w, "lamon_notifications_received_total", "type", notif_type_name((enum notif_type)t));
        w_u(w, ns->received[t]);
        w_str(w, "\n");
    }
    w_family(w, "lamon_notifications_refused_total", "counter",
             "Notifications refused, by reason: by the receiver (stage receiver: source, credentials, form) or, "
             "once accepted, for what they said (stage node).");
    for (int r = NREF_NONE + 1; r < NREF_COUNT; r++) {
        w_sample2(w, "lamon_notifications_refused_total", "stage", "receiver", "reason",
                 notif_refusal_name((enum notif_refusal)r));
        w_u(w, ns->refused[r]);
        w_str(w, "\n");
    }
    for (int r = 0; r < NNREF_COUNT; r++) {
        w_sample2(w, "lamon_notifications_refused_total", "stage", "node", "reason",
                 notif_node_refusal_name((enum notif_node_refusal)r));
        w_u(w, ns->node_refused[r]);
        w_str(w, "\n");
    }
}

int metrics_render(struct evbuffer *out, const struct cluster *cl)
{
    struct writer w = { .out = out };
    size_t nn = cl->nnodes, ns = cl->cfg->nservices;
    struct picture p = {
        .rows = malloc((nn ? nn : 1) * sizeof *p.rows),
        .pool = malloc((nn ? nn : 1) * 2 * ESCAPED_MAX),
        .svc = calloc(ns ? ns : 1, sizeof *p.svc),
    };
    int r = -1;
    if (!p.rows || !p.pool || !p.svc)
        goto out;
    for (size_t i = 0; i < nn; i++)
        read_node(&p, cl, cl->nodes[i], &p.rows[i]);
    nodes(&w, cl, &p);
    services(&w, cl, &p);
    directors(&w, cl);
    controller(&w, cl);
    w_commit(&w);
    r = w.failed ? -1 : 0;
out:
    free(p.rows);
    free(p.pool);
    free(p.svc);
    return r;
}

static void get_metrics(struct http_ctx *ctx)
{
    struct evbuffer *body = evbuffer_new();
    if (!body || metrics_render(body, ctx->cl) < 0) {
        if (body)
            evbuffer_free(body);
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    http_reply(ctx, 200, METRICS_CONTENT_TYPE, body);
    evbuffer_free(body);
}

const struct http_route metrics_routes[] = {
    { EVHTTP_REQ_GET, "/metrics", get_metrics, HTTP_OPEN, false },
    { 0, NULL, NULL, 0, false },
};
