/* Unit test of the IPVS MIB's SET transaction (subagent/ipvs_mib.c) and its
 * createAndWait rows (subagent/ipvs_pending.c), against a test double of
 * the netlink layer: an in-memory "kernel" whose Nth change can be made to
 * fail.  The handler is driven phase by phase as an AgentX subagent sees
 * it: every phase gets request structures of its own, freed after it.
 *
 * Checks: the cap on createAndWait rows (resourceUnavailable, earlier rows
 * intact), their aging, undoFailed when the kernel refuses an undo, and that
 * the rows are freed at snmp_shutdown() (the ASan build's leak check). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../subagent/agent_config.h"
#include "../../subagent/ipvs_mib.h"
#include "../../subagent/ipvs_pending.h"

/* --- the netlink double ------------------------------------------------------ */

#define FK_SVCS 16
#define FK_DESTS 8
static struct fk_svc {
    int used;
    struct ipvs_service svc;
    struct ipvs_dest dests[FK_DESTS];
    size_t nd;
} fk[FK_SVCS];
static int fk_calls;       /* changes asked for so far */
static int fk_fail[8];     /* call numbers that fail ... */
static int fk_fail_err[8]; /* ... with this errno */

static int fk_check(void)
{
    fk_calls++;
    for (size_t i = 0; i < 8; i++)
        if (fk_fail[i] == fk_calls)
            return -fk_fail_err[i];
    return 0;
}

static struct fk_svc *fk_find(const struct lamon_vs_key *k)
{
    for (size_t i = 0; i < FK_SVCS; i++)
        if (fk[i].used && memcmp(&fk[i].svc.key, k, sizeof *k) == 0)
            return &fk[i];
    return NULL;
}

static struct ipvs_dest *fk_dest(struct fk_svc *s, const struct ipvs_dest *d)
{
    for (size_t i = 0; i < s->nd; i++)
        if (s->dests[i].af == d->af && memcmp(s->dests[i].addr, d->addr, 16) == 0
            && s->dests[i].port == d->port)
            return &s->dests[i];
    return NULL;
}

int ipvs_nl_open(void) { return 0; }
void ipvs_nl_close(void) {}
int ipvs_nl_is_open(void) { return 1; }
size_t ipvs_addr_len(uint16_t af) { return af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0; }
uint32_t ipvs_prefix_to_netmask(uint16_t af, uint32_t p) { (void)af; return p; }
uint32_t ipvs_netmask_to_prefix(uint16_t af, uint32_t m) { (void)af; return m; }

int ipvs_nl_list(struct ipvs_table *out)
{
    out->svcs = calloc(FK_SVCS, sizeof *out->svcs);
    out->nsvcs = 0;
    if (!out->svcs)
        return -ENOMEM;
    for (size_t i = 0; i < FK_SVCS; i++) {
        if (!fk[i].used)
            continue;
        struct ipvs_svc_entry *e = &out->svcs[out->nsvcs++];
        e->svc = fk[i].svc;
        e->dests = calloc(FK_DESTS, sizeof *e->dests);
        if (!e->dests)
            return -ENOMEM;
        memcpy(e->dests, fk[i].dests, sizeof fk[i].dests);
        e->ndests = fk[i].nd;
    }
    return 0;
}

void ipvs_table_free(struct ipvs_table *t)
{
    for (size_t i = 0; i < t->nsvcs; i++)
        free(t->svcs[i].dests);
    free(t->svcs);
    t->svcs = NULL;
    t->nsvcs = 0;
}

int ipvs_nl_add_service(const struct ipvs_service *s)
{
    int rc = fk_check();
    if (rc)
        return rc;
    if (fk_find(&s->key))
        return -EEXIST;
    for (size_t i = 0; i < FK_SVCS; i++) {
        if (!fk[i].used) {
            memset(&fk[i], 0, sizeof fk[i]);
            fk[i].used = 1;
            fk[i].svc = *s;
            return 0;
        }
    }
    return -ENOMEM;
}

int ipvs_nl_edit_service(const struct ipvs_service *s)
{
    int rc = fk_check();
    struct fk_svc *f = fk_find(&s->key);
    if (rc)
        return rc;
    if (!f)
        return -ESRCH;
    f->svc = *s;
    return 0;
}

int ipvs_nl_del_service(const struct lamon_vs_key *k)
{
    int rc = fk_check();
    struct fk_svc *f = fk_find(k);
    if (rc)
        return rc;
    if (!f)
        return -ESRCH;
    f->used = 0;
    return 0;
}

int ipvs_nl_add_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    int rc = fk_check();
    struct fk_svc *f = fk_find(k);
    if (rc)
        return rc;
    if (!f)
        return -ESRCH;
    if (fk_dest(f, d))
        return -EEXIST;
    if (f->nd == FK_DESTS)
        return -ENOMEM;
    f->dests[f->nd++] = *d;
    return 0;
}

