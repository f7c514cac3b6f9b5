#!/usr/bin/env bash
# The control socket against misbehaving clients, with real controllers and
# a real node (snmpd + lamon-agent), and lamonctl's words:
#  - idle clients past the cap are closed, oldest first, and a real lamonctl
#    is answered meanwhile;
#  - a client that sends nothing, half a command, or a byte a second is
#    closed after the request timeout, while the controller answers others;
#  - garbage, binary, over-long and over-wordy requests get an ERR line;
#  - clients that never read a big answer (a cluster of 4,000 nodes, status
#    json, pipelined), more of them than the cap, are dropped at the answer
#    timeout, their answers cut short, the controller's memory bounded by
#    one answer per client; lamonctl waits for a free slot and is answered;
#  - a controller at its descriptor limit (ulimit -n) under a flood of
#    clients does not spin (CPU time from /proc/PID/stat), keeps its stderr
#    small and still answers lamonctl;
#  - lamonctl sends the package "json" as a package, and "--" then "--foo"
#    reaches the agent as a package name, which the agent refuses;
#  - the socket's owner, group and mode are applied again on SIGHUP.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/../lib/apt_repo.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"
CLIENTS="python3 $(dirname "$0")/ctl_clients.py"
# The limits of controller/control_socket.h.
CAP=64 REQUEST_S=5 ANSWER_S=10

R=$T/apt
apt_repo_init "$R"
apt_repo_build "$R" 1.0-1 || bail "cannot build the test package"
# Harmless reboot/shutdown commands: a test that fails must not reboot the machine.
node_agent_extra() {
    printf '%s\n' "reboot_cmd /usr/bin/touch $2/rebooted" "shutdown_cmd /usr/bin/touch $2/shut-down"
    apt_repo_agent_conf "$R"
}
start_node 1 || bail "node 1 did not start"
write_ctl_conf "$T/ctl.conf" "1"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"
wait_for 20 sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status | awk '\$1==\"node1\" && \$4==\"up\"' | grep -q ." ||
    bail "node1 never up: $(lamonctl status)"
