/* Application control: the lamonAppAdminStatus write path (app_admin_ops):
 * a write becomes an appStart/appStop/appRestart operation in op_table,
 * whose plan app_plan builds. */
#ifndef LAMON_APP_CONTROL_H
#define LAMON_APP_CONTROL_H

/* Plugs the admin-status write path into lamonAppTable. */
void app_control_init(void);

struct app_admin_ops;
/* The write path itself, for the fuzz target. */
const struct app_admin_ops *app_control_ops(void);

#endif
