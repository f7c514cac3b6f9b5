/* lamonNode: the node's scalars (identity, state, role, load). */
#ifndef LAMON_NODE_MIB_H
#define LAMON_NODE_MIB_H

#include <time.h>

#include "lamon_mib.h"      /* enum lamon_nstate */

#define LAMON_VERSION "0.1.0"

void node_mib_init(void);
void node_mib_shutdown(void);

/* For the control module: e.g. stopping(5) when a reboot starts.  Persists
 * the state and sends lamonNodeStateChange when it changed. */
void node_state_set(int lamonNodeState);
/* lamonNodeKernelNext; "" when unknown.  Copied. */
void node_mib_set_kernel_next(const char *release);

/* Read by the notifications. */
const char *node_mib_name(void);
int node_mib_state(void);
int node_mib_role(void);
time_t node_mib_boot_time(void);
const char *node_mib_kernel_running(void);

#endif
