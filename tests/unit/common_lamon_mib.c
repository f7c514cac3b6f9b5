/* Unit test of common/lamon_mib.c, the LAMON-MIB index codecs both the
 * agent and the controller use: round trips for lamonVsTable (IPv4, IPv6,
 * fwmark), lamonDestTable, lamonOpTable, lamonAppTable and lamonKernelTable
 * indexes; every truncation and every sub-identifier out of range is
 * refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "lamon_mib.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct lamon_vs_key vs(uint16_t af, uint16_t proto, const char *addr, uint16_t port)
{
    struct lamon_vs_key k;
    memset(&k, 0, sizeof k);
    k.af = af;
    k.protocol = proto;
    k.port = port;
    inet_pton(af, addr, k.addr);
    return k;
}

static struct lamon_dest_key dest(uint16_t af, const char *addr, uint16_t port)
{
    struct lamon_dest_key d;
    memset(&d, 0, sizeof d);
    d.af = af;
    d.port = port;
    inet_pton(af, addr, d.addr);
    return d;
}

/* Every proper prefix of a valid index is refused. */
static void assert_prefixes_refused(const oid *idx, size_t n, int dests)
{
    struct lamon_vs_key k;
    struct lamon_dest_key d;
    for (size_t len = 0; len < n; len++)
        assert_int_equal(dests ? lamon_dest_index_decode(idx, len, &k, &d) : lamon_vs_index_decode(idx, len, &k),
                         0);
}

static void root(void **state)
{
    (void)state;
    const oid r[] = { LAMON_ROOT }, want[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 9999 };
    assert_int_equal(N(r), LAMON_ROOT_LEN);
    assert_memory_equal(r, want, sizeof want);
    const oid dest_entry[] = { LAMON_DEST_ENTRY }, app_entry[] = { LAMON_APP_ENTRY }, op_entry[] = { LAMON_OP_ENTRY };
    assert_int_equal(N(dest_entry), LAMON_IPVS_ENTRY_LEN);
    assert_int_equal(N(app_entry), LAMON_APP_ENTRY_LEN);
    assert_int_equal(N(op_entry), LAMON_OP_ENTRY_LEN);
    assert_int_equal(dest_entry[LAMON_ROOT_LEN + 2], 2);
    assert_int_equal(op_entry[LAMON_ROOT_LEN + 1], 4);
}

static void vs_v4_round_trip(void **state)
{
    (void)state;
    struct lamon_vs_key k = vs(AF_INET, IPPROTO_TCP, "10.0.0.1", 80), back;
    oid idx[LAMON_VS_IDX_MAX];
    size_t n = lamon_vs_index_encode(&k, idx);
    const oid want[] = { 6, 1, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(n, N(want));
    assert_memory_equal(idx, want, sizeof want);
    assert_int_equal(lamon_vs_index_decode(idx, n, &back), n);
    assert_memory_equal(&back, &k, sizeof k);
    assert_prefixes_refused(idx, n, 0);
}

static void vs_v6_round_trip(void **state)
{
    (void)state;
    struct lamon_vs_key k = vs(AF_INET6, IPPROTO_SCTP, "2001:db8::1", 65535), back;
    oid idx[LAMON_VS_IDX_MAX];
    size_t n = lamon_vs_index_encode(&k, idx);
    assert_int_equal(n, LAMON_VS_IDX_MAX);
    assert_int_equal(idx[0], 132);
    assert_int_equal(idx[1], 2);
    assert_int_equal(idx[2], 16);
    assert_int_equal(idx[3], 0x20);
    assert_int_equal(idx[18], 1);
    assert_int_equal(idx[19], 65535);
    assert_int_equal(lamon_vs_index_decode(idx, n, &back), n);
    assert_memory_equal(&back, &k, sizeof k);
    assert_prefixes_refused(idx, n, 0);
}

static void vs_fwmark_round_trip(void **state)
{
    (void)state;
    struct lamon_vs_key k = { .af = AF_INET6, .fwmark = 0xffffffffu }, back;
    oid idx[LAMON_VS_IDX_MAX];
    size_t n = lamon_vs_index_encode(&k, idx);
    assert_int_equal(n, 21);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[20], 0xffffffffu);
    assert_int_equal(lamon_vs_index_decode(idx, n, &back), n);
    assert_memory_equal(&back, &k, sizeof k);
    /* a key with a mark encodes neither protocol nor port */
    k.protocol = IPPROTO_TCP;
    k.port = 80;
    n = lamon_vs_index_encode(&k, idx);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[19], 0);
}