int ipvs_nl_edit_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    int rc = fk_check();
    struct fk_svc *f = fk_find(k);
    if (rc)
        return rc;
    struct ipvs_dest *x = f ? fk_dest(f, d) : NULL;
    if (!x)
        return -ENOENT;
    *x = *d;
    return 0;
}

int ipvs_nl_del_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    int rc = fk_check();
    struct fk_svc *f = fk_find(k);
    if (rc)
        return rc;
    struct ipvs_dest *x = f ? fk_dest(f, d) : NULL;
    if (!x)
        return -ENOENT;
    *x = f->dests[--f->nd];
    return 0;
}

static void fk_reset(void)
{
    memset(fk, 0, sizeof fk);
    memset(fk_fail, 0, sizeof fk_fail);
    fk_calls = 0;
}

/* --- driving the handler -------------------------------------------------------- */

static const oid base[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 9999, 1, 5 };
#define BASE_LEN (sizeof base / sizeof base[0])
enum { VS_SCHED = 6, VS_ROWSTATUS = 21, D_WEIGHT = 4, D_ROWSTATUS = 21 };

static struct lamon_vs_key key4(const char *addr, uint16_t port)
{
    struct lamon_vs_key k = { .af = AF_INET, .protocol = IPPROTO_TCP, .port = port };
    inet_pton(AF_INET, addr, k.addr);
    return k;
}

/* NAME := lamonVsEntry.COL.index(K) or lamonDestEntry.COL.index(K, D) */
static size_t name_of(oid *name, int table, int col, const struct lamon_vs_key *k,
                      const struct ipvs_dest *d)
{
    memcpy(name, base, sizeof base);
    size_t n = BASE_LEN;
    name[n++] = (oid)table;
    name[n++] = 1;
    name[n++] = (oid)col;
    if (d) {
        struct lamon_dest_key dk = { .af = d->af, .port = d->port };
        memcpy(dk.addr, d->addr, sizeof dk.addr);
        n += lamon_dest_index_encode(k, &dk, name + n);
    } else {
        n += lamon_vs_index_encode(k, name + n);
    }
    return n;
}

static void add_int(netsnmp_variable_list **vars, int table, int col,
                    const struct lamon_vs_key *k, const struct ipvs_dest *d, long v)
{
    oid name[MAX_OID_LEN];
    size_t n = name_of(name, table, col, k, d);
    assert_non_null(snmp_varlist_add_variable(vars, name, n, ASN_INTEGER, &v, sizeof v));
}

/* One phase: fresh requests over a copy of VARS, as AgentX delivers them.
 * Returns the first request error (and its 1-based position in *POS). */
static int phase(int mode, const netsnmp_variable_list *vars, int *pos)
{
    netsnmp_variable_list *copy = snmp_clone_varbind((netsnmp_variable_list *)vars);
    size_t n = 0;
    for (netsnmp_variable_list *v = copy; v; v = v->next_variable)
        n++;
    netsnmp_request_info *reqs = calloc(n, sizeof *reqs);
    netsnmp_agent_request_info *ri = calloc(1, sizeof *ri);
    assert_non_null(reqs);
    assert_non_null(ri);
    ri->mode = mode;
    size_t i = 0;
    for (netsnmp_variable_list *v = copy; v; v = v->next_variable, i++) {
        reqs[i].requestvb = v;
        reqs[i].index = (int)i + 1;
        reqs[i].agent_req_info = ri;
        reqs[i].next = i + 1 < n ? &reqs[i + 1] : NULL;
        reqs[i].prev = i ? &reqs[i - 1] : NULL;
    }
    ipvs_mib_handler(NULL, NULL, ri, reqs);
    int err = SNMP_ERR_NOERROR;
    for (i = 0; i < n; i++) {
        if (reqs[i].status != SNMP_ERR_NOERROR) {
            err = reqs[i].status;
            *pos = (int)i + 1;
            break;
        }
    }
    free(reqs);
    free(ri);
    snmp_free_varbind(copy);
    return err;
}

struct verdict {
    int err, pos;
};

/* A whole SET as the master runs it (RFC 2741 7.2.5): TestSet (RESERVE1,
 * RESERVE2), CommitSet (ACTION), then UndoSet on failure or CleanupSet
 * (COMMIT).  In UNDO only undoFailed counts and overrides the earlier error. */
