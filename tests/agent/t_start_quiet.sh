#!/usr/bin/env bash
# The agent reads no MIB file.  On a machine without the IETF MIBs (Debian
# ships none) a plain start used to log 524 lines of "Cannot find module" and
# "Cannot adopt OID", burying the lines that matter.  Started here with the
# environment an operator's shell has (no MIBS, no MIBDIRS).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init
start_snmpd || bail "snmpd did not start"
printf 'nodename quiet\nstatedir %s/state\n' "$T" >"$T/agent.conf"

env -u MIBS -u MIBDIRS "$AGENT_BIN" -f -x "$AGENTX" -c "$T/agent.conf" >"$T/agent.log" 2>&1 &
AGENT_PID=$!
LAMON_PIDS="$LAMON_PIDS $AGENT_PID"
wait_for 10 agent_registered && ok "the agent registers and answers" || fail "the agent did not register"
is "$(val lamonNodeName.0)" quiet "lamonNodeName reads back"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
unlike "$(cat "$T/agent.log")" "Cannot find module|Cannot adopt OID|Undefined identifier|MIB search path" \
    "no MIB-loading noise in the log"
lines=$(wc -l <"$T/agent.log")
[ "$lines" -le 10 ] && ok "a clean start and stop logs $lines lines" \
    || { fail "a clean start and stop logs $lines lines"; head -n 5 "$T/agent.log" | sed 's/^/# /'; }
like "$(cat "$T/agent.log")" "started as node quiet" "the start line is there"

# ...and what matters still shows: an unreachable master, a bad config line.
env -u MIBS -u MIBDIRS timeout 3 "$AGENT_BIN" -f -x "$T/no-such.sock" -c "$T/agent.conf" >"$T/nomaster.log" 2>&1
like "$(cat "$T/nomaster.log")" "AgentX master .*no-such.sock not reachable" "an unreachable master is still logged"
printf 'nodename quiet\nbogus_token 1\n' >"$T/bad.conf"
env -u MIBS -u MIBDIRS timeout 3 "$AGENT_BIN" -f -x "$AGENTX" -c "$T/bad.conf" >"$T/bad.log" 2>&1
like "$(cat "$T/bad.log")" "bad.conf: line 2" "a bad configuration line is still named with file and line"
done_testing
