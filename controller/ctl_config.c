/* lamon-controller.conf reader (see ctl_config.h for the tokens): the
 * load, the simple tokens, v3user and node/director lines.  The service
 * line is ctl_config_service.c's; the shared word and value checks are
 * ctl_config_words.c's. */
#include "config_error.h"
#include "ctl_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "ctl_config_service.h"
#include "ctl_config_words.h"
#include "http_config.h"
#include "notif_config.h"

#define CTL_CONF_TYPE "lamon-controller-conf"

/* The handlers Net-SNMP calls have no context argument: the configuration
 * being built and the error tally live here for the length of one load. */
static struct ctl_config *building;
static int load_errors;
static char *first_err;
static size_t first_err_len;
static bool loading;

/* Every problem is reported through snmp_log (config_perror, and Net-SNMP's
 * own "Unknown token" warning); this callback counts them so that a load
 * with any of them fails as a whole. */
static int log_counter(int major, int minor, void *server, void *client)
{
    (void)major; (void)minor; (void)client;
    const struct snmp_log_message *m = server;
    if (!loading || !m || m->priority > LOG_WARNING)
        return 0;
    if (load_errors++ == 0 && first_err && first_err_len) {
        snprintf(first_err, first_err_len, "%s", m->msg ? m->msg : "error");
        first_err[strcspn(first_err, "\n")] = '\0';
    }
    return 0;
}

/* One integer token: "interval 1000" etc. */
static void set_uint(const char *token, char *line, unsigned lo, unsigned hi, unsigned *dst)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 1, &n))
        return;
    if (n != 1 || !ctl_cfg_uint(w[0], lo, hi, dst))
        config_errorf("%s needs one number from %u to %u", token, lo, hi);
}

static void h_interval(const char *t, char *l) { set_uint(t, l, 10, 3600000, &building->interval_ms); }
static void h_timeout(const char *t, char *l)  { set_uint(t, l, 10, 60000, &building->timeout_ms); }
static void h_retries(const char *t, char *l)  { set_uint(t, l, 0, 10, &building->retries); }
static void h_rise(const char *t, char *l)     { set_uint(t, l, 1, 1000, &building->rise); }
static void h_fall(const char *t, char *l)     { set_uint(t, l, 1, 1000, &building->fall); }
static void h_panic(const char *t, char *l)    { set_uint(t, l, 1, 100, &building->panic_pct); }
static void h_scale(const char *t, char *l)    { set_uint(t, l, 1, 100000, &building->scale_polls); }
static void h_drain(const char *t, char *l)    { set_uint(t, l, 0, 86400, &building->drain_timeout_s); }
static void h_in_flight(const char *t, char *l) { set_uint(t, l, 1, 65536, &building->in_flight); }
static void h_reg_max(const char *t, char *l)  { set_uint(t, l, 0, 65536, &building->register_max); }
static void h_reg_win(const char *t, char *l)  { set_uint(t, l, 1, 3600000, &building->register_window_ms); }

static void set_path(const char *token, char *line, char *dst, size_t len)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 1, &n))
        return;
    if (n != 1)
        config_errorf("%s needs exactly one argument", token);
    else if (strlen(w[0]) >= len)
        config_errorf("%s: '%s' is too long", token, w[0]);
    else
        snprintf(dst, len, "%s", w[0]);
}

static void h_rrddir(const char *t, char *l)    { set_path(t, l, building->rrddir, sizeof building->rrddir); }
static void h_rrdcached(const char *t, char *l) { set_path(t, l, building->rrdcached, sizeof building->rrdcached); }
static void h_logfile(const char *t, char *l)   { set_path(t, l, building->logfile, sizeof building->logfile); }

