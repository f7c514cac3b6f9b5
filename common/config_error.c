#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_error.h"

void config_errorf(const char *fmt, ...)
{
    char fixed[256], *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    /* vasprintf: a message is never cut short; the fixed buffer is only the
     * out-of-memory fallback. */
    if (vasprintf(&msg, fmt, ap) < 0) {
        msg = NULL;
        snprintf(fixed, sizeof fixed, "%s", fmt);
    }
    va_end(ap);
    config_perror(msg ? msg : fixed);
    free(msg);
}

/* Same layout as Net-SNMP's own config_perror() output. */
static void line_error(const char *file, unsigned line, const char *what)
{
    snmp_log(LOG_ERR, "%s: line %u: Error: %s\n", file, line, what);
}

/* The first word of LINE (LEN characters) as Net-SNMP will read it. */
static void check_first_word(const char *file, unsigned lineno, char *line, size_t len,
                             char *word, int *problems)
{
    char msg[160];
    char *p = skip_white(line);
    if (!p)
        return;
    copy_nword(p, word, (int)len + 1);
    if (word[0] == '[') {
        snprintf(msg, sizeof msg, "'%.40s': [type] lines are not supported; "
                 "only this file's own tokens are read", word);
        line_error(file, lineno, msg);
        (*problems)++;
    } else if (strncasecmp(word, "include", 7) == 0) {
        snprintf(msg, sizeof msg, "'%.40s': include lines are not supported; "
                 "only this file is read", word);
        line_error(file, lineno, msg);
        (*problems)++;
    }
}

int config_file_check(const char *file)
{
    FILE *f = fopen(file, "re");
    if (!f) {
        snmp_log(LOG_ERR, "%s: cannot open: %s\n", file, strerror(errno));
        return -1;
    }
    char *line = malloc(CONFIG_LINE_MAX + 1), *word = malloc(CONFIG_LINE_MAX + 1);
    if (!line || !word) {
        snmp_log(LOG_ERR, "%s: out of memory\n", file);
        free(line);
        free(word);
        fclose(f);
        return -1;
    }
    int problems = 0, c = 0;
    unsigned lineno = 0;
    while (c != EOF && lineno < UINT_MAX) {
        size_t len = 0;
        bool nul = false;
        /* Only the first CONFIG_LINE_MAX characters are kept; a longer
         * line is measured to the end and refused. */
        while ((c = getc(f)) != EOF && c != '\n') {
            if (c == '\0')
                nul = true;
            if (len < CONFIG_LINE_MAX)
                line[len] = (char)c;
            len++;
        }
        if (c == EOF && len == 0)
            break;
        lineno++;
        char msg[128];
        if (nul) {
            line_error(file, lineno, "the line holds a NUL byte");
            problems++;
        } else if (len > CONFIG_LINE_MAX) {
            snprintf(msg, sizeof msg, "the line is %zu characters long; at most %d",
                     len, CONFIG_LINE_MAX);
            line_error(file, lineno, msg);
            problems++;
        } else {
            line[len] = '\0';
            check_first_word(file, lineno, line, len, word, &problems);
        }
    }
    if (ferror(f)) {
        snmp_log(LOG_ERR, "%s: cannot read: %s\n", file, strerror(errno));
        problems++;
    }
    free(line);
    free(word);
    fclose(f);
    return problems;
}

int config_word(char **cursor, char *dst, size_t dstlen, const char *what)
{
    char *from = skip_white(*cursor);
    dst[0] = '\0';
    *cursor = NULL;
    if (!from)
        return 0;
    /* The word, unescaped, is never longer than the rest of the line, so
     * copy_nword never truncates into this buffer; its length is exact. */
    size_t cap = strlen(from) + 1;
    char *w = cap <= INT_MAX ? malloc(cap) : NULL;
    if (!w) {
        config_errorf("%s: out of memory", what);
        return -1;
    }
    *cursor = copy_nword(from, w, (int)cap);
    size_t n = strlen(w);
    if (n >= dstlen) {
        config_errorf("%s is %zu characters long; at most %zu", what, n, dstlen - 1);
        free(w);
        return -1;
    }
    memcpy(dst, w, n + 1);
    free(w);
    return 1;
}
