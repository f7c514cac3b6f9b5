/* The worker's seccomp allow-list; see priv_seccomp.h. */
#include "priv_seccomp.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the worker's loop, Net-SNMP, libevent, glibc (and the sanitizers'
 * runtime in test builds) call once the worker serves requests. */
static const char *const allowed[] = {
    /* I/O on descriptors it holds */
    "read", "write", "readv", "writev", "pread64", "close", "lseek", "fstat", "newfstatat",
    "statx", "fcntl", "dup", "dup2", "dup3", "getdents64",
    /* sockets: AgentX (passed in), the monitor, sock_diag, syslog (sendto:
     * to the connected peer only, below) */
    "recvfrom", "sendmsg", "recvmsg", "getsockname", "getpeername", "getsockopt",
    "setsockopt", "shutdown",
    /* the loop */
    "poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "pipe2", "eventfd2",
    /* memory */
    "brk", "mmap", "munmap", "mremap", "madvise", "mprotect",
    /* time */
    "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
    /* signals */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
    /* identity, process */
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "uname",
    "sysinfo", "getrandom", "futex", "sched_yield", "sched_getaffinity", "getrlimit", "prlimit64", "exit", "exit_group",
};

/* File system changes fail with EACCES rather than kill: libraries try
 * them (Net-SNMP creates its persistent directory at init_snmp), and in the
 * empty read-only chroot they could not succeed anyway. */
static const char *const refused[] = {
    "mkdir", "mkdirat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "rmdir",
    "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown", "access",
    "faccessat", "faccessat2", "open", "creat", "link", "linkat", "symlink", "symlinkat",
    "truncate", "ftruncate", "utimensat", "connect", "bind",
};

unsigned priv_seccomp_count(void)
{
    /* + socket, openat, tgkill, ioctl, sendto: allowed with argument rules */
    return (unsigned)(sizeof allowed / sizeof allowed[0]) + 5;
}

int priv_seccomp_apply(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!ctx) {
        snmp_log(LOG_ERR, "worker: cannot create the seccomp filter\n");
        return -1;
    }
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);   /* denials reach the audit log */
    for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++) {
        int nr = seccomp_syscall_resolve_name(allowed[i]);
        if (nr == __NR_SCMP_ERROR)
            continue;   /* not on this architecture */
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    /* socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) only: sock_diag's counts.
     * The AgentX socket comes from the monitor and syslog's is opened
     * before, so no AF_UNIX socket: a new one could reach an abstract
     * socket (outside any chroot) with sendto. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0),
                              SCMP_A2(SCMP_CMP_EQ, NETLINK_SOCK_DIAG, 0));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0),
                              SCMP_A2(SCMP_CMP_NE, NETLINK_SOCK_DIAG, 0));
    /* sendto without an address (send()): to a descriptor's connected peer */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 1, SCMP_A4(SCMP_CMP_EQ, 0, 0));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(sendto), 1, SCMP_A4(SCMP_CMP_NE, 0, 0));
    /* ioctl: non-blocking mode, bytes readable, close-on-exec and isatty();
     * any other (TIOCSTI on an inherited terminal...) kills */
    static const unsigned long ioctls[] = { FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, TCGETS };
    for (size_t i = 0; rc == 0 && i < sizeof ioctls / sizeof ioctls[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                              SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)ioctls[i], 0));
    /* Net-SNMP's first notification looks for an address to build its
     * engine ID from with an AF_INET socket, glibc's user lookups try nscd's
     * and its syslog() reconnects with an AF_UNIX one: refused, they fall
     * back. */
    static const int inet[] = { AF_UNIX, AF_INET, AF_INET6, AF_PACKET };
    for (size_t i = 0; rc == 0 && i < sizeof inet / sizeof inet[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)inet[i], 0));
    /* openat for reading only (libraries look for their files; the chroot
     * is empty and the worker holds no directory to start from) */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, O_WRONLY | O_RDWR | O_CREAT | O_TRUNC, 0));
    /* connect and bind fail too: glibc's syslog reconnects after a logger
     * restart (and cannot, in the chroot), and an abstract unix socket
     * would be reachable despite the chroot, so nothing new is connected. */
    for (size_t i = 0; rc == 0 && i < sizeof refused / sizeof refused[0]; i++) {
        int nr = seccomp_syscall_resolve_name(refused[i]);
        if (nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 0);
    }
    /* openat for writing, in any combination, fails */
    static const int wflags[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC };
    for (size_t i = 0; rc == 0 && i < sizeof wflags / sizeof wflags[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, (scmp_datum_t)wflags[i], (scmp_datum_t)wflags[i]));
    /* raise()/abort() signal the worker itself only */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        snmp_log(LOG_ERR, "worker: cannot load the seccomp filter: %s\n", strerror(-rc));
        return -1;
    }
    return 0;
}
