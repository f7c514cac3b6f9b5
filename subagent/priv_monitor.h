/* lamon-agent's root half, the monitor: it holds the configuration, forks
 * the SNMP worker over a socketpair(AF_UNIX, SOCK_SEQPACKET), answers its
 * messages (priv_dispatch.c), and supervises it:
 *
 *   - a worker that dies is logged and started again after a back-off
 *     (250 ms, doubling to 8 s; back to 250 ms after it ran 30 s); the
 *     operations the monitor runs keep running, and the new worker learns
 *     them on HELLO.  Rows the old worker had queued but not started are
 *     lost (logged);
 *   - SIGHUP: the monitor reloads and checks the configuration; a good one
 *     restarts the worker, which inherits it through fork; a bad one is
 *     logged and the old one stays in force;
 *   - SIGTERM/SIGINT: the worker is stopped, status checks are killed and
 *     operations left to finish on their own, as before. */
#ifndef LAMON_PRIV_MONITOR_H
#define LAMON_PRIV_MONITOR_H

struct priv_drop;

/* What the worker runs after the fork: SOCK is its end of the socketpair,
 * GENERATION the number of workers before it, DROP what it must become.
 * Returns its exit status. */
typedef int (*priv_worker_fn)(int sock, unsigned generation, const struct priv_drop *drop);

/* Runs the monitor until SIGTERM/SIGINT; returns the exit status.
 * XSOCKET: the -x flag or NULL.  The configuration is loaded. */
int priv_monitor_run(const char *config_file, const char *xsocket, priv_worker_fn worker);

#endif
