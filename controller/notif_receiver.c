/* Notification receiver (see notif_receiver.h). */
#include "notif_receiver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/library/large_fd_set.h>

#include "event_log.h"
#include "log_limit.h"
#include "printable.h"
#include "notif_stats.h"
#include "notif_usm.h"

#define NOTIF_RCVBUF (4 << 20)           /* bytes asked for the socket's receive buffer */

struct notif_receiver {
    struct event_base *base;
    notif_cb cb;
    void *arg;
    void *sess;                          /* snmp_sess_* handle, NULL when closed */
    struct event *ev;
    struct sockaddr_storage bound;
    netsnmp_large_fd_set fds;
    struct notif_accept *accepts;        /* a copy of the configuration's */
    size_t naccepts;
    struct notif_usm usm;                /* what this receiver added to Net-SNMP's USM */
    struct log_limit limits[NREF_COUNT];
};

/* --- addresses ------------------------------------------------------------ */

static void fmt_addr(const struct sockaddr *sa, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(buf, len, "an unknown address");
    }
}

/* The source of a datagram from the transport's opaque data: a
 * netsnmp_indexed_addr_pair (udp) or a sockaddr_in6 (udp6), both starting
 * with the sender's sockaddr.  Returns false when it holds neither. */
static bool source_of(const void *opaque, int olen, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (!opaque || olen < (int)sizeof(struct sockaddr_in))
        return false;
    const struct sockaddr *sa = opaque;
    if (sa->sa_family == AF_INET) {
        memcpy(ss, sa, sizeof(struct sockaddr_in));
        return true;
    }
    if (sa->sa_family == AF_INET6 && olen >= (int)sizeof(struct sockaddr_in6)) {
        memcpy(ss, sa, sizeof(struct sockaddr_in6));
        return true;
    }
    return false;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

/* --- refusals ------------------------------------------------------------- */

static const char *why(enum notif_refusal r)
{
    switch (r) {
    case NREF_SOURCE: return "outside every accept network";
    case NREF_COMMUNITY: return "no accept line for its community from this address";
    case NREF_USER: return "SNMPv3 user unknown, or not accepted from this address";
    case NREF_AUTH: return "wrong SNMPv3 authentication key";
    case NREF_PRIV: return "wrong SNMPv3 privacy key";
    case NREF_SECLEVEL: return "SNMPv3 below authPriv";
    case NREF_TIME_WINDOW: return "SNMPv3 message outside the time window";
    case NREF_VERSION: return "SNMPv1 or an unknown SNMP version";
    case NREF_PDU_TYPE: return "not a trap or an inform";
    case NREF_V3_TRAP: return "an SNMPv3 trap; SNMPv3 must send informs";
    case NREF_MALFORMED: return "malformed";
    case NREF_NOT_LAMON: return "not a LAMON-MIB notification";
    default: return "?";
    }
}

static void refuse(struct notif_receiver *rx, enum notif_refusal r, const struct sockaddr_storage *src,
                   const netsnmp_pdu *pdu)
{
    char from[INET6_ADDRSTRLEN + 16], user[NOTIF_TEXT_MAX + 16] = "";
    notif_stats.refused[r]++;
    fmt_addr((const struct sockaddr *)src, from, sizeof from);
    if (pdu && pdu->version == SNMP_VERSION_3 && pdu->securityName && pdu->securityNameLen) {
        char name[NOTIF_TEXT_MAX + 1];
        printable_copy(name, sizeof name, pdu->securityName, pdu->securityNameLen);
        snprintf(user, sizeof user, ", user '%s'", name);
    }
    log_limited(&rx->limits[r], NOTIF_LOG_EVERY_S, "notifications",
                "refused a datagram from %s (%s%s): %s; nothing changed", from, notif_refusal_name(r), user,
                why(r));
}

/* --- who may send --------------------------------------------------------- */

static bool any_network(const struct notif_receiver *rx, const struct sockaddr *sa)
{
    for (size_t i = 0; i < rx->naccepts; i++)
        if (notif_net_match(&rx->accepts[i].net, sa))
            return true;
    return false;
}

/* Compares every byte whatever the first difference, so that the time
 * taken does not tell how much of a guessed community was right. */
static bool same_secret(const u_char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    unsigned char d = alen != blen;
    for (size_t i = 0; i < blen; i++)
        d |= (unsigned char)((i < alen ? a[i] : 0) ^ (unsigned char)b[i]);
    return d == 0;
}

static enum notif_refusal check_v2c(const struct notif_receiver *rx, const netsnmp_pdu *pdu,
                                    const struct sockaddr *sa)
{
    bool ok = false;
    for (size_t i = 0; i < rx->naccepts; i++) {
        const struct notif_accept *a = &rx->accepts[i];
        if (!a->v3 && notif_net_match(&a->net, sa) && same_secret(pdu->community, pdu->community_len, a->community))
            ok = true;
    }
    if (!ok)
        return NREF_COMMUNITY;
    if (pdu->command != SNMP_MSG_TRAP2 && pdu->command != SNMP_MSG_INFORM)
        return NREF_PDU_TYPE;
    return NREF_NONE;
}

static enum notif_refusal check_v3(const struct notif_receiver *rx, const netsnmp_pdu *pdu,
                                   const struct sockaddr *sa)
{
    if (pdu->securityModel != SNMP_SEC_MODEL_USM || pdu->securityLevel != SNMP_SEC_LEVEL_AUTHPRIV)
        return NREF_SECLEVEL;
    bool ok = false;
    for (size_t i = 0; i < rx->naccepts; i++) {
        const struct notif_accept *a = &rx->accepts[i];
        if (a->v3 && notif_net_match(&a->net, sa) && pdu->securityName &&
            pdu->securityNameLen == strlen(a->user) && memcmp(pdu->securityName, a->user, pdu->securityNameLen) == 0)
            ok = true;
    }
    if (!ok)
        return NREF_USER;
    if (pdu->command == SNMP_MSG_TRAP2)
        return NREF_V3_TRAP;
    if (pdu->command != SNMP_MSG_INFORM)
        return NREF_PDU_TYPE;
    return NREF_NONE;
}

/* --- Net-SNMP hooks --------------------------------------------------------- */

/* Before parsing: count the datagram; a source outside every accept
 * network goes no further (no BER, no USM, no Report back). */
static int pre_parse(netsnmp_session *sp, netsnmp_transport *t, void *opaque, int olen)
{
    (void)t;
    struct notif_receiver *rx = sp->callback_magic;
    struct sockaddr_storage src;
    notif_stats.datagrams++;
    if (!source_of(opaque, olen, &src) || !any_network(rx, (const struct sockaddr *)&src)) {
        refuse(rx, NREF_SOURCE, &src, NULL);
        return 0;
    }
    return 1;
}

/* After parsing (RET: Net-SNMP's verdict, USM's included): refuse what
 * failed or is not let in; returning 0 makes the library drop the PDU. */
static int post_parse(netsnmp_session *sp, netsnmp_pdu *pdu, int ret)
{
    struct notif_receiver *rx = sp->callback_magic;
    struct sockaddr_storage src;
    source_of(pdu->transport_data, (int)pdu->transport_data_length, &src);
    enum notif_refusal r = NREF_NONE;
    switch (ret) {
    case SNMPERR_SUCCESS:
        if (pdu->version == SNMP_VERSION_2c)
            r = check_v2c(rx, pdu, (const struct sockaddr *)&src);
        else if (pdu->version == SNMP_VERSION_3)
            r = check_v3(rx, pdu, (const struct sockaddr *)&src);
        else
            r = NREF_VERSION;
        break;
    case SNMPERR_USM_UNKNOWNENGINEID:    /* a sender learning our engine ID: Net-SNMP answered */
    case SNMPERR_JUST_A_CONTEXT_PROBE:
        notif_stats.discovery++;
        return 1;
    case SNMPERR_USM_UNKNOWNSECURITYNAME: r = NREF_USER; break;
    case SNMPERR_USM_AUTHENTICATIONFAILURE: r = NREF_AUTH; break;
    case SNMPERR_USM_DECRYPTIONERROR: r = NREF_PRIV; break;
    case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL: r = NREF_SECLEVEL; break;
    case SNMPERR_USM_NOTINTIMEWINDOW: r = NREF_TIME_WINDOW; break;
    case SNMPERR_ASN_PARSE_ERR:
        /* After USM accepted the digest and decrypted (secName is only
         * allocated then), a ScopedPDU that does not parse was encrypted
         * with another privacy key. */
        r = pdu->version == SNMP_VERSION_3 && pdu->securityName && pdu->securityLevel == SNMP_SEC_LEVEL_AUTHPRIV
                ? NREF_PRIV : NREF_MALFORMED;
        break;
    default:
        /* A version Net-SNMP does not take is BAD_VERSION; so are bytes
         * that hold no version at all (pdu->version < 0). */
        r = sp->s_snmp_errno == SNMPERR_BAD_VERSION && pdu->version >= 0 ? NREF_VERSION : NREF_MALFORMED;
        break;
    }
    if (r == NREF_NONE)
        return 1;
    refuse(rx, r, &src, pdu);
    return 0;
}

static void acknowledge(struct notif_receiver *rx, const netsnmp_pdu *pdu, const struct sockaddr_storage *src)
{
    netsnmp_pdu *reply = snmp_clone_pdu((netsnmp_pdu *)pdu);
    if (reply) {
        reply->command = SNMP_MSG_RESPONSE;
        reply->errstat = 0;
        reply->errindex = 0;
        if (snmp_sess_send(rx->sess, reply))
            return;
        snmp_free_pdu(reply);
    }
    char from[INET6_ADDRSTRLEN + 16];
    fmt_addr((const struct sockaddr *)src, from, sizeof from);
    log_limited(&rx->limits[NREF_NONE], NOTIF_LOG_EVERY_S, "notifications",
                "could not acknowledge an inform from %s", from);
}

/* Only PDUs post_parse let through arrive here, and, with s_snmp_errno
 * set, a v3 authentication failure (usm_handle_report tells the session;
 * post_parse counts it). */
static int on_pdu(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic)
{
    (void)reqid;
    struct notif_receiver *rx = magic;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || sp->s_snmp_errno || !pdu)
        return 1;
    struct lamon_notification n;
    memset(&n, 0, sizeof n);
    source_of(pdu->transport_data, (int)pdu->transport_data_length, &n.source);
    n.version = (int)pdu->version;
    if (pdu->version == SNMP_VERSION_3 && pdu->securityName)
        printable_copy(n.user, sizeof n.user, pdu->securityName, pdu->securityNameLen);
    else if (pdu->community && pdu->community_len < sizeof n.community)
        memcpy(n.community, pdu->community, pdu->community_len);    /* it matched an accept line */
    /* Authenticated: the sender's retries would change nothing, whatever
     * the content, so an inform is acknowledged before it is judged. */
    if (pdu->command == SNMP_MSG_INFORM)
        acknowledge(rx, pdu, &n.source);
    enum notif_refusal r = notif_pdu_parse(pdu, &n);
    if (r != NREF_NONE) {
        refuse(rx, r, &n.source, pdu);
    } else {
        notif_stats.received[n.type]++;
        if (rx->cb)
            rx->cb(&n, rx->arg);
    }
    explicit_bzero(n.community, sizeof n.community);
    return 1;
}

