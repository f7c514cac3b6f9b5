/* libevent-driven Net-SNMP single sessions (see snmp_session.h). */
#include "snmp_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net-snmp/library/snmpusm.h>

#include "event_log.h"

/* A PDU handed to ssess_send while the peer's engine ID is still being
 * discovered; it goes out (or times out) when the probe ends. */
struct queued {
    netsnmp_pdu *pdu;
    struct queued *next;
};
/* Bounded so that a peer that never answers cannot hoard memory. */
#define MAX_QUEUED 32
/* A v3 peer that stops answering may have a new engine ID whose reports do
 * not reach us (or were dropped): probe again after this many timeouts. */
#define REDISCOVER_AFTER_TIMEOUTS 3
#define ENGINE_ID_MAX 32             /* RFC 3411 SnmpEngineID: 5..32 octets */

struct ssess {
    void *sess;                       /* snmp_sess_* handle */
    int fd;
    struct event *ev;
    ssess_cb cb;
    void *owner;
    void (*owner_free)(void *);
    unsigned outstanding;             /* sent or queued requests */
    bool closing;
    /* SNMPv3: Net-SNMP would discover the engine ID synchronously inside
     * snmp_sess_open(), blocking the loop for a whole timeout per
     * unreachable peer.  The session is opened with
     * SNMP_FLAGS_DONT_PROBE instead, and the probe goes out as an ordinary
     * asynchronous request; requests wait in the queue until it answers. */
    bool need_engine;                 /* v3 and no engine ID yet */
    int probe_reqid;                  /* probe in flight, or 0 */
    bool v3;
    unsigned timeouts_in_row;
    /* The engine ID forgotten for a re-discovery, to log a change. */
    u_char old_engine[ENGINE_ID_MAX];
    size_t old_engine_len;
    char name[CTL_NAME_MAX + 1];
    struct queued *queue, **queue_tail;
    unsigned nqueued;
    struct ssess *prev, *next;        /* all open sessions, for the timer */
};

static struct event_base *evbase;
static struct event *timer;
static struct ssess *all;
static netsnmp_large_fd_set rfds;
static bool rfds_ready;

/* Retries and timeouts only happen when snmp_sess_timeout() is called;
 * 50 ms granularity is well below any sensible SNMP timeout. */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    for (struct ssess *s = all, *next; s; s = next) {
        next = s->next;
        if (s->outstanding > 0 || s->probe_reqid)
            snmp_sess_timeout(s->sess);
    }
}

void ssess_init(struct event_base *base)
{
    evbase = base;
    if (!rfds_ready) {
        netsnmp_large_fd_set_init(&rfds, FD_SETSIZE);
        rfds_ready = true;
    }
    timer = event_new(base, -1, EV_PERSIST, on_timer, NULL);
    struct timeval tv = { 0, 50000 };
    if (timer)
        event_add(timer, &tv);
}

void ssess_shutdown(void)
{
    while (all)
        ssess_close(all);
    if (timer)
        event_free(timer);
    timer = NULL;
    if (rfds_ready)
        netsnmp_large_fd_set_cleanup(&rfds);
    rfds_ready = false;
}

static void probe_end(struct ssess *s, netsnmp_session *session, netsnmp_pdu *pdu);

/* Forgets the peer's engine ID (and the context engine ID Net-SNMP copied
 * from it), so that the next send probes for it again.  After a reinstall
 * or a fresh persistent directory the peer has a new engine ID and answers
 * every request made for the old one with an unknownEngineID report;
 * Net-SNMP itself only learns an engine ID once per session. */
static void forget_engine(struct ssess *s, netsnmp_session *ss)
{
    if (!ss || s->need_engine)
        return;
    if (ss->securityEngineIDLen > 0 && ss->securityEngineIDLen <= ENGINE_ID_MAX) {
        memcpy(s->old_engine, ss->securityEngineID, ss->securityEngineIDLen);
        s->old_engine_len = ss->securityEngineIDLen;
    }
    SNMP_FREE(ss->securityEngineID);
    ss->securityEngineIDLen = 0;
    SNMP_FREE(ss->contextEngineID);
    ss->contextEngineIDLen = 0;
    /* usm_create_user_from_session() does nothing once this is set. */
    ss->flags &= ~SNMP_FLAGS_USER_CREATED;
    s->need_engine = true;
}

