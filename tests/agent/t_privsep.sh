#!/usr/bin/env bash
# Privilege separation: the process that holds the AgentX connection (found
# through the socket, as an operator would) runs as user lamon with no
# capabilities, no_new_privs, a seccomp filter and an empty root; the
# monitor is root.  A worker killed during an operation is restarted, and
# the operation (run by the monitor) completes in the new worker's table.
# SIGHUP reloads: a changed configuration takes effect, a bad one is logged
# and the old one stays.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
id lamon >/dev/null 2>&1 || bail "no user lamon (make deps creates it: adduser --system --group lamon)"
[ "$(id -u)" = 0 ] || bail "run as root: the test checks the real privilege drop"
start_snmpd || bail "snmpd did not start"

cat >"$T/agent.conf" <<CONF
nodename privsep
statedir $T/state
app web $(free_tcp_port)
app_start web /bin/sh -c "sleep 3; touch $T/started"
CONF
start_agent "$T/agent.conf" || bail "lamon-agent did not start"

# worker_pid: the process on the other end of snmpd's AgentX connection:
# snmpd's accepted socket has the AgentX path as its local address and the
# worker's socket inode as its peer.
worker_pid() {
    local peer
    peer=$(ss -xpn | awk -v p="$AGENTX" '$5 == p && /"snmpd"/ { print $8; exit }')
    [ -n "$peer" ] || return 1
    ss -xpn | awk -v i="$peer" '$6 == i { if (match($0, /pid=[0-9]+/)) print substr($0, RSTART + 4, RLENGTH - 4); exit }'
}
field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

W=$(worker_pid)
[ -n "$W" ] && ok "a process holds the AgentX connection (pid $W)" || bail "no process on the AgentX socket"
[ "$W" != "$AGENT_PID" ] && ok "it is not the process started (the monitor, pid $AGENT_PID)" \
    || fail "the monitor holds the AgentX connection itself"
is "$(field "$W" PPid)" "$AGENT_PID" "the monitor is its parent"
is "$(field "$W" Uid)" "$(id -u lamon)" "the worker runs as lamon"
is "$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' "/proc/$W/status")" "$(id -u lamon)$(id -u lamon)$(id -u lamon)$(id -u lamon)" \
    "real, effective, saved and fs uid are all lamon's"
is "$(field "$W" Gid)" "$(id -g lamon)" "and lamon's group"
is "$(awk '$1 == "Groups:" { print $2 }' "/proc/$W/status")" "$(id -g lamon)" "no other group"
is "$(field "$W" CapEff)" 0000000000000000 "no effective capability"
is "$(field "$W" CapPrm)" 0000000000000000 "no permitted capability"
is "$(field "$W" NoNewPrivs)" 1 "no_new_privs is set"
is "$(field "$W" Seccomp)" 2 "a seccomp filter is loaded"
is "$(readlink "/proc/$W/root")" /run/lamon-agent/empty "its root is the empty chroot directory"
is "$(find /run/lamon-agent/empty -mindepth 1 | wc -l)" 0 "which is empty"
is "$(stat -c %U:%a /run/lamon-agent/empty)" root:755 "and root's, writable by root only"
# A directory's descriptor would lead out of the chroot (openat(fd, "../etc/passwd")).
dirs=$(for f in /proc/$W/fd/*; do [ -d "$f" ] && printf '%s -> %s; ' "${f##*/}" "$(readlink "$f")"; done)
is "$dirs" "" "the worker holds no directory descriptor"
is "$(readlink "/proc/$W/fd/0")" /dev/null "its stdin is /dev/null (no terminal to type into)"
is "$(awk '{ print $6 }' "/proc/$W/stat")" "$W" "it leads a session of its own (no controlling terminal)"
is "$(field "$AGENT_PID" Uid)" 0 "the monitor runs as root"
is "$(val lamonNodeName.0)" privsep "the worker answers"

