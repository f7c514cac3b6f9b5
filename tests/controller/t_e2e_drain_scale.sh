#!/usr/bin/env bash
# End to end: operator drain, scale-out/in under load and load-following
# weights, with six real agents (127.0.1.1-6) and a real IPVS director in
# the qemu VM (checked with ipvsadm -Ln in the guest).
#
# "Load" here is real TCP connections: the service measures a node's load
# as the established connections of its application (`load conns`), which
# the agent counts with sock_diag on the application's port (8N for node N).
# tests/agent/tcp_conns.py holds K connections to 127.0.1.N:8N; all nodes
# share one kernel, so load1 would be the same on every node and could not
# tell them apart.
#
#   - drain of a server with no connections: weight 0, drained at once,
#     removed, a spare takes its place; the log gives order and reasons;
#   - drain of a server holding connections: weight 0 stays in IPVS until
#     drain_timeout, then removed; one whose connections close earlier is
#     drained then; undrain returns them as spares;
#   - drain of an unknown node / of a drained node is refused;
#   - weights follow: per-node weights in IPVS follow the held connections;
#   - scale-out (mean connections above high) to max, scale-in below low;
#   - a scale-in drain interrupted by a controller restart ends in the
#     spares, not in maintenance.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
. "$(dirname "$0")/../vm/vm.sh"
lamon_test_init
trap 'vm_stop; lamon_test_cleanup' EXIT
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
CONNS_PY=$ROOT/tests/agent/tcp_conns.py
HIGH=4 LOW=2 BASE=100 DRAIN_TIMEOUT=20

vm_start "cache_ms 200" || bail "the VM did not start"
ok "director VM up (snmpd + lamon-agent with IPVS on 127.0.0.1:$VM_SNMP_PORT)"
for n in 1 2 3 4 5 6; do start_node $n || bail "node $n did not start"; done
CTL_INTERVAL=1500 CTL_TIMEOUT=1200 write_ctl_conf "$T/ctl.conf" "1 2 3 4 5 6" \
    "director lvs1 127.0.0.1:$VM_SNMP_PORT" \
    "drain_timeout $DRAIN_TIMEOUT" \
    "scale_polls 3" \
    "service www tcp 10.0.0.1:80 nodes 3 min 3 max 4 sched wrr fwd route app web load conns high $HIGH low $LOW weight $BASE weights follow director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

