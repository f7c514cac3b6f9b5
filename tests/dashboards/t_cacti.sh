#!/usr/bin/env bash
# The Cacti templates import cleanly into a real Cacti 1.2 (Debian's package)
# on a real MariaDB, every template hash lands in the database, and a device
# made from the "lamon node" host template, polled by Cacti's own poller
# against a real lamon-agent, gets RRDs holding the values snmpget reads.
#
# Cacti runs from a private copy of /usr/share/cacti whose include/config.php
# points at a private mariadbd (own datadir and socket, no TCP), so nothing
# outside $T is touched.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/lib.sh"
lamon_test_init
TPL=$ROOT/cacti-templates
L=.1.3.6.1.4.1.8072.9999.9999.9999.1
for need in /usr/share/cacti/cli/import_template.php /usr/sbin/mariadbd /usr/bin/php; do
    [ -e "$need" ] || bail "$need missing: run make deps"
done

# --- the templates in git are what the generator writes -----------------------------
python3 "$TPL/make-templates.py" "$T/gen" || bail "make-templates.py failed"
check "committed templates equal make-templates.py output" \
    diff -r -x make-templates.py -x README.md -x __pycache__ "$TPL" "$T/gen"

# The data queries' OID regexps, applied the way Cacti's lib/data_query.php
# applies them (preg_replace of '/RE/' with \1), to the OIDs of a real
# lamonDestTable row (no IPVS in this kernel, so no agent can serve one here)
# and of a lamonAppTable row.
cat >"$T/re.php" <<'PHP'
<?php
$q = simplexml_load_file($argv[1]);
$oid = $argv[2];
$re = function ($s) { return '/' . preg_replace('/^OID\/REGEXP:/', '', $s) . '/'; };
$out = array('index=' . preg_replace($re((string)$q->oid_index_parse), '\1', $oid));
foreach ($q->fields->children() as $name => $f) {
    if (strpos((string)$f->source, 'OID/REGEXP:') === 0) {
        $out[] = $name . '=' . preg_replace($re((string)$f->source), '\1', $oid);
    }
}
print implode(' ', $out) . "\n";
PHP
is "$(php "$T/re.php" "$TPL/resource/snmp_queries/lamon_ipvs_dests.xml" \
       ".1.3.6.1.4.1.8072.9999.9999.9999.1.5.2.1.4.6.1.4.10.0.0.1.80.0.1.4.192.168.1.5.8080")" \
   "index=6.1.4.10.0.0.1.80.0.1.4.192.168.1.5.8080 lamonDestVsAddress=10.0.0.1 lamonDestVsPort=80 lamonDestRealAddress=192.168.1.5 lamonDestRealPort=8080" \
   "IPVS destination query: index and IPv4 service/real server fields cut from the OID"
is "$(php "$T/re.php" "$TPL/resource/snmp_queries/lamon_apps.xml" \
       "1.3.6.1.4.1.8072.9999.9999.9999.1.2.1.1.6.119.101.98")" "index=119.101.98" \
   "applications query: the index is the name's octets"

# --- MariaDB and a private Cacti (lib.sh: cacti_setup) ------------------------------
# Cacti runs from a copy of /usr/share/cacti pointing at a private mariadbd;
# Cacti's sample automation network (192.168.1.0/24, enabled) is removed so
# that poller.php scans nothing: tests send traffic to loopback only.
cacti_setup || bail "MariaDB + Cacti setup failed"
ok "MariaDB runs with the Cacti schema ($(sql 'SELECT cacti FROM version'))"
is "$(sql 'SELECT COUNT(*) FROM automation_networks')" 0 "no automation network: the poller scans nothing"

# --- import every template ----------------------------------------------------------
# import_template.php exits 0 even when an item fails: cacti_import judges it
# by its output, and by Cacti's log, where a failed SQL save is the only trace.
for f in "$TPL"/cacti_host_template_*.xml; do
    out=$(cacti_import "$f"); rc=$?
    name=$(basename "$f")
    if [ "$rc" -eq 0 ]; then ok "import $name: no [fail], no Unmet, no SQL error"
    else fail "import $name"; printf '%s\n' "$out" | grep -Ei 'fail|unmet|error' | head -n 20 | sed 's/^/#   /'
         grep -E 'DBCALL ERROR|SQL Save' "$LOG" | head -n 5 | sed 's/^/#   /'; fi
done

# Every hash of every object in the files is in its table.
declare -A TABLE=([00]=graph_templates [01]=data_template [02]=host_template [04]=snmp_query
    [05]=cdef [06]=graph_templates_gprint [08]=data_template_rrd [09]=graph_template_input
    [10]=graph_templates_item [11]=snmp_query_graph [12]=snmp_query_graph_sv
    [13]=snmp_query_graph_rrd_sv [14]=cdef_items)
missing=() total=0
while read -r typ hash; do
    total=$((total + 1))
    n=$(sql "SELECT COUNT(*) FROM ${TABLE[$typ]} WHERE hash='$hash'")
    [ "${n:-0}" -ge 1 ] || missing+=("$typ:$hash")
done < <(grep -ohE '<hash_[0-9a-f]{2}0103[0-9a-f]{32}>' "$TPL"/cacti_host_template_*.xml |
         sed -E 's/<hash_([0-9a-f]{2})0103([0-9a-f]{32})>/\1 \2/' | sort -u)
