/* libFuzzer target: the SET-value validators (subagent/validate.c).
 * The first byte picks the validator, the rest is the value.  Besides
 * crashes (ASan/UBSan), it aborts when a validator accepts something that
 * could reach argv or a file name unsafely: the accepted character sets
 * are re-checked here independently. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../subagent/pkg_apt.h"
#include "../subagent/validate.h"

static int only(const char *s, size_t len, const char *allowed)
{
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(allowed, s[i]))
            return 0;
    return 1;
}

/* the character after the package name ('=' or the end) */
static const char *name_end(const char *s, size_t len)
{
    const char *eq = memchr(s, '=', len);
    return eq ? eq : s + len;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz0123456789"
#define ALNUM LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    long num = 0;
    memcpy(&num, data + 1, len < sizeof num ? len : sizeof num);
    int rc;
    switch (sel % 7) {
    case 0:
        rc = validate_pkg_spec(s, len);
        if (rc == SNMP_ERR_NOERROR &&
            (len < 2 || len > LAMON_OP_ARG_MAX || !only(s, 1, LOWER) ||
             !only(s, len, ALNUM "+.-=~:") || name_end(s, len)[-1] == '-'))
            abort();
        if (rc == SNMP_ERR_NOERROR) {
            /* what apt-get gets: NAME:native[=VERSION], no modifier at the end */
            char spec[LAMON_OP_ARG_MAX + 1], pkg[LAMON_OP_ARG_MAX + sizeof ":native"];
            memcpy(spec, s, len);
            spec[len] = '\0';
            if (pkg_apt_exact(spec, pkg, sizeof pkg) != 0)
                abort();
            const char *colon = strstr(pkg, ":native");
            size_t plen = strlen(pkg);
            if (!colon || (size_t)(colon - pkg) != (size_t)(name_end(s, len) - s) ||
                pkg[plen - 1] == '+' || pkg[plen - 1] == '-')
                abort();
        }
        break;
    case 1:
        rc = validate_name(s, len);
        if (rc == SNMP_ERR_NOERROR && (len < 1 || len > 64 || !only(s, len, ALNUM "._-")))
            abort();
        break;
    case 2:
        rc = validate_kernel_release(s, len);
        if (rc == SNMP_ERR_NOERROR &&
            (len < 1 || len > 64 || !only(s, 1, ALNUM) || !only(s, len, ALNUM "._+~-")))
            abort();
        break;
    case 3:
        rc = validate_op_argument((long)(sel / 7 % 11), s, len);
        if (rc == SNMP_ERR_NOERROR && (len > LAMON_OP_ARG_MAX || !only(s, len, ALNUM "._+~-=:")))
            abort();
        break;
    case 4:
        rc = validate_op_type(num);
        if (rc == SNMP_ERR_NOERROR && (num < 1 || num > 9))
            abort();
        break;
    case 5:
        rc = validate_truth_value(num);
        if (rc == SNMP_ERR_NOERROR && num != 1 && num != 2)
            abort();
        break;
    default:
        rc = validate_app_admin(num);
        if (rc == SNMP_ERR_NOERROR && (num < 1 || num > 3))
            abort();
        break;
    }
    /* every answer is one of the statuses the handlers pass on */
    if (rc != SNMP_ERR_NOERROR && rc != SNMP_ERR_WRONGVALUE && rc != SNMP_ERR_WRONGLENGTH &&
        rc != SNMP_ERR_INCONSISTENTVALUE)
        abort();
    return 0;
}
