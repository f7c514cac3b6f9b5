/* The operations one SET request is about to create, so that the request is
 * judged as a whole (all or nothing) and not varbind by varbind.
 *
 * Every writer of the request (a lamonOpTable row, a lamonAppAdminStatus
 * write, a lamonKernelNextBoot write) claims its operation in the RESERVE2
 * phase; a claim that clashes with an earlier one of the same request is
 * refused.  The clash rule is symmetric, so the verdict does not depend on
 * the order of the varbinds.  Claims live from RESERVE2 until COMMIT
 * consumes them or FREE/UNDO drops them; a new request (another transaction
 * id) drops whatever an aborted one left behind.
 *
 * Pure bookkeeping: no I/O, no Net-SNMP; op_table uses it, the unit test and
 * the fuzz target drive it through op_table. */
#ifndef LAMON_OP_CLAIMS_H
#define LAMON_OP_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>

/* What an operation works on.  At most one operation per target is queued
 * or running; a node operation (reboot, shutdown) excludes all others. */
enum op_target { OT_APP, OT_BOOT, OT_PKG, OT_NODE };

enum op_target op_target_of(int type);

/* May operation A and operation B be created by one request?  Not when
 * they work on the same target, or when either is a node operation.
 * Symmetric in A and B. */
bool op_claims_clash(int type_a, const char *arg_a, int type_b, const char *arg_b);

/* Most claims in one request: more operations than a PDU can carry. */
#define OP_CLAIMS_MAX 4096

/* Starts request TRANSID: claims of any other transaction are dropped. */
void op_claims_begin(long transid);
/* Drops every claim (FREE, UNDO, shutdown). */
void op_claims_clear(void);
size_t op_claims_count(void);

/* Does (TYPE, ARG) clash with a claim of this request? */
bool op_claims_clash_any(int type, const char *arg);
/* Is INDEX (not 0) named by a claim of this request? */
bool op_claims_index_taken(unsigned index);
/* Records a claim; INDEX 0 when the agent picks the index at COMMIT.
 * -1 when OP_CLAIMS_MAX are held or out of memory. */
int op_claims_add(unsigned index, int type, const char *arg);
/* Removes the claim that creating (INDEX, TYPE, ARG) fulfils: with INDEX
 * not 0 the claim of that index, else an index-0 claim of TYPE and ARG.
 * Returns whether there was one. */
bool op_claims_consume(unsigned index, int type, const char *arg);

#endif