static struct verdict set(netsnmp_variable_list *vars)
{
    struct verdict v = { SNMP_ERR_NOERROR, 0 };
    int pos = 0;
    if ((v.err = phase(MODE_SET_RESERVE1, vars, &v.pos)) != 0
        || (v.err = phase(MODE_SET_RESERVE2, vars, &v.pos)) != 0) {
        phase(MODE_SET_FREE, vars, &pos);
    } else if ((v.err = phase(MODE_SET_ACTION, vars, &v.pos)) != 0) {
        if (phase(MODE_SET_UNDO, vars, &pos) == SNMP_ERR_UNDOFAILED)
            v.err = SNMP_ERR_UNDOFAILED, v.pos = pos;
    } else {
        phase(MODE_SET_COMMIT, vars, &pos);
    }
    snmp_free_varbind(vars);
    return v;
}

/* lamonVsRowStatus of K: its value, or 0 for noSuchInstance. */
static long vs_rowstatus(const struct lamon_vs_key *k)
{
    netsnmp_variable_list *vars = NULL;
    oid name[MAX_OID_LEN];
    size_t n = name_of(name, 1, VS_ROWSTATUS, k, NULL);
    snmp_varlist_add_variable(&vars, name, n, ASN_NULL, NULL, 0);
    netsnmp_request_info req = { .requestvb = vars, .index = 1 };
    netsnmp_agent_request_info ri = { .mode = MODE_GET };
    req.agent_req_info = &ri;
    ipvs_mib_handler(NULL, NULL, &ri, &req);
    long v = vars->type == ASN_INTEGER ? *vars->val.integer : 0;
    snmp_free_varbind(vars);
    return v;
}

static struct verdict create(const struct lamon_vs_key *k, long rs)
{
    netsnmp_variable_list *vars = NULL;
    add_int(&vars, 1, VS_ROWSTATUS, k, NULL, rs);
    return set(vars);
}

/* --- tests -------------------------------------------------------------------------- */

static char conf_path[] = "/tmp/lamon-ipvs-set-XXXXXX";

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(conf_path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("ipvs on\nipvs_pending_max 3\nipvs_pending_age 300\n", f);
    fclose(f);
    agent_config_register();
    assert_int_equal(agent_config_load(conf_path), 0);
    unlink(conf_path);
    ipvs_mib_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    agent_config_free();
    return 0;
}

static void pending_cap(void **state)
{
    (void)state;
    fk_reset();
    struct lamon_vs_key k[5];
    for (int i = 0; i < 5; i++)
        k[i] = key4("10.0.0.1", (uint16_t)(80 + i));
    for (int i = 0; i < 3; i++) {
        struct verdict v = create(&k[i], RS_CREATEANDWAIT);
        assert_int_equal(v.err, SNMP_ERR_NOERROR);
    }
    /* the fourth, alone or with a kernel change in the same request */
    struct verdict v = create(&k[3], RS_CREATEANDWAIT);
    assert_int_equal(v.err, SNMP_ERR_RESOURCEUNAVAILABLE);
    assert_int_equal(v.pos, 1);
    netsnmp_variable_list *vars = NULL;
    add_int(&vars, 1, VS_ROWSTATUS, &k[4], NULL, RS_CREATEANDGO);
    add_int(&vars, 1, VS_ROWSTATUS, &k[3], NULL, RS_CREATEANDWAIT);
    v = set(vars);
    assert_int_equal(v.err, SNMP_ERR_RESOURCEUNAVAILABLE);
    assert_int_equal(v.pos, 2);
    assert_int_equal(fk_calls, 0);          /* refused before the kernel was touched */
    for (int i = 0; i < 3; i++)
        assert_int_equal(vs_rowstatus(&k[i]), RS_NOTINSERVICE);
    assert_int_equal(vs_rowstatus(&k[3]), 0);
    assert_int_equal(vs_rowstatus(&k[4]), 0);
    /* a slot freed (destroy) or used up (active) can be taken again */
    assert_int_equal(create(&k[0], RS_DESTROY).err, SNMP_ERR_NOERROR);
    assert_int_equal(create(&k[1], RS_ACTIVE).err, SNMP_ERR_NOERROR);
    assert_int_equal(vs_rowstatus(&k[1]), RS_ACTIVE);
    assert_int_equal(create(&k[3], RS_CREATEANDWAIT).err, SNMP_ERR_NOERROR);
    assert_int_equal(create(&k[4], RS_CREATEANDWAIT).err, SNMP_ERR_NOERROR);
    assert_int_equal(create(&k[0], RS_CREATEANDWAIT).err, SNMP_ERR_RESOURCEUNAVAILABLE);
    assert_int_equal(vs_rowstatus(&k[2]), RS_NOTINSERVICE);
    for (int i = 2; i < 5; i++)
        assert_int_equal(create(&k[i], RS_DESTROY).err, SNMP_ERR_NOERROR);
    assert_int_equal(create(&k[1], RS_DESTROY).err, SNMP_ERR_NOERROR);
    for (int i = 0; i < 5; i++)
        assert_int_equal(vs_rowstatus(&k[i]), 0);
}

