#!/usr/bin/env bash
# Security: snmpd configured per docs/snmpd.conf.example.  A v2c SET and v3
# SETs below authPriv are refused and run nothing; authPriv SHA/AES writes the
# control objects and nothing else; reads work with the community.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/control_lib.sh"
lamon_test_init

SNMP_PORT=$(free_udp_port)
AGENTX=$T/agentx.sock
# The documented configuration, pointed at this test's port, socket and
# loopback, plus a user without authentication in the writers' group: even
# a member of that group must not write below authPriv.
sed -e "s|^agentaddress .*|agentaddress udp:127.0.0.1:$SNMP_PORT|" \
    -e "s|^agentXSocket .*|agentXSocket $AGENTX|" \
    -e "s|192.0.2.0/24|127.0.0.1|" \
    -e "s|CHANGE-ME-read-community|public|" \
    -e "s|CHANGE-ME-auth-pass|$V3_AUTH|" -e "s|CHANGE-ME-priv-pass|$V3_PRIV|" \
    -e "/^trap2sink/d" "$ROOT/docs/snmpd.conf.example" >"$T/snmpd.conf"
grep -q "agentaddress udp:127.0.0.1:$SNMP_PORT" "$T/snmpd.conf" && grep -q "^access lamonWriters" "$T/snmpd.conf" \
    || bail "docs/snmpd.conf.example has not the expected lines"
printf '%s\n' "createUser lamonnoauth" "group lamonWriters usm lamonnoauth" >>"$T/snmpd.conf"
"$SNMPD" -f -r -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -p "$T/snmpd.pid" \
    -I -smux,mteTrigger,mteTriggerConf,ifTable,ipAddressTable >/dev/null 2>&1 &
LAMON_PIDS="${LAMON_PIDS:-} $!"
wait_for 10 snmpget -v2c -c public -r0 -t1 "127.0.0.1:$SNMP_PORT" SNMPv2-MIB::sysUpTime.0 \
    || { cat "$T/snmpd.log" >&2; bail "snmpd did not start"; }

printf '#!/bin/sh\necho "$@" >>%s/app.calls\n' "$T" >"$T/app-recorder"
chmod +x "$T/app-recorder"
base_conf >"$T/agent.conf"
printf '%s\n' "app web 1" "app_start web $T/app-recorder start" "app_stop web $T/app-recorder stop" >>"$T/agent.conf"
start_control_agent "$T/agent.conf" || bail "lamon-agent did not start"
W=$(implied web)
ADMIN="$APPT.5$W"

# err ARGS...: the error of an snmpset with explicit security arguments
err() {
    local out
    out=$(snmpset -r1 -t2 "$@" 2>&1)
    if printf '%s' "$out" | grep -q 'Reason: '; then
        printf '%s' "$out" | sed -n 's/.*Reason: \([A-Za-z]*\).*/\1/p' | head -n1
    elif printf '%s' "$out" | grep -q ' = '; then echo noError
    else printf '%s' "$out" | head -n1; fi
}
H=127.0.0.1:$SNMP_PORT

is "$(get LAMON-MIB::lamonNodeName.0)" ctl-node "v2c community reads LAMON-MIB"
is "$(err -v2c -c public "$H" "$ADMIN" i 2)" noAccess "v2c SET lamonAppAdminStatus: noAccess"
is "$(err -v3 -l noAuthNoPriv -u lamonnoauth "$H" "$ADMIN" i 2)" authorizationError \
    "v3 noAuthNoPriv user in the writers' group: authorizationError"
is "$(err -v3 -l noAuthNoPriv -u "$V3_USER" "$H" "$ADMIN" i 2)" authorizationError \
    "v3 lamonadmin at noAuthNoPriv: authorizationError"
is "$(err -v3 -l authNoPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" "$H" "$ADMIN" i 2)" authorizationError \
    "v3 lamonadmin at authNoPriv: authorizationError"
is "$(err -v3 -l authPriv -u "$V3_USER" -a SHA -A wrongpassphrase -x AES -X "$V3_PRIV" "$H" "$ADMIN" i 2)" \
    "snmpset: Authentication failure (incorrect password, community or key)" "authPriv with a wrong pass phrase: authentication failure"
is "$(err -v2c -c public "$H" "$OPT.2.5" i 2 "$OPT.3.5" s web "$OPT.9.5" i 4)" noAccess "v2c createAndGo: noAccess"
sleep 0.5
is "$(rows)" "" "no operation was created by the refused SETs"
[ ! -e "$T/app.calls" ] && ok "nothing ran" || fail "a command ran: $(cat "$T/app.calls")"

AP=(-v3 -l authPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" "$H")
is "$(err "${AP[@]}" "$ADMIN" i 2)" noError "authPriv SHA/AES SET lamonAppAdminStatus works"
wait_op 1
is "$(op 2 1):$(op 4 1)" 2:3 "it ran appStop"
is "$(cat "$T/app.calls" 2>/dev/null)" stop "the stop command ran"
is "$(err "${AP[@]}" "$OPT.2.5" i 1 "$OPT.3.5" s web "$OPT.9.5" i 4)" noError "authPriv createAndGo works"
is "$(err "${AP[@]}" SNMPv2-MIB::sysName.0 s pwned)" noAccess "authPriv outside the control view (sysName): noAccess"
is "$(err "${AP[@]}" LAMON-MIB::lamonNodeName.0 s pwned)" noAccess "authPriv on a read-only LAMON object: noAccess"
is "$(err "${AP[@]}" LAMON-MIB::lamonNodeRole.0 i 3)" noError "authPriv on lamonNodeRole (a control object) works"
done_testing
