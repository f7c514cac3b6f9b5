/* fork/exec of operation commands, driven by libevent; see op_runner.h. */
#include "op_runner.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KILL_GRACE_S 5

struct op_run {
    pid_t pid;
    int fd;                     /* the output memfd (shared with the child), -1 once closed */
    struct event *timer;
    int killed;                 /* SIGTERM sent; the timer now sends SIGKILL */
    int kill_on_exit;           /* killed at agent exit instead of left to finish */
    char name[64];              /* argv[0], for the log */
    struct op_output out;
    op_run_done_fn done;
    void *ctx;
    struct op_run *next;
};

static struct event_base *g_base;
static struct event *g_sigchld;
static struct op_run *g_runs;

void op_output_append(struct op_output *o, const char *data, size_t n)
{
    if (n >= OP_OUTPUT_MAX) {
        memcpy(o->buf, data + n - OP_OUTPUT_MAX, OP_OUTPUT_MAX);
        o->start = 0;
        o->len = OP_OUTPUT_MAX;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        o->buf[(o->start + o->len) % OP_OUTPUT_MAX] = data[i];
        if (o->len < OP_OUTPUT_MAX)
            o->len++;
        else
            o->start = (o->start + 1) % OP_OUTPUT_MAX;
    }
}

size_t op_output_copy(const struct op_output *o, char *dst)
{
    for (size_t i = 0; i < o->len; i++)
        dst[i] = o->buf[(o->start + i) % OP_OUTPUT_MAX];
    return o->len;
}

static void unlink_run(struct op_run *r)
{
    for (struct op_run **p = &g_runs; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            return;
        }
}

static void close_output(struct op_run *r)
{
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
}

static void free_run(struct op_run *r)
{
    close_output(r);
    if (r->timer)
        event_free(r->timer);
    free(r);
}

/* The last OP_OUTPUT_MAX bytes the command wrote into its memfd. */
static void read_tail(struct op_run *r)
{
    struct stat st;
    if (r->fd < 0 || fstat(r->fd, &st) < 0)
        return;
    off_t off = st.st_size > OP_OUTPUT_MAX ? st.st_size - OP_OUTPUT_MAX : 0;
    char buf[OP_OUTPUT_MAX];
    ssize_t n;
    do
        n = pread(r->fd, buf, sizeof buf, off);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        op_output_append(&r->out, buf, (size_t)n);
}

static int exit_code_of(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status)
         : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* A process the command left behind (a daemon) still holds the file: empty
 * it and seal it, so its later writes fail (EPERM) instead of growing the
 * file in memory for ever, as writes to a closed pipe failed. */
