/* libFuzzer target: the poller's handling of a node's response PDU
 * (node_poll_apply, controller/node_poll_pdu.c), the function the poller
 * calls on every answer.  The input is turned into a netsnmp_pdu as the
 * library would hand it over: varbinds with OIDs at, near or far from the
 * LAMON-MIB objects the poller asks for (node scalars, application table
 * columns with their IMPLIED name index), any ASN type including the
 * noSuch/endOfMibView exceptions, any length, in any number and order;
 * any error status; a first page or a continuation.
 *
 * Oracles, besides ASan/UBSan and leaks: a PDU with an error status (or
 * no RESPONSE) changes nothing; a page that fails changes nothing; every
 * field of the sample stays within its range (cluster.h); a continuation
 * name is printable; the varbind count is right.
 *
 * Input: 3 header bytes (flags, error status, applications already in a
 * continuation's sample), then varbinds: a selector byte, its OID bytes, a
 * type byte, a length byte and the value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../controller/node_poll_pdu.h"

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
    ASN_OBJECT_ID, ASN_IPADDRESS, ASN_COUNTER64, ASN_OPAQUE, SNMP_NOSUCHOBJECT, SNMP_NOSUCHINSTANCE,
    SNMP_ENDOFMIBVIEW, ASN_BIT_STR, ASN_INTEGER,
};

static const oid node_base[] = { LAMON_NODE };
static const oid app_entry[] = { LAMON_APP_ENTRY };
static const oid elsewhere[] = { 1, 3, 6, 1, 2, 1, 1 };

static size_t fuzz_oid(struct in *in, uint8_t sel, oid *o)
{
    size_t len = 0;
    switch (sel % 4) {
    case 0: {                                /* a node scalar, maybe the wrong instance */
        memcpy(o, node_base, sizeof node_base);
        len = LAMON_ROOT_LEN + 2;
        o[len++] = byte(in) % 20;
        uint8_t inst = byte(in);
        if (inst != 255)
            o[len++] = inst % 3 ? inst : 0;
        break;
    }
    case 1: {                                /* an application column and name */
        memcpy(o, app_entry, sizeof app_entry);
        len = LAMON_APP_ENTRY_LEN;
        o[len++] = byte(in) % 10;
        size_t n = byte(in) % 72;
        for (size_t i = 0; i < n && len < MAX_OID_LEN; i++)
            o[len++] = byte(in);
        break;
    }
    case 2: {                                /* anything, under the LAMON root or not */
        if (sel & 4) {
            memcpy(o, node_base, LAMON_ROOT_LEN * sizeof(oid));
            len = LAMON_ROOT_LEN;
        }
        size_t n = byte(in) % 24;
        for (size_t i = 0; i < n && len < MAX_OID_LEN; i++)
            o[len++] = byte(in);
        break;
    }
    default:                                 /* another MIB */
        memcpy(o, elsewhere, sizeof elsewhere);
        len = sizeof elsewhere / sizeof elsewhere[0];
        o[len++] = byte(in) % 8;
        o[len++] = 0;
        break;
    }
    if (len == 0)
        o[len++] = 0;
    return len;
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
    switch (type) {
    case ASN_INTEGER: case ASN_GAUGE: case ASN_COUNTER: case ASN_TIMETICKS: case ASN_UINTEGER: {
        long v = 0;
        memcpy(&v, val, vlen < sizeof v ? vlen : sizeof v);
        if (vlen == 1)
            v = (long)(int8_t)val[0];    /* small values, negative ones too */
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
        oid v[MAX_OID_LEN];
        size_t n = vlen < MAX_OID_LEN ? vlen : MAX_OID_LEN;
        for (size_t i = 0; i < n; i++)
            v[i] = val[i];
        if (n < 2) {
            v[0] = 0;
            v[1] = 0;
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
    case ASN_NULL: case SNMP_NOSUCHOBJECT: case SNMP_NOSUCHINSTANCE: case SNMP_ENDOFMIBVIEW:
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, NULL, 0);
        break;
    default:                                 /* strings of any bytes */
        snmp_pdu_add_variable(pdu, o, olen, (u_char)type, val, vlen);
        break;
    }
}

