/* libFuzzer target: the notification receiver's reading of an accepted
 * PDU (notif_pdu_parse, controller/notif_pdu.c), the function every
 * authenticated notification goes through.  The input becomes a
 * netsnmp_pdu as the library hands it over: a TRAP2, INFORM or another
 * command; sysUpTime.0 and snmpTrapOID.0 first or not, of the right types
 * or not; a trap OID in LAMON-MIB's notifications, near them or
 * elsewhere; then varbinds at, near or far from the objects LAMON-MIB's
 * notifications carry (node scalars, application columns with their
 * IMPLIED name index, operation columns with their index), of any ASN
 * type and length, in any number and order.
 *
 * Oracles, besides ASan/UBSan and leaks: anything accepted is a TRAP2 or
 * an INFORM whose trap OID is lamonNotifications.N (N > 0, the type
 * matching N), names its node, and keeps every field within its bounds
 * (printable strings within their LAMON-MIB sizes, enumerations in
 * range); what the receiver set (source, version, user, community)
 * survives; a refusal is one of the three reasons the parser gives and
 * leaves the struct as it was; the same PDU gets the same verdict twice.
 *
 * Input: a header byte (command, first-varbind mutations), then varbinds:
 * a selector byte, its OID bytes, a type byte, a length byte, the value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../controller/notif_pdu.h"

struct in {
    const uint8_t *p;
    size_t left;
};

static uint8_t byte(struct in *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

static const int types[] = {
    ASN_INTEGER, ASN_OCTET_STR, ASN_GAUGE, ASN_COUNTER, ASN_TIMETICKS, ASN_UINTEGER, ASN_NULL,
    ASN_OBJECT_ID, ASN_IPADDRESS, ASN_COUNTER64, ASN_OPAQUE, SNMP_NOSUCHOBJECT, ASN_INTEGER, ASN_OCTET_STR,
};

static const oid sysuptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid snmptrap[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid root[] = { LAMON_ROOT };
static const oid notifs[] = { LAMON_NOTIFS };
static const oid node_base[] = { LAMON_NODE };
static const oid app_entry[] = { LAMON_APP_ENTRY };
static const oid op_entry[] = { LAMON_OP_ENTRY };

static size_t put(oid *o, const oid *src, size_t n)
{
    memcpy(o, src, n * sizeof(oid));
    return n;
}

static size_t fuzz_oid(struct in *in, uint8_t sel, oid *o)
{
    size_t len = 0;
    switch (sel % 6) {
    case 0:                                  /* a node scalar, maybe the wrong instance */
        len = put(o, node_base, LAMON_NODE_LEN);
        o[len++] = byte(in) % 20;
        if (byte(in) != 255)
            o[len++] = sel & 8 ? byte(in) : 0;
        break;
    case 1: {                                /* an application column and its name */
        len = put(o, app_entry, LAMON_APP_ENTRY_LEN);
        o[len++] = byte(in) % 10;
        size_t n = byte(in) % 72;
        for (size_t i = 0; i < n && len < MAX_OID_LEN; i++)
            o[len++] = sel & 8 ? byte(in) : 'a' + byte(in) % 26;
        break;
    }
    case 2: {                                /* an operation column and index */
        len = put(o, op_entry, LAMON_OP_ENTRY_LEN);
        o[len++] = byte(in) % 11;
        size_t n = byte(in) % 3;
        for (size_t i = 0; i < n; i++)
            o[len++] = sel & 8 ? (oid)byte(in) << 24 : byte(in);
        break;
    }
    case 3: {                                /* anything under the LAMON root */
        len = put(o, root, LAMON_ROOT_LEN);
        size_t n = byte(in) % 24;
        for (size_t i = 0; i < n && len < MAX_OID_LEN; i++)
            o[len++] = byte(in);
        break;
    }
    case 4:                                  /* the two fixed ones, again */
        len = sel & 8 ? put(o, sysuptime, OID_LENGTH(sysuptime)) : put(o, snmptrap, OID_LENGTH(snmptrap));
        break;
    default: {                               /* elsewhere */
        size_t n = 1 + byte(in) % 16;
        for (size_t i = 0; i < n; i++)
            o[len++] = byte(in);
        break;
    }
    }
    if (len == 0)
        o[len++] = 0;
    return len;
}

