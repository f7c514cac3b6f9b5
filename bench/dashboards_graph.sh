#!/usr/bin/env bash
# Benchmark: rrd/lamon-graph drawing a cluster's graphs, against the floor a
# script cannot beat: one bare `rrdtool graph` per PNG (same files, period and
# size, one LINE per graph, no legend statistics), run in the same loop.
#
#   bench/dashboards_graph.sh [NODES] [RUNS]      (default 10 nodes, 5 runs)
#
# Each node has node-, app- RRDs, plus one service RRD per 5 nodes, filled
# with one day of 10 s samples.  Prints the median wall time of each and the
# ratio.  Never part of make check.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODES=${1:-10} RUNS=${2:-5}
W=$(mktemp -d /tmp/lamon-bench-graph.XXXXXX)
trap 'rm -rf "$W"' EXIT
R=$W/rrd
mkdir -p "$R"

now=$(date +%s)
t0=$(( (now - 86400) / 10 * 10 ))
fill() {  # FILE KIND: one day of 10 s samples (awk: a bash loop is far too slow)
    local f=$1 kind=$2
    "$ROOT/rrd/lamon-rrd-create" --start $((t0 - 10)) "$kind" "$f"
    awk -v t0="$t0" -v now="$now" -v kind="$kind" 'BEGIN {
        for (t = t0; t <= now; t += 10) {
            i++
            if (kind == "node") printf "%d:%d.5:1.2:0.9:%d:16000000:%d:%d:%d\n", t, i % 300, i % 100, 8000000 - i % 5000, i % 700, i % 7
            else if (kind == "app") printf "%d:%d:%d\n", t, i % 700, i % 7
            else printf "%d:%d:%d\n", t, 3 + i % 2, i % 1400
        }}' | xargs -n 2000 rrdtool update "$f"
}
for ((n = 1; n <= NODES; n++)); do
    fill "$R/node-web$n.rrd" node
    fill "$R/app-web$n-httpd.rrd" app
done
for ((s = 1; s <= (NODES + 4) / 5; s++)); do fill "$R/service-svc$s.rrd" service; done

run_lamon() { "$ROOT/rrd/lamon-graph" -d "$R" -o "$W/a" --start -1d >/dev/null; }
run_bare() {
    local f ds
    mkdir -p "$W/b"
    for f in "$R"/*.rrd; do
        case $f in
            */node-*) set -- load1 cpu conns memavail ;;
            */app-*) set -- established ;;
            *) set -- nodes conns ;;
        esac
        for ds in "$@"; do
            rrdtool graph "$W/b/$(basename "$f" .rrd)-$ds.png" --imgformat PNG --full-size-mode \
                --width 600 --height 240 --start -1d "DEF:v=$f:$ds:AVERAGE" "LINE1:v#0000ff" >/dev/null
        done
    done
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
timeit() {  # FUNCTION: wall seconds
    local s e
    s=$(date +%s.%N); "$1"; e=$(date +%s.%N)
    echo "$e - $s" | bc
}
ta=() tb=()
for ((r = 1; r <= RUNS; r++)); do   # interleaved, so load changes hit both
    ta+=("$(timeit run_lamon)")
    tb+=("$(timeit run_bare)")
done
pngs=$(find "$W/a" -name '*.png' | wc -l)
ma=$(printf '%s\n' "${ta[@]}" | median)
mb=$(printf '%s\n' "${tb[@]}" | median)
echo "nodes=$NODES pngs=$pngs runs=$RUNS"
echo "lamon-graph        median ${ma} s  ($(echo "scale=1; $ma * 1000 / $pngs" | bc) ms/PNG)  runs: ${ta[*]}"
echo "bare rrdtool graph median ${mb} s  ($(echo "scale=1; $mb * 1000 / $pngs" | bc) ms/PNG)  runs: ${tb[*]}"
echo "ratio lamon-graph / bare: $(echo "scale=2; $ma / $mb" | bc)"
