#!/usr/bin/env bash
# Notifications through snmpd's trap sink to a real snmptrapd: the agent's
# lamonNodeStarted, lamonAppStateChange and lamonOpCompleted (with type,
# argument, status and exit code), for a succeeding and a failing operation.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

TPORT=$(free_udp_port)
echo "disableAuthorization yes" >"$T/snmptrapd.conf"
snmptrapd -f -Lf "$T/traps.log" -C -c "$T/snmptrapd.conf" -p "$T/snmptrapd.pid" \
    "udp:127.0.0.1:$TPORT" >/dev/null 2>&1 &
LAMON_PIDS="${LAMON_PIDS:-} $!"
wait_for 10 grep -q "NET-SNMP version" "$T/traps.log" || bail "snmptrapd did not start"

APORT=$(free_tcp_port)
base_conf >"$T/agent.conf"
cat >>"$T/agent.conf" <<CONF
app web $APORT
app_start web /usr/sbin/start-stop-daemon --start --background --make-pidfile --pidfile $T/web.pid --exec $(readlink -f $PY) -- -m http.server $APORT --bind 127.0.0.1
app_stop web /usr/sbin/start-stop-daemon --stop --oknodo --retry 5 --pidfile $T/web.pid --remove-pidfile
app broken $(free_tcp_port)
app_start broken /bin/sh -c "echo cannot start; exit 7"
CONF
start_snmpd "trap2sink 127.0.0.1:$TPORT public" || bail "snmpd did not start"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"
trap '[ -f "$T/web.pid" ] && kill "$(cat "$T/web.pid")" 2>/dev/null; lamon_test_cleanup' EXIT

traps() { tr '\n' ' ' <"$T/traps.log" | sed 's/NET-SNMP version/\n&/g; s/20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:]* /\n&/g'; }
has_trap() { traps | grep -E -q "$1"; }

wait_for 10 has_trap "lamonNodeStarted"
check "lamonNodeStarted received, with name and running kernel" has_trap \
    "lamonNodeStarted.*lamonNodeName.0 = STRING: \"?ctl-node.*lamonNodeKernelRunning.0 = STRING: \"?$(uname -r)"

is "$(create_op 1 1 web)" noError "appStart web"
wait_op 1
wait_for 10 has_trap "lamonOpCompleted.*lamonOpType.1 = INTEGER: appStart"
check "lamonOpCompleted for operation 1: appStart web succeeded, exit 0" has_trap \
    "lamonOpCompleted.*lamonNodeName.0 = STRING: \"?ctl-node.*lamonOpType.1 = INTEGER: appStart\(1\).*lamonOpArgument.1 = STRING: \"?web.*lamonOpStatus.1 = INTEGER: succeeded\(3\).*lamonOpExitCode.1 = INTEGER: 0"
wait_for 15 has_trap "lamonAppStateChange.*INTEGER: up"
check "lamonAppStateChange: web up" has_trap "lamonAppStateChange.*lamonAppLabel.*web.*lamonAppOperStatus.* = INTEGER: up\(1\)"

is "$(create_op 2 1 broken)" noError "appStart broken"
wait_op 2
wait_for 10 has_trap "lamonOpType.2 = "
check "lamonOpCompleted for operation 2: failed, exit 7" has_trap \
    "lamonOpCompleted.*lamonOpType.2 = INTEGER: appStart\(1\).*lamonOpArgument.2 = STRING: \"?broken.*lamonOpStatus.2 = INTEGER: failed\(4\).*lamonOpExitCode.2 = INTEGER: 7"
is "$(traps | grep -c 'lamonOpCompleted')" 2 "exactly one lamonOpCompleted per operation"
done_testing
