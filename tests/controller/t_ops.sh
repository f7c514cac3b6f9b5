#!/usr/bin/env bash
# lamonctl node operations through lamonOpTable, against four real agents
# behind real snmpd: reboot of a spare at once; reboot of a server drained
# first, handed back to the spares and the service refilled; shutdown;
# next-boot kernel on a private grubenv; packages from a private apt
# repository into a scratch root; --no-wait, --json, job; errors (unknown
# node, the agent's refusal with its error name, a node that is down).
# reboot_cmd/shutdown_cmd are harmless argv (touch a marker file).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/../lib/apt_repo.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"

K1=6.1.0-98-test K2=6.1.0-99-test
R=$T/apt
apt_repo_init "$R"
apt_repo_build "$R" 1.0-1 || bail "cannot build the test package"
node_agent_extra() {   # N DIR
    mkdir -p "$2/boot"
    echo fake >"$2/boot/vmlinuz-$K1"; echo fake >"$2/boot/vmlinuz-$K2"
    grub-editenv "$2/grubenv" create
    printf '%s\n' "reboot_cmd /usr/bin/touch $2/rebooted" "shutdown_cmd /usr/bin/touch $2/shut-down" \
        "boot_dir $2/boot" "grub_env $2/grubenv" "grub_editenv /usr/bin/grub-editenv"
    apt_repo_agent_conf "$R"
}
for n in 1 2 3 4; do start_node $n || bail "node $n did not start"; done
DIRPORT=$(free_udp_port)     # nobody answers there: an unreachable director
write_ctl_conf "$T/ctl.conf" "1 2 3 4" \
    "drain_timeout 3" \
    "director lvs1 127.0.0.1:$DIRPORT" \
    "service www tcp 10.0.0.1:80 nodes 2 app web director lvs1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

servers_up() { [ "$(count_role_state server up)" = 2 ] && [ "$(lamonctl status | awk 'NR>1 && $2=="spare" && $4=="up"' | wc -l)" = 2 ]; }
wait_for 30 servers_up || bail "assignment: $(lamonctl status)"
servers=() spares=()
for n in 1 2 3 4; do
    if [ "$(nodeget $n lamonNodeRole.0)" = 2 ]; then servers+=($n); else spares+=($n); fi
done
diag "servers ${servers[*]}, spares ${spares[*]}"
S=${servers[1]}     # kernel, packages, --no-wait, --json: no drain for these
log_line() { grep -n -m1 -E -- "$1" "$T/controller.log" | cut -d: -f1; }

# --- errors that lamonctl gets at once
out=$(lamonctl reboot nosuchnode 2>&1); rc=$?
is "$rc" 1 "reboot of an unknown node: exit 1"
like "$out" "no node nosuchnode" "... saying there is no such node"
check_fails "kernel without a release is a usage error" lamonctl kernel node$S
check_fails "pkg with an unknown verb is refused" lamonctl pkg node$S frobnicate lamon-test-pkg

# --- next-boot kernel
out=$(lamonctl kernel node$S $K1 2>&1); rc=$?
is "$rc" 0 "kernel node$S $K1: exit 0"
# A quick operation can end between two reads of the job: the first line,
# printed before the agent is asked, is the one that is always there.
like "$(printf '%s' "$out" | head -n1)" "^node$S: kernel $K1 (submitted|accepted as|queued|running)" "a progress line before the result"
like "$out" "node$S: kernel $K1 done, exit 0" "the result line with the exit code"
like "$(grub-editenv "$T/node$S/grubenv" list)" "^saved_entry=.*$K1\$" "grub-editenv list: the node's grubenv names $K1"
is "$(nodeget $S lamonNodeKernelNext.0 | tr -d '"')" "$K1" "lamonNodeKernelNext follows"
like "$(lamonctl log)" "operator: kernel $K1 on node node$S \(job [0-9]+\)" "the log has the request"
like "$(lamonctl log)" "node node$S: kernel $K1 accepted as operation [0-9]+" "... and the operation's index"

out=$(lamonctl kernel node$S 9.9.9-unknown 2>&1); rc=$?
is "$rc" 1 "kernel of a release the node lacks: exit 1"
like "$out" "refused by the agent: inconsistentValue" "... with the agent's error name"

