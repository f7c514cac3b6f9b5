/* A node's poll PDU both ways (see node_poll_pdu.h). */
#include "node_poll_pdu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP_REPS 8

static const oid node_base[] = { LAMON_NODE };
static const oid app_entry[] = { LAMON_APP_ENTRY };

/* The node scalars read every poll, in PDU order. */
static const int node_cols[] = { LN_NAME, LN_STATE, LN_ROLE, LN_SERVICE, LN_UPTIME, LN_LOAD1, LN_LOAD5,
                                 LN_LOAD15, LN_CPU, LN_MEMTOTAL, LN_MEMAVAIL, LN_CONNS, LN_SYNRECV,
                                 LN_HEARTBEAT, LN_KRUNNING, LN_KNEXT, LN_VERSION };
#define NNODE_COLS (sizeof node_cols / sizeof node_cols[0])
static const int app_cols[] = { LA_OPER, LA_ADMIN, LA_ESTAB, LA_SYNRECV };
#define NAPP_COLS (sizeof app_cols / sizeof app_cols[0])

/* A numeric value as SNMP carries it: 32 bits, never negative (a negative
 * INTEGER or another type reads as 0). */
unsigned long pdu_uint(const netsnmp_variable_list *v)
{
    switch (v->type) {
    case ASN_INTEGER: case ASN_GAUGE: case ASN_COUNTER: case ASN_TIMETICKS: case ASN_UINTEGER:
        break;
    default:
        return 0;
    }
    if (!v->val.integer || v->val_len < sizeof(long))
        return 0;
    long x = *v->val.integer;
    if (x < 0)
        return 0;
    return (unsigned long)x > 0xffffffffUL ? 0xffffffffUL : (unsigned long)x;
}

/* An enumerated value: LO..HI, else 0 (not reported). */
static int vb_enum(const netsnmp_variable_list *v, int lo, int hi)
{
    unsigned long x = pdu_uint(v);
    return x >= (unsigned long)lo && x <= (unsigned long)hi ? (int)x : 0;
}

/* A DisplayString, printable ASCII only: anything else becomes '?', so
 * that no agent can put a line break or an escape into the log. */
static void vb_str(const netsnmp_variable_list *v, char *dst, size_t len)
{
    size_t n = 0;
    if (v->type == ASN_OCTET_STR && v->val.string)
        n = v->val_len < len - 1 ? v->val_len : len - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = v->val.string[i];
        dst[i] = c >= 32 && c <= 126 ? (char)c : '?';
    }
    dst[n] = '\0';
}

/* Is V column COL of the app table?  Then *name gets the IMPLIED index. */
static bool app_column(const netsnmp_variable_list *v, int col, char *name, size_t len)
{
    size_t base = LAMON_APP_ENTRY_LEN;
    if (v->type == SNMP_ENDOFMIBVIEW || v->name_length <= base + 1 ||
        snmp_oid_compare(v->name, base, app_entry, base) != 0 || v->name[base] != (oid)col)
        return false;
    return lamon_app_index_decode(v->name + base + 1, v->name_length - base - 1, name, len) != 0;
}

netsnmp_pdu *node_poll_request(const char *after_app)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
    if (!pdu)
        return NULL;
    oid o[MAX_OID_LEN];
    if (!after_app) {
        pdu->non_repeaters = (long)NNODE_COLS;
        for (size_t i = 0; i < NNODE_COLS; i++) {
            memcpy(o, node_base, sizeof node_base);
            o[LAMON_NODE_LEN] = (oid)node_cols[i];
            snmp_add_null_var(pdu, o, LAMON_NODE_LEN + 1);
        }
    } else {
        pdu->non_repeaters = 0;
    }
    pdu->max_repetitions = APP_REPS;
    for (size_t i = 0; i < NAPP_COLS; i++) {
        size_t len = LAMON_APP_ENTRY_LEN + 1;
        memcpy(o, app_entry, sizeof app_entry);
        o[LAMON_APP_ENTRY_LEN] = (oid)app_cols[i];
        len += lamon_app_index_encode(after_app ? after_app : "", o + len, MAX_OID_LEN - len);
        snmp_add_null_var(pdu, o, len);
    }
    return pdu;
}

