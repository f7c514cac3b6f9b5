#!/usr/bin/env bash
# The README's demo: a complete lamon cluster on this one machine, healing
# itself after a node dies.
#
#   director   Debian's kernel in qemu (TCG) with real IPVS, running the
#              host's snmpd and lamon-agent ("ipvs on"); its SNMP port is
#              forwarded to a loopback port of the host
#   6 nodes    each a private snmpd on its own loopback address 127.0.1.N
#              with a lamon-agent behind it over AgentX; the agent manages
#              application "web", a real python3 http.server on 127.0.1.N:8N,
#              started and stopped by the agent (argv, no shell)
#   controller lamon-controller: one virtual service www, tcp 10.0.0.1:80,
#              4 nodes and 1 hot spare, scheduler rr, on the director; RRDs
#              in a temp dir; it listens for the agents' notifications
#   web        the controller's web console on a free loopback port, with
#              one user "demo" whose password is new on every run (both
#              are printed; the users file holds only its crypt(3) hash)
#   heartbeats every agent sends lamonNodeHeartbeat every 200 ms through its
#              snmpd (informsink to the controller), so a dead node is
#              noticed in under a second, not after three missed polls
#
# It shows the initial assignment (4 servers, a hot spare whose web server
# already runs, a cold spare) with lamonctl and ipvsadm -Ln in the director,
# then kills a serving node (SIGKILL to its snmpd, agent and web server) and
# shows the controller remove it from IPVS when its heartbeats stop and
# promote the hot spare: only an IPVS add.  Nothing outside 127.0.0.0/8 and the guest is
# touched; everything is stopped and removed at the end.
#
#   DEMO_HOLD=1 scripts/demo.sh   keep the cluster running until Ctrl-C
#   DEMO_READY=FILE scripts/demo.sh
#                                 stop once the service is at strength: write
#                                 FILE (shell assignments: the temp dir, the
#                                 sockets and ports, the console's URL, user
#                                 and password, every node's pids) and keep
#                                 the cluster up, no node killed, until SIGTERM
#                                 (tests/vm/t_web_console.sh drives a browser)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh" >/dev/null
. "$ROOT/tests/lib/snmpd.sh"
. "$ROOT/tests/controller/ctl_lib.sh"
. "$ROOT/tests/vm/vm.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
elapsed() { printf '%5.1fs' "$(echo "$(date +%s.%N) - $T0" | bc)"; }

lamon_test_init
# The web servers detach from the agents, so they are stopped by pid file.
stop_web_servers() { local f; for f in "$T"/node*/web.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; }
trap 'stop_web_servers; vm_stop >/dev/null 2>&1; lamon_test_cleanup' EXIT
trap 'exit 130' INT TERM
for b in "$AGENT_BIN" "$CTL_BIN" "$LAMONCTL_BIN"; do
    [ -x "$b" ] || die "$b missing: run make first"
done
T0=$(date +%s.%N)

# The nodes' application: a real HTTP server, started in the background by
# start-stop-daemon (which detaches and returns, as an init script would);
# the agent's default check, "something listens on the port", reports it.
node_app_lines() {
    printf 'app web 8%s\n' "$1"
    printf 'app_start web /sbin/start-stop-daemon --start --quiet --background --make-pidfile --pidfile %s/web.pid --chdir %s --exec /usr/bin/python3 -- -m http.server --directory %s --bind 127.0.1.%s 8%s\n' "$2" "$2" "$2" "$1" "$1"
    printf 'app_stop web /sbin/start-stop-daemon --stop --quiet --oknodo --remove-pidfile --pidfile %s/web.pid\n' "$2"
}

# Heartbeats: each node's snmpd sends the agent's notifications to the
# controller's listen port, from the node's own address.
RP=$(free_udp_port)
node_snmpd_extra() { printf '%s\n' "informsink 127.0.0.1:$RP lamondemo" "[snmp] clientaddr 127.0.1.$1"; }
node_agent_extra() { echo "heartbeat_ms 200"; }

# The web console: a free loopback TCP port (tests/lib/snmpd.sh), a user
# with a fresh password.
WEB_PORT=$(free_tcp_port) || die "no free loopback TCP port for the web console"
WEB_URL="http://127.0.0.1:$WEB_PORT/"
WEB_USER=demo
WEB_PASS=$(openssl rand -hex 8) || die "openssl rand failed"
# A SHA-512 crypt(3) hash ($6$), which libxcrypt's crypt_r checks.
(umask 077 && printf '%s:%s\n' "$WEB_USER" "$(printf '%s\n' "$WEB_PASS" | openssl passwd -6 -stdin)" >"$T/http_users") \
    || die "cannot write the web console's users file"

