/* A received notification PDU into struct lamon_notification (see notif_pdu.h). */
#include "notif_pdu.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

static const oid sysuptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid notifs_oid[] = { LAMON_NOTIFS };
static const oid root_oid[] = { LAMON_ROOT };
static const oid node_oid[] = { LAMON_NODE };
static const oid app_entry_oid[] = { LAMON_APP_ENTRY };
static const oid op_entry_oid[] = { LAMON_OP_ENTRY };

#define NOTIFS_LEN (LAMON_ROOT_LEN + 1)

static const char *const type_names[NT_COUNT] = {
    [NT_OTHER] = "other",
    [NT_NODE_STARTED] = "lamonNodeStarted",
    [NT_NODE_STATE_CHANGE] = "lamonNodeStateChange",
    [NT_APP_STATE_CHANGE] = "lamonAppStateChange",
    [NT_OP_COMPLETED] = "lamonOpCompleted",
    [NT_NODE_HEARTBEAT] = "lamonNodeHeartbeat",
};

static const char *const refusal_names[NREF_COUNT] = {
    [NREF_NONE] = "none",
    [NREF_SOURCE] = "source",
    [NREF_COMMUNITY] = "community",
    [NREF_USER] = "user",
    [NREF_AUTH] = "auth",
    [NREF_PRIV] = "priv",
    [NREF_SECLEVEL] = "seclevel",
    [NREF_TIME_WINDOW] = "time_window",
    [NREF_VERSION] = "version",
    [NREF_PDU_TYPE] = "pdu_type",
    [NREF_V3_TRAP] = "v3_trap",
    [NREF_MALFORMED] = "malformed",
    [NREF_NOT_LAMON] = "not_lamon",
};

const char *notif_type_name(enum notif_type t)
{
    return (unsigned)t < NT_COUNT ? type_names[t] : "other";
}

const char *notif_refusal_name(enum notif_refusal r)
{
    return (unsigned)r < NREF_COUNT ? refusal_names[r] : "?";
}

/* Whether V's name is PREFIX plus at least one more sub-identifier. */
static bool under(const netsnmp_variable_list *v, const oid *prefix, size_t len)
{
    return v->name_length > len && snmp_oidtree_compare(prefix, len, v->name, v->name_length) == 0;
}

static bool is(const netsnmp_variable_list *v, const oid *o, size_t len)
{
    return snmp_oid_compare(v->name, v->name_length, o, len) == 0;
}

/* An OCTET STRING of printable ASCII, at most MAX characters, into DST. */
static bool text(const netsnmp_variable_list *v, char *dst, size_t max, bool nonempty)
{
    if (v->type != ASN_OCTET_STR || v->val_len > max || (nonempty && v->val_len == 0) ||
        (v->val_len && !v->val.string))
        return false;
    for (size_t i = 0; i < v->val_len; i++)
        if (v->val.string[i] < 32 || v->val.string[i] > 126)
            return false;
    memcpy(dst, v->val.string, v->val_len);
    dst[v->val_len] = '\0';
    return true;
}

