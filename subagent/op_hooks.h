/* What the operation list tells the rest of the agent, as callbacks, so that
 * op_table stays free of the MIB and notification modules (and can be unit
 * tested alone).  op_mib wires them up. */
#ifndef LAMON_OP_HOOKS_H
#define LAMON_OP_HOOKS_H

struct op;

struct op_hooks {
    void (*before_start)(const struct op *o);   /* e.g. node state stopping */
    void (*completed)(const struct op *o);      /* notification, caches */
};

void op_table_set_hooks(const struct op_hooks *h);

#endif
