/* Configuration text through Net-SNMP's token handlers; see config_text.h. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "config_text.h"

static char *skip_space(char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

int config_text_run(const char *type, const char *name, char *text)
{
    struct config_line *handlers = read_config_get_handlers(type);
    int unknown = 0;
    unsigned lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t n = strlen(line);
        while (n > 0 && isspace((unsigned char)line[n - 1]))
            line[--n] = '\0';
        char *p = skip_space(line);
        if (!*p || *p == '#')
            continue;
        char *token = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
        p = skip_space(p);
        const struct config_line *h = handlers;
        while (h && strcasecmp(h->config_token, token) != 0)
            h = h->next;
        if (!h || !h->parse_line) {
            snmp_log(LOG_ERR, "%s: line %u: unknown token %s\n", name, lineno, token);
            unknown++;
            continue;
        }
        h->parse_line(token, p);
    }
    return unknown;
}
