/* A request's claims; see op_claims.h. */
#include "op_claims.h"

#include <stdlib.h>
#include <string.h>

#include "validate.h"

struct claim {
    unsigned index;
    int type;
    char arg[LAMON_OP_ARG_MAX + 1];
};

static struct claim *g_claims;
static size_t g_n, g_cap;
static long g_transid;
static bool g_have_transid;

enum op_target op_target_of(int type)
{
    switch (type) {
    case OPT_APP_START: case OPT_APP_STOP: case OPT_APP_RESTART: return OT_APP;
    case OPT_KERNEL_SELECT: return OT_BOOT;
    case OPT_PKG_INSTALL: case OPT_PKG_UPDATE: case OPT_PKG_REMOVE: return OT_PKG;
    default: return OT_NODE;
    }
}

bool op_claims_clash(int type_a, const char *arg_a, int type_b, const char *arg_b)
{
    enum op_target a = op_target_of(type_a), b = op_target_of(type_b);
    if (a == OT_NODE || b == OT_NODE)
        return true;
    if (a != b)
        return false;
    return a != OT_APP || strcmp(arg_a, arg_b) == 0;
}

void op_claims_begin(long transid)
{
    if (g_have_transid && transid == g_transid)
        return;
    op_claims_clear();
    g_transid = transid;
    g_have_transid = true;
}

void op_claims_clear(void)
{
    free(g_claims);
    g_claims = NULL;
    g_n = g_cap = 0;
}

size_t op_claims_count(void) { return g_n; }

bool op_claims_clash_any(int type, const char *arg)
{
    for (size_t i = 0; i < g_n; i++)
        if (op_claims_clash(type, arg, g_claims[i].type, g_claims[i].arg))
            return true;
    return false;
}

bool op_claims_index_taken(unsigned index)
{
    for (size_t i = 0; index && i < g_n; i++)
        if (g_claims[i].index == index)
            return true;
    return false;
}

int op_claims_add(unsigned index, int type, const char *arg)
{
    if (g_n == g_cap) {
        if (g_cap >= OP_CLAIMS_MAX)
            return -1;
        size_t cap = g_cap ? g_cap * 2 : 8;
        if (cap > OP_CLAIMS_MAX)
            cap = OP_CLAIMS_MAX;
        struct claim *c = realloc(g_claims, cap * sizeof *c);
        if (!c)
            return -1;
        g_claims = c;
        g_cap = cap;
    }
    struct claim *c = &g_claims[g_n++];
    c->index = index;
    c->type = type;
    size_t len = strnlen(arg, LAMON_OP_ARG_MAX);
    memcpy(c->arg, arg, len);
    c->arg[len] = '\0';
    return 0;
}

bool op_claims_consume(unsigned index, int type, const char *arg)
{
    for (size_t i = 0; i < g_n; i++) {
        const struct claim *c = &g_claims[i];
        if (index ? c->index == index
                  : c->index == 0 && c->type == type && strcmp(c->arg, arg) == 0) {
            g_claims[i] = g_claims[--g_n];
            return true;
        }
    }
    return false;
}
