#!/usr/bin/env bash
# IPVS through SNMP vs ipvsadm, in one VM run (tests/vm/vm.sh):
#  1. 1,000 destination weight changes as SNMPv3 SETs of BATCH varbinds each
#     (host -> qemu user-net -> snmpd -> AgentX -> lamon-agent -> netlink),
#     against the same 1,000 changes through "ipvsadm -R" inside the guest;
#  2. a full snmpbulkwalk of lamonIpvs with WALK_S (100) services x 20
#     destinations, against "ipvsadm -Ln --stats --exact" of the same table
#     in the guest (one walk of 100 x 20 takes minutes on a loaded machine
#     under TCG; WALK_S=20 keeps a run short).
# Each figure is the median of RUNS runs.  Usage: bench/ipvs_bench.sh
#   BUILD=/tmp/lamon-build-x RUNS=3 BATCH=50 WALK_S=100 bench/ipvs_bench.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
RUNS=${RUNS:-3} BATCH=${BATCH:-50} WALK_S=${WALK_S:-100}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/vm/vm.sh"
. "$ROOT/tests/vm/ipvs_lib.sh"
LAMON_PIDS=
trap vm_stop EXIT
W=$(mktemp -d /tmp/lamon-bench-ipvs.XXXXXX)
vm_start "cache_ms 1000" || exit 1

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

# 50 services x 20 destinations = 1,000 destinations for the change test.
{
    for s in $(seq 1 50); do
        echo "-A -t 10.30.0.$s:80 -s wlc"
        for d in $(seq 1 20); do echo "-a -t 10.30.0.$s:80 -r 192.168.70.$d:80 -g -w 1"; done
    done
} >"$W/setup.rules"
vm_sh "ipvsadm -C && ipvsadm -R < $W/setup.rules" || { echo "setup failed (is $W visible in the guest?)"; exit 1; }

# The 1,000 instance OIDs, computed before any timing.
for s in $(seq 1 50); do
    vi=$(vs_idx tcp 10.30.0.$s 80)
    for d in $(seq 1 20); do echo "LAMON-MIB::lamonDestWeight.$vi.1.4.192.168.70.$d.80"; done
done >"$W/oids"
mapfile -t OIDS <"$W/oids"
snmp_changes() {  # WEIGHT: all 1,000 weights via SETs of BATCH varbinds
    local w=$1 args=() o
    for o in "${OIDS[@]}"; do
        args+=("$o" i "$w")
        if [ ${#args[@]} -eq $((3 * BATCH)) ]; then
            vm_snmpv3 snmpset "${args[@]}" >/dev/null || return 1
            args=()
        fi
    done
    [ ${#args[@]} -eq 0 ] || vm_snmpv3 snmpset "${args[@]}" >/dev/null
}
for r in $(seq 1 "$RUNS"); do
    t0=$(now); snmp_changes $((r + 1)) || { echo "snmpset failed"; exit 1; }; t1=$(now)
    echo "$t1 - $t0" | bc >>"$W/snmp.times"
    # the same 1,000 changes through ipvsadm -R, timed inside the guest
    for s in $(seq 1 50); do for d in $(seq 1 20); do
        echo "-e -t 10.30.0.$s:80 -r 192.168.70.$d:80 -g -w $((r + 10))"; done; done >"$W/edit$r.rules"
    vm_sh "s=\$(date +%s.%N); ipvsadm -R < $W/edit$r.rules; e=\$(date +%s.%N); echo \"\$e - \$s\" | bc" >>"$W/ipvsadm.times"
done
check_w=$(vm_exec ipvsadm -Ln -t 10.30.0.50:80 | grep -c " $((RUNS + 10)) ")
echo "1,000 weight changes: SNMP SETs of $BATCH varbinds (host->guest) median $(median <"$W/snmp.times") s;" \
     "ipvsadm -R in the guest median $(median <"$W/ipvsadm.times") s  ($RUNS runs; last run verified on $check_w/20 dests)"

# WALK_S x 20 for the walk.
{
    for s in $(seq 1 "$WALK_S"); do
        echo "-A -t 10.40.$((s / 250)).$((s % 250 + 1)):80 -s rr"
        for d in $(seq 1 20); do echo "-a -t 10.40.$((s / 250)).$((s % 250 + 1)):80 -r 192.168.80.$d:80 -m -w 1"; done
    done
} >"$W/walk.rules"
vm_sh "ipvsadm -C && ipvsadm -R < $W/walk.rules" || { echo "walk setup failed"; exit 1; }
for r in $(seq 1 "$RUNS"); do
    sleep 1.1
    t0=$(now); n=$(VM_SNMP_OPTS="-Cr50 -On" vm_snmp snmpbulkwalk LAMON-MIB::lamonIpvs | wc -l); t1=$(now)
    echo "$t1 - $t0" | bc >>"$W/walk.times"
    vm_sh "s=\$(date +%s.%N); ipvsadm -Ln --stats --exact >/dev/null; e=\$(date +%s.%N); echo \"\$e - \$s\" | bc" >>"$W/ipvsadm-l.times"
done
echo "full walk of ${WALK_S}x20 ($n varbinds): snmpbulkwalk -Cr50 median $(median <"$W/walk.times") s;" \
     "ipvsadm -Ln --stats in the guest median $(median <"$W/ipvsadm-l.times") s ($RUNS runs)"
rm -rf "$W"
