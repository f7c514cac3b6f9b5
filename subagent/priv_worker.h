/* lamon-agent's SNMP half, the worker: the AgentX subagent with every MIB
 * module, in the chroot, as the configured user, under seccomp.  What it
 * cannot do itself it asks the monitor for (priv_client.h). */
#ifndef LAMON_PRIV_WORKER_H
#define LAMON_PRIV_WORKER_H

struct priv_drop;

/* Set once from main: logging to stderr (-f) or to syslog. */
void priv_worker_set_foreground(int foreground);

/* A priv_worker_fn (priv_monitor.h). */
int priv_worker_main(int sock, unsigned generation, const struct priv_drop *drop);

#endif
