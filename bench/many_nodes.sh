# Sourced by bench/controller_poll.sh and bench/heartbeat_scale.sh: N
# "nodes" on one machine, as DESIGN.md describes them: one stock snmpd
# listening on N loopback addresses (node I at $(addr I)), one real
# lamon-agent behind it over AgentX, and lamon-controller polling node
# n1..nN every IV seconds.  Needs ROOT, BUILD, N, IV and TIMEOUT_MS; source
# after tests/lib/tap.sh and tests/lib/snmpd.sh and call lamon_test_init
# first.
#
#   many_nodes_snmpd                  snmpd on the N addresses ($SNMPD_PID, $PORT)
#   many_nodes_agent [AGENT_LINES]    the agent, made a spare once ($AGENT_PID)
#   many_nodes_controller [CTL_LINES] the controller, after its second cycle ($CTL)
#   cpu PID                           its utime + stime in seconds
#   lamonctl ARGS / stat_of KEY       the CLI; one value of `lamonctl stats`
#   answered SINCE                    nodes whose last_seen is SINCE (epoch s) or later

# One socket per node in the controller and one per address in snmpd.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 200)) ]; then
    echo "open files limit $(ulimit -n) is below N + 200"; exit 1
fi
PORT=$(free_udp_port)
addr() { echo "127.0.$((10 + ($1 - 1) / 250)).$((1 + ($1 - 1) % 250))"; }

many_nodes_snmpd() {
    # snmpd joins agentaddress lines into one 2.5 KB buffer (about 115
    # addresses, the rest are dropped without a word), but it joins listening
    # addresses given as arguments without a limit: one argument per address.
    local addrs=() i nlisten
    for ((i = 1; i <= N; i++)); do addrs+=("udp:$(addr "$i"):$PORT"); done
    cat >"$T/snmpd.conf" <<CONF
master agentx
agentXSocket $T/agentx.sock
agentXTimeout 1
rocommunity public 127.0.0.0/8
createUser $V3_USER SHA "$V3_AUTH" AES "$V3_PRIV"
rwuser $V3_USER priv
dontLogTCPWrappersConnects yes
CONF
    "$SNMPD" -f -r -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable "${addrs[@]}" &
    SNMPD_PID=$!
    LAMON_PIDS="${LAMON_PIDS:-} $SNMPD_PID"
    wait_for 60 snmpget -v2c -c public -r0 -t1 "$(addr "$N"):$PORT" SNMPv2-MIB::sysUpTime.0 ||
        { echo "snmpd did not start on all addresses"; tail "$T/snmpd.log"; exit 1; }
    nlisten=$(ss -Hulnp | grep -c "pid=$SNMPD_PID,")
    [ "$nlisten" -ge "$N" ] || { echo "snmpd listens on $nlisten addresses, not $N"; exit 1; }
    echo "# snmpd: listens on $nlisten addresses, $(ls /proc/$SNMPD_PID/fd | wc -l) fds, $(awk '/VmRSS/ {print $2 / 1024 " MB"}' /proc/$SNMPD_PID/status) RSS"
}

many_nodes_agent() {
    { printf 'nodename bench\nstatedir %s/state\ncache_ms 1000\napp web 80\n' "$T"; printf '%s\n' "$@"; } >"$T/agent.conf"
    "$BUILD/lamon-agent" -f -x "$T/agentx.sock" -c "$T/agent.conf" >"$T/agent.log" 2>&1 &
    AGENT_PID=$!
    LAMON_PIDS="$LAMON_PIDS $AGENT_PID"
    wait_for 20 sh -c "snmpget -v2c -c public -r0 -t1 -Oqv $(addr 1):$PORT LAMON-MIB::lamonNodeAgentVersion.0 | grep -qv 'No Such'" ||
        { echo "agent did not register"; exit 1; }
    # All N nodes share one agent: make it a spare once, so the controller has
    # nothing to write and only polls.
    snmpset -v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" "$(addr 1):$PORT" \
        LAMON-MIB::lamonNodeRole.0 i 3 >/dev/null
}

lamonctl() { timeout 30 "$BUILD/lamonctl" -s "$T/ctl.sock" "$@"; }
stat_of() { lamonctl stats | awk -v k="$1" '$1 == k {print $2}'; }
cycles_ge() { [ "$(stat_of cycles)" -ge "$1" ] 2>/dev/null; }
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }

many_nodes_controller() {
    local start_s sock_s i
    {
        echo "interval $((IV * 1000))"; echo "timeout $TIMEOUT_MS"; echo "control $T/ctl.sock"
        for i in $(seq 1 "$N"); do echo "node n$i $(addr "$i"):$PORT"; done
        printf '%s\n' "$@"
    } >"$T/ctl.conf"
    start_s=$(date +%s.%N)
    "$BUILD/lamon-controller" -f -c "$T/ctl.conf" >"$T/ctl.log" 2>&1 &
    CTL=$!
    LAMON_PIDS="$LAMON_PIDS $CTL"
    wait_for 60 test -S "$T/ctl.sock" || { echo "controller did not start"; tail "$T/ctl.log"; exit 1; }
    sock_s=$(date +%s.%N)
    # The first cycle opens N sessions; it is over when the second one starts.
    wait_for $((2 * IV + 120)) cycles_ge 2 || { echo "controller never finished a cycle"; exit 1; }
    echo "# controller start-up: control socket after $(echo "$sock_s - $start_s" | bc) s, second cycle after $(echo "$(date +%s.%N) - $start_s" | bc) s;" \
         "$(ls /proc/$CTL/fd | wc -l) fds, $(awk '/VmRSS/ {print $2 / 1024 " MB"}' /proc/$CTL/status) RSS"
}

answered() {
    lamonctl status --json | python3 -c '
import json, sys, datetime
since = float(sys.argv[1])
n = 0
for x in json.load(sys.stdin)["nodes"]:
    t = x.get("last_seen")
    if t and datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp() >= since:
        n += 1
print(n)' "$1"
}
