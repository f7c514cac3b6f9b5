/* NETLINK_SOCK_DIAG dump of TCP sockets in ESTABLISHED, SYN-RECV and LISTEN,
 * one request per address family.  The kernel filters the local port with
 * an inet_diag bytecode chain of S_EQ tests, so 100k unrelated sockets cost
 * nothing in user space; the states are filtered by idiag_states. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "sock_diag.h"

/* Bytecode, one 12-byte block per port: S_EQ (+ its operand op), then JMP.
 * S_EQ "yes" (an 8-bit offset) goes to the JMP, whose 16-bit "no" offset
 * reaches the end of the program (accept); S_EQ "no" goes to the next block,
 * and after the last port past the end + 4 (reject).  The kernel's audit
 * follows the "yes" chain, so the JMP's own "yes" points at the next op. */
#define BC_BLOCK (3 * sizeof(struct inet_diag_bc_op))
static size_t build_bytecode(const struct sock_diag_port *ports, size_t n,
                             struct inet_diag_bc_op *bc)
{
    size_t total = n * BC_BLOCK;
    for (size_t i = 0; i < n; i++) {
        size_t remaining = total - i * BC_BLOCK;
        struct inet_diag_bc_op *b = &bc[3 * i];
        b[0].code = INET_DIAG_BC_S_EQ;
        b[0].yes = 2 * sizeof(struct inet_diag_bc_op);
        b[0].no = (unsigned short)(i + 1 == n ? remaining + 4 : BC_BLOCK);
        b[1].code = INET_DIAG_BC_NOP;
        b[1].yes = 0;
        b[1].no = ports[i].port;
        b[2].code = INET_DIAG_BC_JMP;
        b[2].yes = sizeof(struct inet_diag_bc_op);
        b[2].no = (unsigned short)(remaining - 2 * sizeof(struct inet_diag_bc_op));
    }
    return total;
}

static int dump_family(int fd, int family, struct sock_diag_port *ports, size_t n,
                       const struct inet_diag_bc_op *bc, size_t bclen)
{
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } hdr;
    struct rtattr rta;
    memset(&hdr, 0, sizeof hdr);
    hdr.nlh.nlmsg_len = (unsigned)(sizeof hdr + RTA_LENGTH(bclen));
    hdr.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    hdr.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    hdr.req.sdiag_family = (unsigned char)family;
    hdr.req.sdiag_protocol = IPPROTO_TCP;
    hdr.req.idiag_states = (1u << TCP_ESTABLISHED) | (1u << TCP_SYN_RECV) | (1u << TCP_LISTEN);
    rta.rta_type = INET_DIAG_REQ_BYTECODE;
    rta.rta_len = (unsigned short)RTA_LENGTH(bclen);
    struct iovec iov[3] = {
        { &hdr, sizeof hdr }, { &rta, sizeof rta }, { (void *)bc, bclen },
    };
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof sa,
                          .msg_iov = iov, .msg_iovlen = 3 };
    if (sendmsg(fd, &msg, 0) < 0)
        return -1;

    static char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (len == 0)
            return 0;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
             h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                errno = e->error ? -e->error : EPROTO;
                return -1;
            }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
                continue;
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            unsigned short port = ntohs(m->id.idiag_sport);
            for (size_t i = 0; i < n; i++) {
                if (ports[i].port != port)
                    continue;
                if (m->idiag_state == TCP_ESTABLISHED)
                    ports[i].established++;
                else if (m->idiag_state == TCP_SYN_RECV)
                    ports[i].syn_recv++;
                else if (m->idiag_state == TCP_LISTEN)
                    ports[i].listening++;
                break;
            }
        }
    }
}

int sock_diag_count(struct sock_diag_port *ports, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ports[i].established = ports[i].syn_recv = ports[i].listening = 0;
    if (n == 0)
        return 0;
    /* The jump offsets are 16-bit: 4096 ports is far beyond any config. */
    if (n > 4096) {
        errno = E2BIG;
        return -1;
    }
    struct inet_diag_bc_op *bc = calloc(3 * n, sizeof *bc);
    if (!bc)
        return -1;
    size_t bclen = build_bytecode(ports, n, bc);
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    int rc = -1;
    if (fd >= 0) {
        rc = dump_family(fd, AF_INET, ports, n, bc, bclen);
        if (rc == 0)
            rc = dump_family(fd, AF_INET6, ports, n, bc, bclen);
        int saved = errno;
        close(fd);
        errno = saved;
    }
    if (rc != 0)
        snmp_log(LOG_ERR, "sock_diag: counting TCP sockets failed: %s\n", strerror(errno));
    free(bc);
    return rc;
}
