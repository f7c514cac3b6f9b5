/* IPVS over generic netlink with libnl-genl-3; see ipvs_netlink.h.
 * Written from linux/ip_vs.h and the kernel's ip_vs_ctl.c attribute rules:
 * NEW/SET commands carry the full service (scheduler, flags, timeout,
 * netmask) or the full destination (fwd method, weight, thresholds). */
#include "ipvs_netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/ip_vs.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

static struct nl_sock *sock;
static int family = -1;
static int kernel_err;          /* errno of the last NLMSG_ERROR, negative */

size_t ipvs_addr_len(uint16_t af)
{
    return af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
}

uint32_t ipvs_prefix_to_netmask(uint16_t af, uint32_t prefix)
{
    if (af == AF_INET6)
        return prefix;
    if (prefix == 0)
        return 0;
    if (prefix > 32)
        prefix = 32;
    return htonl(0xffffffffu << (32 - prefix));
}

uint32_t ipvs_netmask_to_prefix(uint16_t af, uint32_t netmask)
{
    if (af == AF_INET6)
        return netmask;
    return (uint32_t)__builtin_popcount(ntohl(netmask));
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
    (void)who, (void)arg;
    kernel_err = e->error;
    return NL_STOP;
}

static const struct ipvs_remote *remote;

void ipvs_nl_set_remote(const struct ipvs_remote *r) { remote = r; }

int ipvs_nl_is_open(void)
{
    if (remote)
        return remote->is_open();
    return sock != NULL;
}

void ipvs_nl_close(void)
{
    if (remote) {
        remote->close();
        return;
    }
    if (sock)
        nl_socket_free(sock);
    sock = NULL;
    family = -1;
}

int ipvs_nl_open(void)
{
    if (remote)
        return remote->open();
    if (sock)
        return 0;
    sock = nl_socket_alloc();
    if (!sock)
        return -ENOMEM;
    int rc = genl_connect(sock);
    if (rc < 0) {
        ipvs_nl_close();
        return -EPROTONOSUPPORT;
    }
    family = genl_ctrl_resolve(sock, IPVS_GENL_NAME);
    if (family < 0) {
        ipvs_nl_close();
        return -ENOENT;
    }
    /* IPVS dumps of thousands of destinations come in many parts. */
    nl_socket_set_buffer_size(sock, 1 << 20, 1 << 20);
    nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, on_error, NULL);
    return 0;
}

static struct nl_msg *new_msg(int cmd, int flags)
{
    struct nl_msg *msg = nlmsg_alloc();
    if (!msg)
        return NULL;
    if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, (uint8_t)cmd,
                     IPVS_GENL_VERSION)) {
        nlmsg_free(msg);
        return NULL;
    }
    return msg;
}

/* Sends MSG (consumed) and waits for its ack, or for the end of its dump
 * when VALID is given.  Returns 0 or a negative errno. */
static int transact(struct nl_msg *msg, nl_recvmsg_msg_cb_t valid, void *arg)
{
    if (!sock) {
        nlmsg_free(msg);
        return -ENOENT;
    }
    kernel_err = 0;
    nl_socket_modify_cb(sock, NL_CB_VALID, valid ? NL_CB_CUSTOM : NL_CB_DEFAULT, valid, arg);
    int rc = nl_send_auto(sock, msg);
    nlmsg_free(msg);
    if (rc < 0)
        return -EIO;
    rc = valid ? nl_recvmsgs_default(sock) : nl_wait_for_ack(sock);
    nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
    if (kernel_err < 0)
        return kernel_err;
    if (rc < 0)
        return rc == -NLE_NOMEM ? -ENOMEM : -EIO;
    return 0;
}

static int put_svc_key(struct nl_msg *msg, const struct lamon_vs_key *k)
{
    uint8_t addr[16] = { 0 };
    size_t alen = ipvs_addr_len(k->af);
    if (!alen)
        return -EAFNOSUPPORT;
    memcpy(addr, k->addr, alen);
    if (nla_put_u16(msg, IPVS_SVC_ATTR_AF, k->af) < 0)
        return -ENOMEM;
    if (k->fwmark)
        return nla_put_u32(msg, IPVS_SVC_ATTR_FWMARK, k->fwmark) < 0 ? -ENOMEM : 0;
    if (nla_put_u16(msg, IPVS_SVC_ATTR_PROTOCOL, k->protocol) < 0
        || nla_put(msg, IPVS_SVC_ATTR_ADDR, sizeof addr, addr) < 0
        || nla_put_u16(msg, IPVS_SVC_ATTR_PORT, htons(k->port)) < 0)
        return -ENOMEM;
    return 0;
}

