#!/usr/bin/env bash
# Heartbeats end to end: four real agents (127.0.1.1-4) with heartbeat_ms
# 200 behind real snmpds whose informsink points at the controller's listen
# port (each snmpd sends from its node's own address: clientaddr), and a
# real IPVS director in the qemu VM.  Polls are slow (every 3 s, fall 3),
# so that what happens within them is the heartbeats' doing, and the log
# line says so:
#  (a) heartbeats are counted in `lamonctl --json status`;
#  (b) a serving node whose snmpd and agent stop (SIGSTOP) is down because
#      its heartbeats stopped, removed from IPVS, and a spare takes its
#      place; the removal is logged before the promotion; the promoted
#      spare's application is up on its agent's word (lamonAppStateChange);
#  (c) a node that misses one heartbeat in three (fall 3) stays in IPVS and
#      is never declared down;
#  (d) an application killed on a live node (its check fails, the agent
#      sends lamonAppStateChange) is failed over on the agent's word;
#  (e) a heartbeat under a node's name from another address is refused,
#      counted and logged, and changes nothing;
#  (f) a lamonAppStateChange older than the node's last heartbeat (an
#      inform snmpd sent again late) is refused as stale.
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
    printf '%s\n' "informsink 127.0.0.1:$RP lamontrap" "[snmp] clientaddr 127.0.1.$1"
}
node_agent_extra() { echo "heartbeat_ms 200"; }

vm_start "cache_ms 200" || bail "the VM did not start"
ok "director VM up (snmpd + lamon-agent with IPVS on 127.0.0.1:$VM_SNMP_PORT)"
for n in 1 2 3 4; do start_node $n || bail "node $n did not start"; done
CTL_INTERVAL=3000 CTL_TIMEOUT=1500 CTL_FALL=3 CTL_RISE=1 write_ctl_conf "$T/ctl.conf" "1 2 3 4" \
    "listen 127.0.0.1:$RP" \
    "accept 127.0.0.0/8 community lamontrap" \
    "director lvs1 127.0.0.1:$VM_SNMP_PORT" \
    "service www tcp 10.0.0.1:80 nodes 2 sched rr fwd route app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

