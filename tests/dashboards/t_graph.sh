#!/usr/bin/env bash
# rrd/lamon-rrd-create makes RRDs of the documented layout (rrd/README.md);
# rrd/lamon-graph draws real PNGs of the requested size from them, and the
# values it plots are the ones written with rrdtool update.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
lamon_test_init
CREATE=$ROOT/rrd/lamon-rrd-create GRAPH=$ROOT/rrd/lamon-graph
command -v rrdtool >/dev/null || bail "rrdtool missing: run make deps"

# png_size FILE: prints "WxH" from the IHDR chunk, or fails when FILE is not a PNG.
png_size() {
    local h
    h=$(od -An -tx1 -N24 -v "$1" | tr -d ' \n')
    [ "${h:0:16}" = 89504e470d0a1a0a ] && [ "${h:24:8}" = 49484452 ] || return 1
    echo "$((16#${h:32:8}))x$((16#${h:40:8}))"
}
# The PNG check must be able to fail.
printf 'not a png at all, just text\n' >"$T/fake.png"
check_fails "png_size rejects a file that is not a PNG" png_size "$T/fake.png"

# --- layout -------------------------------------------------------------------
R=$T/rrd
mkdir -p "$R"
now=$(date +%s)
t0=$(( (now - 3600) / 10 * 10 ))
check "lamon-rrd-create node" "$CREATE" --step 10 --start $((t0 - 10)) node "$R/node-web01.rrd"
check "lamon-rrd-create app" "$CREATE" --step 10 --start $((t0 - 10)) app "$R/app-web01-httpd.rrd"
check "lamon-rrd-create service" "$CREATE" --step 10 --start $((t0 - 10)) service "$R/service-www.rrd"
check_fails "lamon-rrd-create refuses an unknown kind" "$CREATE" bogus "$R/x.rrd"
check_fails "lamon-rrd-create refuses step 0" "$CREATE" --step 0 node "$R/y.rrd"
check_fails "lamon-rrd-create does not overwrite" "$CREATE" node "$R/node-web01.rrd"

info=$(rrdtool info "$R/node-web01.rrd")
is "$(printf '%s\n' "$info" | sed -n 's/^step = //p')" 10 "node RRD step is 10 s"
is "$(printf '%s\n' "$info" | sed -n 's/^ds\[\([a-z0-9]*\)\]\.type = "\(.*\)"/\1:\2/p' | tr '\n' ' ')" \
   "load1:GAUGE load5:GAUGE load15:GAUGE cpu:GAUGE memtotal:GAUGE memavail:GAUGE conns:GAUGE synrecv:GAUGE " \
   "node RRD has the eight documented GAUGE data sources, in order"
is "$(printf '%s\n' "$info" | grep -E '^ds\[load1\]\.(minimal_heartbeat|min|max) ' | tr '\n' ' ')" \
   "ds[load1].minimal_heartbeat = 30 ds[load1].min = 0.0000000000e+00 ds[load1].max = NaN " \
   "heartbeat 3 x step, min 0, max U"
