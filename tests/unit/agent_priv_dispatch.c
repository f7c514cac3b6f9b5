/* cmocka: the worker cannot make the monitor run an arbitrary command.
 *
 * This program plays a (compromised) worker against the monitor's real
 * dispatcher (subagent/priv_dispatch.c, with the real op_table, op_runner,
 * planners and validators) over a real socketpair: it writes crafted
 * datagrams on the worker's end, and the monitor's end is read and handed
 * to priv_dispatch_msg exactly as priv_monitor.c does.  Every crafted
 * message must be refused and logged ("priv: refused"), no operation may
 * be recorded, and no command may run: each configured command would
 * create a marker file.  A well-formed request at the end proves the
 * markers do appear when something runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <event2/event.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../subagent/agent_config.h"
#include "../../subagent/op_table.h"
#include "../../subagent/priv_dispatch.h"
#include "../../subagent/priv_io.h"
#include "../../subagent/priv_proto.h"

static struct event_base *base;
static int sv[2] = { -1, -1 };          /* [0] the monitor's end, [1] the worker's */
static char dir[] = "/tmp/lamon-priv-XXXXXX";
static char conf[4200], marker_app[4200], marker_apt[4200], marker_check[4200], marker_meta[4200];
static int refusals;                    /* "priv: refused" lines logged */

static int on_log(int major, int minor, void *server, void *client)
{
    (void)major, (void)minor, (void)client;
    const struct snmp_log_message *m = server;
    if (m && m->msg && strstr(m->msg, "priv: refused"))
        refusals++;
    return 0;
}

/* The worker's end sends raw bytes; the monitor's end takes one datagram
 * and dispatches it, as priv_monitor.c's on_read does. */
static void deliver_raw(const void *buf, size_t len)
{
    assert_int_equal(send(sv[1], buf, len, 0), (ssize_t)len);
    uint8_t in[PRIV_MSG_MAX];
    long n = priv_recv(sv[0], in, NULL);
    assert_true(n > 0);
    assert_int_equal(priv_dispatch_msg(in, (size_t)n), 0);
}

