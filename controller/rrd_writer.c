/* Queued RRD writes on a writer thread (see rrd_writer.h). */
#include "rrd_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrd.h>
#include <rrd_client.h>

#include "node_view.h"
#include "event_log.h"

#define QUEUE_MAX 200000

struct job {
    struct job *next;
    enum rrd_kind kind;
    char *path;
    char values[192];
};

struct rrd_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv, idle;
    struct job *head, *tail;
    size_t queued;
    bool stop, busy;
    unsigned step;
    char dir[4096];
    char daemon[4096];
    /* reported back to the loop */
    unsigned long errors, dropped, reported_errors, reported_dropped;
    char last_error[256];
};

static pthread_mutex_t fork_guard = PTHREAD_MUTEX_INITIALIZER;

bool rrd_fork_guard_try(void) { return pthread_mutex_trylock(&fork_guard) == 0; }
void rrd_fork_guard_release(void) { pthread_mutex_unlock(&fork_guard); }

char *rrd_file_path(const char *dir, enum rrd_kind kind, const char *name, const char *app)
{
    char *path = NULL;
    int r = kind == RRD_NODE ? asprintf(&path, "%s/node-%s.rrd", dir, name)
          : kind == RRD_APP  ? asprintf(&path, "%s/app-%s-%s.rrd", dir, name, app)
                             : asprintf(&path, "%s/service-%s.rrd", dir, name);
    return r < 0 ? NULL : path;
}

static const char *const node_ds[] = { "load1", "load5", "load15", "cpu", "memtotal", "memavail", "conns", "synrecv" };
static const char *const app_ds[] = { "established", "synrecv" };
static const char *const svc_ds[] = { "nodes", "conns" };

int rrd_layout(const char *kind, unsigned step, char buf[][64], const char **argv)
{
    const char *const *ds;
    size_t nds;
    if (strcmp(kind, "node") == 0) {
        ds = node_ds; nds = 8;
    } else if (strcmp(kind, "app") == 0) {
        ds = app_ds; nds = 2;
    } else {
        ds = svc_ds; nds = 2;
    }
    int argc = 0;
    for (size_t i = 0; i < nds; i++) {
        snprintf(buf[argc], 64, "DS:%s:GAUGE:%u:0:U", ds[i], 3 * step);
        argv[argc] = buf[argc];
        argc++;
    }
    unsigned per[4] = { 1, 300 / step, 1800 / step, 86400 / step };
    unsigned rows[4] = { (86400 + step - 1) / step, 4032, 2976, 730 };
    static const char *const cfs[] = { "AVERAGE", "MAX" };
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 4; i++) {
            snprintf(buf[argc], 64, "RRA:%s:0.5:%u:%u", cfs[c], per[i] ? per[i] : 1, rows[i]);
            argv[argc] = buf[argc];
            argc++;
        }
    return argc;
}

static void note_error(struct rrd_writer *w, const char *path, const char *what)
{
    pthread_mutex_lock(&w->mu);
    w->errors++;
    snprintf(w->last_error, sizeof w->last_error, "%.160s: %.90s", path, what);
    pthread_mutex_unlock(&w->mu);
}

static void write_one(struct rrd_writer *w, const struct job *j)
{
    static const char *const kinds[] = { [RRD_NODE] = "node", [RRD_APP] = "app", [RRD_SERVICE] = "service" };
    struct stat st;
    const char *vals[1] = { j->values };
    rrd_clear_error();
    if (stat(j->path, &st) != 0) {
        char buf[24][64];
        const char *argv[24];
        int argc = rrd_layout(kinds[j->kind], w->step, buf, argv);
        /* Start one step back so that this cycle's value is accepted. */
        time_t start = strtol(j->values, NULL, 10) - 1;
        int r;
        if (w->daemon[0]) {
            pthread_mutex_lock(&fork_guard);
            r = rrdc_create(j->path, w->step, start, 1, argc, argv);
            pthread_mutex_unlock(&fork_guard);
        } else {
            r = rrd_create_r(j->path, w->step, start, argc, argv);
        }
        if (r != 0) {
            note_error(w, j->path, rrd_get_error());
            return;
        }
    }
    int r;
    if (w->daemon[0]) {
        pthread_mutex_lock(&fork_guard);
        r = rrdc_update(j->path, 1, vals);
        pthread_mutex_unlock(&fork_guard);
    } else {
        r = rrd_update_r(j->path, NULL, 1, vals);
    }
    if (r != 0)
        note_error(w, j->path, rrd_get_error());
}

