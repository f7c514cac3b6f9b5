/* priv_proto messages on the socket; see priv_io.h. */
#include "priv_io.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mono_ms.h"

int priv_send(int sock, const struct priv_msg *m, int pass_fd)
{
    uint8_t buf[PRIV_MSG_MAX];
    size_t len = priv_encode(m, buf);
    if (len == 0) {
        errno = EINVAL;
        return -1;
    }
    struct iovec iov = { buf, len };
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (pass_fd >= 0) {
        memset(&ctl, 0, sizeof ctl);
        mh.msg_control = ctl.b;
        mh.msg_controllen = sizeof ctl.b;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != len) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

int priv_send_wait(int sock, const struct priv_msg *m, int pass_fd, int timeout_ms)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (priv_send(sock, m, pass_fd) == 0)
            return 0;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        long left = timeout_ms - ms_since(&t0);
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = { sock, POLLOUT, 0 };
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return -1;
    }
}

long priv_recv(int sock, uint8_t *buf, int *fd)
{
    if (fd)
        *fd = -1;
    struct iovec iov = { buf, PRIV_MSG_MAX };
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfds; i++) {
            int got;
            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
            if (fd && *fd < 0)
                *fd = got;
            else
                close(got);   /* more than the one we take */
        }
    }
    if (mh.msg_flags & MSG_TRUNC) {
        if (fd && *fd >= 0) {
            close(*fd);
            *fd = -1;
        }
        errno = EMSGSIZE;
        return -1;
    }
    return (long)n;
}
