/* cmocka tests of the web console's authentication parts: the users file
 * (controller/http_users.c: good and bad lines, reports "FILE: line N",
 * password checks), sessions (controller/http_session.c: create, find,
 * idle and maximum expiry, eviction of the least recently used, prune on a
 * users reload, CSRF compare), the failed-login limit
 * (controller/http_login_limit.c), and the form and cookie parsers
 * (controller/http_form.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../controller/event_log.h"
#include "../../controller/http_form.h"
#include "../../controller/http_login_limit.h"
#include "../../controller/http_session.h"
#include "../../controller/http_users.h"

static char sha_hash[CRYPT_OUTPUT_SIZE], yes_hash[CRYPT_OUTPUT_SIZE];

/* Hashes of "pw" made here by libxcrypt itself. */
static int make_hashes(void **state)
{
    (void)state;
    const char *s = crypt_gensalt("$6$", 0, NULL, 0);
    snprintf(sha_hash, sizeof sha_hash, "%s", crypt("pw", s));
    s = crypt_gensalt("$y$", 0, NULL, 0);
    snprintf(yes_hash, sizeof yes_hash, "%s", crypt("pw", s));
    return sha_hash[0] == '$' && yes_hash[0] == '$' ? 0 : -1;
}

static int line(const char *text, struct http_user *u, char *why)
{
    return http_users_line(text, u, why, 200);
}

static void test_users_good_lines(void **state)
{
    (void)state;
    struct http_user u;
    char why[200], l[600];
    snprintf(l, sizeof l, "alice:%s", sha_hash);
    assert_int_equal(line(l, &u, why), 1);
    assert_string_equal(u.name, "alice");
    assert_string_equal(u.hash, sha_hash);
    snprintf(l, sizeof l, "  ops.team@site-1:%s \r", yes_hash);
    assert_int_equal(line(l, &u, why), 1);
    assert_string_equal(u.name, "ops.team@site-1");
    assert_string_equal(u.hash, yes_hash);
    assert_int_equal(line("", &u, why), 0);
    assert_int_equal(line("   \t", &u, why), 0);
    assert_int_equal(line("# alice:$6$x$y", &u, why), 0);
}

static void test_users_bad_lines(void **state)
{
    (void)state;
    struct http_user u;
    char why[200], l[1200];
    assert_int_equal(line("alice", &u, why), -1);
    assert_string_equal(why, "not NAME:CRYPT-HASH (no ':')");
    snprintf(l, sizeof l, ":%s", sha_hash);
    assert_int_equal(line(l, &u, why), -1);
    assert_non_null(strstr(why, "user name must be"));
    snprintf(l, sizeof l, "al ice:%s", sha_hash);
    assert_int_equal(line(l, &u, why), -1);
    assert_int_equal(line("alice:", &u, why), -1);
    assert_non_null(strstr(why, "no usable hash"));
    assert_int_equal(line("alice:!", &u, why), -1);
    assert_int_equal(line("alice:*", &u, why), -1);
    snprintf(l, sizeof l, "alice:!%s", sha_hash);
    assert_int_equal(line(l, &u, why), -1);
    assert_non_null(strstr(why, "locked"));
    assert_int_equal(line("alice:$1$abcdefgh$0123456789abcdefghijkl", &u, why), -1);
    assert_non_null(strstr(why, "legacy"));
    assert_int_equal(line("alice:abJnggxhB/yWI", &u, why), -1);      /* DES */
    assert_non_null(strstr(why, "legacy"));
    snprintf(l, sizeof l, "alice:%s:extra", sha_hash);
    assert_int_equal(line(l, &u, why), -1);
    assert_non_null(strstr(why, "not one crypt(3) makes"));
    assert_int_equal(line("alice:$zz$nonsense", &u, why), -1);
    char name[80];
    memset(name, 'n', 64);
    name[64] = '\0';
    snprintf(l, sizeof l, "%s:%s", name, sha_hash);
    assert_int_equal(line(l, &u, why), -1);
    memset(l, 'a', 1100);
    l[1100] = '\0';
    l[3] = ':';
    assert_int_equal(line(l, &u, why), -1);
    assert_non_null(strstr(why, "longer than"));
}

static bool logged(const char *needle)
{
    for (size_t i = 0; i < event_log_count(); i++)
        if (strstr(event_log_line(i), needle))
            return true;
    return false;
}

