/* Package operations through apt-get: the plans of pkgInstall, pkgUpdate
 * and pkgRemove.  The package argument was validated (validate_pkg_spec)
 * before this is called and is passed as one argv element.
 *
 *   install: apt-get OPTS -q update;  apt-get OPTS -q -y install SPEC
 *            (with --allow-downgrades when SPEC names a version)
 *   update:  apt-get OPTS -q update;  apt-get OPTS -q -y install --only-upgrade SPEC
 *   remove:  apt-get OPTS -q -y remove SPEC
 *
 * OPTS are the apt_option arguments of lamon-agent.conf (e.g. -o Dir=…),
 * the children run with DEBIAN_FRONTEND=noninteractive. */
#ifndef LAMON_PKG_APT_H
#define LAMON_PKG_APT_H

#include "op_table.h"

#define OP_TIMEOUT_PKG_S 1800

int pkg_apt_plan(long type, const char *spec, struct op_plan *p);

#endif
