#!/usr/bin/python3
"""Command channel between the host and the lamon test VM.

Guest:  vmctl.py serve PORT        (run by the VM's /init, chrooted into /host)
Host:   vmctl.py ping PORT
        vmctl.py exec PORT ARGV...      run ARGV in the guest, relay its
                                        stdout/stderr, exit with its status
        vmctl.py spawn PORT LOG ARGV... start ARGV detached, output to LOG
        vmctl.py poweroff PORT

One JSON request per TCP connection, one JSON reply.  Commands are argv
arrays, exec'd without a shell.  Output goes through a temp file, not a pipe,
so a command that leaves a daemon behind does not hold the reply open.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile


def recv_all(conn):
    chunks = []
    while True:
        b = conn.recv(65536)
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


def handle(req):
    op = req.get("op")
    if op == "ping":
        return {"rc": 0, "out": "pong\n", "err": ""}
    if op == "poweroff":
        os.sync()
        # The chroot's /proc is the guest's: sysrq powers off at once.
        with open("/proc/sysrq-trigger", "w") as f:
            f.write("o")
        return {"rc": 0, "out": "", "err": ""}
    argv = req["argv"]
    if op == "spawn":
        with open(req["log"], "ab") as log:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             start_new_session=True)
        return {"rc": 0, "out": "", "err": ""}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            rc = subprocess.call(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 timeout=req.get("timeout", 300))
        except FileNotFoundError as e:
            return {"rc": 127, "out": "", "err": str(e) + "\n"}
        except subprocess.TimeoutExpired:
            rc = 124
        out.seek(0)
        err.seek(0)
        return {"rc": rc, "out": out.read().decode("utf-8", "replace"),
                "err": err.read().decode("utf-8", "replace")}


def serve(port):
    os.environ.setdefault("TMPDIR", "/run/lamon")
    tempfile.tempdir = "/run/lamon"
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    while True:
        conn, _ = s.accept()
        with conn:
            try:
                req = json.loads(recv_all_request(conn))
                rep = handle(req)
            except Exception as e:  # keep serving whatever one request did
                rep = {"rc": 125, "out": "", "err": "vmctl: %r\n" % (e,)}
            conn.sendall(json.dumps(rep).encode())


def recv_all_request(conn):
    # The client half-closes after its request.
    return recv_all(conn).decode()


def call(port, req, timeout=330):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
        c.sendall(json.dumps(req).encode())
        c.shutdown(socket.SHUT_WR)
        data = recv_all(c)
    if not data:
        raise ConnectionError("no reply")
    return json.loads(data)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    op, port = sys.argv[1], int(sys.argv[2])
    if op == "serve":
        serve(port)
    if op in ("ping", "poweroff"):
        req = {"op": op}
    elif op == "exec":
        req = {"op": op, "argv": sys.argv[3:]}
    elif op == "spawn":
        req = {"op": op, "log": sys.argv[3], "argv": sys.argv[4:]}
    else:
        sys.exit(__doc__)
    try:
        # A guest powering off may never answer (os.sync on the 9p root can
        # hang): vm_stop kills qemu after its own wait anyway.
        rep = call(port, req, timeout=10 if op == "poweroff" else 330)
    except (OSError, ValueError) as e:
        sys.stderr.write("vmctl: %s\n" % e)
        sys.exit(125)
    sys.stdout.write(rep["out"])
    sys.stderr.write(rep["err"])
    sys.exit(rep["rc"])


if __name__ == "__main__":
    main()
