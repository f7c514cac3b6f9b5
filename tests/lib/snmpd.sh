# A private snmpd per test: loopback UDP port, private AgentX socket, private
# persistent dir, all under a temp dir removed on exit.  Source after tap.sh.
#
#   lamon_test_init            creates $T (temp dir) and the cleanup trap
#   start_snmpd [EXTRA_CONF]   starts snmpd as AgentX master; sets $SNMP_PORT, $AGENTX
#   stop_snmpd / restart_snmpd
#   start_agent CONF_FILE      starts build/lamon-agent against $AGENTX; sets $AGENT_PID
#   snmp CMD ARGS...           runs snmpget/snmpwalk/... with v2c read access to our snmpd
#   snmpv3 CMD ARGS...         the same as the authPriv admin user (lamonadmin)
ROOT=${LAMON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${LAMON_BUILD:-$ROOT/build}
AGENT_BIN=$BUILD/lamon-agent

# Base MIBs come from the npm package net-snmp (Debian ships none; see DESIGN.md),
# INET-ADDRESS-MIB from our own stub in tests/mibs.
MIBDIRS="$ROOT/mibs:$ROOT/tests/mibs:$ROOT/.deps/npm/node_modules/net-snmp/lib/mibs:/usr/share/snmp/mibs"
export MIBDIRS MIBS=LAMON-MIB
SNMPD=${SNMPD:-/usr/sbin/snmpd}
V3_USER=lamonadmin V3_AUTH=lamonauthpass V3_PRIV=lamonprivpass

lamon_test_init() {
    # The agent's worker runs as lamon (make deps creates it too).
    if [ "$(id -u)" = 0 ] && ! getent passwd lamon >/dev/null; then
        adduser --system --group --no-create-home --home /nonexistent lamon >/dev/null 2>&1 || true
    fi
    T=$(mktemp -d /tmp/lamon-test.XXXXXX)
    export SNMP_PERSISTENT_DIR=$T/persist SNMPCONFPATH=$T/snmpconf
    mkdir -p "$SNMP_PERSISTENT_DIR/cert_indexes" "$SNMPCONFPATH"
    trap lamon_test_cleanup EXIT
}

lamon_test_cleanup() {
    local p
    for p in ${LAMON_PIDS:-}; do kill "$p" 2>/dev/null || true; done
    sleep 0.2
    for p in ${LAMON_PIDS:-}; do kill -9 "$p" 2>/dev/null || true; done
    # Anything else still running from the test's own directory (daemons and
    # the processes they spawned, e.g. Cacti's background pollers) goes too.
    if [ -n "${T:-}" ] && [ -d "$T" ]; then
        pkill -f -- "$T/" 2>/dev/null || true; sleep 0.2; pkill -9 -f -- "$T/" 2>/dev/null || true
    fi
    if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
    return 0
}

# free_udp_port: a random loopback UDP port nobody listens on.
free_udp_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        ss -Hlun "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}

# free_tcp_port: a loopback TCP port no socket uses, below the ephemeral
# range (32768+), so that no client socket of the machine can take it
# between the choice and the bind.  Fails after 200 tries.
free_tcp_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((10000 + RANDOM % 20000))
        ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

start_snmpd() {
    SNMP_PORT=${SNMP_PORT:-$(free_udp_port)}
    AGENTX=$T/agentx.sock
    cat >"$T/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket $AGENTX
agentXPerms 0600 0700
agentXTimeout 1
rocommunity public 127.0.0.1
createUser $V3_USER SHA "$V3_AUTH" AES "$V3_PRIV"
rwuser $V3_USER priv
${1:-}
CONF
    "$SNMPD" -f -r -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -p "$T/snmpd.pid" \
        -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable >/dev/null 2>&1 &
    SNMPD_PID=$!
    LAMON_PIDS="${LAMON_PIDS:-} $SNMPD_PID"
    wait_for 10 snmpget -v2c -c public -r0 -t1 "127.0.0.1:$SNMP_PORT" SNMPv2-MIB::sysUpTime.0 \
        || { cat "$T/snmpd.log" >&2; return 1; }
}

stop_snmpd() {
    kill "$SNMPD_PID" 2>/dev/null
    wait "$SNMPD_PID" 2>/dev/null
}

restart_snmpd() { stop_snmpd; start_snmpd "${1:-}"; }

start_agent() {
    "$AGENT_BIN" -f -x "$AGENTX" -c "$1" >"$T/agent.log" 2>&1 &
    AGENT_PID=$!
    LAMON_PIDS="${LAMON_PIDS:-} $AGENT_PID"
    wait_for 10 agent_registered || { cat "$T/agent.log" >&2; return 1; }
}

# agent_registered: the agent answers lamonNodeName (snmpget exits 0 on
# noSuchObject too, so look at the value).
agent_registered() {
    local v
    v=$(snmpget -v2c -c public -r0 -t1 -Oqv "127.0.0.1:$SNMP_PORT" LAMON-MIB::lamonNodeName.0 2>/dev/null) || return 1
    case "$v" in ""|*"No Such"*) return 1 ;; esac
}

snmp() {
    local cmd=$1; shift
    "$cmd" -v2c -c public -r1 -t2 "127.0.0.1:$SNMP_PORT" "$@"
}
snmpv3() {
    local cmd=$1; shift
    "$cmd" -v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" \
        -r1 -t2 "127.0.0.1:$SNMP_PORT" "$@"
}
