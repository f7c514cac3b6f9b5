#!/usr/bin/env bash
# End to end: hot spares ("hot 1"), with five real agents (127.0.1.1-5) and
# a real IPVS director in the qemu VM (checked with ipvsadm -Ln in the
# guest).  The service keeps 2 nodes; of the 3 spares one is kept hot: its
# agent says role spare, service www, and its application runs (the agent's
# lamonAppOperStatus up, one appStart row in its lamonOpTable), while it is
# not in IPVS.  A member killed (snmpd and agent) is replaced by the hot
# spare with no new application start (its lamonOpTable keeps its one
# appStart row), and another spare is heated.  A hot spare whose
# application fails goes back to the cold spares, and the last cold one is
# heated.  `lamonctl --json status` says "spare": "hot"/"cold" throughout.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
. "$(dirname "$0")/../vm/vm.sh"
lamon_test_init
trap 'vm_stop; lamon_test_cleanup' EXIT
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
vm_start "cache_ms 200" || bail "the VM did not start"
ok "director VM up (snmpd + lamon-agent with IPVS on 127.0.0.1:$VM_SNMP_PORT)"
NODES="1 2 3 4 5"
for n in $NODES; do start_node $n || bail "node $n did not start"; done
CTL_INTERVAL=1000 CTL_TIMEOUT=800 CTL_RISE=1 write_ctl_conf "$T/ctl.conf" "$NODES" \
    "director lvs1 127.0.0.1:$VM_SNMP_PORT" \
    "service www tcp 10.0.0.1:80 nodes 2 hot 1 sched rr fwd route app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

