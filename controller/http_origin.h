/* Which sites may talk to the console (http_server.h).  Reads are open on
 * the console's address, but "open on the loopback" must not mean open to
 * any web page: a page whose name an attacker rebinds to 127.0.0.1 (DNS
 * rebinding) would send its own name as Host, and a page of another site
 * posts with its own Origin.  So:
 *   - the Host of every request is an IP literal, "localhost", or a name of
 *     the console (the http line's host, http_names);
 *   - a POST that says where it comes from (Origin, Sec-Fetch-Site) comes
 *     from the console's own pages.
 * Pure functions, tested without a server (tests/unit/ctl_http_origin_test.c). */
#ifndef LAMON_HTTP_ORIGIN_H
#define LAMON_HTTP_ORIGIN_H

#include <stdbool.h>

#include "http_config.h"

/* Whether HOST (a Host header: name or address, optional ":port") names
 * this console.  NULL (no Host, HTTP/1.0) is allowed: no browser sends it. */
bool http_host_allowed(const char *host, const struct http_config *hc);

/* Whether a POST with these headers (each NULL when absent) comes from the
 * console's own pages: ORIGIN, when given, is http(s)://HOST exactly (the
 * request's Host header, the scheme of the connection); SEC_FETCH_SITE,
 * when given, is "same-origin" or "none" (typed by the user). */
bool http_origin_same(const char *origin, const char *sec_fetch_site, const char *host, bool tls);

#endif