static void add_value(netsnmp_pdu *pdu, const oid *o, size_t olen, int type, const uint8_t *val, size_t vlen)
{
    switch (type) {
    case ASN_INTEGER: case ASN_GAUGE: case ASN_COUNTER: case ASN_TIMETICKS: case ASN_UINTEGER: {
        long v = 0;
        memcpy(&v, val, vlen < sizeof v ? vlen : sizeof v);
        if (vlen == 1)
            v = (long)(int8_t)val[0];        /* small values, negative ones too */
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, &v, sizeof v);
        break;
    }
    case ASN_COUNTER64: {
        struct counter64 c = { 0, 0 };
        memcpy(&c, val, vlen < sizeof c ? vlen : sizeof c);
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, &c, sizeof c);
        break;
    }
    case ASN_OBJECT_ID: {
        /* Mostly a trap OID: lamonNotifications.N, or close to it. */
        oid v[MAX_OID_LEN];
        size_t n = put(v, notifs, LAMON_ROOT_LEN + 1);
        size_t extra = vlen < MAX_OID_LEN - n ? vlen : MAX_OID_LEN - n;
        if (vlen && (val[0] & 0xc0) == 0xc0) {
            n = 0;                           /* or anything */
            extra = vlen < MAX_OID_LEN ? vlen : MAX_OID_LEN;
        } else if (vlen && (val[0] & 0xc0) == 0x80) {
            n -= val[0] % (LAMON_ROOT_LEN + 1); /* a shorter prefix */
        }
        for (size_t i = 0; i < extra; i++)
            v[n++] = i == 0 && vlen > 4 ? ((oid)val[1] << 24 | (oid)val[2] << 16 | val[3]) : val[i];
        if (n < 2) {
            v[0] = 1;
            v[1] = 3;
            n = 2;
        }
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, v, n * sizeof(oid));
        break;
    }
    case ASN_IPADDRESS: {
        uint8_t a[4] = { 0 };
        memcpy(a, val, vlen < 4 ? vlen : 4);
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, a, 4);
        break;
    }
    case ASN_NULL: case SNMP_NOSUCHOBJECT:
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, NULL, 0);
        break;
    default:                                 /* strings of any bytes */
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, val, vlen);
        break;
    }
}

static void add_varbind(netsnmp_pdu *pdu, struct in *in)
{
    oid o[MAX_OID_LEN];
    uint8_t sel = byte(in);
    size_t olen = fuzz_oid(in, sel, o);
    int type = types[byte(in) % (sizeof types / sizeof types[0])];
    size_t vlen = byte(in);
    if (vlen > in->left)
        vlen = in->left;
    const uint8_t *val = in->p;
    in->p += vlen;
    in->left -= vlen;
    add_value(pdu, o, olen, type, val, vlen);
}

static void text_ok(const char *s, size_t cap, bool nonempty)
{
    size_t n = strnlen(s, cap);
    if (n == cap || (nonempty && n == 0))
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 32 || (unsigned char)s[i] > 126)
            abort();
}

static void check_accepted(const netsnmp_pdu *pdu, const struct lamon_notification *n)
{
    if (pdu->command != SNMP_MSG_TRAP2 && pdu->command != SNMP_MSG_INFORM)
        abort();
    if (n->inform != (pdu->command == SNMP_MSG_INFORM))
        abort();
    /* The trap OID really is lamonNotifications.N. */
    const netsnmp_variable_list *t = pdu->variables ? pdu->variables->next_variable : NULL;
    if (!t || t->type != ASN_OBJECT_ID || t->val_len != (LAMON_ROOT_LEN + 2) * sizeof(oid) ||
        snmp_oidtree_compare(notifs, LAMON_ROOT_LEN + 1, t->val.objid, LAMON_ROOT_LEN + 2) != 0 ||
        t->val.objid[LAMON_ROOT_LEN + 1] != n->trap)
        abort();
    if (n->trap == 0 || n->trap > 0xffffffffUL)
        abort();
    if ((n->trap < NT_COUNT) != (n->type != NT_OTHER) || (n->type != NT_OTHER && (unsigned long)n->type != n->trap))
        abort();
    text_ok(n->node, sizeof n->node, true);
    text_ok(n->service, sizeof n->service, false);
    text_ok(n->kernel, sizeof n->kernel, false);
    text_ok(n->app, sizeof n->app, false);
    text_ok(n->op_arg, sizeof n->op_arg, false);
    if (n->state < 0 || n->state > NSTATE_STOPPING || n->role < 0 || n->role > ROLE_DIRECTOR)
        abort();
    if (n->app_oper < 0 || n->app_oper > APP_STOPPING || (n->app_oper && !n->app[0]))
        abort();
    if (n->op_type < 0 || n->op_type > OPT_PKG_REMOVE || n->op_status < 0 || n->op_status > 4)
        abort();
    if ((n->op_type || n->op_status) && !n->op_index)
        abort();
    if (n->op_exit < INT32_MIN || n->op_exit > INT32_MAX || n->uptime > 0xffffffffUL || n->load1 > 0xffffffffUL ||
        n->conns > 0xffffffffUL || n->nvars > NOTIF_VARS_MAX ||
        (n->heartbeat_ms && (n->heartbeat_ms < 100 || n->heartbeat_ms > 3600000)) ||
        (n->type == NT_NODE_HEARTBEAT && !n->heartbeat_ms))
        abort();
    if (n->user[0] != 'u' || n->version != SNMP_VERSION_3 || n->source.ss_family != AF_INET ||
        strcmp(n->community, "comm") != 0)
        abort();                             /* what the receiver set survives */
}

