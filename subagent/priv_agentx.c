/* The AgentX transport of the chrooted worker; see priv_agentx.h. */
#include "priv_agentx.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/snmpUnixDomain.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "priv_client.h"

#define SEND_TIMEOUT_MS 2000

static const oid local_domain[] = { TRANSPORT_DOMAIN_LOCAL };
static netsnmp_tdomain domain;

static int t_recv(netsnmp_transport *t, void *buf, int size, void **opaque, int *olen)
{
    *opaque = NULL;
    *olen = 0;
    if (!t || t->sock < 0)
        return -1;
    ssize_t n;
    do
        n = recv(t->sock, buf, (size_t)size, 0);
    while (n < 0 && errno == EINTR);
    return (int)n;
}

static int t_send(netsnmp_transport *t, const void *buf, int size, void **opaque, int *olen)
{
    (void)opaque, (void)olen;
    if (!t || t->sock < 0)
        return -1;
    /* The master is local and answers fast; a stuck one must not hang us. */
    for (;;) {
        struct pollfd p = { t->sock, POLLOUT, 0 };
        int r = poll(&p, 1, SEND_TIMEOUT_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t n = send(t->sock, buf, (size_t)size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        return (int)n;
    }
}

static int t_close(netsnmp_transport *t)
{
    if (t->sock < 0)
        return -1;
    int rc = close(t->sock);
    t->sock = -1;
    return rc;
}

static int t_accept(netsnmp_transport *t)
{
    (void)t;
    return -1;
}

static char *t_fmtaddr(netsnmp_transport *t, const void *data, int len)
{
    (void)t, (void)data, (void)len;
    return strdup("AgentX master (socket from the lamon-agent monitor)");
}

static netsnmp_transport *create(netsnmp_tdomain_spec *spec)
{
    if (spec->flags & NETSNMP_TSPEC_LOCAL)
        return NULL;   /* the subagent never listens */
    netsnmp_transport *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->sock = priv_client_agentx_fd();
    if (t->sock < 0) {
        free(t);
        return NULL;
    }
    t->domain = local_domain;
    t->domain_length = OID_LENGTH(local_domain);
    t->flags = NETSNMP_TRANSPORT_FLAG_STREAM;
    t->msgMaxSize = 0x7fffffff;
    t->f_recv = t_recv;
    t->f_send = t_send;
    t->f_close = t_close;
    t->f_accept = t_accept;
    t->f_fmtaddr = t_fmtaddr;
    return t;
}

void priv_agentx_register(void)
{
    domain.name = local_domain;
    domain.name_length = OID_LENGTH(local_domain);
    /* Net-SNMP frees the prefix list at shutdown (netsnmp_clear_tdomain_list). */
    domain.prefix = calloc(2, sizeof *domain.prefix);
    if (!domain.prefix) {
        snmp_log(LOG_ERR, "worker: out of memory registering the AgentX transport\n");
        return;
    }
    domain.prefix[0] = "unix";
    domain.f_create_from_tspec = create;
    netsnmp_tdomain_register(&domain);
}