static void fwmark_rules(void **state)
{
    (void)state;
    struct lamon_vs_key k;
    const oid good[] = { 0, 1, 4, 0, 0, 0, 0, 0, 42 };
    assert_int_equal(lamon_vs_index_decode(good, N(good), &k), N(good));
    assert_int_equal(k.fwmark, 42);
    assert_int_equal(k.af, AF_INET);
    const oid no_mark[] = { 0, 1, 4, 0, 0, 0, 0, 0, 0 };       /* fwmark(0) needs a mark */
    assert_int_equal(lamon_vs_index_decode(no_mark, N(no_mark), &k), 0);
    const oid with_addr[] = { 0, 1, 4, 10, 0, 0, 1, 0, 42 };   /* and no address */
    assert_int_equal(lamon_vs_index_decode(with_addr, N(with_addr), &k), 0);
    const oid with_port[] = { 0, 1, 4, 0, 0, 0, 0, 80, 42 };   /* and no port */
    assert_int_equal(lamon_vs_index_decode(with_port, N(with_port), &k), 0);
    const oid tcp_mark[] = { 6, 1, 4, 10, 0, 0, 1, 80, 42 };   /* tcp with a mark */
    assert_int_equal(lamon_vs_index_decode(tcp_mark, N(tcp_mark), &k), 0);
}

static void vs_out_of_range(void **state)
{
    (void)state;
    struct lamon_vs_key k;
    const oid bad_proto[] = { 7, 1, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(bad_proto, N(bad_proto), &k), 0);
    const oid huge_proto[] = { 6 + 65536, 1, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(huge_proto, N(huge_proto), &k), 0);
    const oid bad_type[] = { 6, 3, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(bad_type, N(bad_type), &k), 0);
    const oid type0[] = { 6, 0, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(type0, N(type0), &k), 0);
    const oid big_byte[] = { 6, 1, 4, 256, 0, 0, 1, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(big_byte, N(big_byte), &k), 0);
    const oid big_port[] = { 6, 1, 4, 10, 0, 0, 1, 65536, 0 };
    assert_int_equal(lamon_vs_index_decode(big_port, N(big_port), &k), 0);
#if ULONG_MAX > 0xffffffffUL
    const oid big_mark[] = { 0, 1, 4, 0, 0, 0, 0, 0, 0x100000000UL };
    assert_int_equal(lamon_vs_index_decode(big_mark, N(big_mark), &k), 0);
#endif
}

static void bad_lengths(void **state)
{
    (void)state;
    struct lamon_vs_key k;
    struct lamon_dest_key d;
    /* the length must be the type's: 16 for ipv4, 4 for ipv6, 0 for either */
    const oid v4_16[] = { 6, 1, 16, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(v4_16, N(v4_16), &k), 0);
    const oid v6_4[] = { 6, 2, 4, 10, 0, 0, 1, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(v6_4, N(v6_4), &k), 0);
    const oid v4_0[] = { 6, 1, 0, 80, 0 };
    assert_int_equal(lamon_vs_index_decode(v4_0, N(v4_0), &k), 0);
    const oid short_idx[] = { 6, 1, 4, 10, 0 };
    assert_int_equal(lamon_vs_index_decode(short_idx, N(short_idx), &k), 0);
    /* a service index says how much it uses; trailing sub-ids are the caller's */
    const oid longer[] = { 6, 1, 4, 10, 0, 0, 1, 80, 0, 99 };
    assert_int_equal(lamon_vs_index_decode(longer, N(longer), &k), 9);
    /* a destination part with a wrong length */
    const oid dest_v4_16[] = { 6, 1, 4, 10, 0, 0, 1, 80, 0, 1, 16, 192, 168, 1, 5, 8080 };
    assert_int_equal(lamon_dest_index_decode(dest_v4_16, N(dest_v4_16), &k, &d), 0);
    const oid dest_no_port[] = { 6, 1, 4, 10, 0, 0, 1, 80, 0, 1, 4, 192, 168, 1, 5 };
    assert_int_equal(lamon_dest_index_decode(dest_no_port, N(dest_no_port), &k, &d), 0);
}

