/* JSON text for the views (see json_text.h). */
#include "json_text.h"

#include <stdio.h>
#include <string.h>

void json_string(struct evbuffer *out, const char *s)
{
    evbuffer_add(out, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            evbuffer_add_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            evbuffer_add_printf(out, "\\u%04x", *p);
        else
            evbuffer_add(out, p, 1);
    }
    evbuffer_add(out, "\"", 1);
}

void json_lines(struct evbuffer *out, const char *text)
{
    evbuffer_add_printf(out, "[");
    char line[1024];
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        evbuffer_add_printf(out, "%s", p == text ? "" : ", ");
        json_string(out, line);
        p += n;
        if (*p)
            p++;
    }
    evbuffer_add_printf(out, "]");
}
