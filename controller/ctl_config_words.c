/* Words and values of lamon-controller.conf lines, shared by the token
 * handlers; see ctl_config_words.h. */
#include "ctl_config_words.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctl_cfg_copy(char *dst, size_t len, const char *src)
{
    size_t n = strnlen(src, len - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

bool ctl_cfg_words(const char *token, char *line, char words[][WORD_MAX], size_t maxw, size_t *n)
{
    char spare[WORD_MAX] = "", what[96];
    char *p = line;
    *n = 0;
    while (p) {
        char *dst = *n < maxw ? words[*n] : spare;
        snprintf(what, sizeof what, "%s: word %zu", token, *n + 1);
        int r = config_word(&p, dst, WORD_MAX, what);
        if (r < 0)
            return false;
        if (r > 0 && dst[0] != '\0')
            (*n)++;
    }
    return true;
}

bool ctl_cfg_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out)
{
    char *end;
    errno = 0;
    if (!s || *s == '\0' || *s == '-')
        return false;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

bool ctl_cfg_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CTL_NAME_MAX)
        return false;
    for (const char *p = s; *p; p++)
        if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
              ('0' <= *p && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}


void *ctl_cfg_grow(void *arr, size_t n, size_t size)
{
    void *p = realloc(arr, (n + 1) * size);
    if (!p)
        config_errorf("out of memory");
    return p;
}

int ctl_parse_hostport(const char *s, uint16_t defport, char *host, size_t hostlen,
                       struct sockaddr_storage *addr, uint16_t *port)
{
    char buf[HOSTPORT_MAX + 1];
    const char *portstr = NULL;
    if (strlen(s) >= sizeof buf)
        return -1;
    ctl_cfg_copy(buf, sizeof buf, s);
    char *h = buf;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close)
            return -1;
        *close = '\0';
        h = buf + 1;
        if (close[1] == ':')
            portstr = close + 2;
        else if (close[1] != '\0')
            return -1;
    } else {
        char *colon = strchr(buf, ':');
        if (colon && strchr(colon + 1, ':') == NULL) {   /* one colon: host:port */
            *colon = '\0';
            portstr = colon + 1;
        }
    }
    unsigned p = defport;
    if (portstr && !ctl_cfg_uint(portstr, 1, 65535, &p))
        return -1;
    if (*h == '\0' || strlen(h) >= hostlen)
        return -1;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *res = NULL;
#ifdef LAMON_FUZZING
    hints.ai_flags = AI_NUMERICHOST;    /* a fuzzed name must not reach DNS */
#endif
    if (getaddrinfo(h, NULL, &hints, &res) != 0 || !res)
        return -1;
    memset(addr, 0, sizeof *addr);
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (addr->ss_family == AF_INET)
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)p);
    else
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)p);
    snprintf(host, hostlen, "%s", h);
    *port = (uint16_t)p;
    return 0;
}

int ctl_cfg_find_peer(const struct ctl_peer *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return (int)i;
    return -1;
}

int ctl_config_find_node(const struct ctl_config *cfg, const char *name)
{
    return ctl_cfg_find_peer(cfg->nodes, cfg->nnodes, name);
}

int ctl_config_find_service(const struct ctl_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nservices; i++)
        if (strcmp(cfg->services[i].name, name) == 0)
            return (int)i;
    return -1;
}
