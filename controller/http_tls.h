/* TLS for the web console (http_tls CERT KEY, http_config.h), through
 * libevent's OpenSSL bufferevents: every accepted connection gets an SSL
 * of the current context.  TLS 1.2 and newer only, no renegotiation.  A
 * certificate or key that does not load fails the start; on a reload the
 * old context stays and connections keep going. */
#ifndef LAMON_HTTP_TLS_H
#define LAMON_HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/http.h>

struct http_tls;

/* Serves HTTP's connections through T from now on (plain while T has no
 * context).  NULL when out of memory. */
struct http_tls *http_tls_new(struct evhttp *http);

/* Loads CERT (a PEM chain) and KEY into a new context that replaces the
 * current one; CERT "" turns TLS off.  -1 with the reason in err, the
 * current context kept. */
int http_tls_load(struct http_tls *t, const char *cert, const char *key, char *err, size_t errlen);

/* Whether connections are served with TLS. */
bool http_tls_on(const struct http_tls *t);

void http_tls_free(struct http_tls *t);

#endif