/* An INTEGER from LO to HI. */
static bool integer(const netsnmp_variable_list *v, long lo, long hi, long *out)
{
    if (v->type != ASN_INTEGER || !v->val.integer || v->val_len < sizeof(long))
        return false;
    long x = *v->val.integer;
    if (x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

static bool gauge(const netsnmp_variable_list *v, unsigned long *out)
{
    if ((v->type != ASN_GAUGE && v->type != ASN_UNSIGNED) || !v->val.integer || v->val_len < sizeof(long))
        return false;
    *out = (unsigned long)*v->val.integer & 0xffffffffUL;
    return true;
}

/* lamonNode.COL.0 */
static bool node_scalar(const netsnmp_variable_list *v, struct lamon_notification *n)
{
    if (v->name_length != LAMON_NODE_LEN + 2 || v->name[LAMON_NODE_LEN + 1] != 0)
        return true;                 /* not an instance LAMON-MIB defines: ignored */
    long x;
    switch (v->name[LAMON_NODE_LEN]) {
    case LN_NAME: return text(v, n->node, NOTIF_TEXT_MAX, true);
    case LN_STATE: return integer(v, NSTATE_BOOTING, NSTATE_STOPPING, &x) && (n->state = (int)x, true);
    case LN_ROLE: return integer(v, ROLE_UNASSIGNED, ROLE_DIRECTOR, &x) && (n->role = (int)x, true);
    case LN_SERVICE: return text(v, n->service, NOTIF_TEXT_MAX, false);
    case LN_LOAD1: return gauge(v, &n->load1) && (n->have_load1 = true);
    case LN_CONNS: return gauge(v, &n->conns) && (n->have_conns = true);
    case LN_KRUNNING: return text(v, n->kernel, NOTIF_TEXT_MAX, false);
    case LN_HEARTBEAT: {
        unsigned long ms;
        if (!gauge(v, &ms) || (ms != 0 && (ms < 100 || ms > 3600000)))
            return false;
        n->heartbeat_ms = (unsigned)ms;
        return true;
    }
    case LN_BOOTTIME:                /* DateAndTime: 8 or 11 octets; not kept */
        return v->type == ASN_OCTET_STR && (v->val_len == 8 || v->val_len == 11);
    default: return true;
    }
}

/* lamonAppEntry.COL.<name>: every application varbind names the same row. */
static bool app_column(const netsnmp_variable_list *v, struct lamon_notification *n)
{
    char name[NOTIF_TEXT_MAX + 1], label[NOTIF_TEXT_MAX + 1];
    size_t idx = LAMON_APP_ENTRY_LEN + 1;
    if (v->name_length <= idx ||
        lamon_app_index_decode(v->name + idx, v->name_length - idx, name, sizeof name) == 0)
        return false;
    if (n->app[0] && strcmp(n->app, name) != 0)
        return false;
    long x;
    switch (v->name[LAMON_APP_ENTRY_LEN]) {
    case LA_LABEL:
        if (!text(v, label, NOTIF_TEXT_MAX, true) || strcmp(label, name) != 0)
            return false;
        break;
    case LA_OPER:
        if (!integer(v, APP_UP, APP_STOPPING, &x))
            return false;
        n->app_oper = (int)x;
        break;
    default:
        return true;                 /* a column no notification carries: ignored */
    }
    memcpy(n->app, name, sizeof name);
    return true;
}

/* lamonOpEntry.COL.<index>: every operation varbind names the same row. */
static bool op_column(const netsnmp_variable_list *v, struct lamon_notification *n)
{
    unsigned index;
    size_t idx = LAMON_OP_ENTRY_LEN + 1;
    if (v->name_length <= idx || lamon_op_index_decode(v->name + idx, v->name_length - idx, &index) == 0 ||
        idx + 1 != v->name_length)
        return false;
    if (n->op_index && n->op_index != index)
        return false;
    long x;
    switch (v->name[LAMON_OP_ENTRY_LEN]) {
    case LO_TYPE:
        if (!integer(v, OPT_APP_START, OPT_PKG_REMOVE, &x))
            return false;
        n->op_type = (int)x;
        break;
    case LO_ARG:
        if (!text(v, n->op_arg, NOTIF_ARG_MAX, false))
            return false;
        break;
    case LO_STATUS:
        if (!integer(v, 1, 4, &x))
            return false;
        n->op_status = (int)x;
        break;
    case LO_EXIT:
        if (!integer(v, INT32_MIN, INT32_MAX, &n->op_exit))
            return false;
        break;
    default:
        return true;
    }
    n->op_index = index;
    return true;
}

enum notif_refusal notif_pdu_parse(const netsnmp_pdu *pdu, struct lamon_notification *n)
{
    if (pdu->command != SNMP_MSG_TRAP2 && pdu->command != SNMP_MSG_INFORM)
        return NREF_PDU_TYPE;
    /* RFC 3416 4.2.6/4.2.7: sysUpTime.0, then snmpTrapOID.0, then the rest. */
    const netsnmp_variable_list *v = pdu->variables;
    if (!v || !is(v, sysuptime_oid, OID_LENGTH(sysuptime_oid)) || v->type != ASN_TIMETICKS || !v->val.integer ||
        v->val_len < sizeof(long))
        return NREF_MALFORMED;
    unsigned long uptime = (unsigned long)*v->val.integer & 0xffffffffUL;
    v = v->next_variable;
    if (!v || !is(v, snmptrap_oid, OID_LENGTH(snmptrap_oid)) || v->type != ASN_OBJECT_ID || !v->val.objid)
        return NREF_MALFORMED;
    size_t tlen = v->val_len / sizeof(oid);
    if (tlen != NOTIFS_LEN + 1 || snmp_oidtree_compare(notifs_oid, NOTIFS_LEN, v->val.objid, tlen) != 0 ||
        v->val.objid[NOTIFS_LEN] == 0 || v->val.objid[NOTIFS_LEN] > 0xffffffffUL)
        return NREF_NOT_LAMON;

    struct lamon_notification t;
    memset(&t, 0, sizeof t);
    t.trap = (unsigned long)v->val.objid[NOTIFS_LEN];
    t.type = t.trap < NT_COUNT ? (enum notif_type)t.trap : NT_OTHER;
    t.uptime = uptime;
    t.inform = pdu->command == SNMP_MSG_INFORM;
    t.nvars = 2;
    for (v = v->next_variable; v; v = v->next_variable) {
        if (++t.nvars > NOTIF_VARS_MAX)
            return NREF_MALFORMED;
        bool good = true;
        if (!under(v, root_oid, LAMON_ROOT_LEN))
            continue;                /* another MIB's object (snmpTrapEnterprise...): ignored */
        if (under(v, node_oid, LAMON_NODE_LEN))
            good = node_scalar(v, &t);
        else if (under(v, app_entry_oid, LAMON_APP_ENTRY_LEN))
            good = app_column(v, &t);
        else if (under(v, op_entry_oid, LAMON_OP_ENTRY_LEN))
            good = op_column(v, &t);
        if (!good)
            return NREF_MALFORMED;
    }
    if (!t.node[0])
        return NREF_MALFORMED;       /* every LAMON-MIB notification names its node */
    if (t.type == NT_NODE_HEARTBEAT && !t.heartbeat_ms)
        return NREF_MALFORMED;       /* a heartbeat says when the next is due */
    /* Keep what the receiver set. */
    t.source = n->source;
    t.version = n->version;
    memcpy(t.user, n->user, sizeof t.user);
    memcpy(t.community, n->community, sizeof t.community);
    *n = t;
    explicit_bzero(&t, sizeof t);
    return NREF_NONE;
}