static void test_users_load(void **state)
{
    (void)state;
    char path[] = "/tmp/lamon-users-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# users\nalice:%s\nbad line\n\nbob:%s\nalice:%s\ncarol:$1$abcdefgh$0123456789abcdefghijkl\n",
            sha_hash, yes_hash, yes_hash);
    for (int i = 0; i < 1500; i++)
        fputc('x', f);
    fprintf(f, "\ndave:%s", sha_hash);              /* no newline at the end */
    fclose(f);
    static struct http_users us;
    char err[200], want[300];
    assert_int_equal(http_users_load(path, &us, err, sizeof err), 0);
    assert_true(us.loaded);
    assert_int_equal(us.n, 3);
    assert_non_null(http_users_find(&us, "alice"));
    assert_string_equal(http_users_find(&us, "alice")->hash, sha_hash);    /* the first line counts */
    assert_non_null(http_users_find(&us, "bob"));
    assert_non_null(http_users_find(&us, "dave"));
    assert_null(http_users_find(&us, "carol"));
    snprintf(want, sizeof want, "%s: line 3: not NAME:CRYPT-HASH", path);
    assert_true(logged(want));
    snprintf(want, sizeof want, "%s: line 6: user alice is given twice", path);
    assert_true(logged(want));
    snprintf(want, sizeof want, "%s: line 7: user carol: legacy", path);
    assert_true(logged(want));
    snprintf(want, sizeof want, "%s: line 8: longer than", path);
    assert_true(logged(want));
    assert_true(http_users_verify(&us, "alice", "pw"));
    assert_true(http_users_verify(&us, "bob", "pw"));
    assert_false(http_users_verify(&us, "alice", "pw2"));
    assert_false(http_users_verify(&us, "alice", ""));
    assert_false(http_users_verify(&us, "nobody", "pw"));
    assert_false(http_users_verify(&us, "carol", "pw"));
    unlink(path);
    assert_int_equal(http_users_load(path, &us, err, sizeof err), -1);
    assert_false(us.loaded);
    assert_int_equal(us.n, 0);
    assert_non_null(strstr(err, "No such file"));
    assert_false(http_users_verify(&us, "alice", "pw"));
}

static void test_const_equal(void **state)
{
    (void)state;
    assert_true(http_const_equal("abc", "abc"));
    assert_true(http_const_equal("", ""));
    assert_false(http_const_equal("abc", "abd"));
    assert_false(http_const_equal("abc", "ab"));
    assert_false(http_const_equal("ab", "abc"));
    assert_false(http_const_equal("", "a"));
}

static struct http_user user(const char *name, const char *hash)
{
    struct http_user u;
    snprintf(u.name, sizeof u.name, "%s", name);
    snprintf(u.hash, sizeof u.hash, "%s", hash);
    return u;
}

static void test_session_create_find(void **state)
{
    (void)state;
    static struct session_table t;
    memset(&t, 0, sizeof t);
    struct http_user a = user("alice", sha_hash);
    char ev[HTTP_USER_MAX + 1];
    const struct http_session *s = session_new(&t, &a, 1000, ev);
    assert_non_null(s);
    assert_string_equal(ev, "");
    assert_int_equal(strlen(s->token), SESSION_TOKEN_HEX);
    assert_int_equal(strlen(s->csrf), SESSION_TOKEN_HEX);
    assert_int_equal(strspn(s->token, "0123456789abcdef"), SESSION_TOKEN_HEX);
    assert_string_not_equal(s->token, s->csrf);
    char tok[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];
    snprintf(tok, sizeof tok, "%s", s->token);
    snprintf(csrf, sizeof csrf, "%s", s->csrf);
    const struct http_session *s2 = session_new(&t, &a, 1000, ev);
    assert_string_not_equal(s2->token, tok);              /* random, not reused */
    struct http_session *f = session_find(&t, tok, 1001);
    assert_ptr_equal(f, s);
    assert_string_equal(f->user, "alice");
    assert_true(session_csrf_ok(f, csrf));
    char wrong[SESSION_TOKEN_HEX + 1];
    snprintf(wrong, sizeof wrong, "%s", csrf);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    assert_false(session_csrf_ok(f, wrong));
    assert_false(session_csrf_ok(f, ""));
    assert_false(session_csrf_ok(f, tok));
    wrong[SESSION_TOKEN_HEX - 1] = '\0';
    assert_false(session_csrf_ok(f, wrong));
    assert_null(session_find(&t, "", 1001));
    assert_null(session_find(&t, csrf, 1001));            /* the CSRF token is no session token */
    session_end(f);
    assert_null(session_find(&t, tok, 1002));
}

