/* lamonAppAdminStatus writes become operations; see app_control.h. */
#include "app_control.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdbool.h>
#include <string.h>

#include "agent_config.h"
#include "app_mib.h"
#include "lamon_mib.h"
#include "op_table.h"
#include "validate.h"

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

static int admin_reserve(const struct lamon_app *app, long value)
{
    return op_table_reserve(0, op_type_of(value), app->name, strlen(app->name));
}

static void admin_commit(const struct lamon_app *app, long value)
{
    if (!op_table_submit(0, op_type_of(value), app->name, strlen(app->name)))
        snmp_log(LOG_ERR, "app %s: cannot record the operation\n", app->name);
}

static void admin_phase(int mode, long transid)
{
    if (mode == MODE_SET_RESERVE1)
        op_table_request_begin(transid);
    else if (mode == MODE_SET_FREE || mode == MODE_SET_UNDO)
        op_table_request_end();
}

static int admin_busy_state(const char *app_name)
{
    const struct op *o = op_table_active_app_op(app_name);
    if (!o)
        return 0;
    return o->type == OPT_APP_STOP ? APP_STOPPING : APP_STARTING;
}

static const struct app_admin_ops ops = {
    .phase = admin_phase,
    .check = admin_check,
    .reserve = admin_reserve,
    .commit = admin_commit,
    .busy_state = admin_busy_state,
};

const struct app_admin_ops *app_control_ops(void) { return &ops; }

void app_control_init(void)
{
    app_mib_set_admin_ops(&ops);
}