static int put_service(struct nl_msg *msg, const struct ipvs_service *s, int full)
{
    struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_SERVICE);
    if (!nest)
        return -ENOMEM;
    int rc = put_svc_key(msg, &s->key);
    if (rc < 0)
        return rc;
    if (full) {
        struct ip_vs_flags f = { .flags = s->flags & ~(uint32_t)IP_VS_SVC_F_HASHED, .mask = ~0u };
        if (nla_put_string(msg, IPVS_SVC_ATTR_SCHED_NAME, s->sched) < 0
            || nla_put(msg, IPVS_SVC_ATTR_FLAGS, sizeof f, &f) < 0
            || nla_put_u32(msg, IPVS_SVC_ATTR_TIMEOUT, s->timeout) < 0
            || nla_put_u32(msg, IPVS_SVC_ATTR_NETMASK,
                           ipvs_prefix_to_netmask(s->key.af, s->prefix)) < 0)
            return -ENOMEM;
    }
    nla_nest_end(msg, nest);
    return 0;
}

static int put_dest(struct nl_msg *msg, const struct ipvs_dest *d, int full)
{
    uint8_t addr[16] = { 0 };
    size_t alen = ipvs_addr_len(d->af);
    if (!alen)
        return -EAFNOSUPPORT;
    memcpy(addr, d->addr, alen);
    struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_DEST);
    if (!nest)
        return -ENOMEM;
    if (nla_put(msg, IPVS_DEST_ATTR_ADDR, sizeof addr, addr) < 0
        || nla_put_u16(msg, IPVS_DEST_ATTR_PORT, htons(d->port)) < 0
        || nla_put_u16(msg, IPVS_DEST_ATTR_ADDR_FAMILY, d->af) < 0)
        return -ENOMEM;
    if (full
        && (nla_put_u32(msg, IPVS_DEST_ATTR_FWD_METHOD, d->fwd & IP_VS_CONN_F_FWD_MASK) < 0
            || nla_put_u32(msg, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d->weight) < 0
            || nla_put_u32(msg, IPVS_DEST_ATTR_U_THRESH, d->u_thresh) < 0
            || nla_put_u32(msg, IPVS_DEST_ATTR_L_THRESH, d->l_thresh) < 0))
        return -ENOMEM;
    nla_nest_end(msg, nest);
    return 0;
}

/* --- parsing ------------------------------------------------------------ */

/* What the kernel sends (ip_vs_ctl.c's ip_vs_genl_fill_*); libnl's
 * nla_parse refuses a message whose attribute is shorter than its type
 * needs, a scheduler name that is too long or not NUL-terminated, or an
 * address longer than struct nf_inet_addr. */
static const struct nla_policy cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
    [IPVS_CMD_ATTR_SERVICE] = { .type = NLA_NESTED },
    [IPVS_CMD_ATTR_DEST] = { .type = NLA_NESTED },
};

static const struct nla_policy svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
    [IPVS_SVC_ATTR_AF] = { .type = NLA_U16 },
    [IPVS_SVC_ATTR_PROTOCOL] = { .type = NLA_U16 },
    [IPVS_SVC_ATTR_ADDR] = { .minlen = 4, .maxlen = 16 },
    [IPVS_SVC_ATTR_PORT] = { .type = NLA_U16 },
    [IPVS_SVC_ATTR_FWMARK] = { .type = NLA_U32 },
    [IPVS_SVC_ATTR_SCHED_NAME] = { .type = NLA_STRING, .maxlen = IPVS_SCHED_MAX + 1 },
    [IPVS_SVC_ATTR_FLAGS] = { .minlen = sizeof(struct ip_vs_flags) },
    [IPVS_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
    [IPVS_SVC_ATTR_NETMASK] = { .type = NLA_U32 },
    [IPVS_SVC_ATTR_STATS] = { .type = NLA_NESTED },
    [IPVS_SVC_ATTR_STATS64] = { .type = NLA_NESTED },
};