static void deliver(const struct priv_msg *m)
{
    uint8_t buf[PRIV_MSG_MAX];
    size_t len = priv_encode(m, buf);
    assert_true(len > 0);
    deliver_raw(buf, len);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Nothing ran, nothing was recorded, one more refusal was logged. */
static void assert_refused(int before)
{
    assert_int_equal(refusals, before + 1);
    assert_int_equal(op_table_count(), 0);
    assert_false(exists(marker_app));
    assert_false(exists(marker_apt));
    assert_false(exists(marker_check));
    assert_false(exists(marker_meta));
}

static void run_op(uint32_t index, uint32_t type, const char *arg)
{
    struct priv_msg m;
    priv_msg_init(&m, PM_RUN_OP);
    m.u.run_op.index = index;
    m.u.run_op.type = type;
    snprintf(m.u.run_op.arg, sizeof m.u.run_op.arg, "%s", arg);
    int before = refusals;
    deliver(&m);
    assert_refused(before);
}

static void unknown_type(void **state)
{
    (void)state;
    uint16_t hdr[2] = { 99, 0 };
    int before = refusals;
    deliver_raw(hdr, sizeof hdr);
    assert_refused(before);
    /* a type the monitor only sends */
    struct priv_msg m;
    priv_msg_init(&m, PM_OP_DONE);
    m.u.op.index = 7;
    m.u.op.type = OPT_REBOOT;
    m.u.op.status = OPS_SUCCEEDED;
    before = refusals;
    deliver(&m);
    assert_refused(before);
    /* a kernel list entry from the worker: the monitor sends those */
    priv_msg_init(&m, PM_KERNEL_ENTRY);
    strcpy(m.u.kernel.rel, "6.1.0-test");
    before = refusals;
    deliver(&m);
    assert_refused(before);
}

static void over_long_argument(void **state)
{
    (void)state;
    /* RUN_OP with its 129-byte argument full: no room for the NUL. */
    uint8_t buf[PRIV_MSG_MAX];
    uint16_t hdr[2] = { PM_RUN_OP, 8 + LAMON_OP_ARG_MAX + 1 };
    uint32_t index = 1, type = OPT_APP_START;
    memcpy(buf, hdr, 4);
    memcpy(buf + 4, &index, 4);
    memcpy(buf + 8, &type, 4);
    memset(buf + 12, 'a', LAMON_OP_ARG_MAX + 1);
    int before = refusals;
    deliver_raw(buf, 12 + LAMON_OP_ARG_MAX + 1);
    assert_refused(before);
    /* ...and one byte more than the type's length */
    hdr[1]++;
    memcpy(buf, hdr, 4);
    memset(buf + 12, 0, LAMON_OP_ARG_MAX + 2);
    memcpy(buf + 12, "web", 3);
    before = refusals;
    deliver_raw(buf, 12 + LAMON_OP_ARG_MAX + 2);
    assert_refused(before);
}

static void bad_operations(void **state)
{
    (void)state;
    run_op(0, OPT_APP_START, "web");                         /* index never valid */
    run_op(2, OPT_PKG_INSTALL, "x;touch /tmp/lamon-pwned");  /* shell metacharacters */
    run_op(3, OPT_PKG_REMOVE, "-oAPT::Get::Foo=1");          /* an option */
    run_op(4, OPT_APP_START, "nosuchapp");                   /* no such application */
    run_op(5, OPT_APP_START, "../web");
    run_op(6, OPT_KERNEL_SELECT, "../../etc/passwd");
    /* an operation type out of range is refused by the decoder */
    uint8_t buf[PRIV_MSG_MAX];
    struct priv_msg m;
    priv_msg_init(&m, PM_RUN_OP);
    m.u.run_op.index = 8;
    m.u.run_op.type = OPT_APP_START;
    strcpy(m.u.run_op.arg, "web");
    size_t len = priv_encode(&m, buf);
    uint32_t bad_type = 42;
    memcpy(buf + 8, &bad_type, 4);
    int before = refusals;
    deliver_raw(buf, len);
    assert_refused(before);
}

static void drain_worker_end(void)
{
    uint8_t in[PRIV_MSG_MAX];
    while (recv(sv[1], in, sizeof in, MSG_DONTWAIT) > 0)
        ;
}

static void bad_app_index(void **state)
{
    (void)state;
    drain_worker_end();
    struct priv_msg m;
    priv_msg_init(&m, PM_CHECK_APP);
    m.u.check_app.app = 99;
    m.u.check_app.id = 1;
    int before = refusals;
    deliver(&m);
    assert_refused(before);
    /* the answer says the check did not run */
    uint8_t in[PRIV_MSG_MAX];
    long n = priv_recv(sv[1], in, NULL);
    const char *why;
    assert_true(n > 0);
    assert_int_equal(priv_decode(in, (size_t)n, &m, &why), 0);
    assert_int_equal(m.type, PM_CHECK_DONE);
    assert_int_equal(m.u.check_done.exit_code, -1);
}

/* KERNELS: the monitor reads boot_dir for the worker, which holds no
 * directory descriptor; invalid names stay out. */
static void kernels_listed(void **state)
{
    (void)state;
    drain_worker_end();
    struct priv_msg m;
    priv_msg_init(&m, PM_KERNELS);
    int before = refusals;
    deliver(&m);
    assert_int_equal(refusals, before);
    uint8_t in[PRIV_MSG_MAX];
    const char *why;
    long n = priv_recv(sv[1], in, NULL);
    assert_true(n > 0);
    assert_int_equal(priv_decode(in, (size_t)n, &m, &why), 0);
    assert_int_equal(m.type, PM_KERNEL_ENTRY);
    assert_string_equal(m.u.kernel.rel, "6.1.0-test");
    n = priv_recv(sv[1], in, NULL);
    assert_true(n > 0);
    assert_int_equal(priv_decode(in, (size_t)n, &m, &why), 0);
    assert_int_equal(m.type, PM_KERNELS_END);
    assert_int_equal(m.u.kernels_end.n, 1);
    assert_string_equal(m.u.kernels_end.next, "");
}

/* An AgentX master whose backlog is full: the monitor answers EAGAIN at
 * once instead of blocking in connect() (alarm: a blocked monitor fails
 * the test rather than hanging it). */
static void agentx_backlog_full(void **state)
{
    (void)state;
    drain_worker_end();
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    assert_true(strlen(dir) + 8 < sizeof sa.sun_path);
    memcpy(sa.sun_path, dir, strlen(dir));
    memcpy(sa.sun_path + strlen(dir), "/ax.sock", 8);
    const char *path = sa.sun_path;
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(l, 0), 0);
    int filled[16], nfilled = 0;
    for (; nfilled < 16; nfilled++) {
        filled[nfilled] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(filled[nfilled], (struct sockaddr *)&sa, sizeof sa) != 0) {
            close(filled[nfilled]);
            break;
        }
    }
    assert_true(nfilled < 16);   /* the backlog is full */
    priv_dispatch_set_agentx(path);
    struct priv_msg m;
    priv_msg_init(&m, PM_AGENTX);
    alarm(10);
    deliver(&m);
    alarm(0);
    uint8_t in[PRIV_MSG_MAX];
    int fd = -1;
    long n = priv_recv(sv[1], in, &fd);
    const char *why;
    assert_true(n > 0);
    assert_int_equal(priv_decode(in, (size_t)n, &m, &why), 0);
    assert_int_equal(m.type, PM_RESULT);
    assert_int_equal(m.u.result.rc, -EAGAIN);
    assert_int_equal(fd, -1);
    /* with room again, the socket comes, blocking as Net-SNMP expects */
    int a = accept(l, NULL, NULL);
    assert_true(a >= 0);
    close(a);
    for (int i = 0; i < nfilled; i++)
        close(filled[i]);
    priv_msg_init(&m, PM_AGENTX);
    deliver(&m);
    n = priv_recv(sv[1], in, &fd);
    assert_true(n > 0);
    assert_int_equal(priv_decode(in, (size_t)n, &m, &why), 0);
    assert_int_equal(m.u.result.rc, 0);
    assert_true(fd >= 0);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
    close(l);
    priv_dispatch_set_agentx("/nonexistent");
}

