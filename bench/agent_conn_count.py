#!/usr/bin/env python3
"""Bench helper: N established loopback connections to PORT, spread over
source addresses 127.0.1.x so the ephemeral port range is no limit.
Writes READYFILE when all are accepted, then waits to be killed."""
import os, signal, socket, sys, time

port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(4096)
keep = []
per_src = 20000
for i in range(n):
    c = socket.socket()
    c.bind(("127.0.1.%d" % (1 + i // per_src), 0))
    c.connect(("127.0.0.1", port))
    keep.append(c)
    keep.append(srv.accept()[0])
with open(ready, "w") as f:
    f.write("ok\n")
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    time.sleep(3600)
