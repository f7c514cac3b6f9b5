#!/usr/bin/env bash
# End to end with two real IPVS directors (two qemu guests, an active/backup
# pair as keepalived would run them) and four real agents:
#   - the controller gives both directors the same table;
#   - while one director is unreachable (its guest frozen with SIGSTOP), a
#     serving node fails: the reachable director is updated at once;
#   - when the frozen director comes back, the controller applies the
#     changes it missed, and both tables are identical again.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
. "$(dirname "$0")/../vm/vm.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"

# vm.sh keeps one guest in VM_* variables; two guests swap them in and out.
declare -A G
save_vm() { G[$1.pid]=$VM_QEMU_PID G[$1.dir]=$VM_DIR G[$1.snmp]=$VM_SNMP_PORT G[$1.cmd]=$VM_CMD_PORT; }
use_vm()  { VM_QEMU_PID=${G[$1.pid]} VM_DIR=${G[$1.dir]} VM_SNMP_PORT=${G[$1.snmp]} VM_CMD_PORT=${G[$1.cmd]}; }
stop_vms() { local g; for g in lvs1 lvs2; do [ -n "${G[$g.pid]:-}" ] && { use_vm $g; kill -CONT "$VM_QEMU_PID" 2>/dev/null; vm_stop; }; done; }
trap 'stop_vms; lamon_test_cleanup' EXIT

vm_start "cache_ms 200" || bail "director lvs1 did not start"
save_vm lvs1
vm_start "cache_ms 200" || bail "director lvs2 did not start"
save_vm lvs2
ok "two director guests up (SNMP on 127.0.0.1:${G[lvs1.snmp]} and :${G[lvs2.snmp]})"

for n in 1 2 3 4; do start_node $n || bail "node $n did not start"; done
CTL_INTERVAL=1500 CTL_TIMEOUT=1200 write_ctl_conf "$T/ctl.conf" "1 2 3 4" \
    "director lvs1 127.0.0.1:${G[lvs1.snmp]}" \
    "director lvs2 127.0.0.1:${G[lvs2.snmp]}" \
    "service www tcp 10.0.0.1:80 nodes 2 sched wlc fwd route app web director lvs1,lvs2"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

# table G: director G's IPVS table as ipvsadm saves it, sorted (stable
# order for comparison); dests G: its real servers of 10.0.0.1:80.
table() { use_vm "$1"; vm_exec ipvsadm -Sn 2>/dev/null | sort; }
dests() { table "$1" | awk '$1 == "-a" && $3 == "10.0.0.1:80" {print $5}' | tr '\n' ' '; }
both_two() { [ "$(dests lvs1 | wc -w)" = 2 ] && [ "$(dests lvs2 | wc -w)" = 2 ]; }
if wait_for 90 both_two; then
    ok "both directors have the service with 2 destinations"
else
    fail "lvs1: '$(dests lvs1)', lvs2: '$(dests lvs2)'"; lamonctl log | tail -20 | sed 's/^/# /'; bail "no initial assignment"
fi
is "$(table lvs2)" "$(table lvs1)" "the two directors' tables are identical (ipvsadm -Sn)"
like "$(table lvs1)" "-A -t 10.0.0.1:80 -s wlc" "... with the configured scheduler"

# lvs2 becomes unreachable: its whole guest is frozen.
kill -STOP "${G[lvs2.pid]}"
before2=$(use_vm lvs1; table lvs1)
k=$(lamonctl status | awk 'NR > 1 && $2 == "server" {sub("node", "", $1); print $1; exit}')
pause_node "$k"
lvs1_healed() { local d; d=$(dests lvs1); [[ " $d " != *" 127.0.1.$k:80 "* ]] && [ "$(echo $d | wc -w)" = 2 ]; }
if wait_for 60 lvs1_healed; then
    ok "node$k vanished: lvs1 has it replaced while lvs2 is unreachable: $(dests lvs1)"
else
    fail "lvs1 after node$k vanished: '$(dests lvs1)'"; lamonctl log | tail -20 | sed 's/^/# /'
fi
isnt() { if [ "$1" != "$2" ]; then ok "$3"; else fail "$3"; echo "#   both: '$1'"; fi; }
isnt "$(table lvs1)" "$before2" "lvs1's table changed"
like "$(lamonctl services)" "lvs2 +unreachable" "lamonctl services shows lvs2 unreachable"

# lvs2 comes back: it gets what it missed.
kill -CONT "${G[lvs2.pid]}"
same() { [ "$(table lvs2)" = "$(table lvs1)" ]; }
if wait_for 90 same; then
    ok "lvs2 is back and caught up: the tables are identical again"
else
    fail "lvs2 did not catch up"; echo "# lvs1: $(dests lvs1)"; echo "# lvs2: $(dests lvs2)"
    lamonctl log | tail -20 | sed 's/^/# /'
fi
unlike "$(dests lvs2)" "127\.0\.1\.$k:80" "the failed node is gone from lvs2 too"
like "$(lamonctl log)" "director lvs2: remove node$k" "the log gives lvs2's catch-up removal"
cont_node "$k"
done_testing
