#!/usr/bin/env bash
# The web console in a real browser (Debian's chromium, headless, driven by
# puppeteer-core through tests/tools/web_console.js) against the demo cluster:
# scripts/demo.sh with DEMO_READY brings up the VM director, six real nodes
# and the controller with its console, and stops before its own kill.
#
#   - the overview shows every node;
#   - SIGKILL to a server's snmpd, agent and web server turns its row red
#     (down) and the hot spare's row to server, with no reload of the page;
#   - a login and a drain from the page (confirmation, the job followed) end
#     with the node in maintenance and its destination gone from IPVS
#     (ipvsadm -Ln in the guest);
#   - screenshots of the overview, services, node and log pages are kept in
#     $T/shots and copied to $BUILD/test-logs/web_console/ (a CI artefact).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
lamon_test_init
. "$ROOT/tests/controller/ctl_lib.sh"
. "$ROOT/tests/vm/vm.sh"

JS=$ROOT/tests/tools/web_console.js
SHOTS=$T/shots
ART=$BUILD/test-logs/web_console
[ -x /usr/bin/chromium ] || bail "Debian's chromium is missing (make deps)"
command -v node >/dev/null || bail "node is missing (make deps)"
[ -f "$ROOT/.deps/npm/node_modules/puppeteer-core/package.json" ] || bail "puppeteer-core is missing in .deps/npm (make deps)"
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build first: $CTL_BIN or $AGENT_BIN missing"

# The demo runs in the background; SIGTERM makes it stop its own cluster
# (controller, nodes, VM), which takes a few seconds: wait for it, bounded,
# before the usual cleanup (whose kill -9 would leave the VM running).
DEMO_PID=
stop_demo() {
    [ -n "$DEMO_PID" ] || return 0
    kill -TERM "$DEMO_PID" 2>/dev/null
    local i=0
    while kill -0 "$DEMO_PID" 2>/dev/null && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
    kill -0 "$DEMO_PID" 2>/dev/null && { diag "the demo did not stop on SIGTERM; killing it"; kill -9 "$DEMO_PID"; }
    wait "$DEMO_PID" 2>/dev/null
    DEMO_PID=
}
trap 'stop_demo; lamon_test_cleanup' EXIT

DEMO_READY=$T/demo.env BUILD=$BUILD "$ROOT/scripts/demo.sh" >"$T/demo.out" 2>&1 &
DEMO_PID=$!
# The VM boots under TCG on a shared machine: minutes, not seconds.
for _ in $(seq 1 900); do
    [ -s "$T/demo.env" ] && break
    kill -0 "$DEMO_PID" 2>/dev/null || break
    sleep 1
done
if [ ! -s "$T/demo.env" ]; then
    sed 's/^/# demo: /' "$T/demo.out" | tail -40
    bail "the demo cluster came up (scripts/demo.sh with DEMO_READY)"
fi
ok "the demo cluster came up (VM director, 6 nodes, controller with its web console)"
. "$T/demo.env"
diag "web console $WEB_URL, demo temp dir $DEMO_T"

# ipvs_dests: the real servers of the demo's service in the guest's kernel;
# ipvs_weight ADDR: the weight of one of them ("" when it is not there).
ipvs_dests() { vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^127\.0\.1\./ {print $2}' | sort | tr '\n' ' '; }
ipvs_weight() { vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk -v d="$1" '$1 == "->" && $2 == d {print $4}'; }
ipvs_lacks() {   # the service is there (the guest answered), without ADDR
    local out
    out=$(vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null) || return 1
    ! printf '%s\n' "$out" | awk -v d="$1" '$1 == "->" && $2 == d {f = 1} END {exit !f}'
}
node_state() { lamonctl status | awk -v n="$1" 'NR > 1 && $1 == n {print $4}'; }
node_num() { echo "${1#node}"; }
# within SECONDS CMD...: CMD succeeds before SECONDS of wall time have passed
# (wait_for counts tries, and a vm_exec takes a while on TCG).
within() {
    local end=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.5
    done
}

# js MODE ARGS...: runs web_console.js and turns its PASS/FAIL/SHOT/NOTE
# lines into TAP; a non-zero exit without a FAIL line is a failure too.
js() {
    local mode=$1 out rc line failed=0; shift
    out=$T/js-$mode.out
    node "$JS" "$mode" --url "$WEB_URL" --shots "$SHOTS" "$@" >"$out" 2>"$T/js-$mode.err"
    rc=$?
    while IFS= read -r line; do
        case $line in
            "PASS "*) ok "browser: ${line#PASS }" ;;
            "FAIL "*) fail "browser: ${line#FAIL }"; failed=1 ;;
            "SHOT "*) diag "screenshot: ${line#SHOT }" ;;
            "NOTE "*) diag "browser: ${line#NOTE }" ;;
            *) diag "$line" ;;
        esac
    done <"$out"
    if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        fail "web_console.js $mode exited $rc"
    fi
    [ -s "$T/js-$mode.err" ] && sed 's/^/# stderr: /' "$T/js-$mode.err" | head -20
    return "$rc"
}

