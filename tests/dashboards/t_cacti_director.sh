#!/usr/bin/env bash
# The Cacti "lamon director" template polled end to end: a real IPVS director
# (Debian's kernel in qemu, tests/vm) with two virtual services and three
# real servers carries a known amount of real traffic; a device made from the
# "lamon director" host template in a private Cacti on a private MariaDB gets
# the lamonDestTable rows from the "lamon - IPVS Destinations" data query, and
# one run of Cacti's poller writes RRDs whose values are the guest's
# `ipvsadm -Ln --exact --stats` (connections, bytes) and `-Ln` (active and
# inactive connections), read before and after the poll.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../vm/vm.sh"
. "$(dirname "$0")/../vm/ipvs_lib.sh"
lamon_test_init
trap 'vm_stop; lamon_test_cleanup' EXIT
TPL=$ROOT/cacti-templates
for need in /usr/share/cacti/cli/import_template.php /usr/sbin/mariadbd /usr/bin/php; do
    [ -e "$need" ] || bail "$need missing: run make deps"
done
[ -x "$BUILD/lamon-agent" ] || bail "no $BUILD/lamon-agent: build first"

# --- the director ---------------------------------------------------------------
vm_start "cache_ms 500" || bail "the VM did not start"
ok "VM booted with real IPVS; snmpd and lamon-agent answer on 127.0.0.1:$VM_SNMP_PORT"
vm_sh '
set -e
ip netns add rs1
ip link add veth-rs1 type veth peer name eth0 netns rs1
ip addr add 192.168.50.1/24 dev veth-rs1; ip link set veth-rs1 up
ip -n rs1 addr add 192.168.50.2/24 dev eth0; ip -n rs1 link set eth0 up; ip -n rs1 link set lo up
ip -n rs1 route add default via 192.168.50.1
ip link set dummy0 up; ip addr add 10.10.10.10/32 dev dummy0; ip addr add 10.10.10.20/32 dev dummy0
' || bail "network setup in the guest"
for p in 8080 8081; do
    vm_spawn /run/lamon/http$p.log ip netns exec rs1 /usr/bin/python3 -m http.server -b 192.168.50.2 -d /run/lamon $p \
        || bail "real server on :$p"
done
# Two services; the second has a weight-0 destination (wrr sends it nothing)
# so that one row's counters must stay 0.
vm_sh 'set -e
ipvsadm -A -t 10.10.10.10:80 -s rr
ipvsadm -a -t 10.10.10.10:80 -r 192.168.50.2:8080 -m -w 1
ipvsadm -A -t 10.10.10.20:8000 -s wrr
ipvsadm -a -t 10.10.10.20:8000 -r 192.168.50.2:8081 -m -w 2
ipvsadm -a -t 10.10.10.20:8000 -r 192.168.50.3:8081 -m -w 0
' || bail "ipvsadm setup"
for p in 8080 8081; do
    wait_for 30 vm_exec /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://192.168.50.2:$p/', timeout=2)" \
        || bail "the real server on :$p does not answer directly"
done

