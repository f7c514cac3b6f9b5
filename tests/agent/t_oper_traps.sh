#!/usr/bin/env bash
# Oper status follows the application going down and up (default check:
# something listens), and the notifications reach a real snmptrapd through
# snmpd's trap2sink: lamonNodeStarted, lamonAppStateChange,
# lamonNodeStateChange.
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
P=$(free_tcp_port)
cat >"$T/agent.conf" <<CONF
nodename trapnode
statedir $T/state
cache_ms 100
check_ms 200
app web $P
app job $((P + 1))
app_start job /usr/bin/touch $T/job.up
app_stop job /usr/bin/rm -f $T/job.up
app_check job /usr/bin/test -e $T/job.up
CONF
start_agent_ready "$T/agent.conf" || bail "agent did not register"
ROOT_OID=.1.3.6.1.4.1.8072.9999.9999.9999
wait_for 10 grep -q "$ROOT_OID.0.1" "$T/traps.log" && ok "lamonNodeStarted received by snmptrapd" \
    || fail "no lamonNodeStarted in the trap log"
check "lamonNodeStarted carries lamonNodeName" grep -q 'trapnode' "$T/traps.log"

is "$(val "lamonAppOperStatus.'web'")" 2 "oper status down(2) while nothing listens"
lc1=$(snmp snmpget -Oqv "LAMON-MIB::lamonAppLastChange.'web'")
sleep 1.1
start_conns 127.0.0.1 "$P" 0 || bail "listener did not start"
wait_val 5 "lamonAppOperStatus.'web'" 1 && ok "oper status up(1) once the app listens" \
    || fail "oper status $(val "lamonAppOperStatus.'web'") with a listener"
lc2=$(snmp snmpget -Oqv "LAMON-MIB::lamonAppLastChange.'web'")
[ "$lc1" != "$lc2" ] && ok "lamonAppLastChange moved ($lc1 -> $lc2)" || fail "lamonAppLastChange still $lc2"
wait_for 10 grep -q "$ROOT_OID.0.3" "$T/traps.log" && ok "lamonAppStateChange received" \
    || fail "no lamonAppStateChange in the trap log"
check "lamonAppStateChange carries lamonAppOperStatus.web = up(1)" \
    grep -q "$ROOT_OID.1.2.1.1.4.119.101.98 = INTEGER: up(1)" "$T/traps.log"
stop_conns
wait_val 5 "lamonAppOperStatus.'web'" 2 && ok "oper status back to down(2) when the app stops" \
    || fail "oper status $(val "lamonAppOperStatus.'web'") after the app stopped"
wait_for 10 grep -q "$ROOT_OID.1.2.1.1.4.119.101.98 = INTEGER: down(2)" "$T/traps.log" \
    && ok "lamonAppStateChange down(2) received" || fail "no lamonAppStateChange for down"

# A start: starting(4), then up(1) once a check that began after the start
# says so.  The check result from before the start (down) is no news of the
# started application: shown, it told the controller a just-started
# application had failed.
JOB=$ROOT_OID.1.2.1.1.4.106.111.98
wait_val 5 "lamonAppOperStatus.'job'" 2 || fail "job is $(val "lamonAppOperStatus.'job'") before its start"
is "$(set_result "LAMON-MIB::lamonAppAdminStatus.'job'" i 1)" OK "SET job admin up(1)"
wait_for 10 grep -q "$JOB = INTEGER: up(1)" "$T/traps.log" && ok "lamonAppStateChange up(1) for job after its start" \
    || fail "no lamonAppStateChange up(1) for job: $(grep "$JOB" "$T/traps.log" | tr '\n' ' ')"
seq=$(grep -o "$JOB = INTEGER: [a-z]*" "$T/traps.log" | awk '{print $NF}' | tr '\n' ' ' | sed 's/^.*starting/starting/')
like "$seq" "^starting (unknown )?up $" "job's notifications from its start: starting, then up, no stale down ($seq)"

is "$(set_result LAMON-MIB::lamonNodeRole.0 i 2)" OK "SET role server(2)"
wait_for 10 grep -q "$ROOT_OID.0.2" "$T/traps.log" && ok "lamonNodeStateChange received after the role change" \
    || fail "no lamonNodeStateChange in the trap log"
n=$(grep -c "$ROOT_OID.0.1" "$T/traps.log")
is "$n" 1 "lamonNodeStarted was sent exactly once"
done_testing
