#!/usr/bin/env bash
# Latency of a node operation (next-boot kernel, real grub-editenv on a
# scratch grubenv) through lamonctl -> lamon-controller -> SNMPv3 authPriv ->
# lamon-agent, against a peer doing the same with the Net-SNMP command-line
# tools over the same v3 user: snmpget lamonOpNextIndex, one snmpset
# (type, argument, createAndGo), then snmpget lamonOpStatus every 50 ms
# until the operation ended.  Two measures, interleaved round by round so
# machine load hits both alike:
#   accepted: until the agent created the row (lamonctl --no-wait | get+set)
#   done:     until the operation's end is known (lamonctl waits | + polling)
# Prints medians and p90 in ms and the ratio lamonctl / peer.
#
#   R=21 BUILD=/tmp/lamon-build-bench bench/node_ops_bench.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
R=${R:-21}
. "$ROOT/tests/lib/tap.sh"
export LAMON_BUILD=$BUILD
. "$ROOT/tests/lib/snmpd.sh"
. "$ROOT/tests/controller/ctl_lib.sh"
lamon_test_init
K1=6.1.0-98-test K2=6.1.0-99-test
node_agent_extra() {   # N DIR: a scratch boot dir and grubenv
    mkdir -p "$2/boot"
    echo fake >"$2/boot/vmlinuz-$K1"; echo fake >"$2/boot/vmlinuz-$K2"
    grub-editenv "$2/grubenv" create
    printf '%s\n' "boot_dir $2/boot" "grub_env $2/grubenv" "grub_editenv /usr/bin/grub-editenv"
}
start_node 1 || { echo "node did not start"; exit 1; }
write_ctl_conf "$T/ctl.conf" "1"
start_controller "$T/ctl.conf" || { echo "controller did not start"; exit 1; }
wait_for 20 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | awk '\$1==\"node1\" && \$4==\"up\"' | grep -q ." ||
    { echo "node1 not up"; exit 1; }

A=127.0.1.1:$NODE_PORT
OPE=.1.3.6.1.4.1.8072.9999.9999.9999.1.4.2.1
V3=(-v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" -r1 -t2)
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
status_of() { snmpget "${V3[@]}" -Oqv -Oe "$A" "$OPE.4.$1" 2>/dev/null; }
ended() { local s; s=$(status_of "$1"); [ "$s" = 3 ] || [ "$s" = 4 ]; }
peer_create() {   # RELEASE: prints the index on success
    local idx
    idx=$(snmpget "${V3[@]}" -Oqv "$A" LAMON-MIB::lamonOpNextIndex.0) || return 1
    snmpset "${V3[@]}" "$A" "$OPE.2.$idx" i 6 "$OPE.3.$idx" s "$1" "$OPE.9.$idx" i 4 >/dev/null || return 1
    echo "$idx"
}
: >"$T/acc_ctl"; : >"$T/acc_peer"; : >"$T/done_ctl"; : >"$T/done_peer"
k=$K1
for i in $(seq 1 "$R"); do
    k=$([ "$k" = "$K1" ] && echo "$K2" || echo "$K1")
    # accepted, lamonctl
    t0=$(now); out=$(lamonctl --no-wait kernel node1 "$k") || { echo "lamonctl failed: $out"; exit 1; }; t1=$(now)
    ms "$t0" "$t1" >>"$T/acc_ctl"
    idx=$(printf '%s' "$out" | sed -n 's/.*operation \([0-9]*\) on the node.*/\1/p' | head -n1)
    wait_for 10 ended "$idx" || { echo "operation $idx did not end"; exit 1; }
    # accepted, peer
    t0=$(now); idx=$(peer_create "$k") || { echo "peer create failed"; exit 1; }; t1=$(now)
    ms "$t0" "$t1" >>"$T/acc_peer"
    wait_for 10 ended "$idx" || { echo "operation $idx did not end"; exit 1; }
    # done, lamonctl
    t0=$(now); lamonctl kernel node1 "$k" >/dev/null || { echo "lamonctl kernel failed"; exit 1; }; t1=$(now)
    ms "$t0" "$t1" >>"$T/done_ctl"
    # done, peer
    t0=$(now); idx=$(peer_create "$k") || { echo "peer create failed"; exit 1; }
    while ! ended "$idx"; do sleep 0.05; done
    t1=$(now)
    ms "$t0" "$t1" >>"$T/done_peer"
done
stat() {   # FILE: median p90
    sort -n "$1" | awk '{v[NR] = $1} END {m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.5)]; print m, p}'
}
read -r acm acp < <(stat "$T/acc_ctl"); read -r apm app < <(stat "$T/acc_peer")
read -r dcm dcp < <(stat "$T/done_ctl"); read -r dpm dpp < <(stat "$T/done_peer")
printf 'rounds %d\n' "$R"
printf 'accepted  lamonctl median %4d ms p90 %4d | net-snmp CLI median %4d ms p90 %4d | ratio %.2f\n' \
    "$acm" "$acp" "$apm" "$app" "$(echo "$acm / $apm" | bc -l)"
printf 'done      lamonctl median %4d ms p90 %4d | net-snmp CLI median %4d ms p90 %4d | ratio %.2f\n' \
    "$dcm" "$dcp" "$dpm" "$dpp" "$(echo "$dcm / $dpm" | bc -l)"
