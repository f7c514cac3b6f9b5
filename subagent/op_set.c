/* lamonOpTable SET logic; see op_set.h. */
#include "op_set.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "op_table.h"
#include "validate.h"

int op_set_check(const struct op_write *w)
{
    if (w->col == 0)
        return SNMP_ERR_NOCREATION;
    if (w->index == 0)
        return w->col >= LO_STATUS && w->col <= LO_END ? SNMP_ERR_NOTWRITABLE : SNMP_ERR_NOCREATION;
    switch (w->col) {
    case LO_TYPE:
        if (w->asn != ASN_INTEGER)
            return SNMP_ERR_WRONGTYPE;
        return validate_op_type(w->num);
    case LO_ARG:
        if (w->asn != ASN_OCTET_STR)
            return SNMP_ERR_WRONGTYPE;
        return w->len > LAMON_OP_ARG_MAX ? SNMP_ERR_WRONGLENGTH : SNMP_ERR_NOERROR;
    case LO_ROWSTATUS:
        if (w->asn != ASN_INTEGER)
            return SNMP_ERR_WRONGTYPE;
        switch (w->num) {
        case RS_ACTIVE: case RS_NOTINSERVICE: case RS_CREATEANDGO: case RS_DESTROY:
            return SNMP_ERR_NOERROR;
        default:   /* notReady cannot be written; createAndWait is not supported */
            return SNMP_ERR_WRONGVALUE;
        }
    case LO_STATUS: case LO_EXIT: case LO_OUTPUT: case LO_START: case LO_END:
        return SNMP_ERR_NOTWRITABLE;
    default:
        return SNMP_ERR_NOCREATION;
    }
}

/* The write of column COL for row INDEX, or NULL. */
static const struct op_write *sibling(const struct op_write *w, size_t n, unsigned index, int col)
{
    for (size_t i = 0; i < n; i++)
        if (w[i].index == index && w[i].col == col)
            return &w[i];
    return NULL;
}

/* The decision for write I, judged with its row. */
static int check_row(const struct op_write *w, size_t n, size_t i, size_t *err_at)
{
    const struct op_write *me = &w[i];
    const struct op *o = op_table_find(me->index);
    const struct op_write *rs = sibling(w, n, me->index, LO_ROWSTATUS);
    *err_at = i;

    if (me->col != LO_ROWSTATUS)
        return rs ? SNMP_ERR_NOERROR   /* judged with its RowStatus */
                  : o ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_INCONSISTENTNAME;
    if (o) {
        if (me->num == RS_CREATEANDGO || me->num == RS_NOTINSERVICE)
            return SNMP_ERR_INCONSISTENTVALUE;
        if (me->num == RS_DESTROY && (o->status == OPS_QUEUED || o->status == OPS_RUNNING))
            return SNMP_ERR_INCONSISTENTVALUE;
        if (me->num == RS_ACTIVE && (sibling(w, n, me->index, LO_TYPE) || sibling(w, n, me->index, LO_ARG)))
            return SNMP_ERR_INCONSISTENTVALUE;
        return SNMP_ERR_NOERROR;
    }
    if (me->num == RS_DESTROY)
        return SNMP_ERR_NOERROR;   /* destroying a row that does not exist succeeds */
    const struct op_write *t = sibling(w, n, me->index, LO_TYPE);
    if (me->num != RS_CREATEANDGO || !t)
        return SNMP_ERR_INCONSISTENTVALUE;
    const struct op_write *a = sibling(w, n, me->index, LO_ARG);
    if (op_set_check(t) != SNMP_ERR_NOERROR || (a && op_set_check(a) != SNMP_ERR_NOERROR))
        return SNMP_ERR_NOERROR;   /* refused on the column itself */
    if (a)
        *err_at = (size_t)(a - w);
    return op_table_reserve(me->index, t->num, a ? a->str : "", a ? a->len : 0);
}

void op_set_reserve(const struct op_write *w, size_t n, int *err)
{
    for (size_t i = 0; i < n; i++)
        err[i] = op_set_check(&w[i]);
    for (size_t i = 0; i < n; i++) {
        if (err[i] != SNMP_ERR_NOERROR)
            continue;
        if (sibling(w, i, w[i].index, w[i].col)) {
            err[i] = SNMP_ERR_INCONSISTENTVALUE;   /* which value would count? */
            continue;
        }
        size_t at;
        int rc = check_row(w, n, i, &at);
        if (rc != SNMP_ERR_NOERROR)
            err[at] = rc;
    }
}

void op_set_commit(const struct op_write *w, size_t n, int *err)
{
    for (size_t i = 0; i < n; i++) {
        err[i] = SNMP_ERR_NOERROR;
        if (w[i].col != LO_ROWSTATUS || w[i].index == 0)
            continue;
        unsigned index = w[i].index;
        if (w[i].num == RS_DESTROY) {
            op_table_remove(index);
            continue;
        }
        if (w[i].num != RS_CREATEANDGO || op_table_find(index))
            continue;
        const struct op_write *t = sibling(w, n, index, LO_TYPE), *a = sibling(w, n, index, LO_ARG);
        if (t && !op_table_submit(index, t->num, a ? a->str : "", a ? a->len : 0))
            err[i] = SNMP_ERR_COMMITFAILED;
    }
}