say "Director: booting Debian's kernel in qemu for real IPVS"
[ -f "$VM_CACHE/kver" ] || echo "(first run: downloading linux-image-amd64's kernel package and building an initramfs)"
vm_start "cache_ms 200" || die "the director VM did not start (see the messages above)"
echo "$(elapsed)  director up: snmpd + lamon-agent in the guest, SNMP on udp:127.0.0.1:$VM_SNMP_PORT"
vm_exec ipvsadm -Ln

say "Nodes: six snmpd + lamon-agent pairs on 127.0.1.1 .. 127.0.1.6, port $NODE_PORT"
for n in 1 2 3 4 5 6; do
    start_node $n || die "node $n did not start; see $T/node$n/*.log"
    echo "$(elapsed)  node$n up on 127.0.1.$n:$NODE_PORT (application web: http.server on 127.0.1.$n:8$n, not started yet)"
done

say "Controller: service www = tcp 10.0.0.1:80, 4 nodes + 1 hot spare, rr, on director lvs1"
CTL_INTERVAL=1000 CTL_TIMEOUT=900 write_ctl_conf "$T/ctl.conf" "1 2 3 4 5 6" \
    "rrddir $T/rrd" \
    "listen 127.0.0.1:$RP" \
    "accept 127.0.0.0/8 community lamondemo" \
    "director lvs1 127.0.0.1:$VM_SNMP_PORT" \
    "service www tcp 10.0.0.1:80 nodes 4 hot 1 sched rr fwd route app web director lvs1" \
    "http 127.0.0.1:$WEB_PORT" \
    "http_users $T/http_users" \
    "http_root $ROOT/web"
mkdir -p "$T/rrd"
sed 's/^v3user .*/v3user lamonadmin sha ******** aes ********/; s/^/    /' "$T/ctl.conf"
start_controller "$T/ctl.conf" || die "the controller did not start: $(cat "$T/controller.out")"
echo "$(elapsed)  lamon-controller running; control socket $CTL_SOCK"
web_answers() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "${WEB_URL}api/v1/nodes"; }
wait_for 10 web_answers || die "the web console does not answer at $WEB_URL: $(tail -n 5 "$T/controller.out")"
echo "$(elapsed)  web console: $WEB_URL (user $WEB_USER, password $WEB_PASS)"

# ipvs_dests: the real servers of 10.0.0.1:80 in the director's kernel.
ipvs_dests() { vm_exec ipvsadm -Ln -t 10.0.0.1:80 2>/dev/null | awk '$1 == "->" && $2 ~ /^127\.0\.1\./ {print $2}' | sort | tr '\n' ' '; }
hot_spares() { lamonctl status | awk 'NR > 1 && $2 == "spare" && / hot( |$)/' | wc -l; }
servers_up() { [ "$(count_role_state server up)" = 4 ] && [ "$(ipvs_dests | wc -w)" = 4 ] && [ "$(hot_spares)" = 1 ]; }
echo "waiting for the controller to assign the nodes, start the applications and fill IPVS ..."
last=""
for _ in $(seq 1 90); do
    servers_up && break
    now="$(count_role_state server up) servers up, $(hot_spares) hot spare, IPVS: $(ipvs_dests)"
    [ "$now" != "$last" ] && echo "$(elapsed)  $now" && last=$now
    sleep 1
done
servers_up || { lamonctl log | tail -20; die "the service did not reach 4 healthy nodes and a hot spare"; }
echo "$(elapsed)  service www at strength, with a hot spare"

say "lamonctl status"
lamonctl status
say "lamonctl services"
lamonctl services
say "ipvsadm -Ln in the director"
vm_exec ipvsadm -Ln

