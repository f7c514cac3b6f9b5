#!/usr/bin/env bash
# GET /metrics from a real controller polling three real nodes (snmpd +
# lamon-agent, heartbeats on), an unreachable director, fetched with curl:
#  - the answer is Prometheus text 0.0.4 (its Content-Type) and Debian's
#    promtool (`promtool check metrics`) finds nothing to lint;
#  - the values are the cluster's: nodes up = 1, roles, members and wanted,
#    the director unreachable, promotions and SETs counted, heartbeats per
#    node and in total, a refused notification by its reason;
#  - counters grow between two scrapes (polls, cycles), the cycle histogram's
#    buckets are cumulative, +Inf = _count = lamon_poll_cycles_total;
#  - a stopped server turns lamon_node_up to 0 (after `fall` missed polls or
#    heartbeat periods), its polls' timeouts are counted, and the spare's
#    promotion too.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
PROMTOOL=${PROMTOOL:-$ROOT/.deps/bin/promtool}
[ -x "$PROMTOOL" ] || bail "no promtool at $PROMTOOL (make deps extracts it from Debian's prometheus package)"
command -v curl >/dev/null || bail "no curl (make deps)"

RP=$(free_udp_port)
HP=$(free_tcp_port)
DIRPORT=$(free_udp_port)     # nobody answers there: an unreachable director
node_snmpd_extra() { printf '%s\n' "informsink 127.0.0.1:$RP lamontrap" "[snmp] clientaddr 127.0.1.$1"; }
node_agent_extra() { echo "heartbeat_ms 500"; }
for n in 1 2 3; do start_node $n || bail "node $n did not start"; done
CTL_FALL=3 write_ctl_conf "$T/ctl.conf" "1 2 3" \
    "http 127.0.0.1:$HP" \
    "listen 127.0.0.1:$RP" \
    "accept 127.0.0.0/8 community lamontrap" \
    "director lvs1 127.0.0.1:$DIRPORT" \
    "service www tcp 10.0.0.1:80 nodes 2 app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
servers_up() { [ "$(count_role_state server up)" = 2 ] && [ "$(lamonctl status | awk 'NR>1 && $2=="spare"' | wc -l)" = 1 ]; }
wait_for 30 servers_up || bail "never 2 servers and a spare: $(lamonctl status)"

