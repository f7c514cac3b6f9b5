#!/usr/bin/env bash
# A flood at the notification receiver changes nothing (issue 12: "Anything
# unauthenticated, malformed, or from a source outside the accepted networks
# is counted and logged (rate-limited) and changes nothing").
#
# Two real nodes (snmpd + lamon-agent, heartbeat_ms 200, informsink to the
# controller's listen port, each from its own address) keep sending their
# heartbeats while tests/tools/notif_blast sends 10,000 datagrams a second
# for 5 s from one source (127.0.0.1), the bad kinds in turn: garbage, a
# wrong community, node1's name from another address, an SNMPv3 inform from
# an unknown user, with a wrong auth key, with a wrong priv key, and
# (from 127.1.0.1) a heartbeat from outside every accept network.  Checks:
#  - every refusal counter of `lamonctl --json status` grew by what was sent
#    of its kind (at most that: the kernel may drop some), each > 0, and
#    every datagram landed in exactly one counter;
#  - no heartbeat was taken from the flood: the receiver's heartbeats are
#    the real nodes' plus those refused for the wrong address;
#  - the log holds at most two lines per kind (one every 10 s), and
#    syslog no line per heartbeat;
#  - node1 stays up (no "-> down", no SET); node2, frozen during the
#    flood, is still declared down when its heartbeats stop;
#  - the receiver's socket has a 4 MB buffer (as far as rmem_max allows);
#  - lamonctl status answers during the flood, the controller's RSS after
#    it is within 4 MB of before, and SIGTERM ends it with status 0.
# The unknown-name kind is not sent: with self-registration such names
# register.  No timed assertion: the rate achieved is only reported.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
BLAST=$BUILD/tests/tools/notif_blast
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] && [ -x "$BLAST" ] || bail "build lamon-controller, lamon-agent and notif_blast first"

RATE=10000 SECONDS_=5
RP=$(free_udp_port)
node_snmpd_extra() { printf '%s\n' "informsink 127.0.0.1:$RP lamontrap" "[snmp] clientaddr 127.0.1.$1"; }
node_agent_extra() { echo "heartbeat_ms 200"; }
for n in 1 2; do start_node $n || bail "node $n did not start"; done
CTL_RISE=1 write_ctl_conf "$T/ctl.conf" "1 2" "listen 127.0.0.1:$RP" \
    "accept 127.0.0.0/16 community lamontrap" "accept 127.0.0.0/16 v3 $V3_USER"
# Under ASan, freed memory waits in a quarantine (256 MB by default) that
# would count as RSS growth.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=4" start_controller "$T/ctl.conf" ||
    bail "controller did not start: $(cat "$T/controller.out")"

