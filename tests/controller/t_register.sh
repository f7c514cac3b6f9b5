#!/usr/bin/env bash
# Self-registration end to end: three real agents (127.0.1.1-3) with
# heartbeat_ms 1500 behind real snmpds whose informsink points at the
# controller's listen port (each sends from its node's own address:
# clientaddr), and a real IPVS director in the qemu VM (ipvsadm -Ln in the
# guest).  Only node1 is in the configuration; the service wants 2 nodes.
#  (a) node2 and node3 register from their heartbeats (accept ... port P:
#      polled on their snmpd's port, not the trap socket's), are polled,
#      one is promoted to the short service and added to IPVS, the other
#      made a spare; `lamonctl --json status` says "source": "registered"
#      for them and "config" for node1; their RRDs are written;
#  (b) a heartbeat naming node2 from another address is refused as a
#      conflict, counted and logged, and changes nothing;
#  (c) the controller restarted in this healthy cluster learns node2 and
#      node3 again from their heartbeats and sends no SET at all
#      (`lamonctl --json stats` "sets": 0; IPVS unchanged).
# No timed assertions: every wait is bounded and waits for an event.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
. "$(dirname "$0")/../vm/vm.sh"
lamon_test_init
trap 'vm_stop; lamon_test_cleanup' EXIT
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"

RP=$(free_udp_port)
node_snmpd_extra() {
    # The registered nodes are polled with the accept line's community.
    printf '%s\n' "informsink 127.0.0.1:$RP lamontrap" "[snmp] clientaddr 127.0.1.$1" \
        "rocommunity lamontrap 127.0.0.0/8"
}
# Heartbeats slower than a poll cycle: after a restart the first decisions
# come before the registered nodes are heard again, which is what the
# registration window (default 2 s) is for.
node_agent_extra() { echo "heartbeat_ms 1500"; }

vm_start "cache_ms 200" || bail "the VM did not start"
ok "director VM up (snmpd + lamon-agent with IPVS on 127.0.0.1:$VM_SNMP_PORT)"
for n in 1 2 3; do start_node $n || bail "node $n did not start"; done
mkdir -p "$T/rrd"
CTL_INTERVAL=1000 CTL_TIMEOUT=800 CTL_RISE=1 write_ctl_conf "$T/ctl.conf" "1" \
    "rrddir $T/rrd" \
    "listen 127.0.0.1:$RP" \
    "accept 127.0.1.0/24 community lamontrap port $NODE_PORT" \
    "accept 127.0.0.0/24 community lamontrap port $NODE_PORT" \
    "director lvs1 127.0.0.1:$VM_SNMP_PORT" \
    "service www tcp 10.0.0.1:80 nodes 2 sched rr fwd route app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

ipvs_dests() { vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^127\.0\.1\./ {print $2}' | sort | tr '\n' ' '; }
json() { lamonctl --json status | python3 -c "import json, sys; s = json.load(sys.stdin); print($1)"; }
stats() { lamonctl --json stats | python3 -c "import json, sys; s = json.load(sys.stdin); print($1)"; }
field() { json "[x['$2'] for x in s['nodes'] if x['name'] == 'node$1'][0]" 2>/dev/null; }
role() { nodeget "$1" lamonNodeRole.0; }
# Three nodes, all up, two destinations, one registered node serving and
# the other a spare (on the agents' own word).
steady_all() {
    [ "$(json 'len(s["nodes"])' 2>/dev/null)" = 3 ] || return 1
    [ "$(ipvs_dests | wc -w)" = 2 ] || return 1
    [ "$(json '",".join(x["state"] for x in s["nodes"])' 2>/dev/null)" = up,up,up ] || return 1
    case "$(role 2)$(role 3)" in 23 | 32) return 0 ;; esac
    return 1
}

# --- (a) -----------------------------------------------------------------------
registered() { [ "$(json 'len(s["nodes"])' 2>/dev/null)" = 3 ]; }
wait_for 30 registered
is "$(json 'sorted((x["name"], x["source"]) for x in s["nodes"])')" \
    "[('node1', 'config'), ('node2', 'registered'), ('node3', 'registered')]" \
    "(a) node2 and node3 registered from their heartbeats; node1 is from the configuration"