static void hex(const u_char *id, size_t len, char *out, size_t outlen)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len && k + 3 <= outlen; i++, k += 2)
        snprintf(out + k, outlen - k, "%02x", id[i]);
}

/* After a re-discovery: say so when the engine ID is not the one we had. */
static void log_engine_change(struct ssess *s, const netsnmp_session *ss)
{
    if (!s->old_engine_len || !ss)
        return;
    if (ss->securityEngineIDLen != s->old_engine_len ||
        memcmp(ss->securityEngineID, s->old_engine, s->old_engine_len) != 0) {
        char was[2 * ENGINE_ID_MAX + 1], now[2 * ENGINE_ID_MAX + 1];
        hex(s->old_engine, s->old_engine_len, was, sizeof was);
        hex(ss->securityEngineID, ss->securityEngineIDLen, now, sizeof now);
        event_log("%s: SNMPv3 engine ID changed from %s to %s (reinstalled or new persistent state?); "
                  "keys re-localized, polling goes on", s->name, was, now);
    }
    s->old_engine_len = 0;
}

/* What a v3 answer or timeout says about the peer's engine ID. */
static void watch_engine(struct ssess *s, netsnmp_session *ss, int op, const netsnmp_pdu *pdu)
{
    if (!s->v3)
        return;
    if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
        if (++s->timeouts_in_row >= REDISCOVER_AFTER_TIMEOUTS) {
            s->timeouts_in_row = 0;
            forget_engine(s, ss);
        }
        return;
    }
    s->timeouts_in_row = 0;
    /* notInTimeWindow is left to Net-SNMP, which resends with the time the
     * report carries; if that never works, the timeouts above re-probe. */
    if (pdu && pdu->command == SNMP_MSG_REPORT &&
        snmpv3_get_report_type((netsnmp_pdu *)pdu) == SNMPERR_UNKNOWN_ENG_ID)
        forget_engine(s, ss);
}

static int on_pdu(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic)
{
    struct ssess *s = magic;
    if (s->closing)
        return 1;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && op != NETSNMP_CALLBACK_OP_TIMED_OUT)
        return 1;
    if (s->probe_reqid && reqid == s->probe_reqid) {
        probe_end(s, session, op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ? pdu : NULL);
        return 1;
    }
    if (s->outstanding > 0)
        s->outstanding--;
    watch_engine(s, session ? session : snmp_sess_session(s->sess), op, pdu);
    s->cb(s->owner, op, reqid, pdu);
    return 1;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct ssess *s = arg;
    if ((unsigned)fd >= rfds.lfs_setsize)
        netsnmp_large_fd_set_resize(&rfds, fd + 1);
    NETSNMP_LARGE_FD_SET(fd, &rfds);
    snmp_sess_read2(s->sess, &rfds);
    NETSNMP_LARGE_FD_CLR(fd, &rfds);
}