/* The next OP_DONE for INDEX on the worker's end, running the monitor's loop. */
static struct priv_msg wait_done(uint32_t index)
{
    uint8_t in[PRIV_MSG_MAX];
    time_t limit = time(NULL) + 20;
    struct priv_msg done = { 0 };
    while (time(NULL) < limit) {
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        long n = recv(sv[1], in, sizeof in, MSG_DONTWAIT);
        const char *why;
        if (n > 0 && priv_decode(in, (size_t)n, &done, &why) == 0 && done.type == PM_OP_DONE &&
            done.u.op.index == index)
            return done;
        usleep(10000);
    }
    fail_msg("no OP_DONE for operation %u", index);
    return done;
}

/* The control: a valid request does run its configured command, so the
 * markers above would have shown anything that ran. */
static void valid_request_runs(void **state)
{
    (void)state;
    drain_worker_end();
    struct priv_msg m;
    priv_msg_init(&m, PM_RUN_OP);
    m.u.run_op.index = 10;
    m.u.run_op.type = OPT_APP_START;
    strcpy(m.u.run_op.arg, "web");
    deliver(&m);
    assert_int_equal(op_table_count(), 1);
    struct priv_msg done = wait_done(10);
    assert_int_equal(done.u.op.status, OPS_SUCCEEDED);
    assert_int_equal(done.u.op.exit_code, 0);
    assert_true(exists(marker_app));
}

/* The worker destroyed its finished row 10 and made a new one at 10: the
 * monitor's finished row gives way and the new operation runs. */
static void finished_index_reused(void **state)
{
    (void)state;
    drain_worker_end();
    assert_int_equal(unlink(marker_app), 0);
    struct priv_msg m;
    priv_msg_init(&m, PM_RUN_OP);
    m.u.run_op.index = 10;
    m.u.run_op.type = OPT_APP_START;
    strcpy(m.u.run_op.arg, "web");
    int before = refusals;
    deliver(&m);
    assert_int_equal(refusals, before);
    struct priv_msg done = wait_done(10);
    assert_int_equal(done.u.op.status, OPS_SUCCEEDED);
    assert_true(exists(marker_app));
    assert_int_equal(op_table_count(), 1);
}

