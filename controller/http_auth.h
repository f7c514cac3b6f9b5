/* Who may change the cluster from the web (http_server.h): the users of
 * http_users (http_users.h), sessions in HttpOnly SameSite=Strict Secure
 * cookies (http_session.h), a CSRF token per session on every POST but
 * the login, and failed logins rate-limited (http_login_limit.h) and
 * logged.  Routes: POST /api/v1/login (form user=U&password=P),
 * POST /api/v1/logout, GET /api/v1/session.
 *
 * A login is refused over plain HTTP from an address that is not the
 * loopback: the password would cross the network in clear, and browsers
 * drop Secure cookies there anyway; configure http_tls. */
#ifndef LAMON_HTTP_AUTH_H
#define LAMON_HTTP_AUTH_H

#include <stdbool.h>

#include "http_config.h"
#include "http_route.h"

#define HTTP_COOKIE "lamon_session"
#define HTTP_CSRF_HEADER "X-CSRF-Token"
#define HTTP_CSRF_FIELD "csrf"

/* Whether CTX may go on to a route of ACCESS; when not, the answer (401,
 * 403, 429) has been sent.  Sets ctx->user for a session. */
bool http_auth_gate(struct http_ctx *ctx, enum http_access access);

/* (Re)reads HC's users file, at start and on SIGHUP: bad lines and an
 * unreadable file go to the event log; sessions of users who left or
 * changed password end. */
void http_auth_apply(const struct http_config *hc);

/* The request's peer address (no port), "?" when unknown. */
const char *http_peer_addr(struct evhttp_request *req, char *buf, size_t len);

#endif