/* Field by field: a struct copy need not copy padding. */
static bool same(const struct lamon_notification *a, const struct lamon_notification *b)
{
    return a->source.ss_family == b->source.ss_family && a->version == b->version && a->inform == b->inform &&
           !strcmp(a->user, b->user) && !strcmp(a->community, b->community) && a->type == b->type && a->trap == b->trap && a->uptime == b->uptime &&
           !strcmp(a->node, b->node) && a->state == b->state && a->role == b->role &&
           !strcmp(a->service, b->service) && a->have_load1 == b->have_load1 && a->have_conns == b->have_conns &&
           a->load1 == b->load1 && a->conns == b->conns && a->heartbeat_ms == b->heartbeat_ms && !strcmp(a->kernel, b->kernel) &&
           !strcmp(a->app, b->app) && a->app_oper == b->app_oper && a->op_index == b->op_index &&
           a->op_type == b->op_type && a->op_status == b->op_status && a->op_exit == b->op_exit &&
           !strcmp(a->op_arg, b->op_arg) && a->nvars == b->nvars;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int commands[] = { SNMP_MSG_TRAP2, SNMP_MSG_INFORM, SNMP_MSG_TRAP2, SNMP_MSG_INFORM,
                                    SNMP_MSG_GET, SNMP_MSG_RESPONSE, SNMP_MSG_REPORT, SNMP_MSG_SET };
    struct in in = { data, size };
    uint8_t head = byte(&in);
    netsnmp_pdu *pdu = snmp_pdu_create(commands[head % 8]);
    if (!pdu)
        return 0;
    if (!(head & 0x10)) {                   /* the usual start, so that the rest is reached */
        long up = (long)byte(&in) << 8;
        snmp_pdu_add_variable(pdu, sysuptime, OID_LENGTH(sysuptime), head & 0x20 ? ASN_INTEGER : ASN_TIMETICKS,
                              &up, sizeof up);
        oid trap[LAMON_ROOT_LEN + 3];
        size_t n = put(trap, notifs, LAMON_ROOT_LEN + 1);
        trap[n++] = byte(&in) % 6;
        if (head & 0x40)
            trap[n++] = byte(&in);
        snmp_pdu_add_variable(pdu, snmptrap, OID_LENGTH(snmptrap), ASN_OBJECT_ID, trap, n * sizeof(oid));
    }
    for (int i = 0; i < 100 && in.left; i++)
        add_varbind(pdu, &in);

    struct lamon_notification *n = calloc(2, sizeof *n);
    if (!n) {
        snmp_free_pdu(pdu);
        return 0;
    }
    n[0].version = SNMP_VERSION_3;
    n[0].source.ss_family = AF_INET;
    memcpy(n[0].user, "user", 5);
    memcpy(n[0].community, "comm", 5);
    n[1] = n[0];
    enum notif_refusal r = notif_pdu_parse(pdu, &n[0]);
    if (r == NREF_NONE)
        check_accepted(pdu, &n[0]);
    else if (r != NREF_PDU_TYPE && r != NREF_MALFORMED && r != NREF_NOT_LAMON)
        abort();
    else if (!same(&n[0], &n[1]))
        abort();                             /* a refusal leaves the struct alone */
    struct lamon_notification again = n[1];
    if (notif_pdu_parse(pdu, &again) != r || (r == NREF_NONE && !same(&again, &n[0])))
        abort();                             /* the same verdict twice */
    free(n);
    snmp_free_pdu(pdu);
    return 0;
}
