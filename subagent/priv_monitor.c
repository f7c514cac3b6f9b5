/* The monitor: worker supervision, reload and exit; see priv_monitor.h. */
#include "priv_monitor.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <stdbool.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "agent_config.h"
#include "ipvs_netlink.h"
#include "op_runner.h"
#include "op_table.h"
#include "priv_dispatch.h"
#include "priv_drop.h"
#include "priv_io.h"
#include "priv_reload.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 8000
#define STABLE_S 30             /* a worker that ran this long resets the back-off */
#define STOP_GRACE_S 5          /* SIGTERM, then SIGKILL */

static struct event_base *g_base;
static struct event *g_sig_hup, *g_sig_term, *g_sig_int, *g_sig_chld;
static struct event *g_read_ev, *g_restart_ev, *g_kill_ev;
static const char *g_config_file, *g_xsocket;
static priv_worker_fn g_worker;
static pid_t g_pid = -1;
static int g_sock = -1;
static unsigned g_generation;
static unsigned g_backoff_ms = BACKOFF_MIN_MS;
static time_t g_started;
static int g_stopping, g_restart_now;
static struct priv_drop g_drop;

/* The AgentX master socket the monitor connects to for the worker: -x,
 * else agentx_socket, else Net-SNMP's default; "unix:" is dropped. */
static const char *agentx_path(void)
{
    const char *p = g_xsocket ? g_xsocket : agent_config()->agentx_socket;
    if (!p || !p[0])
        p = NETSNMP_AGENTX_SOCKET;
    if (strncmp(p, "unix:", 5) == 0)
        p += 5;
    return p;
}

/* --- the worker's process --------------------------------------------- */

/* In the child: everything of the monitor's loop and modules goes, without
 * touching what the monitor still uses (the epoll set is shared across
 * fork until event_reinit). */
static void child_cleanup(int keep)
{
    /* glibc's syslog state says "connected on fd N" once the monitor has
     * logged; close_range() below closes N, the worker's openlog() would
     * then be a no-op and its first syslog() would close whatever took N
     * (Net-SNMP's callback pipe) and reconnect there: a busy loop of
     * failed PDUs.  Forget the connection first. */
    closelog();
    event_reinit(g_base);
    event_base_free(g_base);    /* also gives the signals back to SIG_DFL */
    g_base = NULL;
    op_table_forget();
    op_runner_forget();
    ipvs_nl_close();
    if (keep > 3)
        close_range(3, (unsigned)keep - 1, 0);
    close_range((unsigned)keep + 1, ~0U, 0);
}

static void on_read(evutil_socket_t fd, short what, void *arg);
static void restart_later(void);

/* No worker could be started: at the agent's start that ends it; on a
 * restart (a transient EAGAIN, ENOMEM) it is tried again after the back-off,
 * as after a worker's death. */
static void spawn_failed(void)
{
    if (g_generation == 0) {
        event_base_loopbreak(g_base);
        return;
    }
    snmp_log(LOG_ERR, "monitor: trying again in %u ms\n", g_backoff_ms);
    restart_later();
}

static void spawn(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0) {
        snmp_log(LOG_ERR, "monitor: cannot create the worker's socket: %s\n", strerror(errno));
        spawn_failed();
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snmp_log(LOG_ERR, "monitor: cannot fork the worker: %s\n", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        spawn_failed();
        return;
    }
    if (pid == 0) {
        close(sv[0]);
        child_cleanup(sv[1]);
        /* No terminal for the worker: with -f from a root shell, fd 0 and
         * the controlling terminal would let it type there (TIOCSTI).
         * stdout and stderr stay: -f logs to stderr. */
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (nul < 0 || dup2(nul, 0) < 0) {
            snmp_log(LOG_ERR, "worker: cannot open /dev/null: %s\n", strerror(errno));
            _exit(1);
        }
        if (nul != 0)
            close(nul);
        setsid();
        int fl = fcntl(sv[1], F_GETFD);
        fcntl(sv[1], F_SETFD, fl | FD_CLOEXEC);
        int rc = g_worker(sv[1], g_generation, &g_drop);
        /* No exit handlers: LeakSanitizer's check needs /proc and ptrace,
         * which the chroot and the seccomp filter take away. */
        fflush(NULL);
        _exit(rc);
    }
    close(sv[1]);
    g_pid = pid;
    g_sock = sv[0];
    g_started = time(NULL);
    priv_dispatch_set_worker(g_sock, g_generation);
    g_generation++;
    g_read_ev = event_new(g_base, g_sock, EV_READ | EV_PERSIST, on_read, NULL);
    if (!g_read_ev || event_add(g_read_ev, NULL) != 0)
        snmp_log(LOG_ERR, "monitor: cannot watch the worker's socket\n");
    snmp_log(LOG_INFO, "monitor: worker started (pid %ld)\n", (long)pid);
}

