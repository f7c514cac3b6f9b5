#!/usr/bin/env bash
# SNMPv3 reads: the controller polls two real nodes as v3 authPriv while six
# configured v3 nodes are unreachable (free loopback ports nobody answers).
# The engine-ID discovery of the unreachable ones must not hold up the
# loop: the reachable nodes are still polled every interval.  A third real
# node read as a user its agent does not know never comes up, which shows
# the reads really go through USM.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
for n in 1 2 3; do start_node $n || bail "node $n did not start"; done
NDEAD=6
dead=()
for i in $(seq 1 $NDEAD); do dead+=("node dead$i 127.0.1.$((100 + i)):$(free_udp_port) v3 $V3_USER"); done
CTL_INTERVAL=1000 CTL_TIMEOUT=800 write_ctl_conf "$T/ctl.conf" "" \
    "v3user stranger sha strangerauth aes strangerpriv" \
    "node node1 127.0.1.1:$NODE_PORT v3 $V3_USER" \
    "node node2 127.0.1.2:$NODE_PORT v3 $V3_USER" \
    "node node3 127.0.1.3:$NODE_PORT v3 stranger" \
    "${dead[@]}"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

state_of() { lamonctl status --json | python3 -c 'import json,sys; d={n["name"]: n for n in json.load(sys.stdin)["nodes"]}; print(d[sys.argv[1]][sys.argv[2]])' "$1" "$2"; }
both_up() { [ "$(state_of node1 state)" = up ] && [ "$(state_of node2 state)" = up ]; }
if wait_for 20 both_up; then ok "the two reachable v3 nodes come up"; else fail "reachable v3 nodes up"; lamonctl status | sed 's/^/# /'; fi
cycles() { lamonctl stats | awk '$1 == "cycles" {print $2}'; }

# The window: with a 1 s interval, W seconds of wall clock hold W cycles.
# Each unreachable node blocking the loop for its 0.8 s timeout would leave
# about W / 5 (lamonctl itself then waits for the loop, so the window is
# measured by the clock around the two answers, not by the sleep).
c0=$(cycles) s0=$(state_of node1 last_seen) t0=$(date +%s)
sleep 10
c1=$(cycles) s1=$(state_of node1 last_seen) t1=$(date +%s)
W=$((t1 - t0)) done_cycles=$((c1 - c0))
diag "cycles in ${W}s: $done_cycles (load: $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "$done_cycles" -ge $((W / 2)) ]; then ok "at least half the expected poll cycles ($done_cycles in ${W}s) with $NDEAD unreachable v3 nodes"
else fail "only $done_cycles poll cycles in ${W}s with $NDEAD unreachable v3 nodes"; fi
isnt_same() { [ "$1" != "$2" ]; }
check "node1's last_seen advanced over the window ($s0 -> $s1)" isnt_same "$s0" "$s1"
check "node1 and node2 are still up" both_up
is "$(state_of dead1 state)" down "an unreachable v3 node is down"
unlike "$(state_of node3 state)" '^up$' "a node read as a user its agent does not know never comes up"
check "the controller is still running" kill -0 "$CTL_PID"
stop_controller
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "no sanitizer report from the controller"
done_testing
