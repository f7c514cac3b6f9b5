#!/usr/bin/env bash
# Connection counting at K established loopback sockets: one GET of
# lamonAppEstablished (cache_ms 0, so every GET is a sock_diag dump) vs
# `ss -Htn state established '( sport = :P )' | wc -l`, same run.
#   K="9000 100000" R=11 bench/agent_conn_count.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/snmpd.sh"
R=${R:-11}
# 2 fds per connection in one helper process: K is bounded by the hard limit
# (20000 in the CI container, so K <= 9900 there).
ulimit -n "$(ulimit -Hn)" || exit 1
lamon_test_init
start_snmpd || exit 1
P=$((10000 + RANDOM % 20000))   # below the ephemeral range
cat >"$T/agent.conf" <<CONF
nodename countnode
statedir $T/state
cache_ms 0
app web $P
CONF
start_agent "$T/agent.conf" || exit 1
export MIBS= MIBDIRS=/nonexistent
OID=.1.3.6.1.4.1.8072.9999.9999.9999.1.2.1.1.6.119.101.98   # lamonAppEstablished.'web'
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for k in ${K:-9000}; do
    rm -f "$T/ready"
    python3 "$ROOT/bench/agent_conn_count.py" "$P" "$k" "$T/ready" &
    cp=$!
    LAMON_PIDS="$LAMON_PIDS $cp"
    for i in $(seq 1 600); do [ -f "$T/ready" ] && break; sleep 0.5; done
    [ -f "$T/ready" ] || { echo "K=$k: connections not ready"; kill $cp; continue; }
    a=$(snmp snmpget -Oqv "$OID"); s=$(ss -Htn state established "( sport = :$P )" | wc -l)
    ta=$(for i in $(seq 1 "$R"); do st=$(date +%s%N); snmp snmpget -Oqv "$OID" >/dev/null; echo $(( ($(date +%s%N) - st) / 1000 )); done | med)
    ts=$(for i in $(seq 1 "$R"); do st=$(date +%s%N); ss -Htn state established "( sport = :$P )" | wc -l >/dev/null; echo $(( ($(date +%s%N) - st) / 1000 )); done | med)
    awk -v k="$k" -v a="$a" -v s="$s" -v ta="$ta" -v ts="$ts" 'BEGIN {printf "K=%d: agent says %s, ss says %s; median agent GET %.2f ms, ss|wc %.2f ms, ratio ss/agent %.2f\n", k, a, s, ta/1000, ts/1000, ts/ta}'
    kill "$cp"; wait "$cp" 2>/dev/null
done
