/* The "service" line of lamon-controller.conf; see ctl_config_service.h. */
#include "ctl_config_service.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_error.h"
#include "ctl_config_words.h"

#define SERVICE_WORDS_MAX 32

static bool parse_load(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* "nan" passes both range tests; the weight formula must never see it. */
    if (errno || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > 100000)
        return false;
    *out = v;
    return true;
}

void ctl_config_service(struct ctl_config *building, const char *token, char *line)
{
    char (*w)[WORD_MAX] = calloc(SERVICE_WORDS_MAX, WORD_MAX);
    if (!w) {
        config_errorf("out of memory");
        return;
    }
    size_t n;
    struct ctl_service s;
    memset(&s, 0, sizeof s);
    bool have_nodes = false, have_min = false, have_max = false;
    int *dirs = NULL;
    size_t ndirs = 0;

    if (!ctl_cfg_words(token, line, w, SERVICE_WORDS_MAX, &n))
        goto out;
    if (n > SERVICE_WORDS_MAX) {
        config_errorf("%s: %zu words; at most %d", token, n, SERVICE_WORDS_MAX);
        goto out;
    }
    if (n < 3) {
        config_errorf("%s needs NAME tcp|udp VIP:PORT nodes N ... director NAME[,NAME...]", token);
        goto out;
    }
    if (!ctl_cfg_name_ok(w[0])) {
        config_errorf("service: '%s' is not a valid name", w[0]);
        goto out;
    }
    if (ctl_config_find_service(building, w[0]) >= 0) {
        config_errorf("service %s is declared twice", w[0]);
        goto out;
    }
    ctl_cfg_copy(s.name, sizeof s.name, w[0]);
    if (strcmp(w[1], "tcp") == 0)
        s.protocol = 6;
    else if (strcmp(w[1], "udp") == 0)
        s.protocol = 17;
    else {
        config_errorf("service %s: protocol must be tcp or udp, not '%s'", s.name, w[1]);
        goto out;
    }
    char vhost[CTL_HOST_MAX + 1];
    uint16_t vport = 0;
    if (strlen(w[2]) > HOSTPORT_MAX) {
        config_errorf("service %s: the VIP is %zu characters long; at most %d", s.name,
                      strlen(w[2]), HOSTPORT_MAX);
        goto out;
    }
    if (ctl_parse_hostport(w[2], 0, vhost, sizeof vhost, &s.vip, &vport) < 0 || vport == 0) {
        config_errorf("service %s: '%s' is not VIP:PORT", s.name, w[2]);
        goto out;
    }
    snprintf(s.sched, sizeof s.sched, "wlc");
    s.fwd = CTL_FWD_ROUTE;
    s.rport = vport;
    s.weight = 1;
    for (size_t i = 3; i < n; i += 2) {
        const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;
        unsigned u;
        if (!v) {
            config_errorf("service %s: '%s' needs a value", s.name, k);
            goto out;
        }
        if (strcmp(k, "nodes") == 0 && ctl_cfg_uint(v, 0, 100000, &u)) {
            s.nodes = u; have_nodes = true;
        } else if (strcmp(k, "min") == 0 && ctl_cfg_uint(v, 0, 100000, &u)) {
            s.min = u; have_min = true;
        } else if (strcmp(k, "max") == 0 && ctl_cfg_uint(v, 0, 100000, &u)) {
            s.max = u; have_max = true;
        } else if (strcmp(k, "hot") == 0 && ctl_cfg_uint(v, 0, 100000, &u)) {
            s.hot = u;
        } else if (strcmp(k, "rport") == 0 && ctl_cfg_uint(v, 1, 65535, &u)) {
            s.rport = (uint16_t)u;
        } else if (strcmp(k, "weight") == 0 && ctl_cfg_uint(v, 1, 65535, &u)) {
            s.weight = (int)u;
        } else if (strcmp(k, "sched") == 0 && strlen(v) < sizeof s.sched && ctl_cfg_name_ok(v)) {
            ctl_cfg_copy(s.sched, sizeof s.sched, v);
        } else if (strcmp(k, "app") == 0 && ctl_cfg_name_ok(v)) {
            ctl_cfg_copy(s.app, sizeof s.app, v);
        } else if (strcmp(k, "load") == 0 && (strcmp(v, "load1") == 0 || strcmp(v, "conns") == 0)) {
            s.load = v[0] == 'c' ? CTL_LOAD_CONNS : CTL_LOAD_LOAD1;
        } else if (strcmp(k, "weights") == 0 && (strcmp(v, "fixed") == 0 || strcmp(v, "follow") == 0)) {
            s.weights_follow = v[0] == 'f' && v[1] == 'o';
        } else if (strcmp(k, "high") == 0 && parse_load(v, &s.high)) {
        } else if (strcmp(k, "low") == 0 && parse_load(v, &s.low)) {
        } else if (strcmp(k, "fwd") == 0 && (strcmp(v, "masq") == 0 || strcmp(v, "route") == 0 ||
                                            strcmp(v, "tunnel") == 0)) {
            s.fwd = v[0] == 'm' ? CTL_FWD_MASQ : v[0] == 'r' ? CTL_FWD_ROUTE : CTL_FWD_TUNNEL;
        } else if (strcmp(k, "director") == 0) {
            char list[WORD_MAX];
            ctl_cfg_copy(list, sizeof list, v);
            char *save = NULL;
            for (char *d = strtok_r(list, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
                int di = ctl_cfg_find_peer(building->directors, building->ndirectors, d);
                if (di < 0) {
                    config_errorf("service %s: director '%s' is not declared above", s.name, d);
                    goto out;
                }
                for (size_t j = 0; j < ndirs; j++)
                    if (dirs[j] == di) {
                        config_errorf("service %s: director '%s' is listed twice", s.name, d);
                        goto out;
                    }
                int *nd = realloc(dirs, (ndirs + 1) * sizeof *nd);
                if (!nd) {
                    config_errorf("out of memory");
                    goto out;
                }
                dirs = nd;
                dirs[ndirs++] = di;
            }
        } else if (strcmp(k, "hot") == 0) {
            config_errorf("service %s: hot must be a number of spares 0..100000, not '%s'", s.name, v);
            goto out;
        } else if (strcmp(k, "load") == 0) {
            config_errorf("service %s: load must be load1 or conns, not '%s'", s.name, v);
            goto out;
        } else if (strcmp(k, "weights") == 0) {
            config_errorf("service %s: weights must be fixed or follow, not '%s'", s.name, v);
            goto out;
        } else {
            config_errorf("service %s: bad option '%s %s'", s.name, k, v);
            goto out;
        }
    }
    if (!have_nodes) {
        config_errorf("service %s: 'nodes N' is required", s.name);
        goto out;
    }
    if (ndirs == 0) {
        config_errorf("service %s: 'director NAME[,NAME...]' is required", s.name);
        goto out;
    }
    if (!have_min)
        s.min = s.nodes;
    if (!have_max)
        s.max = s.nodes;
    if (s.min > s.nodes || s.nodes > s.max) {
        config_errorf("service %s: needs min <= nodes <= max (%u, %u, %u)", s.name, s.min, s.nodes, s.max);
        goto out;
    }
    if (s.hot > 0 && !s.app[0]) {
        /* A hot spare is one whose application runs and was checked. */
        config_errorf("service %s: 'hot %u' needs 'app APP' (the application a hot spare runs)", s.name, s.hot);
        goto out;
    }
    if (s.high > 0 && s.low >= s.high) {
        config_errorf("service %s: low watermark must be below high", s.name);
        goto out;
    }
    if (s.weights_follow && s.high <= 0) {
        /* The formula needs the load that counts as full. */
        config_errorf("service %s: 'weights follow' needs 'high LOAD' (the load that gets weight 1)", s.name);
        goto out;
    }
    if (building->write_user < 0) {
        /* Without one every promotion fails at its first SET, every cycle. */
        config_errorf("service %s: no v3user declared above; keeping a service needs SETs "
                      "(roles, IPVS rows), which need 'v3user USER sha AUTHPASS aes PRIVPASS'",
                      s.name);
        goto out;
    }
    struct ctl_service *a = ctl_cfg_grow(building->services, building->nservices, sizeof *a);
    if (!a)
        goto out;
    building->services = a;
    s.directors = dirs;
    s.ndirectors = ndirs;
    dirs = NULL;
    a[building->nservices++] = s;
out:
    free(dirs);
    free(w);
}
