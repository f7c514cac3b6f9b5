#!/usr/bin/env bash
# The controller's notification receiver with real senders: the real
# controller listening on a private loopback port, Net-SNMP's own snmptrap
# and snmpinform (v2c traps and informs, v3 authPriv informs), and a real
# lamon-agent behind a real snmpd whose informsink / trapsess lines point
# at the controller.  Every datagram must land in exactly one counter of
# `lamonctl --json status` ("notifications"):
#  - accepted notifications per type, informs acknowledged (snmpinform
#    exits 0) and logged at debug level;
#  - refusals per reason, none acknowledged, each logged with its reason
#    (rate-limited): wrong community, community of another network, v3
#    unknown or unaccepted user, wrong auth key, wrong priv key,
#    authNoPriv / noAuthNoPriv, a v3 trap, SNMPv1, a GET, a source outside
#    every accept network, a notification of another MIB, malformed
#    LAMON-MIB varbinds, UDP garbage and a truncated message; the
#    controller keeps running and answering;
#  - SIGHUP takes new accept lines and a new listen port, refuses a bad
#    accept line with its file and line and keeps the old ones.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/snmpd.sh"
. "$(dirname "$0")/ctl_lib.sh"
lamon_test_init
[ -x "$CTL_BIN" ] && [ -x "$AGENT_BIN" ] || bail "build lamon-controller and lamon-agent first"

RP=$(free_udp_port)
LAMON=.1.3.6.1.4.1.8072.9999.9999.9999
NODE_NAME=$LAMON.1.1.1.0 NODE_STATE=$LAMON.1.1.2.0
receiver_lines() {
    printf '%s\n' "v3user other sha otherauthpass aes otherprivpass" \
        "listen 127.0.0.1:${1:-$RP}" \
        "accept 127.0.0.1/32 ${2:-community lamontrap}" \
        "accept 127.0.0.1/32 v3 $V3_USER" \
        "accept 127.0.0.3/32 community elsewhere" \
        "${@:3}"
}
write_ctl_conf "$T/ctl.conf" "" "$(receiver_lines)"
start_controller "$T/ctl.conf" || bail "controller did not start: $(cat "$T/controller.out")"

# --- counters -----------------------------------------------------------------
counters() {
    lamonctl --json status | python3 -c '
import json, sys
n = json.load(sys.stdin)["notifications"]
print("datagrams", n["datagrams"]); print("discovery", n["discovery"])
for k, v in n["received"].items(): print("received." + k, v)
for k, v in n["refused"].items(): print("refused." + k, v)'
}
snap() { counters >"$T/snap"; }
# deltas: the counters that moved since snap, "name=+N" sorted, one line.
deltas() {
    counters | awk 'NR == FNR { old[$1] = $2; next } $2 != old[$1] { printf "%s=%d\n", $1, $2 - old[$1] }' "$T/snap" - |
        sort | tr '\n' ' ' | sed 's/ $//'
}
# expect DESC "WANTED DELTAS": waits (bounded) until the counters moved by
# exactly that, then checks it; takes a new snapshot for the next step.
deltas_are() { [ "$(deltas)" = "$1" ]; }
expect() {
    wait_for 10 deltas_are "$2"
    is "$(deltas)" "$2" "$1"
    snap
}
counter() { counters | awk -v k="$1" '$1 == k { print $2 }'; }
counter_at_least() { [ "$(counter "$1")" -ge "$2" ]; }
logged() { grep -c -- "$1" "$T/controller.log" || true; }

V3="-v3 -l authPriv -u $V3_USER -a SHA -A $V3_AUTH -x AES -X $V3_PRIV"
inform() { snmpinform -r0 -t1 "$@" >"$T/inform.out" 2>&1; }
started() { printf '%s\n' LAMON-MIB::lamonNodeStarted LAMON-MIB::lamonNodeName.0 s node9; }

snap
# --- accepted -------------------------------------------------------------------
snmptrap -v2c -c lamontrap "127.0.0.1:$RP" '' $(started)
expect "a v2c trap lamonNodeStarted is accepted" "datagrams=1 received.lamonNodeStarted=1"
check "and logged at debug level" grep -q "notification: lamonNodeStarted trap from 127.0.0.1:[0-9]* (v2c): node node9" "$T/controller.out"