# hold N K: node N's application port holds K established connections
# (K = 0: none).  Replaces what node N held before.
hold() {
    local n=$1 k=$2 pid
    pid=$(eval "echo \${HOLD_$n:-}")
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
    eval "HOLD_$n="
    rm -f "$T/hold$n.ready"
    [ "$k" -gt 0 ] || return 0
    python3 "$CONNS_PY" "127.0.1.$n" "8$n" "$k" "$T/hold$n.ready" &
    eval "HOLD_$n=$!"
    LAMON_PIDS="$LAMON_PIDS $!"
    wait_for 10 test -e "$T/hold$n.ready"
}
# app_conns N: what node N's agent counts for application web.
app_conns() { nodeget "$1" "lamonAppEstablished.'web'"; }
# ipvs: "ADDR WEIGHT" per destination of 10.0.0.1:80 in the guest, sorted.
ipvs() { vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^127\.0\.1\./ {print $2, $4}' | sort; }
ipvs_dests() { ipvs | awk '{print $1}' | tr '\n' ' '; }
ndests() { ipvs | wc -l; }
weight_of() { ipvs | awk -v a="127.0.1.$1:80" '$1 == a {print $2}'; }
role() { nodeget "$1" lamonNodeRole.0; }
nstate() { nodeget "$1" lamonNodeState.0; }
with_role() { local n; for n in 1 2 3 4 5 6; do [ "$(role $n)" = "$1" ] && echo $n; done | tr '\n' ' '; }
ctl_log() { lamonctl log; }
# log_order PAT...: the patterns appear in the event log in this order.
# (Patterns go through ENVIRON: awk -v would eat their backslashes.)
log_order() {
    ctl_log | PATS="$(printf '%s\n' "$@")" awk '
        BEGIN { n = split(ENVIRON["PATS"], p, "\n"); i = 1 }
        i <= n && $0 ~ p[i] { i++ }
        END { exit !(i > n) }'
}
show_log() { ctl_log | tail -${1:-25} | sed 's/^/# /'; }
servers_up() { [ "$(count_role_state server up)" = "$1" ]; }
ndests_is() { [ "$(ndests)" = "$1" ]; }
role_state_is() { [ "$(role $1) $(nstate $1)" = "$2" ]; }
app_conns_is() { [ "$(app_conns $1)" = "$2" ]; }
weight_is() { [ "$(weight_of $1)" = "$2" ]; }
sets() { lamonctl stats | sed -n 's/^sets \([0-9]*\)$/\1/p'; }
role_counts() { lamonctl status | awk 'NR > 1 {print $2}' | sort | uniq -c | awk '{printf "%s%s ", $1, $2}'; }

# --- initial assignment -----------------------------------------------------
three() { [ "$(ndests)" = 3 ] && servers_up 3; }
if wait_for 120 three; then
    ok "IPVS has 3 destinations: $(ipvs_dests)"
else
    fail "IPVS: '$(ipvs_dests)'"; show_log; bail "no initial assignment"
fi
read -r -a servers <<<"$(with_role 2)"
is "${#servers[@]}" 3 "three agents say role server: ${servers[*]}"
is "$(ipvs | awk '{print $2}' | sort -u)" "$BASE" "idle servers get the full weight $BASE (weights follow, no connections)"

# --- refusals -----------------------------------------------------------------
out=$(lamonctl drain nosuchnode 2>&1); rc=$?
check "drain of an unknown node is refused" test "$rc" -ne 0
like "$out" "no node nosuchnode" "... saying there is no such node"

# --- drain with no connections: fast ------------------------------------------
a=${servers[0]}
is "$(app_conns $a)" 0 "node$a holds no connections on its application"
t0=$(date +%s.%N)
if lamonctl --timeout 60 drain node$a >"$T/drain_a.out" 2>&1; then
    ok "lamonctl drain node$a waited and ended in maintenance ($(echo "$(date +%s.%N) - $t0" | bc) s, drain_timeout $DRAIN_TIMEOUT s)"
else
    fail "lamonctl drain node$a: $(cat "$T/drain_a.out")"; show_log
fi
like "$(cat "$T/drain_a.out")" "node$a state: maintenance" "lamonctl showed the drain's progress"
is "$(nstate $a)" 4 "node$a's agent says state maintenance(4)"
refilled() { local d; d=" $(ipvs_dests)"; [[ "$d" != *" 127.0.1.$a:80 "* ]] && [ "$(ndests)" = 3 ] && servers_up 3; }
if wait_for 60 refilled; then
    ok "node$a removed from IPVS and a spare took its place: $(ipvs_dests)"
else
    fail "after draining node$a IPVS has '$(ipvs_dests)'"; show_log
fi
if log_order "operator: drain node node$a" \
        "SET director lvs1: node$a .* weight [0-9]+ -> 0 \(drain\)" \
        "node node$a drained \(no active connections left\): maintenance" \
        "remove node$a .* from service www: node in maintenance"; then
    ok "log order: operator drain, weight 0, drained (no connections), removed"
else
    fail "drain of node$a: log order"; show_log 40
fi
like "$(ctl_log | grep -A50 "operator: drain node node$a")" "promote spare node[0-9] to service www: service www has 2 of 3" \
    "the log gives the spare's promotion after the drain, with its reason"
out=$(lamonctl drain node$a 2>&1); rc=$?
check "drain of a node in maintenance is refused" test "$rc" -ne 0
like "$out" "node$a is already in maintenance" "... with a clear message"

# --- drain with connections held: waits, then times out -----------------------
read -r -a servers <<<"$(with_role 2)"
b=""
for n in "${servers[@]}"; do [ "$(nstate $n)" = 2 ] && b=$n && break; done
[ -n "$b" ] || bail "no running server to drain: $(lamonctl status)"
hold $b 3 || bail "cannot hold connections on node$b"
check "node$b's agent counts the 3 held connections" wait_for 10 app_conns_is $b 3
lamonctl --no-wait drain node$b >/dev/null || fail "drain node$b was refused"
zero() { [ "$(weight_of $b)" = 0 ]; }
if wait_for 30 zero; then
    ok "node$b has weight 0 in IPVS while its connections are held"
else
    fail "node$b weight: '$(weight_of $b)'"; show_log
fi
out=$(lamonctl drain node$b 2>&1); rc=$?
check "drain of a draining node is refused" test "$rc" -ne 0
like "$out" "node$b is already draining" "... with a clear message"
like "$(lamonctl status)" "node$b +server +www +draining" "lamonctl status shows node$b draining"
gone_b() { [[ " $(ipvs_dests)" != *" 127.0.1.$b:80 "* ]]; }
if wait_for $((DRAIN_TIMEOUT + 60)) gone_b; then
    ok "node$b removed from IPVS after the drain timeout"
else
    fail "node$b still in IPVS: $(ipvs)"; show_log
fi
like "$(ctl_log)" "node node$b drained \(drain timeout ${DRAIN_TIMEOUT}s, 3 connections left \(director 0, node 3\)\): maintenance" \
    "the drain waited for the node's 3 connections and gave up at drain_timeout"
if log_order "operator: drain node node$b" "SET director lvs1: node$b .* weight [0-9]+ -> 0 \(drain\)" \
        "node node$b drained \(drain timeout" "remove node$b .* node in maintenance"; then
    ok "log order for the held drain: drain, weight 0, timeout, removal"
else
    fail "held drain: log order"; show_log 40
fi
check "the service is back at 3 destinations" wait_for 60 ndests_is 3
hold $b 0

# --- drain with connections held, released before the timeout -----------------
read -r -a servers <<<"$(with_role 2)"
c=""
for n in "${servers[@]}"; do [ "$(nstate $n)" = 2 ] && c=$n && break; done
[ -n "$c" ] || bail "no running server to drain: $(lamonctl status)"
hold $c 2 || bail "cannot hold connections on node$c"
wait_for 10 app_conns_is $c 2 || fail "node$c's agent does not count 2 connections: '$(app_conns $c)'"
lamonctl --no-wait drain node$c >/dev/null || fail "drain node$c was refused"
check "node$c has weight 0 while it holds 2 connections" wait_for 30 weight_is $c 0
hold $c 0
gone_c() { [[ " $(ipvs_dests)" != *" 127.0.1.$c:80 "* ]]; }
if wait_for $((DRAIN_TIMEOUT + 60)) gone_c; then ok "node$c removed from IPVS"; else fail "node$c still in IPVS: $(ipvs)"; fi
like "$(ctl_log)" "node node$c drained \(no active connections left\): maintenance" \
    "its drain ended when the connections closed, before drain_timeout"

# --- undrain: back as spares --------------------------------------------------
for n in $a $b $c; do
    if lamonctl --timeout 60 undrain node$n >/dev/null 2>&1; then ok "undrain node$n"; else fail "undrain node$n"; fi
    check "node$n is a spare again (role 3, state running 2)" wait_for 30 role_state_is $n "3 2"
done
out=$(lamonctl undrain node$a 2>&1); rc=$?
check "undrain of a node that is not drained is refused" test "$rc" -ne 0
like "$out" "node$a is not drained" "... with a clear message"
if wait_for 30 eval '[ "$(role_counts)" = "3server 3spare " ]'; then
    ok "three servers and three spares"
else
    fail "roles: $(role_counts)"
fi

# --- weights follow the measured connections ----------------------------------
read -r -a servers <<<"$(with_role 2)"
s0=${servers[0]} s1=${servers[1]} s2=${servers[2]}
hold $s1 2 && hold $s2 3 || bail "cannot hold connections"
# weight = clamp(round(100 * (1 - conns / 4)), 1, 100): 0 -> 100, 2 -> 50, 3 -> 25
want="127.0.1.$s0:80 100
127.0.1.$s1:80 50
127.0.1.$s2:80 25"
want=$(echo "$want" | sort)
followed() { [ "$(ipvs)" = "$want" ]; }
if wait_for 60 followed; then
    ok "IPVS weights follow the nodes' connections (0, 2, 3 of high 4): $(ipvs | tr '\n' ' ')"
else
    fail "weights: '$(ipvs | tr '\n' ' ')', want '$(echo "$want" | tr '\n' ' ')'"; show_log
fi
like "$(ctl_log)" "node$s2 .*weight ([0-9]+ -> )?25 \(follows connections 3.00 of high 4.00\)" "the log gives node$s2's weight with its reason"
nsets=$(sets)
sleep 6
is "$(sets)" "$nsets" "steady load: no further SETs (4 polls)"
hold $s1 0; hold $s2 0

# --- scale-out under load -----------------------------------------------------
# The spares hold one connection each first (spares do not count toward the
# mean), so that whichever of them is promoted never holds none: the
# scale-in below must pick a node that still has a connection.
for n in $(with_role 3); do hold $n 1 || bail "cannot hold a connection on node$n"; done
for n in "${servers[@]}"; do hold $n 6 || bail "cannot hold connections on node$n"; done
four() { [ "$(ndests)" = 4 ]; }
if wait_for 90 four; then
    ok "mean connections 6 above high $HIGH: the service grew to 4 destinations: $(ipvs_dests)"
else
    fail "no scale-out: IPVS '$(ipvs_dests)'"; show_log
fi
like "$(ctl_log)" "service www: scale out to 4 nodes \(mean connections 6.00 above 4.00 for 3 polls\)" \
    "the log gives the scale-out with its reason"
like "$(ctl_log)" "promote spare node[0-9] to service www: service www has 3 of 4 nodes" "a spare was promoted for it"
check "4 servers up" wait_for 30 servers_up 4
sleep 6
is "$(ndests)" 4 "still 4 under load: max 4 is respected"
read -r -a servers <<<"$(with_role 2)"

# --- scale-in, interrupted by a controller restart ----------------------------
# One connection per member: mean 1 is below low 2, so one member is drained
# for scale-in, and its held connection keeps the drain waiting.
for n in "${servers[@]}"; do hold $n 1 || bail "cannot hold a connection on node$n"; done
scaling_in() { ctl_log | grep -q "drain node[0-9] for scale-in"; }
if wait_for 60 scaling_in; then
    ok "mean connections 1 below low $LOW: scale-in began"
else
    fail "no scale-in"; show_log
fi
like "$(ctl_log)" "service www: scale in to 3 nodes \(mean connections [0-9.]+ below 2.00 for 3 polls\)" \
    "the log gives the scale-in with its reason"
d=$(ctl_log | sed -n 's/.*drain node\([0-9]\) for scale-in.*/\1/p' | tail -1)
check "node$d's agent records the scale-in drain (role spare, state draining)" wait_for 10 role_state_is $d "3 3"
check "node$d stays in IPVS with weight 0 while its connection is held" wait_for 30 weight_is $d 0
stop_controller
start_controller "$T/ctl.conf" || bail "controller did not restart"
ok "controller restarted in the middle of node$d's scale-in drain"
if wait_for $((DRAIN_TIMEOUT + 60)) role_state_is $d "3 2"; then
    ok "after the restart node$d finished its drain as a spare (role 3, state running)"
else
    fail "node$d: role $(role $d) state $(nstate $d)"; show_log
fi
like "$(ctl_log)" "node node$d drained \(drain timeout .*\): back to the spares" "the restarted controller sent it back to the spares"
unlike "$(ctl_log)" "node node$d drained .*: maintenance" "... not to maintenance"
gone_d() { [[ " $(ipvs_dests)" != *" 127.0.1.$d:80 "* ]] && ndests_is 3; }
check "node$d left IPVS: 3 destinations" wait_for 30 gone_d
for n in 1 2 3 4 5 6; do hold $n 0; done
done_testing
