/* HTML text for the pages (see html_text.h). */
#include "html_text.h"

#include <string.h>

void html_text(struct evbuffer *out, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *e;
        switch (*p) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: continue;
        }
        evbuffer_add(out, run, (size_t)(p - run));
        evbuffer_add(out, e, strlen(e));
        run = p + 1;
    }
    evbuffer_add(out, run, strlen(run));
}

void html_url_seg(struct evbuffer *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._~-", *p)) {
            evbuffer_add(out, p, 1);
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            evbuffer_add(out, e, 3);
        }
    }
}