/* Net-SNMP logs some bad datagrams itself ("Authentication failed for
 * USER", "error parsing ScopedPDU"), once per datagram: a flood of them
 * would flood the log.  Its handlers are muted while it reads ours; every
 * refusal is logged, rate-limited, by refuse().  (Clearing "enabled"
 * directly keeps Net-SNMP's count of enabled handlers, so it does not fall
 * back to stderr.) */
#define MUTE_MAX 16

static size_t mute_netsnmp(netsnmp_log_handler **muted)
{
    size_t n = 0;
    for (netsnmp_log_handler *h = get_logh_head(); h && n < MUTE_MAX; h = h->next)
        if (h->enabled) {
            h->enabled = 0;
            muted[n++] = h;
        }
    return n;
}

static void unmute_netsnmp(netsnmp_log_handler **muted, size_t n)
{
    for (size_t i = 0; i < n; i++)
        muted[i]->enabled = 1;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct notif_receiver *rx = arg;
    netsnmp_log_handler *muted[MUTE_MAX];
    if ((unsigned)fd >= rx->fds.lfs_setsize)
        netsnmp_large_fd_set_resize(&rx->fds, fd + 1);
    NETSNMP_LARGE_FD_SET(fd, &rx->fds);
    size_t n = mute_netsnmp(muted);
    snmp_sess_read2(rx->sess, &rx->fds);
    unmute_netsnmp(muted, n);
    NETSNMP_LARGE_FD_CLR(fd, &rx->fds);
}

