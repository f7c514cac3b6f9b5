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
"""
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


def main():
    port, kind = int(sys.argv[1]), sys.argv[2]
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