int node_poll_apply(struct node_sample *sample, const netsnmp_pdu *pdu, char *after, size_t afterlen,
                          size_t *nvb)
{
    *nvb = 0;
    if (!pdu || pdu->command != SNMP_MSG_RESPONSE || pdu->errstat != SNMP_ERR_NOERROR)
        return POLL_BAD;
    /* Filled in a copy: a page that fails changes nothing. */
    struct node_sample *s = malloc(sizeof *s);
    if (!s)
        return POLL_BAD;
    *s = *sample;
    const netsnmp_variable_list *v = pdu->variables;
    bool first = !s->name[0];       /* continuations follow a named first page */
    for (const netsnmp_variable_list *x = v; x; x = x->next_variable)
        (*nvb)++;
    /* The non-repeaters come first when this is the first PDU of the poll. */
    if (first) {
        for (size_t i = 0; i < NNODE_COLS && v; i++, v = v->next_variable) {
            /* lamonNodeX.0: the scalar's column and instance 0 */
            if (v->name_length != LAMON_NODE_LEN + 2 ||
                snmp_oid_compare(v->name, LAMON_NODE_LEN, node_base, LAMON_NODE_LEN) != 0 ||
                v->name[LAMON_NODE_LEN] != (oid)node_cols[i] || v->name[LAMON_NODE_LEN + 1] != 0)
                continue;                /* the agent lacks this object */
            switch (node_cols[i]) {
            case LN_NAME: vb_str(v, s->name, sizeof s->name); break;
            case LN_STATE: s->state = vb_enum(v, NSTATE_BOOTING, NSTATE_STOPPING); break;
            case LN_ROLE: s->role = vb_enum(v, ROLE_UNASSIGNED, ROLE_DIRECTOR); break;
            case LN_SERVICE: vb_str(v, s->service, sizeof s->service); break;
            case LN_UPTIME: s->uptime = pdu_uint(v); break;
            case LN_LOAD1: s->load1 = (unsigned)pdu_uint(v); break;
            case LN_LOAD5: s->load5 = (unsigned)pdu_uint(v); break;
            case LN_LOAD15: s->load15 = (unsigned)pdu_uint(v); break;
            case LN_CPU: s->cpu = pdu_uint(v) > 10000 ? 10000 : (unsigned)pdu_uint(v); break;
            case LN_MEMTOTAL: s->memtotal = pdu_uint(v); break;
            case LN_MEMAVAIL: s->memavail = pdu_uint(v); break;
            case LN_CONNS: s->conns = (unsigned)pdu_uint(v); break;
            case LN_SYNRECV: s->synrecv = (unsigned)pdu_uint(v); break;
            case LN_HEARTBEAT: s->heartbeat_ms = (unsigned)pdu_uint(v); break;
            case LN_KRUNNING: vb_str(v, s->kernel, sizeof s->kernel); break;
            case LN_KNEXT: vb_str(v, s->kernel_next, sizeof s->kernel_next); break;
            case LN_VERSION: vb_str(v, s->version, sizeof s->version); break;
            default: break;
            }
        }
        if (!s->name[0]) {               /* no LAMON-MIB behind this snmpd */
            free(s);
            return POLL_BAD;
        }
    }
    /* Repeaters: rows of NAPP_COLS varbinds. */
    size_t rows = 0;
    bool more = true;
    char last[CTL_NAME_MAX + 1] = "";
    while (v && more) {
        char name[CTL_NAME_MAX + 1];
        struct app_sample a;
        memset(&a, 0, sizeof a);
        for (size_t c = 0; c < NAPP_COLS; c++, v = v ? v->next_variable : NULL) {
            if (!v || !app_column(v, app_cols[c], name, sizeof name)) {
                more = false;
                continue;
            }
            switch (app_cols[c]) {
            case LA_OPER: a.oper = vb_enum(v, APP_UP, APP_STOPPING); break;
            case LA_ADMIN: a.admin = vb_enum(v, APP_ADMIN_UP, APP_ADMIN_RESTART); break;
            case LA_ESTAB: a.estab = (unsigned)pdu_uint(v); break;
            case LA_SYNRECV: a.synrecv = (unsigned)pdu_uint(v); break;
            default: break;
            }
        }
        if (!more)
            break;
        rows++;
        memcpy(a.name, name, sizeof a.name);
        memcpy(last, name, sizeof last);
        if (s->napps < CL_MAX_APPS)
            s->apps[s->napps++] = a;
        else
            more = false;
    }
    *sample = *s;
    free(s);
    if (more && rows == APP_REPS && afterlen > 0) {
        /* A full page: there may be more applications. */
        snprintf(after, afterlen, "%s", last);
        return POLL_MORE;
    }
    return POLL_DONE;
}
