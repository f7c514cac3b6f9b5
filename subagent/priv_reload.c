/* A configuration reload without a new worker; see priv_reload.h. */
#include "priv_reload.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_config.h"
#include "priv_io.h"
#include "priv_proto.h"

#define SEND_TIMEOUT_MS 5000

static const char *g_name = "configuration";
static char *g_text;        /* worker: the text received so far */
static size_t g_len;

void priv_reload_set_name(const char *config_file)
{
    g_name = config_file;
}

char *priv_reload_read(size_t *len)
{
    int fd = open(g_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snmp_log(LOG_ERR, "%s: cannot read it for the worker: %s\n", g_name, strerror(errno));
        return NULL;
    }
    char *buf = malloc(PRIV_CONFIG_MAX + 1);
    size_t n = 0;
    ssize_t r = 0;
    while (buf && n <= PRIV_CONFIG_MAX &&
           ((r = read(fd, buf + n, PRIV_CONFIG_MAX + 1 - n)) > 0 || (r < 0 && errno == EINTR)))
        if (r > 0)
            n += (size_t)r;
    close(fd);
    if (!buf || r < 0 || n > PRIV_CONFIG_MAX || memchr(buf, '\0', n)) {
        snmp_log(LOG_ERR, "%s: cannot hand it to the worker: %s\n", g_name,
                 !buf ? "out of memory" : r < 0 ? strerror(errno)
                 : n > PRIV_CONFIG_MAX ? "longer than 256 KiB" : "it holds a NUL byte");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int priv_reload_send(int sock, const char *text, size_t len)
{
    struct priv_msg m;
    for (size_t off = 0; off < len; off += PRIV_CONFIG_CHUNK) {
        size_t n = len - off < PRIV_CONFIG_CHUNK ? len - off : PRIV_CONFIG_CHUNK;
        priv_msg_init(&m, PM_CONFIG_TEXT);
        m.u.config_text.len = (uint32_t)n;
        memcpy(m.u.config_text.text, text + off, n);
        if (priv_send_wait(sock, &m, -1, SEND_TIMEOUT_MS) != 0)
            goto fail;
    }
    priv_msg_init(&m, PM_CONFIG_END);
    m.u.config_end.total = (uint32_t)len;
    if (priv_send_wait(sock, &m, -1, SEND_TIMEOUT_MS) == 0)
        return 0;
fail:
    snmp_log(LOG_ERR, "%s: cannot hand it to the worker: %s\n", g_name, strerror(errno));
    return -1;
}

static void drop(const char *why)
{
    snmp_log(LOG_ERR, "worker: %s: reload dropped (%s); the previous configuration stays "
             "in force\n", g_name, why);
    free(g_text);
    g_text = NULL;
    g_len = 0;
}

void priv_reload_take(const struct priv_msg *m)
{
    if (m->type == PM_CONFIG_TEXT) {
        const struct pm_config_text *t = &m->u.config_text;
        if (g_len + t->len > PRIV_CONFIG_MAX) {
            drop("text longer than 256 KiB");
            return;
        }
        char *p = realloc(g_text, g_len + t->len + 1);
        if (!p) {
            drop("out of memory");
            return;
        }
        g_text = p;
        memcpy(g_text + g_len, t->text, t->len);
        g_len += t->len;
        g_text[g_len] = '\0';
        return;
    }
    if (m->type != PM_CONFIG_END)
        return;
    if (m->u.config_end.total != g_len) {
        drop("text cut short");
        return;
    }
    if (!g_text && !(g_text = calloc(1, 1))) {   /* an empty file: every default */
        drop("out of memory");
        return;
    }
    if (agent_config_load_text(g_name, g_text) == 0)
        snmp_log(LOG_NOTICE, "worker: %s: reloaded in place\n", g_name);
    free(g_text);
    g_text = NULL;
    g_len = 0;
}