rras=$(printf '%s\n' "$info" | awk -F' = ' '
    /^rra\[[0-9]+\]\.cf/ {gsub(/"/, "", $2); cf[substr($1, 5, index($1, "]") - 5)] = $2}
    /^rra\[[0-9]+\]\.rows/ {rows[substr($1, 5, index($1, "]") - 5)] = $2}
    /^rra\[[0-9]+\]\.pdp_per_row/ {ppr[substr($1, 5, index($1, "]") - 5)] = $2}
    END {for (i = 0; i in cf; i++) printf "%s:%s:%s ", cf[i], ppr[i], rows[i]}')
is "$rras" \
   "AVERAGE:1:8640 AVERAGE:30:4032 AVERAGE:180:2976 AVERAGE:8640:730 MAX:1:8640 MAX:30:4032 MAX:180:2976 MAX:8640:730 " \
   "RRAs: 1 step x 1 day, 5 min x 14 d, 30 min x 62 d, 1 day x 730 d, AVERAGE and MAX"
is "$(rrdtool info "$R/app-web01-httpd.rrd" | sed -n 's/^ds\[\([a-z]*\)\]\.type.*/\1/p' | tr '\n' ' ')" \
   "established synrecv " "app RRD data sources"
is "$(rrdtool info "$R/service-www.rrd" | sed -n 's/^ds\[\([a-z]*\)\]\.type.*/\1/p' | tr '\n' ' ')" \
   "nodes conns " "service RRD data sources"

# --- fill with known constant values for the last hour -------------------------
un=() ua=() us=()
for ((t = t0; t <= now; t += 10)); do
    un+=("$t:1.50:1.25:0.75:42:2000000:500000:120:4")
    ua+=("$t:77:2")
    us+=("$t:3:250")
done
check "rrdtool update node" rrdtool update "$R/node-web01.rrd" "${un[@]}"
check "rrdtool update app" rrdtool update "$R/app-web01-httpd.rrd" "${ua[@]}"
check "rrdtool update service" rrdtool update "$R/service-www.rrd" "${us[@]}"

# --- graphs -------------------------------------------------------------------
out=$("$GRAPH" -d "$R" -o "$T/png" --start -50min --end now-5min --width 640 --height 300 --summary 2>&1)
rc=$?
is "$rc" 0 "lamon-graph exits 0"
pngs="node-web01-load node-web01-cpu node-web01-conns node-web01-mem app-web01-httpd-conns service-www-nodes service-www-conns"
for p in $pngs; do
    f=$T/png/$p.png
    is "$(png_size "$f" 2>&1)" "640x300" "$p.png is a 640x300 PNG"
done
is "$(printf '%s\n' "$out" | grep -c '\.png$')" 7 "lamon-graph reports the seven PNGs it wrote"

# The averages rrdtool computed for the plotted values are the values written:
# the graphs read the right data sources with the right scaling.
summary=$(printf '%s\n' "$out" | tr -d ' ' | tr '\n' ' ')
like "$summary" "node-web01-load.png l1=1.50 l5=1.25 l15=0.75 " "load graph plots load1/5/15"
like "$summary" "node-web01-cpu.png cpu=42.00 " "CPU graph plots cpu percent"
like "$summary" "node-web01-conns.png c=120.00 s=4.00 " "node connections graph"
like "$summary" "node-web01-mem.png used=1536000000.00 totb=2048000000.00 " "memory graph: used = total - available, in bytes"
like "$summary" "app-web01-httpd-conns.png e=77.00 s=2.00 " "application connections graph"
like "$summary" "service-www-nodes.png n=3.00 " "service node count graph"
like "$summary" "service-www-conns.png c=250.00 " "service connections graph"

# Selecting one node draws only its four graphs.
out=$("$GRAPH" -d "$R" -o "$T/one" --start -1h --node web01 2>&1)
is "$(printf '%s\n' "$out" | xargs -n1 basename | tr '\n' ' ')" \
   "node-web01-load.png node-web01-cpu.png node-web01-conns.png node-web01-mem.png " "--node draws that node only"
is "$(png_size "$T/one/node-web01-cpu.png")" "600x240" "default size is 600x240"

# --- errors -------------------------------------------------------------------
"$GRAPH" -d "$R" -o "$T/err" --node nosuch >"$T/err.out" 2>&1
is "$?" 1 "a missing RRD exits 1"
like "$(cat "$T/err.out")" "node-nosuch.rrd: no such RRD" "and names the file"
"$GRAPH" -d "$R" -o "$T/err" --width 12 >"$T/err.out" 2>&1
is "$?" 2 "a bad --width is a usage error"
"$GRAPH" -d "$R" -o "$T/err" --node '../etc' >"$T/err.out" 2>&1
is "$?" 2 "a name with '/' is refused"
"$GRAPH" -d "$R" -o "$T/err" --start garbage --service www >"$T/err.out" 2>&1
is "$?" 1 "an unparsable --start fails"
like "$(cat "$T/err.out")" "unparsable time" "with rrdtool's reason"
done_testing
