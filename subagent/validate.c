/* SET-value validators; see validate.h.  Kept free of state and I/O so the
 * fuzz target exercises exactly what the handlers use. */
#include "validate.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdbool.h>

static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

int validate_op_type(long v)
{
    return v >= OPT_APP_START && v <= OPT_PKG_REMOVE ? SNMP_ERR_NOERROR : SNMP_ERR_WRONGVALUE;
}

int validate_truth_value(long v)
{
    return v == 1 || v == 2 ? SNMP_ERR_NOERROR : SNMP_ERR_WRONGVALUE;
}

int validate_app_admin(long v)
{
    return v >= 1 && v <= 3 ? SNMP_ERR_NOERROR : SNMP_ERR_WRONGVALUE;
}

int validate_name(const char *s, size_t len)
{
    if (len < 1 || len > 64)
        return SNMP_ERR_WRONGLENGTH;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return SNMP_ERR_WRONGVALUE;
    return SNMP_ERR_NOERROR;
}

int validate_kernel_release(const char *s, size_t len)
{
    if (len < 1 || len > 64)
        return SNMP_ERR_WRONGLENGTH;
    if (!is_alnum(s[0]))
        return SNMP_ERR_WRONGVALUE;
    for (size_t i = 1; i < len; i++)
        if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-' && s[i] != '+' && s[i] != '~')
            return SNMP_ERR_WRONGVALUE;
    return SNMP_ERR_NOERROR;
}

/* [0-9]+: then [0-9][A-Za-z0-9.+~-]*; the colon only after the epoch. */
static bool valid_version(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_digit(s[i]))
        i++;
    if (i < len && s[i] == ':') {
        if (i == 0)
            return false;
        s += i + 1;
        len -= i + 1;
    }
    if (len < 1 || !is_digit(s[0]))
        return false;
    for (i = 1; i < len; i++)
        if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '+' && s[i] != '~' && s[i] != '-')
            return false;
    return true;
}

int validate_pkg_spec(const char *s, size_t len)
{
    if (len > LAMON_OP_ARG_MAX)
        return SNMP_ERR_WRONGLENGTH;
    size_t n = 0;
    while (n < len && s[n] != '=')
        n++;
    if (n < 2 || n > LAMON_PKG_NAME_MAX || !is_lower_alnum(s[0]))
        return SNMP_ERR_WRONGVALUE;
    for (size_t i = 1; i < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '+' && s[i] != '.' && s[i] != '-')
            return SNMP_ERR_WRONGVALUE;
    /* apt-get reads a trailing '-' as "remove this package" */
    if (s[n - 1] == '-')
        return SNMP_ERR_WRONGVALUE;
    if (n < len && !valid_version(s + n + 1, len - n - 1))
        return SNMP_ERR_WRONGVALUE;
    /* ...and a trailing '+' or '-' of the whole argument as a modifier,
     * even after a version: `remove hello=2.10-3+` installs hello. */
    if (n < len && (s[len - 1] == '+' || s[len - 1] == '-'))
        return SNMP_ERR_WRONGVALUE;
    return SNMP_ERR_NOERROR;
}

int validate_op_argument(long type, const char *s, size_t len)
{
    if (len > LAMON_OP_ARG_MAX)
        return SNMP_ERR_WRONGLENGTH;
    switch (type) {
    case OPT_APP_START: case OPT_APP_STOP: case OPT_APP_RESTART:
        if (len == 0)
            return SNMP_ERR_INCONSISTENTVALUE;
        return validate_name(s, len) == SNMP_ERR_NOERROR ? SNMP_ERR_NOERROR : SNMP_ERR_WRONGVALUE;
    case OPT_REBOOT: case OPT_SHUTDOWN:
        return len == 0 ? SNMP_ERR_NOERROR : SNMP_ERR_WRONGVALUE;
    case OPT_KERNEL_SELECT:
        if (len == 0)
            return SNMP_ERR_INCONSISTENTVALUE;
        return validate_kernel_release(s, len) == SNMP_ERR_NOERROR ? SNMP_ERR_NOERROR : SNMP_ERR_WRONGVALUE;
    case OPT_PKG_INSTALL: case OPT_PKG_UPDATE: case OPT_PKG_REMOVE:
        if (len == 0)
            return SNMP_ERR_INCONSISTENTVALUE;
        return validate_pkg_spec(s, len);
    default:
        return SNMP_ERR_WRONGVALUE;
    }
}
