/* The web console's request limits: what evhttp is told and what the
 * router and the form parser check themselves (http_server.h). */
#ifndef LAMON_HTTP_LIMITS_H
#define LAMON_HTTP_LIMITS_H

#define HTTP_MAX_HEADERS_SIZE 8192   /* all request headers together, bytes */
#define HTTP_MAX_HEADERS 64          /* header lines */
#define HTTP_MAX_BODY 16384          /* a form or a JSON request */
#define HTTP_MAX_URL 2048            /* request target, bytes */
#define HTTP_TIMEOUT_S 10            /* a request must arrive within this */

#endif
