/* lamonVsTable / lamonDestTable: registration and the handler; see
 * ipvs_mib.h.  Reads: ipvs_get.c over ipvs_cache.c; writes: ipvs_set.c and
 * ipvs_txn.c. */
#include "ipvs_mib.h"

#include "agent_config.h"
#include "ipvs_cache.h"
#include "ipvs_get.h"
#include "ipvs_set.h"

static const oid ipvs_oid[] = { LAMON_IPVS };

int ipvs_mib_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reginfo,
                     netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)h, (void)reginfo;
    switch (reqinfo->mode) {
    case MODE_GET:
    case MODE_GETNEXT:
        ipvs_cache_refresh(0);
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            if (r->processed)
                continue;
            if (reqinfo->mode == MODE_GET)
                ipvs_get(r);
            else
                ipvs_getnext(r);
        }
        break;
    case MODE_SET_RESERVE1:
    case MODE_SET_RESERVE2:
    case MODE_SET_ACTION:
    case MODE_SET_UNDO:
    case MODE_SET_COMMIT:
    case MODE_SET_FREE:
        ipvs_set(reqinfo, requests);
        break;
    default:
        break;
    }
    return SNMP_ERR_NOERROR;
}

void ipvs_mib_shutdown(void)
{
    ipvs_set_end();
    ipvs_cache_shutdown();
}

static int on_shutdown(int major, int minor, void *server_arg, void *client_arg)
{
    (void)major, (void)minor, (void)server_arg, (void)client_arg;
    ipvs_mib_shutdown();
    return SNMP_ERR_NOERROR;
}

void ipvs_mib_init(void)
{
    const struct agent_config *c = agent_config();
    if (c && c->ipvs == LAMON_OFF) {
        snmp_log(LOG_INFO, "ipvs: off in the configuration; lamonIpvs not registered\n");
        return;
    }
    if (ipvs_cache_open() == 0)
        snmp_log(LOG_INFO, "ipvs: exporting the kernel's IPVS table\n");
    netsnmp_handler_registration *r = netsnmp_create_handler_registration(
        "lamonIpvs", ipvs_mib_handler, ipvs_oid, OID_LENGTH(ipvs_oid), HANDLER_CAN_RWRITE);
    if (!r || netsnmp_register_handler(r) != MIB_REGISTERED_OK) {
        snmp_log(LOG_ERR, "ipvs: cannot register lamonVsTable/lamonDestTable\n");
        return;
    }
    /* snmp_shutdown() at exit: createAndWait rows and the snapshot go. */
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SHUTDOWN, on_shutdown, NULL);
}
