/* lamonAppAdminStatus writes become operations; see app_control.h. */
#include "app_control.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdbool.h>
#include <string.h>

#include "agent_config.h"
#include "app_mib.h"

int app_control_plan(long type, const char *name, struct op_plan *p)
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

static long op_type_of(long admin)
{
    return admin == APP_ADMIN_UP ? OPT_APP_START
         : admin == APP_ADMIN_DOWN ? OPT_APP_STOP : OPT_APP_RESTART;
}

static int admin_check(const struct lamon_app *app, long value)
{
    int rc = validate_app_admin(value);
    if (rc != SNMP_ERR_NOERROR)
        return rc;
    return op_table_check(op_type_of(value), app->name, strlen(app->name));
}

static void admin_commit(const struct lamon_app *app, long value)
{
    op_table_submit(0, op_type_of(value), app->name, strlen(app->name));
}

static int admin_busy_state(const char *app_name)
{
    const struct op *o = op_table_active_app_op(app_name);
    if (!o)
        return 0;
    return o->type == OPT_APP_STOP ? APP_OPER_STOPPING : APP_OPER_STARTING;
}

static const struct app_admin_ops ops = {
    .check = admin_check,
    .commit = admin_commit,
    .busy_state = admin_busy_state,
};

void app_control_init(void)
{
    app_mib_set_admin_ops(&ops);
}
