/* A web request's path, cut into URL-decoded segments, and the route
 * patterns matched against them (http_route.h).  Pure functions, so that
 * they can be tested and fuzzed without a server (fuzz/ctl_http_path.c). */
#ifndef LAMON_HTTP_PATH_H
#define LAMON_HTTP_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_SEG_MAX 8               /* path segments of any route */
#define HTTP_SEG_LEN 256             /* a segment, decoded, with its NUL */

/* Cuts PATH ("/a/b%20c/") into SEG[0..*NSEG), each decoded; an empty
 * segment (a doubled or trailing "/") is dropped.  False for what is no
 * path of ours: not starting with "/", more than HTTP_SEG_MAX segments, a
 * segment of HTTP_SEG_LEN bytes or more, a bad %-escape, or an encoded
 * "/" or NUL. */
bool http_path_split(const char *path, char seg[HTTP_SEG_MAX][HTTP_SEG_LEN], size_t *nseg);

/* Whether PATTERN ("/api/v1/nodes/ *" without the space) matches
 * SEG[0..NSEG): a "*" segment matches any one segment, a final "**" any
 * rest (none included). */
bool http_path_match(const char *pattern, const char seg[][HTTP_SEG_LEN], size_t nseg);

#endif
