#!/usr/bin/env python3
"""Misbehaving clients of the controller's control socket, for
t_control_socket.sh.  Each mode prints one JSON object with what it saw.

  idle SOCK N CMD...      N clients connect and send nothing; then CMD runs
                          (a real lamonctl); counts the idle clients the
                          controller closed
  silent SOCK CMD...      three clients: one sends nothing, one half a
                          command, one a byte a second; CMD runs meanwhile;
                          reports when each was closed (20 s at most)
  garbage SOCK            bad requests, each on its own connection: the first
                          answer line of each, and whether the connection ended
  noread SOCK PID N REPEAT LIMIT CMD...
                          N clients send "status json" REPEAT times and read
                          nothing until the controller hangs up on them (LIMIT
                          s at most), while CMD starts after 2 s and the
                          controller's RSS is sampled; then each reads what
                          is left: bytes received, and whether it was hung up
  flood SOCK PID N HOLD CMD...
                          N non-blocking connects that send nothing, held for
                          HOLD s while the controller's CPU time is measured
                          from /proc/PID/stat; then CMD runs, still holding
"""
import errno
import json
import os
import select
import socket
import subprocess
import sys
import time


def connect(path, blocking=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if blocking:
        # A unix socket whose backlog is full says EAGAIN: retry for 10 s.
        s.setblocking(False)
        deadline = time.monotonic() + 10
        while True:
            try:
                s.connect(path)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        s.setblocking(True)
    else:
        s.setblocking(False)
        try:
            s.connect(path)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EINPROGRESS):
                s.close()
                return None
    return s


def closed_by_peer(s):
    """True when the controller closed S (EOF or reset), without waiting."""
    s.setblocking(False)
    try:
        return s.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=15)
        return {"rc": p.returncode, "out": p.stdout.decode(errors="replace")[:200],
                "err": p.stderr.decode(errors="replace")[:200]}
    except subprocess.TimeoutExpired:
        return {"rc": "timeout", "out": "", "err": ""}


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mode_idle(path, n, cmd):
    socks = [connect(path) for _ in range(n)]
    res = run(cmd)
    closed = sum(1 for s in socks if closed_by_peer(s))
    return {"cmd": res, "clients": n, "closed": closed, "open": n - closed}


def mode_silent(path, cmd):
    start = time.monotonic()
    quiet = connect(path)
    half = connect(path)
    half.sendall(b"sta")
    trickle = connect(path)
    res = run(cmd)
    closed = {}
    sent = 0
    deadline = start + 20
    while time.monotonic() < deadline and len(closed) < 3:
        for name, s in (("quiet", quiet), ("half", half), ("trickle", trickle)):
            if name not in closed and closed_by_peer(s):
                closed[name] = round(time.monotonic() - start, 1)
        if "trickle" not in closed and time.monotonic() - start >= sent:
            try:
                trickle.send(b"x")
                sent += 1
            except OSError:
                closed["trickle"] = round(time.monotonic() - start, 1)
        time.sleep(0.1)
    return {"cmd": res, "closed_after": closed, "trickled": sent}


def first_line(s):
    """The first answer line and whether the connection then ended."""
    data = b""
    s.settimeout(10)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data.split(b"\n")[0].decode(errors="replace"), True
            data += chunk
    except ConnectionResetError:          # it closed with our surplus bytes unread
        return data.split(b"\n")[0].decode(errors="replace"), True
    except (socket.timeout, OSError):
        return data.split(b"\n")[0].decode(errors="replace"), False


def mode_garbage(path):
    cases = {
        "binary": b"\x00\x01\x02binary\xff\n",
        "high_bytes": b"node caf\xc3\xa9\n",
        "no_newline": b"a" * 5000,
        "long_line": b"status " + b"x" * 2000 + b"\n",
        "unknown": b"frobnicate\n",
        "empty": b"\n",
        "many_words": b"op nosuchnode pkg install " + b" ".join(b"p%d" % i for i in range(30)) + b"\n",
        "json_twice": b"status json json\n",
        "crlf": b"stats\r\n",
    }
    out = {}
    for name, data in cases.items():
        s = connect(path)
        try:
            s.sendall(data)
        except OSError:
            pass
        out[name] = first_line(s)
        s.close()
    return out


def mode_noread(path, pid, n, repeat, limit, cmd):
    rss0 = rss_kb(pid)
    socks = []
    for _ in range(n):
        s = connect(path)
        s.setblocking(False)
        try:
            s.send(b"status json\n" * repeat)
        except BlockingIOError:
            pass
        socks.append(s)
    start = time.monotonic()
    peak = rss0
    proc = None
    # Until the controller has hung up on every client (or LIMIT s): a
    # hang-up shows without reading, so no answer is helped along.
    poller = select.poll()
    for s in socks:
        poller.register(s, select.POLLRDHUP)
    hung = set()
    while len(hung) < n and time.monotonic() - start < limit:
        peak = max(peak, rss_kb(pid))
        if proc is None and time.monotonic() - start > 2:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for fd, ev in poller.poll(250):
            if ev & (select.POLLRDHUP | select.POLLHUP | select.POLLERR):
                hung.add(fd)
                poller.unregister(fd)
    res = {"rc": "not run", "out": "", "err": ""}
    if proc:
        try:
            out, err = proc.communicate(timeout=15)
            res = {"rc": proc.returncode, "out": out.decode(errors="replace")[:200],
                   "err": err.decode(errors="replace")[:200]}
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            res = {"rc": "timeout", "out": "", "err": ""}
    got = []
    for s in socks:
        total = 0
        if s.fileno() in hung:
            s.setblocking(True)
            try:
                while True:
                    chunk = s.recv(1 << 20)
                    if not chunk:
                        break
                    total += len(chunk)
            except OSError:
                pass
        got.append(total)
    ended = [s.fileno() in hung for s in socks]
    for s in socks:
        s.close()
    return {"cmd": res, "received": got, "ended": ended, "seconds": round(time.monotonic() - start, 1),
            "rss0_kb": rss0, "peak_kb": peak, "rss_after_kb": rss_kb(pid)}


def mode_flood(path, pid, n, hold, cmd):
    socks = [s for s in (connect(path, blocking=False) for _ in range(n)) if s]
    time.sleep(0.5)                       # let the controller take what it can
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(hold)
    c1, t1 = cpu_seconds(pid), time.monotonic()
    res = run(cmd)
    closed = sum(1 for s in socks if closed_by_peer(s))
    return {"connected": len(socks), "closed": closed, "cpu_s": round(c1 - c0, 3), "wall_s": round(t1 - t0, 3),
            "cmd": res}


def main(a):
    mode, path = a[0], a[1]
    if mode == "idle":
        r = mode_idle(path, int(a[2]), a[3:])
    elif mode == "silent":
        r = mode_silent(path, a[2:])
    elif mode == "garbage":
        r = mode_garbage(path)
    elif mode == "noread":
        r = mode_noread(path, int(a[2]), int(a[3]), int(a[4]), float(a[5]), a[6:])
    elif mode == "flood":
        r = mode_flood(path, int(a[2]), int(a[3]), float(a[4]), a[5:])
    else:
        sys.exit("unknown mode " + mode)
    print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv[1:])
