/* Pure validators for SET values.  No I/O, no globals: the MIB handlers call
 * them in the RESERVE phase and the fuzz target calls them on random bytes.
 * Each returns an SNMP error status (SNMP_ERR_NOERROR when the value is
 * acceptable), so a handler can pass the result straight on. */
#ifndef LAMON_VALIDATE_H
#define LAMON_VALIDATE_H

#include <stddef.h>

#include "lamon_mib.h"   /* enum lamon_op_type */

#define LAMON_OP_ARG_MAX 128      /* lamonOpArgument SIZE (0..128) */
#define LAMON_PKG_NAME_MAX 64     /* no Debian package name comes close */

/* INTEGER enumerations. */
int validate_op_type(long v);
int validate_truth_value(long v);
int validate_app_admin(long v);

/* LamonName: 1..64 of [A-Za-z0-9._-]. */
int validate_name(const char *s, size_t len);

/* A kernel release as found in vmlinuz-RELEASE: 1..64 of [A-Za-z0-9._+~-],
 * starting with an alphanumeric. */
int validate_kernel_release(const char *s, size_t len);

/* A Debian package, optionally with a version: NAME[=VERSION].
 * NAME follows Debian policy 5.6.1: [a-z0-9][a-z0-9+.-]+ (at least two
 * characters).  VERSION: an optional numeric epoch and ':', then
 * [0-9][A-Za-z0-9.+~-]* (policy 5.6.12).  A name ending in '-' is refused
 * too: apt-get would read it as "remove"; so is a VERSION ending in '+' or
 * '-' (apt-get reads the last character of the whole argument as "install"
 * or "remove").  Nothing else is accepted, so the
 * value can never start an option or carry a shell metacharacter. */
int validate_pkg_spec(const char *s, size_t len);

/* lamonOpArgument for an operation type: checks length (wrongLength) and
 * syntax (wrongValue); an empty argument where one is required yields
 * inconsistentValue (the row as a whole is incomplete).  Whether the named
 * application or kernel exists is for the caller to check. */
int validate_op_argument(long type, const char *s, size_t len);

#endif