static const struct nla_policy dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
    [IPVS_DEST_ATTR_ADDR] = { .minlen = 4, .maxlen = 16 },
    [IPVS_DEST_ATTR_PORT] = { .type = NLA_U16 },
    [IPVS_DEST_ATTR_FWD_METHOD] = { .type = NLA_U32 },
    [IPVS_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
    [IPVS_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
    [IPVS_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
    [IPVS_DEST_ATTR_ACTIVE_CONNS] = { .type = NLA_U32 },
    [IPVS_DEST_ATTR_INACT_CONNS] = { .type = NLA_U32 },
    [IPVS_DEST_ATTR_PERSIST_CONNS] = { .type = NLA_U32 },
    [IPVS_DEST_ATTR_STATS] = { .type = NLA_NESTED },
    [IPVS_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },
    [IPVS_DEST_ATTR_STATS64] = { .type = NLA_NESTED },
};

/* The old stats nest has 32-bit packet and connection counters, the 64-bit
 * one 64-bit everything: at least 4 bytes each, 8 read when there. */
static const struct nla_policy stats_policy[IPVS_STATS_ATTR_MAX + 1] = {
    [IPVS_STATS_ATTR_CONNS] = { .minlen = 4 }, [IPVS_STATS_ATTR_INPKTS] = { .minlen = 4 },
    [IPVS_STATS_ATTR_OUTPKTS] = { .minlen = 4 }, [IPVS_STATS_ATTR_INBYTES] = { .minlen = 4 },
    [IPVS_STATS_ATTR_OUTBYTES] = { .minlen = 4 }, [IPVS_STATS_ATTR_CPS] = { .minlen = 4 },
    [IPVS_STATS_ATTR_INPPS] = { .minlen = 4 }, [IPVS_STATS_ATTR_OUTPPS] = { .minlen = 4 },
    [IPVS_STATS_ATTR_INBPS] = { .minlen = 4 }, [IPVS_STATS_ATTR_OUTBPS] = { .minlen = 4 },
};

/* Absent attributes read as 0; present ones passed their policy. */
static uint32_t get_u32(struct nlattr *a)
{
    return a ? nla_get_u32(a) : 0;
}
static uint16_t get_u16(struct nlattr *a)
{
    return a ? nla_get_u16(a) : 0;
}
static uint64_t get_u64(struct nlattr *a)
{
    return a && nla_len(a) >= 8 ? nla_get_u64(a) : get_u32(a);
}

/* Prefers the 64-bit stats.  -EINVAL when the nest breaks its policy. */
static int parse_stats(struct nlattr *s64, struct nlattr *s32, struct ipvs_stats *out)
{
    struct nlattr *a[IPVS_STATS_ATTR_MAX + 1];
    memset(out, 0, sizeof *out);
    struct nlattr *src = s64 ? s64 : s32;
    if (!src)
        return 0;
    if (nla_parse_nested(a, IPVS_STATS_ATTR_MAX, src, stats_policy) < 0)
        return -EINVAL;
    out->conns = get_u64(a[IPVS_STATS_ATTR_CONNS]);
    out->inpkts = get_u64(a[IPVS_STATS_ATTR_INPKTS]);
    out->outpkts = get_u64(a[IPVS_STATS_ATTR_OUTPKTS]);
    out->inbytes = get_u64(a[IPVS_STATS_ATTR_INBYTES]);
    out->outbytes = get_u64(a[IPVS_STATS_ATTR_OUTBYTES]);
    out->cps = get_u64(a[IPVS_STATS_ATTR_CPS]);
    out->inpps = get_u64(a[IPVS_STATS_ATTR_INPPS]);
    out->outpps = get_u64(a[IPVS_STATS_ATTR_OUTPPS]);
    out->inbps = get_u64(a[IPVS_STATS_ATTR_INBPS]);
    out->outbps = get_u64(a[IPVS_STATS_ATTR_OUTBPS]);
    return 0;
}

/* The address of family AF: the attribute must hold at least its length. */
static int get_addr(uint8_t *dst, struct nlattr *a, uint16_t af)
{
    size_t alen = ipvs_addr_len(af);
    memset(dst, 0, 16);
    if (!alen || !a || (size_t)nla_len(a) < alen)
        return -EINVAL;
    memcpy(dst, nla_data(a), alen);
    return 0;
}

/* The nest ATTR of a generic netlink message, parsed with POLICY. */
static int parse_nest(const struct nlmsghdr *nlh, int attr, struct nlattr **a, int max,
                      const struct nla_policy *policy)
{
    struct nlattr *top[IPVS_CMD_ATTR_MAX + 1];
    if (genlmsg_parse((struct nlmsghdr *)nlh, 0, top, IPVS_CMD_ATTR_MAX, cmd_policy) < 0
        || !top[attr] || nla_parse_nested(a, max, top[attr], policy) < 0)
        return -EINVAL;
    return 0;
}

int ipvs_nl_parse_service(const struct nlmsghdr *nlh, struct ipvs_service *s)
{
    struct nlattr *a[IPVS_SVC_ATTR_MAX + 1];
    memset(s, 0, sizeof *s);
    if (parse_nest(nlh, IPVS_CMD_ATTR_SERVICE, a, IPVS_SVC_ATTR_MAX, svc_policy) < 0)
        return -EINVAL;
    s->key.af = get_u16(a[IPVS_SVC_ATTR_AF]);
    if (!ipvs_addr_len(s->key.af))
        return -EINVAL;
    s->key.fwmark = get_u32(a[IPVS_SVC_ATTR_FWMARK]);
    if (!s->key.fwmark) {
        /* the protocols a service key can have (ipvs_netlink.h) */
        s->key.protocol = get_u16(a[IPVS_SVC_ATTR_PROTOCOL]);
        if (s->key.protocol != IPPROTO_TCP && s->key.protocol != IPPROTO_UDP
            && s->key.protocol != IPPROTO_SCTP)
            return -EINVAL;
        if (get_addr(s->key.addr, a[IPVS_SVC_ATTR_ADDR], s->key.af) < 0)
            return -EINVAL;
        s->key.port = ntohs(get_u16(a[IPVS_SVC_ATTR_PORT]));
    }
    if (a[IPVS_SVC_ATTR_SCHED_NAME])
        nla_strlcpy(s->sched, a[IPVS_SVC_ATTR_SCHED_NAME], sizeof s->sched);
    if (a[IPVS_SVC_ATTR_FLAGS]) {
        struct ip_vs_flags f;
        memcpy(&f, nla_data(a[IPVS_SVC_ATTR_FLAGS]), sizeof f);
        s->flags = f.flags & ~(uint32_t)IP_VS_SVC_F_HASHED;
    }
    s->timeout = get_u32(a[IPVS_SVC_ATTR_TIMEOUT]);
    s->prefix = ipvs_netmask_to_prefix(s->key.af, get_u32(a[IPVS_SVC_ATTR_NETMASK]));
    return parse_stats(a[IPVS_SVC_ATTR_STATS64], a[IPVS_SVC_ATTR_STATS], &s->stats);
}

int ipvs_nl_parse_dest(const struct nlmsghdr *nlh, uint16_t svc_af, struct ipvs_dest *d)
{
    struct nlattr *a[IPVS_DEST_ATTR_MAX + 1];
    memset(d, 0, sizeof *d);
    if (parse_nest(nlh, IPVS_CMD_ATTR_DEST, a, IPVS_DEST_ATTR_MAX, dest_policy) < 0)
        return -EINVAL;
    /* Older kernels send no family: the destination has the service's. */
    d->af = a[IPVS_DEST_ATTR_ADDR_FAMILY] ? get_u16(a[IPVS_DEST_ATTR_ADDR_FAMILY]) : svc_af;
    if (get_addr(d->addr, a[IPVS_DEST_ATTR_ADDR], d->af) < 0)
        return -EINVAL;
    d->port = ntohs(get_u16(a[IPVS_DEST_ATTR_PORT]));
    d->fwd = get_u32(a[IPVS_DEST_ATTR_FWD_METHOD]) & IP_VS_CONN_F_FWD_MASK;
    d->weight = (int32_t)get_u32(a[IPVS_DEST_ATTR_WEIGHT]);
    d->u_thresh = get_u32(a[IPVS_DEST_ATTR_U_THRESH]);
    d->l_thresh = get_u32(a[IPVS_DEST_ATTR_L_THRESH]);
    d->active = get_u32(a[IPVS_DEST_ATTR_ACTIVE_CONNS]);
    d->inactive = get_u32(a[IPVS_DEST_ATTR_INACT_CONNS]);
    d->persist = get_u32(a[IPVS_DEST_ATTR_PERSIST_CONNS]);
    return parse_stats(a[IPVS_DEST_ATTR_STATS64], a[IPVS_DEST_ATTR_STATS], &d->stats);
}

struct svc_list {
    struct ipvs_svc_entry *v;
    size_t n, cap;
    int err;
};

/* A message that is no valid service is skipped, as the kernel would
 * never send it (and a key the MIB cannot index must not become a row). */
static int on_service(struct nl_msg *msg, void *arg)
{
    struct svc_list *l = arg;
    struct ipvs_service s;
    if (ipvs_nl_parse_service(nlmsg_hdr(msg), &s) < 0)
        return NL_SKIP;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct ipvs_svc_entry *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->err = -ENOMEM;
            return NL_STOP;
        }
        l->v = v, l->cap = cap;
    }
    struct ipvs_svc_entry *e = &l->v[l->n++];
    memset(e, 0, sizeof *e);
    e->svc = s;
    return NL_OK;
}

