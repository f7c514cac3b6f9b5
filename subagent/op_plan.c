/* Operation plans; see op_plan.h. */
#include "op_plan.h"

#include <stdlib.h>
#include <string.h>

static char **copy_strv(const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    char **c = calloc(n + 1, sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(c[i] = strdup(v[i]))) {
            while (i > 0)
                free(c[--i]);
            free(c);
            return NULL;
        }
    return c;
}

static void free_strv(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

int op_plan_add(struct op_plan *p, const char *const *argv)
{
    if (p->nsteps >= OP_MAX_STEPS || !argv || !argv[0])
        return -1;
    char **c = copy_strv(argv);
    if (!c)
        return -1;
    p->steps[p->nsteps++] = c;
    return 0;
}

int op_plan_set_env(struct op_plan *p, const char *const *env)
{
    char **c = copy_strv(env);
    if (!c)
        return -1;
    free_strv(p->env);
    p->env = c;
    return 0;
}

void op_plan_clear(struct op_plan *p)
{
    for (size_t i = 0; i < p->nsteps; i++)
        free_strv(p->steps[i]);
    free_strv(p->env);
    memset(p, 0, sizeof *p);
}
