/* Unit test of the IPVS MIB's pure helpers: natural-key index codecs,
 * lamonVsFlags BITS, persistence netmask conversions, and the parsers of the
 * kernel's netlink replies (messages built with libnl as ip_vs_ctl.c builds
 * them).  No kernel needed. */
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

#include "../../subagent/ipvs_mib.h"

static void svc_v4_round_trip(void **state)
{
    (void)state;
    struct ipvs_svc_key k = { .af = AF_INET, .protocol = IPPROTO_TCP, .port = 80 };
    inet_pton(AF_INET, "10.0.0.1", k.addr);
    oid idx[IPVS_SVC_IDX_MAX];
    size_t n = ipvs_svc_index_encode(&k, idx);
    const oid want[] = { 6, 1, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(n, sizeof want / sizeof want[0]);
    assert_memory_equal(idx, want, sizeof want);
    struct ipvs_svc_key back;
    assert_int_equal(ipvs_svc_index_decode(idx, n, &back), n);
    assert_memory_equal(&back, &k, sizeof k);
}

static void dest_v6_round_trip(void **state)
{
    (void)state;
    struct ipvs_svc_key k = { .af = AF_INET6, .protocol = IPPROTO_UDP, .port = 53 };
    inet_pton(AF_INET6, "2001:db8::1", k.addr);
    struct ipvs_dest d = { .af = AF_INET6, .port = 5353 };
    inet_pton(AF_INET6, "2001:db8::10", d.addr);
    oid idx[IPVS_DEST_IDX_MAX];
    size_t n = ipvs_dest_index_encode(&k, &d, idx);
    assert_int_equal(n, 1 + 2 + 16 + 2 + 2 + 16 + 1);
    struct ipvs_svc_key k2;
    struct ipvs_dest d2;
    assert_int_equal(ipvs_dest_index_decode(idx, n, &k2, &d2), n);
    assert_memory_equal(&k2, &k, sizeof k);
    assert_int_equal(d2.af, AF_INET6);
    assert_memory_equal(d2.addr, d.addr, 16);
    assert_int_equal(d2.port, 5353);
}

static void fwmark_rules(void **state)
{
    (void)state;
    struct ipvs_svc_key k;
    const oid good[] = { 0, 1, 4, 0, 0, 0, 0, 0, 42 };
    assert_int_equal(ipvs_svc_index_decode(good, 9, &k), 9);
    assert_int_equal(k.fwmark, 42);
    const oid no_mark[] = { 0, 1, 4, 0, 0, 0, 0, 0, 0 };       /* fwmark(0) needs a mark */
    assert_int_equal(ipvs_svc_index_decode(no_mark, 9, &k), 0);
    const oid with_addr[] = { 0, 1, 4, 10, 0, 0, 1, 0, 42 };   /* and no address */
    assert_int_equal(ipvs_svc_index_decode(with_addr, 9, &k), 0);
    const oid tcp_mark[] = { 6, 1, 4, 10, 0, 0, 1, 80, 42 };   /* tcp with a mark */
    assert_int_equal(ipvs_svc_index_decode(tcp_mark, 9, &k), 0);
}

static void bad_indexes(void **state)
{
    (void)state;
    struct ipvs_svc_key k;
    const oid bad_proto[] = { 7, 1, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(ipvs_svc_index_decode(bad_proto, 9, &k), 0);
    const oid bad_len[] = { 6, 1, 16, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(ipvs_svc_index_decode(bad_len, 9, &k), 0);
    const oid bad_type[] = { 6, 3, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(ipvs_svc_index_decode(bad_type, 9, &k), 0);
    const oid big_byte[] = { 6, 1, 4, 256, 0, 0, 1, 80, 0 };
    assert_int_equal(ipvs_svc_index_decode(big_byte, 9, &k), 0);
    const oid big_port[] = { 6, 1, 4, 10, 0, 0, 1, 65536, 0 };
    assert_int_equal(ipvs_svc_index_decode(big_port, 9, &k), 0);
    const oid short_idx[] = { 6, 1, 4, 10, 0 };
    assert_int_equal(ipvs_svc_index_decode(short_idx, 5, &k), 0);
}

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
        cmocka_unit_test(svc_v4_round_trip),
        cmocka_unit_test(dest_v6_round_trip),
        cmocka_unit_test(fwmark_rules),
        cmocka_unit_test(bad_indexes),
        cmocka_unit_test(flags_bits),
        cmocka_unit_test(netmask),
        cmocka_unit_test(parse_service),
        cmocka_unit_test(parse_dest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
