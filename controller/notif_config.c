/* listen / accept lines of lamon-controller.conf (see notif_config.h). */
#include "notif_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_error.h"
#include "ctl_config_words.h"

_Static_assert(NOTIF_NAME_MAX == CTL_NAME_MAX, "accept names are config names");

#define WORD_MAX (CONFIG_WORD_MAX + 1)
#define ACCEPT_WORDS 5

/* Words of LINE into W (at most MAXW kept, all counted in *N); false when a
 * word was too long (already reported). */
static bool words(const char *token, char *line, char (*w)[WORD_MAX], size_t maxw, size_t *n)
{
    char spare[WORD_MAX] = "", what[64];
    *n = 0;
    for (char *p = line; p;) {
        snprintf(what, sizeof what, "%s: word %zu", token, *n + 1);
        char *dst = *n < maxw ? w[*n] : spare;
        int r = config_word(&p, dst, WORD_MAX, what);
        if (r < 0)
            return false;
        if (r > 0 && dst[0])
            (*n)++;
    }
    return true;
}

int notif_net_parse(const char *s, struct notif_net *net, char *err, size_t errlen)
{
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= INET6_ADDRSTRLEN) {
        snprintf(err, errlen, "'%.80s' is not NETWORK/PREFIX", s);
        return -1;
    }
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = '\0';
    memset(net, 0, sizeof *net);
    unsigned max;
    if (inet_pton(AF_INET, buf, net->addr) == 1) {
        net->af = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
        net->af = AF_INET6;
        max = 128;
    } else {
        snprintf(err, errlen, "'%.80s' is not a numeric IPv4 or IPv6 address", buf);
        return -1;
    }
    const char *p = slash + 1;
    char *end;
    errno = 0;
    unsigned long prefix = *p >= '0' && *p <= '9' ? strtoul(p, &end, 10) : ULONG_MAX;
    if (prefix == ULONG_MAX || errno || *end != '\0' || prefix > max) {
        snprintf(err, errlen, "'%.80s': the prefix must be a number from 0 to %u", s, max);
        return -1;
    }
    net->prefix = (unsigned)prefix;
    /* 10.1.2.3/8 is almost always a typo for a host or for 10.0.0.0/8:
     * refuse it instead of guessing. */
    for (unsigned bit = net->prefix; bit < max; bit++)
        if (net->addr[bit / 8] & (0x80u >> (bit % 8))) {
            snprintf(err, errlen, "'%.80s' has address bits set beyond the /%u prefix", s, net->prefix);
            return -1;
        }
    return 0;
}

bool notif_net_match(const struct notif_net *net, const struct sockaddr *sa)
{
    static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    const uint8_t *a;
    int af = sa->sa_family;
    if (af == AF_INET) {
        a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
    } else if (af == AF_INET6) {
        a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (net->af == AF_INET && memcmp(a, v4mapped, sizeof v4mapped) == 0) {
            a += sizeof v4mapped;
            af = AF_INET;
        }
    } else {
        return false;
    }
    if (af != net->af)
        return false;
    unsigned full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(a, net->addr, full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rest));
        if ((a[full] & mask) != (net->addr[full] & mask))
            return false;
    }
    return true;
}

/* The IPv4 address of SA (also of an IPv4-mapped IPv6 one) into V4. */
static bool as_v4(const struct sockaddr_storage *sa, struct in_addr *v4)
{
    if (sa->ss_family == AF_INET) {
        *v4 = ((const struct sockaddr_in *)sa)->sin_addr;
        return true;
    }
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    if (sa->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
        memcpy(v4, &s6->sin6_addr.s6_addr[12], 4);
        return true;
    }
    return false;
}

/* Same host address, whatever the ports. */
bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    struct in_addr x, y;
    if (as_v4(a, &x) && as_v4(b, &y))
        return x.s_addr == y.s_addr;
    if (a->ss_family != AF_INET6 || b->ss_family != AF_INET6)
        return false;
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
                  sizeof(struct in6_addr)) == 0;
}