ipvs_dests() { vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^127\.0\.1\./ {print $2}' | sort | tr '\n' ' '; }
# role N: the role its agent says (2 server, 3 spare); svc N: its service.
role() { nodeget "$1" lamonNodeRole.0; }
svc() { nodeget "$1" lamonNodeService.0 | tr -d '"'; }
# app_up N: the agent says application web is up(1).
app_up() { [ "$(nodeget "$1" "lamonAppOperStatus.'web'")" = 1 ]; }
# starts N: appStart(1) rows in node N's lamonOpTable.
starts() {
    snmpwalk -v2c -c public -r1 -t1 -Oqv -Oe "127.0.1.$1:$NODE_PORT" LAMON-MIB::lamonOpType 2>/dev/null | grep -cx 1
}
# hot_nodes: the nodes whose agents say spare of www with web up.
hot_nodes() { local n; for n in ${ALIVE:-$NODES}; do [ "$(role $n)" = 3 ] && [ "$(svc $n)" = www ] && app_up $n && echo $n; done | tr '\n' ' '; }
# spare_json: "NAME:hot|cold" for every spare lamonctl --json status shows.
spare_json() {
    lamonctl --json status | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%s:%s" % (n["name"], n.get("spare", "NONE")) for n in d["nodes"] if n["role"] == "spare"))'
}
# json_ok HOT...: lamonctl says exactly the nodes HOT are hot spares, every other spare cold.
json_ok() {
    local want="" n w
    for n in $(for x in ${ALIVE:-$NODES}; do [ "$(role $x)" = 3 ] && echo $x; done); do
        w=cold; [[ " $* " == *" $n "* ]] && w=hot
        want="$want node$n:$w"
    done
    [ "$(spare_json)" = "${want# }" ]
}

settled() { [ "$(ipvs_dests | wc -w)" = 2 ] && [ "$(hot_nodes | wc -w)" = 1 ]; }
if wait_for 90 settled; then
    ok "2 destinations in IPVS ($(ipvs_dests)) and one hot spare (node$(hot_nodes))"
else
    fail "IPVS '$(ipvs_dests)', hot '$(hot_nodes)'"; lamonctl log | tail -20 | sed 's/^/# /'; bail "no assignment"
fi
H=$(hot_nodes | tr -d ' ')
servers=$(for n in $NODES; do [ "$(role $n)" = 2 ] && echo $n; done | tr '\n' ' ')
is "$(ipvs_dests)" "$(for n in $servers; do echo "127.0.1.$n:80"; done | sort | tr '\n' ' ')" \
    "the destinations are exactly the servers"
[[ " $(ipvs_dests) " != *" 127.0.1.$H:80 "* ]] && ok "the hot spare node$H is not in IPVS" || fail "node$H in IPVS"
is "$(starts $H)" 1 "node$H's agent ran one application start (its lamonOpTable)"
cold=$(for n in $NODES; do [ "$(role $n)" = 3 ] && [ "$n" != "$H" ] && echo $n; done | xargs)
is "$(for n in $cold; do app_up $n && echo $n; done | wc -l)" 0 "the cold spares' applications do not run ($cold)"
check "lamonctl --json status: node$H hot, node${cold// /, node} cold" wait_for 10 json_ok "$H"
like "$(lamonctl status)" "node$H +spare +www +up .* hot " "lamonctl status shows node$H as a hot spare"
like "$(lamonctl services)" "spares +1 hot \\(keeps 1\\), 0 warming, 2 cold" "lamonctl services counts the spares"
like "$(lamonctl log)" "heat spare node$H for service www: service www has 0 of 1 hot spares; start its application, out of IPVS" \
    "the log gives the heating with its reason"

# Nothing changes across a controller restart.
stop_controller
start_controller "$T/ctl.conf" || bail "controller did not restart"
sleep 6
like "$(lamonctl stats)" "sets 0" "a restarted controller keeps the hot spare: zero SETs"
check "... and still shows node$H hot" wait_for 10 json_ok "$H"

# Failover: a member is killed (its snmpd and agent).
k=$(echo $servers | awk '{print $1}')
stop_node $k
ALIVE=$(echo " $NODES " | sed "s/ $k / /")
promoted() { local d; d=$(ipvs_dests); [[ " $d " != *" 127.0.1.$k:80 "* ]] && [[ " $d " == *" 127.0.1.$H:80 "* ]] \
    && [ "$(echo $d | wc -w)" = 2 ]; }
if wait_for 60 promoted; then
    ok "node$k removed from IPVS, the hot spare node$H added: $(ipvs_dests)"
else
    fail "after node$k was killed IPVS has '$(ipvs_dests)'"; lamonctl log | tail -20 | sed 's/^/# /'
fi
is "$(role $H)" 2 "node$H's agent says role server"
is "$(starts $H)" 1 "node$H was promoted without a new application start (still one appStart row)"
like "$(lamonctl log)" "promote hot spare node$H to service www" "the log says the hot spare was promoted"
unlike "$(lamonctl log)" "node node$H: application web admin up \\(member" "... and no start was sent to it as a member"
reheated() { local h; h=$(hot_nodes); [ "$(echo $h | wc -w)" = 1 ] && [ "$h" != "$H " ]; }
if wait_for 30 reheated; then ok "another spare was heated: node$(hot_nodes)"; else fail "hot spares now: '$(hot_nodes)'"; fi
H2=$(hot_nodes | tr -d ' ')
[[ " $(ipvs_dests) " != *" 127.0.1.$H2:80 "* ]] && ok "node$H2 is not in IPVS" || fail "node$H2 in IPVS"
check "lamonctl --json status: node$H2 hot, the other spare cold" wait_for 10 json_ok "$H2"

# The new hot spare's application fails and cannot be started again (its
# flag file is a dangling link: the check fails, and so does the start's
# touch): it goes back to the cold spares, and the last cold spare is
# heated.
rm -f "$T/node$H2/web.up" && ln -s "$T/nonexistent/web.up" "$T/node$H2/web.up"
last=$(for n in $ALIVE; do [ "$(role $n)" = 3 ] && [ "$n" != "$H2" ] && echo $n; done | tr -d '\n')
moved() { [ "$(hot_nodes)" = "$last " ] && [ -z "$(svc $H2)" ]; }
# ... and stays so: the fallen one is not heated again while another will do.
stays() { local i; for i in 1 2 3 4 5; do moved || return 1; sleep 1; done; }
if wait_for 30 moved; then
    ok "node$H2's application failed: it is a cold spare again, node$last is hot"
else
    fail "hot '$(hot_nodes)', node$H2 service '$(svc $H2)'"; lamonctl log | tail -20 | sed 's/^/# /'
fi
like "$(lamonctl log)" "hot spare node$H2 of service www fell over \\(its application went down\\): back to the cold spares" \
    "the log says why node$H2 was cooled"
check "... and for 5 s more (node$H2 is not heated again)" stays
unlike "$(lamonctl log | sed -n "/fell over/,\$p")" "heat spare node$H2 " "the log heats node$H2 no more after its fall"
check "lamonctl --json status: node$last hot, node$H2 cold" wait_for 10 json_ok "$last"
is "$(ipvs_dests | wc -w | tr -d ' ')" 2 "IPVS keeps its 2 destinations"
kill "$CTL_PID"; wait "$CTL_PID"; rc=$?
is "$rc" 0 "the controller stops cleanly on SIGTERM"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "no sanitizer report from the controller"
done_testing
