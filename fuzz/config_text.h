/* Shared by the config-parser fuzz targets (agent_config, ctl_config): the
 * input as a file the parser reads by name, and a growing string in which a
 * target writes a loaded configuration back as canonical, fully quoted text.
 * Header-only: each target is one translation unit (see the Makefile). */
#ifndef LAMON_FUZZ_CONFIG_TEXT_H
#define LAMON_FUZZ_CONFIG_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config_error.h"   /* CONFIG_LINE_MAX */

/* The file is a memfd read as /proc/self/fd/N: no temp file to clean up.
 * Replaces its content with DATA and returns its path. */
static inline const char *conf_file_put(const char *name, const void *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create(name, MFD_CLOEXEC);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    return path;
}

/* A growing string. */
struct out { char *s; size_t len, cap; };

static inline void add(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->s = realloc(o->s, o->cap);
        if (!o->s)
            abort();
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

static inline void adds(struct out *o, const char *s) { add(o, s, strlen(s)); }

static inline void addf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void addf(struct out *o, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        abort();
    add(o, buf, (size_t)n);
}

/* " \"WORD\"" with copy_nword's escapes: a backslash before \ and ". */
static inline void word(struct out *o, const char *w)
{
    adds(o, " \"");
    for (; *w; w++) {
        if (*w == '\\' || *w == '"')
            add(o, "\\", 1);
        add(o, w, 1);
    }
    add(o, "\"", 1);
}

/* Quoting adds characters: a canonical line may pass CONFIG_LINE_MAX where
 * the original did not.  Such a text is not a fair test of the reader. */
static inline bool lines_fit(const char *s)
{
    for (const char *nl; *s; s = nl + 1) {
        nl = strchr(s, '\n');
        if (!nl || nl - s > CONFIG_LINE_MAX)
            return false;
    }
    return true;
}

#endif
