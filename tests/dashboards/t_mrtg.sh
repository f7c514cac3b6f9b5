#!/usr/bin/env bash
# scripts/lamon-mrtg-config writes an MRTG config from lamon-controller.conf
# that `mrtg --check` accepts; a real mrtg run against a real lamon-agent
# writes RRDs holding the values snmpget reads.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/lib.sh"
lamon_test_init
GEN=$ROOT/scripts/lamon-mrtg-config
command -v mrtg >/dev/null || bail "mrtg missing: run make deps"
export LANG=C   # mrtg refuses UTF-8 locales

L=.1.3.6.1.4.1.8072.9999.9999.9999.1

# --- generation and mrtg --check, without any agent --------------------------------
cat >"$T/full.conf" <<'CONF'
# a cluster of two nodes and one director
interval 10000
rise 2
rrddir /var/lib/lamon/rrd
v3user ops sha authpass1 aes privpass1
node web1 192.0.2.11
node web2 192.0.2.12:1161 community s3cret
director lvs1 192.0.2.1 v3 ops
service www tcp 10.0.0.1:80 nodes 2 min 1 max 2 app httpd director lvs1
CONF
out=$("$GEN" -c "$T/full.conf" 2>&1)
is "$?" 0 "generator accepts a full controller config"
like "$out" "(^|$(printf '\n'))LogFormat: rrdtool" "LogFormat: rrdtool"
like "$out" "WorkDir: /var/lib/lamon/rrd/mrtg" "WorkDir defaults to RRDDIR/mrtg"
like "$out" "Target\[web1-load\]: ${L#.}\.1\.6\.0&${L#.}\.1\.7\.0:public@192\.0\.2\.11:161::::2" \
     "node load target: numeric lamonNodeLoad1/5 OIDs, v2c, default community and port"
like "$out" "Target\[web2-mem\]: ${L#.}\.1\.11\.0&${L#.}\.1\.12\.0:s3cret@192\.0\.2\.12:1161::::2" \
     "memory target with the node's community and port"
like "$out" "Target\[lvs1-conns\]: [0-9.]+&[0-9.]+:v3@192\.0\.2\.1:161::::3" "director polled with SNMPv3"
like "$out" "EnableSnmpV3: yes" "EnableSnmpV3 when a peer uses v3"
like "$out" "SnmpOptions\[lvs1-conns\]: username=>'ops',authprotocol=>'sha',authpassword=>'authpass1',privprotocol=>'aes'" \
     "v3 credentials from the v3user line"
# httpd = 104.116.116.112.100; the service app target sums both nodes.
like "$out" "Target\[www-app\]: ${L#.}\.2\.1\.1\.6\.104\.116\.116\.112\.100&${L#.}\.2\.1\.1\.7\.104\.116\.116\.112\.100:public@192\.0\.2\.11:161::::2 \+ " \
     "service app target: lamonAppEstablished/SynRecv with the string index, summed over nodes"
like "$out" "Target\[www-lvs1\]: ${L#.}\.5\.1\.1\.15\.6\.1\.4\.10\.0\.0\.1\.80\.0&${L#.}\.5\.1\.1\.20\.6\.1\.4\.10\.0\.0\.1\.80\.0:" \
     "IPVS target: lamonVsCps/DestCount indexed tcp.ipv4.4.10.0.0.1.80.fwmark 0"
n_targets=$(printf '%s\n' "$out" | grep -c '^Target\[')
n_gauge=$(printf '%s\n' "$out" | grep -c '^Options\[.*\]: gauge')
is "$n_targets" 14 "14 targets: 4 per node and director, app and IPVS per service"
is "$n_gauge" "$n_targets" "every target is a gauge (LAMON-MIB polls Gauge32 objects)"

