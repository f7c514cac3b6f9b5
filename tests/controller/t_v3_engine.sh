#!/usr/bin/env bash
# SNMPv3 engine-ID change: a node polled as v3 whose snmpd comes back with a
# new engine ID (a reinstall, a fresh persistent directory) answers the
# controller's requests with unknownEngineID reports.  The controller must
# re-discover the engine ID, log it and keep polling: the node comes up
# again, and operations reach it, without a controller restart.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
start_node 1 || bail "node 1 did not start"
start_node 2 || bail "node 2 did not start"
CTL_INTERVAL=500 CTL_TIMEOUT=400 CTL_FALL=3 write_ctl_conf "$T/ctl.conf" "" \
    "node node1 127.0.1.1:$NODE_PORT v3 $V3_USER" \
    "node node2 127.0.1.2:$NODE_PORT v3 $V3_USER"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

state_of() { lamonctl status --json | python3 -c 'import json,sys; d={n["name"]: n for n in json.load(sys.stdin)["nodes"]}; print(d[sys.argv[1]]["state"])' "$1"; }
is_up() { [ "$(state_of "$1")" = up ]; }
engine_id() { snmpget -v2c -c public -r1 -t1 -Oqv "127.0.1.$1:$NODE_PORT" .1.3.6.1.6.3.10.2.1.1.0 2>/dev/null; }
wait_for 20 is_up node1 && ok "node1 (v3) comes up" || bail "node1 never came up: $(lamonctl status)"
before=$(engine_id 1)

# The same node, reinstalled: a fresh persistent directory, a new engine ID.
stop_node 1
rm -rf "$T/node1/persist"
start_node 1 || bail "node 1 did not start again"
after=$(engine_id 1)
if [ -n "$before" ] && [ -n "$after" ] && [ "$before" != "$after" ]; then
    ok "node1's snmpd came back with a new engine ID"
else
    bail "the engine ID did not change ($before / $after): the test cannot show anything"
fi

# Answered since the restart (not the state from before it, which fall=3
# keeps for a moment): last_seen after the new snmpd's start, and up.
restarted=$(date -u -d @$(( $(date +%s) + 1 )) +%Y-%m-%dT%H:%M:%SZ)
last_seen() { lamonctl status --json | python3 -c 'import json,sys; d={n["name"]: n for n in json.load(sys.stdin)["nodes"]}; print(d[sys.argv[1]]["last_seen"] or "")' "$1"; }
answered_since_restart() {
    lamonctl status --json | python3 -c 'import json,sys; n={n["name"]: n for n in json.load(sys.stdin)["nodes"]}["node1"]
sys.exit(0 if n["state"] == "up" and (n["last_seen"] or "") >= sys.argv[1] else 1)' "$restarted"
}
wait_for 30 answered_since_restart && ok "node1 answers the controller again and is up, without a controller restart" \
    || fail "node1 is $(state_of node1), last seen $(last_seen node1), after its engine ID changed at $restarted"
like "$(cat "$T/controller.log")" "node1: SNMPv3 engine ID changed" "the controller logs the engine-ID change"
is "$(state_of node2)" up "node2, untouched, stayed up"
out=$(lamonctl --no-wait kernel node1 0.0.1-none 2>&1)
unlike "$out" "is down" "an operation on node1 is no longer refused as 'node is down'"
check "the controller is still running" kill -0 "$CTL_PID"
stop_controller
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "no sanitizer report from the controller"
done_testing
