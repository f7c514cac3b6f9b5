/* lamonAppTable.  The write path of lamonAppAdminStatus and the transient
 * oper states belong to the operations module, which plugs in here, so the
 * table does not depend on how operations run. */
#ifndef LAMON_APP_MIB_H
#define LAMON_APP_MIB_H

#include "agent_config.h"
#include "lamon_mib.h"      /* enum lamon_appadmin, enum lamon_appoper */

struct app_admin_ops {
    /* Called once per SET phase (MODE_SET_*) of a request that writes the
     * table, before its varbinds: the request's bookkeeping. */
    void (*phase)(int mode, long transid);
    /* RESERVE1 phase: may refuse with an SNMP error (SNMP_ERR_*);
     * must not start anything. */
    int (*check)(const struct lamon_app *app, long value);
    /* RESERVE2 phase: claims the application for this request, so that a
     * second write of the request on it is refused (inconsistentValue). */
    int (*reserve)(const struct lamon_app *app, long value);
    /* COMMIT phase: queue the operation; returns at once. */
    void (*commit)(const struct lamon_app *app, long value);
    /* APP_STARTING/STOPPING while an operation runs, else 0. */
    int (*busy_state)(const char *app_name);
};

void app_mib_init(void);
/* Without a handler, writes to lamonAppAdminStatus are refused (notWritable). */
void app_mib_set_admin_ops(const struct app_admin_ops *ops);

/* Established and SYN-RECV connections over the distinct ports of all
 * applications (lamonNodeConnections / lamonNodeSynRecv); cached. */
void app_mib_node_conns(unsigned *established, unsigned *syn_recv);
/* Re-evaluates the oper status now (e.g. after an operation ended). */
void app_mib_check_now(void);
void app_mib_shutdown(void);

/* In the privilege-separated worker the app_check commands run in the
 * monitor: RUN starts the check of application APP (its index in the
 * configuration) known as ID, and returns 0 or -1; the monitor's answer
 * comes back through app_mib_check_result. */
#define APP_CHECK_TIMEOUT_S 10   /* time limit of one status check */
void app_mib_set_check_runner(int (*run)(size_t app, unsigned id));
void app_mib_check_result(unsigned id, int exit_code);

#endif