static void kill_worker(int sig)
{
    if (g_pid > 0)
        kill(g_pid, sig);
}

static void on_broken(void)
{
    snmp_log(LOG_ERR, "monitor: the worker does not take messages; killing it\n");
    kill_worker(SIGKILL);
}

static void drop_socket(void)
{
    if (g_read_ev)
        event_free(g_read_ev);
    g_read_ev = NULL;
    if (g_sock >= 0)
        close(g_sock);
    g_sock = -1;
    priv_dispatch_set_worker(-1, g_generation);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    for (int i = 0; i < 64 && g_sock >= 0; i++) {
        uint8_t buf[PRIV_MSG_MAX];
        long n = priv_recv(g_sock, buf, NULL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno == EMSGSIZE) {
            snmp_log(LOG_WARNING, "priv: refused a message from the worker: over-long\n");
            continue;
        }
        if (n <= 0) {       /* the worker is gone; SIGCHLD tells how */
            drop_socket();
            return;
        }
        if (priv_dispatch_msg(buf, (size_t)n) != 0)
            return;
    }
}

static void on_restart(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    if (!g_stopping && g_pid < 0)
        spawn();
}

static void describe(int status, char *buf, size_t len)
{
    if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
        snprintf(buf, len, "was killed by SIGSYS: a system call outside its seccomp allow-list");
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, len, "ended (status 0x%x)", (unsigned)status);
}

static void on_sigchld(evutil_socket_t sig, short what, void *arg)
{
    (void)sig, (void)what, (void)arg;
    int status;
    if (g_pid < 0 || waitpid(g_pid, &status, WNOHANG) != g_pid)
        return;   /* an operation's child: op_runner's */
    char how[128];
    describe(status, how, sizeof how);
    long ran = (long)(time(NULL) - g_started);
    g_pid = -1;
    drop_socket();
    if (g_kill_ev)
        event_del(g_kill_ev);
    if (g_stopping) {
        snmp_log(LOG_INFO, "monitor: worker %s\n", how);
        event_base_loopbreak(g_base);
        return;
    }
    if (g_restart_now) {
        g_restart_now = 0;
        spawn();
        return;
    }
    if (ran >= STABLE_S)
        g_backoff_ms = BACKOFF_MIN_MS;
    snmp_log(LOG_ERR, "monitor: the worker %s after %ld s; restarting it in %u ms (running "
             "operations go on; rows it had queued but not started are lost)\n",
             how, ran, g_backoff_ms);
    restart_later();
}

static void restart_later(void)
{
    struct timeval tv = { g_backoff_ms / 1000, (g_backoff_ms % 1000) * 1000 };
    event_add(g_restart_ev, &tv);
    g_backoff_ms = g_backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : g_backoff_ms * 2;
}

static void on_kill_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    snmp_log(LOG_WARNING, "monitor: the worker did not stop within %d s; killing it\n", STOP_GRACE_S);
    kill_worker(SIGKILL);
}

/* SIGTERM now, SIGKILL after the grace time. */
static void stop_worker(void)
{
    kill_worker(SIGTERM);
    struct timeval tv = { STOP_GRACE_S, 0 };
    event_add(g_kill_ev, &tv);
}

/* --- signals ----------------------------------------------------------- */

/* What the running worker cannot take in place: it was set up with it. */
struct worker_setup {
    char user[sizeof agent_config()->user];
    char root[sizeof agent_config()->chroot_dir];
    char agentx[sizeof agent_config()->agentx_socket];
};

static void setup_of(struct worker_setup *w)
{
    memset(w, 0, sizeof *w);    /* compared whole with memcmp */
    snprintf(w->user, sizeof w->user, "%s", agent_config()->user);
    snprintf(w->root, sizeof w->root, "%s", agent_config()->chroot_dir);
    snprintf(w->agentx, sizeof w->agentx, "%s", agentx_path());
}

static void restart_worker(void)
{
    if (g_pid > 0) {
        g_restart_now = 1;
        stop_worker();
    } else {
        event_del(g_restart_ev);
        g_backoff_ms = BACKOFF_MIN_MS;
        spawn();
    }
}

