/* cmocka: the monitor <-> worker message codec (subagent/priv_proto.c).
 * What the root monitor decodes comes from the unprivileged worker, so the
 * decoder must refuse everything it cannot check: unknown types, wrong
 * lengths, unterminated or over-long strings, garbage after a string's
 * NUL, enumerations out of range; and what it accepts must encode back to
 * the same bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "../../subagent/op_table.h"
#include "../../subagent/priv_proto.h"

static size_t enc(const struct priv_msg *m, uint8_t *buf)
{
    size_t n = priv_encode(m, buf);
    assert_true(n >= PRIV_HDR_LEN);
    return n;
}

static void refused(const uint8_t *buf, size_t len, const char *want_why)
{
    struct priv_msg m;
    const char *why = NULL;
    assert_int_equal(priv_decode(buf, len, &m, &why), -1);
    assert_non_null(why);
    assert_string_equal(why, want_why);
    assert_int_equal(m.type, 0);   /* nothing half-decoded */
}

/* Every type round-trips: encode, decode, encode gives the same bytes. */
static void round_trips(void **state)
{
    (void)state;
    struct priv_msg m[6];
    priv_msg_init(&m[0], PM_RUN_OP);
    m[0].u.run_op.index = 42;
    m[0].u.run_op.type = OPT_PKG_INSTALL;
    strcpy(m[0].u.run_op.arg, "hello=2.10-3");
    priv_msg_init(&m[1], PM_OP_DONE);
    m[1].u.op.index = 42;
    m[1].u.op.type = OPT_PKG_INSTALL;
    m[1].u.op.status = OPS_FAILED;
    m[1].u.op.exit_code = 100;
    m[1].u.op.start_time = 1700000000;
    m[1].u.op.end_time = 1700000009;
    strcpy(m[1].u.op.arg, "hello=2.10-3");
    m[1].u.op.outlen = 6;
    memcpy(m[1].u.op.out, "E: no\n", 6);
    priv_msg_init(&m[2], PM_IPVS_DEST);
    m[2].u.ipvs_dest.cmd = PRIV_IPVS_EDIT;
    m[2].u.ipvs_dest.key.af = AF_INET;
    m[2].u.ipvs_dest.key.protocol = IPPROTO_TCP;
    m[2].u.ipvs_dest.key.port = 80;
    m[2].u.ipvs_dest.dest.af = AF_INET;
    m[2].u.ipvs_dest.dest.weight = 7;
    m[2].u.ipvs_dest.dest.stats.inbytes = 1ULL << 40;
    priv_msg_init(&m[3], PM_WRITE_STATE);
    m[3].u.write_state.state = NSTATE_RUNNING;
    m[3].u.write_state.role = ROLE_SPARE;
    strcpy(m[3].u.write_state.service, "web");
    priv_msg_init(&m[4], PM_AGENTX);
    priv_msg_init(&m[5], PM_IPVS_SVC_ENTRY);
    m[5].u.svc_entry.svc.key.af = AF_INET6;
    m[5].u.svc_entry.svc.key.fwmark = 9;
    strcpy(m[5].u.svc_entry.svc.sched, "wrr");
    m[5].u.svc_entry.ndests = 3000;
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        uint8_t a[PRIV_MSG_MAX], b[PRIV_MSG_MAX];
        size_t n = enc(&m[i], a);
        struct priv_msg d;
        const char *why;
        assert_int_equal(priv_decode(a, n, &d, &why), 0);
        assert_memory_equal(&d, &m[i], sizeof d);
        assert_int_equal(enc(&d, b), n);
        assert_memory_equal(a, b, n);
    }
}

static void unknown_types(void **state)
{
    (void)state;
    uint16_t hdr[2] = { 0, 0 };
    refused((uint8_t *)hdr, sizeof hdr, "unknown message type");
    hdr[0] = PM_TYPE_MAX + 1;
    refused((uint8_t *)hdr, sizeof hdr, "unknown message type");
    hdr[0] = 0xffff;
    refused((uint8_t *)hdr, sizeof hdr, "unknown message type");
    refused((uint8_t *)hdr, 3, "shorter than a header");
    struct priv_msg m;
    uint8_t buf[PRIV_MSG_MAX];
    priv_msg_init(&m, PM_TYPE_MAX + 1);
    assert_int_equal(priv_encode(&m, buf), 0);
}

static void wrong_lengths(void **state)
{
    (void)state;
    struct priv_msg m;
    uint8_t buf[PRIV_MSG_MAX + 8];
    priv_msg_init(&m, PM_CHECK_APP);
    size_t n = enc(&m, buf);
    /* the header's length disagrees with the datagram */
    refused(buf, n - 1, "length does not match the header");
    refused(buf, n + 1, "length does not match the header");
    /* header and datagram agree, but not with the type */
    uint16_t hdr[2] = { PM_CHECK_APP, (uint16_t)(n - PRIV_HDR_LEN - 1) };
    memcpy(buf, hdr, sizeof hdr);
    refused(buf, n - 1, "wrong body length for its type");
    hdr[1] = (uint16_t)(n - PRIV_HDR_LEN + 1);
    memcpy(buf, hdr, sizeof hdr);
    buf[n] = 0;
    refused(buf, n + 1, "wrong body length for its type");
    /* a type without a body, with one byte */
    uint8_t agentx[5] = { PM_AGENTX, 0, 1, 0, 0 };
    refused(agentx, sizeof agentx, "wrong body length for its type");
}

