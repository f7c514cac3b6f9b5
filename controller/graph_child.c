/* A graph drawn in a child process (see graph_child.h). */
#include "graph_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rrd.h>
#include <rrd_client.h>

#include "graph_stats.h"
#include "rrd_writer.h"

#define RETRY_MS 5                   /* the RRD writer held the fork guard */
#define REAP_MS 10                   /* the pipe closed before the child was waitable */
#define REAP_KILLED_MS 100

struct graph_child {
    LIST_ENTRY(graph_child) link;
    struct event_base *base;
    pid_t pid;                       /* 0: not forked yet, or reaped */
    int fd;                          /* the pipe's read end, -1 when closed */
    struct event *rd, *deadline, *tick;
    struct evbuffer *out;
    graph_child_cb cb;               /* NULL once answered or cancelled */
    void *arg;
    unsigned timeout_s;
    bool killed;
    struct graph_argv g;
    char daemon[4096], file[4096];
};

static LIST_HEAD(child_list, graph_child) children = LIST_HEAD_INITIALIZER(children);
static void (*on_free)(void);

unsigned graph_child_running(void) { return graph_stats.running; }
void graph_child_on_free(void (*fn)(void)) { on_free = fn; }

static void answer(struct graph_child *gc, enum graph_outcome r, const char *err)
{
    graph_child_cb cb = gc->cb;
    gc->cb = NULL;
    if (cb)
        cb(r, gc->out, err, gc->arg);
}

static void destroy(struct graph_child *gc)
{
    LIST_REMOVE(gc, link);
    graph_stats.running--;
    if (gc->fd >= 0)
        close(gc->fd);
    if (gc->rd)
        event_free(gc->rd);
    event_free(gc->deadline);
    event_free(gc->tick);
    evbuffer_free(gc->out);
    free(gc);
}

/* Destroys GC and says that a child may start in its place. */
static void finish(struct graph_child *gc)
{
    destroy(gc);
    if (on_free)
        on_free();
}

static void close_pipe(struct graph_child *gc)
{
    if (gc->rd) {
        event_free(gc->rd);
        gc->rd = NULL;
    }
    if (gc->fd >= 0) {
        close(gc->fd);
        gc->fd = -1;
    }
}

static void arm_tick(struct graph_child *gc, unsigned ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    evtimer_add(gc->tick, &tv);
}

/* --- the child ------------------------------------------------------- */

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(1);
        c += w;
        n -= (size_t)w;
    }
}

/* Never returns.  Writes the PNG to WFD and exits 0, or the error text
 * and exits 1. */
__attribute__((noreturn)) static void child_main(struct graph_child *gc, int wfd)
{
    /* The loop's signal handlers are libevent's (they write to the
     * parent's socketpair): back to the defaults.  The alarm ends the
     * child even when the parent is gone before its deadline. */
    static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGCHLD, SIGALRM };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    alarm(gc->timeout_s + 1);
    /* librrd's one rrdcached connection is the RRD writer's (a copy of
     * its socket): let go of our copy before anything is sent on it.
     * The fork guard made sure its mutex is free. */
    rrdc_disconnect();
    /* Nothing else of the controller's (sockets, the log) is the
     * child's business. */
    if (wfd > 3)
        close_range(3, (unsigned)wfd - 1, 0);
    close_range((unsigned)wfd + 1, ~0U, 0);
    /* The values rrdcached holds go to the file first, over a connection
     * of the child's own; then rrd_graph reads the file itself (no
     * RRDCACHED_ADDRESS: that would make it fetch through the daemon). */
    unsetenv("RRDCACHED_ADDRESS");
    if (gc->daemon[0]) {
        rrdc_flush_if_daemon(gc->daemon, gc->file);   /* a stale graph beats none when it fails */
        rrdc_disconnect();
    }
    rrd_clear_error();
    rrd_info_t *info = rrd_graph_v(gc->g.argc, gc->g.argv);
    for (rrd_info_t *i = info; i; i = i->next)
        if (i->type == RD_I_BLO && strcmp(i->key, "image") == 0) {
            write_all(wfd, i->value.u_blo.ptr, i->value.u_blo.size);
            _exit(0);
        }
    const char *e = rrd_test_error() ? rrd_get_error() : "rrd_graph_v returned no image";
    write_all(wfd, e, strlen(e));
    _exit(1);
}

/* --- the parent ------------------------------------------------------ */

