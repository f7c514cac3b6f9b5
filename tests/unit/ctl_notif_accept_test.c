/* cmocka tests of controller/notif_config.c: NETWORK/PREFIX parsing and
 * matching (IPv4, IPv6, IPv4-mapped sources, prefixes 0, odd and full),
 * and the listen / accept lines of lamon-controller.conf (accept's
 * optional port P, register_max, register_window) with their errors at
 * their own line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ctl_config_load.h"
#include "../../controller/notif_config.h"

static struct sockaddr_storage v4(const char *s)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    in->sin_family = AF_INET;
    in->sin_port = htons(40000);
    assert_int_equal(inet_pton(AF_INET, s, &in->sin_addr), 1);
    return ss;
}

static struct sockaddr_storage v6(const char *s)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    in6->sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, s, &in6->sin6_addr), 1);
    return ss;
}

/* NET/PREFIX holds ADDR (v4 or v6 by its text) */
static bool match(const char *net, const char *addr)
{
    struct notif_net n;
    char err[200];
    if (notif_net_parse(net, &n, err, sizeof err) != 0)
        fail_msg("%s: %s", net, err);
    struct sockaddr_storage ss = strchr(addr, ':') ? v6(addr) : v4(addr);
    return notif_net_match(&n, (const struct sockaddr *)&ss);
}

static void test_v4(void **state)
{
    (void)state;
    assert_true(match("127.0.0.1/32", "127.0.0.1"));
    assert_false(match("127.0.0.1/32", "127.0.0.2"));
    assert_true(match("127.0.0.0/8", "127.255.1.2"));
    assert_false(match("127.0.0.0/8", "128.0.0.1"));
    assert_true(match("10.1.2.0/23", "10.1.3.255"));      /* a prefix inside a byte */
    assert_false(match("10.1.2.0/23", "10.1.4.0"));
    assert_false(match("10.1.2.0/23", "10.1.1.255"));
    assert_true(match("192.0.2.128/25", "192.0.2.200"));
    assert_false(match("192.0.2.128/25", "192.0.2.127"));
    assert_true(match("0.0.0.0/0", "203.0.113.9"));      /* everything IPv4 */
    assert_false(match("0.0.0.0/0", "::1"));             /* but not IPv6 */
}

static void test_v6(void **state)
{
    (void)state;
    assert_true(match("::1/128", "::1"));
    assert_false(match("::1/128", "::2"));
    assert_true(match("2001:db8::/32", "2001:db8:ffff::1"));
    assert_false(match("2001:db8::/32", "2001:db9::1"));
    assert_true(match("fe80::/10", "febf::1"));           /* 10 bits: inside the second byte */
    assert_false(match("fe80::/10", "fec0::1"));
    assert_true(match("::/0", "2001:db8::1"));
    assert_false(match("::/0", "127.0.0.1"));             /* an IPv6 network never holds IPv4 */
    assert_false(match("2001:db8::/32", "10.0.0.1"));
}

static void test_v4_mapped(void **state)
{
    (void)state;
    /* A dual-stack socket sees IPv4 senders as ::ffff:a.b.c.d. */
    assert_true(match("127.0.0.0/8", "::ffff:127.0.0.9"));
    assert_false(match("127.0.0.0/8", "::ffff:10.0.0.9"));
    assert_false(match("127.0.0.0/8", "::127.0.0.9"));    /* IPv4-compatible is not mapped */
    assert_true(match("::ffff:0:0/96", "::ffff:10.0.0.9")); /* as IPv6, the mapped range itself */
}

static void test_bad_networks(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "127.0.0.1", "127.0.0.0/", "127.0.0.0/33", "::/129", "127.0.0.0/-1", "127.0.0.0/8x", "127.0.0.0/ 8",
        "localhost/8", "127.0.0.256/32", "127.0.0.1/8", "10.1.3.0/23", "::1/64", "/8", "", "1.2.3.0/99999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct notif_net n;
        char err[200] = "";
        if (notif_net_parse(bad[i], &n, err, sizeof err) == 0)
            fail_msg("'%s' was taken", bad[i]);
        assert_true(err[0] != '\0');
    }
}