check "a v2c inform is acknowledged" inform -v2c -c lamontrap "127.0.0.1:$RP" '' LAMON-MIB::lamonAppStateChange \
    LAMON-MIB::lamonNodeName.0 s node9 "$LAMON.1.2.1.1.4.119.101.98" i 1
expect "and accepted as lamonAppStateChange" "datagrams=1 received.lamonAppStateChange=1"
check "with its application and status" grep -q "lamonAppStateChange inform .*node node9, app web oper 1" "$T/controller.out"

check "a v3 authPriv inform is acknowledged" inform $V3 "127.0.0.1:$RP" '' LAMON-MIB::lamonNodeStateChange \
    LAMON-MIB::lamonNodeName.0 s node9 LAMON-MIB::lamonNodeState.0 i 2 LAMON-MIB::lamonNodeRole.0 i 3
expect "and accepted, after snmpinform learned the engine ID" "datagrams=2 discovery=1 received.lamonNodeStateChange=1"
check "logged with its user" grep -q "lamonNodeStateChange inform .*(v3 user $V3_USER): node node9, state 2, role 3" "$T/controller.out"

check "community 'elsewhere' is accepted from 127.0.0.3" inform -v2c -c elsewhere -Y clientaddr=127.0.0.3 \
    "127.0.0.1:$RP" '' $(started)
expect "accepted from its own network" "datagrams=1 received.lamonNodeStarted=1"

check "a LAMON-MIB notification this controller does not know is acknowledged" inform -v2c -c lamontrap \
    "127.0.0.1:$RP" '' "$LAMON.0.99" LAMON-MIB::lamonNodeName.0 s node9 LAMON-MIB::lamonNodeLoad1.0 u 150
expect "and counted as other" "datagrams=1 received.other=1"

# --- refused: credentials -------------------------------------------------------
c0=$(logged "(community)")
check_fails "an inform with a wrong community is not acknowledged" inform -v2c -c wrong "127.0.0.1:$RP" '' $(started)
expect "refused: community" "datagrams=1 refused.community=1"
check "the refusal is logged with its reason and source" \
    grep -q "notifications: refused a datagram from 127.0.0.1:[0-9]* (community): .*nothing changed" "$T/controller.log"
check_fails "lamontrap from 127.0.0.3 (accepted only from 127.0.0.1)" inform -v2c -c lamontrap -Y clientaddr=127.0.0.3 \
    "127.0.0.1:$RP" '' $(started)
check_fails "elsewhere from 127.0.0.1 (accepted only from 127.0.0.3)" inform -v2c -c elsewhere "127.0.0.1:$RP" '' $(started)
expect "both refused: community" "datagrams=2 refused.community=2"

check_fails "a v3 inform with a wrong auth key fails" inform -v3 -l authPriv -u "$V3_USER" -a SHA -A wrongauthpass \
    -x AES -X "$V3_PRIV" "127.0.0.1:$RP" '' $(started)
like "$(cat "$T/inform.out")" "Authentication failure" "with Net-SNMP's authentication failure report"
expect "refused: auth" "datagrams=2 discovery=1 refused.auth=1"
check_fails "a v3 inform with a wrong priv key is not acknowledged" inform -v3 -l authPriv -u "$V3_USER" -a SHA \
    -A "$V3_AUTH" -x AES -X wrongprivpass "127.0.0.1:$RP" '' $(started)
expect "refused: priv" "datagrams=2 discovery=1 refused.priv=1"
check_fails "a v3 inform from a v3user no accept line names fails" inform -v3 -l authPriv -u other -a SHA \
    -A otherauthpass -x AES -X otherprivpass "127.0.0.1:$RP" '' $(started)
like "$(cat "$T/inform.out")" "Unknown user name" "as an unknown user"
check_fails "a v3 inform from a user nobody declared fails" inform -v3 -l authPriv -u nobody -a SHA \
    -A nobodyauthpass -x AES -X nobodyprivpass "127.0.0.1:$RP" '' $(started)
expect "both refused: user" "datagrams=4 discovery=2 refused.user=2"
check "logged with the user name" grep -q "(user, user 'other')" "$T/controller.log"
check_fails "a v3 authNoPriv inform is not acknowledged" inform -v3 -l authNoPriv -u "$V3_USER" -a SHA -A "$V3_AUTH" \
    "127.0.0.1:$RP" '' $(started)
