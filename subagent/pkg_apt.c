/* apt-get argv arrays for package operations; see pkg_apt.h. */
#include "pkg_apt.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"
#include "validate.h"

int pkg_apt_exact(const char *spec, char *buf, size_t size)
{
    const char *eq = strchr(spec, '=');
    int name_len = (int)(eq ? (size_t)(eq - spec) : strlen(spec));
    int n = snprintf(buf, size, "%.*s:native%s", name_len, spec, eq ? eq : "");
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* apt-get OPTS TAIL... */
static int add_apt(struct op_plan *p, const char *const *tail)
{
    const struct agent_config *c = agent_config();
    size_t nopt = c->apt_options.argv ? c->apt_options.argc : 0, ntail = 0;
    while (tail[ntail])
        ntail++;
    const char **v = calloc(1 + nopt + ntail + 1, sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    v[k++] = c->apt_get;
    for (size_t i = 0; i < nopt; i++)
        v[k++] = c->apt_options.argv[i];
    for (size_t i = 0; i < ntail; i++)
        v[k++] = tail[i];
    v[k] = NULL;
    int rc = op_plan_add(p, v);
    free(v);
    return rc;
}

int pkg_apt_plan(long type, const char *spec, struct op_plan *p)
{
    /* Checked again here: this is what reaches argv. */
    if (validate_pkg_spec(spec, strlen(spec)) != SNMP_ERR_NOERROR)
        return SNMP_ERR_WRONGVALUE;
    char pkg[LAMON_OP_ARG_MAX + sizeof ":native"];
    if (pkg_apt_exact(spec, pkg, sizeof pkg) < 0)
        return SNMP_ERR_WRONGLENGTH;
    static const char *const update[] = { "-q", "update", NULL };
#define EXACT "-o", "APT::Cmd::Pattern-Only=true"
    /* An explicit version is what the operator wants, older or not. */
    const char *const install_version[] = { EXACT, "-q", "-y", "--allow-downgrades", "install", pkg, NULL };
    const char *const install_plain[] = { EXACT, "-q", "-y", "install", pkg, NULL };
    const char *const *install = strchr(spec, '=') ? install_version : install_plain;
    const char *const upgrade[] = { EXACT, "-q", "-y", "install", "--only-upgrade", pkg, NULL };
    const char *const remove[] = { EXACT, "-q", "-y", "remove", pkg, NULL };
#undef EXACT
    static const char *const env[] = { "DEBIAN_FRONTEND=noninteractive", NULL };
    int rc;
    switch (type) {
    case OPT_PKG_INSTALL: rc = add_apt(p, update) | add_apt(p, install); break;
    case OPT_PKG_UPDATE:  rc = add_apt(p, update) | add_apt(p, upgrade); break;
    case OPT_PKG_REMOVE:  rc = add_apt(p, remove); break;
    default: return SNMP_ERR_WRONGVALUE;
    }
    p->timeout_s = OP_TIMEOUT_PKG_S;
    if (rc != 0 || op_plan_set_env(p, env) < 0)
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    return SNMP_ERR_NOERROR;
}
