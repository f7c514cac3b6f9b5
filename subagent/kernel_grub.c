/* Kernels in boot_dir and GRUB's environment block; see kernel_grub.h. */
#include "kernel_grub.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <dirent.h>
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

/* The worker's way to both (priv_client: the monitor reads the files). */
static int (*g_remote)(struct kernel_list *out, char *next, size_t nextlen);

void kernel_grub_set_remote(int (*fetch)(struct kernel_list *out, char *next, size_t nextlen))
{
    g_remote = fetch;
}

static void local_list(struct kernel_list *out)
{
    out->n = 0;
    DIR *d = opendir(agent_config()->boot_dir);
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

void kernel_grub_list(struct kernel_list *out)
{
    char next[KERNEL_RELEASE_MAX + 1];
    kernel_grub_read(out, next, sizeof next);
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

/* The next-boot release among L, from the grubenv file. */
static void local_next(const struct kernel_list *l, char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *f = fopen(agent_config()->grub_env, "re");
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
    if (entry[0])
        kernel_grub_entry_release(entry, l, out, outlen);
}

void kernel_grub_read(struct kernel_list *out, char *next, size_t nextlen)
{
    if (g_remote) {
        if (g_remote(out, next, nextlen) != 0) {
            out->n = 0;
            next[0] = '\0';
        }
        qsort(out->rel, out->n, sizeof out->rel[0], cmp_rel);   /* for bsearch */
        return;
    }
    local_list(out);
    local_next(out, next, nextlen);
}

void kernel_grub_next(char *out, size_t outlen)
{
    out[0] = '\0';
    struct kernel_list *l = malloc(sizeof *l);
    if (!l)
        return;
    kernel_grub_read(l, out, outlen);
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
