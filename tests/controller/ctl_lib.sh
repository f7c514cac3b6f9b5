# Helpers for the controller tests: many nodes, each a private snmpd (AgentX
# master) on its own loopback address 127.0.1.N with a real lamon-agent
# behind it, plus the controller and lamonctl.  Source after tests/lib/*.sh
# and call lamon_test_init first.
#
#   start_node N [SERVICE_APP]   node N: snmpd on $NODE_NET.N:$NODE_PORT, agent with app "web"
#                                whose status is the file $T/nodeN/web.up
#                                (app_start touches it, app_stop removes it)
#   stop_node N / cont_node N / pause_node N
#   write_ctl_conf FILE EXTRA... controller config for the started nodes
#   start_controller CONF        sets $CTL_PID, $CTL_SOCK; waits for the socket
#   stop_controller
#   lamonctl ARGS...             the CLI against $CTL_SOCK
#   nodeget N OBJECT             value of LAMON-MIB::OBJECT on node N (-Oqv -Oe)
CTL_BIN=$BUILD/lamon-controller
LAMONCTL_BIN=$BUILD/lamonctl

# reachable_bins USER DIR: a controller run as USER (the OCF agent's user)
# must be able to exec CTL_BIN and LAMONCTL_BIN; a clone under a 0700
# directory (/root) is not, so they are copied into DIR/bin (DIR must be
# searchable by USER) and the two variables point there.
reachable_bins() {
    local user=$1 dir=$2
    setpriv --reuid="$user" --regid="$(id -gn "$user")" --init-groups -- test -x "$CTL_BIN" &&
        setpriv --reuid="$user" --regid="$(id -gn "$user")" --init-groups -- test -x "$LAMONCTL_BIN" && return 0
    install -d -m 755 "$dir/bin" && install -m 755 "$CTL_BIN" "$LAMONCTL_BIN" "$dir/bin/" || return 1
    CTL_BIN=$dir/bin/${CTL_BIN##*/} LAMONCTL_BIN=$dir/bin/${LAMONCTL_BIN##*/}
}
NODE_PORT=${NODE_PORT:-$(free_udp_port)}
# The first three octets of the nodes' addresses: 127.0.1 (loopback), or a
# network of the test's own (tests/ha puts them on its bridge).
NODE_NET=${NODE_NET:-127.0.1}

start_node() {
    local n=$1 d=$T/node$1
    mkdir -p "$d/state" "$d/persist"
    cat >"$d/snmpd.conf" <<CONF
agentaddress udp:$NODE_NET.$n:$NODE_PORT
master agentx
agentXSocket $d/agentx.sock
agentXPerms 0600 0700
agentXTimeout 1
rocommunity public 127.0.0.0/8
createUser $V3_USER SHA "$V3_AUTH" AES "$V3_PRIV"
rwuser $V3_USER priv
CONF
    # More snmpd lines a test wants on every node (informsink...).
    if declare -F node_snmpd_extra >/dev/null; then node_snmpd_extra "$n" "$d" >>"$d/snmpd.conf"; fi
    cat >"$d/agent.conf" <<CONF
nodename node$n
statedir $d/state
cache_ms 100
check_ms 200
CONF
    node_app_lines "$n" "$d" >>"$d/agent.conf"
    # More agent lines a test wants on every node (reboot_cmd, grub, apt...).
    if declare -F node_agent_extra >/dev/null; then node_agent_extra "$n" "$d" >>"$d/agent.conf"; fi
    SNMP_PERSISTENT_DIR=$d/persist "$SNMPD" -f -r -Lf "$d/snmpd.log" -C -c "$d/snmpd.conf" -p "$d/snmpd.pid" \
        -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable >/dev/null 2>&1 &
    eval "NODE_SNMPD_$n=$!"
    LAMON_PIDS="${LAMON_PIDS:-} $!"
    wait_for 10 snmpget -v2c -c public -r0 -t1 "$NODE_NET.$n:$NODE_PORT" SNMPv2-MIB::sysUpTime.0 || return 1
    "$AGENT_BIN" -f -x "$d/agentx.sock" -c "$d/agent.conf" >"$d/agent.log" 2>&1 &
    eval "NODE_AGENT_$n=$!"
    LAMON_PIDS="${LAMON_PIDS:-} $!"
    wait_for 10 node_registered "$n"
}

# node_app_lines N DIR: the agent.conf lines of node N's application "web";
# by default a flag file stands for it, so that tests can make it fail at
# will.  The demo redefines this to run a real HTTP server.
node_app_lines() {
    printf 'app web 8%s\n' "$1"
    printf 'app_start web /usr/bin/touch %s/web.up\n' "$2"
    printf 'app_stop web /usr/bin/rm -f %s/web.up\n' "$2"
    printf 'app_check web /usr/bin/test -e %s/web.up\n' "$2"
}

node_registered() { nodeget "$1" lamonNodeAgentVersion.0 | grep -qv 'No Such'; }
nodeget() { snmpget -v2c -c public -r1 -t1 -Oqv -Oe -OU "$NODE_NET.$1:$NODE_PORT" "LAMON-MIB::$2" 2>/dev/null; }
node_pid() { eval "echo \$NODE_SNMPD_$1"; }
# Stopping a node's snmpd (SIGSTOP) makes it vanish without losing state;
# SIGCONT brings it back.
pause_node() { kill -STOP "$(node_pid "$1")"; }
cont_node() { kill -CONT "$(node_pid "$1")"; }
stop_node() {
    local a s
    a=$(eval "echo \$NODE_AGENT_$1"); s=$(node_pid "$1")
    kill "$a" "$s" 2>/dev/null; wait "$a" "$s" 2>/dev/null
}

# write_ctl_conf FILE "NODES" EXTRA_LINES: nodes as "1 2 3", then any lines.
write_ctl_conf() {
    local f=$1 nodes=$2 n; shift 2
    CTL_SOCK=$T/ctl.sock
    {
        echo "interval ${CTL_INTERVAL:-1000}"
        echo "timeout ${CTL_TIMEOUT:-800}"
        echo "rise ${CTL_RISE:-2}"
        echo "fall ${CTL_FALL:-3}"
        echo "control $CTL_SOCK"
        echo "logfile $T/controller.log"
        echo "v3user $V3_USER sha $V3_AUTH aes $V3_PRIV"
        for n in $nodes; do echo "node node$n $NODE_NET.$n:$NODE_PORT"; done
        printf '%s\n' "$@"
    } >"$f"
}

start_controller() {
    CTL_SOCK=${CTL_SOCK:-$T/ctl.sock}
    "$CTL_BIN" -f -c "$1" >>"$T/controller.out" 2>&1 &
    CTL_PID=$!
    LAMON_PIDS="${LAMON_PIDS:-} $CTL_PID"
    wait_for 10 test -S "$CTL_SOCK"
}
stop_controller() { kill "$CTL_PID" 2>/dev/null; wait "$CTL_PID" 2>/dev/null; }

lamonctl() { "$LAMONCTL_BIN" -s "$CTL_SOCK" "$@"; }

# count_state ROLE STATE: nodes lamonctl shows with that role and state.
count_role_state() { lamonctl status | awk -v r="$1" -v s="$2" 'NR > 1 && $2 == r && $4 == s' | wc -l; }
