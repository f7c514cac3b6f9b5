#!/usr/bin/env bash
# Application control over SNMP SET: lamonAppAdminStatus down/up/restart runs
# the configured start/stop argv (start-stop-daemon around a real
# python3 http.server), the operation is recorded in lamonOpTable and
# lamonAppOperStatus follows the real state of the port.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

PORT=$(free_tcp_port)
PYBIN=$(readlink -f $PY)
mkdir -p "$T/www"
echo lamon >"$T/www/index.html"
base_conf >"$T/agent.conf"
cat >>"$T/agent.conf" <<CONF
app web $PORT
# start-stop-daemon --background returns once the server runs: the operation ends
app_start web /usr/sbin/start-stop-daemon --start --background --make-pidfile --pidfile $T/web.pid --exec $PYBIN -- -m http.server $PORT --bind 127.0.0.1 --directory $T/www
app_stop web /usr/sbin/start-stop-daemon --stop --oknodo --retry 5 --pidfile $T/web.pid --remove-pidfile
CONF
start_snmpd || bail "snmpd did not start"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"
# whatever happens, stop the server we may have started (by its pid file)
trap '[ -f "$T/web.pid" ] && kill "$(cat "$T/web.pid")" 2>/dev/null; lamon_test_cleanup' EXIT

W=$(implied web)
oper() { get "$APPT.4$W"; }
oper_is() { [ "$(oper)" = "$1" ]; }
listening() { ss -Hltn "sport = :$PORT" | grep -q LISTEN; }

wait_for 10 oper_is 2
is "$(oper)" 2 "application down before any operation"
check_fails "nothing listens on port $PORT" listening

is "$(set_err "$APPT.5$W" i 1)" noError "SET lamonAppAdminStatus.web = up returns at once"
idx=$(rows)
is "$idx" 1 "an operation row was created"
is "$(op 2 1)" 1 "its type is appStart(1)"
is "$(op 3 1)" web "its argument is the application"
wait_op 1 || fail "operation 1 did not end"
is "$(op 4 1)" 3 "appStart succeeded"
is "$(op 5 1)" 0 "exit code 0"
like "$(op 7 1)" '^20[0-9]{2}-[0-9]{1,2}-[0-9]{1,2},' "start time is a DateAndTime"
like "$(op 8 1)" '^20[0-9]{2}-[0-9]{1,2}-[0-9]{1,2},' "end time is a DateAndTime"
check "the server accepts connections" wait_for 10 listening
wait_for 10 oper_is 1
is "$(oper)" 1 "lamonAppOperStatus follows: up"
is "$(get "$APPT.5$W")" 1 "lamonAppAdminStatus reads up"
like "$($PY -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:$PORT/').read().decode())")" lamon \
    "the started application serves"

pid1=$(cat "$T/web.pid")
is "$(set_err "$APPT.5$W" i 3)" noError "SET restart"
wait_op 2 || fail "operation 2 did not end"
is "$(op 2 2):$(op 4 2)" 3:3 "appRestart(3) succeeded"
pid2=$(cat "$T/web.pid" 2>/dev/null)
[ -n "$pid2" ] && [ "$pid2" != "$pid1" ] && ok "restart replaced the server process ($pid1 -> $pid2)" \
    || fail "restart kept pid $pid1 (now '$pid2')"
wait_for 10 oper_is 1
is "$(oper)" 1 "up again after restart"

is "$(set_err "$APPT.5$W" i 2)" noError "SET lamonAppAdminStatus.web = down"
wait_op 3 || fail "operation 3 did not end"
is "$(op 2 3):$(op 4 3):$(op 5 3)" 2:3:0 "appStop(2) succeeded with exit 0"
wait_for 10 oper_is 2
is "$(oper)" 2 "lamonAppOperStatus follows: down"
check_fails "the port is closed" listening
is "$(get "$APPT.5$W")" 2 "lamonAppAdminStatus reads down"

# the controller's way: an operation row created directly
is "$(create_op 10 1 web)" noError "createAndGo appStart web at index 10"
wait_op 10 || fail "operation 10 did not end"
is "$(op 4 10)" 3 "appStart through lamonOpTable succeeded"
wait_for 10 oper_is 1
is "$(oper)" 1 "up through lamonOpTable"
is "$(next_index)" 11 "lamonOpNextIndex moves past the highest index"
done_testing