void notif_config_listen(struct notif_config *nc, const char *token, char *line)
{
    char w[1][WORD_MAX];
    size_t n;
    if (!words(token, line, w, 1, &n))
        return;
    if (n != 1) {
        config_errorf("%s needs one ADDRESS[:PORT] (IPv6 as [ADDRESS]:PORT)", token);
        return;
    }
    if (nc->listen) {
        config_errorf("%s is given twice; the receiver has one address", token);
        return;
    }
    if (strlen(w[0]) > NOTIF_HOST_MAX + 8 ||
        ctl_parse_hostport(w[0], 162, nc->listen_host, sizeof nc->listen_host, &nc->listen_addr,
                           &nc->listen_port) < 0) {
        config_errorf("%s: cannot use address '%.300s' (ADDRESS[:PORT], port 1 to 65535)", token, w[0]);
        return;
    }
    nc->listen = true;
}

void notif_config_accept(struct notif_config *nc, const struct ctl_v3user *users, size_t nusers,
                         const char *token, char *line)
{
    char (*w)[WORD_MAX] = malloc(ACCEPT_WORDS * sizeof *w);
    char err[200];
    size_t n;
    if (!w) {
        config_errorf("out of memory");
        return;
    }
    struct notif_accept a;
    memset(&a, 0, sizeof a);
    if (!words(token, line, w, ACCEPT_WORDS, &n))
        goto out;
    if ((n != 3 && n != 5) || (strcmp(w[1], "community") != 0 && strcmp(w[1], "v3") != 0)) {
        config_errorf("%s needs NETWORK/PREFIX community C [port P], or NETWORK/PREFIX v3 USER [port P]", token);
        goto out;
    }
    a.port = 161;
    if (n == 5) {
        unsigned port;
        if (strcmp(w[3], "port") != 0 || !ctl_cfg_uint(w[4], 1, 65535, &port)) {
            config_errorf("%s %s: expected 'port P' (1 to 65535) after the %s, got '%.40s %.40s'", token, w[0],
                          w[1][0] == 'v' ? "user" : "community", w[3], w[4]);
            goto out;
        }
        a.port = (uint16_t)port;
    }
    if (notif_net_parse(w[0], &a.net, err, sizeof err) < 0) {
        config_errorf("%s: %s", token, err);
        goto out;
    }
    if (strlen(w[2]) > NOTIF_NAME_MAX) {
        config_errorf("%s %s: the %s is %zu characters long; at most %d", token, w[0],
                      w[1][0] == 'v' ? "user name" : "community", strlen(w[2]), NOTIF_NAME_MAX);
        goto out;
    }
    if (w[1][0] == 'v') {
        size_t i = 0;
        while (i < nusers && strcmp(users[i].name, w[2]) != 0)
            i++;
        if (i == nusers) {
            config_errorf("%s %s: v3user '%s' is not declared above", token, w[0], w[2]);
            goto out;
        }
        a.v3 = true;
        snprintf(a.user, sizeof a.user, "%s", w[2]);
    } else {
        snprintf(a.community, sizeof a.community, "%s", w[2]);
    }
    struct notif_accept *arr = realloc(nc->accepts, (nc->naccepts + 1) * sizeof *arr);
    if (!arr) {
        config_errorf("out of memory");
        goto out;
    }
    nc->accepts = arr;
    arr[nc->naccepts++] = a;
out:
    explicit_bzero(&a, sizeof a);
    explicit_bzero(w, ACCEPT_WORDS * sizeof *w);
    free(w);
}

void notif_config_free(struct notif_config *nc)
{
    if (nc->accepts)
        explicit_bzero(nc->accepts, nc->naccepts * sizeof *nc->accepts);
    free(nc->accepts);
    nc->accepts = NULL;
    nc->naccepts = 0;
}
