/* Sending and receiving priv_proto messages over the monitor <-> worker
 * SOCK_SEQPACKET socket: one message per datagram, optionally with one
 * descriptor (SCM_RIGHTS). */
#ifndef LAMON_PRIV_IO_H
#define LAMON_PRIV_IO_H

#include <stddef.h>
#include <stdint.h>

#include "priv_proto.h"

/* Encodes and sends M, with descriptor PASS_FD unless it is -1.
 * 0, or -1 with errno set (EINVAL: M is no valid message). */
int priv_send(int sock, const struct priv_msg *m, int pass_fd);

/* priv_send on a non-blocking socket that waits (poll) while the peer's
 * queue is full, at most TIMEOUT_MS in all. */
int priv_send_wait(int sock, const struct priv_msg *m, int pass_fd, int timeout_ms);

/* Receives one datagram into BUF (PRIV_MSG_MAX bytes).  Returns its length,
 * 0 at end of file, -1 on error (errno); a descriptor that came with it is
 * stored in *FD (else -1; FD may be NULL, and then one is closed). */
long priv_recv(int sock, uint8_t *buf, int *fd);

#endif
