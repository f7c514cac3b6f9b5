#!/usr/bin/env bash
# Config: a malformed file is refused with FILE: line N; SIGHUP picks up a
# new app and keeps the old configuration when the new one is bad.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/agent_lib.sh"
lamon_test_init

# bad_config LINE_NO PATTERN DESC <<< config text: the agent must exit
# non-zero at once and name the file and the line.
bad_config() {
    local line=$1 pat=$2 desc=$3 f=$T/bad.$RANDOM.conf out rc
    cat >"$f"
    out=$(timeout 10 "$AGENT_BIN" -f -x "$T/none.sock" -c "$f" 2>&1); rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && printf '%s' "$out" | grep -q "$f: line $line: .*$pat"; then
        ok "$desc: refused with $f: line $line"
    else
        fail "$desc (exit $rc)"; printf '%s\n' "$out" | sed 's/^/#   /' | head -5
    fi
}
bad_config 2 "Unknown token: frobnicate" "unknown token" <<'C'
nodename n1
frobnicate yes
C
bad_config 3 "port out of range" "port 70000" <<'C'
nodename n1
# comment
app web 80,70000
C
bad_config 2 "heartbeat_ms: 50 is too fast; 0 (off) or 100..3600000" "heartbeat_ms 50" <<'C'
nodename n1
heartbeat_ms 50
C
bad_config 1 "heartbeat_ms: value out of range" "heartbeat_ms 3600001" <<'C'
heartbeat_ms 3600001
C
bad_config 1 "heartbeat_ms: not a number" "heartbeat_ms fast" <<'C'
heartbeat_ms fast
C
bad_config 1 "port is not a number" "port 'http'" <<'C'
app web http
C
bad_config 2 "declared twice" "duplicate app" <<'C'
app web 80
app web 81
C
bad_config 2 "unknown app 'db'" "app_start for an unknown app" <<'C'
app web 80
app_start db /bin/true
C
bad_config 1 "ipvs must be on or off" "ipvs maybe" <<'C'
ipvs maybe
C
bad_config 1 "" "nodename without a value" <<'C'
nodename
C
bad_config 1 "port listed twice" "the same port twice" <<'C'
app web 80,80
C
bad_config 2 "app name" "bad app name" <<'C'
nodename ok
app "we b" 80
C
bad_config 1 "cache_ms: not a number" "cache_ms abc" <<'C'
cache_ms abc
C
# Issue 10: over-long values were cut to 4,095 characters and accepted.
long=$(printf '%*s' 4999 '' | tr ' ' s)
bad_config 2 "statedir is 5000 characters long; at most 4095" "a 5,000-character statedir" <<C
nodename n1
statedir /$long
C
bad_config 1 "op_keep is 44 characters long; at most 31" "a 44-digit op_keep (cut to 31 zeros it read 0)" <<C
op_keep $(printf '%040d' 0)3600 100
C
bad_config 3 "the line is 20024 characters long; at most 16383" "a 20,024-character line" <<C
nodename n1
app web 80
app_start web /bin/echo $(printf '%*s' 20000 '' | tr ' ' e)
C
bad_config 2 "include lines are not supported" "an include line" <<C
nodename n1
includeFile $T/other.conf
C
out=$(timeout 10 "$AGENT_BIN" -f -c "$T/does-not-exist.conf" 2>&1); rc=$?
[ $rc -ne 0 ] && printf '%s' "$out" | grep -q "does-not-exist.conf: cannot open" \
    && ok "a missing config file is refused, naming the file" || fail "missing config file (exit $rc): $out"
check_fails "an unknown flag is refused" "$AGENT_BIN" -q
like "$("$AGENT_BIN" -h)" "usage: lamon-agent.*-x SOCKET" "-h prints the usage"

# Quoted argv: app_check runs /bin/sh -c is NOT used; the quoted word is one
# argument.  The check sees exactly 3 arguments.
start_snmpd || bail "snmpd did not start"
P=$(free_tcp_port); Q=$(free_tcp_port)
cat >"$T/agent.conf" <<CONF
nodename cfgnode
statedir $T/state
check_ms 200
app web $P
app_check web /usr/bin/test -e "$T/flag file"
CONF
start_agent_ready "$T/agent.conf" || bail "agent did not register"
is "$(val "lamonAppOperStatus.'web'")" 2 "app_check with a quoted path: down while the file is missing"
touch "$T/flag file"
wait_val 5 "lamonAppOperStatus.'web'" 1 && ok "app_check with a quoted path: up once the file exists" \
    || fail "app_check did not see '$T/flag file' ($(val "lamonAppOperStatus.'web'"))"

# SIGHUP with a new app.
cat >>"$T/agent.conf" <<CONF
app db $Q
CONF
kill -HUP "$AGENT_PID"
wait_val 5 "lamonAppLabel.'db'" db && ok "SIGHUP reload adds the new app row" || fail "no db row after SIGHUP"
is "$(val "lamonAppOperStatus.'web'")" 1 "the old row keeps its state over the reload"
check "the agent logged the reload" grep -q "reloaded" "$T/agent.log"

# SIGHUP with a bad config keeps the old one.
cp "$T/agent.conf" "$T/good.conf"
echo "app broken 99999" >>"$T/agent.conf"
kill -HUP "$AGENT_PID"
wait_for 5 grep -q "reload failed" "$T/agent.log" && ok "a bad reload is logged" || fail "no 'reload failed' in the log"
check "the log names file and line of the bad reload" grep -q "$T/agent.conf: line 7: .*port out of range" "$T/agent.log"
is "$(val "lamonAppLabel.'db'")" db "the old configuration stays in force"
check "the agent still runs after a bad reload" kill -0 "$AGENT_PID"
is "$(snmp snmpget -Oqv "LAMON-MIB::lamonAppLabel.'broken'")" "No Such Instance currently exists at this OID" "the bad app was not added"

# SIGHUP with an over-long value keeps the old configuration too.
cp "$T/good.conf" "$T/agent.conf"
printf 'app web2 %s\nstatedir /%s\n' "$(free_tcp_port)" "$long" >>"$T/agent.conf"
failed=$(grep -c "reload failed" "$T/agent.log")
kill -HUP "$AGENT_PID"
wait_for 5 sh -c "[ \$(grep -c 'reload failed' '$T/agent.log') -gt $failed ]" \
    && ok "a reload with a 5,000-character value is refused" || fail "no new 'reload failed' in the log"
check "... naming the file and line" grep -q "$T/agent.conf: line 8: .*statedir is 5000 characters long" "$T/agent.log"
is "$(snmp snmpget -Oqv "LAMON-MIB::lamonAppLabel.'web2'")" "No Such Instance currently exists at this OID" \
    "... and the old configuration stays in force"
done_testing
