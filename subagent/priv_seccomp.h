/* The worker's system calls: a libseccomp allow-list, loaded last, after
 * the chroot and the user change.  Anything else kills the worker
 * (SCMP_ACT_KILL_PROCESS, logged by the kernel's audit): no execve or
 * execveat, no fork or clone, no ptrace, no kill of another process, no
 * file opened for writing, no socket but AF_UNIX (syslog) and AF_NETLINK
 * (NETLINK_SOCK_DIAG connection counts); connect and bind fail (EACCES),
 * so the worker reaches nothing it was not handed.  The monitor logs a worker killed
 * by SIGSYS. */
#ifndef LAMON_PRIV_SECCOMP_H
#define LAMON_PRIV_SECCOMP_H

/* 0, or -1 (logged). */
int priv_seccomp_apply(void);

/* The number of system calls the list allows (for the log and docs). */
unsigned priv_seccomp_count(void);

#endif
