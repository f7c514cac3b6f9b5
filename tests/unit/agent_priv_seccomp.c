/* cmocka: the worker's seccomp allow-list (subagent/priv_seccomp.c), loaded
 * in a forked child: exec, fork and signals to another process kill it
 * (SIGSYS); writing files, connecting and AF_INET sockets fail with EACCES;
 * what the worker does all day (reading a descriptor it holds, the time)
 * goes on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../subagent/priv_seccomp.h"

enum probe { P_EXEC, P_FORK, P_KILL_PARENT, P_PTRACE, P_OPEN_WRITE, P_OPEN_CREATE, P_CONNECT,
             P_INET, P_READ_TIME, P_SOCK_DIAG, P_UNIX_SOCKET, P_NETLINK_ROUTE, P_SENDTO_ADDR,
             P_TIOCSTI, P_FIONREAD };

/* The child's exit status: 0 when the call behaved as expected for a
 * surviving call (errno/ok), else its errno + 1; a killed child shows as a
 * signal. */
static int probe(enum probe p)
{
    pid_t parent = getpid();
    int pair[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair), 0);
    int held = pair[0];
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || priv_seccomp_apply() != 0)
            _exit(100);
        int rc = 0, fd;
        switch (p) {
        case P_EXEC: execl("/bin/true", "true", (char *)NULL); rc = 101; break;
        case P_FORK: rc = (int)syscall(SYS_fork) < 0 ? 102 : 0; break;
        case P_KILL_PARENT: rc = kill(parent, 0) != 0 ? 103 : 0; break;
        case P_PTRACE: rc = (int)syscall(SYS_ptrace, 0, 0, 0, 0) ? 104 : 0; break;
        case P_OPEN_WRITE:
            fd = open("/tmp/lamon-seccomp-probe", O_WRONLY);
            rc = fd < 0 && errno == EACCES ? 0 : 105;
            break;
        case P_OPEN_CREATE:
            fd = open("/tmp/lamon-seccomp-probe", O_RDONLY | O_CREAT, 0600);
            rc = fd < 0 && errno == EACCES ? 0 : 106;
            break;
        case P_CONNECT: {
            int s = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
            struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "\0lamon-probe" };
            rc = s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof sa) < 0 && errno == EACCES ? 0 : 107;
            break;
        }
        case P_INET: rc = socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EACCES ? 0 : 108; break;
        case P_READ_TIME: {
            struct timespec ts;
            fd = open("/proc/self/stat", O_RDONLY);
            char b[64];
            rc = clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && fd >= 0 && read(fd, b, sizeof b) > 0 ? 0 : 109;
            break;
        }
        case P_SOCK_DIAG: rc = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG) >= 0 ? 0 : 110; break;
        /* an AF_UNIX socket could sendto an abstract address, which no chroot hides */
        case P_UNIX_SOCKET: rc = socket(AF_UNIX, SOCK_DGRAM, 0) < 0 && errno == EACCES ? 0 : 111; break;
        case P_NETLINK_ROUTE:
            rc = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE) < 0 && errno == EACCES ? 0 : 112;
            break;
        case P_SENDTO_ADDR: {
            /* a datagram socket held from before (syslog's) sent elsewhere */
            struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "\0lamon-probe" };
            rc = sendto(held, "x", 1, 0, (struct sockaddr *)&sa, sizeof sa) < 0 && errno == EACCES
                 && send(held, "x", 1, 0) == 1 ? 0 : 113;
            break;
        }
        case P_TIOCSTI: {
            char c = 'x';
            rc = ioctl(0, TIOCSTI, &c) == 0 ? 0 : 114;   /* fails anyway without a tty: must kill */
            break;
        }
        case P_FIONREAD: {
            int n;
            rc = ioctl(held, FIONREAD, &n) == 0 ? 0 : 115;
            break;
        }
        }
        _exit(rc);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(pair[0]);
    close(pair[1]);
    return status;
}

static void killed(enum probe p)
{
    int st = probe(p);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void survives(enum probe p)
{
    int st = probe(p);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void exec_kills(void **s) { (void)s; killed(P_EXEC); }
static void fork_kills(void **s) { (void)s; killed(P_FORK); }
static void kill_other_kills(void **s) { (void)s; killed(P_KILL_PARENT); }
static void ptrace_kills(void **s) { (void)s; killed(P_PTRACE); }
static void writes_fail(void **s) { (void)s; survives(P_OPEN_WRITE); survives(P_OPEN_CREATE); }
static void connect_fails(void **s) { (void)s; survives(P_CONNECT); survives(P_INET); }
static void daily_work_goes_on(void **s)
{
    (void)s;
    survives(P_READ_TIME);
    survives(P_SOCK_DIAG);
    survives(P_FIONREAD);
}
static void sockets_limited(void **s)
{
    (void)s;
    survives(P_UNIX_SOCKET);
    survives(P_NETLINK_ROUTE);
    survives(P_SENDTO_ADDR);
}
static void tiocsti_kills(void **s) { (void)s; killed(P_TIOCSTI); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exec_kills),
        cmocka_unit_test(fork_kills),
        cmocka_unit_test(kill_other_kills),
        cmocka_unit_test(ptrace_kills),
        cmocka_unit_test(writes_fail),
        cmocka_unit_test(connect_fails),
        cmocka_unit_test(daily_work_goes_on),
        cmocka_unit_test(sockets_limited),
        cmocka_unit_test(tiocsti_kills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
