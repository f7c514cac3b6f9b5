/* cmocka tests of what the controller's decisions (controller/decide.c) do
 * when their SETs fail: each failing decision backs off (1, 2, 4 ... cycles
 * up to a cap) instead of being sent again every cycle, each attempt is
 * logged once with the error, a node whose role write failed or is still
 * on its way is no member, and "every service is at strength" is never
 * said while it is false.  Also the back-off arithmetic of
 * controller/set_backoff.c.
 *
 * The SET layer is a test double: this file defines every symbol of
 * controller/snmp_set.h, so the linker never takes snmp_set.o from
 * libcontroller.a.  The double plays the agents: a SET that succeeds
 * changes the agent's role/service/state, and every simulated cycle
 * "polls" the agents into the cluster view before decide_cycle(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_config_load.h"
#include "../../controller/decide.h"
#include "../../controller/event_log.h"
#include "../../controller/node_view.h"
#include "../../controller/set_backoff.h"
#include "../../controller/snmp_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- the SET layer double -------------------------------------------------- */

enum mode { ACCEPT, FAIL_LATER, FAIL_NOW };

struct agent {                          /* what a node's agent holds */
    int role, state;
    char service[CTL_NAME_MAX + 1];
};

struct sent {
    netsnmp_pdu *pdu;
    char peer[CTL_NAME_MAX + 1];
    set_result_cb cb;
    void *ctx;
};

#define MAX_SENT 64
static enum mode mode;
static const char *fail_why;
static struct agent agents[3];
static struct sent inflight[MAX_SENT];
static size_t ninflight;
static unsigned attempts[3], dir_attempts;   /* SETs sent per node / to the director */
static unsigned attempt_cycle[3][64];        /* the cycles of node attempts */
static struct cluster *the_cl;
static char last_err[128];

const char SNMP_SET_ABANDONED[] = "abandoned";

netsnmp_pdu *snmp_set_pdu(void) { return snmp_pdu_create(SNMP_MSG_SET); }
void snmp_set_add_int(netsnmp_pdu *pdu, const oid *o, size_t len, long v)
{
    snmp_pdu_add_variable(pdu, o, len, ASN_INTEGER, &v, sizeof v);
}
void snmp_set_add_uns(netsnmp_pdu *pdu, const oid *o, size_t len, unsigned long v)
{
    u_long u = v;
    snmp_pdu_add_variable(pdu, o, len, ASN_UNSIGNED, &u, sizeof u);
}
void snmp_set_add_str(netsnmp_pdu *pdu, const oid *o, size_t len, const char *s)
{
    snmp_pdu_add_variable(pdu, o, len, ASN_OCTET_STR, s, strlen(s));
}
void snmp_set_forget(void *wsess) { (void)wsess; }
void snmp_set_expire(void) {}
const char *snmp_set_error(void) { return last_err; }

static int node_index(const char *name) { return name[0] == 'n' ? name[1] - '1' : -1; }

int snmp_set_send(const struct ctl_config *cfg, void **wsess, const struct ctl_peer *peer, netsnmp_pdu *pdu,
                  const char *what, set_result_cb cb, void *ctx)
{
    (void)cfg; (void)wsess; (void)what;
    const struct cluster *cl = the_cl;
    int k = node_index(peer->name);
    if (k >= 0) {
        if (attempts[k] < 64)
            attempt_cycle[k][attempts[k]] = cl->cycle;
        attempts[k]++;
    } else {
        dir_attempts++;
    }
    if (mode == FAIL_NOW) {
        snprintf(last_err, sizeof last_err, "%s", fail_why);
        snmp_free_pdu(pdu);
        return -1;
    }
    assert_true(ninflight < MAX_SENT);
    struct sent *s = &inflight[ninflight++];
    s->pdu = pdu;
    snprintf(s->peer, sizeof s->peer, "%s", peer->name);
    s->cb = cb;
    s->ctx = ctx;
    return 0;
}