static int gone_calls;
static struct lamon_vs_key gone_key;
static void on_gone(const struct ipvs_pending *p, int64_t now)
{
    gone_calls++;
    gone_key = p->svc.key;
    assert_true(now - p->touched >= 300);
}

static void pending_aging(void **state)
{
    (void)state;
    struct ipvs_pending_list l = { 0 };
    struct ipvs_service a = { .key = key4("10.0.0.2", 80) }, b = { .key = key4("10.0.0.2", 81) };
    assert_int_equal(ipvs_pending_put(&l, &a, 100), 0);
    assert_int_equal(ipvs_pending_put(&l, &b, 200), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(ipvs_pending_expire(&l, 399, 300, on_gone), 0);
    assert_int_equal(gone_calls, 0);
    assert_int_equal(ipvs_pending_expire(&l, 400, 300, on_gone), 1);
    assert_int_equal(gone_calls, 1);
    assert_memory_equal(&gone_key, &a.key, sizeof a.key);
    assert_null(ipvs_pending_find(&l, &a.key));
    assert_non_null(ipvs_pending_find(&l, &b.key));
    /* a write starts the clock again */
    strcpy(b.sched, "rr");
    assert_int_equal(ipvs_pending_put(&l, &b, 450), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(ipvs_pending_find(&l, &b.key)->svc.sched, "rr");
    assert_int_equal(ipvs_pending_expire(&l, 700, 300, on_gone), 0);
    assert_int_equal(ipvs_pending_expire(&l, 750, 300, on_gone), 1);
    assert_int_equal(l.n, 0);
    assert_null(l.head);
    assert_int_equal(ipvs_pending_put(&l, &a, 1), 0);
    assert_int_equal(ipvs_pending_remove(&l, &b.key), 0);
    assert_int_equal(ipvs_pending_remove(&l, &a.key), 1);
    assert_int_equal(ipvs_pending_put(&l, &a, 1), 0);
    ipvs_pending_clear(&l);
    assert_int_equal(l.n, 0);
}

/* createAndGo of a service and a destination under it: the kernel takes
 * the service, refuses the destination (EINVAL -> inconsistentValue), and
 * then refuses to delete the service again: the manager must hear
 * undoFailed, at the varbind whose change stayed. */
static void undo_failed(void **state)
{
    (void)state;
    struct lamon_vs_key k = key4("10.0.0.3", 80);
    struct ipvs_dest d = { .af = AF_INET, .port = 8080 };
    inet_pton(AF_INET, "192.168.1.2", d.addr);
    for (int broken = 0; broken < 2; broken++) {
        fk_reset();
        fk_fail[0] = 2, fk_fail_err[0] = EINVAL;        /* add_dest */
        if (broken)
            fk_fail[1] = 3, fk_fail_err[1] = EIO;       /* the undo: del_service */
        netsnmp_variable_list *vars = NULL;
        add_int(&vars, 1, VS_ROWSTATUS, &k, NULL, RS_CREATEANDGO);
        add_int(&vars, 2, D_WEIGHT, &k, &d, 5);
        add_int(&vars, 2, D_ROWSTATUS, &k, &d, RS_CREATEANDGO);
        struct verdict v = set(vars);
        assert_int_equal(fk_calls, 3);
        if (broken) {
            assert_int_equal(v.err, SNMP_ERR_UNDOFAILED);
            assert_int_equal(v.pos, 1);
            assert_non_null(fk_find(&k));               /* it did stay */
        } else {
            assert_int_equal(v.err, SNMP_ERR_INCONSISTENTVALUE);
            assert_int_equal(v.pos, 3);
            assert_null(fk_find(&k));
        }
    }
    fk_reset();
}

/* At exit (snmp_shutdown() runs the library's shutdown callbacks) the
 * createAndWait rows are freed: LeakSanitizer would report them. */
static void freed_at_shutdown(void **state)
{
    (void)state;
    fk_reset();
    struct lamon_vs_key a = key4("10.0.0.4", 80), b = key4("10.0.0.4", 81);
    assert_int_equal(create(&a, RS_CREATEANDWAIT).err, SNMP_ERR_NOERROR);
    assert_int_equal(create(&b, RS_CREATEANDWAIT).err, SNMP_ERR_NOERROR);
    assert_int_equal(vs_rowstatus(&a), RS_NOTINSERVICE);
    snmp_call_callbacks(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SHUTDOWN, NULL);
    assert_int_equal(vs_rowstatus(&a), 0);
    assert_int_equal(vs_rowstatus(&b), 0);
    /* the read above took a new snapshot: free it too */
    snmp_call_callbacks(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_SHUTDOWN, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pending_aging),
        cmocka_unit_test(pending_cap),
        cmocka_unit_test(undo_failed),
        cmocka_unit_test(freed_at_shutdown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