struct dest_list {
    struct ipvs_svc_entry *e;
    size_t cap;
    uint16_t svc_af;
    int err;
};

static int on_dest(struct nl_msg *msg, void *arg)
{
    struct dest_list *l = arg;
    struct ipvs_dest d;
    if (ipvs_nl_parse_dest(nlmsg_hdr(msg), l->svc_af, &d) < 0)
        return NL_SKIP;
    struct ipvs_svc_entry *e = l->e;
    if (e->ndests == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct ipvs_dest *v = realloc(e->dests, cap * sizeof *v);
        if (!v) {
            l->err = -ENOMEM;
            return NL_STOP;
        }
        e->dests = v, l->cap = cap;
    }
    e->dests[e->ndests++] = d;
    return NL_OK;
}

void ipvs_table_free(struct ipvs_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nsvcs; i++)
        free(t->svcs[i].dests);
    free(t->svcs);
    t->svcs = NULL;
    t->nsvcs = 0;
}

int ipvs_nl_list(struct ipvs_table *out)
{
    if (remote)
        return remote->list(out);
    struct svc_list l = { 0 };
    out->svcs = NULL;
    out->nsvcs = 0;
    struct nl_msg *msg = new_msg(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
    if (!msg)
        return -ENOMEM;
    int rc = transact(msg, on_service, &l);
    out->svcs = l.v;
    out->nsvcs = l.n;
    if (rc == 0)
        rc = l.err;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        struct dest_list dl = { .e = &out->svcs[i], .svc_af = out->svcs[i].svc.key.af };
        msg = new_msg(IPVS_CMD_GET_DEST, NLM_F_DUMP);
        if (!msg) {
            rc = -ENOMEM;
            break;
        }
        rc = put_service(msg, &out->svcs[i].svc, 0);
        if (rc < 0) {
            nlmsg_free(msg);
            break;
        }
        rc = transact(msg, on_dest, &dl);
        if (rc == 0)
            rc = dl.err;
        /* A service deleted between the two dumps: list it without dests. */
        if (rc == -ESRCH || rc == -ENOENT)
            rc = 0;
    }
    if (rc < 0)
        ipvs_table_free(out);
    return rc;
}

