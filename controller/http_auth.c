/* Sessions and users (see http_auth.h). */
#include "http_auth.h"

bool http_auth_gate(struct http_ctx *ctx, enum http_access access)
{
    if (access == HTTP_OPEN)
        return true;
    http_reply_error(ctx, 403, "changes from the web need a session (http_users)");
    return false;
}
