/* The worker's privileges: an empty root-owned directory as its root, the
 * configured user (token user, default lamon) with no supplementary groups
 * and no capabilities, and no_new_privs.
 *
 * As root the monitor checks everything in priv_drop_prepare, before it
 * forks: the user exists and is not root, and the chroot directory (token
 * chroot, default /run/lamon-agent/empty; created when missing) is a
 * directory owned by root, writable by nobody else, and empty.  Run by
 * another user (a developer trying the agent by hand) both halves keep that
 * user and the worker is not chrooted; it still gets no_new_privs and the
 * seccomp filter. */
#ifndef LAMON_PRIV_DROP_H
#define LAMON_PRIV_DROP_H

#include <stdbool.h>
#include <sys/types.h>

#include "agent_config.h"

struct priv_drop {
    bool as_root;                   /* false: no chroot, no user change */
    uid_t uid;
    gid_t gid;
    char user[LAMON_NAME_MAX + 1];
    char root[4096];
};

/* Fills D from C; 0, or -1 with the reason logged (naming the token). */
int priv_drop_prepare(const struct agent_config *c, const char *config_file, struct priv_drop *d);

/* In the worker, after everything it opens is open: no_new_privs, chroot,
 * setgroups/setgid/setuid, and a check that no capability is left.
 * 0, or -1 (logged). */
int priv_drop_apply(const struct priv_drop *d);

#endif