[ "$total" -gt 100 ] && [ ${#missing[@]} -eq 0 ] && ok "all $total template hashes are in the database" ||
    { fail "template hashes in the database ($total checked)"; diag "missing: ${missing[*]:0:10}"; }
is "$(sql "SELECT name FROM host_template ORDER BY name" | tr '\n' ',')" "lamon director,lamon node," \
   "host templates 'lamon node' and 'lamon director'"
# A data template without its data_template_data row imports as [success]
# yet cannot make data sources: check the rows.
is "$(sql "SELECT COUNT(*) FROM data_template dt JOIN data_template_data d ON d.data_template_id = dt.id
           AND d.local_data_id = 0 WHERE dt.name LIKE 'lamon - %'")" 11 \
   "11 data templates, each with its template data row"
is "$(sql "SELECT COUNT(*) FROM snmp_query_graph_rrd")" 7 "data query graphs map 7 data sources to query fields"

# import_template.php does not install the data query XML: copy it.
cp "$TPL"/resource/snmp_queries/*.xml "$C/resource/snmp_queries/"

# --- a device on a real lamon-agent, polled by Cacti --------------------------------------
start_agent_with_app web || bail "snmpd + lamon-agent did not start"
hold_connections 3 || bail "could not open the test connections"
wait_for 15 test "$(snmpval "$L.2.1.1.6.$APP_INDEX")" = 3

tid=$(sql "SELECT id FROM host_template WHERE name='lamon node'")
out=$(timeout 300 php "$C/cli/add_device.php" --description=dashnode --ip=127.0.0.1 --template="$tid" \
      --version=2 --community=public --port="$SNMP_PORT" --avail=snmp 2>&1)
like "$out" "Success - new device-id" "add_device.php adds a 'lamon node' device"
hid=$(sql "SELECT id FROM host WHERE description='dashnode'")
is "$(sql "SELECT field_value, snmp_index FROM host_snmp_cache WHERE host_id='$hid' AND field_name='lamonAppLabel'" | tr '\t' ' ')" \
   "web $APP_INDEX" "the Applications data query finds the agent's application by its string index"
is "$(sql "SELECT COUNT(*) FROM graph_local WHERE host_id='$hid'")" 4 "the host template's four node graphs were created"

qid=$(sql "SELECT id FROM snmp_query WHERE name='lamon - Applications'")
qgid=$(sql "SELECT id FROM snmp_query_graph WHERE snmp_query_id='$qid'")
gtid=$(sql "SELECT graph_template_id FROM snmp_query_graph WHERE id='$qgid'")
out=$(timeout 300 php "$C/cli/add_graphs.php" --host-id="$hid" --graph-type=ds --graph-template-id="$gtid" \
      --snmp-query-id="$qid" --snmp-query-type-id="$qgid" --snmp-field=lamonAppLabel --snmp-value=web 2>&1)
like "$out" "Graph Added" "add_graphs.php adds the application connections graph"

out=$(timeout 300 php "$C/site/poller.php" --force 2>&1)
like "$out" "RRDsProcessed:9" "poller.php updates 9 RRDs (8 node objects + the application)"
rrd_of() {  # DATA-TEMPLATE DS-NAME: the RRD path of the device's data source
    sql "SELECT d.data_source_path FROM data_template_data d
         JOIN data_template_rrd r ON r.local_data_id = d.local_data_id
         JOIN data_template t ON t.id = d.data_template_id
         WHERE d.local_data_id > 0 AND t.name = '$1' AND r.data_source_name = '$2'" |
        sed "s|<path_rra>|$C/site/rra|"
}
lastval() {  # DATA-TEMPLATE DS-NAME: the value Cacti last wrote for it
    rrdtool lastupdate "$(rrd_of "$1" "$2")" 2>/dev/null |
        awk -v ds="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == ds) col = i} NR == 3 {print $(col + 1)}'
}
is "$(lastval "lamon - Node - Memory Total" memtotal)" "$(snmpval "$L.1.11.0")" "Cacti RRD memtotal = lamonNodeMemTotal from snmpget"
is "$(lastval "lamon - Node - Connections" conns)" "$(snmpval "$L.1.13.0")" "Cacti RRD conns = lamonNodeConnections from snmpget"
is "$(lastval "lamon - Application Connections" established)" 3 "Cacti RRD established = the 3 held connections (lamonAppEstablished)"
is "$(lastval "lamon - Application Connections" synrecv)" 0 "Cacti RRD synrecv (application) = 0"
like "$(lastval "lamon - Node - Load 1 min" load1)" '^[0-9]+$' "Cacti RRD load1 holds a real value"
like "$(lastval "lamon - Node - CPU Utilization" cpu)" '^[0-9]+$' "Cacti RRD cpu holds a real value"
unlike "$(grep -E 'DBCALL ERROR|SQL Save' "$LOG" | head -n 3)" . "no SQL errors in Cacti's log"

# --- the import check must be able to fail ---------------------------------------
# A graph item pointing at a data source that exists nowhere is an Unmet
# dependency (run last: the import changes the database).
sed '0,/<task_item_id>hash_080103[0-9a-f]*</s//<task_item_id>hash_080103eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee</' \
    "$TPL/cacti_host_template_lamon_node.xml" >"$T/broken.xml"
if cacti_import "$T/broken.xml" >"$T/broken.out"; then
    fail "a template with an unmet dependency is detected"; sed 's/^/#   /' "$T/broken.out" | head
else ok "a template with an unmet dependency is detected"; fi
done_testing