static void seal_output(struct op_run *r)
{
    if (r->fd >= 0 && (ftruncate(r->fd, 0) < 0 ||
                       fcntl(r->fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0))
        snmp_log(LOG_WARNING, "%s: cannot seal the output file: %s\n", r->name, strerror(errno));
}

static void finish(struct op_run *r, int code)
{
    read_tail(r);   /* whatever the command wrote before it exited */
    seal_output(r);
    unlink_run(r);
    r->done(r->ctx, code, &r->out);
    free_run(r);
}

static void on_sigchld(evutil_socket_t sig, short what, void *arg)
{
    (void)sig, (void)what, (void)arg;
    /* Only our own children: other modules may fork and reap theirs.
     * Signals coalesce, so every run is asked. */
    struct op_run *r = g_runs;
    while (r) {
        struct op_run *next = r->next;
        int status;
        pid_t p = waitpid(r->pid, &status, WNOHANG);
        if (p == r->pid)
            finish(r, exit_code_of(status));
        else if (p < 0 && errno == ECHILD)
            finish(r, -1);   /* reaped by someone else: status unknown */
        r = next;
    }
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct op_run *r = arg;
    static const char msg[] = "\n[lamon-agent: time limit reached, terminating]\n";
    if (!r->killed) {
        /* into the shared file, after what the command wrote so far */
        ssize_t w = write(r->fd, msg, sizeof msg - 1);
        (void)w;
        kill(-r->pid, SIGTERM);
        r->killed = 1;
        struct timeval tv = { KILL_GRACE_S, 0 };
        evtimer_add(r->timer, &tv);
    } else {
        kill(-r->pid, SIGKILL);
    }
}

void op_runner_init(struct event_base *base)
{
    if (g_base)
        return;
    g_base = base;
    g_sigchld = evsignal_new(base, SIGCHLD, on_sigchld, NULL);
    if (g_sigchld)
        evsignal_add(g_sigchld, NULL);
}

int op_runner_ready(void)
{
    return g_base != NULL && g_sigchld != NULL;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(int out_fd, int err_fd, char *const argv[], char *const envp[])
{
    /* The agent may run with a standard descriptor closed, and then its
     * output file or error pipe is one of 0..2: move them out of the way
     * before 0..2 are set up. */
    if (out_fd < 3)
        out_fd = fcntl(out_fd, F_DUPFD, 3);
    if (err_fd < 3)
        err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 3);
    int report_fd = err_fd;   /* where a failure's errno goes: never a stray fd 3 */
    if (out_fd < 0 || err_fd < 0)
        goto fail;
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);   /* the agent may ignore it; a command should not */
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
        goto fail;
    /* err_fd is close-on-exec: it closes by itself when exec succeeds. */
    if (err_fd != 3 && (dup2(err_fd, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0))
        goto fail;
    report_fd = 3;
    close_range(4, ~0U, 0);
    execvpe(argv[0], argv, envp);
fail:;
    int e = errno;
    if (report_fd >= 0) {
        ssize_t w = write(report_fd, &e, sizeof e);
        (void)w;
    }
    _exit(127);
}

extern char **environ;

/* environ plus the extra NAME=VALUE strings (pointers borrowed). */
static char **build_env(char *const extra[])
{
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (extra && extra[m])
        m++;
    char **e = calloc(n + m + 1, sizeof *e);
    if (!e)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        e[k++] = extra[i];
    for (size_t i = 0; i < n; i++) {
        /* an extra setting wins over the inherited one */
        size_t nl = strcspn(environ[i], "=");
        int shadowed = 0;
        for (size_t j = 0; j < m && !shadowed; j++)
            shadowed = strncmp(extra[j], environ[i], nl) == 0 && extra[j][nl] == '=';
        if (!shadowed)
            e[k++] = environ[i];
    }
    return e;
}

static void report_start_failure(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct op_run *r = arg;
    r->done(r->ctx, -1, &r->out);
    free_run(r);
}

struct op_run *op_run_start(char *const argv[], char *const env[], unsigned timeout_s,
                            op_run_done_fn done, void *ctx)
{
    if (!g_base || !argv || !argv[0]) {
        errno = EINVAL;
        return NULL;
    }
    struct op_run *r = calloc(1, sizeof *r);
    char **envp = build_env(env);
    int err[2] = { -1, -1 };
    if (!r)
        goto fail;
    /* Output goes to a memory file, not a pipe: a command the agent leaves
     * running at its exit (apt-get, dpkg) must not die of SIGPIPE. */
    r->fd = memfd_create("lamon-op-output", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (!envp || r->fd < 0 || pipe2(err, O_CLOEXEC) < 0)
        goto fail;
    r->done = done;
    r->ctx = ctx;
    snprintf(r->name, sizeof r->name, "%s", argv[0]);
    pid_t pid = fork();
    if (pid < 0)
        goto fail;
    if (pid == 0)
        child(r->fd, err[1], argv, envp);
    setpgid(pid, pid);   /* both sides set it: no race with an early kill */
    close(err[1]);
    err[1] = -1;
    free(envp);
    envp = NULL;

    /* Blocks only until exec: the close-on-exec pipe closes then. */
    int child_errno = 0;
    ssize_t n;
    do
        n = read(err[0], &child_errno, sizeof child_errno);
    while (n < 0 && errno == EINTR);
    close(err[0]);
    err[0] = -1;
    if (n == (ssize_t)sizeof child_errno) {
        char msg[512];
        int len = snprintf(msg, sizeof msg, "cannot execute %s: %s\n", argv[0], strerror(child_errno));
        if (len < 0)
            len = 0;
        else if ((size_t)len >= sizeof msg)
            len = sizeof msg - 1;
        op_output_append(&r->out, msg, (size_t)len);
        waitpid(pid, NULL, 0);
        close(r->fd);
        r->fd = -1;
        if (event_base_once(g_base, -1, EV_TIMEOUT, report_start_failure, r, NULL) < 0) {
            free(r);
            errno = ENOMEM;
            return NULL;
        }
        return r;
    }

    r->pid = pid;
    r->timer = evtimer_new(g_base, on_timeout, r);
    if (r->timer && timeout_s > 0) {
        struct timeval tv = { (time_t)timeout_s, 0 };
        evtimer_add(r->timer, &tv);
    }
    r->next = g_runs;
    g_runs = r;
    /* The child may have exited before our list knew it: look once more
     * from the loop. */
    event_active(g_sigchld, EV_SIGNAL, 1);
    return r;

fail:;
    int e = errno;
    for (int i = 0; i < 2; i++)
        if (err[i] >= 0)
            close(err[i]);
    if (r && r->fd >= 0)
        close(r->fd);
    free(envp);
    free(r);
    errno = e;
    return NULL;
}

void op_run_kill_on_exit(struct op_run *r)
{
    r->kill_on_exit = 1;
}

void op_runner_shutdown(void)
{
    while (g_runs) {
        struct op_run *r = g_runs;
        g_runs = r->next;
        if (r->kill_on_exit) {
            kill(-r->pid, SIGKILL);
            waitpid(r->pid, NULL, 0);
        } else {
            /* Killing apt-get or dpkg half-way breaks the package system. */
            snmp_log(LOG_NOTICE, "leaving %s (pid %ld) running to finish on its own\n",
                     r->name, (long)r->pid);
        }
        free_run(r);
    }
    if (g_sigchld) {
        event_free(g_sigchld);
        g_sigchld = NULL;
    }
    g_base = NULL;
}

void op_runner_forget(void)
{
    while (g_runs) {
        struct op_run *r = g_runs;
        g_runs = r->next;
        if (r->fd >= 0)
            close(r->fd);
        free(r);   /* its timer is the parent's event: not freed */
    }
    g_sigchld = NULL;
    g_base = NULL;
}