json() { lamonctl --json status | python3 -c "import json, sys; s = json.load(sys.stdin); print($1)"; }
# counters: "name value" per line, the receiver's and each node's heartbeats.
counters() {
    lamonctl --json status | python3 -c '
import json, sys
s = json.load(sys.stdin); n = s["notifications"]
print("datagrams", n["datagrams"]); print("discovery", n["discovery"])
for g in ("received", "refused", "node_refused"):
    for k, v in n[g].items(): print(g + "." + k, v)
for x in s["nodes"]: print("beats." + x["name"], x.get("heartbeats", 0))'
}
stat_of() { lamonctl stats | awk -v k="$1" '$1 == k {print $2}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$CTL_PID/status"; }
settled() {
    [ "$(json 'sum(1 for x in s["nodes"] if x["role"] == "spare" and x["state"] == "up" and x.get("heartbeats", 0) >= 5)')" = 2 ]
}
cycles_ge() { [ "$(stat_of cycles)" -ge "$1" ] 2>/dev/null; }

# Both nodes are made spares (no service), then nothing is left to write.
wait_for 30 settled || bail "nodes not up and beating: $(lamonctl status)"
c=$(stat_of cycles); wait_for 10 cycles_ge $((c + 2))
ok "two real nodes up, spares, heartbeats every 200 ms"
# skmem of the receiver's socket: rb (receive buffer) and d (drops).
skmem() { ss -Hulnm "sport = :$RP" | grep -o "$1[0-9]*" | head -n 1 | tr -dc 0-9; }
rmem_max=$(cat /proc/sys/net/core/rmem_max)
want=$(( 2 * (rmem_max < 4194304 ? rmem_max : 4194304) ))
is "$(skmem ',rb')" "$want" "the receiver asked for a 4 MB socket buffer (the kernel doubles it, capped by rmem_max $rmem_max)"
counters >"$T/before"
drops0=$(skmem ',d')
sets0=$(stat_of sets) rss0=$(rss_kb) log0=$(wc -l <"$T/controller.log") out0=$(wc -l <"$T/controller.out")

# --- the flood ------------------------------------------------------------------
"$BLAST" -t "127.0.0.1:$RP" -k garbage,community,spoof,v3user,v3auth,v3priv,source -r "$RATE" -s "$SECONDS_" \
    -C lamontrap -f 127.0.0.1 -o 127.1.0.1 -S node1 -u "$V3_USER" -A "$V3_AUTH" -X "$V3_PRIV" \
    >"$T/blast.out" 2>&1 &
BP=$!
LAMON_PIDS="$LAMON_PIDS $BP"
pause_node 2
answered=0 unanswered=0
for i in $(seq 1 200); do
    kill -0 "$BP" 2>/dev/null || break
    if lamonctl --json status >/dev/null 2>&1; then answered=$((answered + 1)); else unanswered=$((unanswered + 1)); fi
    sleep 0.2
done
wait "$BP"; brc=$?
is "$brc" 0 "notif_blast ran: $(tail -n 1 "$T/blast.out")"
diag "notif_blast: $(tail -n 1 "$T/blast.out")"
check "lamonctl status answered during the flood ($answered times, $unanswered failed)" \
    test "$answered" -gt 0 -a "$unanswered" = 0
down2() { grep -q "node node2: up -> down (heartbeats stopped" "$T/controller.log"; }
wait_for 10 down2
check "node2, frozen during the flood, is declared down: its heartbeats stopped" down2
cont_node 2

sent() { awk -v k="$1" '$1 == "sent" && $2 == k {print $3}' "$T/blast.out"; }
# The receiver has read everything once the real nodes' heartbeats move on.
c0=$(awk '$1 == "beats.node1" {print $2}' "$T/before")
beats1() { [ "$(json '[x["heartbeats"] for x in s["nodes"] if x["name"] == "node1"][0]')" -gt "$1" ]; }
b=$(json '[x["heartbeats"] for x in s["nodes"] if x["name"] == "node1"][0]')
wait_for 10 beats1 "$b"
counters >"$T/after"
d() { awk -v k="$1" 'NR == FNR { a[$1] = $2; next } $1 == k { print a[k] - $2 }' "$T/after" "$T/before"; }
kind_counted() {  # KIND COUNTER
    local s c
    s=$(sent "$1") c=$(d "$2")
    if [ -n "$s" ] && [ "$c" -gt 0 ] && [ "$c" -le "$s" ]; then
        ok "$1: $s sent, $2 grew by $c"
    else
        fail "$1: ${s:-?} sent, but $2 grew by $c"
    fi
}
kind_counted garbage refused.malformed
kind_counted community refused.community
kind_counted v3user refused.user
kind_counted v3auth refused.auth
kind_counted v3priv refused.priv
kind_counted source refused.source
kind_counted spoof node_refused.address
for k in seclevel time_window version pdu_type v3_trap not_lamon; do
    [ "$(d "refused.$k")" = 0 ] || fail "refused.$k grew by $(d "refused.$k")"
done
is "$(d received.other)$(d received.lamonNodeStarted)$(d received.lamonNodeStateChange)$(d received.lamonAppStateChange)" \
    0000 "no notification but heartbeats was received"
real=$(( $(d beats.node1) + $(d beats.node2) ))
is "$(d received.lamonNodeHeartbeat)" "$((real + $(d node_refused.address)))" \
    "every heartbeat received is a real node's ($real) or refused for its address: none taken from the flood"
check "node1's heartbeats went on during the flood ($(d beats.node1))" test "$(d beats.node1)" -gt 0
total_counted=0
for k in $(awk '$1 ~ /^(received|refused|node_refused)\./ || $1 == "discovery" {print $1}' "$T/after"); do
    [[ $k == node_refused.* ]] || total_counted=$((total_counted + $(d "$k")))
done
is "$total_counted" "$(d datagrams)" "every datagram landed in exactly one counter ($(d datagrams))"
flood_sent=$(awk '$1 == "total" {print $2}' "$T/blast.out")
diag "dropped by the kernel: $((flood_sent + real - $(d datagrams) + $(d discovery))) of $flood_sent flood datagrams," \
    "the socket's drop counter says $(($(skmem ',d') - drops0)) (v3 discovery $(d discovery))"

# --- the log -----------------------------------------------------------------------
tail -n +"$((log0 + 1))" "$T/controller.log" >"$T/flood.log"
sed 's/^/# log: /' "$T/flood.log"
for r in malformed community user auth priv source; do
    n=$(grep -c "refused a datagram from .* ($r[,)]" "$T/flood.log")
    check "refusals '$r' logged $n times (at least once, at most twice)" test "$n" -ge 1 -a "$n" -le 2
done
n=$(grep -c "notification refused: not the node's address" "$T/flood.log")
check "spoofed heartbeats logged $n times (at least once, at most twice)" test "$n" -ge 1 -a "$n" -le 2
check "the whole flood added $(wc -l <"$T/flood.log") lines to the log (at most 30)" test "$(wc -l <"$T/flood.log")" -le 30
# The controller's stderr has its syslog lines, debug level included: a
# heartbeat, even a spoofed one, is not logged one line each.
out1=$(wc -l <"$T/controller.out")
check "and $((out1 - out0)) lines to syslog (at most 30)" test $((out1 - out0)) -le 30
like "$(grep -m1 'refused a datagram from .* (community)' "$T/flood.log")" "more like it not logged|nothing changed" \
    "a refusal line names its reason"

# --- nothing changed ------------------------------------------------------------------
unlike "$(grep -v 'node node2:' "$T/flood.log")" "-> down|heartbeats stopped|PANIC" "node1 was never declared down"
is "$(json '[x["state"] for x in s["nodes"] if x["name"] == "node1"][0]')" up "node1 is up"
is "$(stat_of sets)" "$sets0" "no SET was issued"
is "$(json 'len(s["nodes"])')" 2 "no node was added"
rss1=$(rss_kb)
check "controller RSS after the flood ${rss1} kB, before ${rss0} kB (at most 4 MB more)" test "$rss1" -le $((rss0 + 4096))

kill -TERM "$CTL_PID"; wait "$CTL_PID"; rc=$?
is "$rc" 0 "SIGTERM ends the controller with status 0"
check "and it says so" grep -q "stopping on signal 15" "$T/controller.log"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error|LeakSanitizer" "no sanitizer report from the controller"
done_testing