struct ssess *ssess_open(const struct ctl_peer *peer, const struct ctl_v3user *user,
                         unsigned timeout_ms, unsigned retries, ssess_cb cb, void *owner,
                         char *err, size_t errlen)
{
    netsnmp_session init;
    char peername[CTL_HOST_MAX + 32];
    struct ssess *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snmp_sess_init(&init);
    if (peer->addr.ss_family == AF_INET6)
        snprintf(peername, sizeof peername, "udp6:[%s]:%u", peer->host, peer->port);
    else
        snprintf(peername, sizeof peername, "udp:%s:%u", peer->host, peer->port);
    init.peername = peername;
    init.timeout = (long)timeout_ms * 1000L;
    init.retries = (int)retries;
    init.callback = on_pdu;
    init.callback_magic = s;
    snprintf(s->name, sizeof s->name, "%s", peer->name);
    if (user) {
        s->v3 = true;
        init.version = SNMP_VERSION_3;
        init.flags |= SNMP_FLAGS_DONT_PROBE;      /* see need_engine */
        s->need_engine = true;
        init.securityName = (char *)user->name;
        init.securityNameLen = strlen(user->name);
        init.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
        init.securityAuthProto = usmHMACSHA1AuthProtocol;
        init.securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
        init.securityAuthKeyLen = USM_AUTH_KU_LEN;
        init.securityPrivProto = usmAESPrivProtocol;
        init.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
        init.securityPrivKeyLen = USM_PRIV_KU_LEN;
        if (generate_Ku(init.securityAuthProto, (u_int)init.securityAuthProtoLen,
                        (const u_char *)user->auth, strlen(user->auth),
                        init.securityAuthKey, &init.securityAuthKeyLen) != SNMPERR_SUCCESS ||
            generate_Ku(init.securityAuthProto, (u_int)init.securityAuthProtoLen,
                        (const u_char *)user->priv, strlen(user->priv),
                        init.securityPrivKey, &init.securityPrivKeyLen) != SNMPERR_SUCCESS) {
            snprintf(err, errlen, "%s: cannot derive keys for v3 user %s", peer->name, user->name);
            free(s);
            return NULL;
        }
    } else {
        init.version = SNMP_VERSION_2c;
        init.community = (u_char *)peer->community;
        init.community_len = strlen(peer->community);
    }
    s->sess = snmp_sess_open(&init);
    /* The session keeps its own copies; wipe the derived keys here. */
    explicit_bzero(init.securityAuthKey, sizeof init.securityAuthKey);
    explicit_bzero(init.securityPrivKey, sizeof init.securityPrivKey);
    if (!s->sess) {
        int liberr = 0, syserr = 0;
        char *msg = NULL;
        snmp_error(&init, &syserr, &liberr, &msg);
        snprintf(err, errlen, "%s (%s): cannot open SNMP session: %s", peer->name, peername,
                 msg ? msg : "unknown error");
        free(msg);
        free(s);
        return NULL;
    }
    netsnmp_transport *t = snmp_sess_transport(s->sess);
    s->fd = t ? t->sock : -1;
    s->queue_tail = &s->queue;
    s->cb = cb;
    s->owner = owner;
    s->ev = s->fd >= 0 ? event_new(evbase, s->fd, EV_READ | EV_PERSIST, on_read, s) : NULL;
    if (!s->ev || event_add(s->ev, NULL) < 0) {
        snprintf(err, errlen, "%s: cannot watch the SNMP socket", peer->name);
        if (s->ev)
            event_free(s->ev);
        snmp_sess_close(s->sess);
        free(s);
        return NULL;
    }
    s->next = all;
    if (all)
        all->prev = s;
    all = s;
    return s;
}

void ssess_close(struct ssess *s)
{
    if (!s)
        return;
    s->closing = true;
    if (s->prev)
        s->prev->next = s->next;
    else
        all = s->next;
    if (s->next)
        s->next->prev = s->prev;
    event_free(s->ev);
    snmp_sess_close(s->sess);
    while (s->queue) {
        struct queued *q = s->queue;
        s->queue = q->next;
        snmp_free_pdu(q->pdu);
        free(q);
    }
    if (s->owner_free)
        s->owner_free(s->owner);
    free(s);
}

void ssess_set_owner_free(struct ssess *s, void (*fn)(void *)) { s->owner_free = fn; }

/* The USM discovery probe (RFC 3414 4.): a noAuthNoPriv GET with an empty
 * user and engine ID and no varbinds; the agent answers with a Report
 * that carries its engine ID. */
static int send_probe(struct ssess *s)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    if (!pdu)
        return 0;
    pdu->version = SNMP_VERSION_3;
    pdu->securityModel = SNMP_SEC_MODEL_USM;
    pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    pdu->securityName = strdup("");
    pdu->securityNameLen = 0;
    if (!pdu->securityName) {
        snmp_free_pdu(pdu);
        return 0;
    }
    /* Net-SNMP clears the flag again after a failed discovery ("probe on
     * the next send"), and would then probe synchronously inside this very
     * send: set it every time. */
    netsnmp_session *ss = snmp_sess_session(s->sess);
    if (ss)
        ss->flags |= SNMP_FLAGS_DONT_PROBE;
    int reqid = snmp_sess_async_send(s->sess, pdu, on_pdu, s);
    if (reqid == 0)
        snmp_free_pdu(pdu);
    s->probe_reqid = reqid;
    return reqid;
}