static void test_session_expiry(void **state)
{
    (void)state;
    static struct session_table t;
    memset(&t, 0, sizeof t);
    struct http_user a = user("alice", sha_hash);
    char ev[HTTP_USER_MAX + 1], tok[SESSION_TOKEN_HEX + 1];
    snprintf(tok, sizeof tok, "%s", session_new(&t, &a, 0, ev)->token);
    /* idle: alive just before SESSION_IDLE_S, each use starting it again */
    assert_non_null(session_find(&t, tok, SESSION_IDLE_S - 1));
    assert_non_null(session_find(&t, tok, 2 * SESSION_IDLE_S - 2));
    assert_null(session_find(&t, tok, 3 * SESSION_IDLE_S - 2));
    /* the maximum: used every hour, still over after SESSION_MAX_S */
    snprintf(tok, sizeof tok, "%s", session_new(&t, &a, 100000, ev)->token);
    time_t now = 100000;
    for (; now < 100000 + SESSION_MAX_S - 3600; now += 3600)
        assert_non_null(session_find(&t, tok, now));
    assert_null(session_find(&t, tok, 100000 + SESSION_MAX_S));
}

static void test_session_evict_prune(void **state)
{
    (void)state;
    static struct session_table t;
    memset(&t, 0, sizeof t);
    struct http_user a = user("alice", sha_hash), b = user("bob", yes_hash);
    char ev[HTTP_USER_MAX + 1], first[SESSION_TOKEN_HEX + 1], second[SESSION_TOKEN_HEX + 1];
    snprintf(first, sizeof first, "%s", session_new(&t, &b, 10, ev)->token);
    snprintf(second, sizeof second, "%s", session_new(&t, &a, 11, ev)->token);
    for (int i = 2; i < SESSIONS_MAX; i++) {
        assert_non_null(session_new(&t, &a, 20 + i, ev));
        assert_string_equal(ev, "");
    }
    assert_non_null(session_find(&t, first, 500));       /* used again: bob's is now the newest */
    assert_non_null(session_new(&t, &a, 501, ev));       /* full: the least recently used goes */
    assert_string_equal(ev, "alice");
    assert_null(session_find(&t, second, 502));
    assert_non_null(session_find(&t, first, 502));
    /* a reload: bob left; then alice changes password */
    static struct http_users us;
    memset(&us, 0, sizeof us);
    us.loaded = true;
    us.u[us.n++] = a;
    assert_int_equal(session_prune(&t, &us), 1);
    assert_null(session_find(&t, first, 503));
    snprintf(us.u[0].hash, sizeof us.u[0].hash, "%s", yes_hash);
    assert_int_equal(session_prune(&t, &us), SESSIONS_MAX - 1);
    assert_int_equal(session_prune(&t, &us), 0);
}

static void test_login_limit(void **state)
{
    (void)state;
    static struct login_limit l;
    memset(&l, 0, sizeof l);
    unsigned retry = 0;
    for (int i = 0; i < LOGIN_FAILS_ADDR; i++) {
        assert_true(login_allowed(&l, "10.0.0.1", 100 + i, &retry));
        login_failed(&l, "10.0.0.1", 100 + i);
    }
    assert_false(login_allowed(&l, "10.0.0.1", 110, &retry));
    assert_int_equal(retry, LOGIN_WINDOW_S - 10);
    assert_true(login_allowed(&l, "10.0.0.2", 110, &retry));       /* another address */
    assert_true(login_allowed(&l, "10.0.0.1", 100 + LOGIN_WINDOW_S, &retry));   /* the window is over */
    /* a success starts the count again */
    login_failed(&l, "10.0.0.3", 200);
    login_succeeded(&l, "10.0.0.3");
    for (int i = 0; i < LOGIN_FAILS_ADDR - 1; i++)
        login_failed(&l, "10.0.0.3", 201);
    assert_true(login_allowed(&l, "10.0.0.3", 201, &retry));
    /* globally: from many addresses */
    memset(&l, 0, sizeof l);
    char a[32];
    for (int i = 0; i < LOGIN_FAILS_ALL; i++) {
        snprintf(a, sizeof a, "10.1.0.%d", i);
        assert_true(login_allowed(&l, a, 300, &retry));
        login_failed(&l, a, 300);
    }
    assert_false(login_allowed(&l, "10.2.0.1", 301, &retry));
    assert_true(login_allowed(&l, "10.2.0.1", 300 + LOGIN_WINDOW_S, &retry));
    /* more addresses than the table holds: bounded, the stalest give way */
    memset(&l, 0, sizeof l);
    for (int i = 0; i < LOGIN_ADDRS + 10; i++) {
        snprintf(a, sizeof a, "10.3.%d.%d", i / 256, i % 256);
        login_failed(&l, a, 1000 + i);
    }
    bool first = false, last = false;
    for (size_t i = 0; i < LOGIN_ADDRS; i++) {
        first = first || strcmp(l.a[i].addr, "10.3.0.0") == 0;
        last = last || strcmp(l.a[i].addr, a) == 0;
    }
    assert_false(first);
    assert_true(last);
}