if [ -n "${DEMO_READY:-}" ]; then
    {
        printf '%s=%q\n' DEMO_T "$T" CTL_SOCK "$CTL_SOCK" NODE_PORT "$NODE_PORT" VM_CMD_PORT "$VM_CMD_PORT" \
            VM_SNMP_PORT "$VM_SNMP_PORT" WEB_URL "$WEB_URL" WEB_USER "$WEB_USER" WEB_PASS "$WEB_PASS"
        for n in 1 2 3 4 5 6; do
            printf '%s=%q\n' "NODE_SNMPD_$n" "$(eval "echo \$NODE_SNMPD_$n")" "NODE_AGENT_$n" "$(eval "echo \$NODE_AGENT_$n")"
        done
    } >"$DEMO_READY.new" && mv "$DEMO_READY.new" "$DEMO_READY" || die "cannot write $DEMO_READY"
    say "Ready ($DEMO_READY); the cluster keeps running until SIGTERM"
    echo "web console: $WEB_URL"
    # wait, not a foreground sleep: the TERM trap runs at once.
    while :; do sleep 3600 & LAMON_PIDS="$LAMON_PIDS $!"; wait $!; done
fi

victim=$(lamonctl status | awk 'NR > 1 && $2 == "server" {sub("node", "", $1); print $1; exit}')
say "Killing node$victim (SIGKILL to its snmpd, lamon-agent and web server)"
vpids="$(eval "echo \$NODE_SNMPD_$victim \$NODE_AGENT_$victim")"
{ kill -9 $vpids; wait $vpids; } 2>/dev/null      # wait: no "Killed" job notices
kill -9 "$(cat "$T/node$victim/web.pid")" 2>/dev/null
tk=$(date +%s.%N)
healed() { local d; d=$(ipvs_dests); [[ " $d " != *" 127.0.1.$victim:80 "* ]] && [ "$(echo $d | wc -w)" = 4 ]; }
last=""
for _ in $(seq 1 120); do
    healed && break
    now="node$victim: $(lamonctl status | awk -v n="node$victim" '$1 == n {print $4}'), IPVS: $(ipvs_dests)"
    [ "$now" != "$last" ] && echo "$(elapsed)  $now" && last=$now
    sleep 0.5
done
healed || { lamonctl log | tail -20; die "the cluster did not heal"; }
printf '%s  healed %.1f s after the kill: IPVS: %s\n' "$(elapsed)" "$(echo "$(date +%s.%N) - $tk" | bc)" "$(ipvs_dests)"

say "lamonctl status"
lamonctl status
say "ipvsadm -Ln in the director"
vm_exec ipvsadm -Ln
promoted=$(lamonctl log | sed -n 's/.*promote \(hot \)\{0,1\}spare node\([0-9]*\) to service www.*/\2/p' | tail -n 1)
if [ -n "$promoted" ]; then
    say "The promoted spare's web server, started by its agent, answers"
    python3 - "http://127.0.1.$promoted:8$promoted/" <<'PY'
import sys, time, urllib.request
for attempt in range(10):   # a loaded machine may be slow to answer the first time
    try:
        r = urllib.request.urlopen(sys.argv[1], timeout=5)
        print(sys.argv[1], "->", r.status, r.reason)
        break
    except OSError as e:
        print(sys.argv[1], "->", e, "(retrying)" if attempt < 9 else "")
        time.sleep(1)
PY
fi
say "lamonctl log (the controller's decisions, with their reasons)"
lamonctl log 40
say "RRDs written by the controller ($T/rrd)"
ls "$T/rrd"
rrdtool lastupdate "$T/rrd/service-www.rrd" 2>/dev/null || true

if [ "${DEMO_HOLD:-0}" = 1 ]; then
    say "The cluster keeps running. Try, in another shell:"
    echo "  open $WEB_URL in a browser (user $WEB_USER, password $WEB_PASS)"
    echo "  $LAMONCTL_BIN -s $CTL_SOCK status"
    echo "  $LAMONCTL_BIN -s $CTL_SOCK log"
    echo "  $LAMONCTL_BIN -s $CTL_SOCK drain node$(lamonctl status | awk 'NR > 1 && $2 == "server" {sub("node", "", $1); print $1; exit}')"
    echo "  $VM_CTL exec $VM_CMD_PORT ipvsadm -Ln          # IPVS in the director"
    echo "  MIBDIRS=$MIBDIRS snmpwalk -v2c -c public -m LAMON-MIB 127.0.1.1:$NODE_PORT lamonNode"
    echo "Ctrl-C stops everything."
    while sleep 3600; do :; done
fi
say "Demo done; stopping the controller, the nodes and the director."
