/* What an operation executes, as the planners (app_plan, kernel_grub,
 * pkg_apt) build it and op_table runs it.  A header of its own so that the
 * planners need nothing of op_table, which calls them. */
#ifndef LAMON_OP_PLAN_H
#define LAMON_OP_PLAN_H

#include <stddef.h>

#define OP_MAX_STEPS 4

/* What an operation executes: up to OP_MAX_STEPS argv arrays, run in order;
 * the first that fails ends the operation.  Owns every string. */
struct op_plan {
    char **steps[OP_MAX_STEPS];
    size_t nsteps;
    char **env;                 /* extra NAME=VALUE for the children, or NULL */
    unsigned timeout_s;         /* per step */
};

/* Appends a deep copy of the NULL-terminated argv; -1 when full or out of memory. */
int op_plan_add(struct op_plan *p, const char *const *argv);
int op_plan_set_env(struct op_plan *p, const char *const *env);
void op_plan_clear(struct op_plan *p);

#endif
