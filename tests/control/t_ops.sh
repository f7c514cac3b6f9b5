#!/usr/bin/env bash
# lamonOpTable semantics: serialisation per target, conflicts refused with
# inconsistentValue, RowStatus rules, reboot/shutdown recorded before they
# run (node state stopping), and aging by op_keep.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

# The reboot/shutdown commands: harmless scripts that record what the agent
# showed while they ran (node state and the operation rows), then a marker.
for what in reboot shutdown; do
    cat >"$T/$what.sh" <<SH
#!/bin/sh
snmpget -v2c -c public -Oqve -r0 -t2 127.0.0.1:\$1 .1.3.6.1.4.1.8072.9999.9999.9999.1.1.2.0 >"$T/$what.state"
snmpwalk -v2c -c public -Oqve -r0 -t2 127.0.0.1:\$1 $OPT.4 >"$T/$what.ops"
echo "$what done" >"$T/$what.marker"
SH
    chmod +x "$T/$what.sh"
done
conf() {   # conf KEEP_SECONDS KEEP_COUNT
    base_conf
    cat <<CONF
app slow 1
app_start slow /bin/sh -c "echo starting slow; sleep 2; echo started"
app_stop slow /bin/true
app fast 2
app_start fast /bin/echo fast
app_stop fast /bin/true
reboot_cmd $T/reboot.sh $SNMP_PORT
shutdown_cmd $T/shutdown.sh $SNMP_PORT
op_keep $1 $2
CONF
}
start_snmpd || bail "snmpd did not start"
conf 3600 100 >"$T/agent.conf"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"
S=$(implied slow)

# --- serialisation and conflicts
is "$(create_op 1 1 slow)" noError "createAndGo appStart slow"
like "$(op 4 1)" '^[12]$' "the SET returned while the operation is queued or running"
wait_for 5 sh -c "[ \"\$(snmpget -v2c -c public -Oqve 127.0.0.1:$SNMP_PORT $APPT.4$S)\" = 4 ]"
is "$(get "$APPT.4$S")" 4 "lamonAppOperStatus shows starting(4) while the start command runs"
is "$(set_err "$APPT.5$S" i 2)" inconsistentValue "lamonAppAdminStatus write on a busy application: inconsistentValue"
is "$(create_op 2 2 slow)" inconsistentValue "createAndGo appStop on a busy application: inconsistentValue"
is "$(set_err "$OPT.9.1" i 6)" inconsistentValue "destroy of a running operation: inconsistentValue"
is "$(create_op 3 1 fast)" noError "another application runs in parallel"
is "$(create_op 4 6 0.0.1-test)" noError "the boot loader is another target"
wait_op 1 || fail "operation 1 did not end"
is "$(op 4 1):$(op 5 1)" 3:0 "the slow start succeeded"
is "$(op 6 1)" "starting slow
started" "its output tail"
is "$(rows)" "1 3 4" "the refused creation left no row"
is "$(create_op 2 2 slow)" noError "once it ended the application takes a new operation"
wait_op 2

# --- RowStatus rules
is "$(create_op 1 1 fast)" inconsistentValue "createAndGo on an existing index: inconsistentValue"
is "$(set_err "$OPT.2.20" i 1 "$OPT.3.20" s fast "$OPT.9.20" i 5)" wrongValue "createAndWait (unsupported): wrongValue"
is "$(set_err "$OPT.2.20" i 1 "$OPT.3.20" s fast "$OPT.9.20" i 3)" wrongValue "notReady: wrongValue"
is "$(set_err "$OPT.9.20" i 1)" inconsistentValue "active on a row that does not exist: inconsistentValue"
is "$(set_err "$OPT.9.20" i 4)" inconsistentValue "createAndGo without lamonOpType: inconsistentValue"
is "$(set_err "$OPT.2.20" i 1 "$OPT.3.20" s fast)" inconsistentName "columns of a missing row without RowStatus: inconsistentName"
is "$(set_err "$OPT.4.3" i 3)" notWritable "lamonOpStatus: notWritable"
is "$(set_err "$L::lamonOpNextIndex.0" u 5)" notWritable "lamonOpNextIndex: notWritable"
is "$(set_err "$OPT.3.3" s other)" inconsistentValue "changing the argument of an existing row: inconsistentValue"
is "$(rows)" "1 2 3 4" "none of these changed the table"
is "$(set_err "$OPT.9.3" i 6)" noError "destroy of a finished row"
is "$(rows)" "1 2 4" "the row is gone"
is "$(set_err "$OPT.9.77" i 6)" noError "destroy of a row that does not exist succeeds (RFC 2579)"

# --- reboot and shutdown: recorded first, node stopping, after the others
is "$(create_op 30 1 slow)" noError "a slow operation"
is "$(create_op 31 4)" noError "createAndGo reboot while it runs"
is "$(op 4 31)" 1 "the reboot waits, queued, for the running operation"
is "$(create_op 32 1 fast)" inconsistentValue "no new operation while a reboot is pending"
is "$(create_op 33 5)" inconsistentValue "nor a second node operation"
wait_op 31 || fail "the reboot did not end"
is "$(op 4 31):$(op 5 31)" 3:0 "the reboot command ran and succeeded"
is "$(cat "$T/reboot.marker" 2>/dev/null)" "reboot done" "reboot_cmd ran (marker file)"
is "$(cat "$T/reboot.state" 2>/dev/null)" 5 "the node was stopping(5) while reboot_cmd ran"
like "$(tr '\n' ' ' <"$T/reboot.ops" 2>/dev/null)" '^([0-9] )*2 $' "the reboot row existed, running(2), while its command ran"
is "$(op 4 30)" 3 "the slow operation had ended first"
is "$(get LAMON-MIB::lamonNodeState.0)" 5 "lamonNodeState is stopping(5)"
is "$(create_op 34 5 now)" wrongValue "shutdown with an argument: wrongValue"
is "$(create_op 34 5)" noError "createAndGo shutdown"
wait_op 34 || fail "the shutdown did not end"
is "$(op 4 34):$(cat "$T/shutdown.marker" 2>/dev/null)" "3:shutdown done" "shutdown_cmd ran"

# --- aging: keep 3 s and 2 rows
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
conf 3 2 >"$T/agent.conf"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not restart"
for i in 1 2 3; do
    create_op "$i" 1 fast >/dev/null
    wait_op "$i"
done
wait_for 3 sh -c "[ \"\$(snmpwalk -v2c -c public -On 127.0.0.1:$SNMP_PORT $OPT.9 | wc -l)\" = 2 ]"
is "$(rows)" "2 3" "beyond op_keep's count the oldest finished row goes"
is "$(next_index)" 4 "indexes are not reused"
wait_for 8 sh -c "! snmpwalk -v2c -c public -On 127.0.0.1:$SNMP_PORT $OPT.9 | grep -q '^$OPT'"
is "$(rows)" "" "after op_keep's seconds the finished rows are gone"
done_testing
