/* Who may change the cluster from the web (http_server.h): the users of
 * http_users, sessions in HttpOnly SameSite cookies, a CSRF token per
 * session on every POST, and failed logins rate-limited and logged. */
#ifndef LAMON_HTTP_AUTH_H
#define LAMON_HTTP_AUTH_H

#include <stdbool.h>

#include "http_route.h"

/* Whether CTX may go on to a route of ACCESS; when not, the answer (401,
 * 403, 429) has been sent.  Sets ctx->user for a session. */
bool http_auth_gate(struct http_ctx *ctx, enum http_access access);

#endif
