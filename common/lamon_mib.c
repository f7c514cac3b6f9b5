/* LAMON-MIB index codecs; see lamon_mib.h. */
#include "lamon_mib.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

size_t lamon_inet_len(uint16_t af)
{
    return af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
}

static int proto_ok(oid p)
{
    return p == 0 || p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_SCTP;
}

static size_t addr_encode(uint16_t af, const uint8_t *addr, oid *idx)
{
    size_t alen = lamon_inet_len(af), n = 0;
    idx[n++] = af == AF_INET ? 1 : 2;
    idx[n++] = alen;
    for (size_t i = 0; i < alen; i++)
        idx[n++] = addr[i];
    return n;
}

/* InetAddressType ipv4(1) or ipv6(2), then a length-prefixed InetAddress
 * of that type's length. */
static size_t addr_decode(const oid *idx, size_t len, uint16_t *af, uint8_t *addr)
{
    if (len < 2 || (idx[0] != 1 && idx[0] != 2))
        return 0;
    *af = idx[0] == 1 ? AF_INET : AF_INET6;
    size_t alen = lamon_inet_len(*af);
    if (idx[1] != alen || len < 2 + alen)
        return 0;
    memset(addr, 0, 16);
    for (size_t i = 0; i < alen; i++) {
        if (idx[2 + i] > 255)
            return 0;
        addr[i] = (uint8_t)idx[2 + i];
    }
    return 2 + alen;
}

size_t lamon_vs_index_encode(const struct lamon_vs_key *k, oid *idx)
{
    size_t n = 0;
    idx[n++] = k->fwmark ? 0 : k->protocol;
    n += addr_encode(k->af, k->addr, idx + n);
    idx[n++] = k->fwmark ? 0 : k->port;
    idx[n++] = k->fwmark;
    return n;
}

size_t lamon_vs_index_decode(const oid *idx, size_t len, struct lamon_vs_key *k)
{
    memset(k, 0, sizeof *k);
    if (len < 1 || !proto_ok(idx[0]))
        return 0;
    k->protocol = (uint16_t)idx[0];
    size_t n = addr_decode(idx + 1, len - 1, &k->af, k->addr);
    if (!n)
        return 0;
    n += 1;
    if (len < n + 2 || idx[n] > 65535 || idx[n + 1] > 0xffffffffUL)
        return 0;
    k->port = (uint16_t)idx[n];
    k->fwmark = (uint32_t)idx[n + 1];
    if (k->protocol == 0) {
        static const uint8_t zero[16];
        if (k->fwmark == 0 || k->port != 0 || memcmp(k->addr, zero, 16) != 0)
            return 0;
    } else if (k->fwmark != 0) {
        return 0;
    }
    return n + 2;
}

size_t lamon_dest_index_encode(const struct lamon_vs_key *k, const struct lamon_dest_key *d, oid *idx)
{
    size_t n = lamon_vs_index_encode(k, idx);
    n += addr_encode(d->af, d->addr, idx + n);
    idx[n++] = d->port;
    return n;
}

size_t lamon_dest_index_decode(const oid *idx, size_t len, struct lamon_vs_key *k,
                               struct lamon_dest_key *d)
{
    memset(d, 0, sizeof *d);
    size_t n = lamon_vs_index_decode(idx, len, k);
    if (!n)
        return 0;
    size_t m = addr_decode(idx + n, len - n, &d->af, d->addr);
    if (!m || len < n + m + 1 || idx[n + m] > 65535)
        return 0;
    d->port = (uint16_t)idx[n + m];
    return n + m + 1;
}

void lamon_dest_key_from_sa(struct lamon_dest_key *d, const struct sockaddr_storage *ss)
{
    memset(d, 0, sizeof *d);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const void *)ss;
        d->af = AF_INET;
        memcpy(d->addr, &sin->sin_addr, 4);
        d->port = ntohs(sin->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const void *)ss;
        d->af = AF_INET6;
        memcpy(d->addr, &sin6->sin6_addr, 16);
        d->port = ntohs(sin6->sin6_port);
    }
}

void lamon_dest_key_to_sa(const struct lamon_dest_key *d, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (d->af == AF_INET) {
        struct sockaddr_in *sin = (void *)ss;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, d->addr, 4);
        sin->sin_port = htons(d->port);
    } else if (d->af == AF_INET6) {
        struct sockaddr_in6 *sin6 = (void *)ss;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, d->addr, 16);
        sin6->sin6_port = htons(d->port);
    }
}

void lamon_vs_key_from_sa(struct lamon_vs_key *k, unsigned protocol, const struct sockaddr_storage *ss)
{
    struct lamon_dest_key a;
    lamon_dest_key_from_sa(&a, ss);
    memset(k, 0, sizeof *k);
    k->af = a.af;
    k->protocol = (uint16_t)protocol;
    memcpy(k->addr, a.addr, sizeof k->addr);
    k->port = a.port;
}

size_t lamon_op_index_encode(unsigned index, oid *idx)
{
    idx[0] = index;
    return 1;
}

size_t lamon_op_index_decode(const oid *idx, size_t len, unsigned *index)
{
    if (len != 1 || idx[0] < 1 || idx[0] > UINT_MAX)
        return 0;
    *index = (unsigned)idx[0];
    return 1;
}

/* An IMPLIED LamonName index: one sub-identifier per character, no length. */
static size_t name_index_encode(const char *name, oid *idx, size_t max)
{
    size_t n = 0;
    for (const char *c = name; *c && n < max; c++)
        idx[n++] = (oid)(unsigned char)*c;
    return n;
}

static size_t name_index_decode(const oid *idx, size_t len, char *name, size_t size)
{
    if (len == 0 || len >= size)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (idx[i] < 32 || idx[i] > 126)
            return 0;
        name[i] = (char)idx[i];
    }
    name[len] = '\0';
    return len;
}

size_t lamon_app_index_encode(const char *name, oid *idx, size_t max)
{
    return name_index_encode(name, idx, max);
}

size_t lamon_app_index_decode(const oid *idx, size_t len, char *name, size_t size)
{
    return name_index_decode(idx, len, name, size);
}

size_t lamon_kernel_index_encode(const char *release, oid *idx, size_t max)
{
    return name_index_encode(release, idx, max);
}

size_t lamon_kernel_index_decode(const oid *idx, size_t len, char *release, size_t size)
{
    return name_index_decode(idx, len, release, size);
}
