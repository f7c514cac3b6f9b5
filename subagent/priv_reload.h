/* A configuration reload without a new worker.  The monitor reads and
 * checks the file on SIGHUP and hands its text to the running worker in
 * CONFIG_TEXT messages and a CONFIG_END; the worker, which cannot open the
 * file in its chroot, loads that text with its own token handlers
 * (agent_config_load_text).  So a reload keeps the AgentX session and what
 * lives only in the worker (createAndWait rows of lamonIpvs).  Changes the
 * worker cannot take in place (user, chroot, AgentX socket) restart it
 * instead (priv_monitor.c). */
#ifndef LAMON_PRIV_RELOAD_H
#define LAMON_PRIV_RELOAD_H

#include <stddef.h>

struct priv_msg;

/* The file's name, for the log lines of both processes. */
void priv_reload_set_name(const char *config_file);

/* Monitor: reads the file into a new NUL-terminated buffer (*LEN bytes
 * without the NUL); NULL (logged) when it cannot, or it exceeds
 * PRIV_CONFIG_MAX. */
char *priv_reload_read(size_t *len);

/* Monitor: sends TEXT to the worker on SOCK; 0 or -1 (logged). */
int priv_reload_send(int sock, const char *text, size_t len);

/* Worker: takes a CONFIG_TEXT or CONFIG_END; at the end loads the text,
 * logging the outcome.  Anything out of order drops the reload (logged). */
void priv_reload_take(const struct priv_msg *m);

#endif
