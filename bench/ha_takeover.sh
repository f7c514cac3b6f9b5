#!/usr/bin/env bash
# Takeover time of the controller as a Pacemaker resource: from killing the
# active controller's node to the new controller's first complete poll
# cycle, with Corosync's default token (3000 ms, consensus 3600 ms).
#
# The set-up is tests/ha/t_pacemaker.sh's (tests/ha/lamon_ha.sh): two
# Pacemaker nodes in namespaces on this host, ocf:lamon:controller, five real
# agents (3 servers, 2 spares) and the real IPVS director in the qemu VM;
# interval 1000, timeout 800, rise 2, fall 3.
#
# Each of N trials kills the node the controller runs on (SIGKILL to its
# PID 1: corosync, pacemaker and the controller die at once), so the
# victims alternate between the two nodes.  The survivor's files give, from
# the kill (host clock, the same clock as the nodes'), and whether the
# victim was the DC (then the survivor first elects itself):
#   membership  corosync's "A new membership ... Members left" (token lost,
#               consensus over; corosync.log, timestamp: hires)
#   start       pacemaker-controld's "Initiating start operation" of the
#               resource on the survivor (pacemaker.log, ms)
#   exec        the new controller process began: the first-cycle line's
#               time minus its "ms since start"
#   cycle       its "first poll cycle complete:" line appeared (the log
#               file is polled every 20 ms)
# and, once it has run 4 cycles, its SET count (0 if it adopted the
# cluster as it was).  The killed node is then started again and the next
# trial waits until both nodes are online.
#
#   sudo bench/ha_takeover.sh [N=10]     (root: namespaces, a bridge, mounts)
#   env: BUILD, VM_CACHE (as tests/vm/vm.sh)
# Bounded: N is at most 50; every wait gives up (60 s for a takeover, 90 s
# for a rejoin).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
N=${1:-10}
[ "$N" -ge 1 ] 2>/dev/null && [ "$N" -le 50 ] || { echo "usage: $0 [N, 1..50]" >&2; exit 2; }
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/snmpd.sh"
. "$ROOT/tests/controller/ctl_lib.sh"
. "$ROOT/tests/vm/vm.sh"
. "$ROOT/tests/ha/cluster.sh"
. "$ROOT/tests/ha/lamon_ha.sh"
lamon_test_init
trap 'ha_stop; vm_stop; lamon_test_cleanup' EXIT
# Killed (a CI timeout, ^C): still take the nodes, the bridge and the VM down.
trap 'exit 1' INT TERM
lamon_ha_check_host || { echo "ha_takeover: $LAMON_HA_WHY" >&2; exit 1; }
lamon_ha_setup || { echo "ha_takeover: the cluster did not come up" >&2; exit 1; }
full() { [ "$(ipvs_dests | wc -w)" = 3 ]; }
wait_for 90 full && wait_for 60 servers_up 3 || { echo "ha_takeover: no initial assignment" >&2; exit 1; }

# stamp LOGLINE: the epoch seconds (ms) of a corosync/pacemaker log line's
# "Mon DD HH:MM:SS.mmm" (local time, this year).
stamp() { date -d "$(echo "$1" | awk '{print $1, $2, $3}')" +%s.%N 2>/dev/null; }
# since FILE LINES: the lines of FILE after its first LINES.
since() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null; }
ms() { echo "($1 - $2) * 1000 / 1" | bc; }

echo "# trial victim survivor victim_was_dc membership_ms start_ms exec_ms cycle_ms sets"
: >"$T/results"
for i in $(seq 1 "$N"); do
    victim=$ACTIVE survivor=$((3 - ACTIVE))
    slog=$HA_DIR/node$survivor/var-log
    before=$(first_cycle_lines "$survivor")
    c0=$(wc -l <"$slog/cluster/corosync.log") p0=$(wc -l <"$slog/pacemaker/pacemaker.log")
    dc=$(ha_node_exec "$survivor" crm_mon -1 2>/dev/null | sed -n 's/.*Current DC: \([^ ]*\).*/\1/p')
    [ "$dc" = "$(ha_name "$victim")" ] && dc=yes || dc=no
    t_kill=$(date +%s.%N)
    ha_kill_node "$victim"
    t_cycle=
    for _ in $(seq 1 3000); do
        if [ "$(first_cycle_lines "$survivor")" -gt "$before" ]; then t_cycle=$(date +%s.%N); break; fi
        sleep 0.02
    done
    [ -n "$t_cycle" ] || { echo "ha_takeover: trial $i: no controller on $(ha_name "$survivor") within 60 s" >&2; exit 1; }
    line=$(grep 'first poll cycle complete:' "$(ctl_log "$survivor")" | tail -n 1)
    since_start=$(echo "$line" | sed -n 's/.* \([0-9]*\) ms since start$/\1/p')
    t_exec=$(echo "$t_cycle - ${since_start:-0} / 1000" | bc -l)
    m=$(since "$slog/cluster/corosync.log" "$c0" | grep 'A new membership .* was formed. Members left' | head -n 1)
    s=$(since "$slog/pacemaker/pacemaker.log" "$p0" | grep "Initiating start operation ${RSC}_start_0" | head -n 1)
    t_memb=$(stamp "$m") t_start=$(stamp "$s")
    wait_for 30 ctl_cycles_at_least "$survivor" 4
    sets=$(ha_lamonctl "$survivor" --json stats 2>/dev/null | sed -n 's/.*"sets": *\([0-9]*\).*/\1/p')
    r="$i $(ha_name "$victim") $(ha_name "$survivor") $dc $(ms "${t_memb:-$t_kill}" "$t_kill") $(ms "${t_start:-$t_kill}" "$t_kill") $(ms "$t_exec" "$t_kill") $(ms "$t_cycle" "$t_kill") ${sets:-?}"
    echo "$r"
    echo "$r" >>"$T/results"
    ACTIVE=$survivor
    ha_restart_node "$victim" || { echo "ha_takeover: cannot restart $(ha_name "$victim")" >&2; exit 1; }
    ha_wait_online "$survivor" 1 2 90 || { echo "ha_takeover: $(ha_name "$victim") did not rejoin" >&2; exit 1; }
done

# min / median / p90 (nearest rank) / max of column C.
dist() {
    awk -v c="$1" '{print $c}' "$T/results" | sort -n | awk '{v[NR] = $1}
        END {m = int((NR + 1) / 2); p = int(0.9 * NR + 0.999); if (p < 1) p = 1
             printf "min %d  median %d  p90 %d  max %d", v[1], v[m], v[p], v[NR]}'
}
echo "# $N takeovers, ms from the kill (corosync token 3000 ms, consensus 3600 ms; interval 1000 ms)"
echo "membership (corosync):        $(dist 5)"
echo "resource start (pacemaker):   $(dist 6)"
echo "controller process started:   $(dist 7)"
echo "first complete poll cycle:    $(dist 8)"
echo "SETs by the new controllers:  $(awk '{s += $9} END {print s}' "$T/results")"
