#!/usr/bin/env bash
# Daemon mode logs through syslog; a worker restarted by the monitor (after
# a reload in place, then the first worker's death) must still log there, answer SNMP and stay quiet.  (A worker that inherited glibc's
# "connected on fd N" state after the fork closed N's new owner at its
# first message and logged "pdu failed to be created" in a busy loop.)
#
# glibc's syslog() always sends to /dev/log, and this machine has none, so
# the agent runs in a mount namespace of its own whose /dev is a tmpfs with
# the few devices it needs and /dev/log bound to the test's listener: the
# real /dev is never touched.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
[ "$(id -u)" = 0 ] || bail "run as root: the agent drops privileges and the test mounts"
id lamon >/dev/null 2>&1 || bail "no user lamon (make deps creates it)"
start_snmpd || bail "snmpd did not start"

# The listener: one line per datagram.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(4096).rstrip(b"\n").replace(b"\n", b" ") + b"\n")
' "$T/log.sock" "$T/syslog.txt" &
LAMON_PIDS="$LAMON_PIDS $!"
wait_for 10 test -f "$T/log.sock.ready" || bail "the syslog listener did not start"

cat >"$T/agent.conf" <<CONF
nodename syslogd1
statedir $T/state
CONF
mkdir -p "$T/realdev"
unshare --mount --propagation private sh -c '
    set -e
    mount --bind /dev "$1/realdev"
    mount -t tmpfs -o mode=755 lamon-test-dev /dev
    for d in null zero full random urandom; do
        touch "/dev/$d"; mount --bind "$1/realdev/$d" "/dev/$d"
    done
    touch /dev/log; mount --bind "$1/log.sock" /dev/log
    umount "$1/realdev"
    exec "$2" -x "$3" -c "$1/agent.conf"' sh "$T" "$AGENT_BIN" "$AGENTX" >"$T/agent.out" 2>&1 \
    || { cat "$T/agent.out" >&2; bail "the agent did not start in its mount namespace"; }
wait_for 10 agent_registered && ok "the daemon answers" || bail "the daemon does not answer ($(tail -5 "$T/syslog.txt"))"
MON=$(pgrep -o -f -- "-c $T/agent.conf")
[ -n "$MON" ] && ok "the monitor runs (pid $MON)" || bail "no monitor process"

worker_pid() { pgrep -P "$MON" -f -- "-c $T/agent.conf" | head -1; }
W1=$(worker_pid)
wait_for 10 grep -q "lamon-agent\[$W1\]: worker: running as uid" "$T/syslog.txt" \
    && ok "the first worker logs to syslog" || fail "no start line of worker $W1 in syslog"

sed -i 's/^nodename syslogd1$/nodename syslogd2/' "$T/agent.conf"
kill -HUP "$MON"
wait_val 15 lamonNodeName.0 syslogd2 && ok "SIGHUP: the worker answers with the new configuration" \
    || fail "SIGHUP: nodename is '$(val lamonNodeName.0)'"
# The monitor forks a new worker after the first one dies (a reload keeps
# the worker; only a new user, chroot or AgentX socket would restart it).
kill -9 "$W1"
wait_for 15 sh -c "w=\$(pgrep -P $MON -f -- '-c $T/agent.conf' | head -1); [ -n \"\$w\" ] && [ \"\$w\" != $W1 ]"
wait_for 15 agent_registered
W2=$(worker_pid)
[ -n "$W2" ] && [ "$W2" != "$W1" ] && ok "a new worker runs (pid $W2)" || fail "no new worker (old $W1, now '$W2')"
is "$(val lamonNodeName.0)" syslogd2 "the new worker answers, with the reloaded configuration"
wait_for 10 grep -q "lamon-agent\[$W2\]: worker: running as uid" "$T/syslog.txt" \
    && ok "the new worker logs to syslog" || fail "no start line of worker $W2 in syslog"

# Its descriptors: each pipe (Net-SNMP's and libevent's) still has both
# ends; the busy loop closed one end and reconnected syslog on its number.
is "$(ls -l "/proc/$W2/fd" | awk '$NF ~ /^pipe:/ { print $NF }' | sort | uniq -u | tr '\n' ' ')" "" \
    "every pipe of the new worker is open at both ends"
# Quiet: a few start-up lines, not a busy loop.  Count over some answers.
for i in 1 2 3 4 5; do val lamonNodeName.0 >/dev/null; sleep 0.3; done
n=$(grep -c "lamon-agent\[$W2\]" "$T/syslog.txt")
[ "$n" -lt 50 ] && ok "the new worker logged $n line(s), not a flood" \
    || { fail "the new worker logged $n lines"; grep "lamon-agent\[$W2\]" "$T/syslog.txt" | sort | uniq -c | sort -rn | head -3 | sed 's/^/#   /'; }
check "it logged no failed PDU" sh -c "! grep -q 'pdu failed to be created' '$T/syslog.txt'"
is "$(val lamonNodeName.0)" syslogd2 "and still answers"

kill "$MON"
wait_for 10 sh -c "! kill -0 $MON 2>/dev/null" && ok "the daemon stops on SIGTERM" || fail "the monitor $MON did not stop"
done_testing
