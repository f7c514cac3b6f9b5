/* Kernels in boot_dir and GRUB's environment block; see kernel_grub.h. */
#include "kernel_grub.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "agent_config.h"
#include "validate.h"

static int cmp_rel(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int boot_fd = -1, grub_dir_fd = -1, grub_file_fd = -1;
static char grub_base[256];

void kernel_grub_preopen(void)
{
    const struct agent_config *c = agent_config();
    boot_fd = open(c->boot_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char dir[sizeof c->grub_env];
    snprintf(dir, sizeof dir, "%s", c->grub_env);
    char *slash = strrchr(dir, '/');
    if (!slash || snprintf(grub_base, sizeof grub_base, "%s", slash + 1) >= (int)sizeof grub_base)
        return;
    if (slash == dir)
        slash++;   /* a file in / */
    *slash = '\0';
    grub_dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    grub_file_fd = open(c->grub_env, O_RDONLY | O_CLOEXEC);
}

static DIR *open_boot_dir(void)
{
    if (boot_fd < 0)
        return opendir(agent_config()->boot_dir);
    int fd = openat(boot_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d && fd >= 0)
        close(fd);
    return d;
}

static FILE *open_grub_env(void)
{
    if (grub_dir_fd < 0)
        return fopen(agent_config()->grub_env, "re");
    /* By name in the directory, in case the file was replaced; where the
     * worker's user may not search that directory, through the file opened
     * before (grub-editenv rewrites its fixed block in place). */
    int fd = openat(grub_dir_fd, grub_base, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == EACCES && grub_file_fd >= 0) {
        fd = dup(grub_file_fd);
        if (fd >= 0)
            lseek(fd, 0, SEEK_SET);
    }
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f && fd >= 0)
        close(fd);
    return f;
}

void kernel_grub_list(struct kernel_list *out)
{
    out->n = 0;
    DIR *d = open_boot_dir();
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && out->n < KERNEL_LIST_MAX) {
        if (strncmp(e->d_name, "vmlinuz-", 8) != 0)
            continue;
        const char *rel = e->d_name + 8;
        size_t len = strlen(rel);
        if (validate_kernel_release(rel, len) != SNMP_ERR_NOERROR)
            continue;
        memcpy(out->rel[out->n++], rel, len + 1);
    }
    closedir(d);
    qsort(out->rel, out->n, sizeof out->rel[0], cmp_rel);
}

int kernel_grub_exists(const char *release)
{
    struct kernel_list *l = malloc(sizeof *l);
    if (!l)
        return 0;
    kernel_grub_list(l);
    int found = bsearch(release, l->rel, l->n, sizeof l->rel[0], cmp_rel) != NULL;
    free(l);
    return found;
}

const char *kernel_grub_running(void)
{
    static struct utsname u;
    if (!u.release[0] && uname(&u) < 0)
        return "";
    return u.release;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

void kernel_grub_entry_release(const char *entry, const struct kernel_list *list,
                               char *out, size_t outlen)
{
    out[0] = '\0';
    for (size_t i = 0; i < list->n; i++) {
        const char *rel = list->rel[i];
        char title[KERNEL_RELEASE_MAX + 16], id[KERNEL_RELEASE_MAX + 32];
        snprintf(title, sizeof title, " Linux %s", rel);
        snprintf(id, sizeof id, "gnulinux-%s-", rel);
        const char *last = strrchr(entry, '>');
        last = last ? last + 1 : entry;
        if (strcmp(last, rel) == 0 || ends_with(last, title) || strstr(last, id)) {
            snprintf(out, outlen, "%s", rel);
            return;
        }
    }
}

/* Value of KEY in the grubenv block, unescaped; "" when absent. */
static void grubenv_get(const char *block, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    out[0] = '\0';
    for (const char *line = block; *line; ) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > klen && line[0] != '#' && strncmp(line, key, klen) == 0 && line[klen] == '=') {
            size_t o = 0;
            for (size_t i = klen + 1; i < len && o + 1 < outlen; i++) {
                if (line[i] == '\\' && i + 1 < len)
                    i++;   /* grub escapes '\\' and newline with a backslash */
                out[o++] = line[i];
            }
            out[o] = '\0';
            return;
        }
        if (!eol)
            break;
        line = eol + 1;
    }
}

void kernel_grub_next(char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *f = open_grub_env();
    if (!f)
        return;
    char block[4097];
    size_t n = fread(block, 1, sizeof block - 1, f);
    fclose(f);
    block[n] = '\0';
    char entry[1024];
    grubenv_get(block, "next_entry", entry, sizeof entry);
    if (!entry[0])
        grubenv_get(block, "saved_entry", entry, sizeof entry);
    if (!entry[0])
        return;
    struct kernel_list *l = malloc(sizeof *l);
    if (!l)
        return;
    kernel_grub_list(l);
    kernel_grub_entry_release(entry, l, out, outlen);
    free(l);
}

int kernel_grub_plan(const char *release, struct op_plan *p)
{
    if (!kernel_grub_exists(release))
        return SNMP_ERR_INCONSISTENTVALUE;
    const struct agent_config *c = agent_config();
    char set[sizeof GRUB_ENTRY_PREFIX + KERNEL_RELEASE_MAX + 16];
    snprintf(set, sizeof set, "saved_entry=" GRUB_ENTRY_PREFIX "%s", release);
    const char *const step1[] = { c->grub_editenv, c->grub_env, "set", set, NULL };
    const char *const step2[] = { c->grub_editenv, c->grub_env, "unset", "next_entry", NULL };
    p->timeout_s = OP_TIMEOUT_KERNEL_S;
    if (op_plan_add(p, step1) < 0 || op_plan_add(p, step2) < 0)
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    return SNMP_ERR_NOERROR;
}