/* An index whose operation still runs: the new request is answered failed,
 * and the running row stays. */
static void active_index_refused(void **state)
{
    (void)state;
    drain_worker_end();
    struct priv_msg m;
    priv_msg_init(&m, PM_RUN_OP);
    m.u.run_op.index = 11;
    m.u.run_op.type = OPT_APP_START;
    strcpy(m.u.run_op.arg, "slow");
    deliver(&m);
    const struct op *o = op_table_find(11);
    assert_non_null(o);
    strcpy(m.u.run_op.arg, "web");
    int before = refusals;
    deliver(&m);
    assert_int_equal(refusals, before + 1);
    uint8_t in[PRIV_MSG_MAX];
    long n = priv_recv(sv[1], in, NULL);
    const char *why;
    struct priv_msg done;
    assert_true(n > 0);
    assert_int_equal(priv_decode(in, (size_t)n, &done, &why), 0);
    assert_int_equal(done.type, PM_OP_DONE);
    assert_int_equal(done.u.op.index, 11);
    assert_int_equal(done.u.op.status, OPS_FAILED);
    assert_non_null(strstr(done.u.op.out, "operation 11 is still queued or running"));
    o = op_table_find(11);
    assert_non_null(o);
    assert_string_equal(o->arg, "slow");
    assert_true(o->status == OPS_QUEUED || o->status == OPS_RUNNING);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(conf, sizeof conf, "%s/agent.conf", dir);
    snprintf(marker_app, sizeof marker_app, "%s/app-started", dir);
    snprintf(marker_apt, sizeof marker_apt, "%s/apt-ran", dir);
    snprintf(marker_check, sizeof marker_check, "%s/check-ran", dir);
    snprintf(marker_meta, sizeof marker_meta, "/tmp/lamon-pwned");
    unlink(marker_meta);
    FILE *f = fopen(conf, "w");
    if (!f)
        return -1;
    fprintf(f, "nodename probe\nstatedir %s/state\n"
               "app web 80\napp_start web /usr/bin/touch %s\n"
               "app other 81\napp_check other /usr/bin/touch %s\n"
               "app slow 82\napp_start slow /bin/sleep 1\n"
               "apt_get /usr/bin/touch\napt_option %s\n"
               "boot_dir %s\nreboot_cmd /usr/bin/touch %s/reboot-ran\n"
               "shutdown_cmd /usr/bin/touch %s/shutdown-ran\n",
            dir, marker_app, marker_check, marker_apt, dir, dir, dir);
    fclose(f);
    char k[4300];
    snprintf(k, sizeof k, "%s/vmlinuz-6.1.0-test", dir);
    if (!(f = fopen(k, "w")))
        return -1;
    fclose(f);
    snprintf(k, sizeof k, "%s/vmlinuz-bad;name", dir);
    if (!(f = fopen(k, "w")))
        return -1;
    fclose(f);
    /* agent_config_register adds the callback log handler (LOG_WARNING
     * and worse, which the refusals are): on_log sees them too. */
    agent_config_register();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
    snmp_enable_stderrlog();
    if (agent_config_load(conf) != 0)
        return -1;
    base = event_base_new();
    if (!base || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) != 0)
        return -1;
    priv_dispatch_init(base, "/nonexistent", NULL);
    priv_dispatch_set_worker(sv[0], 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    priv_dispatch_shutdown();
    agent_config_free();
    event_base_free(base);
    close(sv[0]);
    close(sv[1]);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_type),
        cmocka_unit_test(over_long_argument),
        cmocka_unit_test(bad_operations),
        cmocka_unit_test(bad_app_index),
        cmocka_unit_test(kernels_listed),
        cmocka_unit_test(agentx_backlog_full),
        cmocka_unit_test(valid_request_runs),
        cmocka_unit_test(finished_index_reused),
        cmocka_unit_test(active_index_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
