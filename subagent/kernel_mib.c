/* lamonKernelTable over SNMP; see kernel_mib.h. */
#include "kernel_mib.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_grub.h"
#include "lamon_mib.h"
#include "mib_walk.h"
#include "node_mib.h"
#include "op_table.h"
#include "validate.h"

static const oid table_oid[] = { LAMON_KERNEL_TABLE };
static const oid entry_oid[] = { LAMON_KERNEL_ENTRY };
#define ENTRY_LEN OID_LENGTH(entry_oid)

static int row_index(void *ctx, size_t i, oid *idx, size_t *idxlen)
{
    const struct kernel_list *l = ctx;
    if (i >= l->n)
        return 0;
    *idxlen = lamon_kernel_index_encode(l->rel[i], idx, KERNEL_RELEASE_MAX);
    return 1;
}

/* The release named by an instance OID; 0 if it is no valid release. */
static int instance_release(const netsnmp_variable_list *vb, char *out)
{
    if (vb->name_length <= ENTRY_LEN + 1)
        return 0;
    size_t n = lamon_kernel_index_decode(vb->name + ENTRY_LEN + 1, vb->name_length - ENTRY_LEN - 1,
                                         out, KERNEL_RELEASE_MAX + 1);
    return n && validate_kernel_release(out, n) == SNMP_ERR_NOERROR;
}

static void do_get(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *req, int next, const struct kernel_list *l, const char *nextboot)
{
    netsnmp_variable_list *vb = req->requestvb;
    struct mib_walk_hit hit;
    int found = next
        ? mib_walk_next(entry_oid, ENTRY_LEN, LK_LABEL, LK_NEXTBOOT, vb->name, vb->name_length, row_index, (void *)l, &hit)
        : mib_walk_exact(entry_oid, ENTRY_LEN, LK_LABEL, LK_NEXTBOOT, vb->name, vb->name_length, row_index, (void *)l, &hit);
    if (!found) {
        if (!next)
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
        return;
    }
    if (next)
        snmp_set_var_objid(vb, hit.name, hit.namelen);
    const char *rel = l->rel[hit.row];
    long v;
    switch (hit.col) {
    case LK_LABEL:
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, rel, strlen(rel));
        break;
    case LK_RUNNING:
        v = strcmp(rel, kernel_grub_running()) == 0 ? TV_TRUE : TV_FALSE;
        snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v);
        break;
    default:
        v = strcmp(rel, nextboot) == 0 ? TV_TRUE : TV_FALSE;
        snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v);
        break;
    }
}

int kernel_mib_check_next_boot(const char *rel, long v)
{
    if (validate_truth_value(v) != SNMP_ERR_NOERROR || v == TV_FALSE)
        return SNMP_ERR_WRONGVALUE;   /* false: choose another kernel instead */
    if (validate_kernel_release(rel, strlen(rel)) != SNMP_ERR_NOERROR || !kernel_grub_exists(rel))
        return SNMP_ERR_NOCREATION;
    return SNMP_ERR_NOERROR;
}

static int reserve1(const netsnmp_variable_list *vb)
{
    if (vb->name_length <= ENTRY_LEN + 1 || snmp_oid_compare(vb->name, ENTRY_LEN, entry_oid, ENTRY_LEN) != 0)
        return SNMP_ERR_NOCREATION;
    oid col = vb->name[ENTRY_LEN];
    if (col == LK_LABEL || col == LK_RUNNING)
        return SNMP_ERR_NOTWRITABLE;
    if (col != LK_NEXTBOOT)
        return SNMP_ERR_NOCREATION;
    if (vb->type != ASN_INTEGER)
        return SNMP_ERR_WRONGTYPE;
    char rel[KERNEL_RELEASE_MAX + 1];
    if (!instance_release(vb, rel))
        rel[0] = '\0';   /* noCreation, once the value itself passed */
    return kernel_mib_check_next_boot(rel, *vb->val.integer);
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reginfo,
                   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)h, (void)reginfo;
    char rel[KERNEL_RELEASE_MAX + 1];
    switch (reqinfo->mode) {
    case MODE_GET:
    case MODE_GETNEXT: {
        struct kernel_list *l = malloc(sizeof *l);
        if (!l)
            return SNMP_ERR_GENERR;
        char nextboot[KERNEL_RELEASE_MAX + 1];
        kernel_grub_read(l, nextboot, sizeof nextboot);
        /* keeps lamonNodeKernelNext right after grub-set-default by hand */
        node_mib_set_kernel_next(nextboot);
        for (netsnmp_request_info *r = requests; r; r = r->next)
            if (!r->processed)
                do_get(reqinfo, r, reqinfo->mode == MODE_GETNEXT, l, nextboot);
        free(l);
        break;
    }
    case MODE_SET_RESERVE1:
        op_table_request_begin(reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0);
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            int rc = reserve1(r->requestvb);
            if (rc != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, r, rc);
        }
        break;
    case MODE_SET_RESERVE2:
        /* Claims the boot loader for this request: a second next-boot
         * write or a kernelSelect row in it is refused. */
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            if (!instance_release(r->requestvb, rel))
                continue;
            int rc = op_table_reserve(0, OPT_KERNEL_SELECT, rel, strlen(rel));
            if (rc != SNMP_ERR_NOERROR)
                netsnmp_set_request_error(reqinfo, r, rc);
        }
        break;
    case MODE_SET_COMMIT:
        for (netsnmp_request_info *r = requests; r; r = r->next)
            if (instance_release(r->requestvb, rel) &&
                !op_table_submit(0, OPT_KERNEL_SELECT, rel, strlen(rel)))
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_COMMITFAILED);
        break;
    case MODE_SET_FREE:
    case MODE_SET_UNDO:
        op_table_request_end();
        break;
    default:
        break;
    }
    return SNMP_ERR_NOERROR;
}

void kernel_mib_init(void)
{
    netsnmp_handler_registration *r = netsnmp_create_handler_registration(
        "lamonKernelTable", handler, table_oid, OID_LENGTH(table_oid), HANDLER_CAN_RWRITE);
    if (!r || netsnmp_register_handler(r) != MIB_REGISTERED_OK)
        snmp_log(LOG_ERR, "kernel_mib: cannot register lamonKernelTable\n");
    char next[KERNEL_RELEASE_MAX + 1];
    kernel_grub_next(next, sizeof next);
    node_mib_set_kernel_next(next);
}
