#!/usr/bin/env bash
# The control socket of a controller that is stopped, running or dead, with
# real controllers and a real lamonctl:
#  - lamonctl --timeout 1 against a stopped (SIGSTOP) controller gives up
#    with "no answer from SOCKET within 1 s" and exit 4, instead of waiting
#    for ever (each run is wrapped in timeout 20: 124 is a failure);
#  - a second controller with the same socket path refuses to start, whether
#    the first runs or is stopped, and the first still answers;
#  - a path that is not a socket is refused and left as it was;
#  - the socket file of a controller killed with SIGKILL is reused;
#  - a reload that moves the socket onto a live controller's keeps the old
#    socket and logs why.
# The node in the configuration is never started: these tests need only the
# controllers.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$LAMONCTL_BIN" ] || bail "build lamon-controller and lamonctl first"

write_ctl_conf "$T/ctl.conf" "1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
A=$CTL_PID
check "controller A answers lamonctl stats" lamonctl stats

# --- lamonctl against a stopped controller
kill -STOP "$A"
out=$(timeout 20 "$LAMONCTL_BIN" -s "$CTL_SOCK" --timeout 1 stats 2>&1); rc=$?
is "$rc" 4 "lamonctl --timeout 1 stats on a stopped controller: exit 4 (124: it hung)"
is "$out" "lamonctl: no answer from $CTL_SOCK within 1 s" "... and says so"
out=$(timeout 20 "$LAMONCTL_BIN" -s "$CTL_SOCK" --timeout 1 status --json 2>&1); rc=$?
is "$rc" 4 "lamonctl --timeout 1 status --json on a stopped controller: exit 4 (124: it hung)"
like "$out" "^lamonctl: no answer from .* within 1 s$" "... and says so"

# --- a second controller on a stopped controller's socket
out=$(timeout 10 "$CTL_BIN" -f -c "$T/ctl.conf" 2>&1); rc=$?
is "$rc" 1 "controller B with A's socket while A is stopped: exit 1 (124: it ran)"
like "$out" "control socket $CTL_SOCK is in use by a running controller; not starting" "... and says why"
kill -CONT "$A"
check "controller A, running again, answers lamonctl stats" lamonctl stats

# --- a second controller on a running controller's socket
out=$(timeout 10 "$CTL_BIN" -f -c "$T/ctl.conf" 2>&1); rc=$?
is "$rc" 1 "controller B with A's socket while A runs: exit 1 (124: it ran)"
like "$out" "control socket $CTL_SOCK is in use by a running controller; not starting" "... and says why"
check "... and A still answers lamonctl stats on its socket" lamonctl stats

# --- a path that is not a socket
echo "an operator's file" >"$T/file.sock"
sed "s|^control .*|control $T/file.sock|" "$T/ctl.conf" >"$T/file.conf"
out=$(timeout 10 "$CTL_BIN" -f -c "$T/file.conf" 2>&1); rc=$?
is "$rc" 1 "a controller whose control path is a regular file: exit 1 (124: it ran)"
like "$out" "control socket $T/file.sock exists and is not a socket; not starting" "... and says why"
is "$(cat "$T/file.sock")" "an operator's file" "... and the file is left as it was"

# --- a reload onto a live controller's socket keeps the old one
D_SOCK=$T/d.sock
sed "s|^control .*|control $D_SOCK|; s|^logfile .*|logfile $T/d.log|" "$T/ctl.conf" >"$T/d.conf"
"$CTL_BIN" -f -c "$T/d.conf" >>"$T/d.out" 2>&1 &
D=$!
LAMON_PIDS="$LAMON_PIDS $D"
wait_for 10 test -S "$D_SOCK" || bail "controller D did not start: $(cat "$T/d.out")"
sed -i "s|^control .*|control $CTL_SOCK mode 0600|" "$T/d.conf"
kill -HUP "$D"
check "D's reload that moves its socket onto A's says why it keeps its own" \
    wait_for 10 grep -q "reload: control socket $CTL_SOCK is in use by a running controller; the control socket stays at $D_SOCK" "$T/d.log"
is "$(stat -c %a "$D_SOCK")" 600 "... and gives the kept socket the new line's mode"
check "... D still answers on $D_SOCK" "$LAMONCTL_BIN" -s "$D_SOCK" stats
unlike "$(lamonctl log)" "configuration reloaded" "... and $CTL_SOCK is still A's (no reload in its log)"
sed -i "s|^control .*|control $D_SOCK|" "$T/d.conf"
kill -HUP "$D"
check "D's next reload, back to $D_SOCK, is done" \
    wait_for 10 sh -c "[ \"\$(grep -c 'configuration reloaded' '$T/d.log')\" = 2 ]"
is "$(grep -c "is in use" "$T/d.log")" 1 "... without trying to move onto its own socket"
check "... and D answers on $D_SOCK" "$LAMONCTL_BIN" -s "$D_SOCK" stats
kill "$D"; wait_for 10 sh -c "! test -e /proc/$D/exe" || kill -9 "$D"; wait "$D"; rc=$?
is "$rc" 0 "controller D stops cleanly"

# --- the socket file of a killed controller
kill -9 "$A"; wait "$A" 2>/dev/null
check "A killed with SIGKILL left its socket file" test -S "$CTL_SOCK"
check_fails "... on which nobody answers" lamonctl stats
# (start_controller's wait for the socket file would not wait: it is there)
start_controller "$T/ctl.conf"
check "controller C takes the stale socket over and answers lamonctl stats" wait_for 10 lamonctl stats
check "... C runs" kill -0 "$CTL_PID"
stop_controller; rc=$?
is "$rc" 0 "controller C stops cleanly"
unlike "$(cat "$T/controller.out" "$T/d.out")" "Sanitizer|runtime error" "no sanitizer report"
# --- --timeout takes a whole number of seconds, 1 to a day (atoi took any
# text as 0 and overflowed on a long number)
for t in 0 -1 abc 5x 99999999999 86401 " 5" +5 ""; do
    "$LAMONCTL_BIN" -s "$CTL_SOCK" --timeout "$t" stats >/dev/null 2>&1
    is "$?" 2 "lamonctl --timeout $t: a usage error (exit 2)"
done
done_testing
