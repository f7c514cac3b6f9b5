#!/usr/bin/env python3
"""Bench helper: hold established loopback TCP connections, split over several
processes because the hard RLIMIT_NOFILE here is 20,000 per process.

  agent_conn_count.py server PORT MAX COUNTFILE
      One of several SO_REUSEPORT listeners on 127.0.0.1:PORT (the kernel
      spreads incoming connections over them); accepts and holds up to MAX
      sockets, rewriting COUNTFILE with its accepted count whenever it idles.
  agent_conn_count.py client PORT SRCADDR N READYFILE
      Opens N connections to 127.0.0.1:PORT, each bound explicitly to
      SRCADDR (a distinct 127.x address per client, so the ephemeral port
      range, ~28k per source address, is no limit); writes READYFILE when
      all are connected.
Both then hold their sockets until SIGTERM."""
import os, resource, signal, socket, sys, time


def raise_nofile():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def hold_forever():
    while True:
        time.sleep(3600)


def server(port, maxn, countfile):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4096)
    srv.settimeout(0.2)
    keep = []
    write_atomic(countfile, "0\n")      # listening: clients may start
    while len(keep) < maxn:
        try:
            keep.append(srv.accept()[0])
        except socket.timeout:
            write_atomic(countfile, "%d\n" % len(keep))
    write_atomic(countfile, "%d\n" % len(keep))
    hold_forever()


def client(port, src, n, ready):
    keep = []
    for _ in range(n):
        c = socket.socket()
        c.bind((src, 0))
        c.connect(("127.0.0.1", port))
        keep.append(c)
    write_atomic(ready, "%d\n" % len(keep))
    hold_forever()


def main():
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    raise_nofile()
    if len(sys.argv) == 5 and sys.argv[1] == "server":
        server(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 6 and sys.argv[1] == "client":
        client(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
