/* libFuzzer target: the IPVS generic netlink reply parsers
 * (ipvs_nl_parse_service / ipvs_nl_parse_dest in subagent/ipvs_netlink.c).
 *
 * Input: byte 0 picks the parser (bit 0) and, for a destination, the
 * service's family (bits 1-2); the rest is the attribute payload.  It is
 * framed as one well-formed netlink message (nlmsghdr + genlmsghdr, lengths
 * consistent) in a buffer of exactly that size, so libnl's nla_parse and the
 * parsers' reading of the attributes are what is fuzzed; ASan sees any read
 * past the message.
 *
 * Oracles besides crashes: a parsed scheduler name is NUL-terminated in its
 * array; the family is AF_INET or AF_INET6 and the address bytes past its
 * length are zero; the key (and destination) round-trip through the MIB's
 * index codecs; and an independent walk of the attributes (libnl's rule:
 * the last of a type wins) finds the family, address and port that the
 * parser returned. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "../subagent/ipvs_mib.h"
#include "../subagent/ipvs_netlink.h"

/* The last attribute of TYPE in [p, p+len), by netlink's framing; NULL if none. */
static const struct nlattr *last_attr(const uint8_t *p, long len, int type)
{
    const struct nlattr *found = NULL;
    for (int guard = 0; len >= (long)NLA_HDRLEN && guard < 100000; guard++) {
        const struct nlattr *a = (const struct nlattr *)p;
        if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
            break;
        if ((a->nla_type & NLA_TYPE_MASK) == type)
            found = a;
        long step = NLA_ALIGN(a->nla_len);
        p += step;
        len -= step;
    }
    return found;
}

static const uint8_t *attr_data(const struct nlattr *a)
{
    return (const uint8_t *)a + NLA_HDRLEN;
}

static long attr_len(const struct nlattr *a)
{
    return (long)a->nla_len - NLA_HDRLEN;
}

/* The nest TOP's payload: its address and length in *P, *LEN. */
static int nest(const uint8_t *payload, size_t len, int top, const uint8_t **p, long *n)
{
    const struct nlattr *a = last_attr(payload, (long)len, top);
    if (!a)
        return -1;
    *p = attr_data(a);
    *n = attr_len(a);
    return 0;
}

static uint16_t u16_of(const struct nlattr *a)
{
    uint16_t v = 0;
    if (a && attr_len(a) >= 2)
        memcpy(&v, attr_data(a), 2);
    return v;
}

static void check_addr(uint16_t af, const uint8_t *addr, const struct nlattr *want)
{
    size_t alen = ipvs_addr_len(af);
    if (!alen)
        abort();
    for (size_t i = alen; i < 16; i++)
        if (addr[i])
            abort();
    if (!want || attr_len(want) < (long)alen || memcmp(addr, attr_data(want), alen) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65000)
        return 0;
    int is_dest = data[0] & 1;
    static const uint16_t afs[] = { AF_INET, AF_INET6, 0, 7 };
    uint16_t svc_af = afs[(data[0] >> 1) & 3];
    const uint8_t *payload = data + 1;
    size_t plen = size - 1;

    size_t total = NLMSG_HDRLEN + GENL_HDRLEN + plen;
    uint8_t *buf = malloc(total);
    if (!buf)
        return 0;
    struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
    memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
    nlh->nlmsg_len = (uint32_t)total;
    nlh->nlmsg_type = 0x20;               /* some generic netlink family */
    nlh->nlmsg_flags = NLM_F_MULTI;
    struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
    g->cmd = is_dest ? IPVS_CMD_NEW_DEST : IPVS_CMD_NEW_SERVICE;
    g->version = IPVS_GENL_VERSION;
    memcpy(buf + NLMSG_HDRLEN + GENL_HDRLEN, payload, plen);
    payload = buf + NLMSG_HDRLEN + GENL_HDRLEN;    /* aligned, as netlink's */

    const uint8_t *np;
    long nn;
    if (!is_dest) {
        struct ipvs_service s;
        if (ipvs_nl_parse_service(nlh, &s) == 0) {
            if (!memchr(s.sched, '\0', sizeof s.sched))
                abort();
            if (nest(payload, plen, IPVS_CMD_ATTR_SERVICE, &np, &nn) != 0)
                abort();
            if (s.key.af != u16_of(last_attr(np, nn, IPVS_SVC_ATTR_AF)))
                abort();
            if (s.key.fwmark == 0) {
                check_addr(s.key.af, s.key.addr, last_attr(np, nn, IPVS_SVC_ATTR_ADDR));
                if (s.key.port != ntohs(u16_of(last_attr(np, nn, IPVS_SVC_ATTR_PORT))))
                    abort();
            } else if (s.key.protocol || s.key.port) {
                abort();
            }
            oid idx[LAMON_VS_IDX_MAX];
            struct lamon_vs_key back;
            size_t n = lamon_vs_index_encode(&s.key, idx);
            if (n > LAMON_VS_IDX_MAX || lamon_vs_index_decode(idx, n, &back) != n
                || memcmp(&back, &s.key, sizeof back) != 0)
                abort();
            if (s.key.af == AF_INET && s.prefix > 32)
                abort();
        }
    } else {
        struct ipvs_dest d;
        if (ipvs_nl_parse_dest(nlh, svc_af, &d) == 0) {
            if (nest(payload, plen, IPVS_CMD_ATTR_DEST, &np, &nn) != 0)
                abort();
            const struct nlattr *fam = last_attr(np, nn, IPVS_DEST_ATTR_ADDR_FAMILY);
            if (d.af != (fam ? u16_of(fam) : svc_af))
                abort();
            check_addr(d.af, d.addr, last_attr(np, nn, IPVS_DEST_ATTR_ADDR));
            if (d.port != ntohs(u16_of(last_attr(np, nn, IPVS_DEST_ATTR_PORT))))
                abort();
            if (d.fwd & ~(uint32_t)IP_VS_CONN_F_FWD_MASK)
                abort();
            struct lamon_vs_key k = { .af = AF_INET, .protocol = IPPROTO_TCP, .port = 1 };
            oid idx[LAMON_DEST_IDX_MAX];
            struct lamon_vs_key kb;
            struct lamon_dest_key dk = { .af = d.af, .port = d.port }, db;
            memcpy(dk.addr, d.addr, sizeof dk.addr);
            size_t n = lamon_dest_index_encode(&k, &dk, idx);
            if (n > LAMON_DEST_IDX_MAX || lamon_dest_index_decode(idx, n, &kb, &db) != n
                || db.af != d.af || memcmp(db.addr, d.addr, 16) != 0 || db.port != d.port)
                abort();
        }
    }
    free(buf);
    return 0;
}
