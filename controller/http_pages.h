/* The web console's pages (http_server.h): server-rendered HTML from the
 * same views as lamonctl (status_view.h), kept live by web/lamon.js
 * polling the JSON API.  The DOM the script and the browser test rely on
 * (ids, data-* attributes) is described at the top of web/lamon.js; every value is
 * escaped (html_text.h).  http_pages.c: the layout, the overview, the
 * services and the log; http_page_node.c: a node's page. */
#ifndef LAMON_HTTP_PAGES_H
#define LAMON_HTTP_PAGES_H

#include <event2/buffer.h>

#include "http_route.h"

/* The page's head, navigation and login box; PAGE is the body's data-page
 * ("overview", "services", "node", "log"), NODE its data-node or NULL. */
void page_begin(const struct http_ctx *ctx, struct evbuffer *out, const char *title, const char *page,
                const char *node);
/* The job panel, the confirmation dialog and the end of the page. */
void page_end(struct evbuffer *out);
/* Answers OUT as text/html with CODE. */
void page_send(struct http_ctx *ctx, int code, struct evbuffer *out);

/* GET /nodes/NAME (http_page_node.c). */
void http_page_node(struct http_ctx *ctx);

#endif
