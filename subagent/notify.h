/* LAMON-MIB notifications, sent through the AgentX master to its trap sinks. */
#ifndef LAMON_NOTIFY_H
#define LAMON_NOTIFY_H

#include <time.h>

/* What the notifications say about the node.  node_mib provides it, so that
 * this module needs none of the MIB modules that send notifications. */
struct notify_node_view {
    const char *(*name)(void);
    int (*state)(void);
    int (*role)(void);
    time_t (*boot_time)(void);
    const char *(*kernel_running)(void);
    const char *(*service)(void);
    unsigned long (*load1)(void);          /* x100 */
    unsigned long (*conns)(void);          /* established, managed ports */
};

/* Until a view is set, the node fields are empty or 0. */
void notify_set_node_view(const struct notify_node_view *v);

void notify_node_started(void);
void notify_node_state_change(void);
void notify_app_state_change(const char *app_name, int oper_status);
/* lamonNodeHeartbeat: the node's state, role, service, load and
 * connections, and PERIOD_MS, so that a manager knows when one is late. */
void notify_node_heartbeat(unsigned period_ms);
/* type: lamonOpType value; status: lamonOpStatus value */
void notify_op_completed(unsigned op_index, int type, const char *argument,
                         int status, int exit_code);

#endif
