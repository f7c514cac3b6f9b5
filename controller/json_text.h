/* JSON text for the views: the one string-literal encoder that the status
 * views, the job views and the notification counters share. */
#ifndef LAMON_JSON_TEXT_H
#define LAMON_JSON_TEXT_H

#include <event2/buffer.h>

/* Appends S as a JSON string literal. */
void json_string(struct evbuffer *out, const char *s);

/* Appends the lines of TEXT (each ended by a newline) as an array of
 * JSON strings. */
void json_lines(struct evbuffer *out, const char *text);

#endif
