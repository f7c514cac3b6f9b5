/* Dropping the worker's privileges; see priv_drop.h. */
#include "priv_drop.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* mkdir -p, each new level 0755 and root's. */
static int make_dirs(const char *path)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            *s = c;
            if (!c)
                return 0;
        }
    }
}

static int dir_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n == 0;
}

int priv_drop_prepare(const struct agent_config *c, const char *config_file, struct priv_drop *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->user, sizeof d->user, "%s", c->user);
    snprintf(d->root, sizeof d->root, "%s", c->chroot_dir);
    d->uid = geteuid();
    d->gid = getegid();
    if (d->uid != 0) {
        snmp_log(LOG_NOTICE, "lamon-agent runs as uid %ld, not root: the SNMP worker keeps that "
                 "user and is not chrooted (user and chroot apply only when started as root)\n",
                 (long)d->uid);
        return 0;
    }
    d->as_root = true;
    struct passwd *pw = getpwnam(c->user);
    if (!pw) {
        snmp_log(LOG_ERR, "%s: user '%s' (token user, default lamon) does not exist; "
                 "create it with: adduser --system --group %s\n", config_file, c->user, c->user);
        return -1;
    }
    if (pw->pw_uid == 0) {
        snmp_log(LOG_ERR, "%s: user '%s' is root; the SNMP worker needs an unprivileged user "
                 "(adduser --system --group lamon)\n", config_file, c->user);
        return -1;
    }
    d->uid = pw->pw_uid;
    d->gid = pw->pw_gid;
    if (c->chroot_dir[0] != '/' || make_dirs(c->chroot_dir) != 0) {
        snmp_log(LOG_ERR, "%s: chroot %s: cannot create it: %s\n", config_file, c->chroot_dir,
                 c->chroot_dir[0] != '/' ? "not an absolute path" : strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(c->chroot_dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
        (st.st_mode & 022) != 0 || dir_empty(c->chroot_dir) != 1) {
        snmp_log(LOG_ERR, "%s: chroot %s must be an empty directory owned by root and "
                 "writable by nobody else\n", config_file, c->chroot_dir);
        return -1;
    }
    return 0;
}

static int caps_left(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &h, data) != 0)
        return -1;
    return (data[0].effective | data[1].effective | data[0].permitted | data[1].permitted) != 0;
}

int priv_drop_apply(const struct priv_drop *d)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snmp_log(LOG_ERR, "worker: cannot set no_new_privs: %s\n", strerror(errno));
        return -1;
    }
    if (!d->as_root)
        return 0;
    if (chroot(d->root) != 0 || chdir("/") != 0) {
        snmp_log(LOG_ERR, "worker: cannot chroot to %s: %s\n", d->root, strerror(errno));
        return -1;
    }
    if (setgroups(1, &d->gid) != 0 || setresgid(d->gid, d->gid, d->gid) != 0 ||
        setresuid(d->uid, d->uid, d->uid) != 0) {
        snmp_log(LOG_ERR, "worker: cannot become user %s: %s\n", d->user, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || caps_left() != 0) {
        snmp_log(LOG_ERR, "worker: privileges left after becoming %s; stopping\n", d->user);
        return -1;
    }
    return 0;
}
