/* HTML text for the web console's pages (http_pages.c): every value that
 * reaches a page goes through here, so that no name, label or log line
 * an agent or a config sends can carry markup. */
#ifndef LAMON_HTML_TEXT_H
#define LAMON_HTML_TEXT_H

#include <event2/buffer.h>

/* Appends S with & < > " ' escaped: safe as element text and as a quoted
 * attribute value.  NULL appends nothing. */
void html_text(struct evbuffer *out, const char *s);

/* Appends S percent-encoded for one URL path segment (everything but
 * A-Z a-z 0-9 . _ ~ - is encoded, "/" too); the result needs no HTML
 * escaping. */
void html_url_seg(struct evbuffer *out, const char *s);

#endif
