#!/usr/bin/env bash
# Failover time through real IPVS, at a 1 s poll interval: from killing a
# serving node to the promoted spare answering connections made to the VIP.
#
#   director   Debian's kernel in qemu (tests/vm/vm.sh) with real IPVS; the
#              virtual service is NAT (fwd masq) to the nodes' addresses
#   4 nodes    each in its own network namespace lamfbN with address
#              10.77.0.N/24 on a host bridge (10.77.0.254): snmpd on :161,
#              lamon-agent behind it, and application "web", a python3
#              http.server on 10.77.0.N:80 serving the page "nodeN", started
#              and stopped by the agent.  The guest reaches 10.77.0.N through
#              qemu's user networking (slirp turns the guest's connection
#              into a host socket), so IPVS NAT in the guest really forwards
#              connections to the nodes.
#   controller on the host: service www tcp 10.0.0.1:80, 2 nodes, fwd masq,
#              interval 1000, timeout 800, rise 2, fall 3
#   client     in the guest: every 50 ms it reads the IPVS table
#              (/proc/net/ip_vs) and fetches http://10.0.0.1/ with a 0.3 s
#              timeout, logging guest time, the destinations and who answered
#   keepalived (the peer, when /usr/sbin/keepalived is installed) in the same
#              guest: Debian's keepalived 2.2.7 with its own virtual service
#              10.0.0.2:80 over the same four nodes, TCP_CHECK delay_loop 1,
#              retry 1, connect_timeout 1 (DESIGN.md's figures); it has no
#              spares, so only its removal time is comparable
#
# Each of R trials kills one serving node (SIGKILL to its snmpd, agent and
# web server), then reads from the client's log, in guest time:
#   t_removed        the victim's destination left IPVS
#   t_added          the promoted spare's destination is in IPVS
#   t_spare_serving  first answer through the VIP from the promoted spare
#   t_ka_removed     the victim left keepalived's virtual service
# (host kill time is mapped to guest time by a clock offset measured right
# before the kill, error printed).  The victim is then brought back (it
# becomes a spare) and the service left to settle before the next trial.
#
# With HEARTBEAT_MS=200 every agent also sends lamonNodeHeartbeat every
# 200 ms (heartbeat_ms), its snmpd an informsink to the controller's listen
# port on the bridge (10.77.0.254), and the controller takes a node down
# after fall missed heartbeats instead of fall missed polls.
#
# With HOT=1 the service keeps one hot spare (service option hot 1): its
# application already runs, and promotion is only the IPVS add.  After each
# trial the next one waits until a spare is hot again.
#
# With KILL=app only the victim's web server is killed (SIGKILL); its node
# lives on, the agent sees the application down (check_ms 200) and says so
# at once with lamonAppStateChange.
#
#   sudo bench/failover_time.sh [R=7]      (root: namespaces, bridge)
#   env: BUILD, HEARTBEAT_MS (0: polls only, the default), HOT (0), KILL
#        (node: snmpd + agent + web server, the default; app: web server
#        only), FALL (the controller's fall, default 3)
# Bounded: each trial gives up after 60 s, the settle wait after 90 s.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
R=${1:-7}
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/snmpd.sh"
. "$ROOT/tests/controller/ctl_lib.sh"
. "$ROOT/tests/vm/vm.sh"
NODES="1 2 3 4"
HEARTBEAT_MS=${HEARTBEAT_MS:-0}
HOT=${HOT:-0}
KILL=${KILL:-node}
FALL=${FALL:-3}
case $KILL in node|app) ;; *) echo "KILL is node or app"; exit 1 ;; esac
BR=lamfb0
NS=lamfb
log() { echo "# $(date +%T) $*"; }

# Checked before anything is set up: without `make deps` the guest's MIB
# path is missing and the director "does not start" only after a minute.
[ -f "$ROOT/.deps/npm/node_modules/net-snmp/lib/mibs/SNMPv2-SMI.mib" ] ||
    { echo "$ROOT/.deps is missing: run 'make deps' first"; exit 1; }
for b in "$AGENT_BIN" "$CTL_BIN" "$LAMONCTL_BIN"; do [ -x "$b" ] || { echo "$b missing: run make first"; exit 1; }; done
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
ip link show "$BR" >/dev/null 2>&1 && { echo "$BR exists: another run is going on?"; exit 1; }

