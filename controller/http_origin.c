/* Host and Origin checks (see http_origin.h). */
#include "http_origin.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The name part of a Host header into buf: "[::1]:8080" -> "::1",
 * "console:8080" -> "console".  False when it is not of that form. */
static bool host_name(const char *host, char *buf, size_t len)
{
    size_t n;
    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        if (!end || (end[1] && end[1] != ':'))
            return false;
        n = (size_t)(end - host - 1);
        host++;
    } else {
        n = strcspn(host, ":");
        if (host[n] == ':' && strchr(host + n + 1, ':'))
            return false;            /* an IPv6 address without brackets */
    }
    if (n == 0 || n >= len)
        return false;
    memcpy(buf, host, n);
    buf[n] = '\0';
    const char *port = strchr(host + n, ':');
    if (port && (!port[1] || strspn(port + 1, "0123456789") != strlen(port + 1) || strlen(port + 1) > 5))
        return false;
    return true;
}

static bool ip_literal(const char *name)
{
    unsigned char a[16];
    return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

/* NAME in the space-separated LIST, case-insensitively. */
static bool in_list(const char *name, const char *list)
{
    size_t nl = strlen(name);
    for (const char *p = list; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (n == nl && n > 0 && strncasecmp(p, name, n) == 0)
            return true;
        p += n;
    }
    return false;
}

bool http_host_allowed(const char *host, const struct http_config *hc)
{
    if (!host)
        return true;
    char name[256];
    if (!host_name(host, name, sizeof name))
        return false;
    if (ip_literal(name) || strcasecmp(name, "localhost") == 0)
        return true;
    char own[sizeof hc->host];
    snprintf(own, sizeof own, "%s", hc->host);
    return strcasecmp(name, own) == 0 || in_list(name, hc->names);
}

bool http_origin_same(const char *origin, const char *sec_fetch_site, const char *host, bool tls)
{
    if (sec_fetch_site && strcmp(sec_fetch_site, "same-origin") != 0 && strcmp(sec_fetch_site, "none") != 0)
        return false;
    if (!origin)
        return true;
    if (!host)
        return false;
    char want[300];
    snprintf(want, sizeof want, "%s://%s", tls ? "https" : "http", host);
    return strcasecmp(origin, want) == 0;
}