# A known amount of traffic: 5 requests through the first service, 3 through the second.
out=$(vm_exec /usr/bin/python3 -c '
import urllib.request
for url, n in (("http://10.10.10.10/", 5), ("http://10.10.10.20:8000/", 3)):
    for i in range(n):
        urllib.request.urlopen(url, timeout=5).read()
print("done")')
is "$out" done "8 requests reach the real server through the two virtual services"

# stats: "DEST CONNS INBYTES OUTBYTES ACTIVE INACTIVE" per destination, from
# one ipvsadm pair in the guest.
stats() {
    vm_sh 'ipvsadm -Ln --exact --stats; echo ===; ipvsadm -Ln --exact' | awk '
        /^===/ {second = 1; next}
        $1 ~ /^(TCP|UDP|SCTP|FWM)$/ {vs = $2; next}
        $1 == "->" && $2 != "RemoteAddress:Port" {
            k = vs ">" $2
            if (!second) {c[k] = $3; ib[k] = $6; ob[k] = $7; keys[++n] = k}
            else {a[k] = $5; ia[k] = $6}
        }
        END {for (i = 1; i <= n; i++) print keys[i], c[keys[i]], ib[keys[i]], ob[keys[i]], a[keys[i]], ia[keys[i]]}'
}
# The kernel folds its per-CPU counters into what it reports every 2 s.
conns_are() { [ "$(stats | awk '{printf "%s ", $2}')" = "5 3 0 " ]; }
wait_for 20 conns_are
is "$(stats | awk '{printf "%s=%s ", $1, $2}')" \
   "10.10.10.10:80>192.168.50.2:8080=5 10.10.10.20:8000>192.168.50.2:8081=3 10.10.10.20:8000>192.168.50.3:8081=0 " \
   "ipvsadm --stats counts 5, 3 and 0 connections"

# --- Cacti --------------------------------------------------------------------
cacti_setup || bail "MariaDB + Cacti setup failed"
ok "a private Cacti $(sql 'SELECT cacti FROM version') on a private MariaDB"
out=$(cacti_import "$TPL/cacti_host_template_lamon_director.xml"); rc=$?
[ "$rc" -eq 0 ] && ok "import the lamon director template" ||
    { fail "import the lamon director template"; printf '%s\n' "$out" | grep -Ei 'fail|unmet|error' | head | sed 's/^/#   /'; }
cp "$TPL"/resource/snmp_queries/*.xml "$C/resource/snmp_queries/"

tid=$(sql "SELECT id FROM host_template WHERE name='lamon director'")
# TCG is slow: give Cacti's SNMP requests 5 s instead of 0.5 s.
out=$(timeout 300 php "$C/cli/add_device.php" --description=director --ip=127.0.0.1 --template="$tid" \
      --version=2 --community=public --port="$VM_SNMP_PORT" --timeout=5000 --avail=snmp 2>&1)
like "$out" "Success - new device-id" "add_device.php adds a 'lamon director' device on the VM"
hid=$(sql "SELECT id FROM host WHERE description='director'")
qid=$(sql "SELECT id FROM snmp_query WHERE name='lamon - IPVS Destinations'")
vs1=$(vs_idx tcp 10.10.10.10 80) vs2=$(vs_idx tcp 10.10.10.20 8000)
d1=$(dest_idx "$vs1" 192.168.50.2 8080) d2=$(dest_idx "$vs2" 192.168.50.2 8081) d3=$(dest_idx "$vs2" 192.168.50.3 8081)
declare -A KEY=([$d1]="10.10.10.10:80>192.168.50.2:8080" [$d2]="10.10.10.20:8000>192.168.50.2:8081"
                [$d3]="10.10.10.20:8000>192.168.50.3:8081")
is "$(sql "SELECT snmp_index FROM host_snmp_cache WHERE host_id='$hid' AND snmp_query_id='$qid'
           AND field_name='lamonDestRealPort' ORDER BY snmp_index" | tr '\n' ' ')" \
   "$(printf '%s\n' "$d1" "$d2" "$d3" | sort | tr '\n' ' ')" \
   "the IPVS Destinations data query finds the three lamonDestTable rows"
is "$(sql "SELECT CONCAT(a.field_value, ':', p.field_value) FROM host_snmp_cache a JOIN host_snmp_cache p
           ON p.host_id = a.host_id AND p.snmp_query_id = a.snmp_query_id AND p.snmp_index = a.snmp_index
           AND p.field_name = 'lamonDestRealPort'
           WHERE a.host_id='$hid' AND a.snmp_query_id='$qid' AND a.field_name='lamonDestRealAddress'
           ORDER BY a.snmp_index" | tr '\n' ' ')" \
   "$(for d in $(printf '%s\n' "$d1" "$d2" "$d3" | sort); do printf '%s ' "${KEY[$d]#*>}"; done)" \
   "their real server addresses and ports are cut from the index"

# Both graphs (connections, traffic) for each row.
n_added=0
for qgid in $(sql "SELECT id FROM snmp_query_graph WHERE snmp_query_id='$qid'"); do
    gtid=$(sql "SELECT graph_template_id FROM snmp_query_graph WHERE id='$qgid'")
    for d in "$d1" "$d2" "$d3"; do
        out=$(timeout 300 php "$C/cli/add_graphs.php" --host-id="$hid" --graph-type=ds --graph-template-id="$gtid" \
              --snmp-query-id="$qid" --snmp-query-type-id="$qgid" --snmp-field=lamonDestIndex --snmp-value="$d" 2>&1)
        printf '%s' "$out" | grep -q "Graph Added" && n_added=$((n_added + 1)) || diag "add_graphs: $out"
    done
done
is "$n_added" 6 "add_graphs.php adds the connections and traffic graphs of each destination"

# --- one poll, bounded by ipvsadm before and after --------------------------------
stats >"$T/before"
out=$(timeout 600 php "$C/site/poller.php" --force 2>&1)
stats >"$T/after"
like "$out" "RRDsProcessed:14" "poller.php updates 14 RRDs (8 node objects + 2 per destination)"
rrd_of() {  # DATA-TEMPLATE DS-NAME SNMP-INDEX: the RRD path of that data source
    sql "SELECT d.data_source_path FROM data_template_data d
         JOIN data_template_rrd r ON r.local_data_id = d.local_data_id
         JOIN data_template t ON t.id = d.data_template_id
         JOIN data_local l ON l.id = d.local_data_id
         WHERE d.local_data_id > 0 AND t.name = '$1' AND r.data_source_name = '$2' AND l.snmp_index = '$3'" |
        sed "s|<path_rra>|$C/site/rra|"
}
lastval() {  # DATA-TEMPLATE DS-NAME SNMP-INDEX: the value Cacti last wrote for it
    rrdtool lastupdate "$(rrd_of "$1" "$2" "$3")" 2>/dev/null |
        awk -v ds="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == ds) col = i} NR == 3 {print $(col + 1)}'
}
within() {  # DESC VALUE KEY FIELD: VALUE lies between ipvsadm's before and after figures
    local lo hi
    lo=$(awk -v k="$3" -v f="$4" '$1 == k {print $f}' "$T/before")
    hi=$(awk -v k="$3" -v f="$4" '$1 == k {print $f}' "$T/after")
    [ "$lo" -gt "$hi" ] 2>/dev/null && { local x=$lo; lo=$hi; hi=$x; }   # gauges may fall
    if [[ "$2" =~ ^[0-9]+$ ]] && [ -n "$lo" ] && [ "$2" -ge "$lo" ] && [ "$2" -le "$hi" ]; then
        ok "$1 = $2 (ipvsadm: $lo..$hi)"
    else fail "$1"; diag "  Cacti wrote '$2', ipvsadm read '$lo' before and '$hi' after the poll"; fi
}
CONN="lamon - IPVS Destination Connections" TRAF="lamon - IPVS Destination Traffic"
for d in "$d1" "$d2" "$d3"; do
    k=${KEY[$d]}
    within "$k conns"    "$(lastval "$CONN" conns "$d")"    "$k" 2
    within "$k inbytes"  "$(lastval "$TRAF" inbytes "$d")"  "$k" 3
    within "$k outbytes" "$(lastval "$TRAF" outbytes "$d")" "$k" 4
    within "$k active"   "$(lastval "$CONN" active "$d")"   "$k" 5
    within "$k inactive" "$(lastval "$CONN" inactive "$d")" "$k" 6
done
# The known amount of traffic, exactly; bytes moved on the served rows only.
is "$(lastval "$CONN" conns "$d1") $(lastval "$CONN" conns "$d2") $(lastval "$CONN" conns "$d3")" "5 3 0" \
   "Cacti's conns RRDs hold the 5, 3 and 0 connections sent"
[ "$(lastval "$TRAF" outbytes "$d1")" -gt 0 ] 2>/dev/null && [ "$(lastval "$TRAF" outbytes "$d2")" -gt 0 ] 2>/dev/null &&
    [ "$(lastval "$TRAF" inbytes "$d3")" = 0 ] && ok "bytes moved on the two served rows, none on the weight-0 row" ||
    fail "bytes moved on the two served rows, none on the weight-0 row"
unlike "$(grep -E 'DBCALL ERROR|SQL Save|ERROR:' "$LOG" | head -n 3)" . "no errors in Cacti's log"
done_testing
