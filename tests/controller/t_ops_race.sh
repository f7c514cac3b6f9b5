#!/usr/bin/env bash
# The lamonOpTable index race with real managers: a controller running
# lamonctl kernel jobs on one agent while a second manager (three snmpget +
# snmpset loops, the Net-SNMP CLI as an operator's script would use it)
# creates appStart rows at lamonOpNextIndex on the same agent, all at once,
# for a bounded number of rounds.  Each manager reads lamonOpNextIndex and
# creates its row there with createAndGo; when the other took the index
# first, the agent refuses with inconsistentValue and the manager reads the
# index again and retries (node_ops.c does so for the controller).
#
# Asserted: every lamonctl job succeeded; every creation of the second
# manager too; all rows have distinct indexes; each row holds the type and
# argument its manager asked for; the table has exactly as many rows as there
# were requests; and the race did happen (the controller logged a lost index
# and retried), so that the test proves something.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"

JOBS=${RACE_JOBS:-400}        # controller jobs at most (the bound)
MIN_LOST=${RACE_MIN_LOST:-3}  # ... ended early once the controller lost the index this often
LOOPS=3                       # loops of the second manager, one application each
K1=6.1.0-98-test K2=6.1.0-99-test
node_agent_extra() {   # N DIR
    mkdir -p "$2/boot"
    echo fake >"$2/boot/vmlinuz-$K1"; echo fake >"$2/boot/vmlinuz-$K2"
    grub-editenv "$2/grubenv" create
    printf '%s\n' "boot_dir $2/boot" "grub_env $2/grubenv" "grub_editenv /usr/bin/grub-editenv" \
        "op_keep 3600 100000"
    local k
    for k in $(seq 1 $LOOPS); do
        printf '%s\n' "app x$k 910$k" "app_start x$k /bin/true" "app_stop x$k /bin/true"
    done
}
start_node 1 || bail "node 1 did not start"
write_ctl_conf "$T/ctl.conf" "1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
node_is_up() { lamonctl status | awk '$1 == "node1" && $4 == "up"' | grep -q .; }
wait_for 30 node_is_up || bail "node1 not up: $(lamonctl status)"

v3() {   # CMD ARGS...: the second manager's SNMPv3 authPriv requests to node1
    local cmd=$1; shift
    "$cmd" -v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" -r1 -t2 \
        "127.0.1.1:$NODE_PORT" "$@"
}

# manager2 K: until $T/stop exists, create appStart(1) rows for application
# xK at lamonOpNextIndex; each created index goes to $T/m2.K, each lost
# index (inconsistentValue, read again and retried) to $T/m2lost.K, anything
# else (or 20 losses in a row) to $T/m2err.K.  The next row waits for the
# previous operation to end: a queued or running one holds its target.
manager2() {
    local k=$1 n=0 idx out tries st w
    while [ ! -e "$T/stop" ] && [ $n -lt 2000 ]; do
        n=$((n + 1)) tries=0
        while :; do
            idx=$(v3 snmpget -Oqv LAMON-MIB::lamonOpNextIndex.0 2>&1)
            if ! [[ "$idx" =~ ^[0-9]+$ ]]; then echo "next index: $idx" >>"$T/m2err.$k"; return; fi
            if out=$(v3 snmpset LAMON-MIB::lamonOpType.$idx i 1 LAMON-MIB::lamonOpArgument.$idx s "x$k" \
                    LAMON-MIB::lamonOpRowStatus.$idx i 4 2>&1); then
                echo "$idx" >>"$T/m2.$k"
                break
            fi
            case "$out" in
            *inconsistentValue*) echo "$idx" >>"$T/m2lost.$k" ;;
            *) echo "create at $idx: $out" >>"$T/m2err.$k"; return ;;
            esac
            tries=$((tries + 1))
            if [ $tries -ge 20 ]; then echo "20 losses in a row at $idx" >>"$T/m2err.$k"; return; fi
        done
        for w in $(seq 1 100); do
            st=$(v3 snmpget -Oqv -Oe LAMON-MIB::lamonOpStatus.$idx 2>/dev/null)
            [ "$st" = 3 ] || [ "$st" = 4 ] && break
        done
    done
}

