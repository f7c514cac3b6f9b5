#!/usr/bin/env bash
# Controller configuration (errors with file:line, -h, SIGHUP reload that
# keeps state, a bad reload refused) and the RRD files it writes (the
# layout of rrd/README.md, compared with rrd/lamon-rrd-create).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"

check "lamon-controller -h prints usage" sh -c "'$CTL_BIN' -h | grep -q 'usage: lamon-controller'"
printf 'interval 1000\nnode a 127.0.0.1\nrise many\n' >"$T/bad.conf"
out=$("$CTL_BIN" -f -c "$T/bad.conf" 2>&1); rc=$?
is "$rc" 1 "a bad configuration: exit status 1"
like "$out" "$T/bad.conf: line 3: .*rise" "... with the file, line and problem"
out=$("$CTL_BIN" -f -c "$T/missing.conf" 2>&1); rc=$?
is "$rc" 1 "a missing configuration: exit status 1"
like "$out" "missing.conf" "... naming the file"
# Issue 10: services but no write user ran and retried a failing promotion
# every cycle, forever; now refused at load.  timeout: the old code ran.
printf 'interval 500\ncontrol %s\nnode n1 127.0.0.1:9\ndirector lvs1 127.0.0.1:9\nservice web tcp 10.0.0.1:80 nodes 2 director lvs1\n' \
    "$T/nov3.sock" >"$T/nov3.conf"
out=$(timeout 10 "$CTL_BIN" -f -c "$T/nov3.conf" 2>&1); rc=$?
is "$rc" 1 "services without a v3user: exit status 1"
like "$out" "$T/nov3.conf: line 5: .*service web: no v3user declared above" "... with the service's file and line"
# Issue 10: over-long values were cut at 1,023 characters and accepted.
printf 'interval 1000\nlogfile /%s\n' "$(printf '%*s' 4999 '' | tr ' ' l)" >"$T/long.conf"
out=$(timeout 10 "$CTL_BIN" -f -c "$T/long.conf" 2>&1); rc=$?
is "$rc" 1 "a 5,000-character value: exit status 1"
like "$out" "$T/long.conf: line 2: .*logfile: word 1 is 5000 characters long; at most 4095" "... with the file, line and problem"

for n in 1 2; do start_node $n || bail "node $n did not start"; done
mkdir -p "$T/rrd"
write_ctl_conf "$T/ctl.conf" "1" "rrddir $T/rrd" "director lvs1 127.0.0.1:9" \
    "service www tcp 10.0.0.1:80 nodes 1 app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
wait_for 20 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | grep -q 'node1 .* server .* up'" \
    && ok "node1 serves www" || fail "node1 not serving: $(lamonctl status)"

# RRDs: the files exist, have the reference layout, and hold the values.
check "node RRD written" wait_for 10 test -f "$T/rrd/node-node1.rrd"
check "application RRD written" wait_for 10 test -f "$T/rrd/app-node1-web.rrd"
check "service RRD written" wait_for 10 test -f "$T/rrd/service-www.rrd"
layout() { rrdtool info "$1" | grep -E '^(step|ds\[|rra\[[0-9]+\]\.(cf|rows|pdp_per_row|xff))' | grep -vE 'last_ds|value|unknown_sec' ; }
for kind in node:node-node1 app:app-node1-web service:service-www; do
    k=${kind%%:*} f=${kind#*:}
    "$ROOT/rrd/lamon-rrd-create" --step 1 "$k" "$T/ref-$k.rrd" 2>/dev/null
    is "$(layout "$T/rrd/$f.rrd" | md5sum)" "$(layout "$T/ref-$k.rrd" | md5sum)" "$f.rrd has the layout of lamon-rrd-create $k"
done
sleep 3
nodes=$(rrdtool lastupdate "$T/rrd/service-www.rrd" | awk 'END {print $2}')
is "$nodes" 1 "service-www.rrd: nodes = 1 healthy member"
memt=$(rrdtool lastupdate "$T/rrd/node-node1.rrd" | awk 'END {print $6}')
is "$memt" "$(nodeget 1 lamonNodeMemTotal.0)" "node-node1.rrd: memtotal = lamonNodeMemTotal"

# Reload: a bad file is refused and nothing changes.
cp "$T/ctl.conf" "$T/good.conf"
echo "service bad tcp 10.0.0.2:80 nodes 1 director nosuch" >>"$T/ctl.conf"
kill -HUP "$CTL_PID"
wait_for 5 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' log | grep -q 'reload of .* failed'" \
    && ok "a bad reload is refused and logged" || fail "bad reload not reported"
like "$(lamonctl log | grep 'reload of' | tail -1)" "ctl.conf: line [0-9]+: .*director 'nosuch'" "... with file:line and the problem"
check "the controller still runs" kill -0 "$CTL_PID"
# A good reload adds node2 and keeps node1's state (no new promotion).
cp "$T/good.conf" "$T/ctl.conf"
echo "node node2 127.0.1.2:$NODE_PORT" >>"$T/ctl.conf"
promotions=$(lamonctl log | grep -c 'promote')
kill -HUP "$CTL_PID"
wait_for 10 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | grep -q 'node2 .* spare .* up'" \
    && ok "reload added node2, which joins the spares" || fail "node2 after reload: $(lamonctl status)"
is "$(lamonctl log | grep -c 'promote')" "$promotions" "reload kept node1's state: no new promotion"
like "$(lamonctl status)" "node1 +server +www +up" "node1 still serves"
done_testing
