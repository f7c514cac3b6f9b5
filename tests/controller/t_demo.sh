#!/usr/bin/env bash
# The README's run command, `make demo`, must keep working: run the demo
# script against this build and check that the cluster came up, healed after
# the kill, and that nothing of it is left running.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
lamon_test_init
out=$T/demo.out
BUILD=$BUILD timeout 900 "$ROOT/scripts/demo.sh" >"$out" 2>&1
rc=$?
is "$rc" 0 "scripts/demo.sh exits 0"
like "$(cat "$out")" "service www at strength" "the demo's service reached 4 healthy nodes"
like "$(cat "$out")" "TCP  10.0.0.1:80 rr" "ipvsadm -Ln in the director shows the service"
like "$(cat "$out")" "healed [0-9.]+ s after the kill" "the demo healed after a node was killed"
like "$(cat "$out")" "-> 200 OK" "the promoted spare's web server answered"
like "$(cat "$out")" "promote (hot )?spare node[0-9] to service www" "the log shown gives the promotion"
like "$(cat "$out")" "web console: http://127\.0\.0\.1:[0-9]+/ \(user demo, password [0-9a-f]{16}\)" \
    "the demo prints its web console's address, user and password"
demo_t=$(sed -n 's/.*control socket \(.*\)\/ctl.sock$/\1/p' "$out" | head -n 1)
check "the demo found its temp dir" test -n "$demo_t"
check_fails "nothing of the demo is left running" pgrep -f "${demo_t:-/nonexistent}/"
[ "$rc" = 0 ] || sed 's/^/# /' "$out" | tail -40
done_testing