jget() { python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

# --- idle clients past the cap
r=$($CLIENTS idle "$CTL_SOCK" $((CAP + 36)) "$LAMONCTL_BIN" -s "$CTL_SOCK" status)
diag "idle: $r"
is "$(jget "$r" 'd["cmd"]["rc"]')" 0 "with $((CAP + 36)) idle clients connected, lamonctl status is answered"
like "$(jget "$r" 'd["cmd"]["out"]')" "node1 " "... with the node list"
o=$(jget "$r" 'd["open"]')
if [ "$o" -le "$CAP" ]; then ok "at most $CAP clients kept ($o open)"; else fail "at most $CAP clients kept ($o open)"; fi
like "$(cat "$T/controller.log")" "control socket: $CAP clients connected \(the limit\): closed the oldest client, which had sent no command" \
    "the log says why idle clients were closed"

# --- clients that send nothing, half a command, a byte a second
r=$($CLIENTS silent "$CTL_SOCK" "$LAMONCTL_BIN" -s "$CTL_SOCK" stats)
diag "silent: $r"
is "$(jget "$r" 'd["cmd"]["rc"]')" 0 "while silent clients hang on, lamonctl stats is answered"
for k in quiet half trickle; do
    like "$(jget "$r" "d['closed_after'].get('$k', 'open')")" "^[0-9.]+$" "a client that sends $k is closed by the controller (20 s at most)"
done
like "$(cat "$T/controller.log")" "control socket: closed a client that sent no (complete )?command in [0-9]+ s" \
    "the log says a client was closed for sending no command"

# --- garbage
r=$($CLIENTS garbage "$CTL_SOCK")
diag "garbage: $r"
line() { jget "$r" "d['$1'][0]"; }
ended() { jget "$r" "d['$1'][1]"; }
is "$(line binary)" "ERR byte 0x00 at offset 0: a command is printable ASCII" "binary request: ERR naming the byte"
is "$(line high_bytes)" "ERR byte 0xc3 at offset 8: a command is printable ASCII" "non-ASCII request: ERR"
is "$(line no_newline)" "ERR command longer than 1024 bytes" "5000 bytes without a newline: ERR"
is "$(ended no_newline)" True "... and the connection ends"
is "$(line long_line)" "ERR command longer than 1024 bytes" "a 2007-byte line: ERR"
is "$(line unknown)" "ERR unknown command 'frobnicate'" "an unknown command: ERR naming it"
is "$(line empty)" "ERR empty command" "an empty line: ERR"
is "$(line many_words)" "ERR more than 24 words" "30 packages: ERR, nothing cut off silently"
is "$(line json_twice)" "ERR usage: status [json]" "'status json json': ERR usage"
is "$(line crlf)" "OK" "a CR LF line end is a line end"
check "the controller still answers" lamonctl status

# --- lamonctl's words: a package called json, and "--"
js=$(lamonctl --json pkg node1 install json 2>/dev/null)
diag "pkg install json: $js"
is "$(jget "$js" 'd["ops"][0]["argument"]')" json "lamonctl pkg node1 install json: the job's package is json"
idx=$(jget "$js" 'd["ops"][0]["op_index"]')
is "$(nodeget 1 "lamonOpArgument.$idx" | tr -d '"')" json "... and the agent's operation $idx has the argument json"
is "$(nodeget 1 "lamonOpType.$idx")" 7 "... as pkgInstall(7)"
out=$(lamonctl pkg node1 install -- --foo 2>&1); rc=$?
is "$rc" 1 "lamonctl pkg node1 install -- --foo: exit 1"
like "$out" "pkg install --foo refused by the agent: wrongValue" "... the agent refused the package name --foo"
out=$(lamonctl pkg node1 install --json 2>&1); rc=$?
is "$rc" 1 "lamonctl pkg node1 install --json: exit 1"
like "$out" "pkg install --json refused by the agent: wrongValue" "... a word after the operation is never an option: --json is a package name"
check "lamonctl status --json still gives JSON" sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' status --json | python3 -m json.tool"
check "lamonctl --json node node1 gives JSON" sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' --json node node1 | python3 -m json.tool"
check "lamonctl log 5 --json gives JSON" sh -c "'$LAMONCTL_BIN' -s '$CTL_SOCK' log 5 --json | python3 -m json.tool"
out=$(lamonctl reboot node1 --no-wait 2>&1); rc=$?
is "$rc" 2 "lamonctl reboot node1 --no-wait: options after an operation's words are a usage error"
check_fails "... and nothing was rebooted" test -e "$T/node1/rebooted"

# --- the socket's group and mode follow a reload
is "$(stat -c '%G' "$CTL_SOCK")" root "the socket as created: group root"
sed -i "s|^control .*|control $CTL_SOCK owner root:daemon mode 0660|" "$T/ctl.conf"
kill -HUP "$CTL_PID"
check "after a reload the socket has the group daemon and mode 0660" \
    wait_for 10 sh -c "[ \"\$(stat -c '%G %a' '$CTL_SOCK')\" = 'daemon 660' ]"
sed -i "s|^control .*|control $CTL_SOCK owner root:lamon-no-such-group mode 0660|" "$T/ctl.conf"
kill -HUP "$CTL_PID"
check "a reload naming a group that does not exist says so" \
    wait_for 10 grep -q "reload: control socket group lamon-no-such-group: no such group" "$T/controller.log"
check "... and the controller still answers" lamonctl stats
kill "$CTL_PID"; wait "$CTL_PID"; rc=$?
is "$rc" 0 "the controller that served the bad clients stops cleanly"
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error" "... with no sanitizer report"

# --- clients that never read a big answer
if (ulimit -n 4096) 2>/dev/null; then
    BIG_SOCK=$T/big.sock
    {
        echo "interval 1000"; echo "timeout 800"; echo "control $BIG_SOCK"; echo "logfile $T/big.log"
        # 4,000 nodes that never answer, with 64-character names
        for i in $(seq 1 4000); do
            printf 'node big-%055d 127.0.%d.%d:9\n' "$i" $((10 + i / 250)) $((1 + i % 250))
        done
    } >"$T/big.conf"
    (ulimit -n 4096; exec "$CTL_BIN" -f -c "$T/big.conf") >>"$T/big.out" 2>&1 &
    BIG_PID=$!
    LAMON_PIDS="$LAMON_PIDS $BIG_PID"
    wait_for 20 test -S "$BIG_SOCK" || bail "the controller of 4,000 nodes did not start: $(tail "$T/big.out")"
    full=$("$LAMONCTL_BIN" -s "$BIG_SOCK" status --json | wc -c)
    diag "status json of 4,000 nodes: $full bytes"
    if [ "$full" -gt 600000 ]; then ok "the answer ($full bytes) is bigger than what the kernel buffers"
    else fail "the answer ($full bytes) is bigger than what the kernel buffers"; fi
    # More than the cap: the first 64 hold every slot with an answer, the
    # rest and lamonctl wait in the backlog until those are dropped, then
    # get theirs (and are dropped in turn).
    N=$((CAP + 6))
    r=$($CLIENTS noread "$BIG_SOCK" "$BIG_PID" $N 500 60 "$LAMONCTL_BIN" -s "$BIG_SOCK" stats)
    diag "noread: $(jget "$r" '{k: v for k, v in d.items() if k != "cmd"}')"
    is "$(jget "$r" 'd["cmd"]["rc"]')" 0 "while $N clients read nothing, lamonctl stats is answered (once the first are dropped)"
    is "$(jget "$r" 'all(d["ended"])')" True "the controller hung up on each of the $N clients (60 s at most)"
    is "$(jget "$r" "all(0 < b < $full * 0.9 for b in d['received'])")" True \
        "... in the middle of its answer: dropped, not served (none got all $full bytes)"
    grow=$(jget "$r" 'd["peak_kb"] - d["rss0_kb"]')
    bound=$((CAP * full / 1024 + 32768))
    if [ "$grow" -lt "$bound" ]; then ok "memory grew by $grow kB, under one answer per client ($bound kB)"
    else fail "memory grew by $grow kB, under one answer per client ($bound kB)"; fi
    like "$(cat "$T/big.log")" "control socket: dropped a client that read none of its answer for $ANSWER_S s \([0-9]+ bytes unsent\)" \
        "the log says a client was dropped with its bytes unsent"
    like "$(cat "$T/big.log")" "control socket: $CAP clients connected \(the limit\), all of them reading their answers: not accepting until one leaves" \
        "the log says new clients wait while $CAP read their answers"
    kill "$BIG_PID"; wait "$BIG_PID"; rc=$?
    is "$rc" 0 "the controller of 4,000 nodes stops cleanly"
    unlike "$(cat "$T/big.out")" "Sanitizer|runtime error" "... with no sanitizer report"
else
    for i in 1 2 3 4 5 6 7 8 9; do skip "ulimit -n 4096 not allowed here"; done
fi

# --- at the descriptor limit
write_ctl_conf "$T/low.conf" "1"
LOW_SOCK=$T/low.sock
sed -i "s|^control .*|control $LOW_SOCK|; s|^logfile .*|logfile $T/low.log|" "$T/low.conf"
# Only the first 64 kB of stderr are kept: a spinning controller writes
# hundreds of MB a second.
(ulimit -n 24; exec "$CTL_BIN" -f -c "$T/low.conf") 2> >(stdbuf -o0 head -c 65536 >"$T/low.err"; cat >/dev/null) &
LOW_PID=$!
LAMON_PIDS="$LAMON_PIDS $LOW_PID"
wait_for 10 test -S "$LOW_SOCK" || bail "the controller with ulimit -n 24 did not start: $(cat "$T/low.err")"
sleep 1
diag "descriptors in use before the flood: $(ls /proc/$LOW_PID/fd | wc -l) of 24"
r=$($CLIENTS flood "$LOW_SOCK" "$LOW_PID" 60 3 "$LAMONCTL_BIN" -s "$LOW_SOCK" status)
diag "flood: $r"
if [ "$(jget "$r" 'd["cpu_s"] < 0.25 * d["wall_s"]')" = True ]; then
    ok "at its descriptor limit with 60 clients waiting, the controller does not spin ($(jget "$r" 'd["cpu_s"]') s CPU in $(jget "$r" 'd["wall_s"]') s)"
else
    fail "at its descriptor limit with 60 clients waiting, the controller does not spin ($(jget "$r" 'd["cpu_s"]') s CPU in $(jget "$r" 'd["wall_s"]') s)"
fi
is "$(jget "$r" 'd["cmd"]["rc"]')" 0 "... and lamonctl status is answered"
errsize=$(wc -c <"$T/low.err")
if [ "$errsize" -lt 8192 ]; then ok "its stderr stays small ($errsize bytes)"; else fail "its stderr stays small ($errsize bytes)"; fi
like "$(cat "$T/low.log")" "control socket: accept: Too many open files" "the log says accept failed and why"
n=$(grep -c "control socket: accept" "$T/low.log")
if [ "$n" -le 2 ]; then ok "... rate-limited ($n lines)"; else fail "... rate-limited ($n lines)"; fi
kill "$LOW_PID"; wait "$LOW_PID"; rc=$?
is "$rc" 0 "the controller at its descriptor limit stops cleanly"
unlike "$(cat "$T/low.err")" "Sanitizer|runtime error" "... with no sanitizer report"
done_testing
