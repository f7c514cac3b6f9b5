/* libFuzzer target: the RESERVE phase of a multi-varbind SET over
 * lamonOpTable rows, lamonAppAdminStatus and lamonKernelNextBoot, through
 * the functions the handlers call (op_set, the app admin ops,
 * kernel_mib_check_next_boot, op_table_reserve), in the order the agent
 * calls them: every handler's RESERVE1, then every handler's RESERVE2, the
 * handlers in the order their first varbind appears, each with its own
 * varbinds in request order.
 *
 * Oracle: the same request in another varbind order (reversed, rotated, a
 * seeded shuffle) gets the same verdict, noError or an error.  And a
 * request that passes commits completely: every row at its index with its
 * type and argument, queued, no claim left over.
 *
 * Input: byte 0 picks 0-3 rows that exist before the request (2 bytes
 * each: type, argument), then 3 bytes per varbind (kind/column, index or
 * target, value), at most MAX_WRITES.  The configuration (applications
 * web and db, db without a stop command; kernels 1.0-a and 2.0-b) lives in
 * a temp dir made once. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../subagent/agent_config.h"
#include "../subagent/app_control.h"
#include "../subagent/app_mib.h"
#include "../subagent/kernel_mib.h"
#include "../subagent/op_claims.h"
#include "../subagent/op_set.h"
#include "../subagent/op_table.h"

#define MAX_WRITES 24

enum kind { K_OP, K_APP, K_KERNEL };

struct write {
    enum kind kind;
    struct op_write op;      /* K_OP */
    const char *target;      /* K_APP: application, K_KERNEL: release */
    long value;              /* K_APP, K_KERNEL */
};

static const char *const args[] = {
    "web", "db", "nosuch", "", "1.0-a", "2.0-b", "9.9-none", "hello", "hello=1.0", "other",
    "bad;name", "Web",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};
#define NARGS (sizeof args / sizeof args[0])
static const char *const apps[] = { "web", "db", "nosuch" };
static const char *const kernels[] = { "1.0-a", "2.0-b", "9.9-none" };
static const unsigned indexes[] = { 1, 2, 3, 4, 5, 6, 0, 4294967295u };

static char dir[] = "/tmp/lamon-fuzz-set.XXXXXX";
static const struct app_admin_ops *admin;

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static void cleanup(void)
{
    static const char *const files[] = { "boot/vmlinuz-1.0-a", "boot/vmlinuz-2.0-b", "agent.conf" };
    char p[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_of(p, sizeof p, files[i]);
        unlink(p);
    }
    path_of(p, sizeof p, "boot");
    rmdir(p);
    rmdir(dir);
}

static void put(const char *name, const char *text)
{
    char p[256];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    char p[256], conf[2048];
    path_of(p, sizeof p, "boot");
    if (mkdir(p, 0700) != 0)
        abort();
    put("boot/vmlinuz-1.0-a", "fake\n");
    put("boot/vmlinuz-2.0-b", "fake\n");
    snprintf(conf, sizeof conf,
             "nodename fuzz\nstatedir %s\nboot_dir %s/boot\ngrub_env %s/grubenv\n"
             "apt_get /bin/true\nreboot_cmd /bin/true\nshutdown_cmd /bin/true\n"
             "app web 1\napp_start web /bin/true\napp_stop web /bin/true\n"
             "app db 2\napp_start db /bin/true\n",
             dir, dir, dir);
    put("agent.conf", conf);
    path_of(p, sizeof p, "agent.conf");
    agent_config_register();
    if (agent_config_load(p) != 0)
        abort();
    admin = app_control_ops();
    return 0;
}

/* --- decoding --------------------------------------------------------- */

static void decode_write(const uint8_t *b, struct write *w)
{
    memset(w, 0, sizeof *w);
    w->kind = (enum kind)(b[0] % 3);
    if (w->kind == K_APP) {
        w->target = apps[b[1] % 3];
        w->value = b[2] % 5;           /* 0 and 4 are wrongValue */
        return;
    }
    if (w->kind == K_KERNEL) {
        w->target = kernels[b[1] % 3];
        w->value = b[2] % 4;           /* only true(1) is accepted */
        return;
    }
    static const int cols[] = { LO_TYPE, LO_ARG, LO_ROWSTATUS, LO_TYPE, LO_ARG, LO_ROWSTATUS,
                                LO_STATUS, 1, 0, LO_ROWSTATUS };
    struct op_write *o = &w->op;
    o->col = cols[(b[0] / 3) % 10];
    o->index = indexes[b[1] % 8];
    bool wrong_type = b[0] >= 240;
    if (o->col == LO_ARG) {
        o->asn = wrong_type ? ASN_INTEGER : ASN_OCTET_STR;
        o->str = args[b[2] % NARGS];
        o->len = strlen(o->str);
    } else {
        o->asn = wrong_type ? ASN_OCTET_STR : ASN_INTEGER;
        o->num = o->col == LO_TYPE ? b[2] % 11 : b[2] % 8;
        o->str = "";
    }
}