lamon_test_init
# Runs on every exit path.  Under set -u an unset variable (a controller or
# node never started) used to abort this trap at its first line, leaving
# qemu, the namespaces and the bridge behind: so no -u here, the network
# and the VM go first, and nothing waits on a process that was never started.
teardown() {
    set +u
    local n
    vm_stop >/dev/null 2>&1
    for n in $NODES; do ip netns pids "$NS$n" 2>/dev/null | xargs -r kill -9 2>/dev/null; done
    for n in $NODES; do ip netns del "$NS$n" 2>/dev/null; rm -rf "/etc/netns/$NS$n"; done
    ip link del "$BR" 2>/dev/null
    [ -n "$CTL_PID" ] && stop_controller >/dev/null 2>&1
    for n in $NODES; do kill_node "$n"; done
    lamon_test_cleanup
}
trap teardown EXIT
trap 'exit 130' INT TERM

nsx() { local n=$1; shift; ip netns exec "$NS$n" "$@"; }
net_setup() {
    ip link add "$BR" type bridge && ip addr add 10.77.0.254/24 dev "$BR" && ip link set "$BR" up || return 1
    for n in $NODES; do
        ip netns add "$NS$n" &&
        ip link add "lfb$n" type veth peer name eth0 netns "$NS$n" &&
        ip link set "lfb$n" master "$BR" up &&
        ip -n "$NS$n" addr add "10.77.0.$n/24" dev eth0 &&
        ip -n "$NS$n" link set eth0 up && ip -n "$NS$n" link set lo up &&
        ip -n "$NS$n" route add default via 10.77.0.254 || return 1
        # The nodes' names in the namespace's own /etc/hosts (ip netns exec
        # binds /etc/netns/NAME/hosts over it): python's http.server looks
        # its address up at start (getfqdn), and with a default route and
        # no DNS server that lookup waited for the resolver's timeouts, 10 s
        # that are no part of the application's start.
        mkdir -p "/etc/netns/$NS$n" || return 1
        { echo "127.0.0.1 localhost"; for m in $NODES; do echo "10.77.0.$m node$m"; done; } >"/etc/netns/$NS$n/hosts"
    done
}

# start_fnode N: snmpd + lamon-agent in namespace N; the agent's "web" is a
# real HTTP server that start-stop-daemon detaches.
start_fnode() {
    local n=$1 d=$T/node$1
    mkdir -p "$d/state" "$d/persist" "$d/www"
    echo "node$n" >"$d/www/index.html"
    cat >"$d/snmpd.conf" <<CONF
agentaddress udp:10.77.0.$n:161
master agentx
agentXSocket $d/agentx.sock
agentXPerms 0600 0700
agentXTimeout 1
rocommunity public 10.77.0.0/24
createUser $V3_USER SHA "$V3_AUTH" AES "$V3_PRIV"
rwuser $V3_USER priv
CONF
    [ "$HEARTBEAT_MS" -gt 0 ] && echo "informsink 10.77.0.254:$RP lamontrap" >>"$d/snmpd.conf"
    cat >"$d/agent.conf" <<CONF
nodename node$n
heartbeat_ms $HEARTBEAT_MS
statedir $d/state
cache_ms 100
check_ms 200
app web 80
app_start web /sbin/start-stop-daemon --start --quiet --background --make-pidfile --pidfile $d/web.pid --chdir $d/www --exec /usr/bin/python3 -- -m http.server --directory $d/www --bind 10.77.0.$n 80
app_stop web /sbin/start-stop-daemon --stop --quiet --oknodo --remove-pidfile --pidfile $d/web.pid
CONF
    SNMP_PERSISTENT_DIR=$d/persist nsx "$n" "$SNMPD" -f -r -Lf "$d/snmpd.log" -C -c "$d/snmpd.conf" \
        -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable >/dev/null 2>&1 &
    eval "FN_SNMPD_$n=$!"
    wait_for 10 snmpget -v2c -c public -r0 -t1 "10.77.0.$n" SNMPv2-MIB::sysUpTime.0 || return 1
    nsx "$n" "$AGENT_BIN" -f -x "$d/agentx.sock" -c "$d/agent.conf" >>"$d/agent.log" 2>&1 &
    eval "FN_AGENT_$n=$!"
    wait_for 10 sh -c "snmpget -v2c -c public -r0 -t1 -Oqv 10.77.0.$n LAMON-MIB::lamonNodeAgentVersion.0 | grep -qv 'No Such'"
}
# kill_node N: the node dies: SIGKILL to every process in its namespace at
# once (snmpd, the agent's monitor and worker, the web server): the worker
# outlives a monitor killed alone, and would still report the web server's
# death through snmpd.
kill_node() {
    local n=$1 s a w
    s=$(eval "echo \${FN_SNMPD_$n:-}") a=$(eval "echo \${FN_AGENT_$n:-}")
    w=$(cat "$T/node$n/web.pid" 2>/dev/null)
    [ -n "$s$a$w" ] || return 0          # never started: a bare `wait` would wait for qemu
    { ip netns pids "$NS$n" | xargs -r kill -9; kill -9 $s $a $w; [ -n "$s$a" ] && wait $s $a; } 2>/dev/null
    rm -f "$T/node$n/web.pid"
    eval "FN_SNMPD_$n= FN_AGENT_$n="
}

