#!/usr/bin/env python3
"""Raw HTTP/1.1 requests for the web console tests: what a browser or curl
would never send.  Prints the status line's code (or "closed" when the
server closed without an answer, "timeout" when it sent nothing in time).

  http_raw.py PORT request-line LINE          one request line, no headers
  http_raw.py PORT long-url N                 GET of a path of N bytes
  http_raw.py PORT headers N                  GET with N header lines
  http_raw.py PORT header-bytes N             GET with one header of N bytes
  http_raw.py PORT body N                     POST /api/v1/login with N bytes of body
  http_raw.py PORT garbage N                  N random bytes, then CR LF CR LF
  http_raw.py PORT keepalive FILE             two GETs on one connection: after the first,
                                              creates FILE.first; the second once FILE exists
                                              (20 s at most); prints "CODE1 CODE2 closed|open"
  http_raw.py PORT flood PID N HOLD           N idle connections held HOLD seconds;
                                              prints {"cpu_s", "wall_s", "open"} of process PID
"""
import json
import time
import os
import socket
import sys


def send(port, data, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        got = b""
        while b"\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        return "timeout"
    except ConnectionResetError:
        return "closed"
    finally:
        s.close()
    if not got:
        return "closed"
    parts = got.split(b"\r\n", 1)[0].split()
    return parts[1].decode() if len(parts) > 1 else "closed"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def flood(port, pid, n, hold):
    socks = []
    c0, t0 = cpu_seconds(pid), time.monotonic()
    for _ in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=1))
        except OSError:
            break
    time.sleep(hold)
    c1, t1 = cpu_seconds(pid), time.monotonic()
    for s in socks:
        s.close()
    return {"cpu_s": round(c1 - c0, 3), "wall_s": round(t1 - t0, 3), "open": len(socks)}


def keepalive(port, signal_file):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/api/v1/nodes")
    r = c.getresponse()
    r.read()
    first = r.status
    open(signal_file + ".first", "w").close()     # tells the caller the first answer is in
    for _ in range(200):
        if os.path.exists(signal_file):
            break
        time.sleep(0.1)
    try:
        c.request("GET", "/api/v1/nodes")
        r = c.getresponse()
        r.read()
        second = str(r.status)
        closed = "closed" if r.will_close else "open"
    except (OSError, http.client.HTTPException):
        second, closed = "none", "closed"
    c.close()
    return "%d %s %s" % (first, second, closed)


def main():
    port, kind = int(sys.argv[1]), sys.argv[2]
    if kind == "keepalive":
        print(keepalive(port, sys.argv[3]))
        return
    if kind == "flood":
        print(json.dumps(flood(port, int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))))
        return
    arg = sys.argv[3] if len(sys.argv) > 3 else ""
    host = b"Host: 127.0.0.1\r\n"
    if kind == "request-line":
        data = arg.encode() + b"\r\n\r\n"
    elif kind == "long-url":
        data = b"GET /" + b"a" * (int(arg) - 1) + b" HTTP/1.1\r\n" + host + b"\r\n"
    elif kind == "headers":
        data = b"GET /api/v1/nodes HTTP/1.1\r\n" + host + b"".join(
            b"X-H%d: 1\r\n" % i for i in range(int(arg))) + b"\r\n"
    elif kind == "header-bytes":
        data = b"GET /api/v1/nodes HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * int(arg) + b"\r\n\r\n"
    elif kind == "body":
        n = int(arg)
        data = (b"POST /api/v1/login HTTP/1.1\r\n" + host +
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % n + b"a" * n)
    elif kind == "garbage":
        data = os.urandom(int(arg)) + b"\r\n\r\n"
    else:
        sys.exit("http_raw.py: unknown kind " + kind)
    print(send(port, data))


if __name__ == "__main__":
    main()
