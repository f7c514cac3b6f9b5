/* Plans of appStart/appStop/appRestart; see app_plan.h. */
#include "app_plan.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdbool.h>

#include "agent_config.h"
#include "lamon_mib.h"

int app_plan(long type, const char *name, struct op_plan *p)
{
    const struct lamon_app *app = agent_config_find_app(name);
    if (!app)
        return SNMP_ERR_INCONSISTENTVALUE;
    bool stop = type == OPT_APP_STOP || type == OPT_APP_RESTART;
    bool start = type == OPT_APP_START || type == OPT_APP_RESTART;
    if ((stop && !app->stop.argv) || (start && !app->start.argv))
        return SNMP_ERR_INCONSISTENTVALUE;
    p->timeout_s = OP_TIMEOUT_APP_S;
    if ((stop && op_plan_add(p, (const char *const *)app->stop.argv) < 0) ||
        (start && op_plan_add(p, (const char *const *)app->start.argv) < 0))
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    return SNMP_ERR_NOERROR;
}
