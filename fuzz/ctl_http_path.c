/* libFuzzer target: a web request's path (controller/http_path.c).  The
 * input is the path as a client sent it.  Besides crashes (ASan/UBSan), it
 * aborts when
 *   - an accepted path has a segment that is empty, holds a "/" or reaches
 *     HTTP_SEG_LEN, or more than HTTP_SEG_MAX segments;
 *   - an accepted path does not survive a round trip: its segments,
 *     %-encoded again and joined with "/", split to the same segments (when
 *     each encoded segment still fits: the limit is on what was sent);
 *   - a path does not match the pattern built from its own segments, or
 *     matches one with a segment more. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "../controller/http_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *path = malloc(size + 1);
    if (!path)
        return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    static char seg[HTTP_SEG_MAX][HTTP_SEG_LEN], again[HTTP_SEG_MAX][HTTP_SEG_LEN];
    size_t n, m;
    if (!http_path_split(path, seg, &n)) {
        free(path);
        return 0;
    }
    if (n > HTTP_SEG_MAX)
        abort();
    static char joined[HTTP_SEG_MAX * HTTP_SEG_LEN * 3 + 16], pattern[HTTP_SEG_MAX * HTTP_SEG_LEN + 16];
    size_t jl = 0, pl = 0;
    bool fits = true;
    joined[jl++] = '/';
    pattern[pl++] = '/';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(seg[i]);
        if (l == 0 || l >= HTTP_SEG_LEN || strchr(seg[i], '/'))
            abort();
        char *enc = evhttp_uriencode(seg[i], (ev_ssize_t)l, 0);
        if (!enc)
            abort();
        size_t el = strlen(enc);
        fits = fits && el < HTTP_SEG_LEN;
        memcpy(joined + jl, enc, el);
        jl += el;
        joined[jl++] = '/';
        free(enc);
        /* a literal segment of the pattern is the segment itself, unless it is "*" */
        memcpy(pattern + pl, seg[i], l);
        pl += l;
        pattern[pl++] = '/';
    }
    joined[jl] = '\0';
    if (pl > 1)
        pl--;                                    /* no trailing "/" */
    pattern[pl] = '\0';
    if (fits) {
        if (!http_path_split(joined, again, &m) || m != n)
            abort();
        for (size_t i = 0; i < n; i++)
            if (strcmp(seg[i], again[i]) != 0)
                abort();
    }
    if (!http_path_match(pattern, (const char (*)[HTTP_SEG_LEN])seg, n))
        abort();
    if (pl + 3 < sizeof pattern) {
        const char *more = pl > 1 ? "/x" : "x";
        memcpy(pattern + pl, more, strlen(more) + 1);
        if (http_path_match(pattern, (const char (*)[HTTP_SEG_LEN])seg, n))
            abort();
    }
    free(path);
    return 0;
}
