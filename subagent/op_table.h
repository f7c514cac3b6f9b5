/* The operations of lamonOpTable: the queue, per-target serialisation,
 * running their commands one step after another through op_runner, and
 * aging out finished rows (op_keep SECONDS COUNT).
 *
 * Targets: an application (by name), the boot loader, the package system
 * and the node.  At most one operation per target is queued or running; a
 * second one is refused (inconsistentValue).  A node operation (reboot,
 * shutdown) waits until every other operation has ended, and while it is
 * queued or running no new operation is accepted.
 *
 * A SET request is judged as a whole: its writers claim their operations
 * in RESERVE2 (op_table_reserve, see op_claims.h), so that two writes of
 * one request on the same target are refused too, and an operation created
 * at an index of the agent's choosing never takes an index another write
 * of the request names. */
#ifndef LAMON_OP_TABLE_H
#define LAMON_OP_TABLE_H

#include <stddef.h>
#include <time.h>

#include "op_plan.h"
#include "op_runner.h"
#include "validate.h"

struct event_base;

struct op {
    unsigned index;
    int type;                   /* enum lamon_op_type */
    char arg[LAMON_OP_ARG_MAX + 1];
    int status;                 /* enum lamon_op_status */
    int exit_code;              /* -1 until it ended */
    struct op_output out;
    time_t start_time, end_time;   /* 0 = not yet */
    struct op_plan plan;
    size_t step;
};

/* Sets up the runner, the start and aging timers. */
void op_table_init(struct event_base *base);
void op_table_shutdown(void);

/* May the operation be created now, on its own?  Checks the argument's
 * syntax, that its application/kernel exists and has the needed commands,
 * and that its target is free.  Returns an SNMP error status. */
int op_table_check(long type, const char *arg, size_t len);

/* The SET request TRANSID starts (RESERVE1): drops the claims an aborted
 * request may have left.  Every writer calls it; only a new id clears. */
void op_table_request_begin(long transid);
/* RESERVE2: op_table_check, and claims the operation for this request,
 * at INDEX or (0) at an index the agent picks at COMMIT.  inconsistentValue
 * when the index is taken or another claim of the request clashes with it
 * (op_claims_clash).  Nothing is created. */
int op_table_reserve(unsigned index, long type, const char *arg, size_t len);
/* FREE/UNDO: the request ends without COMMIT; its claims go. */
void op_table_request_end(void);

/* COMMIT phase: records the operation (status queued) at index, or at the
 * next free index when index is 0, and starts it from the loop.  Consumes
 * the operation's claim.  The operation is re-checked; if it became
 * impossible it is recorded as failed without running.  Returns the row,
 * or NULL when out of memory or the index is taken. */
struct op *op_table_submit(unsigned index, long type, const char *arg, size_t len);

struct op *op_table_first(void);
size_t op_table_count(void);
struct op *op_table_find(unsigned index);
/* The row with the smallest index > index, or NULL. */
struct op *op_table_next_after(unsigned index);
/* An unused index above every existing one that no claim names. */
unsigned op_table_next_index(void);
/* Removes a finished row; -1 (and nothing removed) if queued or running. */
int op_table_remove(unsigned index);

/* The queued or running operation on application NAME, or NULL. */
const struct op *op_table_active_app_op(const char *name);

/* Drops finished rows older than keep_s, then the oldest finished beyond keep_count. */
void op_table_age(time_t now, unsigned keep_s, unsigned keep_count);

/* --- running elsewhere (the privilege-separated worker) ----------------
 * With an executor set, a row that starts is handed to EXEC->start instead
 * of being run here; the executor reports its end with op_table_finished.
 * start returns 0, or -1 (the row fails at once). */
struct op_executor {
    int (*start)(const struct op *o);
};
void op_table_set_executor(const struct op_executor *x);
/* The end of row INDEX: STATUS (OPS_SUCCEEDED/OPS_FAILED), its exit code,
 * output and end time.  Unknown or finished rows are ignored. */
void op_table_finished(unsigned index, int status, int exit_code, const char *out,
                       size_t outlen, time_t end_time);
/* Takes a row as another process reports it (a new worker learning what
 * the monitor runs): running or finished.  -1 when the index is taken or
 * out of memory. */
int op_table_adopt(unsigned index, int type, const char *arg, int status, int exit_code,
                   time_t start_time, time_t end_time, const char *out, size_t outlen);
/* In a process forked from one that ran the table: forgets the rows and the
 * loop's events without touching them (they belong to the parent). */
void op_table_forget(void);

#endif