void notif_receiver_drain(struct notif_receiver *rx, unsigned max)
{
    if (!rx || !rx->ev)
        return;
    evutil_socket_t fd = event_get_fd(rx->ev);
    for (unsigned i = 0; i < max; i++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
            return;
        on_read(fd, EV_READ, rx);
    }
}

/* A configuration not made by ctl_config_load (a test's) has none. */
static const struct notif_config no_notif;

/* --- the socket ---------------------------------------------------------------- */

static void close_socket(struct notif_receiver *rx)
{
    if (rx->ev)
        event_free(rx->ev);
    rx->ev = NULL;
    if (rx->sess)
        snmp_sess_close(rx->sess);
    rx->sess = NULL;
    memset(&rx->bound, 0, sizeof rx->bound);
    notif_stats.listen[0] = '\0';
}

static int open_socket(struct notif_receiver *rx, const struct notif_config *nc, char *err, size_t errlen)
{
    char spec[NOTIF_HOST_MAX + 32], host[INET6_ADDRSTRLEN], where[INET6_ADDRSTRLEN + 16];
    const struct sockaddr *sa = (const struct sockaddr *)&nc->listen_addr;
    if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
        snprintf(spec, sizeof spec, "udp6:[%s]:%u", host, nc->listen_port);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
        snprintf(spec, sizeof spec, "udp:%s:%u", host, nc->listen_port);
    }
    fmt_addr(sa, where, sizeof where);
    netsnmp_transport *t = netsnmp_transport_open_server("lamon-controller", spec);
    if (!t) {
        snprintf(err, errlen, "notification receiver: cannot listen on %s (in use, or a port below 1024 "
                              "without CAP_NET_BIND_SERVICE?)", where);
        return -1;
    }
    netsnmp_session init;
    snmp_sess_init(&init);
    init.peername = SNMP_DEFAULT_PEERNAME;
    init.version = SNMP_DEFAULT_VERSION;          /* any: each PDU is judged by post_parse */
    init.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
    init.callback = on_pdu;
    init.callback_magic = rx;
    init.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;  /* authoritative for informs (reportable) only */
    void *sess = snmp_sess_add(&init, t, pre_parse, post_parse);
    if (!sess) {
        snprintf(err, errlen, "notification receiver: cannot set up a session on %s", where);
        return -1;
    }
    int fd = t->sock;
    struct event *ev = fd >= 0 ? event_new(rx->base, fd, EV_READ | EV_PERSIST, on_read, rx) : NULL;
    if (!ev || event_add(ev, NULL) < 0) {
        if (ev)
            event_free(ev);
        snmp_sess_close(sess);
        snprintf(err, errlen, "notification receiver: cannot watch the socket on %s", where);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* The default buffer (208 KB) holds about 200 datagrams: 40 ms of
     * 1,000 nodes' heartbeats every 200 ms, less than a busy machine may
     * keep the loop from reading, and every datagram dropped is a missed
     * heartbeat.  The kernel caps this at net.core.rmem_max. */
    int rcvbuf = NOTIF_RCVBUF;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
        event_log("notification receiver: cannot set a %d byte receive buffer: %s", rcvbuf, strerror(errno));
    close_socket(rx);
    rx->sess = sess;
    rx->ev = ev;
    rx->bound = nc->listen_addr;
    snprintf(notif_stats.listen, sizeof notif_stats.listen, "%s", where);
    u_char engine[ENGINE_ID_MAX];
    char hex[2 * ENGINE_ID_MAX + 1] = "";
    size_t elen = snmpv3_get_engineID(engine, sizeof engine);
    for (size_t i = 0; i < elen; i++)
        snprintf(hex + 2 * i, sizeof hex - 2 * i, "%02x", engine[i]);
    event_log("notification receiver listening on udp %s (SNMPv3 engine ID %s)", where, hex);
    return 0;
}