static int printable(const char *s, size_t cap, bool nonempty)
{
    size_t n = strnlen(s, cap);
    if (n == cap || (nonempty && n == 0))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 32 || (unsigned char)s[i] > 126)
            return 0;
    return 1;
}

static void check_ranges(const struct node_sample *s)
{
    if (!printable(s->name, sizeof s->name, false) || !printable(s->service, sizeof s->service, false))
        abort();
    if (s->state < 0 || s->state > NSTATE_STOPPING || s->role < 0 || s->role > ROLE_DIRECTOR)
        abort();
    if (s->cpu > 10000 || s->uptime > 0xffffffffUL || s->memtotal > 0xffffffffUL || s->memavail > 0xffffffffUL)
        abort();
    if (s->napps > CL_MAX_APPS)
        abort();
    for (size_t i = 0; i < s->napps; i++) {
        const struct app_sample *a = &s->apps[i];
        if (!printable(a->name, sizeof a->name, true) || a->oper < 0 || a->oper > APP_STOPPING || a->admin < 0 ||
            a->admin > 3)
            abort();
    }
}

/* One page applied to S, with the oracles. */
static int apply(struct node_sample *s, const netsnmp_pdu *pdu, size_t nvars)
{
    struct node_sample *before = malloc(sizeof *before);
    if (!before)
        return POLL_BAD;
    memcpy(before, s, sizeof *s);
    char after[CTL_NAME_MAX + 1];
    size_t nvb = 12345;
    int r = node_poll_apply(s, pdu, after, sizeof after, &nvb);
    if (r != POLL_BAD && r != POLL_DONE && r != POLL_MORE)
        abort();
    if ((pdu->errstat != SNMP_ERR_NOERROR || pdu->command != SNMP_MSG_RESPONSE) && r != POLL_BAD)
        abort();
    if (r == POLL_BAD && memcmp(before, s, sizeof *s) != 0)
        abort();                             /* a page that fails changes nothing */
    if (r != POLL_BAD && nvb != nvars)
        abort();
    if (r != POLL_BAD && !s->name[0])
        abort();                             /* a good first page names the node */
    if (r == POLL_MORE && !printable(after, sizeof after, true))
        abort();
    check_ranges(s);
    free(before);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    uint8_t flags = byte(&in), err = byte(&in), prefill = byte(&in);
    netsnmp_pdu *pdu = snmp_pdu_create(flags & 4 ? SNMP_MSG_REPORT : SNMP_MSG_RESPONSE);
    if (!pdu)
        return 0;
    pdu->errstat = SNMP_ERR_NOERROR;         /* snmp_pdu_create() leaves -1: "not set" */
    pdu->errindex = 0;
    if (flags & 2) {
        pdu->errstat = err % 19;
        pdu->errindex = err / 19;
    }
    for (int i = 0; i < 200 && in.left; i++)
        add_varbind(pdu, &in);
    size_t nvars = 0;
    for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable)
        nvars++;
    struct node_sample *s = calloc(1, sizeof *s);
    if (!s) {
        snmp_free_pdu(pdu);
        return 0;
    }
    if (flags & 1) {                         /* a continuation: the first page named the node */
        snprintf(s->name, sizeof s->name, "node1");
        s->state = NSTATE_RUNNING;
        s->role = ROLE_SERVER;
        s->napps = prefill % (CL_MAX_APPS + 1);
        for (size_t i = 0; i < s->napps; i++) {
            snprintf(s->apps[i].name, sizeof s->apps[i].name, "app%zu", i);
            s->apps[i].oper = APP_UP;
        }
    }
    int r = apply(s, pdu, nvars);
    /* The same page once more, as the continuation of what it built. */
    if (r != POLL_BAD)
        apply(s, pdu, nvars);
    free(s);
    snmp_free_pdu(pdu);
    return 0;
}
