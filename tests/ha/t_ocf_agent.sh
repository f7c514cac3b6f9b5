#!/usr/bin/env bash
# The OCF resource agent ocf:lamon:controller (ha/ocf/controller) against a
# real controller polling real nodes (snmpd + lamon-agent on 127.0.1.1-2):
#  - Debian's ocf-tester (package resource-agents) passes: meta-data valid
#    against ra-api-1.dtd (xmllint), start, stop, monitor, probe, starting
#    a started and stopping a stopped resource;
#  - meta-data validates with xmllint --dtdvalid on its own;
#  - validate-all: a socket other than the config's control line is
#    OCF_ERR_CONFIGURED (6), a missing binary OCF_ERR_INSTALLED (5), a
#    config the user cannot read OCF_ERR_ARGS (2);
#  - start with a broken config is OCF_ERR_CONFIGURED and starts nothing;
#  - the started controller runs as the user, polls the nodes (both up in
#    lamonctl status), writes its RRDs as that user;
#  - monitor: stopped is OCF_NOT_RUNNING (7); a live process whose socket
#    does not answer (SIGSTOP, or the socket removed) is OCF_ERR_GENERIC
#    (1), not success; a controller the agent did not start listening on
#    the socket (even stopped, even without lamonctl) is OCF_ERR_GENERIC,
#    start refuses to start a second, stop stops it (a stop must leave
#    nothing listening: the cluster then starts one elsewhere) and fails on
#    a program that is not the controller; a lost pid file is handled the
#    same way; a holder that ignores SIGTERM is killed within the timeout;
#  - stop of a stopped (SIGSTOP) controller succeeds; reload checks the new
#    file (a bad one is OCF_ERR_CONFIGURED, the controller keeps running)
#    and sends SIGHUP;
#  - nothing is left running.
# OCF_AGENT_SRC=FILE tests another copy of the agent (to show that a broken
# one fails these checks).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/../controller/ctl_lib.sh"
lamon_test_init
OCF_TESTER=/usr/sbin/ocf-tester
DTD=/usr/share/resource-agents/ra-api-1.dtd
SRC=${OCF_AGENT_SRC:-$ROOT/ha/ocf/controller}
[ -x "$CTL_BIN" ] && [ -x "$LAMONCTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller, lamonctl and lamon-agent first"
[ -x "$OCF_TESTER" ] && [ -f "$DTD" ] || bail "install resource-agents (ocf-tester, ra-api-1.dtd)"
command -v xmllint >/dev/null || bail "install libxml2-utils (xmllint)"

# As root (as under Pacemaker) the controller runs as lamon; its files are
# laid out for that user: the config root:lamon 0640, the RRD and log
# directories lamon's, the socket's directory left for the agent to create.
if [ "$(id -u)" = 0 ]; then RUSER=lamon; else RUSER=$(id -un); fi
RGROUP=$(id -gn "$RUSER")
chmod 711 "$T"
H=$T/ha
mkdir -p "$H/rrd" "$H/log" "$H/rsctmp" "$T/ocf/lamon"
chmod 755 "$H" "$T/ocf" "$T/ocf/lamon"
chown "$RUSER:$RGROUP" "$H/rrd" "$H/log"
# The agent as it is installed (ocf-tester checks that nobody can run it).
AGENT=$T/ocf/lamon/controller
install -m 755 "$SRC" "$AGENT"
run_as_user() { if [ "$(id -un)" = "$RUSER" ]; then "$@"; else setpriv --reuid="$RUSER" --regid="$RGROUP" --init-groups -- "$@"; fi; }
reachable_bins "$RUSER" "$T" || bail "cannot give $RUSER programs it can run"
run_as_user test -x "$CTL_BIN" || bail "$RUSER cannot run $CTL_BIN"

start_node 1 || bail "node 1 did not start"
start_node 2 || bail "node 2 did not start"

SOCK=$H/run/ctl.sock
conf() {  # conf FILE [CONTROL_PATH] [EXTRA LINE...]
    local f=$1 c=${2:-$SOCK}; shift 2 || shift $#
    {
        echo "interval 1000"
        echo "timeout 800"
        echo "control $c"
        echo "logfile $H/log/controller.log"
        echo "rrddir $H/rrd"
        echo "v3user $V3_USER sha $V3_AUTH aes $V3_PRIV"
        echo "node node1 127.0.1.1:$NODE_PORT"
        echo "node node2 127.0.1.2:$NODE_PORT"
        printf '%s\n' "$@"
    } >"$f"
    chgrp "$RGROUP" "$f"; chmod 0640 "$f"
}
conf "$H/ctl.conf"
conf "$H/bad.conf" "$SOCK" "rise many"

# The environment Pacemaker would give the agent; HA_RSCTMP (the pid file)
# and the agent's log stay inside the test's directory.
export OCF_ROOT=/usr/lib/ocf HA_RSCTMP=$H/rsctmp HA_LOGFILE=$H/agent.log OCF_RESOURCE_INSTANCE=lamonctl_test
export OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1
export OCF_RESKEY_config=$H/ctl.conf OCF_RESKEY_socket=$SOCK OCF_RESKEY_binary=$CTL_BIN \
       OCF_RESKEY_lamonctl=$LAMONCTL_BIN OCF_RESKEY_user=$RUSER OCF_RESKEY_CRM_meta_timeout=20000
# ra ACTION [VAR=VALUE...]: runs the agent, sets $rc and $out (its stderr:
# the exit reason).
ra() {
    local a=$1; shift
    out=$(env "$@" __OCF_ACTION="$a" "$AGENT" "$a" 2>&1 >/dev/null); rc=$?
}
ctl_pids() { pgrep -f -- "lamon-controller -f -c $H/" | tr '\n' ' '; }
cleanup() {
    ra stop
    [ -n "${FOREIGN:-}" ] && kill -CONT "$FOREIGN" 2>/dev/null && kill "$FOREIGN" 2>/dev/null
    lamon_test_cleanup
}
trap cleanup EXIT

# --- meta-data against the DTD, on its own
md=$("$AGENT" meta-data); rc=$?
is "$rc" 0 "meta-data exits 0"
check "meta-data is valid against ra-api-1.dtd (xmllint --dtdvalid)" \
    sh -c "'$AGENT' meta-data | xmllint --noout --dtdvalid '$DTD' -"
like "$md" '<version>1.1</version>' "... and says OCF RA API 1.1"
for p in config socket binary lamonctl user; do
    like "$md" "<parameter name=\"$p\"" "... declares the parameter $p"
done
like "$md" '<action name="reload"' "... advertises reload (implemented: SIGHUP)"

# --- Debian's ocf-tester
tester_out=$("$OCF_TESTER" -n "$OCF_RESOURCE_INSTANCE" -o config="$H/ctl.conf" -o socket="$SOCK" \
    -o binary="$CTL_BIN" -o lamonctl="$LAMONCTL_BIN" -o user="$RUSER" "$AGENT" 2>&1); rc=$?
printf '%s\n' "$tester_out" | sed 's/^/# ocf-tester: /'
is "$rc" 0 "ocf-tester passes (exit 0)"
like "$tester_out" "passed all tests" "... and says the agent passed all tests"
is "$(ctl_pids)" "" "... and left no controller running"

# --- validate-all
ra validate-all
is "$rc" 0 "validate-all with good parameters: 0"
ra validate-all OCF_RESKEY_socket="$H/run/other.sock"
is "$rc" 6 "validate-all with a socket other than the config's control line: OCF_ERR_CONFIGURED (6)"
like "$out" "socket is $H/run/other.sock but config $H/ctl.conf has the control socket at $SOCK" "... and says why"
ra validate-all OCF_RESKEY_socket="run/ctl.sock"
is "$rc" 6 "validate-all with a relative socket path: OCF_ERR_CONFIGURED (6)"
ra validate-all OCF_RESKEY_binary="$H/no-such-binary"
is "$rc" 5 "validate-all with a missing binary: OCF_ERR_INSTALLED (5)"
ra validate-all OCF_RESKEY_lamonctl="$H/no-such-lamonctl"
is "$rc" 5 "validate-all with a missing lamonctl: OCF_ERR_INSTALLED (5)"
ra validate-all OCF_RESKEY_user="no-such-user-lamon"
is "$rc" 5 "validate-all with a user that does not exist: OCF_ERR_INSTALLED (5)"
ra validate-all OCF_RESKEY_config="$H/missing.conf"
is "$rc" 2 "validate-all with a config that does not exist: OCF_ERR_ARGS (2)"
ra validate-all OCF_RESKEY_config="$H/bad.conf"
is "$rc" 6 "validate-all with a config that fails lamon-controller -t: OCF_ERR_CONFIGURED (6)"
like "$out" "$H/bad.conf: line 9: .*rise" "... quoting the file, line and problem"
if [ "$RUSER" != root ]; then
    cp "$H/ctl.conf" "$H/secret.conf"; chown root:root "$H/secret.conf"; chmod 0600 "$H/secret.conf"
    ra validate-all OCF_RESKEY_config="$H/secret.conf"
    is "$rc" 2 "validate-all with a config $RUSER cannot read: OCF_ERR_ARGS (2)"
    like "$out" "not readable by user $RUSER" "... and says so"
    mkdir "$H/rootlog"; conf "$H/rootlog.conf" "$SOCK" "logfile $H/rootlog/controller.log"
    ra validate-all OCF_RESKEY_config="$H/rootlog.conf"
    is "$rc" 2 "validate-all with a log file $RUSER cannot write: OCF_ERR_ARGS (2)"
else
    skip "config unreadable by the user: the test runs as root with user root"
    skip "... says so"
    skip "log file the user cannot write"
fi

# --- start with a broken config starts nothing
ra start OCF_RESKEY_config="$H/bad.conf"
is "$rc" 6 "start with a config that fails -t: OCF_ERR_CONFIGURED (6)"
is "$(ctl_pids)" "" "... and no controller was started"
[ -e "$HA_RSCTMP/lamon-controller-$OCF_RESOURCE_INSTANCE.pid" ] && fail "... and no pid file written" || ok "... and no pid file written"

# --- monitor of a stopped resource, start, the controller at work
ra monitor
is "$rc" 7 "monitor of a stopped resource: OCF_NOT_RUNNING (7)"
rm -rf "$H/run"
ra start
is "$rc" 0 "start: 0"
pid=$(ctl_pids); pid=${pid% }
like "$pid" '^[0-9]+$' "... one controller runs ($pid)"
is "$(ps -o user= -p "$pid" | tr -d ' ')" "$RUSER" "... as user $RUSER"
is "$(stat -c %U "$H/run")" "$RUSER" "... in a socket directory the agent created for $RUSER"
ra monitor
is "$rc" 0 "monitor of a running controller: 0"
nodes_up() { [ "$("$LAMONCTL_BIN" -s "$SOCK" status | awk '$1 ~ /^node[12]$/ && $4 == "up"' | wc -l)" = 2 ]; }
wait_for 30 nodes_up && ok "the controller polls both nodes: node1 and node2 are up" ||
    fail "the controller polls both nodes: $("$LAMONCTL_BIN" -s "$SOCK" status 2>&1)"
wait_for 10 sh -c "ls '$H/rrd'/node-node1.rrd" && ok "... and writes their RRDs" || fail "... and writes their RRDs"
is "$(stat -c %U "$H/rrd/node-node1.rrd" 2>/dev/null)" "$RUSER" "... as $RUSER"
ra start
is "$rc" 0 "start of a started resource: 0"
is "$(ctl_pids)" "$pid " "... and still the one controller"

# --- a live process that does not answer
kill -STOP "$pid"
ra monitor
is "$rc" 1 "monitor of a stopped (SIGSTOP) controller, its socket silent: OCF_ERR_GENERIC (1)"
like "$out" "runs but its control socket $SOCK does not answer" "... and says why"
kill -CONT "$pid"
ra monitor
is "$rc" 0 "... and 0 again after SIGCONT"

# --- reload: a bad file refused, a good one applied
conf "$H/ctl.conf" "$SOCK" "rise many"
ra reload
is "$rc" 6 "reload of a file that fails -t: OCF_ERR_CONFIGURED (6), no SIGHUP"
conf "$H/ctl.conf" "$SOCK" "rise 3"
ra reload
is "$rc" 0 "reload of a good file: 0"
wait_for 10 grep -q "configuration reloaded from $H/ctl.conf" "$H/log/controller.log" &&
    ok "... and the controller reloaded it (SIGHUP)" || fail "... and the controller reloaded it (SIGHUP)"
is "$(ctl_pids)" "$pid " "... without a restart"

# --- the socket removed under a live controller
rm -f "$SOCK"
ra monitor
is "$rc" 1 "monitor of a live controller whose socket is gone: OCF_ERR_GENERIC (1)"

# --- stop, also of a controller stopped with SIGSTOP
kill -STOP "$pid"
ra stop
is "$rc" 0 "stop of a controller stopped with SIGSTOP: 0"
is "$(ctl_pids)" "" "... and it is gone"
ra monitor
is "$rc" 7 "monitor after stop: OCF_NOT_RUNNING (7)"
ra stop
is "$rc" 0 "stop of a stopped resource: 0"

# --- a controller the agent did not start, on the same socket
mkdir -p "$H/run"
"$CTL_BIN" -f -c "$H/ctl.conf" >"$H/foreign.out" 2>&1 &
FOREIGN=$!
wait_for 10 "$LAMONCTL_BIN" -s "$SOCK" stats || fail "the foreign controller did not start"
ra monitor OCF_RESKEY_CRM_meta_interval=0
is "$rc" 1 "a probe that finds a controller the agent did not start on the socket: OCF_ERR_GENERIC (1)"
like "$out" "did not start \\(pid $FOREIGN\\) listens on $SOCK" "... and says so, with its pid"
ra start
is "$rc" 1 "start refuses to start a second controller on that socket: OCF_ERR_GENERIC (1)"
is "$(pgrep -f -- "lamon-controller -f -c $H/" | wc -l)" 1 "... and only the foreign one runs"
# Pacemaker answers that probe with stop, then start here or elsewhere: a
# stop that left the foreign controller running would make two controllers.
ra stop
is "$rc" 0 "stop with a foreign controller of the same binary and config on the socket: 0 ..."
if [ -e "/proc/$FOREIGN/exe" ]; then
    fail "... once that controller is stopped (it still runs)"; kill -9 "$FOREIGN"
else
    ok "... once that controller is stopped"
fi
like "$(cat "$H/agent.log")" "WARNING: stopping a lamon-controller this agent did not start \(pid $FOREIGN, on $SOCK" \
     "... and the log says it stopped one it did not start"
wait "$FOREIGN" 2>/dev/null; FOREIGN=
ra start
is "$rc" 0 "then start: 0"
ra stop

# The agent's own controller, its pid file lost: a probe says failed, and
# the stop that follows stops it.
ra start
own=$(head -n 1 "$HA_RSCTMP/lamon-controller-$OCF_RESOURCE_INSTANCE.pid")
rm -f "$HA_RSCTMP/lamon-controller-$OCF_RESOURCE_INSTANCE.pid"
ra monitor OCF_RESKEY_CRM_meta_interval=0
is "$rc" 1 "its own controller with the pid file lost: the probe says OCF_ERR_GENERIC (1)"
ra stop
is "$rc" 0 "... and stop: 0"
if [ -n "$own" ] && [ -e "/proc/$own/exe" ]; then fail "... once it is stopped (pid $own still runs)"; kill -9 "$own"; else ok "... once it is stopped"; fi

# A foreign controller that is stopped (SIGSTOP: it accepts and never
# answers) and started with another config file naming the same socket:
# found as the socket's holder, stopped too.
cp -p "$H/ctl.conf" "$H/other.conf"
"$CTL_BIN" -f -c "$H/other.conf" >"$H/foreign.out" 2>&1 &
FOREIGN=$!
wait_for 10 "$LAMONCTL_BIN" -s "$SOCK" stats || fail "the other controller did not start"
kill -STOP "$FOREIGN"
ra monitor OCF_RESKEY_CRM_meta_interval=0 OCF_RESKEY_lamonctl=/nonexistent
is "$rc" 1 "a probe, without lamonctl, finds the stopped foreign controller by its socket: OCF_ERR_GENERIC (1)"
ra stop OCF_RESKEY_lamonctl=/nonexistent
is "$rc" 0 "stop, without lamonctl, of a stopped foreign controller holding the socket (another config): 0 ..."
if [ -e "/proc/$FOREIGN/exe" ]; then
    fail "... once it is stopped (it still runs)"; kill -9 "$FOREIGN"
else
    ok "... once it is stopped"
fi
wait "$FOREIGN" 2>/dev/null; FOREIGN=

# A program that is not the controller listening on the socket: stop fails
# rather than report a stop, and leaves it alone.
/usr/bin/python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(60)' "$SOCK" &
FOREIGN=$!
wait_for 10 test -S "$SOCK" || fail "the other program did not listen"
ra stop
is "$rc" 1 "stop with another program listening on the socket: OCF_ERR_GENERIC (1)"
like "$out" "pid $FOREIGN .*listens on $SOCK and is not $CTL_BIN" "... and says so"
[ -e "/proc/$FOREIGN/exe" ] && ok "... and leaves it alone" || fail "... and leaves it alone"
kill "$FOREIGN"; wait_for 10 sh -c "! test -e /proc/$FOREIGN/exe" || kill -9 "$FOREIGN"
wait "$FOREIGN" 2>/dev/null; FOREIGN=
rm -f "$SOCK"

# A stop whose controller ignores SIGTERM keeps to the stop timeout: TERM
# to all, KILL 5 s before the end (an op timeout of 7 s: KILL after ~2 s).
# The real controller always exits on SIGTERM, so the "binary" here is a
# copy of python3 that holds the socket and ignores it.
install -m 755 "$(readlink -f /usr/bin/python3)" "$T/stubborn"
"$T/stubborn" -c 'import signal,socket,sys,time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(60)' "$SOCK" &
FOREIGN=$!
wait_for 10 test -S "$SOCK" || fail "the stubborn program did not listen"
ra stop OCF_RESKEY_CRM_meta_timeout=7000 OCF_RESKEY_binary="$T/stubborn"
is "$rc" 0 "stop of a holder that ignores SIGTERM: 0 ..."
like "$(cat "$H/agent.log")" "\(pid $FOREIGN\) still runs after SIGTERM: SIGKILL" "... after SIGKILL"
if [ -e "/proc/$FOREIGN/exe" ]; then fail "... and it is gone"; kill -9 "$FOREIGN"; else ok "... and it is gone"; fi
wait "$FOREIGN" 2>/dev/null; FOREIGN=
[ -e "$SOCK" ] && fail "... and its socket file is removed" || ok "... and its socket file is removed"

is "$(ctl_pids)" "" "no controller is left running"
# The controllers' stderr (SANITIZE=1 builds report there, at exit too).
errs=$(cat "$HA_RSCTMP"/*.out "$H/foreign.out" 2>&1)
like "$errs" "lamon-controller.*stopping on signal 15" "the agent kept the controller's stderr (${HA_RSCTMP#"$T"/}/*.out)"
unlike "$errs" "Sanitizer|runtime error" "... which holds no sanitizer report"
like "$(cat "$H/agent.log")" "lamon-controller started \(pid [0-9]+, user $RUSER, config $H/ctl.conf\) and answers on $SOCK" \
    "the agent's log says what it started and where it answers"
done_testing
