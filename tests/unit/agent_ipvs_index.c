/* Unit test of the IPVS MIB's pure helpers: lamonVsFlags BITS, persistence
 * netmask conversions, and the parsers of the kernel's netlink replies (messages built with libnl as ip_vs_ctl.c builds
 * them).  No kernel needed.  The index codecs are common/lamon_mib.c's,
 * tested in common_lamon_mib.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/ip_vs.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "../../subagent/ipvs_conv.h"
#include "../../subagent/ipvs_mib.h"

static void flags_bits(void **state)
{
    (void)state;
    assert_int_equal(ipvs_flags_to_bits(IP_VS_SVC_F_PERSISTENT), 0x80);
    assert_int_equal(ipvs_flags_to_bits(IP_VS_SVC_F_ONEPACKET | IP_VS_SVC_F_SCHED2), 0x50);
    assert_int_equal(ipvs_flags_to_bits(IP_VS_SVC_F_HASHED), 0);
    for (unsigned b = 0; b < 256; b += 8)
        assert_int_equal(ipvs_flags_to_bits(ipvs_bits_to_flags((uint8_t)b)), b);
}

static void netmask(void **state)
{
    (void)state;
    assert_int_equal(ipvs_prefix_to_netmask(AF_INET, 24), htonl(0xffffff00u));
    assert_int_equal(ipvs_prefix_to_netmask(AF_INET, 32), 0xffffffffu);
    assert_int_equal(ipvs_prefix_to_netmask(AF_INET, 0), 0);
    assert_int_equal(ipvs_netmask_to_prefix(AF_INET, htonl(0xffffff00u)), 24);
    assert_int_equal(ipvs_prefix_to_netmask(AF_INET6, 64), 64);
    assert_int_equal(ipvs_netmask_to_prefix(AF_INET6, 128), 128);
}

static struct nl_msg *reply(int cmd)
{
    struct nl_msg *m = nlmsg_alloc();
    assert_non_null(m);
    assert_non_null(genlmsg_put(m, 0, 0, 0x20, 0, NLM_F_MULTI, (uint8_t)cmd, IPVS_GENL_VERSION));
    return m;
}

static void parse_service(void **state)
{
    (void)state;
    struct nl_msg *m = reply(IPVS_CMD_NEW_SERVICE);
    struct nlattr *n = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
    uint8_t a[16] = { 0 };
    inet_pton(AF_INET6, "2001:db8::53", a);
    struct ip_vs_flags f = { IP_VS_SVC_F_ONEPACKET | IP_VS_SVC_F_HASHED, ~0u };
    nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET6);
    nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_UDP);
    nla_put(m, IPVS_SVC_ATTR_ADDR, 16, a);
    nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(53));
    nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "sh");
    nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof f, &f);
    nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, 0);
    nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, 64);
    struct nlattr *st = nla_nest_start(m, IPVS_SVC_ATTR_STATS64);
    nla_put_u64(m, IPVS_STATS_ATTR_CONNS, 5000000000ull);
    nla_put_u64(m, IPVS_STATS_ATTR_OUTBPS, 7);
    nla_nest_end(m, st);
    nla_nest_end(m, n);
    struct ipvs_service s;
    assert_int_equal(ipvs_nl_parse_service(nlmsg_hdr(m), &s), 0);
    assert_int_equal(s.key.af, AF_INET6);
    assert_int_equal(s.key.protocol, IPPROTO_UDP);
    assert_memory_equal(s.key.addr, a, 16);
    assert_int_equal(s.key.port, 53);
    assert_string_equal(s.sched, "sh");
    assert_int_equal(s.flags, IP_VS_SVC_F_ONEPACKET);
    assert_int_equal(s.prefix, 64);
    assert_true(s.stats.conns == 5000000000ull);
    assert_true(s.stats.outbps == 7);
    nlmsg_free(m);

    /* no valid key: protocol 0 without a fwmark, an address short of its family */
    const struct { uint16_t af, proto; int alen; } bad[] = {
        { AF_INET, 0, 16 }, { AF_INET, 99, 16 }, { AF_INET6, IPPROTO_TCP, 4 }, { 3, IPPROTO_TCP, 16 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = reply(IPVS_CMD_NEW_SERVICE);
        n = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
        nla_put_u16(m, IPVS_SVC_ATTR_AF, bad[i].af);
        nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, bad[i].proto);
        nla_put(m, IPVS_SVC_ATTR_ADDR, bad[i].alen, a);
        nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(80));
        nla_nest_end(m, n);
        assert_int_equal(ipvs_nl_parse_service(nlmsg_hdr(m), &s), -EINVAL);
        nlmsg_free(m);
    }
    /* a scheduler name without its NUL, or too long for IPVS */
    for (int i = 0; i < 2; i++) {
        m = reply(IPVS_CMD_NEW_SERVICE);
        n = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
        nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
        nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 1);
        if (i == 0)
            nla_put(m, IPVS_SVC_ATTR_SCHED_NAME, 2, "rr");
        else
            nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "abcdefghijklmnopq");
        nla_nest_end(m, n);
        assert_int_equal(ipvs_nl_parse_service(nlmsg_hdr(m), &s), -EINVAL);
        nlmsg_free(m);
    }
}

static void parse_dest(void **state)
{
    (void)state;
    uint8_t a[16] = { 0 };
    inet_pton(AF_INET, "192.168.60.2", a);
    for (int with_family = 0; with_family < 2; with_family++) {
        struct nl_msg *m = reply(IPVS_CMD_NEW_DEST);
        struct nlattr *n = nla_nest_start(m, IPVS_CMD_ATTR_DEST);
        nla_put(m, IPVS_DEST_ATTR_ADDR, 16, a);
        nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(8080));
        nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_MASQ);
        nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, 3);
        nla_put_u32(m, IPVS_DEST_ATTR_ACTIVE_CONNS, 4);
        if (with_family)
            nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
        struct nlattr *st = nla_nest_start(m, IPVS_DEST_ATTR_STATS);
        nla_put_u32(m, IPVS_STATS_ATTR_CONNS, 9);
        nla_put_u64(m, IPVS_STATS_ATTR_INBYTES, 1ull << 40);
        nla_nest_end(m, st);
        nla_nest_end(m, n);
        struct ipvs_dest d;
        /* without a family attribute the destination has the service's */
        assert_int_equal(ipvs_nl_parse_dest(nlmsg_hdr(m), AF_INET, &d), 0);
        assert_int_equal(d.af, AF_INET);
        assert_memory_equal(d.addr, a, 4);
        assert_int_equal(d.port, 8080);
        assert_int_equal(d.fwd, IP_VS_CONN_F_MASQ);
        assert_int_equal(d.weight, 3);
        assert_int_equal(d.active, 4);
        assert_true(d.stats.conns == 9 && d.stats.inbytes == 1ull << 40);
        assert_int_equal(ipvs_nl_parse_dest(nlmsg_hdr(m), 0, &d), with_family ? 0 : -EINVAL);
        nlmsg_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flags_bits),
        cmocka_unit_test(netmask),
        cmocka_unit_test(parse_service),
        cmocka_unit_test(parse_dest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
