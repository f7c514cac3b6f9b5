/* What a web request carries that the handlers read by hand: a form body
 * (application/x-www-form-urlencoded, through evhttp_parse_query_str) and
 * the Cookie header.  Bounded and strict, so that a request means one
 * thing: no NUL, no field given twice, no more than HTTP_FORM_FIELDS
 * fields.  No sockets: fuzzed by fuzz/ctl_http_form.c. */
#ifndef LAMON_HTTP_FORM_H
#define LAMON_HTTP_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define HTTP_FORM_FIELDS 16          /* fields of any form of ours */

/* Parses BODY (LEN bytes, not NUL-terminated) into Q, which the caller
 * clears with evhttp_clear_headers.  -1 with the reason in err (Q empty). */
int http_form_text(const char *body, size_t len, struct evkeyvalq *q, char *err, size_t errlen);

/* The request's body as a form: an empty body is an empty form, any other
 * must be of type application/x-www-form-urlencoded.  -1 with the reason. */
int http_form_parse(struct evhttp_request *req, struct evkeyvalq *q, char *err, size_t errlen);

/* The I-th value (0 first) of cookie NAME in one Cookie header's text
 * ("a=1; b=2"), into out; false when there is no I-th one or it does not
 * fit.  A cookie may come twice (from a parent domain): callers try each. */
bool http_cookie_value(const char *header, const char *name, size_t i, char *out, size_t outlen);

#endif
