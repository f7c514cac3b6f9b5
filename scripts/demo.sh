#!/usr/bin/env bash
# The README's demo: one lamon node agent behind a private snmpd on loopback,
# serving a real application (python3's http.server) with real client
# connections, walked with snmpwalk.  Nothing outside 127.0.0.1 is touched and
# everything is removed at the end.
#
#   DEMO_HOLD=1 scripts/demo.sh   keep it running until Ctrl-C, to explore
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAMON_ROOT=$ROOT LAMON_BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/tap.sh" >/dev/null
. "$ROOT/tests/lib/snmpd.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

lamon_test_init
[ -x "$AGENT_BIN" ] || { echo "demo: $AGENT_BIN missing: run make first" >&2; exit 1; }

say "Starting a private snmpd (AgentX master) on 127.0.0.1"
start_snmpd
echo "snmpd answers on udp:127.0.0.1:$SNMP_PORT, AgentX socket $AGENTX"

WEB_PORT=$(free_udp_port)
python3 -m http.server --bind 127.0.0.1 "$WEB_PORT" >"$T/web.log" 2>&1 &
LAMON_PIDS="$LAMON_PIDS $!"
wait_for 10 sh -c "ss -Htln '( sport = :$WEB_PORT )' | grep -q ."
cat >"$T/agent.conf" <<CONF
nodename demo-node-1
statedir $T/state
app web $WEB_PORT
CONF
mkdir -p "$T/state"
say "Starting lamon-agent (app 'web' = python3 http.server on port $WEB_PORT)"
start_agent "$T/agent.conf"
echo "agent registered; config:"; sed 's/^/    /' "$T/agent.conf"

# Three idle keep-alive clients, so the connection counters have something to show.
python3 - "$WEB_PORT" >"$T/clients.log" 2>&1 <<'PY' &
import socket, sys, time
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(3)]
time.sleep(3600)
PY
LAMON_PIDS="$LAMON_PIDS $!"
wait_for 5 sh -c "ss -Htn state established '( sport = :$WEB_PORT )' | grep -c . | grep -qx 3"
sleep 0.6   # let the agent's half-second cache expire

say "snmpwalk LAMON-MIB::lamonNode (the node group)"
snmp snmpwalk LAMON-MIB::lamonNode
say "snmpwalk LAMON-MIB::lamonAppTable (3 client connections are open)"
snmp snmpwalk LAMON-MIB::lamonAppTable
say "The kernel's own figures, for comparison"
echo "/proc/loadavg: $(cat /proc/loadavg)"
echo "established on :$WEB_PORT: $(ss -Htn state established "( sport = :$WEB_PORT )" | grep -c .)"

if [ "${DEMO_HOLD:-0}" = 1 ]; then
    say "Running. Try:  MIBDIRS=$MIBDIRS snmpwalk -v2c -c public -m LAMON-MIB 127.0.0.1:$SNMP_PORT lamonMIB"
    echo "Ctrl-C stops everything."
    while sleep 3600; do :; done
fi
say "Demo done; stopping snmpd, the agent and the application."