static void dest_v4_round_trip(void **state)
{
    (void)state;
    struct lamon_vs_key k = vs(AF_INET, IPPROTO_TCP, "10.0.0.1", 80), k2;
    struct lamon_dest_key d = dest(AF_INET, "192.168.1.5", 8080), d2;
    oid idx[LAMON_DEST_IDX_MAX];
    size_t n = lamon_dest_index_encode(&k, &d, idx);
    /* the index t_cacti.sh walks: lamonDestWeight.6.1.4.10.0.0.1.80.0.1.4.192.168.1.5.8080 */
    const oid want[] = { 6, 1, 4, 10, 0, 0, 1, 80, 0, 1, 4, 192, 168, 1, 5, 8080 };
    assert_int_equal(n, N(want));
    assert_memory_equal(idx, want, sizeof want);
    assert_int_equal(lamon_dest_index_decode(idx, n, &k2, &d2), n);
    assert_memory_equal(&k2, &k, sizeof k);
    assert_memory_equal(&d2, &d, sizeof d);
    assert_prefixes_refused(idx, n, 1);
}

static void dest_v6_round_trip(void **state)
{
    (void)state;
    struct lamon_vs_key k = vs(AF_INET6, IPPROTO_UDP, "2001:db8::1", 53), k2;
    struct lamon_dest_key d = dest(AF_INET6, "2001:db8::10", 5353), d2;
    oid idx[LAMON_DEST_IDX_MAX];
    size_t n = lamon_dest_index_encode(&k, &d, idx);
    assert_int_equal(n, LAMON_DEST_IDX_MAX);
    assert_int_equal(lamon_dest_index_decode(idx, n, &k2, &d2), n);
    assert_memory_equal(&k2, &k, sizeof k);
    assert_memory_equal(&d2, &d, sizeof d);
    assert_prefixes_refused(idx, n, 1);
    idx[LAMON_DEST_IDX_MAX - 2] = 256;         /* a byte of the destination */
    assert_int_equal(lamon_dest_index_decode(idx, n, &k2, &d2), 0);
    idx[LAMON_DEST_IDX_MAX - 2] = 0x10;
    idx[LAMON_DEST_IDX_MAX - 1] = 65536;       /* the destination's port */
    assert_int_equal(lamon_dest_index_decode(idx, n, &k2, &d2), 0);
}

static void dest_of_fwmark_service(void **state)
{
    (void)state;
    struct lamon_vs_key k = { .af = AF_INET, .fwmark = 7 }, k2;
    struct lamon_dest_key d = dest(AF_INET6, "::1", 0), d2;     /* families may differ */
    oid idx[LAMON_DEST_IDX_MAX];
    size_t n = lamon_dest_index_encode(&k, &d, idx);
    assert_int_equal(n, 9 + 2 + 16 + 1);
    assert_int_equal(lamon_dest_index_decode(idx, n, &k2, &d2), n);
    assert_memory_equal(&k2, &k, sizeof k);
    assert_memory_equal(&d2, &d, sizeof d);
}