check_fails "a v3 noAuthNoPriv inform is not acknowledged" inform -v3 -l noAuthNoPriv -u "$V3_USER" \
    "127.0.0.1:$RP" '' $(started)
expect "both refused: seclevel" "datagrams=4 discovery=2 refused.seclevel=2"
snmptrap $V3 "127.0.0.1:$RP" '' $(started)
expect "a v3 trap is refused (its keys are localized to the sender's engine, unknown here)" "datagrams=1 refused.user=1"
snmptrap -v1 -c lamontrap "127.0.0.1:$RP" "$LAMON.0" 127.0.0.1 6 1 '' LAMON-MIB::lamonNodeName.0 s node9
expect "an SNMPv1 trap is refused: version" "datagrams=1 refused.version=1"

# --- refused: source, PDU, content ----------------------------------------------
snmptrap -v2c -c lamontrap -Y clientaddr=127.0.0.2 "127.0.0.1:$RP" '' $(started)
expect "a trap from 127.0.0.2, outside every accept network, is refused" "datagrams=1 refused.source=1"
check "logged as such" grep -q "refused a datagram from 127.0.0.2:[0-9]* (source): outside every accept network" \
    "$T/controller.log"
check_fails "a GET to the receiver gets no answer" snmpget -v2c -c lamontrap -r0 -t1 "127.0.0.1:$RP" .1.3.6.1.2.1.1.3.0
expect "refused: pdu_type" "datagrams=1 refused.pdu_type=1"
check "another MIB's inform (coldStart) is acknowledged" inform -v2c -c lamontrap "127.0.0.1:$RP" '' .1.3.6.1.6.3.1.1.5.1
expect "but refused: not_lamon" "datagrams=1 refused.not_lamon=1"
check "a LAMON-MIB inform with lamonNodeState as a string is acknowledged" env MIBS= snmpinform -r0 -t1 -v2c -c lamontrap \
    "127.0.0.1:$RP" '' "$LAMON.0.2" "$NODE_NAME" s node9 "$NODE_STATE" s running
check "one without lamonNodeName too" env MIBS= snmpinform -r0 -t1 -v2c -c lamontrap "127.0.0.1:$RP" '' "$LAMON.0.2" \
    "$NODE_STATE" i 2
expect "both refused: malformed" "datagrams=2 refused.malformed=2"

printf 'garbage' >"/dev/udp/127.0.0.1/$RP"
# A v2c trap cut off after its community: SEQUENCE, version 1, "lamontrap", then nothing.
printf '\x30\x82\x01\x00\x02\x01\x01\x04\x09lamontrap\xa7\x82' >"/dev/udp/127.0.0.1/$RP"
expect "UDP garbage and a truncated message are refused: malformed" "datagrams=2 refused.malformed=2"
check "the controller is still running" kill -0 "$CTL_PID"
check "and answering" lamonctl status
snmptrap -v2c -c lamontrap "127.0.0.1:$RP" '' $(started)
expect "and accepting" "datagrams=1 received.lamonNodeStarted=1"

# Rate-limited: a burst of refusals is counted in full, logged a line or two.
for i in $(seq 1 30); do snmptrap -v2c -c "wrong$i" "127.0.0.1:$RP" '' $(started); done
expect "30 wrong communities are all counted" "datagrams=30 refused.community=30"
c1=$(logged "(community)")
if [ $((c1 - c0)) -le 2 ]; then ok "but logged $((c1 - c0)) lines for 33 community refusals (one per reason every 10 s)"
else fail "logged $((c1 - c0)) lines for 33 community refusals"; fi
like "$(lamonctl status | tail -n 1)" "^notifications on 127.0.0.1:$RP: .* accepted, .*refused, .*community 33" \
    "lamonctl status shows the receiver's counters"

