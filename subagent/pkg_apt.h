/* Package operations through apt-get: the plans of pkgInstall, pkgUpdate
 * and pkgRemove.  The package argument was validated (validate_pkg_spec)
 * before this is called and is passed as one argv element.
 *
 *   install: apt-get OPTS -q update;  apt-get OPTS EXACT -q -y install PKG
 *            (with --allow-downgrades when SPEC names a version)
 *   update:  apt-get OPTS -q update;  apt-get OPTS EXACT -q -y install --only-upgrade PKG
 *   remove:  apt-get OPTS EXACT -q -y remove PKG
 *
 * apt-get reads a name that is not a package as a regex or glob, and a
 * trailing '+' ('-') as "install" ("remove"): `remove ssh..` removes every
 * package matching it, `remove hello+` installs hello.  So the package is
 * named exactly: EXACT is `-o APT::Cmd::Pattern-Only=true` (no regex, no
 * glob) and PKG is NAME:native[=VERSION], which ends in neither modifier
 * and matches only the package of that name for the node's architecture
 * (arch:all packages included).
 *
 * OPTS are the apt_option arguments of lamon-agent.conf (e.g. -o Dir=…),
 * the children run with DEBIAN_FRONTEND=noninteractive. */
#ifndef LAMON_PKG_APT_H
#define LAMON_PKG_APT_H

#include "op_plan.h"

#define OP_TIMEOUT_PKG_S 1800

int pkg_apt_plan(long type, const char *spec, struct op_plan *p);

/* PKG above for a validated SPEC: "NAME:native" or "NAME:native=VERSION".
 * Returns -1 when it does not fit in size. */
int pkg_apt_exact(const char *spec, char *buf, size_t size);

#endif
