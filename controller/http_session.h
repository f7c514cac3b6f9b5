/* The web console's sessions: who logged in, kept in memory only (a
 * restarted controller forgets them; operators log in again).  A session
 * is a random 32-byte token (getrandom(2), in hex in the lamon_session
 * cookie) with a CSRF token of its own.  It ends after SESSION_IDLE_S
 * without a request, SESSION_MAX_S after the login, at logout, or when its
 * user leaves the users file or changes password; when the table is full
 * the least recently used session gives way. */
#ifndef LAMON_HTTP_SESSION_H
#define LAMON_HTTP_SESSION_H

#include <stdbool.h>
#include <time.h>

#include "http_users.h"

#define SESSIONS_MAX 64
#define SESSION_IDLE_S (8 * 3600)
#define SESSION_MAX_S (24 * 3600)
#define SESSION_TOKEN_HEX 64         /* 32 random bytes */

struct http_session {
    bool live;
    char token[SESSION_TOKEN_HEX + 1];
    char csrf[SESSION_TOKEN_HEX + 1];
    char user[HTTP_USER_MAX + 1];
    char hash[CRYPT_OUTPUT_SIZE];    /* the user's hash at login: a new password ends it */
    time_t created, used;            /* CLOCK_MONOTONIC seconds */
};

struct session_table {
    struct http_session s[SESSIONS_MAX];
};

/* A new session of USER at NOW; NULL when no random bytes could be had.
 * *EVICTED is set to the user whose session gave way, "" for none. */
const struct http_session *session_new(struct session_table *t, const struct http_user *u, time_t now,
                                       char evicted[HTTP_USER_MAX + 1]);

/* The live session whose token is TOKEN, its last use set to NOW; expired
 * sessions end here.  NULL for none. */
struct http_session *session_find(struct session_table *t, const char *token, time_t now);

void session_end(struct http_session *s);

/* Ends the sessions whose user is not in US, or is with another hash;
 * returns how many ended. */
unsigned session_prune(struct session_table *t, const struct http_users *us);

/* Whether TOKEN is S's CSRF token (constant time). */
bool session_csrf_ok(const struct http_session *s, const char *token);

/* The monotonic clock in seconds. */
time_t session_now(void);

#endif
