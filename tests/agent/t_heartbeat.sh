#!/usr/bin/env bash
# lamonNodeHeartbeat: with heartbeat_ms the agent sends one every period
# through snmpd's own sinks (here a trap2sink to a real snmptrapd), each
# carrying the node's name, state, role, service, load, connections and the
# period; lamonNodeHeartbeatInterval reads the period.  Without the token
# the interval reads 0 and none is sent; a reload moves the period.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
TP=$(free_udp_port)
echo "disableAuthorization yes" >"$T/snmptrapd.conf"
snmptrapd -f -On -Lf "$T/traps.log" -C -c "$T/snmptrapd.conf" "udp:127.0.0.1:$TP" >/dev/null 2>&1 &
LAMON_PIDS="$LAMON_PIDS $!"
wait_for 10 ss -Hlun "sport = :$TP" || bail "snmptrapd did not start"
start_snmpd "trap2sink 127.0.0.1:$TP public" || bail "snmpd did not start"
R=.1.3.6.1.4.1.8072.9999.9999.9999
cat >"$T/agent.conf" <<CONF
nodename beatnode
statedir $T/state
heartbeat_ms 200
CONF
start_agent_ready "$T/agent.conf" || bail "agent did not register"
is "$(val lamonNodeHeartbeatInterval.0)" 200 "lamonNodeHeartbeatInterval reads the configured 200 ms"
beats() { grep -c "$R.0.5\b" "$T/traps.log" || true; }
five() { [ "$(beats)" -ge 5 ]; }
wait_for 20 five
check "lamonNodeHeartbeat arrives at snmptrapd, again and again ($(beats) so far)" five
last=$(awk -v r="$R.0.5" 'index($0, r) { l = $0 } END { print l }' "$T/traps.log")
like "$last" "$R.1.1.1.0 = STRING: \"?beatnode" "it names the node"
like "$last" "$R.1.1.2.0 = INTEGER: running\(2\)" "it carries lamonNodeState"
like "$last" "$R.1.1.3.0 = INTEGER: unassigned\(1\)" "it carries lamonNodeRole"
like "$last" "$R.1.1.4.0 = STRING" "it carries lamonNodeService"
like "$last" "$R.1.1.6.0 = Gauge32: [0-9]" "it carries lamonNodeLoad1"
like "$last" "$R.1.1.13.0 = Gauge32: [0-9]" "it carries lamonNodeConnections"
like "$last" "$R.1.1.19.0 = Gauge32: 200" "it carries the period, 200 ms"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

: >"$T/traps.log"
cat >"$T/agent2.conf" <<CONF
nodename quietnode
statedir $T/state
CONF
start_agent_ready "$T/agent2.conf" || bail "agent did not register"
is "$(val lamonNodeHeartbeatInterval.0)" 0 "without heartbeat_ms the interval reads 0"
wait_for 10 grep -q "$R.0.1\b" "$T/traps.log"
sleep 1
is "$(beats)" 0 "and no heartbeat is sent (lamonNodeStarted arrived, no lamonNodeHeartbeat after it)"

# SIGHUP with a new heartbeat_ms: the reload is handed to the running
# worker, and its timer follows: 0 -> 300 starts the heartbeats, 300 ->
# 3000 slows them (each says the period it is sent at), 3000 -> 0 stops them.
reload_to() {
    printf 'nodename quietnode\nstatedir %s/state\nheartbeat_ms %s\n' "$T" "$1" >"$T/agent2.conf"
    kill -HUP "$AGENT_PID"
}
reload_to 300
wait_for 20 five
check "after a reload to heartbeat_ms 300 heartbeats start ($(beats))" five
is "$(val lamonNodeHeartbeatInterval.0)" 300 "lamonNodeHeartbeatInterval reads 300"
last=$(awk -v r="$R.0.5" 'index($0, r) { l = $0 } END { print l }' "$T/traps.log")
like "$last" "$R.1.1.19.0 = Gauge32: 300" "they carry the period, 300 ms"
reload_to 3000
at3000() { awk -v r="$R.0.5" 'index($0, r) && /Gauge32: 3000/' "$T/traps.log" | grep -q .; }
wait_for 10 at3000
check "after a reload to 3000 a heartbeat says 3000" at3000
n0=$(beats); sleep 1.5; n1=$(beats)
check "and they come every 3 s, not every 300 ms ($((n1 - n0)) in 1.5 s)" test $((n1 - n0)) -le 1
reload_to 0
wait_for 10 sh -c "[ \"\$(snmpget -v2c -c public -r1 -t1 -Oqv 127.0.0.1:$SNMP_PORT LAMON-MIB::lamonNodeHeartbeatInterval.0 2>/dev/null)\" = 0 ]"
n0=$(beats); sleep 3.5; n1=$(beats)
is "$((n1 - n0))" 0 "after a reload to 0 no heartbeat is sent"
done_testing