check "(a) the registration is logged with the SNMP port of the accept line" \
    grep -q "node node2: registered from 127.0.1.2, polled on port $NODE_PORT" "$T/controller.log"
if wait_for 90 steady_all; then
    ok "(a) IPVS has 2 destinations ($(ipvs_dests)); node2/node3 roles $(role 2)/$(role 3) (one server, one spare)"
else
    fail "(a) IPVS '$(ipvs_dests)', roles node2 $(role 2) node3 $(role 3)"; lamonctl log | tail -20 | sed 's/^/# /'
    bail "no steady state"
fi
srv=2; [ "$(role 3)" = 2 ] && srv=3
spare=$((5 - srv))
check "(a) the registered server node$srv is in IPVS" test -n "$(ipvs_dests | grep -o "127.0.1.$srv:80")"
is "$(field $srv role)/$(field $spare role)" "server/spare" "(a) lamonctl shows node$srv server, node$spare spare"
check "(a) node$srv was promoted by the controller (its log)" \
    grep -q "promote .* node$srv to service www" "$T/controller.log"
check "(a) node$spare was made a spare" grep -q "node node$spare joins the spares" "$T/controller.log"
check "(a) RRDs of a registered node are written" wait_for 10 test -f "$T/rrd/node-node$srv.rrd"
is "$(lamonctl --json node node2 | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["source"], d["port"])')" \
    "registered $NODE_PORT" "(a) lamonctl node shows the source and the SNMP port"

# --- (b) a heartbeat naming node2 from another address ------------------------------
LAMON=.1.3.6.1.4.1.8072.9999.9999.9999
check "(b) a heartbeat naming node2 from 127.0.0.77 is acknowledged by the receiver" \
    env MIBS= snmpinform -r0 -t1 -v2c -c lamontrap -Y clientaddr=127.0.0.77 "127.0.0.1:$RP" '' "$LAMON.0.5" \
    "$LAMON.1.1.1.0" s node2 "$LAMON.1.1.19.0" u 1500
conflict() { [ "$(json 's["notifications"]["node_refused"]["conflict"]')" = 1 ]; }
wait_for 10 conflict
check "(b) refused as a conflict and counted" conflict
check "(b) and logged" grep -q "notification refused: registered from another address: lamonNodeHeartbeat inform from 127.0.0.77" \
    "$T/controller.log"
is "$(lamonctl --json node node2 | python3 -c 'import json, sys; print(json.load(sys.stdin)["address"])')" "127.0.1.2" \
    "(b) node2 stays at its address"

# --- (c) a controller restart in the healthy cluster ---------------------------------
before=$(ipvs_dests)
sets_before=$(stats 's["sets"]')
check "(c) the first controller sent SETs (its count is seen: $sets_before)" test "${sets_before:-0}" -gt 0
stop_controller
start_controller "$T/ctl.conf" || bail "controller did not restart: $(cat "$T/controller.out")"
# Back to the full picture, then long enough past the registration window
# (2 s) for the decisions to have had every chance to act: 6 more cycles.
relearned() {
    [ "$(json 'sorted((x["name"], x["source"], x["state"]) for x in s["nodes"])' 2>/dev/null)" = \
      "[('node1', 'config', 'up'), ('node2', 'registered', 'up'), ('node3', 'registered', 'up')]" ]
}
wait_for 30 relearned
check "(c) after the restart node2 and node3 are back in status, registered and up" relearned
c0=$(stats 's["cycles"]')
more_cycles() { [ "$(stats 's["cycles"]')" -ge $((c0 + 6)) ]; }
wait_for 30 more_cycles
check "(c) six more poll cycles ran" more_cycles
is "$(stats 's["sets"]')" 0 "(c) the restarted controller sent no SET"
is "$(ipvs_dests)" "$before" "(c) IPVS is unchanged"
is "$(field $srv role)/$(field $spare role)" "server/spare" "(c) and the roles are as they were"

check "the controller is still running" kill -0 "$CTL_PID"
stop_controller
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error|LeakSanitizer" "no sanitizer report from the controller"
done_testing
