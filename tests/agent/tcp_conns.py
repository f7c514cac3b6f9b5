#!/usr/bin/env python3
"""Test helper: a TCP listener on ADDR:PORT with K client connections to it.

    tcp_conns.py ADDR PORT K READYFILE

Listens, opens K client connections, accepts them all, then writes READYFILE
and stays until killed (SIGTERM).  K = 0 gives a bare listener.
"""
import os
import signal
import socket
import sys
import time


def main():
    addr, port, k, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    srv.bind((addr, port))
    srv.listen(max(k, 16) + 16)
    clients, accepted = [], []
    for _ in range(k):
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.connect((addr, port))
        clients.append(c)
        accepted.append(srv.accept()[0])
    with open(ready + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(ready + ".tmp", ready)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
