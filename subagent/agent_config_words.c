/* The words of an agent configuration line that are more than one word:
 * a command line split into an argv array (never a shell string), and a
 * port list.  Declared in agent_config.h. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"

void agent_config_free_argv(struct lamon_argv *a)
{
    if (a->argv) {
        for (size_t i = 0; i < a->argc; i++)
            free(a->argv[i]);
        free(a->argv);
    }
    a->argv = NULL;
    a->argc = 0;
}

int agent_config_split_argv(const char *line, struct lamon_argv *out,
                            const char **err)
{
    out->argv = NULL;
    out->argc = 0;
    if (!line) {
        *err = "missing command";
        return -1;
    }
    size_t len = strlen(line) + 1;
    char *work = strdup(line), *word = malloc(len);
    size_t cap = 0;
    if (!work || !word) {
        *err = "out of memory";
        goto fail;
    }
    for (char *p = skip_white(work); p && *p;) {
        p = copy_nword(p, word, (int)len);
        if (out->argc + 2 > cap) {
            cap = cap ? cap * 2 : 8;
            char **n = realloc(out->argv, cap * sizeof *n);
            if (!n) {
                *err = "out of memory";
                goto fail;
            }
            out->argv = n;
        }
        out->argv[out->argc] = strdup(word);
        if (!out->argv[out->argc]) {
            *err = "out of memory";
            goto fail;
        }
        out->argc++;
        out->argv[out->argc] = NULL;
    }
    free(work);
    free(word);
    if (out->argc == 0) {
        *err = "missing command";
        return -1;
    }
    return 0;
fail:
    free(work);
    free(word);
    agent_config_free_argv(out);
    return -1;
}

int agent_config_parse_ports(const char *s, unsigned short *ports,
                             size_t max, size_t *n, const char **err)
{
    *n = 0;
    if (!s || !*s) {
        *err = "missing port list";
        return -1;
    }
    const char *p = s;
    for (;;) {
        if (*p < '0' || *p > '9') {
            *err = "port is not a number";
            return -1;
        }
        errno = 0;
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (errno || v < 1 || v > 65535) {
            *err = "port out of range 1..65535";
            return -1;
        }
        for (size_t i = 0; i < *n; i++)
            if (ports[i] == v) {
                *err = "port listed twice";
                return -1;
            }
        if (*n == max) {
            *err = "too many ports";
            return -1;
        }
        ports[(*n)++] = (unsigned short)v;
        if (*end == '\0')
            return 0;
        if (*end != ',') {
            *err = "ports must be separated by commas";
            return -1;
        }
        p = end + 1;
    }
}