static void h_control(const char *token, char *line)
{
    char w[5][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 5, &n))
        return;
    if (n == 0 || n > 5 || n % 2 == 0) {
        config_errorf("%s needs SOCKET [owner USER[:GROUP]] [mode OCTAL]", token);
        return;
    }
    if (strlen(w[0]) >= sizeof building->control) {
        config_errorf("control socket path '%s' is longer than %zu bytes", w[0], sizeof building->control - 1);
        return;
    }
    ctl_cfg_copy(building->control, sizeof building->control, w[0]);
    for (size_t i = 1; i + 1 < n; i += 2) {
        if (strcmp(w[i], "owner") == 0) {
            char *colon = strchr(w[i + 1], ':');
            if (colon)
                *colon = '\0';
            if (strlen(w[i + 1]) > CTL_NAME_MAX || (colon && strlen(colon + 1) > CTL_NAME_MAX)) {
                config_errorf("control owner is too long");
                return;
            }
            ctl_cfg_copy(building->control_owner, sizeof building->control_owner, w[i + 1]);
            ctl_cfg_copy(building->control_group, sizeof building->control_group, colon ? colon + 1 : "");
        } else if (strcmp(w[i], "mode") == 0) {
            char *end;
            long m = strtol(w[i + 1], &end, 8);
            if (*end != '\0' || m < 0 || m > 0777) {
                config_errorf("control mode '%s' is not an octal mode", w[i + 1]);
                return;
            }
            building->control_mode = (int)m;
        } else {
            config_errorf("control: unknown option '%s' (owner, mode)", w[i]);
            return;
        }
    }
}


static int find_v3user(const struct ctl_config *c, const char *name)
{
    for (size_t i = 0; i < c->nv3users; i++)
        if (strcmp(c->v3users[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void h_v3user(const char *token, char *line)
{
    char w[5][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 5, &n))
        return;
    if (n != 5 || strcasecmp(w[1], "sha") != 0 || strcasecmp(w[3], "aes") != 0) {
        config_errorf("%s needs USER sha AUTHPASS aes PRIVPASS", token);
        return;
    }
    if (!ctl_cfg_name_ok(w[0])) {
        config_errorf("v3user: '%s' is not a valid user name", w[0]);
        return;
    }
    if (find_v3user(building, w[0]) >= 0) {
        config_errorf("v3user %s is declared twice", w[0]);
        return;
    }
    /* Net-SNMP refuses passphrases under 8 characters at session time; say
     * so here, at the line that has the problem. */
    if (strlen(w[2]) < 8 || strlen(w[4]) < 8 || strlen(w[2]) > CTL_SECRET_MAX || strlen(w[4]) > CTL_SECRET_MAX) {
        config_errorf("v3user %s: passphrases must be 8 to %d characters", w[0], CTL_SECRET_MAX);
        return;
    }
    struct ctl_v3user *u = ctl_cfg_grow(building->v3users, building->nv3users, sizeof *u);
    if (!u)
        return;
    building->v3users = u;
    u = &building->v3users[building->nv3users++];
    memset(u, 0, sizeof *u);
    ctl_cfg_copy(u->name, sizeof u->name, w[0]);
    ctl_cfg_copy(u->auth, sizeof u->auth, w[2]);
    ctl_cfg_copy(u->priv, sizeof u->priv, w[4]);
    if (building->write_user < 0)
        building->write_user = (int)(building->nv3users - 1);
}

static void h_write_user(const char *token, char *line)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 1, &n))
        return;
    if (n != 1) {
        config_errorf("%s needs one v3user name", token);
        return;
    }
    int i = find_v3user(building, w[0]);
    if (i < 0)
        config_errorf("write_user: v3user '%s' is not declared above", w[0]);
    else
        building->write_user = i;
}


