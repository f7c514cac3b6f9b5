# Helpers for the dashboard tests (sourced after tests/lib/tap.sh and snmpd.sh).
#
#   free_tcp_port                  a loopback TCP port nobody listens on
#   start_agent_with_app NAME      snmpd + lamon-agent with one application
#                                  NAME on $APP_PORT (sets APP_PORT, APP_INDEX)
#   hold_connections N             listens on $APP_PORT and holds N
#                                  established connections until the test ends
#   snmpval OID                    the bare value of one object (v2c), e.g. 42

free_tcp_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}

start_agent_with_app() {
    APP_PORT=$(free_tcp_port)
    # lamonAppTable is indexed by IMPLIED lamonAppName: the name's octets.
    APP_INDEX=$(printf '%s' "$1" | od -An -tu1 -v | tr -s ' \n' '.' | sed 's/^\.//; s/\.$//')
    mkdir -p "$T/state"
    cat >"$T/agent.conf" <<CONF
nodename dash-node
statedir $T/state
app $1 $APP_PORT
CONF
    [ -x "$AGENT_BIN" ] || { echo "# $AGENT_BIN is not built (make BUILD=$BUILD)"; return 1; }
    start_snmpd && start_agent "$T/agent.conf"
}

# A real listener and real clients on loopback, so that the agent's
# sock_diag counts are something other than 0.
hold_connections() {
    python3 - "$APP_PORT" "$1" >"$T/holder.log" 2>&1 <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(n + 4)
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
accepted = [srv.accept()[0] for _ in range(n)]
print("holding", len(accepted), flush=True)
time.sleep(600)   # killed by the test's cleanup long before
PY
    LAMON_PIDS="${LAMON_PIDS:-} $!"
    wait_for 10 grep -q holding "$T/holder.log"
}

snmpval() {
    snmp snmpget -Oqv -OU -On "$1" 2>/dev/null
}
