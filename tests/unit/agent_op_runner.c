/* cmocka: op_runner with real processes and a real libevent loop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../subagent/op_runner.h"

struct result {
    int done, code;
    char out[OP_OUTPUT_MAX + 1];
    size_t len;
};

static struct event_base *base;

static void on_done(void *ctx, int code, const struct op_output *out)
{
    struct result *r = ctx;
    r->done++;
    r->code = code;
    r->len = op_output_copy(out, r->out);
    r->out[r->len] = '\0';
}

/* Runs ARGV to its end through the loop. */
static void run(struct result *r, unsigned timeout_s, char *const env[], char *const argv[])
{
    memset(r, 0, sizeof *r);
    assert_non_null(op_run_start(argv, env, timeout_s, on_done, r));
    assert_int_equal(r->done, 0);   /* never called from inside op_run_start */
    time_t limit = time(NULL) + 30;
    while (!r->done && time(NULL) < limit)
        event_base_loop(base, EVLOOP_ONCE);
    assert_int_equal(r->done, 1);
}

#define RUN(r, t, ...) run(r, t, NULL, (char *const[]){ __VA_ARGS__, NULL })

static int setup(void **state)
{
    (void)state;
    base = event_base_new();
    op_runner_init(base);
    return op_runner_ready() ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    op_runner_shutdown();
    event_base_free(base);
    return 0;
}

static void exit_status_and_output(void **state)
{
    (void)state;
    struct result r;
    RUN(&r, 10, "/bin/echo", "hello", "world");
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, "hello world\n");
    RUN(&r, 10, "sh", "-c", "echo out; echo err >&2; exit 3");
    assert_int_equal(r.code, 3);
    assert_string_equal(r.out, "out\nerr\n");
}

static void argv_is_not_a_shell(void **state)
{
    (void)state;
    struct result r;
    RUN(&r, 10, "/bin/echo", "$(id)", "`id`", ";", "a b");
    assert_string_equal(r.out, "$(id) `id` ; a b\n");
}

static void cannot_execute(void **state)
{
    (void)state;
    struct result r;
    RUN(&r, 10, "/nonexistent/lamon-command");
    assert_int_equal(r.code, -1);
    assert_non_null(strstr(r.out, "cannot execute /nonexistent/lamon-command"));
}

static void output_keeps_tail(void **state)
{
    (void)state;
    struct result r;
    RUN(&r, 10, "sh", "-c", "i=0; while [ $i -lt 500 ]; do printf '%04d:' $i; i=$((i+1)); done; echo END");
    assert_int_equal(r.len, OP_OUTPUT_MAX);
    assert_memory_equal(r.out + OP_OUTPUT_MAX - 4, "END\n", 4);
    assert_non_null(strstr(r.out, "0499:"));
    assert_null(strstr(r.out, "0000:"));
}

static void ring_buffer(void **state)
{
    (void)state;
    struct op_output o = { 0 };
    char big[3000], dst[OP_OUTPUT_MAX];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    op_output_append(&o, "xyz", 3);
    assert_int_equal(op_output_copy(&o, dst), 3);
    for (size_t i = 0; i < sizeof big; i += 7)
        op_output_append(&o, big + i, sizeof big - i < 7 ? sizeof big - i : 7);
    assert_int_equal(op_output_copy(&o, dst), OP_OUTPUT_MAX);
    assert_memory_equal(dst, big + sizeof big - OP_OUTPUT_MAX, OP_OUTPUT_MAX);
    op_output_append(&o, big, sizeof big);
    op_output_copy(&o, dst);
    assert_memory_equal(dst, big + sizeof big - OP_OUTPUT_MAX, OP_OUTPUT_MAX);
}

static void stdin_is_dev_null(void **state)
{
    (void)state;
    struct result r;
    RUN(&r, 10, "cat");   /* would block forever on an inherited terminal or pipe */
    assert_int_equal(r.code, 0);
    assert_int_equal(r.len, 0);
}

static void no_inherited_fds(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_RDONLY);   /* deliberately without O_CLOEXEC */
    assert_true(fd > 2);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct result r;
    RUN(&r, 10, "test", "-e", path);
    close(fd);
    assert_int_equal(r.code, 1);
}

/* An agent started with stdin closed: the output file takes fd 0 and must
 * not be lost when the child sets up its 0..2. */
static void runs_with_stdin_closed(void **state)
{
    (void)state;
    int saved = dup(0);
    assert_true(saved >= 0);
    close(0);
    struct result r;
    RUN(&r, 10, "/bin/echo", "hello");
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, "hello\n");
}