/* --- one request, as the agent runs it --------------------------------- */

/* Handler order: by the first varbind of each kind, as Net-SNMP builds its
 * tree cache. */
static size_t handler_order(const struct write *w, const size_t *order, size_t n, enum kind *kinds)
{
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        enum kind k = w[order[i]].kind;
        bool seen = false;
        for (size_t j = 0; j < nk; j++)
            seen |= kinds[j] == k;
        if (!seen)
            kinds[nk++] = k;
    }
    return nk;
}

/* The op handler's varbinds in request order. */
static size_t op_writes(const struct write *w, const size_t *order, size_t n, struct op_write *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (w[order[i]].kind == K_OP)
            out[m++] = w[order[i]].op;
    return m;
}

static int app_reserve1(const struct write *w)
{
    const struct lamon_app *a = agent_config_find_app(w->target);
    if (!a)
        return SNMP_ERR_NOCREATION;
    if (w->value < APP_ADMIN_UP || w->value > APP_ADMIN_RESTART)
        return SNMP_ERR_WRONGVALUE;
    return admin->check(a, w->value);
}

static int reserve_phase(const struct write *w, const size_t *order, size_t n, int phase)
{
    enum kind kinds[3];
    size_t nk = handler_order(w, order, n, kinds);
    int verdict = SNMP_ERR_NOERROR;
    for (size_t h = 0; h < nk; h++) {
        if (kinds[h] == K_OP) {
            struct op_write ow[MAX_WRITES];
            int err[MAX_WRITES];
            size_t m = op_writes(w, order, n, ow);
            if (phase == 1)
                for (size_t i = 0; i < m; i++)
                    err[i] = op_set_check(&ow[i]);
            else
                op_set_reserve(ow, m, err);
            for (size_t i = 0; i < m && verdict == SNMP_ERR_NOERROR; i++)
                verdict = err[i];
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            const struct write *x = &w[order[i]];
            if (x->kind != kinds[h])
                continue;
            int rc;
            if (x->kind == K_APP)
                rc = phase == 1 ? app_reserve1(x)
                                : admin->reserve(agent_config_find_app(x->target), x->value);
            else
                rc = phase == 1 ? kernel_mib_check_next_boot(x->target, x->value)
                                : op_table_reserve(0, OPT_KERNEL_SELECT, x->target, strlen(x->target));
            if (verdict == SNMP_ERR_NOERROR)
                verdict = rc;
        }
    }
    return verdict;
}

/* RESERVE1 for every handler, then RESERVE2 if all passed. */
static int reserve(const struct write *w, const size_t *order, size_t n)
{
    static long transid;
    op_table_request_begin(++transid);
    int v = reserve_phase(w, order, n, 1);
    if (v == SNMP_ERR_NOERROR)
        v = reserve_phase(w, order, n, 2);
    return v;
}

static void commit(const struct write *w, const size_t *order, size_t n)
{
    enum kind kinds[3];
    size_t nk = handler_order(w, order, n, kinds);
    for (size_t h = 0; h < nk; h++) {
        if (kinds[h] == K_OP) {
            struct op_write ow[MAX_WRITES];
            int err[MAX_WRITES];
            size_t m = op_writes(w, order, n, ow);
            op_set_commit(ow, m, err);
            for (size_t i = 0; i < m; i++)
                if (err[i] != SNMP_ERR_NOERROR)
                    abort();
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            const struct write *x = &w[order[i]];
            if (x->kind != kinds[h])
                continue;
            if (x->kind == K_APP)
                admin->commit(agent_config_find_app(x->target), x->value);
            else if (!op_table_submit(0, OPT_KERNEL_SELECT, x->target, strlen(x->target)))
                abort();
        }
    }
}

/* --- the oracle --------------------------------------------------------- */

static void dump(const char *why, const struct write *w, const size_t *order, size_t n)
{
    fprintf(stderr, "agent_set_reserve: %s\n", why);
    for (size_t i = 0; i < n; i++) {
        const struct write *x = &w[order[i]];
        if (x->kind == K_OP)
            fprintf(stderr, "  op col %d index %u asn %d num %ld str '%.*s'\n", x->op.col, x->op.index,
                    x->op.asn, x->op.num, (int)x->op.len, x->op.str);
        else
            fprintf(stderr, "  %s %s = %ld\n", x->kind == K_APP ? "app" : "kernel", x->target, x->value);
    }
}