static void sockaddr_keys(void **state)
{
    (void)state;
    struct sockaddr_storage ss, back;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(443);
    inet_pton(AF_INET6, "2001:db8::5", &sin6->sin6_addr);
    struct lamon_dest_key d;
    lamon_dest_key_from_sa(&d, &ss);
    struct lamon_dest_key want = dest(AF_INET6, "2001:db8::5", 443);
    assert_memory_equal(&d, &want, sizeof d);
    lamon_dest_key_to_sa(&d, &back);
    assert_memory_equal(&back, &ss, sizeof ss);

    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(80);
    inet_pton(AF_INET, "10.0.0.1", &sin->sin_addr);
    struct lamon_vs_key k;
    lamon_vs_key_from_sa(&k, IPPROTO_TCP, &ss);
    struct lamon_vs_key kwant = vs(AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
    assert_memory_equal(&k, &kwant, sizeof k);

    ss.ss_family = AF_UNIX;                    /* no address of LAMON-MIB */
    lamon_dest_key_from_sa(&d, &ss);
    assert_int_equal(d.af, 0);
}

static void op_index(void **state)
{
    (void)state;
    oid idx[1];
    unsigned i = 0;
    assert_int_equal(lamon_op_index_encode(4242, idx), 1);
    assert_int_equal(idx[0], 4242);
    assert_int_equal(lamon_op_index_decode(idx, 1, &i), 1);
    assert_int_equal(i, 4242);
    idx[0] = UINT_MAX;
    assert_int_equal(lamon_op_index_decode(idx, 1, &i), 1);
    assert_int_equal(i, UINT_MAX);
    idx[0] = 0;                                /* lamonOpIndex is 1.. */
    assert_int_equal(lamon_op_index_decode(idx, 1, &i), 0);
#if ULONG_MAX > 0xffffffffUL
    idx[0] = (oid)UINT_MAX + 1;
    assert_int_equal(lamon_op_index_decode(idx, 1, &i), 0);
#endif
    const oid two[] = { 1, 2 };
    assert_int_equal(lamon_op_index_decode(two, 2, &i), 0);
    assert_int_equal(lamon_op_index_decode(two, 0, &i), 0);
}

static void app_index(void **state)
{
    (void)state;
    oid idx[64];
    char name[8];
    size_t n = lamon_app_index_encode("web", idx, N(idx));
    const oid want[] = { 119, 101, 98 };
    assert_int_equal(n, 3);
    assert_memory_equal(idx, want, sizeof want);
    assert_int_equal(lamon_app_index_decode(idx, n, name, sizeof name), 3);
    assert_string_equal(name, "web");
    /* encode stops at MAX */
    assert_int_equal(lamon_app_index_encode("abcdef", idx, 4), 4);
    /* decode: a name and its NUL must fit; empty refused; printable only */
    assert_int_equal(lamon_app_index_encode("1234567", idx, N(idx)), 7);
    assert_int_equal(lamon_app_index_decode(idx, 7, name, sizeof name), 7);
    assert_int_equal(lamon_app_index_decode(idx, 8, name, sizeof name), 0);
    assert_int_equal(lamon_app_index_decode(idx, 0, name, sizeof name), 0);
    idx[1] = 10;
    assert_int_equal(lamon_app_index_decode(idx, 3, name, sizeof name), 0);
    idx[1] = 127;
    assert_int_equal(lamon_app_index_decode(idx, 3, name, sizeof name), 0);
    idx[1] = 256 + 'a';
    assert_int_equal(lamon_app_index_decode(idx, 3, name, sizeof name), 0);
}

/* lamonKernelTable: the same IMPLIED LamonName rules, with a release. */
static void kernel_index(void **state)
{
    (void)state;
    oid idx[80];
    char rel[65];
    size_t n = lamon_kernel_index_encode("6.1.0-26-amd64", idx, N(idx));
    assert_int_equal(n, 14);
    assert_int_equal(idx[0], '6');
    assert_int_equal(idx[13], '4');
    assert_int_equal(lamon_kernel_index_decode(idx, n, rel, sizeof rel), 14);
    assert_string_equal(rel, "6.1.0-26-amd64");
    /* a release of 64 characters fits 65 bytes; one of 65 does not */
    for (size_t i = 0; i < 65; i++)
        idx[i] = 'a';
    assert_int_equal(lamon_kernel_index_decode(idx, 64, rel, sizeof rel), 64);
    assert_int_equal(lamon_kernel_index_decode(idx, 65, rel, sizeof rel), 0);
    assert_int_equal(lamon_kernel_index_decode(idx, 0, rel, sizeof rel), 0);
    idx[3] = 0;
    assert_int_equal(lamon_kernel_index_decode(idx, 5, rel, sizeof rel), 0);
    assert_int_equal(lamon_kernel_index_encode("6.1.0-26-amd64", idx, 5), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(root),
        cmocka_unit_test(vs_v4_round_trip),
        cmocka_unit_test(vs_v6_round_trip),
        cmocka_unit_test(vs_fwmark_round_trip),
        cmocka_unit_test(fwmark_rules),
        cmocka_unit_test(vs_out_of_range),
        cmocka_unit_test(bad_lengths),
        cmocka_unit_test(dest_v4_round_trip),
        cmocka_unit_test(dest_v6_round_trip),
        cmocka_unit_test(dest_of_fwmark_service),
        cmocka_unit_test(sockaddr_keys),
        cmocka_unit_test(op_index),
        cmocka_unit_test(app_index),
        cmocka_unit_test(kernel_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
