#!/usr/bin/env bash
# On a kernel without IPVS (this host's), lamon-agent still starts, logs the
# fact once, shows empty IPVS tables and refuses to create rows with
# resourceUnavailable; with "ipvs off" the subtree is not registered at all.
# Runs on the host, no VM.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
lamon_test_init
[ -x "$AGENT_BIN" ] || bail "no $AGENT_BIN: build first"
if ipvsadm -Ln >/dev/null 2>&1; then
    skip "this kernel has IPVS; the test is about one without"
    done_testing; exit 0
fi
start_snmpd || bail "snmpd"
mkdir -p "$T/state"
printf 'nodename n1\nstatedir %s\n' "$T/state" >"$T/agent.conf"
start_agent "$T/agent.conf" || bail "agent"
out=$(snmp snmpwalk LAMON-MIB::lamonIpvs 2>&1)
unlike "$out" "lamonVs|lamonDest" "lamonIpvs is empty without IPVS"
like "$(snmpv3 snmpset LAMON-MIB::lamonVsRowStatus.6.1.4.10.0.0.1.80.0 i 4 2>&1)" "resourceUnavailable" \
    "createAndGo is refused with resourceUnavailable"
is "$(grep -c 'has no IPVS' "$T/agent.log")" "1" "the missing IPVS is logged once"
like "$(snmp snmpget LAMON-MIB::lamonNodeName.0)" "n1" "the rest of the agent works"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
printf 'ipvs off\n' >>"$T/agent.conf"
start_agent "$T/agent.conf" || bail "agent with ipvs off"
like "$(snmpv3 snmpset LAMON-MIB::lamonVsRowStatus.6.1.4.10.0.0.1.80.0 i 4 2>&1)" "notWritable|noCreation|noAccess" \
    "with ipvs off the subtree is not registered"
like "$(cat "$T/agent.log")" "ipvs: off in the configuration" "and the agent says so"
done_testing
