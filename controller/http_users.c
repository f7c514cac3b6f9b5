/* The web console's users file (see http_users.h). */
#include "http_users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "event_log.h"

/* Any crypt(3) setting and hash use these characters only. */
static const char hash_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./$=,+-";
static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-";

int http_users_line(const char *line, struct http_user *u, char *why, size_t whylen)
{
    size_t len = strlen(line);
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
        len--;
    size_t lead = strspn(line, " \t");
    if (lead == len || line[lead] == '#')
        return 0;
    if (len >= HTTP_USERS_LINE) {
        snprintf(why, whylen, "longer than %d bytes", HTTP_USERS_LINE);
        return -1;
    }
    const char *p = line + lead;
    len -= lead;
    const char *colon = memchr(p, ':', len);
    if (!colon) {
        snprintf(why, whylen, "not NAME:CRYPT-HASH (no ':')");
        return -1;
    }
    size_t nlen = (size_t)(colon - p), hlen = len - nlen - 1;
    const char *h = colon + 1;
    if (nlen == 0 || nlen > HTTP_USER_MAX || strspn(p, name_chars) < nlen) {
        snprintf(why, whylen, "the user name must be 1 to %d characters of A-Z a-z 0-9 . _ @ -", HTTP_USER_MAX);
        return -1;
    }
    memcpy(u->name, p, nlen);
    u->name[nlen] = '\0';
    if (hlen == 0 || (hlen == 1 && (h[0] == '!' || h[0] == '*')) || h[0] == '!') {
        snprintf(why, whylen, "user %s: no usable hash (empty or locked)", u->name);
        return -1;
    }
    if (hlen >= CRYPT_OUTPUT_SIZE || strspn(h, hash_chars) < hlen) {
        snprintf(why, whylen, "user %s: the hash is not one crypt(3) makes (a second ':' or a stray character?)",
                 u->name);
        return -1;
    }
    memcpy(u->hash, h, hlen);
    u->hash[hlen] = '\0';
    switch (crypt_checksalt(u->hash)) {
    case CRYPT_SALT_OK:
        break;
    case CRYPT_SALT_METHOD_LEGACY:
        snprintf(why, whylen, "user %s: legacy hash method refused (make one with mkpasswd -m yescrypt)", u->name);
        return -1;
    default:
        snprintf(why, whylen, "user %s: not a crypt(3) hash this system knows", u->name);
        return -1;
    }
    return 1;
}

const struct http_user *http_users_find(const struct http_users *us, const char *name)
{
    for (size_t i = 0; i < us->n; i++)
        if (strcmp(us->u[i].name, name) == 0)
            return &us->u[i];
    return NULL;
}

int http_users_load(const char *file, struct http_users *out, char *err, size_t errlen)
{
    out->loaded = false;
    out->n = 0;
    FILE *f = fopen(file, "re");
    if (!f) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & S_IROTH))
        event_log("%s: readable by every user of this host: its hashes can be attacked offline (chmod o-r)", file);
    char line[HTTP_USERS_LINE + 2];
    unsigned lineno = 0;
    bool longline = false;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        bool whole = len && line[len - 1] == '\n';
        if (!longline)
            lineno++;
        if (longline) {                  /* the rest of a line already reported */
            longline = !whole;
            continue;
        }
        if (whole)
            line[--len] = '\0';
        else if (!feof(f))
            longline = true;
        struct http_user u;
        char why[200];
        int r = longline ? (snprintf(why, sizeof why, "longer than %d bytes", HTTP_USERS_LINE), -1)
                         : http_users_line(line, &u, why, sizeof why);
        if (r == 1 && http_users_find(out, u.name)) {
            snprintf(why, sizeof why, "user %s is given twice; the first line counts", u.name);
            r = -1;
        }
        if (r == 1 && out->n == HTTP_USERS_MAX) {
            snprintf(why, sizeof why, "more than %d users; the rest are skipped", HTTP_USERS_MAX);
            r = -1;
        }
        if (r < 0)
            event_log("%s: line %u: %s", file, lineno, why);
        else if (r == 1)
            out->u[out->n++] = u;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: read error", file);
        out->n = 0;
        return -1;
    }
    out->loaded = true;
    return 0;
}

bool http_const_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

bool http_users_verify(const struct http_users *us, const char *name, const char *password)
{
    /* A yescrypt hash of a random password: the cost of a miss. */
    static const char decoy[] = "$y$j9T$Lk2uG7p6Y1k6zqzv4E8u71$yiSWfG2dq3rA8d1vHlnqkYQdQk/7ThZbk0aR0yZ1p.6";
    static struct crypt_data data;        /* 32 kB: not on the stack */
    const struct http_user *u = http_users_find(us, name);
    const char *setting = u ? u->hash : us->n ? us->u[0].hash : decoy;
    memset(&data, 0, sizeof data);
    const char *h = crypt_rn(password, setting, &data, (int)sizeof data);
    bool ok = u && h && h[0] != '*' && http_const_equal(h, u->hash);
    explicit_bzero(&data, sizeof data);
    return ok;
}
