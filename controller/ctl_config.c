/* lamon-controller.conf reader (see ctl_config.h for the tokens). */
#include "config_error.h"
#include "ctl_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define CTL_CONF_TYPE "lamon-controller-conf"
#define WORD_MAX (CONFIG_WORD_MAX + 1)   /* bytes of one word */
#define SERVICE_WORDS_MAX 32
#define HOSTPORT_MAX (CTL_HOST_MAX + 7)    /* "[" HOST "]:65535" */

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

/* Bounded copy; callers check lengths first where truncation matters. */
static void scopy(char *dst, size_t len, const char *src)
{
    size_t n = strnlen(src, len - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Splits LINE into words (quotes group, as Net-SNMP does; an empty quoted
 * word is no word).  Stores the first MAXW and counts all of them in *N, so
 * the caller sees a line with too many.  A word over CONFIG_WORD_MAX
 * characters is reported and fails the line: nothing is truncated. */
static bool split_words(const char *token, char *line, char words[][WORD_MAX], size_t maxw,
                        size_t *n)
{
    char spare[WORD_MAX] = "", what[96];
    char *p = line;
    *n = 0;
    while (p) {
        char *dst = *n < maxw ? words[*n] : spare;
        snprintf(what, sizeof what, "%s: word %zu", token, *n + 1);
        int r = config_word(&p, dst, WORD_MAX, what);
        if (r < 0)
            return false;
        if (r > 0 && dst[0] != '\0')
            (*n)++;
    }
    return true;
}

static bool parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out)
{
    char *end;
    errno = 0;
    if (!s || *s == '\0' || *s == '-')
        return false;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CTL_NAME_MAX)
        return false;
    for (const char *p = s; *p; p++)
        if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
              ('0' <= *p && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* One integer token: "interval 1000" etc. */
static void set_uint(const char *token, char *line, unsigned lo, unsigned hi, unsigned *dst)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!split_words(token, line, w, 1, &n))
        return;
    if (n != 1 || !parse_uint(w[0], lo, hi, dst))
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

static void set_path(const char *token, char *line, char *dst, size_t len)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!split_words(token, line, w, 1, &n))
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
    if (!split_words(token, line, w, 5, &n))
        return;
    if (n == 0 || n > 5 || n % 2 == 0) {
        config_errorf("%s needs SOCKET [owner USER[:GROUP]] [mode OCTAL]", token);
        return;
    }
    if (strlen(w[0]) >= sizeof building->control) {
        config_errorf("control socket path '%s' is longer than %zu bytes", w[0], sizeof building->control - 1);
        return;
    }
    scopy(building->control, sizeof building->control, w[0]);
    for (size_t i = 1; i + 1 < n; i += 2) {
        if (strcmp(w[i], "owner") == 0) {
            char *colon = strchr(w[i + 1], ':');
            if (colon)
                *colon = '\0';
            if (strlen(w[i + 1]) > CTL_NAME_MAX || (colon && strlen(colon + 1) > CTL_NAME_MAX)) {
                config_errorf("control owner is too long");
                return;
            }
            scopy(building->control_owner, sizeof building->control_owner, w[i + 1]);
            scopy(building->control_group, sizeof building->control_group, colon ? colon + 1 : "");
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

static void *grow(void *arr, size_t n, size_t size)
{
    void *p = realloc(arr, (n + 1) * size);
    if (!p)
        config_errorf("out of memory");
    return p;
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
    if (!split_words(token, line, w, 5, &n))
        return;
    if (n != 5 || strcasecmp(w[1], "sha") != 0 || strcasecmp(w[3], "aes") != 0) {
        config_errorf("%s needs USER sha AUTHPASS aes PRIVPASS", token);
        return;
    }
    if (!valid_name(w[0])) {
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
    struct ctl_v3user *u = grow(building->v3users, building->nv3users, sizeof *u);
    if (!u)
        return;
    building->v3users = u;
    u = &building->v3users[building->nv3users++];
    memset(u, 0, sizeof *u);
    scopy(u->name, sizeof u->name, w[0]);
    scopy(u->auth, sizeof u->auth, w[2]);
    scopy(u->priv, sizeof u->priv, w[4]);
    if (building->write_user < 0)
        building->write_user = (int)(building->nv3users - 1);
}

static void h_write_user(const char *token, char *line)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!split_words(token, line, w, 1, &n))
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

int ctl_parse_hostport(const char *s, uint16_t defport, char *host, size_t hostlen,
                       struct sockaddr_storage *addr, uint16_t *port)
{
    char buf[HOSTPORT_MAX + 1];
    const char *portstr = NULL;
    if (strlen(s) >= sizeof buf)
        return -1;
    scopy(buf, sizeof buf, s);
    char *h = buf;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close)
            return -1;
        *close = '\0';
        h = buf + 1;
        if (close[1] == ':')
            portstr = close + 2;
        else if (close[1] != '\0')
            return -1;
    } else {
        char *colon = strchr(buf, ':');
        if (colon && strchr(colon + 1, ':') == NULL) {   /* one colon: host:port */
            *colon = '\0';
            portstr = colon + 1;
        }
    }
    unsigned p = defport;
    if (portstr && !parse_uint(portstr, 1, 65535, &p))
        return -1;
    if (*h == '\0' || strlen(h) >= hostlen)
        return -1;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *res = NULL;
#ifdef LAMON_FUZZING
    hints.ai_flags = AI_NUMERICHOST;    /* a fuzzed name must not reach DNS */
#endif
    if (getaddrinfo(h, NULL, &hints, &res) != 0 || !res)
        return -1;
    memset(addr, 0, sizeof *addr);
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (addr->ss_family == AF_INET)
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)p);
    else
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)p);
    snprintf(host, hostlen, "%s", h);
    *port = (uint16_t)p;
    return 0;
}

