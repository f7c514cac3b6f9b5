#!/usr/bin/env bash
# createAndWait rows of lamonVsTable (RFC 2579): at most ipvs_pending_max of
# them (one more gets resourceUnavailable and the earlier ones stay intact
# and usable), and one left unwritten for ipvs_pending_age seconds is
# removed and logged.  Writes use SNMPv3 authPriv.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/vm.sh"
. "$(dirname "$0")/ipvs_lib.sh"
lamon_test_init
trap 'vm_stop; lamon_test_cleanup' EXIT

[ -x "$BUILD/lamon-agent" ] || bail "no $BUILD/lamon-agent: build first"
vm_start "cache_ms 500
ipvs_pending_max 3
ipvs_pending_age 300" || bail "the VM did not start"
ok "VM up; lamon-agent answers"

M=LAMON-MIB
S1=$(vs_idx tcp 10.30.0.1 80)
S2=$(vs_idx tcp 10.30.0.2 80)
S3=$(vs_idx udp 2001:db8::30 53)
S4=$(vs_idx tcp 10.30.0.4 80)
S5=$(vs_idx tcp 10.30.0.5 80)
rowstatus() { vm_snmp snmpget -Oqv "$M::lamonVsRowStatus.$1" 2>&1; }

# --- the cap ----------------------------------------------------------------------
for s in "$S1" "$S2" "$S3"; do
    is "$(snmpset_err $M::lamonVsRowStatus.$s i 5)" noError "createAndWait $s (at most 3)"
done
is "$(snmpset_err $M::lamonVsScheduler.$S2 s rr)" noError "a pending row can be written"
is "$(snmpset_err $M::lamonVsRowStatus.$S4 i 5)" resourceUnavailable \
   "a fourth createAndWait gets resourceUnavailable"
is "$(snmpset_err $M::lamonVsRowStatus.$S5 i 4 $M::lamonVsRowStatus.$S4 i 5)" resourceUnavailable \
   "... also together with a createAndGo in the same request"
unlike "$(vm_exec ipvsadm -Ln)" "10\.30\.0\.5" "... which did not reach the kernel"
like "$(rowstatus "$S4")" "No Such Instance" "the refused row does not exist"
for s in "$S1" "$S2" "$S3"; do
    is "$(rowstatus "$s")" notInService "the earlier row $s is intact (notInService)"
done
is "$(vm_snmp snmpget -Oqv $M::lamonVsScheduler.$S2)" rr "... with what was written to it"
is "$(snmpset_err $M::lamonVsRowStatus.$S2 i 1)" noError "an earlier row can still be made active"
like "$(vm_exec ipvsadm -Ln)" "TCP  10\.30\.0\.2:80 rr" "ipvsadm shows it, with scheduler rr"
is "$(snmpset_err $M::lamonVsRowStatus.$S4 i 5)" noError "that freed a place: createAndWait succeeds again"

# --- aging --------------------------------------------------------------------------
# The age comes from the configuration in force: reload it with a short one.
vm_sh "sed -i 's/^ipvs_pending_age .*/ipvs_pending_age 6/' /run/lamon/agent.conf && kill -HUP \$(pidof lamon-agent)" \
    || bail "cannot reload the agent's configuration"
gone() { rowstatus "$1" | grep -q "No Such Instance"; }
check "the rows left alone are removed after ipvs_pending_age" \
    wait_for 60 eval 'gone "$S1" && gone "$S3" && gone "$S4"'
like "$(vm_exec cat /run/lamon/agent.log)" \
    "createAndWait service tcp 10\.30\.0\.1:80 aged out: not made active within [0-9]+ s \(ipvs_pending_age 6\)" \
    "the agent logs each removal"
like "$(vm_exec cat /run/lamon/agent.log)" "createAndWait service udp \[2001:db8::30\]:53 aged out" \
    "... the v6 one too"
is "$(rowstatus "$S2")" active "the row made active stays"
vm_sh "sed -i 's/^ipvs_pending_age .*/ipvs_pending_age 300/' /run/lamon/agent.conf && kill -HUP \$(pidof lamon-agent)" \
    || bail "cannot reload the agent's configuration"
is "$(snmpset_err $M::lamonVsRowStatus.$S1 i 5 $M::lamonVsRowStatus.$S3 i 5 $M::lamonVsRowStatus.$S4 i 5)" noError \
   "their places are free again: three createAndWait in one request"
is "$(rowstatus "$S1")" notInService "a new pending row reads notInService"
unlike "$(vm_exec ipvsadm -Ln)" "10\.30\.0\.1|10\.30\.0\.4|2001:db8::30" "pending rows never reached the kernel"
done_testing
