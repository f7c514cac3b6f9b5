#!/usr/bin/env bash
# SETs on lamonVsTable/lamonDestTable change the kernel's IPVS table exactly
# as ipvsadm then shows it (v4 and v6; create, weights, scheduler,
# persistence, createAndWait + active, destroy); a SET that the kernel
# refuses halfway is undone as a whole; bad values get the right SNMP error
# and change nothing.  Writes use SNMPv3 authPriv.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/vm.sh"
. "$(dirname "$0")/ipvs_lib.sh"
lamon_test_init
trap 'vm_stop; lamon_test_cleanup' EXIT

[ -x "$BUILD/lamon-agent" ] || bail "no $BUILD/lamon-agent: build first"
vm_start "cache_ms 500" || bail "the VM did not start"
ok "VM up; lamon-agent answers"

M=LAMON-MIB
A=$(vs_idx tcp 10.20.0.1 80)
B=$(vs_idx udp 2001:db8::53 53)
A1=$(dest_idx "$A" 192.168.60.2 8080)
A2=$(dest_idx "$A" 192.168.60.3 8080)
B1=$(dest_idx "$B" 2001:db8::10 53)

# --- write --------------------------------------------------------------------
is "$(snmpset_err $M::lamonVsRowStatus.$A i 4 $M::lamonVsScheduler.$A s rr \
      $M::lamonDestRowStatus.$A1 i 4 $M::lamonDestWeight.$A1 i 3 $M::lamonDestFwdMethod.$A1 i 1)" \
   noError "createAndGo of a v4 service and a destination in one SET"
like "$(vm_exec ipvsadm -Ln)" "TCP  10\.20\.0\.1:80 rr" "ipvsadm shows the new service with scheduler rr"
like "$(vm_exec ipvsadm -Ln)" "-> 192\.168\.60\.2:8080 +Masq +3 " "ipvsadm shows the destination, masq, weight 3"

is "$(snmpset_err $M::lamonDestWeight.$A1 i 0)" noError "set weight 0 (drain)"
like "$(vm_exec ipvsadm -Ln -t 10.20.0.1:80)" "192\.168\.60\.2:8080 +Masq +0 " "ipvsadm shows weight 0"
is "$(snmpset_err $M::lamonVsScheduler.$A s wlc $M::lamonVsTimeout.$A u 300 $M::lamonVsPersistPrefix.$A u 24)" \
   noError "change scheduler and persistence"
like "$(vm_exec ipvsadm -Ln -t 10.20.0.1:80)" "wlc persistent 300 mask 255\.255\.255\.0" \
   "ipvsadm shows wlc, persistent 300, mask /24"
is "$(kernel_flags 'TCP 10.20.0.1:80')" 80 "the kernel's flags of a persistent service: persistent"
is "$(agent_flags "$A")" 80 "lamonVsFlags reads the same: persistent(0) follows the timeout"
is "$(snmpset_err $M::lamonVsFlags.$A x 20)" noError "write lamonVsFlags schedFlag1 (persistent not written)"
is "$(kernel_flags 'TCP 10.20.0.1:80')" a0 "the kernel has flag-1, and persistent still"
is "$(agent_flags "$A")" a0 "lamonVsFlags reads the kernel's flags back"
is "$(snmpset_err $M::lamonVsFlags.$A x 00)" noError "clear the written flags"
is "$(agent_flags "$A"):$(kernel_flags 'TCP 10.20.0.1:80')" 80:80 "agent and kernel agree: persistent only"
is "$(snmpset_err $M::lamonDestUpperThreshold.$A1 u 100 $M::lamonDestLowerThreshold.$A1 u 10 $M::lamonDestFwdMethod.$A1 i 4)" \
   noError "thresholds and forwarding method"
like "$(vm_exec ipvsadm -Ln --thresholds -t 10.20.0.1:80)" "192\.168\.60\.2:8080 +100 +10 " "ipvsadm shows thresholds 100/10"
like "$(vm_exec ipvsadm -Ln -t 10.20.0.1:80)" "192\.168\.60\.2:8080 +Route " "ipvsadm shows route"

is "$(snmpset_err $M::lamonVsRowStatus.$B i 4 $M::lamonVsScheduler.$B s sh $M::lamonVsFlags.$B x 40 \
      $M::lamonDestRowStatus.$B1 i 4 $M::lamonDestWeight.$B1 i 7)" noError "createAndGo of a v6 UDP service (onePacket) and destination"
like "$(vm_exec ipvsadm -Ln)" "UDP  \[2001:db8::53\]:53 sh ops" "ipvsadm shows the v6 service with sh and ops"
like "$(vm_exec ipvsadm -Ln)" "-> \[2001:db8::10\]:53 +Route +7 " "ipvsadm shows the v6 destination, weight 7"
is "$(kernel_flags 'UDP [2001:db8::53]:53')" 40 "the kernel's flags of the v6 service: ops"
is "$(agent_flags "$B")" 40 "lamonVsFlags reads the same"
is "$(snmpset_err $M::lamonVsFlags.$B x 70)" noError "write lamonVsFlags onePacket, sh-fallback, sh-port"
like "$(vm_exec ipvsadm -Ln)" "UDP  \[2001:db8::53\]:53 sh \(sh-fallback,sh-port\) ops" "ipvsadm shows the three flags"
is "$(agent_flags "$B"):$(kernel_flags 'UDP [2001:db8::53]:53')" 70:70 "agent and kernel agree"

