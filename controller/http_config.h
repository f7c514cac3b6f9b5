/* The web console's configuration tokens (lamon-controller.conf):
 *
 *   http ADDRESS:PORT       serve the console there (no http line: no server);
 *                           "http PORT" alone is 127.0.0.1:PORT
 *   http_users FILE         users allowed to change the cluster: NAME:CRYPT-HASH lines
 *                           (crypt(3) hashes, e.g. from mkpasswd -m yescrypt)
 *   http_tls CERT KEY       PEM certificate (chain) and key: the server speaks only TLS
 *   http_root DIR           the pages' assets (default LAMON_WEBDIR, /usr/local/share/lamon/web)
 *   http_names NAME...      the host names browsers use for the console, besides IP
 *                           addresses, "localhost" and the http line's own (http_origin.h)
 *
 * Reads are open to whoever reaches the address; every change needs a user
 * of http_users (no file: nothing can be changed from the web). */
#ifndef LAMON_HTTP_CONFIG_H
#define LAMON_HTTP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#ifndef LAMON_WEBDIR
#define LAMON_WEBDIR "/usr/local/share/lamon/web"
#endif

#define HTTP_PATH_MAX 4096

struct http_config {
    bool enabled;                    /* an http line was given */
    char host[256];
    uint16_t port;
    struct sockaddr_storage addr;
    char users[HTTP_PATH_MAX];       /* "" for none */
    char cert[HTTP_PATH_MAX], key[HTTP_PATH_MAX];   /* both or none */
    char root[HTTP_PATH_MAX];
    char names[1024];                /* http_names, space-separated */
};

/* Sets the defaults (no server, LAMON_WEBDIR). */
void http_config_init(struct http_config *hc);

/* The line handlers for TOKEN ("http", "http_users", "http_tls",
 * "http_root", "http_names") with the rest of the line; problems go to config_errorf. */
void http_config_line(struct http_config *hc, const char *token, char *line);

#endif
