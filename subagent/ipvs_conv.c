/* IPVS structures as LAMON-MIB values; see ipvs_conv.h. */
#include "ipvs_conv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/ip_vs.h>

/* The destination part of lamonDestTable's index from and to a destination. */
static struct lamon_dest_key dest_key(const struct ipvs_dest *d)
{
    struct lamon_dest_key k = { .af = d->af, .port = d->port };
    memcpy(k.addr, d->addr, sizeof k.addr);
    return k;
}

static void dest_from_key(struct ipvs_dest *d, const struct lamon_dest_key *k)
{
    memset(d, 0, sizeof *d);
    d->af = k->af;
    memcpy(d->addr, k->addr, sizeof d->addr);
    d->port = k->port;
}

size_t ipvs_dest_index_encode(const struct lamon_vs_key *k, const struct ipvs_dest *d, oid *idx)
{
    struct lamon_dest_key dk = dest_key(d);
    return lamon_dest_index_encode(k, &dk, idx);
}

size_t ipvs_dest_index_decode(const oid *idx, size_t len, struct lamon_vs_key *k, struct ipvs_dest *d)
{
    struct lamon_dest_key dk;
    size_t n = lamon_dest_index_decode(idx, len, k, &dk);
    dest_from_key(d, &dk);
    return n;
}

uint8_t ipvs_flags_to_bits(uint32_t f)
{
    return (uint8_t)(((f & IP_VS_SVC_F_PERSISTENT) ? 0x80 : 0) | ((f & IP_VS_SVC_F_ONEPACKET) ? 0x40 : 0)
                     | ((f & IP_VS_SVC_F_SCHED1) ? 0x20 : 0) | ((f & IP_VS_SVC_F_SCHED2) ? 0x10 : 0)
                     | ((f & IP_VS_SVC_F_SCHED3) ? 0x08 : 0));
}

uint32_t ipvs_bits_to_flags(uint8_t b)
{
    return ((b & 0x80) ? IP_VS_SVC_F_PERSISTENT : 0) | ((b & 0x40) ? IP_VS_SVC_F_ONEPACKET : 0)
           | ((b & 0x20) ? IP_VS_SVC_F_SCHED1 : 0) | ((b & 0x10) ? IP_VS_SVC_F_SCHED2 : 0)
           | ((b & 0x08) ? IP_VS_SVC_F_SCHED3 : 0);
}

long ipvs_fwd_to_mib(uint32_t fwd)
{
    switch (fwd & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_MASQ: return LFWD_MASQ;
    case IP_VS_CONN_F_LOCALNODE: return LFWD_LOCAL;
    case IP_VS_CONN_F_TUNNEL: return LFWD_TUNNEL;
    default: return LFWD_ROUTE;
    }
}

uint32_t ipvs_fwd_from_mib(long v)
{
    return v == LFWD_MASQ ? IP_VS_CONN_F_MASQ : v == LFWD_LOCAL ? IP_VS_CONN_F_LOCALNODE
         : v == LFWD_TUNNEL ? IP_VS_CONN_F_TUNNEL : IP_VS_CONN_F_DROUTE;
}

const char *ipvs_svc_str(const struct lamon_vs_key *k, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    if (k->fwmark) {
        snprintf(buf, len, "fwmark %u (%s)", k->fwmark, k->af == AF_INET ? "ipv4" : "ipv6");
        return buf;
    }
    inet_ntop(k->af, k->addr, a, sizeof a);
    const char *p = k->protocol == IPPROTO_TCP ? "tcp" : k->protocol == IPPROTO_UDP ? "udp" : "sctp";
    snprintf(buf, len, k->af == AF_INET6 ? "%s [%s]:%u" : "%s %s:%u", p, a, k->port);
    return buf;
}

const char *ipvs_dest_str(const struct ipvs_dest *d, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    inet_ntop(d->af, d->addr, a, sizeof a);
    snprintf(buf, len, d->af == AF_INET6 ? "[%s]:%u" : "%s:%u", a, d->port);
    return buf;
}
