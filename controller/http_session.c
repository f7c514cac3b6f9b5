/* Sessions of the web console (see http_session.h). */
#include "http_session.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static bool random_hex(char out[SESSION_TOKEN_HEX + 1])
{
    unsigned char b[SESSION_TOKEN_HEX / 2];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return false;
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    explicit_bzero(b, sizeof b);
    return true;
}

static bool expired(const struct http_session *s, time_t now)
{
    return now - s->used >= SESSION_IDLE_S || now - s->created >= SESSION_MAX_S;
}

const struct http_session *session_new(struct session_table *t, const struct http_user *u, time_t now,
                                       char evicted[HTTP_USER_MAX + 1])
{
    evicted[0] = '\0';
    struct http_session *slot = NULL;
    for (size_t i = 0; i < SESSIONS_MAX; i++) {
        struct http_session *s = &t->s[i];
        if (s->live && expired(s, now))
            session_end(s);
        if (!s->live) {
            slot = s;
            break;
        }
        if (!slot || s->used < slot->used)
            slot = s;
    }
    struct http_session n;
    memset(&n, 0, sizeof n);
    if (!random_hex(n.token) || !random_hex(n.csrf))
        return NULL;
    if (slot->live)
        snprintf(evicted, HTTP_USER_MAX + 1, "%s", slot->user);
    n.live = true;
    snprintf(n.user, sizeof n.user, "%s", u->name);
    snprintf(n.hash, sizeof n.hash, "%s", u->hash);
    n.created = n.used = now;
    *slot = n;
    explicit_bzero(&n, sizeof n);
    return slot;
}

struct http_session *session_find(struct session_table *t, const char *token, time_t now)
{
    if (strlen(token) != SESSION_TOKEN_HEX)
        return NULL;
    struct http_session *found = NULL;
    for (size_t i = 0; i < SESSIONS_MAX; i++) {
        struct http_session *s = &t->s[i];
        if (!s->live)
            continue;
        if (expired(s, now)) {
            session_end(s);
            continue;
        }
        if (http_const_equal(s->token, token))
            found = s;
    }
    if (found)
        found->used = now;
    return found;
}

void session_end(struct http_session *s)
{
    explicit_bzero(s, sizeof *s);
}

unsigned session_prune(struct session_table *t, const struct http_users *us)
{
    unsigned n = 0;
    for (size_t i = 0; i < SESSIONS_MAX; i++) {
        struct http_session *s = &t->s[i];
        if (!s->live)
            continue;
        const struct http_user *u = http_users_find(us, s->user);
        if (!u || strcmp(u->hash, s->hash) != 0) {
            session_end(s);
            n++;
        }
    }
    return n;
}

bool session_csrf_ok(const struct http_session *s, const char *token)
{
    return s->live && strlen(token) == SESSION_TOKEN_HEX && http_const_equal(s->csrf, token);
}

time_t session_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}
