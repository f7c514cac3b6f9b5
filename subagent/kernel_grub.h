/* The installed kernels and the GRUB next-boot choice.
 *
 * Kernels are the files boot_dir/vmlinuz-RELEASE.  The running one is
 * uname -r.  The next-boot one comes from the grubenv file: next_entry (a
 * one-time choice, grub-reboot) when set, else saved_entry (GRUB_DEFAULT=saved
 * in /etc/default/grub is needed for GRUB to honour it).  The file is read
 * directly rather than through "grub-editenv list": a GET must not fork, and
 * the format is a fixed 1024-byte block of key=value lines padded with '#'.
 *
 * Selecting a kernel runs the real grub-editenv as argv:
 *   grub-editenv FILE set "saved_entry=Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux RELEASE"
 *   grub-editenv FILE unset next_entry
 * i.e. the menu-title path that Debian's /etc/grub.d/10_linux generates and
 * that grub-set-default accepts (titles, unlike the gnulinux-…-UUID ids, do
 * not depend on the root file system).  Entries read back are matched to a
 * release by that title, by a bare release, or by the id form
 * gnulinux-RELEASE-advanced-UUID, so choices made with grub-set-default also
 * show. */
#ifndef LAMON_KERNEL_GRUB_H
#define LAMON_KERNEL_GRUB_H

#include <stddef.h>

#include "op_plan.h"

#define KERNEL_RELEASE_MAX 64
#define KERNEL_LIST_MAX 128
#define OP_TIMEOUT_KERNEL_S 60
#define GRUB_ENTRY_PREFIX "Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux "

struct kernel_list {
    size_t n;
    char rel[KERNEL_LIST_MAX][KERNEL_RELEASE_MAX + 1];   /* sorted bytewise */
};

/* The installed kernels (boot_dir; names that are no valid release are
 * skipped) and the next-boot release ("" when it cannot be told) at once.
 * Missing files read as empty. */
void kernel_grub_read(struct kernel_list *out, char *next, size_t nextlen);
/* The chrooted worker holds no descriptor of boot_dir or grubenv (one
 * would lead out of the chroot): it sets FETCH, which asks the monitor
 * (priv_client.c), and the calls here read through it; -1 reads as no
 * kernel.  NULL: read the files (the monitor). */
void kernel_grub_set_remote(int (*fetch)(struct kernel_list *out, char *next, size_t nextlen));

void kernel_grub_list(struct kernel_list *out);
int kernel_grub_exists(const char *release);
/* uname -r */
const char *kernel_grub_running(void);
/* The next-boot release, or "" when it cannot be told. */
void kernel_grub_next(char *out, size_t outlen);
/* The release an entry string names, among LIST; "" if none. */
void kernel_grub_entry_release(const char *entry, const struct kernel_list *list,
                               char *out, size_t outlen);

/* Plan of kernelSelect: inconsistentValue when RELEASE is not installed. */
int kernel_grub_plan(const char *release, struct op_plan *p);

#endif