static void bad_strings(void **state)
{
    (void)state;
    struct priv_msg m;
    uint8_t buf[PRIV_MSG_MAX];
    priv_msg_init(&m, PM_RUN_OP);
    m.u.run_op.index = 1;
    m.u.run_op.type = OPT_APP_START;
    strcpy(m.u.run_op.arg, "web");
    size_t n = enc(&m, buf);
    size_t arg_at = PRIV_HDR_LEN + 8;
    /* over-long: no NUL in the 129 bytes */
    memset(buf + arg_at, 'a', LAMON_OP_ARG_MAX + 1);
    refused(buf, n, "argument unterminated or over-long");
    /* 128 characters and the NUL are fine */
    buf[arg_at + LAMON_OP_ARG_MAX] = '\0';
    struct priv_msg d;
    const char *why;
    assert_int_equal(priv_decode(buf, n, &d, &why), 0);
    assert_int_equal(strlen(d.u.run_op.arg), LAMON_OP_ARG_MAX);
    /* something hidden after the NUL */
    n = enc(&m, buf);
    buf[arg_at + 10] = 'x';
    refused(buf, n, "argument unterminated or over-long");
    /* the service of WRITE_STATE */
    priv_msg_init(&m, PM_WRITE_STATE);
    n = enc(&m, buf);
    memset(buf + PRIV_HDR_LEN + 8, 's', PRIV_SERVICE_MAX + 1);
    refused(buf, n, "service unterminated or over-long");
    /* an IPVS scheduler name */
    priv_msg_init(&m, PM_IPVS_SVC);
    m.u.ipvs_svc.cmd = PRIV_IPVS_ADD;
    m.u.ipvs_svc.svc.key.af = AF_INET;
    strcpy(m.u.ipvs_svc.svc.sched, "rr");
    n = enc(&m, buf);
    size_t sched_at = PRIV_HDR_LEN + 4 + 2 + 2 + 16 + 2 + 4;
    memset(buf + sched_at, 'r', IPVS_SCHED_MAX + 1);
    refused(buf, n, "bad IPVS service");
    /* an operation output longer than it says */
    priv_msg_init(&m, PM_OP_STATE);
    m.u.op.index = 1;
    m.u.op.type = OPT_REBOOT;
    m.u.op.status = OPS_RUNNING;
    m.u.op.outlen = 2;
    memcpy(m.u.op.out, "ok", 2);
    n = enc(&m, buf);
    buf[n - 1] = 'z';
    refused(buf, n, "bad operation row");
    m.u.op.outlen = OP_OUTPUT_MAX + 1;
    assert_int_equal(priv_encode(&m, buf), 0);
}

static void enums_out_of_range(void **state)
{
    (void)state;
    struct priv_msg m;
    uint8_t buf[PRIV_MSG_MAX];
    const long bad_types[] = { 0, OPT_PKG_REMOVE + 1, -1, 0x7fffffff };
    for (size_t i = 0; i < sizeof bad_types / sizeof bad_types[0]; i++) {
        priv_msg_init(&m, PM_RUN_OP);
        m.u.run_op.index = 1;
        m.u.run_op.type = OPT_APP_START;
        size_t n = enc(&m, buf);
        uint32_t t = (uint32_t)bad_types[i];
        memcpy(buf + PRIV_HDR_LEN + 4, &t, 4);
        refused(buf, n, "operation type out of range");
    }
    priv_msg_init(&m, PM_WRITE_STATE);
    m.u.write_state.state = NSTATE_STOPPING + 1;
    assert_int_equal(priv_encode(&m, buf), 0);
    m.u.write_state.state = 1;
    m.u.write_state.role = -1;
    assert_int_equal(priv_encode(&m, buf), 0);
    m.u.write_state.role = ROLE_DIRECTOR;
    size_t n = enc(&m, buf);
    int32_t role = ROLE_DIRECTOR + 1;
    memcpy(buf + PRIV_HDR_LEN + 4, &role, 4);
    refused(buf, n, "state or role out of range");
    priv_msg_init(&m, PM_IPVS_SVC);
    m.u.ipvs_svc.cmd = PRIV_IPVS_DEL;
    m.u.ipvs_svc.svc.key.af = AF_INET;
    n = enc(&m, buf);
    uint32_t cmd = PRIV_IPVS_DEL + 1;
    memcpy(buf + PRIV_HDR_LEN, &cmd, 4);
    refused(buf, n, "IPVS command out of range");
    uint16_t af = AF_UNIX;
    memcpy(buf + PRIV_HDR_LEN, &m.u.ipvs_svc.cmd, 4);
    memcpy(buf + PRIV_HDR_LEN + 4, &af, 2);
    refused(buf, n, "bad IPVS service");
    priv_msg_init(&m, PM_IPVS_DEST);
    m.u.ipvs_dest.cmd = PRIV_IPVS_ADD;
    m.u.ipvs_dest.key.af = AF_INET;
    m.u.ipvs_dest.dest.af = AF_INET;
    m.u.ipvs_dest.dest.weight = -1;
    assert_int_equal(priv_encode(&m, buf), 0);
    priv_msg_init(&m, PM_OP_DONE);
    m.u.op.index = 1;
    m.u.op.type = OPT_REBOOT;
    m.u.op.status = OPS_FAILED + 1;
    assert_int_equal(priv_encode(&m, buf), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(unknown_types),
        cmocka_unit_test(wrong_lengths),
        cmocka_unit_test(bad_strings),
        cmocka_unit_test(enums_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
