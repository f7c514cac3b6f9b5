/* Logins, sessions and the gate of every route (see http_auth.h). */
#include "http_auth.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "event_log.h"
#include "http_form.h"
#include "http_login_limit.h"
#include "http_session.h"
#include "http_users.h"
#include "json_text.h"
#include "log_limit.h"
#include "printable.h"

#define LOG_EVERY_S 10

enum { LOG_LIMITED, LOG_REFUSED, LOG_KINDS };

static struct {
    char file[HTTP_PATH_MAX];        /* the users file read last, "" for none */
    struct http_users users;
    struct session_table sessions;
    struct login_limit limit;
    struct log_limit rate[LOG_KINDS];
} A;

#define note(kind, ...) log_limited(&A.rate[kind], LOG_EVERY_S, "web console", __VA_ARGS__)

const char *http_peer_addr(struct evhttp_request *req, char *buf, size_t len)
{
    struct evhttp_connection *con = evhttp_request_get_connection(req);
    const char *addr = NULL;
    ev_uint16_t port = 0;
    if (con)
        evhttp_connection_get_peer(con, (char **)&addr, &port);
    snprintf(buf, len, "%s", addr && *addr ? addr : "?");
    return buf;
}

static bool loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &a6) != 1)
        return false;
    if (IN6_IS_ADDR_LOOPBACK(&a6))
        return true;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

void http_auth_apply(const struct http_config *hc)
{
    char err[HTTP_PATH_MAX + 128];
    if (!hc->users[0]) {
        if (A.users.loaded || !A.file[0])
            event_log("web console: no http_users file: nobody can change the cluster from the web");
        memset(&A.users, 0, sizeof A.users);
        A.file[0] = '\0';
    } else if (http_users_load(hc->users, &A.users, err, sizeof err) < 0) {
        event_log("web console: cannot read the users file %s: nobody can change the cluster from the web", err);
        snprintf(A.file, sizeof A.file, "%s", hc->users);
    } else {
        snprintf(A.file, sizeof A.file, "%s", hc->users);
        event_log("web console: %zu user%s in %s", A.users.n, A.users.n == 1 ? "" : "s", hc->users);
    }
    unsigned ended = session_prune(&A.sessions, &A.users);
    if (ended)
        event_log("web console: %u session%s ended (user gone or password changed)", ended, ended == 1 ? "" : "s");
}

/* The session of the request's cookie, NULL for none.  Every
 * lamon_session cookie is tried: one set for a parent domain may come too. */
static struct http_session *request_session(struct http_ctx *ctx)
{
    time_t now = session_now();
    const struct evkeyvalq *h = evhttp_request_get_input_headers(ctx->req);
    for (const struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next) {
        if (strcasecmp(kv->key, "Cookie") != 0)
            continue;
        char tok[SESSION_TOKEN_HEX + 2];
        for (size_t i = 0; i < 8 && http_cookie_value(kv->value, HTTP_COOKIE, i, tok, sizeof tok); i++) {
            struct http_session *s = session_find(&A.sessions, tok, now);
            if (s)
                return s;
        }
    }
    return NULL;
}

static void refuse(struct http_ctx *ctx, int code, const char *why)
{
    char peer[64];
    note(LOG_REFUSED, "refused POST %.200s from %s: %s", evhttp_request_get_uri(ctx->req),
         http_peer_addr(ctx->req, peer, sizeof peer), why);
    http_reply_error(ctx, code, why);
}

/* The session's CSRF token from the header, or else from the form. */
static bool csrf_ok(struct http_ctx *ctx, const struct http_session *s, const char **why)
{
    const char *t = evhttp_find_header(evhttp_request_get_input_headers(ctx->req), HTTP_CSRF_HEADER);
    struct evkeyvalq q;
    char err[128];
    bool have_form = false;
    if (!t) {
        if (http_form_parse(ctx->req, &q, err, sizeof err) == 0) {
            have_form = true;
            t = evhttp_find_header(&q, HTTP_CSRF_FIELD);
        }
    }
    bool ok = t && session_csrf_ok(s, t);
    *why = !t ? "missing CSRF token (X-CSRF-Token header or csrf field)" : "wrong CSRF token";
    if (have_form)
        evhttp_clear_headers(&q);
    return ok;
}

static bool login_gate(struct http_ctx *ctx)
{
    char peer[64];
    http_peer_addr(ctx->req, peer, sizeof peer);
    if (!A.users.loaded || A.users.n == 0) {
        refuse(ctx, 403, A.file[0] ? "no usable user in the users file: changes from the web are off"
                                   : "no http_users file: changes from the web are off");
        return false;
    }
    if (!ctx->tls && !loopback(peer)) {
        refuse(ctx, 403, "log in over https (http_tls): plain http is for the loopback only");
        return false;
    }
    unsigned retry;
    if (!login_allowed(&A.limit, peer, session_now(), &retry)) {
        note(LOG_LIMITED, "login from %s refused: too many failed logins (again in %u s)", peer, retry);
        char v[16];
        snprintf(v, sizeof v, "%u", retry);
        evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Retry-After", v);
        http_reply_error(ctx, 429, "too many failed logins; try again later");
        return false;
    }
    return true;
}