/* node / director NAME HOST[:PORT] [community C | v3 USER] */
static void parse_peer(const char *token, char *line, struct ctl_peer **arr, size_t *narr)
{
    char w[4][WORD_MAX];
    size_t n;
    if (!ctl_cfg_words(token, line, w, 4, &n))
        return;
    struct ctl_peer p;
    memset(&p, 0, sizeof p);
    p.v3user = -1;
    snprintf(p.community, sizeof p.community, "public");
    if (n != 2 && n != 4) {
        config_errorf("%s needs NAME HOST[:PORT] [community C | v3 USER]", token);
        return;
    }
    if (!ctl_cfg_name_ok(w[0])) {
        config_errorf("%s: '%s' is not a valid name (letters, digits, . _ -; up to 64)", token, w[0]);
        return;
    }
    if (ctl_cfg_find_peer(*arr, *narr, w[0]) >= 0) {
        config_errorf("%s %s is declared twice", token, w[0]);
        return;
    }
    ctl_cfg_copy(p.name, sizeof p.name, w[0]);
    if (strlen(w[1]) > HOSTPORT_MAX) {
        config_errorf("%s %s: the address is %zu characters long; at most %d", token, w[0],
                      strlen(w[1]), HOSTPORT_MAX);
        return;
    }
    if (ctl_parse_hostport(w[1], 161, p.host, sizeof p.host, &p.addr, &p.port) < 0) {
        config_errorf("%s %s: cannot use address '%s'", token, w[0], w[1]);
        return;
    }
    if (n == 4) {
        if (strcmp(w[2], "community") == 0) {
            if (strlen(w[3]) > CTL_NAME_MAX) {
                config_errorf("%s %s: community is too long", token, w[0]);
                return;
            }
            ctl_cfg_copy(p.community, sizeof p.community, w[3]);
        } else if (strcmp(w[2], "v3") == 0) {
            p.v3user = find_v3user(building, w[3]);
            if (p.v3user < 0) {
                config_errorf("%s %s: v3user '%s' is not declared above", token, w[0], w[3]);
                return;
            }
        } else {
            config_errorf("%s %s: expected 'community C' or 'v3 USER', got '%s'", token, w[0], w[2]);
            return;
        }
    }
    struct ctl_peer *a = ctl_cfg_grow(*arr, *narr, sizeof *a);
    if (!a)
        return;
    *arr = a;
    a[(*narr)++] = p;
}

static void h_node(const char *t, char *l)     { parse_peer(t, l, &building->nodes, &building->nnodes); }
static void h_director(const char *t, char *l) { parse_peer(t, l, &building->directors, &building->ndirectors); }


static void h_service(const char *t, char *l) { ctl_config_service(building, t, l); }

static void h_listen(const char *t, char *l) { notif_config_listen(building->notif, t, l); }
static void h_accept(const char *t, char *l)
{
    notif_config_accept(building->notif, building->v3users, building->nv3users, t, l);
}

static void h_http(const char *t, char *l) { http_config_line(building->http, t, l); }

static const struct {
    const char *token;
    void (*fn)(const char *, char *);
    const char *help;
} tokens[] = {
    { "interval", h_interval, "MS" },
    { "timeout", h_timeout, "MS" },
    { "retries", h_retries, "N" },
    { "rise", h_rise, "N" },
    { "fall", h_fall, "N" },
    { "panic", h_panic, "PERCENT" },
    { "scale_polls", h_scale, "K" },
    { "drain_timeout", h_drain, "SECONDS" },
    { "in_flight", h_in_flight, "N" },
    { "rrddir", h_rrddir, "DIR" },
    { "rrdcached", h_rrdcached, "ADDRESS" },
    { "logfile", h_logfile, "FILE" },
    { "control", h_control, "SOCKET [owner USER[:GROUP]] [mode OCTAL]" },
    { "v3user", h_v3user, "USER sha AUTHPASS aes PRIVPASS" },
    { "write_user", h_write_user, "USER" },
    { "node", h_node, "NAME HOST[:PORT] [community C | v3 USER]" },
    { "director", h_director, "NAME HOST[:PORT] [community C | v3 USER]" },
    { "service", h_service, "NAME tcp|udp VIP:PORT nodes N ... director NAME[,NAME...]" },
    { "listen", h_listen, "ADDRESS[:PORT]" },
    { "accept", h_accept, "NETWORK/PREFIX community C [port P] | NETWORK/PREFIX v3 USER [port P]" },
    { "register_max", h_reg_max, "N" },
    { "register_window", h_reg_win, "MS" },
    { "http", h_http, "ADDRESS:PORT" },
    { "http_users", h_http, "FILE" },
    { "http_tls", h_http, "CERT KEY" },
    { "http_root", h_http, "DIR" },
    { "http_names", h_http, "NAME..." },
};

