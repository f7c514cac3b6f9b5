/* The monitor's side of the protocol: what each message from the worker
 * may make the root monitor do, and nothing more.
 *
 * Every request is checked again here, with the agent's own validators and
 * the monitor's own configuration: an operation by op_table_check (type,
 * argument syntax, that its application/kernel exists, its target free)
 * and run by the monitor's op_table from a plan built here; a status check
 * by application index; the state file with state_file.c's rules; IPVS
 * with ipvs_netlink.c.  A refused message is logged ("priv: refused ...")
 * and changes nothing.
 *
 * The tests link this file and play the worker over a socketpair
 * (tests/agent/priv_probe.c). */
#ifndef LAMON_PRIV_DISPATCH_H
#define LAMON_PRIV_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

/* Sets up the monitor's operation table on BASE; AGENTX_PATH is the AgentX
 * master socket the monitor connects to for the worker (a copy is kept).
 * ON_BROKEN (or NULL) is called when a send to the worker fails. */
void priv_dispatch_init(struct event_base *base, const char *agentx_path, void (*on_broken)(void));
/* A new AgentX path (after a reload). */
void priv_dispatch_set_agentx(const char *agentx_path);

/* The worker's socket (-1: none now), and how many workers came before. */
void priv_dispatch_set_worker(int sock, unsigned generation);

/* Handles one datagram from the worker.  Returns 0, or -1 when the socket
 * to the worker failed (ON_BROKEN was called). */
int priv_dispatch_msg(const uint8_t *buf, size_t len);

/* Operations still running (the monitor's exit leaves them running). */
void priv_dispatch_shutdown(void);

#endif
