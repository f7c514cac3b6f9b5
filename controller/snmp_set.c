/* SNMPv3 authPriv SETs with per-request bookkeeping (see snmp_set.h). */
#include "snmp_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_log.h"
#include "poller.h"

struct pending {
    void *wsess;
    int reqid;
    char what[512];
    set_result_cb cb;
    void *ctx;
    struct pending *next;
};

static struct pending *pend;
static struct cluster *owner_cl;

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

/* Request ids come from one process-wide counter, so the id alone finds
 * the pending SET whichever session it went out on. */
static void on_set(void *owner, int op, int reqid, netsnmp_pdu *pdu)
{
    (void)owner;
    struct pending **pp = &pend;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->reqid == reqid)
            break;
    struct pending *p = *pp;
    if (!p)
        return;
    *pp = p->next;
    char why[256] = "";
    bool ok = false;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu)
        snprintf(why, sizeof why, "timeout");
    else if (pdu->errstat != SNMP_ERR_NOERROR)
        snprintf(why, sizeof why, "%s (varbind %ld)", snmp_errstring((int)pdu->errstat), pdu->errindex);
    else
        ok = true;
    if (!ok)
        event_log("SET failed: %s: %s", p->what, why);
    if (p->cb && owner_cl)
        p->cb(owner_cl, p->ctx, ok, why);
    free(p);
}

void snmp_set_forget(void *wsess)
{
    if (!wsess)
        return;
    for (struct pending **pp = &pend; *pp;) {
        if ((*pp)->wsess == wsess) {
            struct pending *p = *pp;
            *pp = p->next;
            free(p);
        } else {
            pp = &(*pp)->next;
        }
    }
}

int snmp_set_send(struct cluster *cl, void **wsess, const struct ctl_peer *peer, netsnmp_pdu *pdu,
                  const char *what, set_result_cb cb, void *ctx)
{
    const struct ctl_config *cfg = cl->cfg;
    owner_cl = cl;
    if (cfg->write_user < 0) {
        event_log("cannot %s: no v3user configured for writes", what);
        snmp_free_pdu(pdu);
        return -1;
    }
    if (!*wsess) {
        char err[256];
        *wsess = ssess_open(peer, &cfg->v3users[cfg->write_user], poller_timeout_ms(cfg), cfg->retries,
                            on_set, NULL, err, sizeof err);
        if (!*wsess) {
            event_log("cannot %s: %s", what, err);
            snmp_free_pdu(pdu);
            return -1;
        }
    }
    struct pending *p = calloc(1, sizeof *p);
    if (!p) {
        snmp_free_pdu(pdu);
        return -1;
    }
    int reqid = ssess_send(*wsess, pdu);
    if (!reqid) {
        event_log("cannot %s: send failed", what);
        free(p);
        return -1;
    }
    p->wsess = *wsess;
    p->reqid = reqid;
    snprintf(p->what, sizeof p->what, "%s", what);
    p->cb = cb;
    p->ctx = ctx;
    p->next = pend;
    pend = p;
    cl->sets_sent++;
    event_log("SET %s", what);
    return 0;
}