static int svc_cmd(int cmd, const struct ipvs_service *s, int full)
{
    struct nl_msg *msg = new_msg(cmd, 0);
    if (!msg)
        return -ENOMEM;
    int rc = put_service(msg, s, full);
    if (rc < 0) {
        nlmsg_free(msg);
        return rc;
    }
    return transact(msg, NULL, NULL);
}

int ipvs_nl_add_service(const struct ipvs_service *s)
{
    if (remote)
        return remote->svc(1, s);
    return svc_cmd(IPVS_CMD_NEW_SERVICE, s, 1);
}

int ipvs_nl_edit_service(const struct ipvs_service *s)
{
    if (remote)
        return remote->svc(2, s);
    return svc_cmd(IPVS_CMD_SET_SERVICE, s, 1);
}

int ipvs_nl_del_service(const struct lamon_vs_key *k)
{
    struct ipvs_service s = { .key = *k };
    if (remote)
        return remote->svc(3, &s);
    return svc_cmd(IPVS_CMD_DEL_SERVICE, &s, 0);
}

static int dest_cmd(int cmd, const struct lamon_vs_key *k, const struct ipvs_dest *d, int full)
{
    struct ipvs_service s = { .key = *k };
    struct nl_msg *msg = new_msg(cmd, 0);
    if (!msg)
        return -ENOMEM;
    int rc = put_service(msg, &s, 0);
    if (rc == 0)
        rc = put_dest(msg, d, full);
    if (rc < 0) {
        nlmsg_free(msg);
        return rc;
    }
    return transact(msg, NULL, NULL);
}

int ipvs_nl_add_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    if (remote)
        return remote->dest(1, k, d);
    return dest_cmd(IPVS_CMD_NEW_DEST, k, d, 1);
}

int ipvs_nl_edit_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    if (remote)
        return remote->dest(2, k, d);
    return dest_cmd(IPVS_CMD_SET_DEST, k, d, 1);
}

int ipvs_nl_del_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d)
{
    if (remote)
        return remote->dest(3, k, d);
    return dest_cmd(IPVS_CMD_DEL_DEST, k, d, 0);
}
