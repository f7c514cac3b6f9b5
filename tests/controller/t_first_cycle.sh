#!/usr/bin/env bash
# The takeover-timing line: a controller logs "first poll cycle complete:"
# once, after its first full poll cycle (nodes answered, ms since start),
# and never again while it runs; a restarted controller logs it once more.
# bench/ha_takeover.sh and tests/ha/t_pacemaker.sh measure up to it.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
for n in 1 2; do start_node $n || bail "node $n did not start"; done
CTL_INTERVAL=300 write_ctl_conf "$T/ctl.conf" "1 2 3"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

first_lines() { grep -c 'first poll cycle complete:' "$T/controller.log"; }
wait_for 10 grep -q 'first poll cycle complete:' "$T/controller.log" \
    || fail "no first-cycle line: $(cat "$T/controller.log")"
# Several more cycles (300 ms each) go by.
wait_for 10 sh -c "[ \"\$('$LAMONCTL_BIN' -s '$CTL_SOCK' --json stats | sed -n 's/.*\"cycles\": *\([0-9]*\).*/\1/p')\" -ge 6 ]" \
    || fail "fewer than 6 cycles in 10 s: $(lamonctl --json stats)"
is "$(first_lines)" 1 "the line is logged exactly once in the log file after several cycles"
is "$(lamonctl log | grep -c 'first poll cycle complete:')" 1 "... and once in lamonctl log"
like "$(grep 'first poll cycle complete:' "$T/controller.log")" \
    'first poll cycle complete: 2 of 3 nodes answered, 0 of 0 directors walked, [0-9]+ ms since start$' \
    "it says how many nodes answered (node3 does not exist) and the ms since start"

stop_controller
start_controller "$T/ctl.conf" || bail "controller did not restart"
wait_for 10 sh -c "[ \$(grep -c 'first poll cycle complete:' '$T/controller.log') -ge 2 ]"
sleep 1.5
is "$(first_lines)" 2 "a restarted controller logs it once more"
done_testing