/* The agent applies a SET that succeeds. */
static void apply(struct agent *a, const netsnmp_pdu *pdu)
{
    for (const netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) {
        if (v->name_length != LAMON_ROOT_LEN + 4)
            continue;                    /* not a node scalar (an app's admin status) */
        switch (v->name[LAMON_ROOT_LEN + 2]) {
        case LN_ROLE: a->role = (int)*v->val.integer; break;
        case LN_STATE: a->state = (int)*v->val.integer; break;
        case LN_SERVICE:
            snprintf(a->service, sizeof a->service, "%.*s", (int)v->val_len, (const char *)v->val.string);
            break;
        default: break;
        }
    }
}

/* The answers to last cycle's SETs arrive. */
static void answer_sets(void)
{
    size_t n = ninflight;
    ninflight = 0;
    for (size_t i = 0; i < n; i++) {
        struct sent *s = &inflight[i];
        bool ok = mode == ACCEPT;
        int k = node_index(s->peer);
        if (ok && k >= 0)
            apply(&agents[k], s->pdu);
        s->cb(s->ctx, ok, ok ? SNMP_ERR_NOERROR : SNMP_ERR_GENERR, ok ? "" : fail_why);
        snmp_free_pdu(s->pdu);
    }
}

/* --- the simulated controller ---------------------------------------------- */

static char logpath[64];

static struct cluster *setup_cluster(void)
{
    static struct cluster cl;
    memset(&cl, 0, sizeof cl);
    struct ctl_config *cfg = load_ok("interval 1000\nrise 1\nfall 3\n"
                                     "v3user admin sha authpass123 aes privpass123\n"
                                     "node n1 127.0.0.1:1161\nnode n2 127.0.0.2:1161\nnode n3 127.0.0.3:1161\n"
                                     "director lvs1 127.0.0.9:1161\n"
                                     "service web tcp 10.0.0.1:80 nodes 2 director lvs1\n");
    assert_int_equal(cluster_apply_config(&cl, cfg), 0);
    for (int k = 0; k < 3; k++) {
        agents[k].role = ROLE_UNASSIGNED;
        agents[k].state = NSTATE_RUNNING;
        agents[k].service[0] = '\0';
        attempts[k] = 0;
    }
    dir_attempts = 0;
    ninflight = 0;
    the_cl = &cl;
    snprintf(logpath, sizeof logpath, "/tmp/ctl_backoff_test.XXXXXX");
    int fd = mkstemp(logpath);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(event_log_open(logpath), 0);
    return &cl;
}

static void teardown_cluster(struct cluster *cl)
{
    answer_sets();
    cluster_free(cl);
    event_log_close();
    unlink(logpath);
}

/* One poll cycle: the SETs' answers, the polls, the decisions. */
static void cycle(struct cluster *cl)
{
    cl->cycle++;
    answer_sets();
    for (size_t i = 0; i < cl->nnodes; i++) {
        struct node_rt *n = cl->nodes[i];
        const struct agent *a = &agents[i];
        n->answered = true;
        n->have_sample = true;
        memset(&n->s, 0, sizeof n->s);
        snprintf(n->s.name, sizeof n->s.name, "%s", n->peer.name);
        n->s.role = a->role;
        n->s.state = a->state;
        snprintf(n->s.service, sizeof n->s.service, "%s", a->service);
    }
    decide_cycle(cl);
}

/* Lines of the log file containing WHAT. */
static unsigned log_count(const char *what)
{
    FILE *f = fopen(logpath, "r");
    assert_non_null(f);
    char line[1024];
    unsigned k = 0;
    while (fgets(line, sizeof line, f))
        k += strstr(line, what) != NULL;
    fclose(f);
    return k;
}

/* Members the view shows must be in place on their agents. */
static void assert_members_true(const struct cluster *cl)
{
    for (size_t i = 0; i < cl->nnodes; i++)
        if (node_is_member(cl, cl->nodes[i], 0)) {
            if (agents[i].role != ROLE_SERVER || strcmp(agents[i].service, "web") != 0)
                print_error("cycle %u: %s shown as a member of web, its agent has role %d service '%s'\n",
                            cl->cycle, cl->nodes[i]->peer.name, agents[i].role, agents[i].service);
            assert_int_equal(agents[i].role, ROLE_SERVER);
        }
}

/* --- tests ----------------------------------------------------------------- */

