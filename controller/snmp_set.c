/* SNMPv3 authPriv SETs with per-request bookkeeping (see snmp_set.h). */
#include "snmp_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_log.h"

const char SNMP_SET_ABANDONED[] = "abandoned: session closed";

struct pending {
    void *wsess;
    int reqid;
    long long deadline_ms;                /* CLOCK_MONOTONIC */
    char what[512];
    set_result_cb cb;
    void *ctx;
    struct pending *next;
};

static struct pending *pend;
static char last_error[256];

const char *snmp_set_error(void) { return last_error; }

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

netsnmp_pdu *snmp_set_pdu(void) { return snmp_pdu_create(SNMP_MSG_SET); }

void snmp_set_add_int(netsnmp_pdu *pdu, const oid *o, size_t len, long v)
{
    snmp_pdu_add_variable(pdu, o, len, ASN_INTEGER, &v, sizeof v);
}

void snmp_set_add_uns(netsnmp_pdu *pdu, const oid *o, size_t len, unsigned long v)
{
    u_long u = v;
    snmp_pdu_add_variable(pdu, o, len, ASN_UNSIGNED, &u, sizeof u);
}

void snmp_set_add_str(netsnmp_pdu *pdu, const oid *o, size_t len, const char *s)
{
    snmp_pdu_add_variable(pdu, o, len, ASN_OCTET_STR, s, strlen(s));
}

static void report(struct pending *p, bool ok, long errstat, const char *why)
{
    if (!ok && !p->cb)
        event_log("SET failed: %s: %s", p->what, why);
    if (p->cb)
        p->cb(p->ctx, ok, errstat, why);
    free(p);
}

/* Ends every pending SET that MATCH picks, with WHY.  They are unlinked
 * first: a callback may send again. */
static void fail_where(bool (*match)(const struct pending *, const void *), const void *arg, const char *why)
{
    struct pending *done = NULL;
    for (struct pending **pp = &pend; *pp;) {
        struct pending *p = *pp;
        if (match(p, arg)) {
            *pp = p->next;
            p->next = done;
            done = p;
        } else {
            pp = &p->next;
        }
    }
    while (done) {
        struct pending *p = done;
        done = p->next;
        report(p, false, 0, why);
    }
}

static bool on_session(const struct pending *p, const void *wsess) { return p->wsess == wsess; }

static bool overdue(const struct pending *p, const void *now)
{
    return *(const long long *)now >= p->deadline_ms;
}

/* Request ids come from one process-wide counter, so the id alone finds
 * the pending SET whichever session it went out on.  A USM Report is the
 * exception: the agent could not read the request (wrong keys, unknown
 * user), so its request id is 0, and Net-SNMP drops the request after
 * handing the Report over.  It fails the SETs pending on that session
 * (OWNER is its slot): they all went out with the same keys. */
static void on_set(void *owner, int op, int reqid, netsnmp_pdu *pdu)
{
    char why[256] = "";
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu && pdu->command == SNMP_MSG_REPORT) {
        int type = snmpv3_get_report_type(pdu);
        if (type == SNMPERR_NOT_IN_TIME_WINDOW || !owner)
            return;                       /* Net-SNMP resends with the right time */
        void *ws = *(void **)owner;
        snprintf(why, sizeof why, "%s", snmp_api_errstring(type));
        if (ws)
            fail_where(on_session, ws, why);
        return;
    }
    struct pending **pp = &pend;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->reqid == reqid)
            break;
    if (!*pp)
        return;
    struct pending *p = *pp;
    *pp = p->next;
    bool ok = false;
    long errstat = 0;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu) {
        snprintf(why, sizeof why, "timeout");
    } else if (pdu->errstat != SNMP_ERR_NOERROR) {
        errstat = pdu->errstat;
        snprintf(why, sizeof why, "%s (varbind %ld)", snmp_errstring((int)pdu->errstat), pdu->errindex);
    } else {
        ok = true;
    }
    report(p, ok, errstat, why);
}

void snmp_set_forget(void *wsess)
{
    if (wsess)
        fail_where(on_session, wsess, SNMP_SET_ABANDONED);
}

void snmp_set_expire(void)
{
    long long now = now_ms();
    fail_where(overdue, &now, "timeout (no answer and no timeout from the SNMP library)");
}

int snmp_set_send(const struct ctl_config *cfg, void **wsess, const struct ctl_peer *peer, netsnmp_pdu *pdu,
                  const char *what, set_result_cb cb, void *ctx)
{
    char *err = last_error;
    size_t errlen = sizeof last_error;
    unsigned tmo = ssess_timeout_ms(cfg);
    if (cfg->write_user < 0) {
        snprintf(err, errlen, "no v3user configured for writes");
        snmp_free_pdu(pdu);
        return -1;
    }
    if (!*wsess) {
        *wsess = ssess_open(peer, &cfg->v3users[cfg->write_user], tmo, cfg->retries, on_set, wsess, err, errlen);
        if (!*wsess) {
            snmp_free_pdu(pdu);
            return -1;
        }
    }
    struct pending *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        snmp_free_pdu(pdu);
        return -1;
    }
    int reqid = ssess_send(*wsess, pdu);
    if (!reqid) {
        snprintf(err, errlen, "send failed");
        free(p);
        return -1;
    }
    p->wsess = *wsess;
    p->reqid = reqid;
    /* The engine ID probe and the SET each get their retries; twice that
     * and a second more is long overdue. */
    p->deadline_ms = now_ms() + 4LL * tmo * (cfg->retries + 1) + 1000;
    snprintf(p->what, sizeof p->what, "%s", what);
    p->cb = cb;
    p->ctx = ctx;
    p->next = pend;
    pend = p;
    event_log("SET %s", what);
    return 0;
}
