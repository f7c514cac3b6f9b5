/* TCP socket counts per local port through NETLINK_SOCK_DIAG (IPv4 and
 * IPv6), filtered by port in the kernel with inet_diag bytecode. */
#ifndef LAMON_SOCK_DIAG_H
#define LAMON_SOCK_DIAG_H

#include <stddef.h>

struct sock_diag_port {
    unsigned short port;        /* in: local port (host order) */
    unsigned established;       /* out */
    unsigned syn_recv;          /* out */
    unsigned listening;         /* out: listening sockets on the port */
};

/* Counts sockets for PORTS (distinct); 0 or -1 (errno set, logged). */
int sock_diag_count(struct sock_diag_port *ports, size_t n);

#endif