static void test_backoff_arithmetic(void **state)
{
    (void)state;
    struct backoff b = { 0 };
    unsigned fails;
    assert_true(backoff_ready(&b, "x", 10));
    assert_int_equal(backoff_fail(&b, "x", 10, 60, &fails), 1);
    assert_int_equal(fails, 1);
    assert_false(backoff_ready(&b, "x", 10));
    assert_true(backoff_ready(&b, "x", 11));
    assert_true(backoff_ready(&b, "y", 10));          /* per decision */
    assert_int_equal(backoff_fail(&b, "x", 11, 60, &fails), 2);
    assert_int_equal(backoff_fail(&b, "x", 13, 60, &fails), 4);
    assert_int_equal(backoff_fail(&b, "x", 17, 60, &fails), 8);
    assert_int_equal(backoff_fail(&b, "x", 25, 60, &fails), 16);
    assert_int_equal(backoff_fail(&b, "x", 41, 60, &fails), 32);
    assert_int_equal(backoff_fail(&b, "x", 73, 60, &fails), 60);   /* the cap */
    for (int i = 0; i < 40; i++)
        assert_int_equal(backoff_fail(&b, "x", 200, 60, &fails), 60);
    assert_int_equal(backoff_waiting(&b, 200), 1);
    assert_int_equal(backoff_ok(&b, "x"), 47);         /* success forgets */
    assert_true(backoff_ready(&b, "x", 200));
    assert_int_equal(backoff_fail(&b, "x", 200, 60, &fails), 1);
    /* Cycle numbers wrap. */
    assert_int_equal(backoff_fail(&b, "w", 0xfffffffeu, 60, &fails), 1);
    assert_false(backoff_ready(&b, "w", 0xfffffffeu));
    assert_true(backoff_ready(&b, "w", 0xffffffffu));
    /* Bounded: the table never grows past BACKOFF_MAX. */
    char key[32];
    for (int i = 0; i < BACKOFF_MAX + 10; i++) {
        snprintf(key, sizeof key, "k%d", i);
        backoff_fail(&b, key, 300, 60, &fails);
    }
    assert_true(b.n <= BACKOFF_MAX);
    backoff_clear(&b);
}

/* Failing attempts of node K are spaced by the doubling back-off. */
static void assert_backoff_spacing(unsigned k)
{
    unsigned n = attempts[k] < 64 ? attempts[k] : 64;
    for (unsigned i = 1; i < n; i++) {
        unsigned gap = attempt_cycle[k][i] - attempt_cycle[k][i - 1];
        unsigned want = i - 1 < 6 ? 1u << (i - 1) : 60;
        if (gap < want)
            print_error("n%u: attempt %u came %u cycles after the last, back-off wants >= %u\n", k + 1, i + 1,
                        gap, want);
        assert_true(gap >= want);
    }
}

/* The agents refuse every SET (a wrong write passphrase, an agent that
 * answers with an error): 200 cycles make a few attempts per node, each
 * logged once with the error, and nothing is said to be at strength. */
static void test_failing_sets_back_off(void **state)
{
    (void)state;
    struct cluster *cl = setup_cluster();
    mode = FAIL_LATER;
    fail_why = "Authentication failure (incorrect password, community or key)";
    for (int i = 0; i < 200; i++) {
        cycle(cl);
        assert_members_true(cl);
    }
    unsigned total = 0;
    for (unsigned k = 0; k < 3; k++) {
        /* 1+2+4+...+32 = 63 cycles for the first 7, then one per 61 */
        if (attempts[k] < 4 || attempts[k] > 12)
            print_error("n%u: %u attempts in 200 cycles\n", k + 1, attempts[k]);
        assert_in_range(attempts[k], 4, 12);
        assert_backoff_spacing(k);
        total += attempts[k];
    }
    assert_int_equal(log_count("Authentication failure"), total);
    assert_int_equal(log_count("at strength"), 0);
    assert_int_equal(log_count("joins the spares"), 0);
    /* The agents were never changed, and the view agrees. */
    for (size_t i = 0; i < cl->nnodes; i++)
        assert_false(node_is_member(cl, cl->nodes[i], 0));
    teardown_cluster(cl);
}

