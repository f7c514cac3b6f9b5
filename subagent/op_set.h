/* The SET logic of lamonOpTable over decoded varbinds: which column of
 * which row gets what value.  op_mib turns the request's varbinds into
 * struct op_write and back into errors; the fuzz target calls the same
 * functions on writes it makes up, so they take no Net-SNMP request. */
#ifndef LAMON_OP_SET_H
#define LAMON_OP_SET_H

#include <stddef.h>

#include "lamon_mib.h"      /* enum lamon_op_col */

struct op_write {
    int col;            /* lamonOpEntry column; 0 when the OID is no column of it */
    unsigned index;     /* lamonOpIndex; 0 when the instance has no valid index */
    int asn;            /* the value's ASN type */
    long num;           /* an INTEGER value (RowStatus: Net-SNMP's RS_*) */
    const char *str;    /* an OCTET STRING value, LEN bytes, not terminated */
    size_t len;
};

/* RESERVE1: one varbind on its own (instance, type, size, writability). */
int op_set_check(const struct op_write *w);

/* RESERVE2: the rows of the request.  Decides each row from its RowStatus
 * and its sibling columns, and claims each new operation in op_table
 * (op_table_reserve), so that it is also judged against the request's other
 * writers.  ERR[i] receives W[i]'s SNMP error status (SNMP_ERR_NOERROR for
 * most); one column named twice for one row is inconsistentValue. */
void op_set_reserve(const struct op_write *w, size_t n, int *err);

/* COMMIT: creates and destroys the rows; ERR[i] commitFailed when a row
 * could not be recorded (out of memory). */
void op_set_commit(const struct op_write *w, size_t n, int *err);

#endif
