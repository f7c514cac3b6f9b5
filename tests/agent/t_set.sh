#!/usr/bin/env bash
# Writes: read-only objects refuse (notWritable), bad values get the proper
# error and change nothing, good values persist across an agent restart.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
start_snmpd || bail "snmpd did not start"
P=$(free_tcp_port)
cat >"$T/agent.conf" <<CONF
nodename setnode
statedir $T/state
app web $P
CONF
start_agent_ready "$T/agent.conf" || bail "agent did not register"

for o in lamonNodeName.0:s:x lamonNodeLoad1.0:u:5 lamonNodeUptime.0:t:5 lamonNodeCpuUtil.0:u:1 \
         lamonNodeKernelRunning.0:s:x lamonNodeKernelNext.0:s:x lamonNodeAgentVersion.0:s:x \
         lamonNodeConnections.0:u:1 "lamonAppLabel.'web':s:x" "lamonAppPorts.'web':s:1" \
         "lamonAppEstablished.'web':u:3" "lamonAppOperStatus.'web':i:1"; do
    IFS=: read -r obj type value <<<"$o"
    is "$(set_result "LAMON-MIB::$obj" "$type" "$value")" "Reason: notWritable (That object does not support modification)" \
       "SET $obj is refused with notWritable"
done
is "$(val lamonNodeName.0)" setnode "lamonNodeName unchanged after the refused SET"

is "$(set_result LAMON-MIB::lamonNodeRole.0 i 7)" "Reason: wrongValue (The set value is illegal or unsupported in some way)" "role 7 -> wrongValue"
is "$(set_result LAMON-MIB::lamonNodeRole.0 i 0)" "Reason: wrongValue (The set value is illegal or unsupported in some way)" "role 0 -> wrongValue"
is "$(set_result LAMON-MIB::lamonNodeRole.0 s server)" "Reason: wrongType (The set datatype does not match the data type the agent expects)" "role as a string -> wrongType"
is "$(set_result LAMON-MIB::lamonNodeState.0 i 1)" "Reason: wrongValue (The set value is illegal or unsupported in some way)" "state booting(1) -> wrongValue"
is "$(set_result LAMON-MIB::lamonNodeState.0 i 5)" "Reason: wrongValue (The set value is illegal or unsupported in some way)" "state stopping(5) -> wrongValue"
is "$(set_result LAMON-MIB::lamonNodeState.0 i 9)" "Reason: wrongValue (The set value is illegal or unsupported in some way)" "state 9 -> wrongValue"
is "$(set_result LAMON-MIB::lamonNodeState.0 u 3)" "Reason: wrongType (The set datatype does not match the data type the agent expects)" "state as Gauge32 -> wrongType"
long=$(printf 'x%.0s' $(seq 1 65))
is "$(set_result LAMON-MIB::lamonNodeService.0 s "$long")" "Reason: wrongLength (The set value has an illegal length from what the agent expects)" "65-character service -> wrongLength"
is "$(set_result LAMON-MIB::lamonNodeService.0 i 3)" "Reason: wrongType (The set datatype does not match the data type the agent expects)" "service as an integer -> wrongType"
is "$(set_result LAMON-MIB::lamonNodeService.0 x 0a0b)" "Reason: wrongValue (The set value is illegal or unsupported in some way)" "service with control characters -> wrongValue"
is "$(set_result "LAMON-MIB::lamonAppAdminStatus.'web'" i 9)" "Reason: wrongValue (The set value is illegal or unsupported in some way)" "app admin status 9 -> wrongValue"
like "$(set_result "LAMON-MIB::lamonAppAdminStatus.'nosuch'" i 1)" "Reason: (noCreation|notWritable)" "admin status of an unknown app is refused"
# A bad varbind in a PDU rolls back its good neighbours.
is "$(set_result LAMON-MIB::lamonNodeRole.0 i 2 LAMON-MIB::lamonNodeService.0 s "$long")" \
   "Reason: wrongLength (The set value has an illegal length from what the agent expects)" "role + too-long service in one PDU is refused"
is "$(val lamonNodeRole.0)" 1 "role unchanged after the refused SETs"
is "$(snmp snmpget -Oqv LAMON-MIB::lamonNodeService.0)" "" "service unchanged after the refused SETs"
is "$(val lamonNodeState.0)" 2 "state unchanged after the refused SETs"

is "$(set_result LAMON-MIB::lamonNodeRole.0 i 3 LAMON-MIB::lamonNodeService.0 s web-pool LAMON-MIB::lamonNodeState.0 i 4)" OK "SET role spare(3), service web-pool, state maintenance(4)"
is "$(val lamonNodeRole.0)" 3 "role reads spare(3)"
is "$(val lamonNodeService.0)" web-pool "service reads web-pool"
is "$(val lamonNodeState.0)" 4 "state reads maintenance(4)"
like "$(cat "$T/state/state" 2>&1)" "role 3" "the state file holds the role"
check "no temp file is left behind" test ! -e "$T/state/state.tmp"

kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
start_agent_ready "$T/agent.conf" || bail "agent did not restart"
is "$(val lamonNodeRole.0)" 3 "role persists across an agent restart"
is "$(val lamonNodeService.0)" web-pool "service persists across an agent restart"
is "$(val lamonNodeState.0)" 4 "state maintenance persists across an agent restart"
is "$(set_result LAMON-MIB::lamonNodeState.0 i 2)" OK "SET state running(2) ends maintenance"
is "$(val lamonNodeState.0)" 2 "state reads running(2)"
# v2c community is read-only.
check_fails "a SET with the read-only community fails" snmp snmpset LAMON-MIB::lamonNodeRole.0 i 2
is "$(val lamonNodeRole.0)" 3 "role unchanged by the read-only community"
done_testing
