/* The worker's side of the protocol: the agent's modules keep their own
 * interfaces (op_table's executor, app_mib's check runner, state_file_save,
 * the ipvs_nl_* calls) and this file carries each call to the monitor.
 *
 * Requests that need an answer (state, AgentX, IPVS) wait for it, at most
 * PRIV_REPLY_TIMEOUT_MS; operation and check results arrive on their own
 * and are handled from the loop. */
#ifndef LAMON_PRIV_CLIENT_H
#define LAMON_PRIV_CLIENT_H

#define PRIV_REPLY_TIMEOUT_MS 5000

struct event_base;

/* SOCK: the socket to the monitor.  Sends HELLO and takes the WELCOME;
 * returns the number of workers before this one, or -1. */
int priv_client_hello(int sock);

/* Plugs the remote implementations into op_table, app_mib, state_file and
 * ipvs_netlink.  Call after priv_client_hello. */
void priv_client_install(void);

/* Adopts the monitor's operation rows (read by priv_client_hello); call
 * once op_table is set up. */
void priv_client_adopt_ops(void);

/* Watches the socket from BASE; the loop breaks when the monitor is gone. */
int priv_client_watch(struct event_base *base);

/* A connected AgentX socket from the monitor, or -1 (errno set). */
int priv_client_agentx_fd(void);

void priv_client_shutdown(void);

#endif
