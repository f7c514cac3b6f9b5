/* Request paths and route patterns (see http_path.h). */
#include "http_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

bool http_path_split(const char *path, char seg[HTTP_SEG_MAX][HTTP_SEG_LEN], size_t *nseg)
{
    *nseg = 0;
    if (!path || path[0] != '/')
        return false;
    for (const char *p = path + 1; *p;) {
        size_t n = strcspn(p, "/");
        if (n > 0) {
            if (*nseg == HTTP_SEG_MAX || n >= HTTP_SEG_LEN)
                return false;
            char raw[HTTP_SEG_LEN];
            memcpy(raw, p, n);
            raw[n] = '\0';
            /* evhttp_uridecode leaves a bad escape ("%zz", "%4") as it is:
             * a path with one is not a name anybody meant. */
            for (const char *e = strchr(raw, '%'); e; e = strchr(e + 1, '%'))
                if (!e[1] || !e[2] || !strchr("0123456789abcdefABCDEF", e[1]) ||
                    !strchr("0123456789abcdefABCDEF", e[2]))
                    return false;
            size_t dlen;
            char *d = evhttp_uridecode(raw, 0, &dlen);
            if (!d)
                return false;
            bool ok = dlen == strlen(d) && !strchr(d, '/') && dlen < HTTP_SEG_LEN;
            if (ok)
                memcpy(seg[(*nseg)++], d, dlen + 1);
            free(d);
            if (!ok)
                return false;
        }
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

bool http_path_match(const char *pattern, const char seg[][HTTP_SEG_LEN], size_t nseg)
{
    size_t i = 0;
    const char *p = pattern[0] == '/' ? pattern + 1 : pattern;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 2 && strncmp(p, "**", 2) == 0 && p[2] == '\0')
            return true;
        if (i == nseg)
            return false;
        if (!(n == 1 && *p == '*') && (strlen(seg[i]) != n || strncmp(p, seg[i], n) != 0))
            return false;
        i++;
        p += n;
        if (*p == '/')
            p++;
    }
    return i == nseg;
}