/* SIGHUP: the monitor checks the file and takes it; the running worker gets
 * the same text (priv_reload.h), or a restart when its user, root or AgentX
 * socket changed, or when the file changed while it was being read. */
static void reload(void)
{
    struct worker_setup old, now;
    setup_of(&old);
    size_t len = 0, len2 = 0;
    char *text = priv_reload_read(&len);
    if (agent_config_load(g_config_file) != 0) {
        snmp_log(LOG_ERR, "%s: reload failed; the previous configuration stays in force\n",
                 g_config_file);
        free(text);
        return;
    }
    struct priv_drop d;
    if (priv_drop_prepare(agent_config(), g_config_file, &d) != 0) {
        snmp_log(LOG_ERR, "%s: reload: the worker cannot be started with it; the running "
                 "worker keeps the previous configuration\n", g_config_file);
        free(text);
        return;
    }
    g_drop = d;
    priv_dispatch_set_agentx(agentx_path());
    setup_of(&now);
    char *again = text ? priv_reload_read(&len2) : NULL;
    bool same_text = again && len2 == len && memcmp(again, text, len) == 0;
    free(again);
    if (g_pid > 0 && g_sock >= 0 && same_text && memcmp(&old, &now, sizeof old) == 0 &&
        priv_reload_send(g_sock, text, len) == 0) {
        snmp_log(LOG_NOTICE, "%s: reloaded; handed to the worker\n", g_config_file);
        free(text);
        return;
    }
    free(text);
    snmp_log(LOG_NOTICE, "%s: reloaded; restarting the worker with it (%s)\n", g_config_file,
             g_pid <= 0 ? "no worker running"
             : memcmp(&old, &now, sizeof old) != 0 ? "its user, chroot or AgentX socket changed"
             : !text ? "the file's text could not be read for it"
             : !same_text ? "the file changed while it was read" : "it could not take the text");
    restart_worker();
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what, (void)arg;
    if (sig == SIGHUP) {
        snmp_log(LOG_NOTICE, "SIGHUP: reloading the configuration\n");
        reload();
        return;
    }
    snmp_log(LOG_NOTICE, "signal %d: shutting down\n", (int)sig);
    g_stopping = 1;
    if (g_pid > 0)
        stop_worker();
    else
        event_base_loopbreak(g_base);
}

int priv_monitor_run(const char *config_file, const char *xsocket, priv_worker_fn worker)
{
    g_config_file = config_file;
    priv_reload_set_name(config_file);
    g_xsocket = xsocket;
    g_worker = worker;
    if (priv_drop_prepare(agent_config(), config_file, &g_drop) != 0) {
        snmp_log(LOG_ERR, "lamon-agent: not started\n");
        return 1;
    }
    g_base = event_base_new();
    if (!g_base)
        return 1;
    g_sig_hup = evsignal_new(g_base, SIGHUP, on_signal, NULL);
    g_sig_term = evsignal_new(g_base, SIGTERM, on_signal, NULL);
    g_sig_int = evsignal_new(g_base, SIGINT, on_signal, NULL);
    g_sig_chld = evsignal_new(g_base, SIGCHLD, on_sigchld, NULL);
    g_restart_ev = evtimer_new(g_base, on_restart, NULL);
    g_kill_ev = evtimer_new(g_base, on_kill_timer, NULL);
    if (!g_sig_hup || !g_sig_term || !g_sig_int || !g_sig_chld || !g_restart_ev || !g_kill_ev ||
        event_add(g_sig_hup, NULL) || event_add(g_sig_term, NULL) || event_add(g_sig_int, NULL) ||
        event_add(g_sig_chld, NULL)) {
        snmp_log(LOG_ERR, "lamon-agent: cannot set up the monitor's loop\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    priv_dispatch_init(g_base, agentx_path(), on_broken);
    spawn();
    int rc = event_base_dispatch(g_base) < 0 ? 1 : 0;

    if (g_pid > 0) {   /* the loop failed: do not leave the worker behind */
        kill_worker(SIGKILL);
        waitpid(g_pid, NULL, 0);
    }
    drop_socket();
    priv_dispatch_shutdown();
    struct event **evs[] = { &g_sig_hup, &g_sig_term, &g_sig_int, &g_sig_chld, &g_restart_ev, &g_kill_ev };
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (*evs[i]) {
            event_free(*evs[i]);
            *evs[i] = NULL;
        }
    event_base_free(g_base);
    g_base = NULL;
    return rc;
}
