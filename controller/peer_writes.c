/* Intents into SNMP SETs (see peer_writes.h). */
#include "peer_writes.h"

#include <stdio.h>
#include <string.h>

static const oid node_base[] = { LAMON_NODE };
static const oid app_entry[] = { LAMON_APP_ENTRY };
static const oid op_entry[] = { LAMON_OP_ENTRY };
static const oid vs_entry[] = { LAMON_VS_ENTRY };
static const oid dest_entry[] = { LAMON_DEST_ENTRY };

static char last_error[256];

const char *peer_writes_error(void) { return last_error; }

bool intent_to_director(const struct intent *it)
{
    return it->kind == INTENT_VS_CREATE || it->kind == INTENT_DEST_ADD || it->kind == INTENT_DEST_WEIGHT ||
           it->kind == INTENT_DEST_REMOVE;
}

/* lamonNodeEntry.COL.0 */
static void add_node_int(netsnmp_pdu *pdu, int col, long v)
{
    oid o[LAMON_NODE_LEN + 2];
    memcpy(o, node_base, sizeof node_base);
    o[LAMON_NODE_LEN] = (oid)col;
    o[LAMON_NODE_LEN + 1] = 0;
    snmp_set_add_int(pdu, o, LAMON_NODE_LEN + 2, v);
}

static void add_node_str(netsnmp_pdu *pdu, int col, const char *s)
{
    oid o[LAMON_NODE_LEN + 2];
    memcpy(o, node_base, sizeof node_base);
    o[LAMON_NODE_LEN] = (oid)col;
    o[LAMON_NODE_LEN + 1] = 0;
    snmp_set_add_str(pdu, o, LAMON_NODE_LEN + 2, s);
}

static void add_app(netsnmp_pdu *pdu, const struct intent *it)
{
    oid o[MAX_OID_LEN];
    size_t len = LAMON_APP_ENTRY_LEN + 1;
    memcpy(o, app_entry, sizeof app_entry);
    o[LAMON_APP_ENTRY_LEN] = LA_ADMIN;
    len += lamon_app_index_encode(it->app, o + len, MAX_OID_LEN - len);
    snmp_set_add_int(pdu, o, len, it->admin);
}

static void add_op(netsnmp_pdu *pdu, const struct intent *it)
{
    oid o[LAMON_OP_ENTRY_LEN + 2];
    memcpy(o, op_entry, sizeof op_entry);
    lamon_op_index_encode(it->op_index, o + LAMON_OP_ENTRY_LEN + 1);
    o[LAMON_OP_ENTRY_LEN] = LO_TYPE;
    snmp_set_add_int(pdu, o, LAMON_OP_ENTRY_LEN + 2, it->op_type);
    if (it->op_arg[0]) {
        o[LAMON_OP_ENTRY_LEN] = LO_ARG;
        snmp_set_add_str(pdu, o, LAMON_OP_ENTRY_LEN + 2, it->op_arg);
    }
    o[LAMON_OP_ENTRY_LEN] = LO_ROWSTATUS;
    snmp_set_add_int(pdu, o, LAMON_OP_ENTRY_LEN + 2, ROWSTATUS_CREATEANDGO);
}

static void add_vs(netsnmp_pdu *pdu, const struct intent *it)
{
    oid o[LAMON_IPVS_ENTRY_LEN + 1 + LAMON_VS_IDX_MAX];
    memcpy(o, vs_entry, sizeof vs_entry);
    size_t len = LAMON_IPVS_ENTRY_LEN + 1 + lamon_vs_index_encode(&it->vs, o + LAMON_IPVS_ENTRY_LEN + 1);
    o[LAMON_IPVS_ENTRY_LEN] = LV_ROWSTATUS;
    snmp_set_add_int(pdu, o, len, ROWSTATUS_CREATEANDGO);
    o[LAMON_IPVS_ENTRY_LEN] = LV_SCHED;
    snmp_set_add_str(pdu, o, len, it->sched);
}

/* The destination's columns, in the order the decisions always sent them. */
static void add_dest(netsnmp_pdu *pdu, const struct intent *it)
{
    oid o[LAMON_IPVS_ENTRY_LEN + 1 + LAMON_DEST_IDX_MAX];
    struct lamon_dest_key d;
    lamon_dest_key_from_sa(&d, &it->dest);
    memcpy(o, dest_entry, sizeof dest_entry);
    size_t len = LAMON_IPVS_ENTRY_LEN + 1 + lamon_dest_index_encode(&it->vs, &d, o + LAMON_IPVS_ENTRY_LEN + 1);
    switch (it->kind) {
    case INTENT_DEST_ADD:
        o[LAMON_IPVS_ENTRY_LEN] = LD_ROWSTATUS;
        snmp_set_add_int(pdu, o, len, ROWSTATUS_CREATEANDGO);
        o[LAMON_IPVS_ENTRY_LEN] = LD_WEIGHT;
        snmp_set_add_int(pdu, o, len, it->weight);
        o[LAMON_IPVS_ENTRY_LEN] = LD_FWD;
        snmp_set_add_int(pdu, o, len, it->fwd);
        break;
    case INTENT_DEST_WEIGHT:
        o[LAMON_IPVS_ENTRY_LEN] = LD_WEIGHT;
        snmp_set_add_int(pdu, o, len, it->weight);
        if (it->set_fwd) {
            o[LAMON_IPVS_ENTRY_LEN] = LD_FWD;
            snmp_set_add_int(pdu, o, len, it->fwd);
        }
        break;
    default:
        o[LAMON_IPVS_ENTRY_LEN] = LD_ROWSTATUS;
        snmp_set_add_int(pdu, o, len, ROWSTATUS_DESTROY);
        break;
    }
}

netsnmp_pdu *peer_writes_pdu(const struct intent *it)
{
    netsnmp_pdu *pdu = snmp_set_pdu();
    if (!pdu)
        return NULL;
    switch (it->kind) {
    case INTENT_NODE_ROLE:
        add_node_int(pdu, LN_ROLE, it->role);
        add_node_str(pdu, LN_SERVICE, it->service);
        if (it->state)
            add_node_int(pdu, LN_STATE, it->state);
        break;
    case INTENT_NODE_STATE: add_node_int(pdu, LN_STATE, it->state); break;
    case INTENT_APP_ADMIN: add_app(pdu, it); break;
    case INTENT_OP_CREATE: add_op(pdu, it); break;
    case INTENT_VS_CREATE: add_vs(pdu, it); break;
    default: add_dest(pdu, it); break;
    }
    return pdu;
}

int peer_writes_send(struct cluster *cl, const struct intent *it, set_result_cb cb, void *ctx)
{
    void **wsess;
    const struct ctl_peer *peer;
    if (intent_to_director(it) ? it->peer >= cl->ndirs : it->peer >= cl->nnodes) {
        snprintf(last_error, sizeof last_error, "no such peer");
        return -1;
    }
    if (intent_to_director(it)) {
        wsess = &cl->dirs[it->peer]->wsess;
        peer = &cl->dirs[it->peer]->peer;
    } else {
        wsess = &cl->nodes[it->peer]->wsess;
        peer = &cl->nodes[it->peer]->peer;
    }
    netsnmp_pdu *pdu = peer_writes_pdu(it);
    if (!pdu) {
        snprintf(last_error, sizeof last_error, "out of memory");
        return -1;
    }
    if (snmp_set_send(cl->cfg, wsess, peer, pdu, it->what, cb, ctx) < 0) {
        snprintf(last_error, sizeof last_error, "%s", snmp_set_error());
        return -1;
    }
    cl->sets_sent++;
    return 0;
}