/* --- API ---------------------------------------------------------------------- */

struct notif_receiver *notif_receiver_new(struct event_base *base, notif_cb cb, void *arg)
{
    struct notif_receiver *rx = calloc(1, sizeof *rx);
    if (!rx)
        return NULL;
    rx->base = base;
    rx->cb = cb;
    rx->arg = arg;
    netsnmp_large_fd_set_init(&rx->fds, FD_SETSIZE);
    return rx;
}

int notif_receiver_apply(struct notif_receiver *rx, const struct ctl_config *cfg, char *err, size_t errlen)
{
    const struct notif_config *nc = cfg->notif ? cfg->notif : &no_notif;
    struct notif_accept *acc = nc->naccepts ? malloc(nc->naccepts * sizeof *acc) : NULL;
    if (nc->naccepts && !acc) {
        snprintf(err, errlen, "notification receiver: out of memory");
        return -1;
    }
    if (notif_usm_set(&rx->usm, cfg, err, errlen) < 0) {
        free(acc);
        return -1;
    }
    if (acc)
        memcpy(acc, nc->accepts, nc->naccepts * sizeof *acc);
    if (rx->accepts)
        explicit_bzero(rx->accepts, rx->naccepts * sizeof *rx->accepts);
    free(rx->accepts);
    rx->accepts = acc;
    rx->naccepts = nc->naccepts;
    if (!nc->listen) {
        if (rx->sess)
            event_log("notification receiver closed (no listen line)");
        close_socket(rx);
        return 0;
    }
    if (rx->sess && same_addr(&rx->bound, &nc->listen_addr))
        return 0;
    if (open_socket(rx, nc, err, errlen) < 0)
        return -1;
    if (!nc->naccepts)
        event_log("notification receiver: no accept line; every notification is refused");
    return 0;
}