# The worker dies during an operation; the monitor runs it to its end.
is "$(set_result "LAMON-MIB::lamonAppAdminStatus.'web'" i 1)" OK "appStart web (3 s) requested"
wait_val 5 lamonOpStatus.1 2 && ok "operation 1 is running" || fail "operation 1 is not running ($(val lamonOpStatus.1))"
kill -9 "$W"
wait_for 15 agent_registered && ok "the agent answers again after the worker was killed" \
    || fail "the agent does not answer after the worker was killed"
W2=$(worker_pid)
[ -n "$W2" ] && [ "$W2" != "$W" ] && ok "a new worker holds the AgentX connection (pid $W2)" \
    || fail "no new worker (old $W, now '$W2')"
is "$(field "$W2" CapEff):$(field "$W2" Seccomp)" 0000000000000000:2 "the new worker has no capability either"
wait_val 15 lamonOpStatus.1 3 && ok "the operation's row shows succeeded in the new worker" \
    || fail "operation 1: status $(val lamonOpStatus.1)"
is "$(val lamonOpExitCode.1)" 0 "with exit code 0"
check "the start command ran to its end" test -f "$T/started"
check "the monitor logged the worker's death" grep -q "monitor: the worker was killed by signal 9" "$T/agent.log"
is "$(val lamonOpNextIndex.0)" 2 "the next operation takes index 2"

# SIGHUP: a changed configuration takes effect in the running worker (the
# monitor hands it the text), so the AgentX session and what lives only in
# the worker stay.
sed -i 's/^nodename privsep$/nodename privsep2/' "$T/agent.conf"
kill -HUP "$AGENT_PID"
wait_val 15 lamonNodeName.0 privsep2 && ok "SIGHUP: the new nodename is in force" \
    || fail "SIGHUP: nodename still $(val lamonNodeName.0)"
is "$(val lamonOpStatus.1)" 3 "the operation row survives the reload"
W3=$(worker_pid)
is "$W3" "$W2" "the same worker took the new configuration (no restart)"
check "the monitor says it handed the file over" grep -q "reloaded; handed to the worker" "$T/agent.log"
check "the worker says it reloaded in place" grep -q "worker: .*: reloaded in place" "$T/agent.log"
is "$(grep -c 'monitor: worker started' "$T/agent.log")" 2 "two workers in all: the first, and the one after the kill"

# A change of the worker's user, root or AgentX socket needs a new worker.
mkdir -p -m 0755 "$T/empty2"
echo "chroot $T/empty2" >>"$T/agent.conf"
kill -HUP "$AGENT_PID"
wait_for 15 grep -q "restarting the worker with it (its user, chroot or AgentX socket changed)" "$T/agent.log" \
    && ok "a new chroot restarts the worker, saying why" || fail "no restart for a new chroot"
worker_in() { local w; w=$(worker_pid) && [ "$(readlink "/proc/$w/root")" = "$1" ]; }
wait_for 15 worker_in "$T/empty2" && ok "the new worker's root is the new chroot" \
    || fail "the new worker is not in $T/empty2"
W3=$(worker_pid)
is "$(field "$W3" Uid):$(field "$W3" CapEff)" "$(id -u lamon):0000000000000000" "the restarted worker is unprivileged too"

# SIGHUP with a bad configuration: logged, the old one stays.
echo "frobnicate 1" >>"$T/agent.conf"
kill -HUP "$AGENT_PID"
wait_for 10 grep -q "reload failed; the previous configuration stays in force" "$T/agent.log" \
    && ok "a bad configuration is logged" || fail "no reload failure in the log"
is "$(val lamonNodeName.0)" privsep2 "the previous configuration stays in force"
is "$(worker_pid)" "$W3" "and its worker keeps running"

# The monitor's exit stops the worker.
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
wait_for 10 sh -c "! kill -0 $W3 2>/dev/null" && ok "the worker ends with the monitor" || fail "worker $W3 outlived the monitor"
done_testing
