/* The plans of appStart/appStop/appRestart, built from the application's
 * app_start/app_stop commands in lamon-agent.conf.
 *
 * An operation ends when its command exits, so a start command must return
 * once the application runs in the background (as systemctl start or
 * start-stop-daemon --start --background do); its status then comes from
 * the application's status check.  A stop command should succeed when the
 * application is already stopped.  appRestart runs stop, then start. */
#ifndef LAMON_APP_PLAN_H
#define LAMON_APP_PLAN_H

#include "op_plan.h"

#define OP_TIMEOUT_APP_S 120

/* Plan of appStart/appStop/appRestart on application NAME: inconsistentValue
 * when no such application is configured or it lacks the command. */
int app_plan(long type, const char *name, struct op_plan *p);

#endif