# --- --no-wait and job
out=$(lamonctl --no-wait kernel node$S $K2 2>&1); rc=$?
is "$rc" 0 "--no-wait: exit 0 once accepted"
like "$out" "^job [0-9]+: operation [0-9]+ on the node" "--no-wait prints the job and the operation index"
job=$(printf '%s' "$out" | sed -n 's/^job \([0-9]*\):.*/\1/p')
opidx=$(printf '%s' "$out" | sed -n 's/.*operation \([0-9]*\) on the node.*/\1/p')
check "the operation ends on the agent" wait_for 10 sh -c "[ \"\$(snmpget -v2c -c public -Oqv -Oe 127.0.1.$S:$NODE_PORT LAMON-MIB::lamonOpStatus.$opidx)\" = 3 ]"
is "$(nodeget $S lamonOpType.$opidx)" 6 "the agent's row has type kernelSelect(6)"
check "lamonctl job shows the result" wait_for 5 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' job $job | grep -q '^result: ok'"

# --- --json
js=$(lamonctl --json kernel node$S $K1 2>/dev/null); rc=$?
is "$rc" 0 "--json kernel: exit 0"
check "--json prints the job as JSON with the operation's result" python3 -c '
import json, sys
d = json.loads(sys.argv[1]); o = d["ops"][0]
assert d["result"] == "ok" and d["operation"] == "kernel" and d["node"] == sys.argv[2], d
assert o["argument"] == sys.argv[3] and o["status"] == "succeeded" and o["exit_code"] == 0 and o["op_index"] > 0, d
' "$js" "node$S" "$K1"

# --- packages from the private repository
out=$(lamonctl pkg node$S install lamon-test-pkg 2>&1); rc=$?
is "$rc" 0 "pkg install lamon-test-pkg: exit 0"
like "$out" "node$S: pkg install lamon-test-pkg done, exit 0" "the result line"
like "$out" "Setting up lamon-test-pkg \(1.0-1\)" "the output tail shows dpkg setting it up"
is "$(apt_repo_status "$R")" "install ok installed 1.0-1" "dpkg-query (scratch admindir): installed"
out=$(lamonctl pkg node$S remove lamon-test-pkg lamon-no-such-pkg 2>&1); rc=$?
is "$rc" 1 "pkg remove of two packages, the second unknown: exit 1"
like "$out" "pkg remove lamon-test-pkg done, exit 0" "the first one ran"
like "$out" "pkg remove lamon-no-such-pkg failed, exit [1-9][0-9]*" "the second failed with apt-get's exit code"
unlike "$(apt_repo_status "$R")" "install ok installed" "the package is removed"
out=$(lamonctl pkg node$S install 'Bad_Name!' 2>&1); rc=$?
is "$rc" 1 "pkg install of an invalid package name: exit 1"
like "$out" "pkg install Bad_Name! refused by the agent: wrongValue" "... with the agent's wrongValue"
js=$(lamonctl --json pkg node$S remove 'Bad_Name!' 2>/dev/null); rc=$?
is "$rc" 1 "--json of a refused operation: exit 1"
check "... and the job as JSON: failed, the error name, no operation created" python3 -c '
import json, sys
d = json.loads(sys.argv[1]); o = d["ops"][0]
assert d["result"] == "failed" and "wrongValue" in d["message"] and o["op_index"] == 0, d
' "$js"

# --- reboot of a spare: at once, no drain
P=${spares[0]}
out=$(lamonctl reboot node$P 2>&1); rc=$?
is "$rc" 0 "reboot of spare node$P: exit 0"
like "$out" "node$P: reboot done, exit 0" "the result line"
unlike "$out" "draining" "a spare is not drained"
check "reboot_cmd ran on node$P (marker)" test -e "$T/node$P/rebooted"
is "$(nodeget $P lamonNodeState.0)" 5 "the agent shows node$P stopping(5)"