nodes=$(lamonctl --json status | python3 -c 'import json, sys; print(",".join(sorted(n["name"] for n in json.load(sys.stdin)["nodes"])))')
is "$(echo "$nodes" | tr ',' '\n' | grep -c .)" 6 "lamonctl status lists the demo's 6 nodes"
victim=$(lamonctl status | awk 'NR > 1 && $2 == "server" && $4 == "up" {print $1; exit}')
spare=$(lamonctl status | awk 'NR > 1 && $2 == "spare" && / hot( |$)/ {print $1; exit}')
target=$(lamonctl status | awk -v v="$victim" 'NR > 1 && $2 == "server" && $4 == "up" && $1 != v {print $1; exit}')
[ -n "$victim" ] && [ -n "$spare" ] && [ -n "$target" ] \
    || bail "a server to kill, a hot spare and a server to drain: got '$victim' '$spare' '$target'"
diag "kill $victim, expect $spare promoted, drain $target"
vnum=$(node_num "$victim")
kill_pids="$(eval "echo \$NODE_SNMPD_$vnum \$NODE_AGENT_$vnum") $(cat "$DEMO_T/$victim/web.pid" 2>/dev/null)"
like "$(ipvs_dests)" "127\.0\.1\.$vnum:80" "before: $victim is in IPVS"

# --docs: the README's picture; to refresh it, copy it from $ART to docs/.
js live --nodes "$nodes" --victim "$victim" --spare "$spare" --kill "$(echo $kill_pids | tr ' ' ,)" \
    --docs "$SHOTS/web-console.png"
live_rc=$?

if [ "$live_rc" = 0 ]; then
    healed() { local d; d=$(ipvs_dests); [[ " $d " != *" 127.0.1.$vnum:80 "* ]] && [ "$(echo $d | wc -w)" = 4 ]; }
    check "IPVS healed: $victim gone, 4 destinations (ipvsadm -Ln in the guest)" within 120 healed
    is "$(node_state "$victim")" down "lamonctl status agrees: $victim is down"
    tnum=$(node_num "$target")
    w=$(ipvs_weight "127.0.1.$tnum:80")
    like "$w" '^[1-9][0-9]*$' "before the drain: $target is in IPVS with weight $w"
    js drain --user "$WEB_USER" --password "$WEB_PASS" --node "$target" --service www \
        --mention "$victim,$target"
    # The page said the job ended ok; the cluster must say so too.
    check "after the drain from the page: lamonctl status shows $target in maintenance" \
        within 60 eval '[ "$(node_state "$target")" = maintenance ]'
    check "after the drain from the page: $target's destination is gone from IPVS (ipvsadm -Ln)" \
        within 60 ipvs_lacks "127.0.1.$tnum:80"
    diag "IPVS now: $(ipvs_dests)"
    for s in overview services node log; do
        check "screenshot of the $s page kept" test -s "$SHOTS/$s.png"
    done
else
    skip "the cluster's side, the drain from the page and the screenshots: the live overview failed first"
fi
mkdir -p "$ART" && rm -f "$ART"/*.png
cp "$SHOTS"/*.png "$ART"/ 2>/dev/null && diag "screenshots copied to $ART (kept after the run)"

stop_demo
check_fails "nothing of the demo is left running" pgrep -f "$DEMO_T/"
done_testing