void ctl_config_free(struct ctl_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nservices; i++)
        free(cfg->services[i].directors);
    /* Wipe the passphrases before the memory goes back to the allocator. */
    if (cfg->v3users)
        explicit_bzero(cfg->v3users, cfg->nv3users * sizeof *cfg->v3users);
    free(cfg->v3users);
    free(cfg->nodes);
    free(cfg->directors);
    free(cfg->services);
    if (cfg->notif) {
        notif_config_free(cfg->notif);
        free(cfg->notif);
    }
    free(cfg->http);
    free(cfg);
}

int ctl_config_load(const char *file, struct ctl_config **out, char *err, size_t errlen)
{
    static bool hooked;
    if (!hooked) {
        netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_counter, NULL);
        hooked = true;
    }
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    struct ctl_config *c = calloc(1, sizeof *c);
    if (c && (!(c->notif = calloc(1, sizeof *c->notif)) || !(c->http = malloc(sizeof *c->http)))) {
        free(c->notif);
        free(c);
        c = NULL;
    }
    if (!c) {
        if (err)
            snprintf(err, errlen, "%s: out of memory", file);
        return -1;
    }
    http_config_init(c->http);
    c->interval_ms = 10000;
    c->timeout_ms = 2000;
    c->rise = 2;
    c->fall = 3;
    c->panic_pct = 50;
    c->scale_polls = 3;
    c->drain_timeout_s = 60;
    c->in_flight = 64;
    c->register_max = 4096;
    c->control_mode = -1;
    c->write_user = -1;
    snprintf(c->control, sizeof c->control, "/run/lamon/controller.sock");

    /* Registered only for the length of the load, so that init_snmp() never
     * feeds these handlers from some lamon-controller-conf.conf on its
     * search path. */
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        register_config_handler(CTL_CONF_TYPE, tokens[i].token, tokens[i].fn, NULL, tokens[i].help);
    building = c;
    load_errors = 0;
    first_err = err;
    first_err_len = errlen;
    loading = true;
    /* A file that fails the line checks is not handed to Net-SNMP at all:
     * it would run an include line. */
    int bad = config_file_check(file);
    int r = bad < 0 ? SNMPERR_GENERR : SNMPERR_SUCCESS;
    if (bad == 0)
        r = read_config_with_type(file, CTL_CONF_TYPE);
    else if (bad > 0 && load_errors == 0)
        load_errors = bad;          /* counted even without the log callback */
    loading = false;
    building = NULL;
    first_err = NULL;
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        unregister_config_handler(CTL_CONF_TYPE, tokens[i].token);

    if (bad < 0) {
        /* config_file_check logged why; err holds its message */
        if (err && errlen && !err[0])
            snprintf(err, errlen, "%s: cannot open", file);
        ctl_config_free(c);
        return -1;
    }
    if (r != SNMPERR_SUCCESS) {
        snmp_log(LOG_ERR, "%s: cannot read: %s\n", file, strerror(errno ? errno : ENOENT));
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno ? errno : ENOENT));
        ctl_config_free(c);
        return -1;
    }
    if (load_errors == 0) {
        /* Cross-checks that need the whole file. */
        for (size_t i = 0; i < c->nnodes; i++)
            for (size_t j = 0; j < c->ndirectors; j++)
                if (strcmp(c->nodes[i].name, c->directors[j].name) == 0) {
                    snmp_log(LOG_ERR, "%s: '%s' is both a node and a director\n", file, c->nodes[i].name);
                    if (err && errlen && load_errors == 0)
                        snprintf(err, errlen, "%s: '%s' is both a node and a director", file, c->nodes[i].name);
                    load_errors++;
                }
    }
    if (load_errors > 0) {
        ctl_config_free(c);
        return -1;
    }
    *out = c;
    return 0;
}