C=$(vs_idx tcp 10.20.0.2 443)
is "$(snmpset_err $M::lamonVsRowStatus.$C i 5)" noError "createAndWait keeps a service in the agent"
unlike "$(vm_exec ipvsadm -Ln)" "10\.20\.0\.2:443" "not in the kernel yet"
is "$(vm_snmp snmpget -Oqv $M::lamonVsRowStatus.$C)" "notInService" "its RowStatus reads notInService"
is "$(snmpset_err $M::lamonVsScheduler.$C s lc $M::lamonVsTimeout.$C u 60)" noError "set its scheduler and timeout"
is "$(snmpset_err $M::lamonVsRowStatus.$C i 1)" noError "active puts it into the kernel"
like "$(vm_exec ipvsadm -Ln)" "TCP  10\.20\.0\.2:443 lc persistent 60" "ipvsadm shows it with lc, persistent 60"

is "$(snmpset_err $M::lamonDestRowStatus.$B1 i 6)" noError "destroy a v6 destination"
unlike "$(vm_exec ipvsadm -Ln)" "2001:db8::10" "ipvsadm no longer shows it"
is "$(snmpset_err $M::lamonVsRowStatus.$C i 6)" noError "destroy a service"
unlike "$(vm_exec ipvsadm -Ln)" "10\.20\.0\.2:443" "ipvsadm no longer shows it"
check "the whole table still matches ipvsadm column by column" ipvs_compare "$T/cmp"

# --- all-or-nothing ---------------------------------------------------------------
snap=$(ipvs_snapshot)
D=$(vs_idx tcp 10.20.0.3 80)
E=$(vs_idx tcp 10.20.0.4 80)
# ACTION order: services in (D added), services changed (A), destinations
# out (A1 removed), in (the v6 one under the v4 service A with masq: the
# kernel refuses it) -> everything before must be undone.
is "$(snmpset_err $M::lamonVsRowStatus.$D i 4 $M::lamonVsScheduler.$A s rr $M::lamonDestRowStatus.$A1 i 6 \
      $M::lamonDestRowStatus.$(dest_idx "$A" 2001:db8::99 80) i 4 $M::lamonDestFwdMethod.$(dest_idx "$A" 2001:db8::99 80) i 1)" \
   inconsistentValue "a SET whose fourth change the kernel refuses fails with inconsistentValue"
is "$(ipvs_snapshot)" "$snap" "... and the three changes before it are undone (ipvsadm -Sn unchanged)"
is "$(snmpset_err $M::lamonVsRowStatus.$D i 4 $M::lamonVsRowStatus.$E i 4 $M::lamonVsScheduler.$E s nosuch)" \
   wrongValue "a SET with an unknown scheduler in its second new service fails with wrongValue"
is "$(ipvs_snapshot)" "$snap" "... and the first new service is removed again"
vm_exec cat /run/lamon/agent.log | grep -q "kernel refused.*No such file" \
    && ok "the kernel's reason is logged" || fail "no log line with the kernel's reason"

# --- bad values ---------------------------------------------------------------------
bad() {  # EXPECTED DESC ARGS...
    local want=$1 desc=$2; shift 2
    # -Ir: let the agent, not snmpset's MIB checks, judge the value
    is "$(VM_SNMP_OPTS=-Ir snmpset_err "$@")" "$want" "$desc: $want"
}
bad wrongValue "unknown scheduler" $M::lamonVsScheduler.$A s nosuch
bad wrongLength "scheduler name of 16 characters" $M::lamonVsScheduler.$A s abcdefghijklmnop
bad wrongValue "scheduler name with odd characters" $M::lamonVsScheduler.$A s 'r r'
bad wrongType "weight as a string" $M::lamonDestWeight.$A1 s 5
bad wrongValue "negative weight" $M::lamonDestWeight.$A1 i -1
bad wrongValue "forwarding method 7" $M::lamonDestFwdMethod.$A1 i 7
bad wrongValue "prefix 129" $M::lamonVsPersistPrefix.$A u 129
bad inconsistentValue "prefix 33 on an IPv4 service" $M::lamonVsPersistPrefix.$A u 33
bad wrongValue "an undefined flag bit" $M::lamonVsFlags.$A x 04
bad wrongValue "RowStatus notReady" $M::lamonVsRowStatus.$D i 3
bad wrongValue "createAndWait of a destination" $M::lamonDestRowStatus.$A2 i 5
bad inconsistentValue "createAndGo of an existing service" $M::lamonVsRowStatus.$A i 4
bad inconsistentValue "createAndGo of an existing destination" $M::lamonDestRowStatus.$A1 i 4
bad inconsistentName "a destination under a missing service" $M::lamonDestRowStatus.$(dest_idx "$D" 192.168.60.2 80) i 4
bad inconsistentName "weight of a missing destination" $M::lamonDestWeight.$A2 i 5
bad inconsistentValue "lower threshold above the upper one" $M::lamonDestLowerThreshold.$A1 u 500
bad notWritable "a counter" $M::lamonVsConns.$A u 5
bad noCreation "an index that is no valid key" $M::lamonVsScheduler.7.1.4.10.0.0.1.80.0 s rr
is "$(ipvs_snapshot)" "$snap" "after all the refused SETs ipvsadm -Sn is unchanged"
done_testing
