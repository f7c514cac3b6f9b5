#!/usr/bin/env bash
# Every lamonNode object against the kernel's own figures.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
start_snmpd || bail "snmpd did not start"
cat >"$T/agent.conf" <<CONF
# test node
nodename testnode-1
statedir $T/state
cache_ms 0
CONF
start_agent_ready "$T/agent.conf" || bail "agent did not register"

is "$(val lamonNodeName.0)" 'testnode-1' "lamonNodeName is the configured nodename"
is "$(val lamonNodeState.0)" 2 "lamonNodeState is running(2) after the first sample"
is "$(val lamonNodeRole.0)" 1 "lamonNodeRole starts unassigned(1)"
is "$(snmp snmpget -Oqv LAMON-MIB::lamonNodeService.0)" '' "lamonNodeService starts empty"

# Load: /proc/loadavg changes every 5 s; the agent's value must equal the
# file read just before or just after the GET.
ok_load=0
for try in 1 2 3; do
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    got="$(val lamonNodeLoad1.0) $(val lamonNodeLoad5.0) $(val lamonNodeLoad15.0)"
    after=$(cut -d' ' -f1-3 /proc/loadavg)
    b=$(echo "$before" | awk '{for(i=1;i<=3;i++){split($i,a,".");printf "%d%s",a[1]*100+a[2],(i<3?" ":"")}}')
    a=$(echo "$after" | awk '{for(i=1;i<=3;i++){split($i,a,".");printf "%d%s",a[1]*100+a[2],(i<3?" ":"")}}')
    if [ "$got" = "$b" ] || [ "$got" = "$a" ]; then ok_load=1; break; fi
done
is "$ok_load" 1 "lamonNodeLoad1/5/15 equal /proc/loadavg x 100 (got '$got', kernel '$b' / '$a')"

up=$(snmp snmpget -Oqv -Ot LAMON-MIB::lamonNodeUptime.0)
k=$(awk '{printf "%d", $1 * 100}' /proc/uptime)
d=$((k - up)); d=${d#-}
[ -n "$up" ] && [ "$d" -le 300 ] && ok "lamonNodeUptime $up is /proc/uptime ($k) within 3 s" \
                 || fail "lamonNodeUptime $up vs /proc/uptime $k"

is "$(val lamonNodeCpuCount.0)" "$(getconf _NPROCESSORS_ONLN)" "lamonNodeCpuCount equals the online CPUs"
is "$(val lamonNodeMemTotal.0)" "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)" "lamonNodeMemTotal equals /proc/meminfo"
ma=$(val lamonNodeMemAvailable.0); ka=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
d=$((ma - ka)); d=${d#-}
[ -n "$ma" ] && [ "$d" -le $((ka / 20)) ] && ok "lamonNodeMemAvailable $ma within 5% of /proc/meminfo $ka" \
    || fail "lamonNodeMemAvailable $ma vs /proc/meminfo $ka"

# CPU utilisation: a busy loop on one CPU for 2 s must show up.
sleep 1.2
u=$(val lamonNodeCpuUtil.0)
[ -n "$u" ] && [ "$u" -ge 0 ] && [ "$u" -le 10000 ] && ok "lamonNodeCpuUtil $u in 0..10000" || fail "lamonNodeCpuUtil '$u'"
( end=$((SECONDS + 3)); while [ $SECONDS -lt $end ]; do :; done ) &
busy=$!
sleep 2.2
u2=$(val lamonNodeCpuUtil.0)
wait $busy
min=$((10000 / $(getconf _NPROCESSORS_ONLN) * 6 / 10))
[ -n "$u2" ] && [ "$u2" -ge "$min" ] && ok "lamonNodeCpuUtil $u2 >= $min while one CPU spins" \
    || fail "lamonNodeCpuUtil '$u2' while one CPU spins (expected >= $min)"

is "$(val lamonNodeConnections.0)" 0 "lamonNodeConnections is 0 without apps"
is "$(val lamonNodeSynRecv.0)" 0 "lamonNodeSynRecv is 0 without apps"
is "$(val lamonNodeKernelRunning.0)" "$(uname -r)" "lamonNodeKernelRunning equals uname -r"
like "$(snmp snmpget LAMON-MIB::lamonNodeKernelNext.0)" 'lamonNodeKernelNext.0 = STRING:' "lamonNodeKernelNext is a string"
btime=$(awk '/^btime/ {print $2}' /proc/stat)
want=$(date -d "@$btime" '+%Y-%-m-%-d,%-H:%-M:%-S.0')
got=$(snmp snmpget -Oqv LAMON-MIB::lamonNodeBootTime.0)
like "$got" "^$want," "lamonNodeBootTime is /proc/stat btime ($want)"
is "$(val lamonNodeAgentVersion.0)" '0.1.0' "lamonNodeAgentVersion"
n=$(snmp snmpwalk -Oqn LAMON-MIB::lamonNode | grep -c '^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.9999\.1\.1\.[0-9]*\.0 ')
is "$(val lamonNodeHeartbeatInterval.0)" 0 "lamonNodeHeartbeatInterval is 0 without heartbeat_ms"
is "$n" 19 "a walk of lamonNode returns all 19 scalars (lamonNodeHeartbeatInterval is the 19th)"

# Freshness: with cache_ms 0 figures are fresh; the agent answers a walk
# without error many times in a row.
errs=0
for i in $(seq 1 20); do snmp snmpwalk -Oq LAMON-MIB::lamonNode >/dev/null 2>&1 || errs=$((errs + 1)); done
is "$errs" 0 "20 walks of lamonNode in a row succeed"
done_testing