RP=$(free_udp_port)
log "load: $(cut -d' ' -f1-3 /proc/loadavg)"
net_setup || { echo "network namespace setup failed"; exit 1; }

# The application's own start time, for the cold-spare figures: python3's
# http.server as the agents run it, in node 4's namespace, timed from the
# exec to the first connection it accepts (5 starts, median).
app_start_s() {
    local d=$T/appstart i
    mkdir -p "$d"; echo x >"$d/index.html"
    for i in 1 2 3 4 5; do
        nsx 4 python3 -c '
import socket, subprocess, sys, time
t0 = time.time()
p = subprocess.Popen(["/usr/bin/python3", "-m", "http.server", "--directory", sys.argv[1], "--bind", "10.77.0.4", "80"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while time.time() - t0 < 10:
    try:
        socket.create_connection(("10.77.0.4", 80), 0.2).close()
        break
    except OSError:
        time.sleep(0.005)
print("%.3f" % (time.time() - t0))
p.kill(); p.wait()
' "$d"
    done | sort -n | sed -n 3p
}
APP_START=$(app_start_s)
log "the application (python3 http.server) starts in ${APP_START} s (median of 5)"
log "booting the director VM"
vm_start "cache_ms 200" || { echo "the director VM did not start"; exit 1; }
for n in $NODES; do start_fnode "$n" || { echo "node $n did not start"; exit 1; }; done
CTL_SOCK=$T/ctl.sock
{
    echo "interval 1000"; echo "timeout 800"; echo "rise 2"; echo "fall $FALL"
    echo "control $CTL_SOCK"; echo "logfile $T/controller.log"
    echo "v3user $V3_USER sha $V3_AUTH aes $V3_PRIV"
    for n in $NODES; do echo "node node$n 10.77.0.$n:161"; done
    echo "director lvs1 127.0.0.1:$VM_SNMP_PORT"
    echo "service www tcp 10.0.0.1:80 nodes 2 hot $HOT sched rr fwd masq app web director lvs1"
    if [ "$HEARTBEAT_MS" -gt 0 ]; then
        echo "listen 10.77.0.254:$RP"; echo "accept 10.77.0.0/24 community lamontrap"
    fi
} >"$T/ctl.conf"
start_controller "$T/ctl.conf" || { echo "controller did not start"; cat "$T/controller.out"; exit 1; }

# The client, in the guest (the host's python3 through the 9p root).
cat >"$T/client.py" <<'PY'
import socket, sys, time
out = open(sys.argv[1], "a", buffering=1)
def dests():
    # destinations of 10.0.0.1:80 (lamon) and of 10.0.0.2:80 (keepalived)
    d = {"0A000001:0050": [], "0A000002:0050": []}
    svc = None
    try:
        for line in open("/proc/net/ip_vs"):
            f = line.split()
            if len(f) > 1 and f[0] in ("TCP", "UDP"):
                svc = f[1]
            elif len(f) > 2 and f[0] == "->" and f[1] != "RemoteAddress:Port" and svc in d:
                a = f[1].split(":")[0]
                d[svc].append(".".join(str(int(a[i:i + 2], 16)) for i in (0, 2, 4, 6)))
    except OSError:
        pass
    return [",".join(sorted(v)) or "-" for v in d.values()]
while True:
    t = time.time()
    who = "fail"
    try:
        s = socket.create_connection(("10.0.0.1", 80), 0.3)
        s.settimeout(0.3)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while len(data) < 4096:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        body = data.split(b"\r\n\r\n", 1)[-1].strip().decode(errors="replace")
        who = body if body.startswith("node") else "bad"
    except OSError:
        pass
    lam, ka = dests()
    out.write("%.3f %s %s %s\n" % (t, lam, who, ka))
    time.sleep(max(0, 0.05 - (time.time() - t)))
PY
if [ -x /usr/sbin/keepalived ]; then
    {
        echo "global_defs { router_id lamonbench }"
        echo "virtual_server 10.0.0.2 80 {"
        echo "  delay_loop 1"; echo "  lb_algo rr"; echo "  lb_kind NAT"; echo "  protocol TCP"
        for n in $NODES; do
            printf '  real_server 10.77.0.%s 80 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n  }\n' "$n"
        done
        echo "}"
    } >"$T/keepalived.conf"
    vm_spawn /run/lamon/keepalived.out /usr/sbin/keepalived --dont-fork --log-console --check \
        --use-file="$T/keepalived.conf" --pid=/run/lamon/keepalived.pid --checkers_pid=/run/lamon/checkers.pid \
        --vrrp_pid=/run/lamon/vrrp.pid || { echo "keepalived did not start"; exit 1; }
    log "keepalived 2.2.7 in the guest: virtual service 10.0.0.2:80, TCP_CHECK delay_loop 1"
fi
vm_spawn /run/lamon/client.out /usr/bin/python3 "$T/client.py" /run/lamon/client.log || { echo "client did not start"; exit 1; }

# lamon's destinations (10.0.0.1:80), as the client logged them last.
ipvs_dests() { vm_exec tail -n 1 /run/lamon/client.log | awk '{n = split($2, d, ","); print ($2 == "-" ? 0 : n)}'; }
role_of() { "$LAMONCTL_BIN" -s "$CTL_SOCK" status | awk -v n="node$1" '$1 == n {print $2 "/" $4}'; }
hot_spares() {
    "$LAMONCTL_BIN" -s "$CTL_SOCK" --json status |
        python3 -c 'import json, sys; print(sum(n.get("spare") == "hot" for n in json.load(sys.stdin)["nodes"]))'
}
# stable: 2 servers up, 2 spares up (HOT of them hot), 2 destinations, and
# the client's last 10 fetches all answered.
stable() {
    [ "$(count_role_state server up)" = 2 ] && [ "$(count_role_state spare up)" = 2 ] &&
    { [ "$HOT" = 0 ] || [ "$(hot_spares)" = "$HOT" ]; } &&
    [ "$(ipvs_dests)" = 2 ] &&
    [ "$(vm_exec tail -n 10 /run/lamon/client.log | awk '$3 ~ /^node/' | wc -l)" = 10 ]
}
log "waiting for the service to be at strength with traffic flowing through the VIP"
if ! wait_for 150 stable; then
    echo "service never stable"; "$LAMONCTL_BIN" -s "$CTL_SOCK" status; vm_exec ipvsadm -Ln
    vm_exec tail -n 5 /run/lamon/client.log; "$LAMONCTL_BIN" -s "$CTL_SOCK" log | tail -20; exit 1
fi
log "stable: $(vm_exec tail -n 1 /run/lamon/client.log)"

: >"$T/trials"
for trial in $(seq 1 "$R"); do
    victim=$(lamonctl status | awk 'NR > 1 && $2 == "server" {sub("node", "", $1); print $1; exit}')
    [ -n "$victim" ] || { log "no server to kill"; break; }
    # Guest clock minus host clock, bracketed by the host's clock: the
    # tightest bracket of 5 readings.
    err=
    for _ in 1 2 3 4 5; do
        h0=$(date +%s.%N); g=$(vm_exec date +%s.%N); h1=$(date +%s.%N)
        e=$(echo "($h1 - $h0) / 2" | bc -l)
        if [ -z "$err" ] || [ "$(echo "$e < $err" | bc -l)" = 1 ]; then
            err=$e; off=$(echo "$g - ($h0 + $h1) / 2" | bc -l)
        fi
    done
    prev=$(vm_exec tail -n 1 /run/lamon/client.log | awk '{print $2}')
    tk=$(date +%s.%N)
    if [ "$KILL" = app ]; then
        kill -9 "$(cat "$T/node$victim/web.pid")" 2>/dev/null
    else
        kill_node "$victim"
    fi
    gk=$(echo "$tk + $off" | bc -l)
    vip=10.77.0.$victim
    healed() {
        vm_exec tail -n 40 /run/lamon/client.log |
            awk -v v="$vip" -v k="$gk" -v prev=",$prev," '$1 > k && index("," $2 ",", "," v ",") == 0 &&
                $3 ~ /^node/ && index(prev, ",10.77.0." substr($3, 5) ",") == 0 {f = 1} END {exit !f}'
    }
    if ! wait_for 60 healed; then
        log "trial $trial: no failover within 60 s"; lamonctl log | tail -10; break
    fi
    sleep 1
    # The events, from the client's log (guest time), relative to the kill.
    vm_exec cat /run/lamon/client.log | python3 -c '
import sys
k, victim, vip = float(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = [l.split() for l in sys.stdin if l.strip()]
before = [r for r in rows if float(r[0]) <= k]
serving = set(before[-1][1].split(",")) if before else set()
after = [r for r in rows if float(r[0]) > k]
t_rm = next((float(r[0]) for r in after if vip not in r[1].split(",")), None)
new = lambda r: [d for d in r[1].split(",") if d not in serving and d != "-"]
t_add = next((float(r[0]) for r in after if new(r)), None)
ka_before = set(before[-1][3].split(",")) if before and len(before[-1]) > 3 else set()
t_ka = next((float(r[0]) for r in after if len(r) > 3 and vip not in r[3].split(",")), None) if vip in ka_before else None
t_srv = next((float(r[0]) for r in after if r[2].startswith("node") and r[2] != "node" + victim
              and ("10.77.0." + r[2][4:]) not in serving), None)
fails = sum(1 for r in after if t_srv and float(r[0]) < t_srv and r[2] == "fail")
f = lambda t: "%.2f" % (t - k) if t else "nan"
print(f(t_rm), f(t_add), f(t_srv), f(t_ka), fails)
' "$gk" "$victim" "$vip" >"$T/row"
    read -r t_rm t_add t_srv t_ka fails <"$T/row"
    echo "$t_rm $t_add $t_srv $t_ka" >>"$T/trials"
    log "trial $trial: killed $([ "$KILL" = app ] && echo "the application of ")node$victim; removed from IPVS +${t_rm}s, spare added +${t_add}s, spare answering through the VIP +${t_srv}s; keepalived removed it +${t_ka}s; $fails failed fetches (clock offset error ±$(printf %.3f "$err") s; load $(cut -d' ' -f1 /proc/loadavg))"
    # The victim comes back; its agent still says server, and the
    # controller makes it a spare (the service is at strength).
    if [ "$KILL" = node ]; then
        start_fnode "$victim" || { log "node $victim did not restart"; break; }
    fi
    wait_for 90 stable || { log "not stable after trial $trial"; break; }
done
python3 - "$T/trials" "$HEARTBEAT_MS" "$HOT" "$KILL" "$FALL" "${APP_START:-nan}" <<'PY'
import statistics, sys
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1]) if l.strip()]
if not rows:
    print("summary: no completed trial"); sys.exit(1)
def s(i, name):
    v = sorted(r[i] for r in rows if len(r) > i and r[i] == r[i])
    if not v:
        return "%s: not measured" % name
    # p99 of n < 100 trials is their maximum: no better estimate exists
    return "%s median %.2f s (min %.2f, max %.2f, n=%d)" % (name, statistics.median(v), v[0], v[-1], len(v))
dec = [r[1] - r[0] for r in rows]
srv = [r[2] - r[1] for r in rows]
hb, hot, kill, fall = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
print("summary: %d trials, %s killed, interval 1 s, fall %s%s, %s spares: %s; %s; %s; promotion (removal -> spare in IPVS) "
      "median %.2f s; spare in IPVS -> first answer median %.2f s; application start time %s s; same run, same kills: %s"
      % (len(rows), "application" if kill == "app" else "node", fall, ", heartbeats every %d ms" % hb if hb else "",
         "hot (hot %d)" % hot if hot else "cold", s(0, "removed"), s(1, "spare added"),
         s(2, "spare serving"), statistics.median(dec), statistics.median(srv), sys.argv[6],
         s(3, "keepalived TCP_CHECK delay_loop 1 removed")))
PY