static void test_form(void **state)
{
    (void)state;
    struct evkeyvalq q;
    char err[160];
    const char *ok = "user=al+ice&password=p%26w%3D&csrf=";
    assert_int_equal(http_form_text(ok, strlen(ok), &q, err, sizeof err), 0);
    assert_string_equal(evhttp_find_header(&q, "user"), "al ice");
    assert_string_equal(evhttp_find_header(&q, "password"), "p&w=");
    assert_string_equal(evhttp_find_header(&q, "csrf"), "");
    evhttp_clear_headers(&q);
    assert_int_equal(http_form_text("", 0, &q, err, sizeof err), 0);
    assert_null(q.tqh_first);
    static const char *const bad[] = { "a=1&a=2", "user=x%00y", "novalue", "=1", "a=1&&b=2x" };
    static const char *const why[] = { "twice", "%00", "NAME=VALUE", "NAME=VALUE", NULL };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = http_form_text(bad[i], strlen(bad[i]), &q, err, sizeof err);
        if (!why[i]) {                    /* libevent's call: either way, nothing half-parsed is kept */
            if (r == 0)
                evhttp_clear_headers(&q);
            continue;
        }
        assert_int_equal(r, -1);
        assert_null(q.tqh_first);
        assert_non_null(strstr(err, why[i]));
    }
    assert_int_equal(http_form_text("a=1\0b=2", 7, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "NUL"));
    char many[400] = "";
    for (int i = 0; i <= HTTP_FORM_FIELDS; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sf%d=1", i ? "&" : "", i);
    assert_int_equal(http_form_text(many, strlen(many), &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than"));
    /* A field name is echoed in the error, which is one line of printable
     * text: a CR, LF or escape in the name must not break it (found by
     * the ctl_http_form fuzz target). */
    static const char twice_ctl[] = "a=0&\r\nqo=1&\r\nqo=2";
    assert_int_equal(http_form_text(twice_ctl, strlen(twice_ctl), &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    assert_null(strpbrk(err, "\r\n\x1b"));
    assert_non_null(strstr(err, "'??qo'"));
}

static void test_cookie(void **state)
{
    (void)state;
    char v[70];
    assert_true(http_cookie_value("a=1; lamon_session=abc; b=2", "lamon_session", 0, v, sizeof v));
    assert_string_equal(v, "abc");
    assert_false(http_cookie_value("a=1; lamon_session=abc", "lamon_session", 1, v, sizeof v));
    assert_true(http_cookie_value("lamon_session=x;lamon_session=\"y\"", "lamon_session", 1, v, sizeof v));
    assert_string_equal(v, "y");
    assert_false(http_cookie_value("xlamon_session=abc; lamon_sessionx=1", "lamon_session", 0, v, sizeof v));
    assert_false(http_cookie_value("lamon_session", "lamon_session", 0, v, sizeof v));
    assert_true(http_cookie_value("lamon_session=", "lamon_session", 0, v, sizeof v));
    assert_string_equal(v, "");
    assert_false(http_cookie_value("lamon_session=0123456789", "lamon_session", 0, v, 5));   /* does not fit */
    assert_false(http_cookie_value("", "lamon_session", 0, v, sizeof v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users_good_lines),
        cmocka_unit_test(test_users_bad_lines),
        cmocka_unit_test(test_users_load),
        cmocka_unit_test(test_const_equal),
        cmocka_unit_test(test_session_create_find),
        cmocka_unit_test(test_session_expiry),
        cmocka_unit_test(test_session_evict_prune),
        cmocka_unit_test(test_login_limit),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_cookie),
    };
    return cmocka_run_group_tests(tests, make_hashes, NULL);
}