# --- reboot of a server: drained, out of the service, a spare promoted
V=${servers[0]}
Q=${spares[1]}
lamonctl reboot node$V >"$T/reboot.out" 2>&1 &
bg=$!
wait_for 10 grep -q "node node$V serves www: drain before the reboot" "$T/controller.log"
out=$(lamonctl kernel node$V $K1 2>&1); rc=$?
is "$rc" 1 "while node$V drains for its reboot, another operation on it is refused"
like "$out" "node node$V: job [0-9]+ is still in progress" "... naming the job in progress"
wait "$bg"; rc=$?
out=$(cat "$T/reboot.out")
is "$rc" 0 "reboot of server node$V: exit 0"
like "$out" "node$V: draining \([0-9]+ connections? left\)" "progress: draining with the connections left"
like "$out" "node$V: drained, leaving service www" "progress: leaving the service"
like "$out" "node$V: reboot done, exit 0" "the result line"
check "reboot_cmd ran on node$V (marker)" test -e "$T/node$V/rebooted"
a=$(log_line "node node$V serves www: drain before the reboot")
b=$(log_line "operator: drain node node$V")
c=$(log_line "node node$V drained \(.*\): maintenance")
d=$(log_line "node node$V: left service www for the reboot")
e=$(log_line "node node$V: reboot accepted as operation")
f=$(log_line "node node$V: reboot done, exit 0")
if [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ -n "$d" ] && [ -n "$e" ] && [ -n "$f" ] &&
   [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && [ "$c" -lt "$d" ] && [ "$d" -lt "$e" ] && [ "$e" -lt "$f" ]; then
    ok "event log order: drain requested, drained to maintenance, left the service, reboot accepted, done"
else
    fail "event log order ($a $b $c $d $e $f)"; grep "node$V" "$T/controller.log" | sed 's/^/# /'
fi
is "$(nodeget $V lamonNodeRole.0):$(nodeget $V lamonNodeService.0 | tr -d '"')" "3:" "node$V left the service: a spare on its agent"
check "spare node$Q is promoted to www" wait_for 15 sh -c "[ \"\$(snmpget -v2c -c public -Oqv -Oe 127.0.1.$Q:$NODE_PORT LAMON-MIB::lamonNodeRole.0)\" = 2 ]"
like "$(lamonctl log)" "promote spare node$Q to service www" "the log gives the promotion"
# Its "boot": the agent starts again; the transient stopping state is not
# kept, so node$V is back as a running spare, ready for the next promotion.
a=$(eval "echo \$NODE_AGENT_$V"); kill "$a"; wait "$a" 2>/dev/null
"$AGENT_BIN" -f -x "$T/node$V/agentx.sock" -c "$T/node$V/agent.conf" >>"$T/node$V/agent.log" 2>&1 &
LAMON_PIDS="$LAMON_PIDS $!"
wait_for 10 node_registered "$V"
is "$(nodeget $V lamonNodeRole.0):$(nodeget $V lamonNodeState.0)" "3:2" "after its boot node$V is a running(2) spare(3)"
check "lamonctl shows node$V as an up spare" wait_for 10 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | awk '\$1==\"node$V\" && \$2==\"spare\" && \$4==\"up\"' | grep -q ."

# --- shutdown
out=$(lamonctl shutdown node$P 2>&1); rc=$?
is "$rc" 0 "shutdown of node$P: exit 0"
check "shutdown_cmd ran on node$P (marker)" test -e "$T/node$P/shut-down"

# --- a node that is down
pause_node $P
if wait_for 15 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | awk '\$1==\"node$P\" && \$4==\"down\"' | grep -q ."; then
    out=$(lamonctl reboot node$P 2>&1); rc=$?
    is "$rc" 1 "reboot of a node that is down: exit 1"
    like "$out" "node node$P is down" "... saying it is down"
else
    fail "node$P never shown down"; fail "node$P down: not tested"
fi
cont_node $P

# The jobs' sessions and records are freed on a clean stop (SANITIZE=1 builds
# report leaks and errors on the controller's stderr).
kill "$CTL_PID"; wait "$CTL_PID"; rc=$?
is "$rc" 0 "the controller stops cleanly on SIGTERM"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "no sanitizer report from the controller"
done_testing
