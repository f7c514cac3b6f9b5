#!/usr/bin/env bash
# Master restarts: kill -9 snmpd, start it again on the same port and
# socket: the agent registers again (the test waits up to 10 s; the 2 s
# target is measured by bench/agent_reregister.sh).  An agent started
# before snmpd keeps trying and logs that once.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init

# Agent first, snmpd later.
SNMP_PORT=$(free_udp_port)
AGENTX=$T/agentx.sock
cat >"$T/agent.conf" <<CONF
nodename restartnode
statedir $T/state
CONF
"$AGENT_BIN" -f -x "$AGENTX" -c "$T/agent.conf" >"$T/agent.log" 2>&1 &
AGENT_PID=$!
LAMON_PIDS="$LAMON_PIDS $AGENT_PID"
sleep 3.5
check "the agent keeps running without a master" kill -0 "$AGENT_PID"
n=$(grep -c "not reachable" "$T/agent.log")
is "$n" 1 "'master not reachable' is logged once in 3.5 s, not per retry"
n=$(grep -ci "failed to connect" "$T/agent.log")
[ "$n" -le 1 ] && ok "Net-SNMP's connect warning appears at most once ($n)" || fail "connect warning logged $n times"
start_snmpd || bail "snmpd did not start"
wait_for 10 agent_registered && ok "the agent registers with an snmpd started after it" \
    || fail "no registration after snmpd started"

for round in 1 2 3; do
    kill -9 "$SNMPD_PID"; wait "$SNMPD_PID" 2>/dev/null
    check_fails "round $round: objects are gone with snmpd" snmp snmpget LAMON-MIB::lamonNodeName.0
    start_snmpd || bail "snmpd did not restart"
    start=$(date +%s%N)
    if wait_for 10 agent_registered; then
        ok "round $round: re-registered after kill -9 and restart ($(( ($(date +%s%N) - start) / 1000000 )) ms after snmpd answered)"
    else
        fail "round $round: not re-registered within 10 s"; tail -5 "$T/agent.log" | sed 's/^/#   /'
    fi
done
is "$(val lamonNodeName.0)" restartnode "values are served after the restarts"
n=$(grep -c "re-registered" "$T/agent.log")
is "$n" 3 "each re-registration is logged once"
check "the agent process survived every restart" kill -0 "$AGENT_PID"
done_testing