# --- a real agent behind a real snmpd -------------------------------------------
# snmpd sends the agent's notifications to its own sinks: a v2c inform sink
# and a v3 authPriv inform session, both at the controller.
nl0=$(counter refused.not_lamon)
start_snmpd "informsink 127.0.0.1:$RP lamontrap
trapsess -Ci -r 1 -t 2 $V3 127.0.0.1:$RP" || bail "snmpd did not start"
# snmpd's own coldStart, twice (once per sink), is acknowledged and not ours.
wait_for 10 counter_at_least refused.not_lamon $((nl0 + 2))
snap
cat >"$T/agent.conf" <<CONF
nodename realnode
statedir $T/state
CONF
mkdir -p "$T/state"
start_agent "$T/agent.conf" || bail "lamon-agent did not start"
wait_for 10 sh -c "[ \$(grep -c 'lamonNodeStarted inform .* node realnode' '$T/controller.out') -ge 2 ]"
is "$(deltas | tr ' ' '\n' | grep '^received' | tr '\n' ' ' | sed 's/ $//')" "received.lamonNodeStarted=2" \
    "the agent's lamonNodeStarted arrives through both of snmpd's sinks and is accepted twice"
unlike "$(deltas)" "refused" "nothing from snmpd is refused"
check "once as a v2c inform" grep -q "lamonNodeStarted inform from 127.0.0.1:[0-9]* (v2c): node realnode" "$T/controller.out"
check "once as a v3 authPriv inform" grep -q "lamonNodeStarted inform from 127.0.0.1:[0-9]* (v3 user $V3_USER): node realnode" \
    "$T/controller.out"
# snmpd resends an inform that is not acknowledged after 2 s (-r 1 -t 2):
# nothing more may arrive.
sleep 3
is "$(deltas | tr ' ' '\n' | grep '^received' | tr '\n' ' ' | sed 's/ $//')" "received.lamonNodeStarted=2" \
    "snmpd resent neither inform: both were acknowledged"

# --- SIGHUP -------------------------------------------------------------------
RP2=$(free_udp_port)
write_ctl_conf "$T/ctl.conf" "" "$(receiver_lines "$RP2" "community newcomm")"
snap
reloads=$(logged "configuration reloaded")
kill -HUP "$CTL_PID"
wait_for 10 sh -c "[ \$(grep -c 'configuration reloaded' '$T/controller.log') -gt $reloads ]"
check "after SIGHUP the receiver listens on the new port" grep -q "notification receiver listening on udp 127.0.0.1:$RP2" \
    "$T/controller.log"
check_fails "the old port is closed" inform -v2c -c newcomm "127.0.0.1:$RP" '' $(started)
check_fails "the old community is refused" inform -v2c -c lamontrap "127.0.0.1:$RP2" '' $(started)
check "the new community is accepted" inform -v2c -c newcomm "127.0.0.1:$RP2" '' $(started)
check "v3 informs still work" inform $V3 "127.0.0.1:$RP2" '' $(started)
expect "counted as such" "datagrams=4 discovery=1 received.lamonNodeStarted=2 refused.community=1"

write_ctl_conf "$T/ctl.conf" "" "$(receiver_lines "$RP2" "community newcomm" "accept 127.0.0.1/8 community x")"
kill -HUP "$CTL_PID"
wait_for 10 grep -q "reload of .* failed" "$T/controller.log"
like "$(grep 'reload of .* failed' "$T/controller.log" | tail -n 1)" "ctl.conf: line [0-9]+: .*bits set beyond the /8 prefix" \
    "a bad accept line is refused with file, line and problem"
check "the old accept lines stay in force" inform -v2c -c newcomm "127.0.0.1:$RP2" '' $(started)
expect "and still accept" "datagrams=1 received.lamonNodeStarted=1"

# A second controller cannot take the receiver's port: it says so and exits.
write_ctl_conf "$T/ctl2.conf" "" "listen 127.0.0.1:$RP2"
sed -i "s|^control .*|control $T/ctl2.sock|; s|^logfile .*|logfile $T/ctl2.log|" "$T/ctl2.conf"
out=$("$CTL_BIN" -f -c "$T/ctl2.conf" 2>&1); rc=$?
is "$rc" 1 "a controller whose listen address is taken exits 1"
like "$out" "cannot listen on 127.0.0.1:$RP2" "and names the address"

check "the controller is still running" kill -0 "$CTL_PID"
stop_controller
unlike "$(cat "$T/controller.out")" "Sanitizer|runtime error|LeakSanitizer" "no sanitizer report from the controller"
done_testing