rm -f "$T/stop"
m2pids=()
for k in $(seq 1 $LOOPS); do manager2 $k & m2pids+=($!); LAMON_PIDS="$LAMON_PIDS $!"; done
lost() { grep -c "operation index [0-9]* was taken by another manager; retrying" "$T/controller.log"; }
jobs_run=0 jobs_failed=0
: >"$T/m1"
for i in $(seq 1 $JOBS); do
    rel=$K1; [ $((i % 2)) = 0 ] && rel=$K2
    js=$(lamonctl --json --timeout 30 kernel node1 $rel 2>"$T/job.err"); rc=$?
    jobs_run=$((jobs_run + 1))
    idx=$(printf '%s' "$js" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ops"][0]["op_index"] if d["result"] == "ok" else "")' 2>/dev/null)
    if [ "$rc" != 0 ] || [ -z "$idx" ]; then
        jobs_failed=$((jobs_failed + 1))
        [ $jobs_failed -le 5 ] && diag "job $i (kernel $rel) failed, exit $rc: $(tail -n1 "$T/job.err")"
        continue
    fi
    echo "$idx $rel" >>"$T/m1"
    [ "$(lost)" -ge "$MIN_LOST" ] && [ $i -ge 20 ] && break
done
touch "$T/stop"
wait "${m2pids[@]}"

cat "$T"/m2.* 2>/dev/null | sort -n >"$T/m2.all"
cat "$T"/m2lost.* 2>/dev/null >"$T/m2lost.all"
n1=$(wc -l <"$T/m1") n2=$(wc -l <"$T/m2.all")
diag "controller: $jobs_run jobs, lost the index $(lost) times; second manager: $n2 rows, lost the index $(wc -l <"$T/m2lost.all") times"
is "$jobs_failed" 0 "no lamonctl job failed ($jobs_run jobs)"
if cat "$T"/m2err.* >/dev/null 2>&1; then
    fail "the second manager had errors"; cat "$T"/m2err.* | head -5 | sed 's/^/# /'
else
    ok "no request of the second manager failed ($n2 rows created)"
fi
check "the controller lost the race at least once, and retried (a real race, not a quiet run)" test "$(lost)" -ge 1
check "the second manager lost the race at least once" test -s "$T/m2lost.all"
dups=$( { awk '{print $1}' "$T/m1"; cat "$T/m2.all"; } | sort -n | uniq -d | tr '\n' ' ')
is "$dups" "" "no index was given to two requests"

# The agent's table: one walk of type and argument.
v3 snmpwalk -Oq -Oe LAMON-MIB::lamonOpType >"$T/types" 2>&1
v3 snmpwalk -Oq LAMON-MIB::lamonOpArgument >"$T/args" 2>&1
declare -A type arg
while read -r o v; do type[${o##*.}]=$v; done <"$T/types"
while read -r o v; do arg[${o##*.}]=${v//\"/}; done <"$T/args"
is "${#type[@]}" "$((n1 + n2))" "lamonOpTable has exactly one row per request ($n1 + $n2)"
bad=""
while read -r idx rel; do
    [ "${type[$idx]:-}:${arg[$idx]:-}" = "6:$rel" ] || bad="$bad $idx(${type[$idx]:-}:${arg[$idx]:-} want 6:$rel)"
done <"$T/m1"
is "$bad" "" "each controller job's row is kernelSelect(6) with the release it asked for"
bad=""
for k in $(seq 1 $LOOPS); do
    [ -e "$T/m2.$k" ] || continue
    while read -r idx; do
        [ "${type[$idx]:-}:${arg[$idx]:-}" = "1:x$k" ] || bad="$bad $idx(${type[$idx]:-}:${arg[$idx]:-} want 1:x$k)"
    done <"$T/m2.$k"
done
is "$bad" "" "each of the second manager's rows is appStart(1) of its own application"
like "$(lamonctl log)" "node node1: operation index [0-9]+ was taken by another manager; retrying with [0-9]+" \
    "the controller's log names the lost index and the retry"

kill "$CTL_PID"; wait "$CTL_PID"; rc=$?
is "$rc" 0 "the controller stops cleanly on SIGTERM"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "no sanitizer report from the controller"
done_testing
