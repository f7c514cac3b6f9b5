/* http, http_users, http_tls, http_root and http_names lines (see http_config.h). */
#include "http_config.h"

#include <stdio.h>
#include <string.h>

#include "ctl_config_words.h"

void http_config_init(struct http_config *hc)
{
    memset(hc, 0, sizeof *hc);
    snprintf(hc->root, sizeof hc->root, "%s", LAMON_WEBDIR);
}

/* One path word into DST; false (reported) when it is missing or long. */
static bool one_path(const char *token, char *line, size_t nwords, char (*w)[WORD_MAX], const char *usage)
{
    size_t n;
    if (!ctl_cfg_words(token, line, w, nwords, &n))
        return false;
    if (n != nwords) {
        config_errorf("%s needs %s", token, usage);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (strlen(w[i]) >= HTTP_PATH_MAX || w[i][0] != '/') {
            config_errorf("%s: '%.200s' is not an absolute path under %d bytes", token, w[i], HTTP_PATH_MAX);
            return false;
        }
    return true;
}

static void http_line(struct http_config *hc, const char *token, char *line)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 1, &n))
        return;
    if (n != 1) {
        config_errorf("%s needs one ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)", token);
        return;
    }
    if (hc->enabled) {
        config_errorf("%s is given twice; the console has one address", token);
        return;
    }
    char hp[HOSTPORT_MAX + 16];
    /* A bare port is the loopback's: the console is not exposed by accident. */
    if (strspn(w[0], "0123456789") == strlen(w[0]) && strlen(w[0]) <= 5)
        snprintf(hp, sizeof hp, "127.0.0.1:%s", w[0]);
    else
        snprintf(hp, sizeof hp, "%.*s", HOSTPORT_MAX, w[0]);
    if (strlen(w[0]) > HOSTPORT_MAX ||
        ctl_parse_hostport(hp, 0, hc->host, sizeof hc->host, &hc->addr, &hc->port) < 0 || hc->port == 0) {
        config_errorf("%s: cannot use address '%.300s' (ADDRESS:PORT, port 1 to 65535)", token, w[0]);
        return;
    }
    hc->enabled = true;
}

/* Host names: letters, digits, '-' and '.', as DNS has them. */
static void names_line(struct http_config *hc, const char *token, char *line)
{
    char w[16][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 16, &n))
        return;
    if (n == 0 || n > 16) {
        config_errorf("%s needs 1 to 16 host names", token);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(w[i]);
        if (l == 0 || l > 253 || strspn(w[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != l) {
            config_errorf("%s: '%.100s' is not a host name (letters, digits, '.', '-')", token, w[i]);
            return;
        }
        size_t have = strlen(hc->names);
        if (have + l + 2 > sizeof hc->names) {
            config_errorf("%s: more than %zu bytes of names", token, sizeof hc->names - 1);
            return;
        }
        snprintf(hc->names + have, sizeof hc->names - have, "%s%s", have ? " " : "", w[i]);
    }
}

void http_config_line(struct http_config *hc, const char *token, char *line)
{
    char w[2][WORD_MAX];
    if (strcmp(token, "http") == 0) {
        http_line(hc, token, line);
    } else if (strcmp(token, "http_users") == 0) {
        if (one_path(token, line, 1, w, "FILE (NAME:CRYPT-HASH lines)"))
            snprintf(hc->users, sizeof hc->users, "%s", w[0]);
    } else if (strcmp(token, "http_tls") == 0) {
        if (one_path(token, line, 2, w, "CERT KEY (PEM files)")) {
            snprintf(hc->cert, sizeof hc->cert, "%s", w[0]);
            snprintf(hc->key, sizeof hc->key, "%s", w[1]);
        }
    } else if (strcmp(token, "http_names") == 0) {
        names_line(hc, token, line);
    } else if (strcmp(token, "http_root") == 0) {
        if (one_path(token, line, 1, w, "DIR"))
            snprintf(hc->root, sizeof hc->root, "%s", w[0]);
    }
}
