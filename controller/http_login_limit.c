/* Rate limit of failed web logins (see http_login_limit.h). */
#include "http_login_limit.h"

#include <stdio.h>
#include <string.h>

static struct login_addr *find(struct login_limit *l, const char *addr)
{
    for (size_t i = 0; i < LOGIN_ADDRS; i++)
        if (l->a[i].addr[0] && strcmp(l->a[i].addr, addr) == 0)
            return &l->a[i];
    return NULL;
}

static unsigned left(time_t since, time_t now)
{
    time_t end = since + LOGIN_WINDOW_S;
    return end > now ? (unsigned)(end - now) : 1;
}

bool login_allowed(struct login_limit *l, const char *addr, time_t now, unsigned *retry_s)
{
    if (now - l->since >= LOGIN_WINDOW_S)
        l->fails = 0;
    if (l->fails >= LOGIN_FAILS_ALL) {
        *retry_s = left(l->since, now);
        return false;
    }
    struct login_addr *a = find(l, addr);
    if (a && now - a->since >= LOGIN_WINDOW_S)
        a->fails = 0;
    if (a && a->fails >= LOGIN_FAILS_ADDR) {
        *retry_s = left(a->since, now);
        return false;
    }
    return true;
}

void login_failed(struct login_limit *l, const char *addr, time_t now)
{
    if (l->fails == 0 || now - l->since >= LOGIN_WINDOW_S) {
        l->since = now;
        l->fails = 0;
    }
    l->fails++;
    struct login_addr *a = find(l, addr);
    if (!a) {
        a = &l->a[0];
        for (size_t i = 0; i < LOGIN_ADDRS; i++) {
            if (!l->a[i].addr[0]) {
                a = &l->a[i];
                break;
            }
            if (l->a[i].since < a->since)
                a = &l->a[i];
        }
        memset(a, 0, sizeof *a);
        snprintf(a->addr, sizeof a->addr, "%s", addr);
    }
    if (a->fails == 0 || now - a->since >= LOGIN_WINDOW_S) {
        a->since = now;
        a->fails = 0;
    }
    a->fails++;
}

void login_succeeded(struct login_limit *l, const char *addr)
{
    struct login_addr *a = find(l, addr);
    if (a)
        memset(a, 0, sizeof *a);
}