/* The same when the SET cannot even be sent (no write user, a session
 * that cannot be opened): the reported loop of promote / cannot / joins
 * the spares every cycle. */
static void test_unsendable_sets_back_off(void **state)
{
    (void)state;
    struct cluster *cl = setup_cluster();
    mode = FAIL_NOW;
    fail_why = "no v3user configured for writes";
    for (int i = 0; i < 200; i++) {
        cycle(cl);
        assert_members_true(cl);
    }
    unsigned total = 0;
    for (unsigned k = 0; k < 3; k++) {
        if (attempts[k] < 4 || attempts[k] > 12)
            print_error("n%u: %u attempts in 200 cycles\n", k + 1, attempts[k]);
        assert_in_range(attempts[k], 4, 12);
        assert_backoff_spacing(k);
        total += attempts[k];
    }
    assert_int_equal(log_count("no v3user configured for writes"), total);
    assert_int_equal(log_count("promote new node"), total);
    assert_int_equal(log_count("at strength"), 0);
    teardown_cluster(cl);
}

/* Writes that work: while the promotions are on their way nobody is a
 * member and the third node is not yet told the service is at strength;
 * once both are in place it joins the spares, with the claim true. */
static void test_strength_claimed_only_when_true(void **state)
{
    (void)state;
    struct cluster *cl = setup_cluster();
    mode = ACCEPT;
    cycle(cl);                          /* promotions sent */
    assert_members_true(cl);
    assert_int_equal(log_count("joins the spares"), 0);
    for (int i = 0; i < 5; i++) {
        cycle(cl);
        assert_members_true(cl);
    }
    int servers = 0, spares = 0;
    for (int k = 0; k < 3; k++) {
        servers += agents[k].role == ROLE_SERVER;
        spares += agents[k].role == ROLE_SPARE;
    }
    assert_int_equal(servers, 2);
    assert_int_equal(spares, 1);
    assert_int_equal(log_count("joins the spares: every service is at strength"), 1);
    unsigned members = 0;
    for (size_t i = 0; i < cl->nnodes; i++)
        members += node_is_member(cl, cl->nodes[i], 0);
    assert_int_equal(members, 2);
    teardown_cluster(cl);
}

/* Failures, then the writes work again: the service fills at the next
 * try, and success ends the back-off (the next failure waits 1 cycle). */
static void test_recovery(void **state)
{
    (void)state;
    struct cluster *cl = setup_cluster();
    mode = FAIL_LATER;
    fail_why = "authorizationError (access denied to that object) (varbind 1)";
    for (int i = 0; i < 30; i++)
        cycle(cl);
    assert_true(log_count("authorizationError") > 0);
    mode = ACCEPT;
    for (int i = 0; i < 40; i++)
        cycle(cl);
    int servers = 0;
    for (int k = 0; k < 3; k++)
        servers += agents[k].role == ROLE_SERVER;
    assert_int_equal(servers, 2);
    assert_true(log_count("SET done: ") >= 2);       /* "..., after N failures" */
    teardown_cluster(cl);
}

/* A director that refuses the service's row: its create backs off too. */
static void test_director_backs_off(void **state)
{
    (void)state;
    struct cluster *cl = setup_cluster();
    mode = FAIL_LATER;
    fail_why = "commitFailed (varbind 1)";
    struct director_rt *d = cl->dirs[0];
    for (int i = 0; i < 200; i++) {
        d->walked = true;
        d->reachable = d->has_table = true;
        cycle(cl);
    }
    if (dir_attempts < 4 || dir_attempts > 12)
        print_error("director: %u attempts in 200 cycles\n", dir_attempts);
    assert_in_range(dir_attempts, 4, 12);
    assert_int_equal(log_count("commitFailed"), dir_attempts + attempts[0] + attempts[1] + attempts[2]);
    teardown_cluster(cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_arithmetic),
        cmocka_unit_test(test_failing_sets_back_off),
        cmocka_unit_test(test_unsendable_sets_back_off),
        cmocka_unit_test(test_strength_claimed_only_when_true),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_director_backs_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
