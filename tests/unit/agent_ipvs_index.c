/* Unit test of the IPVS MIB's pure helpers: natural-key index codecs,
 * lamonVsFlags BITS, persistence netmask conversions.  No kernel needed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/ip_vs.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(svc_v4_round_trip),
        cmocka_unit_test(dest_v6_round_trip),
        cmocka_unit_test(fwmark_rules),
        cmocka_unit_test(bad_indexes),
        cmocka_unit_test(flags_bits),
        cmocka_unit_test(netmask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