static int find_peer(const struct ctl_peer *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return (int)i;
    return -1;
}

int ctl_config_find_node(const struct ctl_config *cfg, const char *name)
{
    return find_peer(cfg->nodes, cfg->nnodes, name);
}

int ctl_config_find_service(const struct ctl_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nservices; i++)
        if (strcmp(cfg->services[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* node / director NAME HOST[:PORT] [community C | v3 USER] */
static void parse_peer(const char *token, char *line, struct ctl_peer **arr, size_t *narr)
{
    char w[4][WORD_MAX];
    size_t n;
    if (!split_words(token, line, w, 4, &n))
        return;
    struct ctl_peer p;
    memset(&p, 0, sizeof p);
    p.v3user = -1;
    snprintf(p.community, sizeof p.community, "public");
    if (n != 2 && n != 4) {
        config_errorf("%s needs NAME HOST[:PORT] [community C | v3 USER]", token);
        return;
    }
    if (!valid_name(w[0])) {
        config_errorf("%s: '%s' is not a valid name (letters, digits, . _ -; up to 64)", token, w[0]);
        return;
    }
    if (find_peer(*arr, *narr, w[0]) >= 0) {
        config_errorf("%s %s is declared twice", token, w[0]);
        return;
    }
    scopy(p.name, sizeof p.name, w[0]);
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
            scopy(p.community, sizeof p.community, w[3]);
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
    struct ctl_peer *a = grow(*arr, *narr, sizeof *a);
    if (!a)
        return;
    *arr = a;
    a[(*narr)++] = p;
}

static void h_node(const char *t, char *l)     { parse_peer(t, l, &building->nodes, &building->nnodes); }
static void h_director(const char *t, char *l) { parse_peer(t, l, &building->directors, &building->ndirectors); }

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

static void h_service(const char *token, char *line)
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

    if (!split_words(token, line, w, SERVICE_WORDS_MAX, &n))
        goto out;
    if (n > SERVICE_WORDS_MAX) {
        config_errorf("%s: %zu words; at most %d", token, n, SERVICE_WORDS_MAX);
        goto out;
    }
    if (n < 3) {
        config_errorf("%s needs NAME tcp|udp VIP:PORT nodes N ... director NAME[,NAME...]", token);
        goto out;
    }
    if (!valid_name(w[0])) {
        config_errorf("service: '%s' is not a valid name", w[0]);
        goto out;
    }
    if (ctl_config_find_service(building, w[0]) >= 0) {
        config_errorf("service %s is declared twice", w[0]);
        goto out;
    }
    scopy(s.name, sizeof s.name, w[0]);
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
        if (strcmp(k, "nodes") == 0 && parse_uint(v, 0, 100000, &u)) {
            s.nodes = u; have_nodes = true;
        } else if (strcmp(k, "min") == 0 && parse_uint(v, 0, 100000, &u)) {
            s.min = u; have_min = true;
        } else if (strcmp(k, "max") == 0 && parse_uint(v, 0, 100000, &u)) {
            s.max = u; have_max = true;
        } else if (strcmp(k, "rport") == 0 && parse_uint(v, 1, 65535, &u)) {
            s.rport = (uint16_t)u;
        } else if (strcmp(k, "weight") == 0 && parse_uint(v, 1, 65535, &u)) {
            s.weight = (int)u;
        } else if (strcmp(k, "sched") == 0 && strlen(v) < sizeof s.sched && valid_name(v)) {
            scopy(s.sched, sizeof s.sched, v);
        } else if (strcmp(k, "app") == 0 && valid_name(v)) {
            scopy(s.app, sizeof s.app, v);
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
            scopy(list, sizeof list, v);
            char *save = NULL;
            for (char *d = strtok_r(list, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
                int di = find_peer(building->directors, building->ndirectors, d);
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
    struct ctl_service *a = grow(building->services, building->nservices, sizeof *a);
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

static void h_listen(const char *t, char *l) { notif_config_listen(&building->notif, t, l); }
static void h_accept(const char *t, char *l)
{
    notif_config_accept(&building->notif, building->v3users, building->nv3users, t, l);
}

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
    { "accept", h_accept, "NETWORK/PREFIX community C | NETWORK/PREFIX v3 USER" },
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
    notif_config_free(&cfg->notif);
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
    if (!c) {
        if (err)
            snprintf(err, errlen, "%s: out of memory", file);
        return -1;
    }
    c->interval_ms = 10000;
    c->timeout_ms = 2000;
    c->rise = 2;
    c->fall = 3;
    c->panic_pct = 50;
    c->scale_polls = 3;
    c->drain_timeout_s = 60;
    c->in_flight = 64;
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
