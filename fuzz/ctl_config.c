/* libFuzzer target: lamon-controller.conf (controller/ctl_config.c) on
 * arbitrary file content, through Net-SNMP's read_config as the controller
 * reads it.  Built with LAMON_FUZZING, host names are numeric only: no DNS.
 *
 * Oracle, besides crashes and leaks: a file that loads is written back in a
 * canonical form (every token, every value quoted), and that text must load
 * again to the same canonical form; the result keeps the rules the rest of
 * the controller relies on (min <= nodes <= max, finite watermarks, a write
 * user for every service, directors that exist).
 *
 * The file is a memfd (see config_text.h). */
#include <arpa/inet.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../controller/ctl_config.h"
#include "config_error.h"
#include "config_text.h"

static void peer(struct out *o, const char *token, const struct ctl_config *c,
                 const struct ctl_peer *p)
{
    adds(o, token);
    word(o, p->name);
    if (strchr(p->host, ':'))
        addf(o, " [%s]:%u", p->host, p->port);
    else
        addf(o, " %s:%u", p->host, p->port);
    if (p->v3user >= 0) {
        adds(o, " v3");
        word(o, c->v3users[p->v3user].name);
    } else {
        adds(o, " community");
        word(o, p->community);
    }
    adds(o, "\n");
}

static void vip(struct out *o, const struct sockaddr_storage *a)
{
    char h[INET6_ADDRSTRLEN];
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)a;
        inet_ntop(AF_INET, &v4->sin_addr, h, sizeof h);
        addf(o, " %s:%u", h, ntohs(v4->sin_port));
    } else if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)a;
        inet_ntop(AF_INET6, &v6->sin6_addr, h, sizeof h);
        addf(o, " [%s]:%u", h, ntohs(v6->sin6_port));
    } else {
        abort();
    }
}

static void canonical(const struct ctl_config *c, struct out *o)
{
    o->len = 0;
    addf(o, "interval %u\ntimeout %u\nretries %u\nrise %u\nfall %u\npanic %u\n"
         "scale_polls %u\ndrain_timeout %u\nin_flight %u\nregister_max %u\n", c->interval_ms, c->timeout_ms,
         c->retries, c->rise, c->fall, c->panic_pct, c->scale_polls, c->drain_timeout_s,
         c->in_flight, c->register_max);
    if (c->register_window_ms)
        addf(o, "register_window %u\n", c->register_window_ms);
    if (c->rrddir[0]) { adds(o, "rrddir"); word(o, c->rrddir); adds(o, "\n"); }
    if (c->rrdcached[0]) { adds(o, "rrdcached"); word(o, c->rrdcached); adds(o, "\n"); }
    if (c->logfile[0]) { adds(o, "logfile"); word(o, c->logfile); adds(o, "\n"); }
    adds(o, "control");
    word(o, c->control);
    if (c->control_owner[0] || c->control_group[0]) {
        char og[2 * CTL_NAME_MAX + 2];
        snprintf(og, sizeof og, "%s:%s", c->control_owner, c->control_group);
        adds(o, " owner");
        word(o, og);
    }
    if (c->control_mode >= 0)
        addf(o, " mode %o", (unsigned)c->control_mode);
    adds(o, "\n");
    for (size_t i = 0; i < c->nv3users; i++) {
        adds(o, "v3user");
        word(o, c->v3users[i].name);
        adds(o, " sha");
        word(o, c->v3users[i].auth);
        adds(o, " aes");
        word(o, c->v3users[i].priv);
        adds(o, "\n");
    }
    if (c->write_user >= 0) {
        adds(o, "write_user");
        word(o, c->v3users[c->write_user].name);
        adds(o, "\n");
    }
    for (size_t i = 0; i < c->nnodes; i++)
        peer(o, "node", c, &c->nodes[i]);
    for (size_t i = 0; i < c->ndirectors; i++)
        peer(o, "director", c, &c->directors[i]);
    for (size_t i = 0; i < c->nservices; i++) {
        const struct ctl_service *s = &c->services[i];
        static const char *fwd[] = { [CTL_FWD_MASQ] = "masq", [CTL_FWD_TUNNEL] = "tunnel",
                                     [CTL_FWD_ROUTE] = "route" };
        adds(o, "service");
        word(o, s->name);
        adds(o, s->protocol == 6 ? " tcp" : " udp");
        vip(o, &s->vip);
        addf(o, " nodes %u min %u max %u sched %s fwd %s rport %u weight %d load %s"
             " high %.17g low %.17g weights %s", s->nodes, s->min, s->max, s->sched,
             fwd[s->fwd], s->rport, s->weight, s->load == CTL_LOAD_CONNS ? "conns" : "load1",
             s->high, s->low, s->weights_follow ? "follow" : "fixed");
        if (s->app[0]) {
            adds(o, " app");
            word(o, s->app);
        }
        addf(o, " hot %u", s->hot);
        adds(o, " director ");
        for (size_t k = 0; k < s->ndirectors; k++) {
            adds(o, k ? "," : "");
            adds(o, c->directors[s->directors[k]].name);
        }
        adds(o, "\n");
    }
}

/* What the rest of the controller takes for granted. */
static void invariants(const struct ctl_config *c)
{
    if (c->write_user >= (int)c->nv3users || (c->nservices && c->write_user < 0))
        abort();
    for (size_t i = 0; i < c->nnodes + c->ndirectors; i++) {
        const struct ctl_peer *p = i < c->nnodes ? &c->nodes[i] : &c->directors[i - c->nnodes];
        if (p->v3user >= (int)c->nv3users || p->port == 0 || !p->name[0])
            abort();
    }
    for (size_t i = 0; i < c->nservices; i++) {
        const struct ctl_service *s = &c->services[i];
        if (s->min > s->nodes || s->nodes > s->max || s->ndirectors == 0 || s->rport == 0 ||
            !isfinite(s->high) || !isfinite(s->low) || s->high < 0 || s->low < 0 ||
            (s->high > 0 && s->low >= s->high) || (s->weights_follow && s->high <= 0) ||
            s->weight < 1 || s->hot > 100000 || (s->hot && !s->app[0]) || (s->fwd != CTL_FWD_MASQ && s->fwd != CTL_FWD_ROUTE &&
                              s->fwd != CTL_FWD_TUNNEL))
            abort();
        for (size_t k = 0; k < s->ndirectors; k++) {
            if (s->directors[k] < 0 || (size_t)s->directors[k] >= c->ndirectors)
                abort();
            for (size_t j = 0; j < k; j++)
                if (s->directors[j] == s->directors[k])
                    abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct out first, second;
    char err[512];
    const char *path = conf_file_put("ctl_config", data, size);
    struct ctl_config *c = NULL, *again = NULL;
    if (ctl_config_load(path, &c, err, sizeof err) != 0) {
        if (c || !err[0])
            abort();        /* a refusal leaves nothing, and says why */
        return 0;
    }
    invariants(c);
    canonical(c, &first);
    if (lines_fit(first.s)) {
        conf_file_put("ctl_config", first.s, first.len);
        if (ctl_config_load(path, &again, err, sizeof err) != 0)
            abort();        /* the canonical form of a good file is refused */
        canonical(again, &second);
        if (strcmp(first.s, second.s) != 0)
            abort();        /* ... or reads differently */
        ctl_config_free(again);
    }
    ctl_config_free(c);
    return 0;
}