ipvs_dests() { vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^127\.0\.1\./ {print $2}' | sort | tr '\n' ' '; }
two_dests() { [ "$(ipvs_dests | wc -w)" = 2 ]; }
json() { lamonctl --json status | python3 -c "import json, sys; s = json.load(sys.stdin); print($1)"; }
received() { json 's["notifications"]["received"]["lamonNodeHeartbeat"]'; }
node_beats() { json "[x['heartbeats'] for x in s['nodes'] if x['name'] == 'node$1'][0]"; }
all_beating() { [ "$(json 'min(x.get("heartbeats", 0) for x in s["nodes"])' 2>/dev/null)" -ge 5 ] 2>/dev/null; }
logline() { grep -n -- "$1" "$T/controller.log" | head -n 1 | cut -d: -f1; }
servers() { for n in 1 2 3 4; do [ "$(nodeget $n lamonNodeRole.0)" = 2 ] && echo $n; done | tr '\n' ' '; }
in_ipvs() { [[ " $(ipvs_dests) " == *" 127.0.1.$1:80 "* ]]; }
# A node's processes: snmpd, the agent's monitor and its worker (the
# monitor's long-lived lamon-agent child; application checks come and go).
declare -A PIDS
node_pids() {
    local a w; a=$(eval "echo \$NODE_AGENT_$1")
    w=$(sed -n 's/^monitor: worker started (pid \([0-9]*\)).*/\1/p' "$T/node$1/agent.log" | tail -n 1)
    PIDS[$1]="$(node_pid "$1") $a $w"
}
freeze() { kill -STOP ${PIDS[$1]}; }
thaw() { kill -CONT ${PIDS[$1]}; }
for n in 1 2 3 4; do node_pids $n; done
check "every node's pids are known (snmpd, monitor, worker)" \
    test "$(for n in 1 2 3 4; do echo ${PIDS[$n]}; done | wc -w)" = 12

if wait_for 90 two_dests; then
    ok "IPVS has the virtual service with 2 destinations: $(ipvs_dests)"
else
    fail "IPVS destinations: '$(ipvs_dests)'"; lamonctl log | tail -20 | sed 's/^/# /'; bail "no initial assignment"
fi

# --- (a) -----------------------------------------------------------------------
wait_for 30 all_beating
check "(a) every node's heartbeats are counted in lamonctl --json status" all_beating
like "$(received)" "^[0-9]+$" "(a) and the receiver counts lamonNodeHeartbeat: $(received)"
is "$(json '[x["heartbeat_ms"] for x in s["nodes"]]')" "[200, 200, 200, 200]" "(a) with each node's period"
check "(a) the controller logs each node's heartbeats" grep -q "node node1: heartbeats every 200 ms" "$T/controller.log"
# (stale ones may be: the informs of the agents' start, before the
# controller listened, which snmpd sent again; see (f))
is "$(json '{k: v for k, v in s["notifications"]["node_refused"].items() if k != "stale"}')" \
    "{'unknown_node': 0, 'address': 0, 'conflict': 0, 'name': 0, 'register_max': 0}" "(a) none refused"

# --- (c) flapping: one heartbeat in three missed, four times ----------------------
# A pause of 0.2 s in every 0.6 s drops (at most) one 200 ms heartbeat in a
# row; the deadline is three periods (600 ms) after the last one.  A
# machine stall that makes a pause much longer is reported, not judged.
srv=$(servers)
f=$(echo $srv | awk '{print $2}')
check "(c) a serving node to flap: node$f (pids ${PIDS[${f:-0}]:-})" test -n "$f" -a -n "${PIDS[${f:-0}]:-}"
seen_gone=0 longest=0 log0=$(wc -l <"$T/controller.log")
for i in $(seq 1 12); do
    t0=$EPOCHREALTIME; freeze "$f"; sleep 0.2; thaw "$f"; t1=$EPOCHREALTIME
    ms=$(( (${t1/./} - ${t0/./}) / 1000 )); [ "$ms" -gt "$longest" ] && longest=$ms
    in_ipvs "$f" || seen_gone=$((seen_gone + 1))
    sleep 0.4
done
sleep 1
# Another node declared down meanwhile: the machine stalled every sender.
others_down=$(tail -n +"$((log0 + 1))" "$T/controller.log" | grep "up -> down (heartbeats stopped" |
    grep -vc "node node$f:" || true)
if [ "$longest" -gt 300 ] || [ "$others_down" -gt 0 ]; then
    skip "(c) flapping: a pause took $longest ms, $others_down other nodes' heartbeats stopped (machine stall); not measurable"
    skip "(c) never declared down"
    skip "(c) still in IPVS afterwards"
else
    is "$seen_gone" 0 "(c) a node missing one heartbeat in three stays in IPVS (longest pause $longest ms)"
    unlike "$(lamonctl log)" "node node$f: up -> down" "(c) and is never declared down"
    check "(c) it is still in IPVS afterwards" in_ipvs "$f"
fi

# --- (e) a heartbeat under node1's name from another address ---------------------
LAMON=.1.3.6.1.4.1.8072.9999.9999.9999
b1=$(node_beats 1)
check "(e) a heartbeat naming node1 from 127.0.0.77 is acknowledged by the receiver" \
    env MIBS= snmpinform -r0 -t1 -v2c -c lamontrap -Y clientaddr=127.0.0.77 "127.0.0.1:$RP" '' "$LAMON.0.5" \
    "$LAMON.1.1.1.0" s node1 "$LAMON.1.1.19.0" u 200
addr_refused() { [ "$(json 's["notifications"]["node_refused"]["address"]')" = 1 ]; }
wait_for 10 addr_refused
check "(e) but refused by the cluster and counted" addr_refused
check "(e) and logged" grep -q "notification refused: not the node's address: lamonNodeHeartbeat inform from 127.0.0.77" \
    "$T/controller.log"

# --- (f) a late lamonAppStateChange: sent (by its sysUpTime) long before the
# node's last heartbeat, as snmpd sends an unanswered inform again seconds
# later.  Its "down" is old news: refused as stale, the node stays in IPVS.
k=$(ipvs_dests | grep -o '127\.0\.1\.[0-9]*:' | head -n 1 | tr -dc 0-9. | cut -d. -f4)
old=1                                   # TimeTicks: 10 ms after the agent started
stale_n() { json 's["notifications"]["node_refused"]["stale"]'; }
stale0=$(stale_n)
check "(f) a lamonAppStateChange 'down' from node$k's address with sysUpTime 0.01 s is acknowledged" \
    env MIBS= snmpinform -r0 -t1 -v2c -c lamontrap -Y clientaddr=127.0.1.$k "127.0.0.1:$RP" "$old" "$LAMON.0.3" \
    "$LAMON.1.1.1.0" s "node$k" "$LAMON.1.2.1.1.2.119.101.98" s web "$LAMON.1.2.1.1.4.119.101.98" i 2
stale_seen() { [ "$(stale_n)" = $((stale0 + 1)) ]; }
wait_for 10 stale_seen
check "(f) and refused as stale (counted)" stale_seen
check "(f) and logged" grep -q "notification refused: older than the node's last heartbeat" "$T/controller.log"
unlike "$(lamonctl log)" "node node$k: application web of service www up -> down" "(f) node$k's application is not failed"
check "(f) node$k is still in IPVS" in_ipvs "$k"

# --- (b) a serving node stops: down because its heartbeats stopped -----------------
srv=$(servers)
k=$(echo $srv | awk '{print $1}')
check "(b) a serving node to stop: node$k (pids ${PIDS[${k:-0}]:-})" test -n "$k" -a -n "${PIDS[${k:-0}]:-}"
freeze "$k"
down_hb() { grep -q "node node$k: up -> down (heartbeats stopped" "$T/controller.log"; }
gone_and_refilled() { local d; d=$(ipvs_dests); [[ " $d " != *" 127.0.1.$k:80 "* ]] && [ "$(echo $d | wc -w)" = 2 ]; }
wait_for 30 down_hb
check "(b) node$k is declared down because its heartbeats stopped (the log names the reason)" down_hb
if wait_for 90 gone_and_refilled; then
    ok "(b) node$k removed from IPVS and a spare added: $(ipvs_dests)"
else
    fail "(b) after node$k stopped IPVS has: '$(ipvs_dests)'"; lamonctl log | tail -20 | sed 's/^/# /'
fi
down_line=$(logline "node node$k: up -> down (heartbeats stopped")
rm_line=$(logline "director lvs1: remove node$k .* from service www: node down")
pr_line=$(tail -n +"${down_line:-1}" "$T/controller.log" | grep -n "promote spare node[0-9] to service www" | head -n 1 |
    cut -d: -f1)
[ -n "$pr_line" ] && pr_line=$((pr_line + down_line - 1))
check "(b) the removal is logged" test -n "$rm_line"
check "(b) before the promotion (removal first: line $rm_line, promotion line ${pr_line:-none})" \
    test -n "$pr_line" -a "${rm_line:-0}" -lt "${pr_line:-0}"
# The promoted spare's application, started for the promotion, is up on
# its agent's word (lamonAppStateChange), not after rise polls.
promoted=$(tail -n +"${down_line:-1}" "$T/controller.log" | grep -o "promote spare node[0-9]" | head -n 1 | grep -o "node[0-9]")
check "(b) the promoted spare ${promoted:-?}'s application is up on its agent's word" \
    grep -q "node ${promoted:-?}: application web of service www unknown -> up (lamonAppStateChange: running)" "$T/controller.log"
thaw "$k"

# --- (d) the application dies on a live node ---------------------------------------
wait_for 30 two_dests
srv=$(servers)
a=$(for s in $srv; do [ "$s" != "$k" ] && in_ipvs "$s" && echo "$s"; done | head -n 1)
rm -f "$T/node$a/web.up"
app_down() { grep -q "node node$a: application web of service www up -> down (lamonAppStateChange" "$T/controller.log"; }
wait_for 30 app_down
check "(d) node$a's application is down on the agent's lamonAppStateChange" app_down
removed_a() { ! in_ipvs "$a"; }
wait_for 30 removed_a
check "(d) and node$a is removed from IPVS" removed_a
a_rm=$(logline "director lvs1: remove node$a .* from service www: application down")
check "(d) the removal names the reason" test -n "$a_rm"

check "the controller is still running" kill -0 "$CTL_PID"
stop_controller
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error|LeakSanitizer" "no sanitizer report from the controller"
done_testing
