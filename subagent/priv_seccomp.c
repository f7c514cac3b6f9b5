/* The worker's seccomp allow-list; see priv_seccomp.h. */
#include "priv_seccomp.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the worker's loop, Net-SNMP, libevent, glibc (and the sanitizers'
 * runtime in test builds) call once the worker serves requests. */
static const char *const allowed[] = {
    /* I/O on descriptors it holds */
    "read", "write", "readv", "writev", "pread64", "close", "lseek", "fstat", "newfstatat",
    "statx", "fcntl", "dup", "dup2", "dup3", "getdents64", "ioctl",
    /* sockets: AgentX (passed in), the monitor, sock_diag, syslog */
    "sendto", "recvfrom", "sendmsg", "recvmsg", "getsockname", "getpeername", "getsockopt",
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
    /* + socket, openat, tgkill: allowed with argument rules */
    return (unsigned)(sizeof allowed / sizeof allowed[0]) + 3;
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
    /* socket(AF_UNIX | AF_NETLINK, ...) only */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0));
    /* Net-SNMP's first notification looks for an address to build its
     * engine ID from with an AF_INET socket: refused, it falls back. */
    static const int inet[] = { AF_INET, AF_INET6, AF_PACKET };
    for (size_t i = 0; rc == 0 && i < sizeof inet / sizeof inet[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)inet[i], 0));
    /* openat for reading only (the kernel list through a directory opened
     * before the chroot) */
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