/* Takes the engine ID from the probe's Report (Net-SNMP copies it into the
 * session itself when it processes a Report; this covers the case where it
 * did not) and enters the user with keys localized to that engine, which
 * is what snmp_sess_open() would have done after a synchronous probe. */
static bool learn_engine(netsnmp_session *ss, const netsnmp_pdu *pdu)
{
    if (!ss)
        return false;
    if (ss->securityEngineIDLen == 0) {
        if (!pdu || pdu->command != SNMP_MSG_REPORT || pdu->securityEngineIDLen == 0 ||
            !pdu->securityEngineID)
            return false;
        u_char *id = malloc(pdu->securityEngineIDLen);
        if (!id)
            return false;
        memcpy(id, pdu->securityEngineID, pdu->securityEngineIDLen);
        free(ss->securityEngineID);
        ss->securityEngineID = id;
        ss->securityEngineIDLen = pdu->securityEngineIDLen;
    }
    /* Net-SNMP keeps one USM user per engine ID and name for the whole
     * process and only fills in what an existing entry lacks, so a user
     * whose passphrases changed (a reload) would go on with the old keys:
     * this session's keys replace the entry. */
    struct usmUser *old = usm_get_user(ss->securityEngineID, ss->securityEngineIDLen, ss->securityName);
    if (old) {
        usm_remove_user(old);
        usm_free_user(old);
    }
    return usm_create_user_from_session(ss) == SNMPERR_SUCCESS;
}

/* The probe answered (PDU set) or timed out (PDU NULL): send the queue, or
 * fail every queued request as timed out.  The queue is detached first,
 * since callbacks may send again (and so start a new probe). */
static void probe_end(struct ssess *s, netsnmp_session *session, netsnmp_pdu *pdu)
{
    s->probe_reqid = 0;
    netsnmp_session *ss = session ? session : snmp_sess_session(s->sess);
    if (pdu && learn_engine(ss, pdu)) {
        s->need_engine = false;
        log_engine_change(s, ss);
    }
    struct queued *q = s->queue;
    s->queue = NULL;
    s->queue_tail = &s->queue;
    s->nqueued = 0;
    while (q) {
        struct queued *next = q->next;
        netsnmp_pdu *p = q->pdu;
        free(q);
        if (!s->need_engine && snmp_sess_async_send(s->sess, p, on_pdu, s) != 0) {
            q = next;
            continue;                     /* on its way; on_pdu answers it */
        }
        /* No engine ID, or it could not be sent: it timed out, once. */
        s->outstanding--;
        s->cb(s->owner, NETSNMP_CALLBACK_OP_TIMED_OUT, p->reqid, p);
        snmp_free_pdu(p);
        q = next;
    }
}

int ssess_send(struct ssess *s, netsnmp_pdu *pdu)
{
    if (s->need_engine) {
        /* snmp_pdu_create() already gave the PDU its request id, so the
         * caller gets the id its answer will carry. */
        struct queued *q = s->nqueued < MAX_QUEUED ? malloc(sizeof *q) : NULL;
        if (!q || (!s->probe_reqid && send_probe(s) == 0)) {
            free(q);
            snmp_free_pdu(pdu);
            return 0;
        }
        q->pdu = pdu;
        q->next = NULL;
        *s->queue_tail = q;
        s->queue_tail = &q->next;
        s->nqueued++;
        s->outstanding++;
        return pdu->reqid;
    }
    int reqid = snmp_sess_async_send(s->sess, pdu, on_pdu, s);
    if (reqid == 0) {
        snmp_free_pdu(pdu);
        return 0;
    }
    s->outstanding++;
    return reqid;
}

unsigned ssess_outstanding(const struct ssess *s) { return s->outstanding; }

unsigned ssess_timeout_ms(const struct ctl_config *cfg)
{
    unsigned budget = cfg->interval_ms * 8 / 10 / (cfg->retries + 1);
    return cfg->timeout_ms < budget ? cfg->timeout_ms : (budget ? budget : 1);
}
