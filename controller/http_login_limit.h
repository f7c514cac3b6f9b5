/* Failed web logins, counted per source address and for all addresses
 * together: past LOGIN_FAILS_ADDR failures from one address, or
 * LOGIN_FAILS_ALL from all, within LOGIN_WINDOW_S, logins are refused
 * (429) until the window ends, before any password is hashed, so that
 * guessing stays slow and cannot keep the controller's loop busy with
 * hashing.  The table of addresses is bounded; the stalest gives way. */
#ifndef LAMON_HTTP_LOGIN_LIMIT_H
#define LAMON_HTTP_LOGIN_LIMIT_H

#include <stdbool.h>
#include <time.h>

#define LOGIN_WINDOW_S 60
#define LOGIN_FAILS_ADDR 5
#define LOGIN_FAILS_ALL 20
#define LOGIN_ADDRS 256

struct login_addr {
    char addr[64];                   /* "" for a free slot */
    time_t since;                    /* start of its window */
    unsigned fails;
};

struct login_limit {
    struct login_addr a[LOGIN_ADDRS];
    time_t since;                    /* the global window */
    unsigned fails;
};

/* Whether a login from ADDR may be tried at NOW; when not, *RETRY_S is
 * the seconds until it may. */
bool login_allowed(struct login_limit *l, const char *addr, time_t now, unsigned *retry_s);
/* A failed login from ADDR at NOW. */
void login_failed(struct login_limit *l, const char *addr, time_t now);
/* A good one: ADDR's count starts again. */
void login_succeeded(struct login_limit *l, const char *addr);

#endif
