#!/usr/bin/env bash
# What 1,000 nodes' heartbeats cost lamon-controller (issue 12, "Scale":
# 1,000 nodes with 200 ms heartbeats, plus the full poll every 10 s, costs
# the controller <= 25 % of one core).  The cluster of
# bench/controller_poll.sh (bench/many_nodes.sh: one snmpd on N loopback
# addresses, one real agent, the controller polling n1..nN every
# INTERVAL_S), with the notification receiver on (listen, accept).  The
# agent says it sends heartbeats every PERIOD_MS (its snmpd has no sink, so
# its own go nowhere); tests/tools/notif_blast sends them instead: node
# i's lamonNodeHeartbeat from node i's own address, N * 1000 / PERIOD_MS
# a second in turn, so every node beats every PERIOD_MS.
#
# Two phases in the same run, CYCLES intervals each: the polls alone (the
# peer), then the polls with every node's heartbeats.  Per interval: the
# controller's CPU (utime + stime from /proc/PID/stat), the heartbeats it
# accepted, the nodes heard and answering.  Then medians, the CPU % of
# one core of each phase and the heartbeats' share; the heartbeats sent
# against those accepted, and whether any node was declared down.
#
#   bench/heartbeat_scale.sh [N=1000] [CYCLES=5] [INTERVAL_S=10]
#   env: BUILD, PERIOD_MS (200), TIMEOUT_MS (5000), PERF=FILE (perf record -g
#        of the controller for one interval with heartbeats, before the
#        measured ones)
#
# Bounded: start-up as controller_poll.sh's, then 2 * CYCLES intervals, a
# warm-up of at most 60 s and the sender's own end.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-1000} CYCLES=${2:-5} IV=${3:-10}
PERIOD_MS=${PERIOD_MS:-200} TIMEOUT_MS=${TIMEOUT_MS:-5000}
BLAST=$BUILD/tests/tools/notif_blast
. "$ROOT/tests/lib/tap.sh"
export LAMON_BUILD=$BUILD
. "$ROOT/tests/lib/snmpd.sh"
lamon_test_init
[ -x "$BLAST" ] || { echo "build $BLAST first (make)"; exit 1; }
. "$ROOT/bench/many_nodes.sh"
RP=$(free_udp_port)
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
many_nodes_snmpd
many_nodes_agent "heartbeat_ms $PERIOD_MS"
many_nodes_controller "listen 127.0.0.1:$RP" "accept 127.0.0.0/8 community lamontrap"

beats() {
    lamonctl --json status | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s["notifications"]["received"]["lamonNodeHeartbeat"], sum(1 for x in s["nodes"] if x.get("heartbeats", 0) > 0))'
}
downs() { grep -c -e "-> down" -e "heartbeats stopped" -e "PANIC" "$T/ctl.log"; }

# cycles PHASE: CYCLES rows "phase k ctl_cpu_s cpu_share hb_accepted hb_per_s
# nodes_heard_total answered_pct downs load1" (downs: "-> down" or PANIC lines).
cycles() {
    local k c0 c1 t0 t1 h0 h1 d0 d1 ans
    for k in $(seq 1 "$CYCLES"); do
        c0=$(cpu "$CTL") t0=$(date +%s.%N) d0=$(downs); read -r h0 _ < <(beats)
        sleep "$IV"
        c1=$(cpu "$CTL") t1=$(date +%s.%N) d1=$(downs); read -r h1 heard < <(beats)
        ans=$(answered "${t0%.*}")
        echo "$1 $k $(echo "$c1 - $c0" | bc) $(echo "$t1 - $t0" | bc) $((h1 - h0)) $heard $ans $((d1 - d0)) $(cut -d' ' -f1 /proc/loadavg)"
    done | awk -v n="$N" '{ wall = $4; printf "%s %d %.3f %.2f%% %d %.0f %d %.1f%% %d %s\n", $1, $2, $3, 100 * $3 / wall, $5, $5 / wall, $6,
                                   100 * $7 / n, $8, $9 }'
}

echo "# N=$N interval=${IV}s cycles=$CYCLES per phase, heartbeats every ${PERIOD_MS} ms = $((N * 1000 / PERIOD_MS))/s"
echo "# phase cycle ctl_cpu_s ctl_cpu_share hb_accepted hb_per_s nodes_heard_total answered_pct downs load1"
cycles polls | tee "$T/rows"

# --- the heartbeats ---------------------------------------------------------------
sock_drops() { ss -Hulnm "sport = :$RP" | grep -o ',d[0-9]*' | head -n 1 | tr -dc 0-9; }
read -r hb0 _ < <(beats)
down0=$(downs) drops0=$(sock_drops)
"$BLAST" -t "127.0.0.1:$RP" -k valid -n "$N" -p n -C lamontrap -P "$PERIOD_MS" -r "$((N * 1000 / PERIOD_MS))" \
    -s $(((CYCLES + 1) * IV + 90)) >"$T/blast.out" 2>&1 &
BP=$!
LAMON_PIDS="$LAMON_PIDS $BP"
all_heard() { [ "$(beats | cut -d' ' -f2)" -ge "$N" ]; }
wait_for 60 all_heard || echo "# not every node was heard within 60 s: $(beats)"
sleep 2
if [ -n "${PERF:-}" ]; then   # where the controller's time goes, one interval, before the measured ones
    perf record -q -g -p "$CTL" -o "$PERF" -- sleep "$IV" >/dev/null 2>&1
    echo "# perf: perf report -i $PERF --no-children"
fi
cycles heartbeats | tee -a "$T/rows"
down1=$(downs)
grep -e "-> down" -e "PANIC" "$T/ctl.log" | head -n 3 >"$T/first_downs"
kill -TERM "$BP"; wait "$BP"
sleep 1
read -r hb1 heard < <(beats)
sent=$(awk '$1 == "sent" && $2 == "valid" {print $3}' "$T/blast.out")
echo "# notif_blast: $(tail -n 1 "$T/blast.out")"
echo "# heartbeats: $sent sent, $((hb1 - hb0)) accepted ($(echo "scale=2; 100 * ($hb1 - $hb0) / $sent" | bc)%), $heard of $N nodes heard;" \
     "nodes declared down (or panic) while they beat: $((down1 - down0));" \
     "dropped by the kernel (socket buffer full): $(($(sock_drops) - drops0))," \
     "buffer $(ss -Hulnm "sport = :$RP" | grep -o ',rb[0-9]*' | tr -dc 0-9) bytes"
sed 's/^/# down while they beat: /' "$T/first_downs"
echo "# controller after: $(ls /proc/$CTL/fd | wc -l) fds, $(awk '/VmRSS/ {print $2 / 1024 " MB"}' /proc/$CTL/status) RSS; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$T/rows" "$N" "$PERIOD_MS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
n, period = int(sys.argv[2]), int(sys.argv[3])
med = lambda phase, i: statistics.median(float(r[i].rstrip('%')) for r in rows if r[0] == phase)
p, h = med("polls", 3), med("heartbeats", 3)
print("median: polls alone %.2f%% of one core; polls + %d nodes' heartbeats every %d ms %.2f%% of one core "
      "(%.0f heartbeats/s accepted); the heartbeats cost %.2f%% of one core, %.1f us each; target <= 25%%: %s; load1 %.2f"
      % (p, n, period, h, med("heartbeats", 5), h - p, 1e4 * (h - p) / max(med("heartbeats", 5), 1),
         "met" if h <= 25 else "NOT met", med("heartbeats", 9)))
PY
