/* libFuzzer target: what the web console reads by hand from a request and
 * from its users file (controller/http_form.c, controller/http_users.c).
 * The first byte picks the parser, the rest is its input:
 *   0: a form body (http_form_text): on success no field is given twice,
 *      there are at most HTTP_FORM_FIELDS, and no key or value is longer
 *      than the body; on failure the list is empty and the reason one line;
 *   1: a Cookie header (http_cookie_value): every value found fits its
 *      buffer, is a substring of the header, and holds no ';';
 *   2: a users-file line (http_users_line): a user has a name of the
 *      allowed characters and a hash crypt_checksalt accepts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>

#include "../controller/http_form.h"
#include "../controller/http_users.h"

static void one_line(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || strchr(s, '\n'))
        abort();
}

static void form(const char *d, size_t n)
{
    struct evkeyvalq q;
    char err[160];
    if (http_form_text(d, n, &q, err, sizeof err) < 0) {
        if (q.tqh_first)
            abort();
        one_line(err);
        return;
    }
    size_t count = 0;
    for (struct evkeyval *a = q.tqh_first; a; a = a->next.tqe_next) {
        if (++count > HTTP_FORM_FIELDS || strlen(a->key) > n || strlen(a->value) > n || !a->key[0])
            abort();
        for (struct evkeyval *b = a->next.tqe_next; b; b = b->next.tqe_next)
            if (strcmp(a->key, b->key) == 0)
                abort();
    }
    evhttp_clear_headers(&q);
}

static void cookie(const char *s)
{
    char v[72];
    for (size_t i = 0; i < 8 && http_cookie_value(s, "lamon_session", i, v, sizeof v); i++)
        if (strlen(v) >= sizeof v || strchr(v, ';') || !strstr(s, v))
            abort();
}

static void users_line(const char *s)
{
    struct http_user u;
    char why[200];
    int r = http_users_line(s, &u, why, sizeof why);
    if (r < 0)
        one_line(why);
    if (r == 1 && (!u.name[0] || strlen(u.name) > HTTP_USER_MAX ||
                   strspn(u.name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") !=
                       strlen(u.name) || crypt_checksalt(u.hash) != CRYPT_SALT_OK))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 20000)
        return 0;
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    switch (data[0] % 3) {
    case 0: form(s, size - 1); break;
    case 1: cookie(s); break;
    default: users_line(s); break;
    }
    free(s);
    return 0;
}
