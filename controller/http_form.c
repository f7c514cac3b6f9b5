/* Form bodies and cookies of web requests (see http_form.h). */
#include "http_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/buffer.h>

#include "http_limits.h"
#include "printable.h"

int http_form_text(const char *body, size_t len, struct evkeyvalq *q, char *err, size_t errlen)
{
    TAILQ_INIT(q);
    if (len == 0)
        return 0;
    if (len > HTTP_MAX_BODY) {
        snprintf(err, errlen, "the form is longer than %d bytes", HTTP_MAX_BODY);
        return -1;
    }
    if (memchr(body, '\0', len)) {
        snprintf(err, errlen, "the form holds a NUL byte");
        return -1;
    }
    char *text = malloc(len + 1);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(text, body, len);
    text[len] = '\0';
    /* evhttp decodes %00 into a NUL that would cut a value short unseen. */
    bool nul = strstr(text, "%00") != NULL;
    int r = nul ? -1 : evhttp_parse_query_str(text, q);
    free(text);
    if (r < 0) {
        evhttp_clear_headers(q);
        snprintf(err, errlen, nul ? "the form holds an encoded NUL (%%00)"
                                  : "the form is not NAME=VALUE pairs joined by &");
        return -1;
    }
    size_t n = 0;
    for (struct evkeyval *a = q->tqh_first; a; a = a->next.tqe_next) {
        bool twice = false;
        for (struct evkeyval *b = a->next.tqe_next; b && !twice; b = b->next.tqe_next)
            twice = strcmp(a->key, b->key) == 0;
        if (twice || ++n > HTTP_FORM_FIELDS) {
            char shown[41];
            if (twice)
                snprintf(err, errlen, "the form gives field '%s' twice",
                         printable_copy(shown, sizeof shown, a->key, (size_t)-1));
            else
                snprintf(err, errlen, "the form has more than %d fields", HTTP_FORM_FIELDS);
            evhttp_clear_headers(q);
            return -1;
        }
    }
    return 0;
}

int http_form_parse(struct evhttp_request *req, struct evkeyvalq *q, char *err, size_t errlen)
{
    TAILQ_INIT(q);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = in ? evbuffer_get_length(in) : 0;
    if (len == 0)
        return 0;
    const char *type = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    static const char form[] = "application/x-www-form-urlencoded";
    if (!type || strncasecmp(type, form, sizeof form - 1) != 0 ||
        (type[sizeof form - 1] != '\0' && type[sizeof form - 1] != ';')) {
        snprintf(err, errlen, "the body must be %s", form);
        return -1;
    }
    const char *body = (const char *)evbuffer_pullup(in, -1);
    if (!body) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return http_form_text(body, len, q, err, errlen);
}

bool http_cookie_value(const char *header, const char *name, size_t i, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    for (const char *p = header; *p;) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, ";");
        /* NAME=VALUE, the value maybe in quotes (RFC 6265 cookie-value) */
        if (n > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=' && i-- == 0) {
            const char *v = p + nlen + 1;
            size_t vlen = n - nlen - 1;
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            if (vlen >= outlen)
                return false;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return true;
        }
        p += n;
        if (*p == ';')
            p++;
    }
    return false;
}
