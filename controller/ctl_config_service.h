/* The "service" line of lamon-controller.conf (syntax in ctl_config.h):
 * checks every option and the cross-references to directors and v3users
 * declared above it, then appends the service to CFG.  A bad line is
 * reported through config_errorf and adds nothing. */
#ifndef LAMON_CTL_CONFIG_SERVICE_H
#define LAMON_CTL_CONFIG_SERVICE_H

#include "ctl_config_types.h"

void ctl_config_service(struct ctl_config *cfg, const char *token, char *line);

#endif