mkdir -p "$T/wd"
"$GEN" -c "$T/full.conf" -w "$T/wd" -o "$T/full.cfg"
check "mrtg --check accepts the generated config" timeout 300 mrtg --check "$T/full.cfg"
# mrtg --check must be able to fail: drop one MaxBytes line.
grep -v '^MaxBytes\[web1-cpu\]' "$T/full.cfg" >"$T/broken.cfg"
out=$(timeout 300 mrtg --check "$T/broken.cfg" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && printf '%s' "$out" | grep -q MaxBytes &&
    ok "mrtg --check rejects a config missing a MaxBytes" ||
    { fail "mrtg --check rejects a config missing a MaxBytes"; diag "rc=$rc: $out"; }

# --- bad controller configs name file and line --------------------------------------
bad() {  # DESC LINE EXPECTED-REGEX
    printf 'rrddir /tmp\nnode ok1 127.0.0.1\n%s\n' "$2" >"$T/bad.conf"
    local o rc
    o=$("$GEN" -c "$T/bad.conf" 2>&1); rc=$?
    if [ "$rc" -eq 1 ] && printf '%s' "$o" | grep -Eq -- "$T/bad.conf: line 3: .*$3"; then ok "$1"
    else fail "$1"; diag "rc=$rc output: $o"; fi
}
bad "node without host" "node lonely" "node needs NAME HOST"
bad "bad port" "node n2 127.0.0.1:99999" "bad port"
bad "community with '@'" "node n2 127.0.0.1 community a@b" "cannot be used in an MRTG target"
bad "unknown v3 user" "node n2 127.0.0.1 v3 nobody" "v3user 'nobody' is not declared"
bad "service with unknown director" "service s tcp 10.0.0.1:80 nodes 1 director nod" "director 'nod' is not declared"
bad "service VIP without port" "service s tcp 10.0.0.1 nodes 1" "VIP needs a port"
bad "duplicate node" "node ok1 127.0.0.2" "declared twice"
"$GEN" -c "$T/nonexistent.conf" >/dev/null 2>"$T/err"
is "$?" 1 "a missing config file exits 1"
like "$(cat "$T/err")" "nonexistent.conf: No such file" "and says why"

# --- a real mrtg run against a real agent -------------------------------------------
start_agent_with_app web || bail "snmpd + lamon-agent did not start"
hold_connections 3 || bail "could not open the test connections"
# The agent samples connections periodically: wait until it reports ours.
wait_for 15 test "$(snmpval "$L.2.1.1.6.$APP_INDEX")" = 3
is "$(snmpval "$L.2.1.1.6.$APP_INDEX")" 3 "agent reports the 3 held connections (lamonAppEstablished)"

cat >"$T/run.conf" <<CONF
rrddir $T/rrd
node n1 127.0.0.1:$SNMP_PORT
node n2 127.0.0.1:$SNMP_PORT community public
service www tcp 10.0.0.1:80 nodes 1 app web
CONF
mkdir -p "$T/rrd/mrtg"
"$GEN" -c "$T/run.conf" -o "$T/run.cfg"
check "mrtg --check on the config for the running agent" timeout 300 mrtg --check "$T/run.cfg"
# Twice: MRTG's first run initialises, the second one is a normal poll.
for i in 1 2; do
    timeout 300 mrtg --logging "$T/mrtg.log" "$T/run.cfg" >/dev/null 2>&1
    rc=$?
    is "$rc" 0 "mrtg run $i exits 0"
    [ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/mrtg.log" | tail -n 10
    sleep 1
done

lastval() {  # RRD DS-INDEX: the last value written to the RRD
    rrdtool lastupdate "$1" 2>/dev/null | awk -v i="$2" 'NR == 3 {print $(i + 2)}'
}
for t in n1-load n1-cpu n1-mem n1-conns n2-conns www-app; do
    [ -f "$T/rrd/mrtg/$t.rrd" ] && ok "mrtg wrote $t.rrd" || fail "mrtg wrote $t.rrd"
done
is "$(rrdtool info "$T/rrd/mrtg/n1-mem.rrd" | sed -n 's/^ds\[ds0\]\.type = "\(.*\)"/\1/p')" GAUGE \
   "MRTG RRD data sources are GAUGE"
is "$(lastval "$T/rrd/mrtg/n1-mem.rrd" 0)" "$(snmpval "$L.1.11.0")" "n1-mem ds0 = lamonNodeMemTotal from snmpget"
is "$(lastval "$T/rrd/mrtg/n1-cpu.rrd" 1)" "$(snmpval "$L.1.10.0")" "n1-cpu ds1 = lamonNodeCpuCount from snmpget"
is "$(lastval "$T/rrd/mrtg/n1-conns.rrd" 0)" "$(snmpval "$L.1.13.0")" "n1-conns ds0 = lamonNodeConnections from snmpget"
is "$(lastval "$T/rrd/mrtg/n1-conns.rrd" 0)" 3 "which is the 3 held connections"
is "$(lastval "$T/rrd/mrtg/www-app.rrd" 0)" 6 "www-app ds0 = lamonAppEstablished summed over n1 and n2 (2 x 3)"
like "$(lastval "$T/rrd/mrtg/n1-load.rrd" 0)" '^[0-9]+$' "n1-load ds0 holds a real load x 100 value"
done_testing