# scrape FILE: /metrics into FILE, its headers into FILE.h; fails on an HTTP error.
scrape() { curl -sS -f --max-time 10 -D "$1.h" -o "$1" "http://127.0.0.1:$HP/metrics"; }
# metric FILE SERIES: the value of SERIES (name and labels exactly as written).
metric() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "absent" }' "$1"; }
# sum FILE NAME: the sum of every sample of NAME (any labels).
sum() { awk -v k="$2" 'index($1, k "{") == 1 || $1 == k { s += $2 } END { print s + 0 }' "$1"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# A notification the receiver refuses: an unknown community.
snmptrap -v2c -c wrongcommunity "127.0.0.1:$RP" '' SNMPv2-MIB::coldStart.0 2>/dev/null
# Heartbeats to count: each node sends one every 500 ms.
wait_for 10 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status --json | grep -q '\"heartbeats\": [1-9]'"

M1=$T/m1
check "GET /metrics answers 200" scrape "$M1"
like "$(tr -d '\r' <"$M1.h" | grep -i '^content-type:')" '^[Cc]ontent-[Tt]ype: text/plain; version=0\.0\.4; charset=utf-8$' \
    "Content-Type: text/plain; version=0.0.4; charset=utf-8"
out=$("$PROMTOOL" check metrics <"$M1" 2>&1); rc=$?
is "$rc:$out" "0:" "promtool check metrics passes, with nothing to say"
[ -n "$out" ] && printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
like "$(grep -c '^# TYPE lamon_' "$M1")" '^[2-9][0-9]$' "every family has its TYPE line, all named lamon_*"
unlike "$(grep -v '^#' "$M1" | grep -v '^lamon_')" '.' "every sample is named lamon_*"

servers=$(lamonctl status | awk 'NR > 1 && $2 == "server" { print $1 }')
spare=$(lamonctl status | awk 'NR > 1 && $2 == "spare" { print $1 }')
for n in node1 node2 node3; do
    is "$(metric "$M1" "lamon_node_up{node=\"$n\"}")" 1 "lamon_node_up{node=\"$n\"} is 1"
done
for s in $servers; do
    is "$(metric "$M1" "lamon_node_role{node=\"$s\",role=\"server\",service=\"www\"}")" 1 "$s: role server of www"
done
is "$(metric "$M1" "lamon_node_role{node=\"$spare\",role=\"spare\",service=\"\"}")" 1 "$spare: role spare"
is "$(metric "$M1" "lamon_node_state{node=\"$spare\",state=\"up\"}")" 1 "$spare: state up"
like "$(metric "$M1" 'lamon_node_load1{node="node1"}')" '^[0-9]+\.[0-9]{2}$' "load1 as the agent sent it"
like "$(metric "$M1" 'lamon_node_cpu_ratio{node="node1"}')" '^(0\.[0-9]{4}|1\.0000)$' "CPU as a ratio 0..1"
ge "$(metric "$M1" 'lamon_node_memory_total_bytes{node="node1"}')" "$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)" &&
    ok "memory in bytes: the machine's MemTotal" || fail "memory in bytes: $(metric "$M1" 'lamon_node_memory_total_bytes{node="node1"}')"
ls=$(metric "$M1" 'lamon_node_last_seen_timestamp_seconds{node="node1"}')
now=$(date +%s)
ge "$ls" $((now - 10)) && ge "$now" "$ls" && ok "last seen in unix seconds (now - $((now - ls)) s)" || fail "last seen: $ls (now $now)"
is "$(metric "$M1" 'lamon_service_members{service="www"}')" 2 "service www: 2 members"
is "$(metric "$M1" 'lamon_service_wanted_nodes{service="www"}')" 2 "service www: wants 2"
is "$(metric "$M1" 'lamon_cold_spares')" 1 "one cold spare"
is "$(metric "$M1" 'lamon_director_reachable{director="lvs1"}')" 0 "the director is unreachable"
is "$(metric "$M1" 'lamon_director_destinations{director="lvs1",service="www"}')" 0 "... with no destination seen"
is "$(metric "$M1" 'lamon_promotions_total{from="new_node"}')" 2 "two promotions of new nodes"
sets=$(metric "$M1" lamon_snmp_sets_total)
gt "$sets" 3 && ok "SETs counted ($sets: roles and application starts)" || fail "SETs counted: $sets"
hb=$(metric "$M1" 'lamon_notifications_received_total{type="lamonNodeHeartbeat"}')
gt "$hb" 0 && ok "heartbeats received counted ($hb)" || fail "heartbeats received: $hb"
ge "$hb" "$(sum "$M1" lamon_node_heartbeats_received_total)" && ok "... at least the nodes' heartbeats together" ||
    fail "heartbeats per node $(sum "$M1" lamon_node_heartbeats_received_total) > total $hb"
is "$(metric "$M1" 'lamon_notifications_refused_total{stage="receiver",reason="community"}')" 1 \
    "the refused trap is counted by its reason (community)"

# histogram FILE: checks the cycle histogram is cumulative and consistent.
histogram() {
    awk '
        /^lamon_poll_cycle_duration_seconds_bucket/ { if ($2 + 0 < prev) bad = bad " not cumulative at " $1; prev = $2 + 0; inf = $2 }
        /^lamon_poll_cycle_duration_seconds_count / { count = $2 }
        /^lamon_poll_cycle_duration_seconds_sum / { s = $2 }
        /^lamon_poll_cycles_total / { cycles = $2 }
        END {
            if (inf != count) bad = bad " +Inf " inf " != _count " count
            if (count != cycles) bad = bad " _count " count " != cycles " cycles
            if (!(count > 0) || !(s > 0)) bad = bad " empty"
            print bad ? bad : "ok"
        }' "$1"
}
is "$(histogram "$M1")" ok "cycle histogram: buckets cumulative, +Inf = _count = lamon_poll_cycles_total > 0"
# Cycles started (lamonctl stats) just before and after a scrape bound the
# cycles closed in it: the one in progress is not closed yet.
stats_cycles() { lamonctl stats --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["cycles"])'; }
s0=$(stats_cycles); scrape "$T/m1b"; s1=$(stats_cycles)
cb=$(metric "$T/m1b" lamon_poll_cycles_total)
ge "$cb" $((s0 - 1)) && ge "$s1" "$cb" && ok "cycles closed ($cb) match lamonctl stats' cycles started ($s0..$s1)" ||
    fail "cycles closed $cb, lamonctl stats $s0..$s1"
c1=$(metric "$M1" lamon_poll_cycles_total)

# Stop a server: down after fall (3) missed polls, timeouts counted, the spare promoted.
victim=$(echo "$servers" | head -n 1)
stop_node "${victim#node}"
down() { scrape "$T/m2" && [ "$(metric "$T/m2" "lamon_node_up{node=\"$victim\"}")" = 0 ]; }
if wait_for 20 down; then ok "stopped $victim: lamon_node_up 0 once judged down"; else fail "stopped $victim: still up"; fi
promoted() { scrape "$T/m2" && [ "$(metric "$T/m2" 'lamon_promotions_total{from="spare"}')" = 1 ]; }
if wait_for 20 promoted; then ok "the spare's promotion is counted (from=spare)"; else fail "spare promotion: $(grep '^lamon_promotions_total' "$T/m2")"; fi
M2=$T/m2
is "$(metric "$M2" "lamon_node_state{node=\"$victim\",state=\"down\"}")" 1 "$victim: state down"
# Heartbeats may tell first; each cycle's poll of it times out all the same.
t1=$(metric "$M1" lamon_poll_timeouts_total)
timeouts() { scrape "$T/m3" && ge "$(metric "$T/m3" lamon_poll_timeouts_total)" $((t1 + 3)); }
if wait_for 20 timeouts; then ok "its polls' timeouts are counted ($t1 -> $(metric "$T/m3" lamon_poll_timeouts_total))"
else fail "poll timeouts: $t1 -> $(metric "$T/m3" lamon_poll_timeouts_total)"; fi
p1=$(metric "$M1" lamon_polls_total) p2=$(metric "$M2" lamon_polls_total)
gt "$p2" "$p1" && ok "lamon_polls_total grows ($p1 -> $p2)" || fail "polls $p1 -> $p2"
c2=$(metric "$M2" lamon_poll_cycles_total)
gt "$c2" "$c1" && ok "lamon_poll_cycles_total grows ($c1 -> $c2)" || fail "cycles $c1 -> $c2"
gt "$(metric "$M2" lamon_snmp_sets_total)" "$sets" && ok "lamon_snmp_sets_total grows with the promotion" ||
    fail "sets $sets -> $(metric "$M2" lamon_snmp_sets_total)"
is "$(histogram "$M2")" ok "cycle histogram still consistent"
check "promtool check metrics passes on the second scrape" sh -c "'$PROMTOOL' check metrics <'$M2'"
done_testing
