/* apt-get argv arrays for package operations; see pkg_apt.h. */
#include "pkg_apt.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"
#include "validate.h"

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
    static const char *const update[] = { "-q", "update", NULL };
    /* An explicit version is what the operator wants, older or not. */
    const char *const install_version[] = { "-q", "-y", "--allow-downgrades", "install", spec, NULL };
    const char *const install_plain[] = { "-q", "-y", "install", spec, NULL };
    const char *const *install = strchr(spec, '=') ? install_version : install_plain;
    const char *const upgrade[] = { "-q", "-y", "install", "--only-upgrade", spec, NULL };
    const char *const remove[] = { "-q", "-y", "remove", spec, NULL };
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