static void test_config_lines(void **state)
{
    (void)state;
    struct ctl_config *c = load_ok("v3user lamonadmin sha authpass1 aes privpass1\n"
                                   "listen 127.0.0.1:16200\n"
                                   "accept 127.0.0.0/8 community lamontrap\n"
                                   "accept 2001:db8::/32 v3 lamonadmin\n");
    assert_true(c->notif->listen);
    assert_int_equal(c->notif->listen_port, 16200);
    assert_int_equal(c->notif->listen_addr.ss_family, AF_INET);
    assert_int_equal(c->notif->naccepts, 2);
    assert_false(c->notif->accepts[0].v3);
    assert_string_equal(c->notif->accepts[0].community, "lamontrap");
    assert_int_equal(c->notif->accepts[0].net.prefix, 8);
    assert_true(c->notif->accepts[1].v3);
    assert_string_equal(c->notif->accepts[1].user, "lamonadmin");
    assert_int_equal(c->notif->accepts[1].net.af, AF_INET6);
    assert_int_equal(c->notif->accepts[0].port, 161);     /* registered agents' SNMP port, by default */
    assert_int_equal(c->notif->accepts[1].port, 161);
    assert_int_equal(c->register_max, 4096);
    assert_int_equal(c->register_window_ms, 0);
    ctl_config_free(c);

    c = load_ok("v3user lamonadmin sha authpass1 aes privpass1\n"
                "accept 127.0.0.0/8 community lamontrap port 1161\n"
                "accept ::1/128 v3 lamonadmin port 65535\n"
                "register_max 0\nregister_window 5000\n");
    assert_int_equal(c->notif->accepts[0].port, 1161);
    assert_int_equal(c->notif->accepts[1].port, 65535);
    assert_int_equal(c->register_max, 0);
    assert_int_equal(c->register_window_ms, 5000);
    ctl_config_free(c);

    c = load_ok("listen [::1]\n");                        /* port 162 by default */
    assert_int_equal(c->notif->listen_port, 162);
    assert_int_equal(c->notif->listen_addr.ss_family, AF_INET6);
    ctl_config_free(c);

    c = load_ok("interval 1000\n");                       /* no listen line: no receiver */
    assert_false(c->notif->listen);
    assert_int_equal(c->notif->naccepts, 0);
    ctl_config_free(c);
}

static void test_config_errors(void **state)
{
    (void)state;
    load_bad("interval 1000\nlisten\n", 2, "listen");   /* Net-SNMP: "Blank line following listen token" */
    load_bad("listen 127.0.0.1:1 127.0.0.2:2\n", 1, "listen needs one ADDRESS");
    load_bad("listen 127.0.0.1:70000\n", 1, "cannot use address '127.0.0.1:70000'");
    load_bad("listen 127.0.0.1:1\nlisten 127.0.0.1:2\n", 2, "listen is given twice");
    load_bad("\naccept 127.0.0.0/8\n", 2, "accept needs NETWORK/PREFIX community C");
    load_bad("accept 127.0.0.0/8 public x\n", 1, "accept needs NETWORK/PREFIX community C");
    load_bad("accept 127.0.0.0/8 community a b\n", 1, "accept needs NETWORK/PREFIX community C");
    load_bad("accept 127.0.0.0/8 community a port\n", 1, "accept needs NETWORK/PREFIX community C [port P]");
    load_bad("accept 127.0.0.0/8 community a port 0\n", 1, "expected 'port P' (1 to 65535) after the community");
    load_bad("accept 127.0.0.0/8 community a port 65536\n", 1, "expected 'port P' (1 to 65535)");
    load_bad("accept 127.0.0.0/8 community a prt 161\n", 1, "got 'prt 161'");
    load_bad("accept 127.0.0.0/8 community a port 1 2\n", 1, "accept needs NETWORK/PREFIX community C");
    load_bad("register_max -1\n", 1, "register_max");
    load_bad("register_window 0\n", 1, "register_window");
    load_bad("accept 127.0.0.1/8 community x\n", 1, "bits set beyond the /8 prefix");
    load_bad("accept 127.0.0.0/33 community x\n", 1, "prefix must be a number from 0 to 32");
    load_bad("accept ::/200 community x\n", 1, "prefix must be a number from 0 to 128");
    load_bad("accept example.com/24 community x\n", 1, "not a numeric IPv4 or IPv6 address");
    /* a v3 user is a declared v3user, declared above */
    load_bad("accept 127.0.0.0/8 v3 lamonadmin\nv3user lamonadmin sha authpass1 aes privpass1\n", 1,
             "v3user 'lamonadmin' is not declared above");
    load_bad("accept 127.0.0.0/8 community "
             "01234567890123456789012345678901234567890123456789012345678901234\n",
             1, "community is 65 characters long; at most 64");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4),
        cmocka_unit_test(test_v6),
        cmocka_unit_test(test_v4_mapped),
        cmocka_unit_test(test_bad_networks),
        cmocka_unit_test(test_config_lines),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