static void *writer_main(void *arg)
{
    struct rrd_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop) {
            w->busy = false;
            pthread_cond_broadcast(&w->idle);
            pthread_cond_wait(&w->cv, &w->mu);
        }
        if (!w->head && w->stop)
            break;
        struct job *batch = w->head;
        w->head = w->tail = NULL;
        w->queued = 0;
        w->busy = true;
        pthread_mutex_unlock(&w->mu);
        if (w->daemon[0]) {
            pthread_mutex_lock(&fork_guard);
            int r = rrdc_is_connected(w->daemon) ? 0 : rrdc_connect(w->daemon);
            pthread_mutex_unlock(&fork_guard);
            if (r != 0)
                note_error(w, w->daemon, rrd_get_error());
        }
        while (batch) {
            struct job *j = batch;
            batch = j->next;
            write_one(w, j);
            free(j->path);
            free(j);
        }
        pthread_mutex_lock(&w->mu);
    }
    w->busy = false;
    pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->mu);
    if (w->daemon[0]) {
        pthread_mutex_lock(&fork_guard);
        rrdc_disconnect();
        pthread_mutex_unlock(&fork_guard);
    }
    return NULL;
}

struct rrd_writer *rrd_writer_new(const struct ctl_config *cfg, char *err, size_t errlen)
{
    struct stat st;
    if (stat(cfg->rrddir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "rrddir %s: not a directory", cfg->rrddir);
        return NULL;
    }
    struct rrd_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->step = cfg->interval_ms / 1000 ? cfg->interval_ms / 1000 : 1;
    snprintf(w->dir, sizeof w->dir, "%s", cfg->rrddir);
    snprintf(w->daemon, sizeof w->daemon, "%s", cfg->rrdcached);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_cond_init(&w->idle, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        snprintf(err, errlen, "cannot start the RRD writer thread");
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        pthread_cond_destroy(&w->idle);
        free(w);
        return NULL;
    }
    return w;
}

void rrd_writer_flush(struct rrd_writer *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->head || w->busy)
        pthread_cond_wait(&w->idle, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void rrd_writer_free(struct rrd_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    for (struct job *j = w->head, *next; j; j = next) {
        next = j->next;
        free(j->path);
        free(j);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->idle);
    free(w);
}

/* Called with the lock held. */
static void enqueue(struct rrd_writer *w, enum rrd_kind k, char *path, const char *values)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        free(path);
        w->dropped++;
        return;
    }
    if (w->queued >= QUEUE_MAX) {
        struct job *old = w->head;
        w->head = old->next;
        if (!w->head)
            w->tail = NULL;
        free(old->path);
        free(old);
        w->queued--;
        w->dropped++;
    }
    j->kind = k;
    j->path = path;
    snprintf(j->values, sizeof j->values, "%s", values);
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    w->queued++;
}

void rrd_writer_cycle(struct rrd_writer *w, const struct cluster *cl)
{
    const struct ctl_config *cfg = cl->cfg;
    long now = (long)time(NULL);
    char vals[192];
    char *path;
    pthread_mutex_lock(&w->mu);
    if (w->errors != w->reported_errors || w->dropped != w->reported_dropped) {
        /* Errors come from the writer thread; the event log belongs to
         * this one. */
        event_log("rrd: %lu write errors (last: %s), %lu updates dropped", w->errors - w->reported_errors,
                  w->last_error, w->dropped - w->reported_dropped);
        w->reported_errors = w->errors;
        w->reported_dropped = w->dropped;
    }
    for (size_t i = 0; i < cl->nnodes; i++) {
        const struct node_rt *n = cl->nodes[i];
        if (!n->answered)
            continue;                      /* a gap, not a zero */
        const struct node_sample *s = &n->s;
        snprintf(vals, sizeof vals, "%ld:%.2f:%.2f:%.2f:%.2f:%lu:%lu:%u:%u", now, s->load1 / 100.0,
                 s->load5 / 100.0, s->load15 / 100.0, s->cpu / 100.0, s->memtotal, s->memavail, s->conns,
                 s->synrecv);
        if ((path = rrd_file_path(w->dir, RRD_NODE, n->peer.name, NULL)))
            enqueue(w, RRD_NODE, path, vals);
        for (size_t k = 0; k < s->napps; k++) {
            snprintf(vals, sizeof vals, "%ld:%u:%u", now, s->apps[k].estab, s->apps[k].synrecv);
            if ((path = rrd_file_path(w->dir, RRD_APP, n->peer.name, s->apps[k].name)))
                enqueue(w, RRD_APP, path, vals);
        }
    }
    for (size_t si = 0; si < cfg->nservices; si++) {
        const struct ctl_service *svc = &cfg->services[si];
        unsigned nodes = 0;
        unsigned long conns = 0;
        for (size_t i = 0; i < cl->nnodes; i++) {
            const struct node_rt *n = cl->nodes[i];
            if (!node_is_member(cl, n, (int)si) || !node_ready(cl, n))
                continue;
            nodes++;
            unsigned c = n->s.conns;
            /* The service's own application, when it has one. */
            for (size_t k = 0; svc->app[0] && k < n->s.napps; k++)
                if (strcmp(n->s.apps[k].name, svc->app) == 0)
                    c = n->s.apps[k].estab;
            conns += c;
        }
        snprintf(vals, sizeof vals, "%ld:%u:%lu", now, nodes, conns);
        if ((path = rrd_file_path(w->dir, RRD_SERVICE, svc->name, NULL)))
            enqueue(w, RRD_SERVICE, path, vals);
    }
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