static void set_cookie(struct http_ctx *ctx, const char *token, long max_age)
{
    char c[256];
    /* Secure always: browsers keep it over TLS and on http://localhost or
     * 127.0.0.1 (secure contexts), the only plain origins we let log in. */
    snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=%ld", HTTP_COOKIE, token,
             max_age);
    evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Set-Cookie", c);
}

bool http_auth_gate(struct http_ctx *ctx, enum http_access access)
{
    if (access == HTTP_OPEN)
        return true;
    if (access == HTTP_LOGIN)
        return login_gate(ctx);
    struct http_session *s = request_session(ctx);
    if (!s) {
        refuse(ctx, 401, "log in first (no session)");
        return false;
    }
    const char *why;
    if (!csrf_ok(ctx, s, &why)) {
        refuse(ctx, 403, why);
        return false;
    }
    snprintf(ctx->user, sizeof ctx->user, "%s", s->user);
    return true;
}

static void session_json(struct http_ctx *ctx, int code, const struct http_session *s)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    if (s) {
        evbuffer_add_printf(b, "{\"user\": ");
        json_string(b, s->user);
        evbuffer_add_printf(b, ", \"csrf\": \"%s\"}\n", s->csrf);
    } else {
        evbuffer_add_printf(b, "{\"user\": null, \"csrf\": null}\n");
    }
    http_reply(ctx, code, "application/json", b);
    evbuffer_free(b);
}

static void post_login(struct http_ctx *ctx)
{
    char peer[64], err[128], shown[HTTP_USER_MAX + 1];
    http_peer_addr(ctx->req, peer, sizeof peer);
    struct evkeyvalq q;
    if (http_form_parse(ctx->req, &q, err, sizeof err) < 0) {
        http_reply_error(ctx, 400, err);
        return;
    }
    const char *user = evhttp_find_header(&q, "user");
    const char *pass = evhttp_find_header(&q, "password");
    if (!user || !pass || !*user) {
        evhttp_clear_headers(&q);
        http_reply_error(ctx, 400, "a login takes the form fields user and password");
        return;
    }
    printable_copy(shown, sizeof shown, user, (size_t)-1);
    time_t now = session_now();
    if (strlen(user) > HTTP_USER_MAX || strlen(pass) > 1024 || !http_users_verify(&A.users, user, pass)) {
        login_failed(&A.limit, peer, now);
        /* Every failure: login_allowed() bounds them to a few a minute. */
        event_log("web console: login failed for user '%s' from %s (%s)", shown, peer,
                  http_users_find(&A.users, user) ? "wrong password" : "no such user");
        evhttp_clear_headers(&q);
        http_reply_error(ctx, 401, "wrong user or password");
        return;
    }
    login_succeeded(&A.limit, peer);
    /* The browser's previous session, if any, ends: one cookie, one session. */
    struct http_session *prev = request_session(ctx);
    if (prev)
        session_end(prev);
    char evicted[HTTP_USER_MAX + 1];
    const struct http_session *s = session_new(&A.sessions, http_users_find(&A.users, user), now, evicted);
    evhttp_clear_headers(&q);
    if (!s) {
        http_reply_error(ctx, 503, "no random bytes for a session token");
        return;
    }
    if (evicted[0])
        event_log("web console: session table full: the least recently used session (user %s) ended", evicted);
    event_log("web console: user %s logged in from %s", s->user, peer);
    set_cookie(ctx, s->token, SESSION_MAX_S);
    session_json(ctx, 200, s);
}

/* Open to a browser whose session has ended (expired, the controller
 * restarted): its cookie is cleared all the same.  A live session still
 * needs its CSRF token (and every POST comes from the console's own pages,
 * http_origin.h). */
static void post_logout(struct http_ctx *ctx)
{
    struct http_session *s = request_session(ctx);
    char peer[64];
    const char *why;
    if (s && !csrf_ok(ctx, s, &why)) {
        refuse(ctx, 403, why);
        return;
    }
    if (s) {
        event_log("web console: user %s logged out from %s", s->user,
                  http_peer_addr(ctx->req, peer, sizeof peer));
        session_end(s);
    }
    set_cookie(ctx, "", 0);
    session_json(ctx, 200, NULL);
}

static void get_session(struct http_ctx *ctx)
{
    session_json(ctx, 200, request_session(ctx));
}

const struct http_route http_auth_routes[] = {
    { EVHTTP_REQ_POST, "/api/v1/login", post_login, HTTP_LOGIN, false },
    { EVHTTP_REQ_POST, "/api/v1/logout", post_logout, HTTP_OPEN, false },
    { EVHTTP_REQ_GET, "/api/v1/session", get_session, HTTP_OPEN, false },
    { 0, NULL, NULL, 0, false },
};
