/* The web console's TLS (see http_tls.h). */
#include "http_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

struct http_tls {
    SSL_CTX *ctx;                    /* NULL: plain HTTP */
};

/* evhttp's bufferevent for each accepted connection. */
static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    struct http_tls *t = arg;
    if (!t->ctx)
        return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    SSL *ssl = SSL_new(t->ctx);      /* holds a reference: a reload may free the context */
    if (!ssl)
        return NULL;
    struct bufferevent *bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                             BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        SSL_free(ssl);
    return bev;
}

struct http_tls *http_tls_new(struct evhttp *http)
{
    struct http_tls *t = calloc(1, sizeof *t);
    if (t)
        evhttp_set_bevcb(http, make_bev, t);
    return t;
}

/* "what: the first OpenSSL error" into err. */
static int ssl_fail(char *err, size_t errlen, const char *what, const char *file)
{
    char e[256] = "unknown error";
    unsigned long code = ERR_get_error();
    if (code)
        ERR_error_string_n(code, e, sizeof e);
    ERR_clear_error();
    snprintf(err, errlen, "http_tls: %s %s: %s", what, file, e);
    return -1;
}

int http_tls_load(struct http_tls *t, const char *cert, const char *key, char *err, size_t errlen)
{
    if (!cert[0]) {
        SSL_CTX_free(t->ctx);
        t->ctx = NULL;
        return 0;
    }
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return ssl_fail(err, errlen, "cannot make a context for", cert);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    int r = 0;
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        r = ssl_fail(err, errlen, "cannot load the certificate", cert);
    else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        r = ssl_fail(err, errlen, "cannot load the key", key);
    else if (SSL_CTX_check_private_key(ctx) != 1)
        r = ssl_fail(err, errlen, "the key does not match the certificate", cert);
    if (r < 0) {
        SSL_CTX_free(ctx);
        return -1;
    }
    SSL_CTX_free(t->ctx);
    t->ctx = ctx;
    return 0;
}

bool http_tls_on(const struct http_tls *t)
{
    return t && t->ctx;
}

void http_tls_free(struct http_tls *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    free(t);
}
