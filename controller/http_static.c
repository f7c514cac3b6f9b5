/* The web console's assets (see http_static.h). */
#include "http_static.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_config.h"

bool asset_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > ASSET_NAME_MAX || name[0] == '.' || strstr(name, ".."))
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

const char *asset_type(const char *name)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".js", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".png", "image/png" },
        { ".svg", "image/svg+xml" },
        { ".ico", "image/vnd.microsoft.icon" },
        { ".txt", "text/plain; charset=utf-8" },
    };
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

static void asset_path(const struct http_ctx *ctx, const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", ctx->cl->cfg->http->root, name);
}

long asset_stamp(const struct http_ctx *ctx, const char *name)
{
    char path[HTTP_PATH_MAX + HTTP_SEG_LEN + 2];
    asset_path(ctx, name, path, sizeof path);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_mtime : 0;
}

/* Reads the regular file PATH (at most ASSET_SIZE_MAX bytes) into OUT. */
static int read_asset(const char *path, struct evbuffer *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= ASSET_SIZE_MAX) {
        rc = 0;
        /* Bounded: the file's size, and a read that returns 0 ends it. */
        for (off_t left = st.st_size; left > 0;) {
            int r = evbuffer_read(out, fd, (int)left);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                rc = r < 0 ? -1 : 0;
                break;
            }
            left -= r;
        }
    }
    close(fd);
    return rc;
}

void http_static_get(struct http_ctx *ctx)
{
    const char *name = ctx->seg[1];
    const char *type = asset_type(name);
    if (!asset_name_ok(name) || !type) {
        http_reply_error(ctx, 404, "no such asset");
        return;
    }
    char path[HTTP_PATH_MAX + HTTP_SEG_LEN + 2];
    asset_path(ctx, name, path, sizeof path);
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        http_reply_error(ctx, 503, "out of memory");
        return;
    }
    if (read_asset(path, body) < 0) {
        http_reply_error(ctx, 404, "no such asset");
    } else {
        /* Pages name an asset with its stamp (asset_stamp): a new file is a new URL. */
        evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Cache-Control", "public, max-age=86400");
        http_reply(ctx, 200, type, body);
    }
    evbuffer_free(body);
}