static const struct op_write *sibling(const struct write *w, size_t n, unsigned index, int col)
{
    for (size_t i = 0; i < n; i++)
        if (w[i].kind == K_OP && w[i].op.index == index && w[i].op.col == col)
            return &w[i].op;
    return NULL;
}

static void count(size_t *queued, size_t *failed)
{
    *queued = *failed = 0;
    for (const struct op *o = op_table_first(); o; o = op_table_next_after(o->index)) {
        *queued += o->status == OPS_QUEUED;
        *failed += o->status == OPS_FAILED;
    }
}

/* After COMMIT: each created row as the request said and queued (none
 * recorded as refused), no claim left. */
static void check_committed(const struct write *w, const size_t *order, size_t n,
                            size_t queued_before, size_t failed_before)
{
    size_t created = 0;
    for (size_t i = 0; i < n; i++) {
        const struct write *x = &w[i];
        if (x->kind != K_OP) {
            created++;
            continue;
        }
        if (x->op.col != LO_ROWSTATUS || x->op.num != RS_CREATEANDGO)
            continue;
        created++;
        const struct op *o = op_table_find(x->op.index);
        const struct op_write *t = sibling(w, n, x->op.index, LO_TYPE);
        const struct op_write *a = sibling(w, n, x->op.index, LO_ARG);
        if (!o || !t || o->type != t->num || strlen(o->arg) != (a ? a->len : 0) ||
            (a && memcmp(o->arg, a->str, a->len) != 0)) {
            dump("a createAndGo row is missing or not as written", w, order, n);
            abort();
        }
    }
    size_t queued, failed;
    count(&queued, &failed);
    if (op_claims_count() != 0 || queued != queued_before + created || failed > failed_before) {
        dump("COMMIT left a claim, refused a row or missed one", w, order, n);
        fprintf(stderr, "  claims %zu queued %zu (before %zu) failed %zu (before %zu) created %zu\n",
                op_claims_count(), queued, queued_before, failed, failed_before, created);
        abort();
    }
}

static void setup_table(const uint8_t *pre, size_t npre)
{
    op_table_shutdown();   /* an empty table, index 1 next, no claims */
    for (size_t i = 0; i < npre; i++) {
        const char *a = args[pre[2 * i + 1] % 10];
        op_table_submit((unsigned)(i + 1), pre[2 * i] % 9 + 1, a, strlen(a));
    }
    op_table_request_end();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t npre = data[0] % 4;
    if (size < 1 + 2 * npre)
        return 0;
    const uint8_t *pre = data + 1, *p = data + 1 + 2 * npre;
    size_t n = (size - 1 - 2 * npre) / 3;
    if (n == 0)
        return 0;
    if (n > MAX_WRITES)
        n = MAX_WRITES;
    struct write w[MAX_WRITES];
    for (size_t i = 0; i < n; i++)
        decode_write(p + 3 * i, &w[i]);

    size_t ident[MAX_WRITES], other[MAX_WRITES];
    for (size_t i = 0; i < n; i++)
        ident[i] = i;
    setup_table(pre, npre);
    int base = reserve(w, ident, n);
    op_table_request_end();   /* FREE */

    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    for (int variant = 0; variant < 4; variant++) {
        for (size_t i = 0; i < n; i++)
            other[i] = variant == 0 ? n - 1 - i                       /* reversed */
                     : variant == 1 ? (i + 1) % n                     /* rotated by one */
                     : variant == 2 ? (i + n / 2) % n : i;            /* by half; shuffled below */
        if (variant == 3)
            for (size_t i = n - 1; i > 0; i--) {
                seed = seed * 1103515245u + 12345u;
                size_t j = (seed >> 8) % (i + 1), t = other[i];
                other[i] = other[j];
                other[j] = t;
            }
        int v = reserve(w, other, n);
        op_table_request_end();
        if ((v == SNMP_ERR_NOERROR) != (base == SNMP_ERR_NOERROR)) {
            fprintf(stderr, "verdict %d in request order, %d in variant %d:\n", base, v, variant);
            dump("request order", w, ident, n);
            dump("other order", w, other, n);
            abort();
        }
    }

    if (base == SNMP_ERR_NOERROR) {
        size_t queued, failed;
        count(&queued, &failed);
        if (reserve(w, ident, n) != SNMP_ERR_NOERROR)
            abort();   /* the same request again: the earlier runs changed nothing */
        commit(w, ident, n);
        check_committed(w, ident, n, queued, failed);
    }
    op_table_shutdown();
    return 0;
}
