/* LAMON-MIB notifications, sent through the AgentX master to its trap sinks. */
#ifndef LAMON_NOTIFY_H
#define LAMON_NOTIFY_H

void notify_node_started(void);
void notify_node_state_change(void);
void notify_app_state_change(const char *app_name, int oper_status);
/* type: lamonOpType value; status: lamonOpStatus value */
void notify_op_completed(unsigned op_index, int type, const char *argument,
                         int status, int exit_code);

#endif