static void reaped(struct graph_child *gc, int status, bool known)
{
    gc->pid = 0;
    if (gc->cb) {
        unsigned char magic[8];
        bool png = evbuffer_copyout(gc->out, magic, 8) == 8 && memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0;
        if (known && WIFEXITED(status) && WEXITSTATUS(status) == 0 && png) {
            answer(gc, GRAPH_OK, NULL);
        } else {
            char why[256];
            size_t n = evbuffer_get_length(gc->out);
            if (known && WIFEXITED(status) && n > 0 && !png) {
                /* rrd_graph's error text */
                n = n < sizeof why - 1 ? n : sizeof why - 1;
                evbuffer_copyout(gc->out, why, n);
                why[n] = '\0';
                for (char *c = why; *c; c++)
                    if ((unsigned char)*c < ' ')
                        *c = ' ';
            } else if (known && WIFSIGNALED(status)) {
                snprintf(why, sizeof why, "the drawing process died of signal %d", WTERMSIG(status));
            } else if (known) {
                snprintf(why, sizeof why, "the drawing process exited with status %d and no image",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            } else {
                snprintf(why, sizeof why, "the drawing process vanished (reaped elsewhere)");
            }
            answer(gc, GRAPH_FAILED, why);
        }
    }
    finish(gc);
}

static void try_reap(struct graph_child *gc)
{
    int status;
    pid_t r = waitpid(gc->pid, &status, WNOHANG);
    if (r == gc->pid)
        reaped(gc, status, true);
    else if (r < 0 && errno != EINTR)
        reaped(gc, 0, false);
    else
        /* Its pipe closes during the exit, a moment before it can be
         * waited for; or it was killed and is still dying. */
        arm_tick(gc, gc->killed ? REAP_KILLED_MS : REAP_MS);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    struct graph_child *gc = arg;
    int n = evbuffer_read(gc->out, gc->fd, 65536);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0 && evbuffer_get_length(gc->out) <= GRAPH_PNG_MAX)
        return;
    if (n > 0) {
        kill(gc->pid, SIGKILL);
        gc->killed = true;
        answer(gc, GRAPH_FAILED, "the image is too large");
    }
    close_pipe(gc);
    try_reap(gc);
}

/* Called holding the RRD writer's fork guard, which it drops. */
static int start_fork(struct graph_child *gc)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        rrd_fork_guard_release();
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        rrd_fork_guard_release();
        close(p[0]);
        child_main(gc, p[1]);
    }
    rrd_fork_guard_release();
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    graph_stats.forked++;
    gc->pid = pid;
    gc->fd = p[0];
    evutil_make_socket_nonblocking(gc->fd);
    gc->rd = event_new(gc->base, gc->fd, EV_READ | EV_PERSIST, on_read, gc);
    if (!gc->rd || event_add(gc->rd, NULL) < 0) {
        /* Cannot hear it: the deadline kills it and it is reaped then. */
        close_pipe(gc);
    }
    return 0;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    struct graph_child *gc = arg;
    if (gc->pid > 0) {
        try_reap(gc);
    } else if (!rrd_fork_guard_try()) {
        arm_tick(gc, RETRY_MS);
    } else if (start_fork(gc) < 0) {
        char why[128];
        snprintf(why, sizeof why, "cannot start the drawing process: %s", strerror(errno));
        answer(gc, GRAPH_FAILED, why);
        finish(gc);
    }
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    struct graph_child *gc = arg;
    char why[96];
    snprintf(why, sizeof why, "drawing took longer than %u s", gc->timeout_s);
    answer(gc, GRAPH_TIMEOUT, why);
    if (gc->pid <= 0) {
        finish(gc);                  /* never forked: the RRD writer kept the guard */
        return;
    }
    kill(gc->pid, SIGKILL);
    gc->killed = true;
    close_pipe(gc);
    try_reap(gc);
}

struct graph_child *graph_child_start(struct event_base *base, const struct graph_argv *g, const char *daemon,
                                      const char *file, unsigned timeout_s, graph_child_cb cb, void *arg, char *err,
                                      size_t errlen)
{
    struct graph_child *gc = calloc(1, sizeof *gc);
    if (!gc) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    gc->base = base;
    gc->fd = -1;
    gc->cb = cb;
    gc->arg = arg;
    gc->timeout_s = timeout_s;
    /* The copy's argv points into its own pool. */
    gc->g.argc = g->argc;
    gc->g.used = g->used;
    memcpy(gc->g.pool, g->pool, g->used);
    for (int i = 0; i < g->argc; i++)
        gc->g.argv[i] = gc->g.pool + (g->argv[i] - g->pool);
    gc->g.argv[g->argc] = NULL;
    snprintf(gc->daemon, sizeof gc->daemon, "%s", daemon);
    snprintf(gc->file, sizeof gc->file, "%s", file);
    gc->out = evbuffer_new();
    gc->deadline = evtimer_new(base, on_deadline, gc);
    gc->tick = evtimer_new(base, on_tick, gc);
    struct timeval tv = { (time_t)timeout_s, 0 };
    if (!gc->out || !gc->deadline || !gc->tick || evtimer_add(gc->deadline, &tv) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (rrd_fork_guard_try()) {
        if (start_fork(gc) < 0) {
            snprintf(err, errlen, "cannot start the drawing process: %s", strerror(errno));
            goto fail;
        }
    } else {
        arm_tick(gc, RETRY_MS);
    }
    LIST_INSERT_HEAD(&children, gc, link);
    if (++graph_stats.running > graph_stats.peak)
        graph_stats.peak = graph_stats.running;
    return gc;
fail:
    if (gc->out)
        evbuffer_free(gc->out);
    if (gc->deadline)
        event_free(gc->deadline);
    if (gc->tick)
        event_free(gc->tick);
    free(gc);
    return NULL;
}

void graph_child_cancel(struct graph_child *gc) { gc->cb = NULL; }

void graph_child_shutdown(void)
{
    struct graph_child *gc;
    while ((gc = LIST_FIRST(&children))) {
        gc->cb = NULL;
        if (gc->pid > 0) {
            kill(gc->pid, SIGKILL);
            while (waitpid(gc->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        destroy(gc);
    }
}