void notif_receiver_free(struct notif_receiver *rx)
{
    if (!rx)
        return;
    close_socket(rx);
    notif_usm_drop(&rx->usm);
    if (rx->accepts)
        explicit_bzero(rx->accepts, rx->naccepts * sizeof *rx->accepts);
    free(rx->accepts);
    netsnmp_large_fd_set_cleanup(&rx->fds);
    free(rx);
}

void notif_describe(const struct lamon_notification *n, char *buf, size_t len)
{
    char from[INET6_ADDRSTRLEN + 16];
    fmt_addr((const struct sockaddr *)&n->source, from, sizeof from);
    int k = snprintf(buf, len, "%s %s from %s (%s%s%s): node %s", notif_type_name(n->type),
                     n->inform ? "inform" : "trap", from, n->version == SNMP_VERSION_3 ? "v3" : "v2c",
                     n->user[0] ? " user " : "", n->user, n->node);
    if (k < 0 || (size_t)k >= len)
        return;
    if (n->type == NT_OTHER)
        k += snprintf(buf + k, len - (size_t)k, ", lamonNotifications.%lu", n->trap);
    if (n->state && (size_t)k < len)
        k += snprintf(buf + k, len - (size_t)k, ", state %d", n->state);
    if (n->role && (size_t)k < len)
        k += snprintf(buf + k, len - (size_t)k, ", role %d", n->role);
    if (n->app[0] && (size_t)k < len)
        k += snprintf(buf + k, len - (size_t)k, ", app %s oper %d", n->app, n->app_oper);
    if (n->op_index && (size_t)k < len)
        snprintf(buf + k, len - (size_t)k, ", operation %u type %d status %d exit %ld", n->op_index, n->op_type,
                 n->op_status, n->op_exit);
}
