#!/usr/bin/env bash
# Connection counting at K established loopback sockets: lamon-agent's
# lamonAppEstablished (cache_ms 0, so every GET is a NETLINK_SOCK_DIAG dump)
# through snmpd vs `ss -Htn state established '( sport = :P )' | wc -l`,
# same run, medians over R interleaved repetitions, and an exact-equality
# check of the two counts before and after the timing.
# The hard RLIMIT_NOFILE is 20,000 per process here, so the K connections are
# held by ceil(K/9000) client processes (each on its own 127.0.<phase>.<n>
# source address, bound explicitly) and accepted by ceil(K/7000) server
# processes sharing the port with SO_REUSEPORT (bench/agent_conn_count.py).
# Every phase is time-limited and torn down by PID before the next.
#   K="10000 100000" R=11 BUILD=/tmp/lamon-build-bench bench/agent_conn_count.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/snmpd.sh"
R=${R:-11}
PER_CLIENT=9000 PER_SERVER=7000 SERVER_MAX=18000
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
OID=1.3.6.1.4.1.8072.9999.9999.9999.1.2.1.1.6.119.101.98   # lamonAppEstablished.'web'
HELPER="$ROOT/bench/agent_conn_count.py"
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sscount() { ss -Htn state established "( sport = :$P )" | wc -l; }
agentcount() { snmp snmpget -Oqv ".$OID"; }
# wait_until SECONDS CMD...: poll CMD every 0.2 s, at most SECONDS.
wait_until() {
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}
PHASE_PIDS=
teardown() {
    local p
    for p in $PHASE_PIDS; do kill "$p" 2>/dev/null; done
    for p in $PHASE_PIDS; do wait "$p" 2>/dev/null; done
    PHASE_PIDS=
    wait_until 60 eval '[ "$(sscount)" -eq 0 ]' || echo "# sockets still established after teardown: $(sscount)"
}
fails=0
phase=0
for k in ${K:-10000 100000}; do
    phase=$((phase + 1))
    echo "# K=$k: memory before: $(free -m | awk '/^Mem:/ {print $7 " MB available of " $2 " MB"}')"
    ns=$(( (k + PER_SERVER - 1) / PER_SERVER )); nc=$(( (k + PER_CLIENT - 1) / PER_CLIENT ))
    rm -rf "$T/ph"; mkdir -p "$T/ph"
    t0=$SECONDS
    for i in $(seq 1 "$ns"); do
        python3 "$HELPER" server "$P" "$SERVER_MAX" "$T/ph/srv.$i" &
        PHASE_PIDS="$PHASE_PIDS $!"; LAMON_PIDS="$LAMON_PIDS $!"
    done
    # All listeners must be bound before the first connect, or SO_REUSEPORT
    # sends everything to the first one.
    wait_until 20 eval '[ "$(ls "$T/ph" | grep -c "^srv\.[0-9]*$")" -eq '"$ns"' ]' \
        || { echo "K=$k: listeners not ready"; fails=$((fails + 1)); teardown; continue; }
    left=$k
    for i in $(seq 1 "$nc"); do
        n=$PER_CLIENT; [ "$left" -lt "$n" ] && n=$left; left=$((left - n))
        python3 "$HELPER" client "$P" "127.0.$phase.$((i + 1))" "$n" "$T/ph/cli.$i" &
        PHASE_PIDS="$PHASE_PIDS $!"; LAMON_PIDS="$LAMON_PIDS $!"
    done
    wait_until 300 eval '[ "$(ls "$T/ph" | grep -c "^cli\.[0-9]*$")" -eq '"$nc"' ]' \
        && wait_until 60 eval '[ "$(cat "$T"/ph/srv.[0-9]* | awk "{s+=\$1} END {print s}")" -eq '"$k"' ]' \
        || { echo "K=$k: connections not ready after $((SECONDS - t0)) s (ss: $(sscount))"; fails=$((fails + 1)); teardown; continue; }
    echo "# K=$k: $nc client + $ns server processes, all accepted after $((SECONDS - t0)) s"
    a=$(agentcount); s=$(sscount)
    ta=$(for i in $(seq 1 "$R"); do
            st=$(date +%s%N); agentcount >/dev/null; e1=$(( ($(date +%s%N) - st) / 1000 ))
            st=$(date +%s%N); sscount >/dev/null; e2=$(( ($(date +%s%N) - st) / 1000 ))
            echo "$e1 $e2" >>"$T/ph/times"; echo "$e1"
            # The GET alone, from one long-lived client, interleaved too.
            perl "$ROOT/bench/snmp_get_loop.pl" "$SNMP_PORT" 5 "$OID" >>"$T/ph/ptimes" || echo "# GET loop failed" >&2
         done | med)
    ts=$(awk '{print $2}' "$T/ph/times" | med)
    tp=$(med <"$T/ph/ptimes")
    a2=$(agentcount); s2=$(sscount)
    if [ "$a" = "$k" ] && [ "$s" = "$k" ] && [ "$a2" = "$k" ] && [ "$s2" = "$k" ]; then ok="EQUAL"; else ok="MISMATCH"; fails=$((fails + 1)); fi
    awk -v k="$k" -v a="$a" -v s="$s" -v a2="$a2" -v s2="$s2" -v ok="$ok" -v ta="$ta" -v ts="$ts" -v tp="$tp" -v r="$R" 'BEGIN {
        printf "K=%d: agent says %s/%s, ss says %s/%s (before/after timing): %s\n", k, a, a2, s, s2, ok
        printf "K=%d: median of %d: snmpget process %.2f ms, ss|wc %.2f ms, ratio ss/agent %.2f; long-lived client GET %.2f ms (n=%d), ratio ss/agent %.2f\n", k, r, ta/1000, ts/1000, ts/ta, tp/1000, r*5, ts/tp }'
    echo "# agent RSS: $(awk '/^VmRSS/ {print $2, $3}' /proc/$AGENT_PID/status)"
    teardown
done
echo "# $fails failures"
[ "$fails" -eq 0 ]