static void own_process_group(void **state)
{
    (void)state;
    struct result r;
    /* field 5 of /proc/PID/stat is the process group */
    RUN(&r, 10, "sh", "-c", "set -- $(cat /proc/$$/stat); [ \"$5\" = $$ ] && echo leader");
    assert_string_equal(r.out, "leader\n");
}

static void ends_when_process_exits(void **state)
{
    (void)state;
    struct result r;
    /* a daemon-like child keeps the output pipe open; the run still ends */
    time_t t0 = time(NULL);
    RUN(&r, 60, "sh", "-c", "sleep 20 & echo $!");
    assert_true(time(NULL) - t0 < 15);
    assert_int_equal(r.code, 0);
    int pid = atoi(r.out);
    assert_true(pid > 1);
    kill(pid, SIGTERM);   /* the sleep we started, by its id */
}

/* Reads FILE into buf ("" when missing), waiting up to 5 s for it. */
static void read_file_later(const char *file, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(file, "r");
        if (f) {
            size_t n = fread(buf, 1, size - 1, f);
            buf[n] = '\0';
            fclose(f);
            if (n > 0)
                return;
        }
        usleep(50 * 1000);
    }
}

/* What a left-behind process writes after the run ended fails (as it did on
 * the closed pipe), but without SIGPIPE, and takes no agent memory. */
static void leftover_writes_fail_quietly(void **state)
{
    (void)state;
    char file[] = "/tmp/lamon-op-runner-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    char script[256];
    snprintf(script, sizeof script, "(sleep 0.3; echo late; echo $? >%s) & echo started", file);
    struct result r;
    RUN(&r, 10, "sh", "-c", script);
    assert_string_equal(r.out, "started\n");
    char got[32];
    read_file_later(file, got, sizeof got);
    unlink(file);
    assert_string_equal(got, "1\n");   /* echo failed; the shell was not killed */
}

/* At agent exit an operation's command (apt-get, dpkg) is left to finish:
 * not killed, and its writes still succeed. */
static void shutdown_leaves_operations_running(void **state)
{
    (void)state;
    char file[] = "/tmp/lamon-op-runner-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    char script[256];
    snprintf(script, sizeof script, "sleep 0.5; echo still writing; echo $? >%s", file);
    struct result r;
    memset(&r, 0, sizeof r);
    assert_non_null(op_run_start((char *const[]){ "sh", "-c", script, NULL }, NULL, 10, on_done, &r));
    /* and a check, which is killed */
    char checked[] = "/tmp/lamon-op-runner-XXXXXX";
    fd = mkstemp(checked);
    assert_true(fd >= 0);
    close(fd);
    char check_script[256];
    snprintf(check_script, sizeof check_script, "sleep 0.5; echo survived >%s", checked);
    struct result c;
    memset(&c, 0, sizeof c);
    struct op_run *check = op_run_start((char *const[]){ "sh", "-c", check_script, NULL }, NULL, 10, on_done, &c);
    assert_non_null(check);
    op_run_kill_on_exit(check);
    op_runner_shutdown();
    op_runner_init(base);
    char got[32], check_got[32];
    read_file_later(file, got, sizeof got);
    read_file_later(checked, check_got, sizeof check_got);   /* waits its 5 s: nothing comes */
    unlink(file);
    unlink(checked);
    assert_string_equal(got, "0\n");
    assert_string_equal(check_got, "");
    assert_int_equal(r.done + c.done, 0);   /* forgotten, never reported */
}

static void time_limit_kills_group(void **state)
{
    (void)state;
    struct result r;
    RUN(&r, 1, "sh", "-c", "echo begin; sleep 30");
    assert_int_equal(r.code, 128 + SIGTERM);
    assert_non_null(strstr(r.out, "begin"));
    assert_non_null(strstr(r.out, "time limit"));
}

static void extra_environment(void **state)
{
    (void)state;
    struct result r;
    run(&r, 10, (char *const[]){ "LAMON_X=42", "HOME=/lamon", NULL },
        (char *const[]){ "sh", "-c", "echo $LAMON_X $HOME", NULL });
    assert_string_equal(r.out, "42 /lamon\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_buffer),
        cmocka_unit_test(exit_status_and_output),
        cmocka_unit_test(argv_is_not_a_shell),
        cmocka_unit_test(cannot_execute),
        cmocka_unit_test(output_keeps_tail),
        cmocka_unit_test(stdin_is_dev_null),
        cmocka_unit_test(no_inherited_fds),
        cmocka_unit_test(runs_with_stdin_closed),
        cmocka_unit_test(own_process_group),
        cmocka_unit_test(ends_when_process_exits),
        cmocka_unit_test(leftover_writes_fail_quietly),
        cmocka_unit_test(shutdown_leaves_operations_running),
        cmocka_unit_test(time_limit_kills_group),
        cmocka_unit_test(extra_environment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
