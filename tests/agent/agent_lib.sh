# Helpers shared by the tests/agent scripts.  Source after tests/lib/*.sh.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# val OBJECT: the value alone (enums as numbers, no units), "" on error.
val() { snmp snmpget -Oqv -Oe -OU "LAMON-MIB::$1" 2>/dev/null; }

# start_conns ADDR PORT K: listener plus K connections; sets $CONNS_PID.
start_conns() {
    local ready=$T/conns.$RANDOM
    python3 "$HERE/tcp_conns.py" "$1" "$2" "$3" "$ready" >"$T/conns.log" 2>&1 &
    CONNS_PID=$!
    LAMON_PIDS="${LAMON_PIDS:-} $CONNS_PID"
    wait_for 20 test -f "$ready"
}
stop_conns() { kill "$CONNS_PID" 2>/dev/null; wait "$CONNS_PID" 2>/dev/null; }

# wait_val SECONDS OBJECT EXPECTED: polls until OBJECT reads EXPECTED.
wait_val() {
    local limit=$1 obj=$2 want=$3 i=0
    while [ "$(val "$obj")" != "$want" ]; do
        i=$((i + 1)); [ $i -ge $((limit * 10)) ] && return 1; sleep 0.1
    done
}

# set_result OID TYPE VALUE...: "OK", or the agent's error of the snmpset (-Ir: the
# client must not pre-check types and ranges, the agent must).
set_result() {
    local out
    if out=$(snmpset -Ir -v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" \
                 -r1 -t2 "127.0.0.1:$SNMP_PORT" "$@" 2>&1); then echo OK; else printf '%s\n' "$out" | grep -m1 -o 'Reason: .*' ; fi
}

# agent_registered: the agent's objects answer (start_agent only waits for
# snmpget to exit 0, which it also does for noSuchObject).
agent_registered() { snmp snmpget -Oqv LAMON-MIB::lamonNodeAgentVersion.0 2>/dev/null | grep -qv 'No Such'; }
start_agent_ready() { start_agent "$1" && wait_for 10 agent_registered; }
